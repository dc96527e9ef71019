import email
from datetime import date
from email import policy

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from dvk_xl.reports.writer import write_report
from dvk_xl.shells.cli import main
from dvk_xl.spec.forms import METADATA_SHEET, REPORT_DATA_SHEET, REPORT_PL02, REPORT_PL03

from .conftest import pdf_pages, pdf_text, soffice_to_pdf
from .reportfixtures import fill_register

PL02_NAME = "PL02_DangKy_DVK_2026_Dang_uy_phuong_Hong_An.xlsx"
PL03_NAME = "PL03_BaoCao6Thang_DVK_2026_Dang_uy_phuong_Hong_An.xlsx"


@pytest.fixture
def small_register(ward_master):
    """The ward master with 3 active models (CB01 ×2, PN01), one withdrawn, and 6-month results for 2."""
    fill_register(ward_master)
    return ward_master


def rows(ws, first, last, width):
    return [[ws.cell(r, c).value for c in range(1, width + 1)] for r in range(first, last + 1)]


def test_pl02_list_grouped_by_unit_golden(small_register, tmp_path):
    result = write_report(small_register, "dang-ky", tmp_path, day=date(2026, 3, 9))
    assert result.path.name == PL02_NAME and (result.models, result.units) == (3, 2)
    book = load_workbook(result.path)
    ws = book["Phụ lục 02"]
    assert ws["A1"].value == "ĐẢNG BỘ THÀNH PHỐ HẢI PHÒNG" and ws["A2"].value == "ĐẢNG ỦY PHƯỜNG HỒNG AN"
    assert ws["E1"].value == "ĐẢNG CỘNG SẢN VIỆT NAM" and ws["E1"].font.underline == "single"
    assert ws["E2"].value == "Hải Phòng, ngày 09 tháng 03 năm 2026"
    assert ws["A4"].value == "Số: …-DS/ĐU"
    assert ws["A6"].value == "DANH SÁCH ĐĂNG KÝ MÔ HÌNH “DÂN VẬN KHÉO” NĂM 2026"
    assert ws["A9"].value == "Tổng số: 3 mô hình của 2/12 đơn vị. Mới: 1; duy trì: 1; nhân rộng: 1."
    assert rows(ws, 11, 15, 12) == [
        ["STT", "Tên mô hình", "Lĩnh vực", "Chủ thể (Tập thể / Cá nhân)", "Tập thể, cá nhân thực hiện",
         "Loại mô hình (Mới / Duy trì / Nhân rộng)", "Năm bắt đầu", "Mục tiêu, tiêu chí, kết quả cần đạt",
         "Thời gian thực hiện", "Ngày ra mắt (dự kiến)", "Người phụ trách", "Mã mô hình"],
        ["I", "Chi bộ Khu dân cư số 1 (2 mô hình)"] + [None] * 10,
        [1, "Khu dân cư sáng - xanh - sạch - đẹp", "Văn hóa - xã hội", "Tập thể", "Chi bộ Khu dân cư số 1", "Duy trì",
         2024, "100% hộ phân loại rác", "01/03/2026 - 30/11/2026", None, "Nguyễn Văn Hùng", "DVK-2026-CB01-1"],
        [2, "Vận động hiến đất mở rộng ngõ 12", "Kinh tế", "Tập thể", "Chi bộ Khu dân cư số 1", "Mới", 2026,
         "Mở rộng ngõ lên 4 m", "15/03/2026 - 30/10/2026", ws["J14"].value, "Trần Thị Lan", "DVK-2026-CB01-2"],
        ["II", "Chi bộ Khu dân cư số 2 (chưa đăng ký mô hình)"] + [None] * 10,
    ]
    assert ws["J14"].value.date() == date(2026, 3, 20) and ws["J14"].number_format == "dd/mm/yyyy"
    assert rows(ws, 23, 26, 2) == [["X", "Hội Liên hiệp Phụ nữ phường (1 mô hình)"],
                                  [3, "Phụ nữ giúp nhau phát triển kinh tế"],
                                  ["XI", "Hội Cựu chiến binh phường (chưa đăng ký mô hình)"],
                                  ["XII", "Công đoàn cơ sở phường (chưa đăng ký mô hình)"]]
    assert ws["B27"].value == "Tổng cộng: 3 mô hình"
    assert ws["A29"].value == "TỔNG HỢP THEO LĨNH VỰC, LOẠI MÔ HÌNH VÀ CHỦ THỂ"
    assert rows(ws, 30, 36, 9) == [
        ["STT", "Lĩnh vực", "Tổng số", "Mới", None, "Duy trì", None, "Nhân rộng", None],
        [None, None, None, "Tập thể", "Cá nhân", "Tập thể", "Cá nhân", "Tập thể", "Cá nhân"],
        [1, "Kinh tế", 2, 1, 0, 0, 0, 0, 1],
        [2, "Văn hóa - xã hội", 1, 0, 0, 1, 0, 0, 0],
        [3, "Quốc phòng - an ninh, dân tộc - tôn giáo", 0, 0, 0, 0, 0, 0, 0],
        [4, "Xây dựng hệ thống chính trị", 0, 0, 0, 0, 0, 0, 0],
        [None, "Tổng cộng", 3, 1, 0, 1, 0, 0, 1],
    ]
    assert ws["A38"].value == "Nơi nhận:" and ws["E38"].value == "T/M BAN CHẤP HÀNH"
    assert ws["E43"].value == "Cao Thị Thanh Xuân"
    assert ws.print_title_rows == "$11:$11"
    assert ws.page_setup.orientation == "landscape" and ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws["B13"].font.name == "Times New Roman"


def test_pl02_hidden_sheets_carry_metadata_and_models(small_register, tmp_path):
    book = load_workbook(write_report(small_register, "dang-ky", tmp_path).path)
    meta = {r[0]: r[1] for r in book[METADATA_SHEET].iter_rows(values_only=True)}
    assert meta["form_id"] == "PL02" and meta["kind"] == "dang-ky" and meta["year"] == 2026
    assert meta["unit_name"] == "Đảng ủy phường Hồng An" and meta["models"] == 3
    data = book[REPORT_DATA_SHEET]
    assert book[METADATA_SHEET].sheet_state == data.sheet_state == "veryHidden"
    assert [c.value for c in data[1]] == REPORT_PL02.headers
    assert [r[0] for r in data.iter_rows(min_row=2, values_only=True)] == [
        "DVK-2026-CB01-1", "DVK-2026-CB01-2", "DVK-2026-PN01-1"]


def test_pl03_statistics_golden(small_register, tmp_path):
    result = write_report(small_register, "6-thang", tmp_path)
    assert result.path.name == PL03_NAME
    book = load_workbook(result.path)
    ws = book["Phụ lục 03"]
    assert ws["A6"].value == "BÁO CÁO KẾT QUẢ THỰC HIỆN PHONG TRÀO THI ĐUA “DÂN VẬN KHÉO” 6 THÁNG ĐẦU NĂM 2026"
    assert ws["A4"].value == "Số: …-BC/ĐU"
    assert ws["A9"].value == ("Tổng số: 3 mô hình đang thực hiện của 2/12 đơn vị; "
                              "2 mô hình đã báo cáo kết quả kỳ 6 tháng.")
    values = {c.value: c.row for row in ws.iter_rows(max_col=1) for c in row if isinstance(c.value, str)}
    overview = values["II. KẾT QUẢ THỰC HIỆN, CÔNG NHẬN, TIÊU BIỂU, KHEN THƯỞNG THEO LĨNH VỰC"]
    assert rows(ws, overview + 1, overview + 6, 9) == [
        ["STT", "Lĩnh vực", "Tổng số", "Đã báo cáo kết quả", "Đã ra mắt", "Hoàn thành", "Được công nhận", "Tiêu biểu",
         "Đề xuất khen thưởng"],
        [1, "Kinh tế", 2, 2, 1, 1, 1, 1, 1],
        [2, "Văn hóa - xã hội", 1, 0, 0, 0, 0, 0, 0],
        [3, "Quốc phòng - an ninh, dân tộc - tôn giáo", 0, 0, 0, 0, 0, 0, 0],
        [4, "Xây dựng hệ thống chính trị", 0, 0, 0, 0, 0, 0, 0],
        [None, "Tổng cộng", 3, 2, 1, 1, 1, 1, 1],
    ]
    units = values["III. KẾT QUẢ THEO ĐƠN VỊ"]
    assert rows(ws, units + 1, units + 2, 14) == [
        ["STT", "Đơn vị", "Số mô hình", "Mới", "Duy trì", "Nhân rộng", "Đang thực hiện", "Hoàn thành", "Tạm dừng",
         "Không triển khai", "Số người tham gia", "Nguồn lực huy động (đồng)", "Được công nhận", "Tiêu biểu"],
        [1, "Chi bộ Khu dân cư số 1", 2, 1, 1, 0, 0, 1, 0, 0, 120, 350000000, 1, 1],
    ]
    assert rows(ws, units + 14, units + 14, 14) == [[None, "Tổng cộng", 3, 1, 1, 1, 1, 1, 0, 0, 145, 350000000, 1, 1]]
    typical = values["V. DANH SÁCH MÔ HÌNH TIÊU BIỂU"]
    assert [ws.cell(typical + 2, c).value for c in (1, 2, 3, 5, 6, 7, 8, 13)] == [
        1, "Vận động hiến đất mở rộng ngõ 12", "Chi bộ Khu dân cư số 1", "Kinh tế", "Tập thể", "Mới",
        "15 hộ hiến đất, ngõ đã mở rộng", "Giấy khen"]
    quota = values["IV. THỰC HIỆN CHỈ TIÊU CỦA KẾ HOẠCH"]
    assert [[ws.cell(quota + r, c).value for c in (1, 2, 3, 5, 7)] for r in range(1, 6)] == [
        ["STT", "Chỉ tiêu", "Yêu cầu", "Thực hiện", "Kết quả"],
        [1, "Đảng ủy chỉ đạo xây dựng 05 mô hình “Dân vận khéo”", 5, 3, "Chưa đạt"],  # numbers with formats
        [2, "Trong đó có ít nhất 01 mô hình mới", 1, 1, "Đạt"],
        [3, "Trong đó có ít nhất 01 mô hình nhân rộng", 1, 1, "Đạt"],
        [4, "100% chi bộ, đảng bộ trực thuộc, MTTQ và các tổ chức chính trị - xã hội đăng ký ít nhất 01 mô hình",
         1, 0.1667, "Chưa đạt"]]
    assert ws.cell(quota + 5, 8).value.startswith("CB02 (Chi bộ Khu dân cư số 2): 0/1; CB03")
    assert len(ws._charts) == 1
    detail = book["Chi tiết kết quả"]
    assert [detail.cell(5 + i, 2).value for i in range(3)] == ["DVK-2026-CB01-1", "DVK-2026-CB01-2", "DVK-2026-PN01-1"]
    assert [detail.cell(6, c).value for c in (8, 10, 11, 12, 13, 14, 15)] == [
        "Hoàn thành", "15 hộ hiến đất, ngõ đã mở rộng", 120, 350000000, "Có", "Có", "Giấy khen"]
    assert detail.print_title_rows == "$4:$4"
    data = list(book[REPORT_DATA_SHEET].iter_rows(values_only=True))
    assert list(data[0]) == REPORT_PL03.headers
    assert {r[0] for r in data[1:]} == {"6 tháng"} and len(data) == 4


def test_reports_of_an_empty_register_are_valid(ward_master, tmp_path):
    for kind in ("dang-ky", "nam"):
        result = write_report(ward_master, kind, tmp_path)
        assert result.models == 0 and any("chưa có mô hình" in n for n in result.notices)
        book = load_workbook(result.path)
        assert book.sheetnames[0] in ("Phụ lục 02", "Phụ lục 03")
    annual = load_workbook(tmp_path / "PL03_BaoCaoNam_DVK_2026_Dang_uy_phuong_Hong_An.xlsx")["Phụ lục 03"]
    assert annual["A6"].value == "BÁO CÁO KẾT QUẢ THỰC HIỆN PHONG TRÀO THI ĐUA “DÂN VẬN KHÉO” NĂM 2026"


def test_eml_draft_parses_back(small_register, tmp_path):
    result = write_report(small_register, "dang-ky", tmp_path, eml=True)
    raw = result.eml.read_bytes()
    assert raw.isascii()  # headers RFC 2047-encoded, body transfer-encoded
    message = email.message_from_bytes(raw, policy=policy.default)
    assert message["X-Unsent"] == "1"
    assert message["To"] == "bantuyengiaodanvan@haiphong.gov.vn"
    assert message["Subject"] == ("Đảng ủy phường Hồng An gửi danh sách đăng ký mô hình “Dân vận khéo” năm 2026 "
                                  "(Phụ lục 02)")
    body = message.get_body(("plain",)).get_content()
    assert "Kính gửi: Ban Tuyên giáo và Dân vận Thành ủy Hải Phòng." in body and "Số mô hình: 3" in body
    attachments = list(message.iter_attachments())
    assert [a.get_filename() for a in attachments] == [PL02_NAME]
    assert attachments[0].get_content() == result.path.read_bytes()


def test_report_cli(small_register, tmp_path):
    out = tmp_path / "bc"
    run = CliRunner().invoke(main, ["report", str(small_register), "--kind", "nam", "--out", str(out), "--eml"])
    assert run.exit_code == 0, run.output
    assert "Đã lập báo cáo" in run.output and "Thư nháp gửi cấp trên" in run.output
    assert (out / "PL03_BaoCaoNam_DVK_2026_Dang_uy_phuong_Hong_An.eml").exists()
    bad = CliRunner().invoke(main, ["report", str(small_register), "--kind", "quy", "--out", str(out)])
    assert bad.exit_code == 2


@pytest.mark.parametrize("kind,name,title,pages", [
    ("dang-ky", PL02_NAME, "DANH SÁCH ĐĂNG KÝ MÔ HÌNH", 2),
    ("6-thang", PL03_NAME, "BÁO CÁO KẾT QUẢ THỰC HIỆN PHONG TRÀO THI ĐUA", 4),
])
def test_reports_print_in_libreoffice(small_register, tmp_path, kind, name, title, pages):
    path = write_report(small_register, kind, tmp_path / "out").path
    pdf = soffice_to_pdf(path, tmp_path / "pdf")
    assert pdf_pages(pdf) == pages
    first = pdf_text(pdf)
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" in first and title in first and "ĐẢNG ỦY PHƯỜNG HỒNG AN" in first
    assert "Trang 1/" in first


def test_evaluation_sheet_decides_recognition(small_register, tmp_path):
    from dvk_xl.master.book import open_master
    from dvk_xl.reports.reportdata import load_report_data
    from dvk_xl.spec.forms import EVALUATION

    from .reportfixtures import frame

    wb = open_master(small_register)
    wb.write_table(EVALUATION.table, frame(EVALUATION, [
        dict(model_id="DVK-2026-CB01-1", unit_code="CB01", result="Công nhận", typical="Có", commendation="Bằng khen"),
        dict(model_id="DVK-2026-CB01-2", unit_code="CB01", result="Không công nhận", typical="Không"),
        dict(model_id="DVK-2026-PN01-1", unit_code="PN01"),  # not decided yet
    ]))
    wb.save()
    models = {m.id: m for m in load_report_data(open_master(small_register), "6-thang").models}
    assert (models["DVK-2026-CB01-1"].recognised, models["DVK-2026-CB01-1"].typical,
            models["DVK-2026-CB01-1"].commendation) == (True, True, "Bằng khen")
    # The committee's own verdict overrides what came with the results; undecided keeps them.
    assert (models["DVK-2026-CB01-2"].recognised, models["DVK-2026-CB01-2"].typical) == (False, False)
    assert not models["DVK-2026-PN01-1"].recognised
