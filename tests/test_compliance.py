import json
from datetime import date, datetime

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from dvk_xl.compliance.check import COMPLIANCE_SHEET, check_compliance, run_compliance
from dvk_xl.demo.run import compliance_step
from dvk_xl.master.book import open_master, read_form_table
from dvk_xl.shells.cli import main
from dvk_xl.spec.forms import DEADLINES, INTAKE_LOG, RESULTS

from .compliancefixtures import WARD_UNITS, reg, register, write
from .conftest import pdf_text, soffice_to_pdf


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def statuses(master, day):
    return {d.step: d for d in check_compliance(open_master(master), day).deadlines}


def test_deadline_status_on_a_given_day(ward_master):
    before = statuses(ward_master, date(2026, 2, 26))
    assert (before["dang-ky"].state, before["dang-ky"].days, before["dang-ky"].days_text) == ("due", 5, "còn 5 ngày")
    assert len(before["dang-ky"].missing) == 12
    on_the_day = statuses(ward_master, date(2026, 3, 3))["dang-ky"]
    assert (on_the_day.state, on_the_day.state_text) == ("today", "Đến hạn hôm nay")
    late = statuses(ward_master, date(2026, 3, 13))
    assert (late["dang-ky"].state, late["dang-ky"].days) == ("late", 10)
    assert (late["gui-cap-tren"].state, late["gui-cap-tren"].days, late["gui-cap-tren"].missing) == ("late", 3, [])


def test_a_unit_deadline_is_done_when_every_unit_delivered(ward_master):
    # Eleven units in the register, the twelfth (CD01) only through an accepted file in the intake log.
    register(ward_master, [reg(u) for u in WARD_UNITS[:11]])
    write(ward_master, INTAKE_LOG, [dict(received_at=datetime(2026, 3, 2, 9), file="cd01.xlsx", unit_code="CD01",
                                         form="PL01", status="Từ chối")])
    still = statuses(ward_master, date(2026, 3, 13))["dang-ky"]
    assert still.state == "late" and still.missing == [("CD01", "Công đoàn cơ sở phường")]
    write(ward_master, INTAKE_LOG, [dict(received_at=datetime(2026, 3, 2, 9), file="cd01.xlsx", unit_code="CD01",
                                         form="PL01", status="Chấp nhận")])
    done = statuses(ward_master, date(2026, 3, 13))
    assert done["dang-ky"].state == "done" and done["dang-ky"].missing == []
    # Results: only units with models are expected, from KetQua of the right period.
    half = done["bao-cao-6-thang"]
    assert half.state == "due" and len(half.missing) == 11
    write(ward_master, RESULTS, [dict(period="6 tháng", model_id=f"DVK-2026-{u}-1", unit_code=u, results="...")
                                 for u in WARD_UNITS[:11]])
    after = statuses(ward_master, date(2026, 6, 25))
    assert after["bao-cao-6-thang"].state == "done" and after["bao-cao-nam"].state == "due"


def test_committee_steps_are_done_by_the_day_staff_type(ward_master):
    wb = open_master(ward_master)
    steps = read_form_table(wb, DEADLINES)
    steps.loc[steps["step"] == "gui-cap-tren", "done_on"] = date(2026, 3, 12)
    wb.write_table(DEADLINES.table, steps.rename(columns={c.key: c.header for c in DEADLINES.columns}))
    wb.save()
    sent = statuses(ward_master, date(2026, 3, 20))["gui-cap-tren"]
    assert (sent.state, sent.done_on, sent.days_text) == ("done", date(2026, 3, 12), "xong trễ 2 ngày")


def test_no_date_and_a_typed_impossible_date_are_reported_not_fatal(procuracy_master):
    annual = statuses(procuracy_master, date(2026, 12, 1))["bao-cao-nam"]
    assert annual.state == "no-date" and "31/11/2026" in annual.note
    book = load_workbook(procuracy_master)
    book[DEADLINES.sheet]["C8"] = "31/11/2026"
    book.save(procuracy_master)
    report = check_compliance(open_master(procuracy_master), date(2026, 12, 1))
    bad = next(d for d in report.deadlines if d.step == "bao-cao-nam")
    assert bad.state == "invalid" and "sheet “Tiến độ”, ô C8" in bad.note and "30 ngày" in bad.note
    assert [(f.code, f.cell) for f in report.findings] == [("deadline-date-invalid", "C8")]


EXPECTED_SHEET = [
    ["KIỂM TRA CHỈ TIÊU, TIẾN ĐỘ VÀ TIÊU CHÍ “DÂN VẬN KHÉO” NĂM 2026"],
    ["Đảng ủy cơ quan Viện kiểm sát nhân dân thành phố Hải Phòng — tính đến ngày 02/02/2026: Chưa đạt 1/3 chỉ tiêu; "
     "1 việc trễ hạn. Sheet do lệnh dvk compliance ghi lại mỗi lần chạy."],
    [],
    ["I. CHỈ TIÊU"],
    ["Mã", "Nội dung chỉ tiêu", "Phạm vi", "Chỉ số", "Yêu cầu", "Thực hiện", "Kết quả", "Đơn vị chưa đạt"],
    ["CT1", "Đảng bộ xây dựng ít nhất 01 mô hình gắn với nhiệm vụ chuyên môn", "Toàn cấp ủy", "Số mô hình",
     1, 1, "Đạt"],  # numbers, read through their number formats (tests/test_sheet_numbers.py)
    ["CT2", "Chi bộ Phòng 9 xây dựng 01 mô hình", "Đơn vị: Chi bộ Phòng 9", "Số mô hình", 1, 1, "Đạt"],
    ["CT3", "Chi bộ VKSND khu vực 10 xây dựng 01 mô hình", "Đơn vị: Chi bộ VKSND khu vực 10", "Số mô hình",
     1, 0, "Chưa đạt", "CB-KV10 (Chi bộ VKSND khu vực 10): 0/1"],
    [],
    ["II. TIẾN ĐỘ"],
    ["Mã", "Công việc", "Hạn", "Bên thực hiện", "Tình trạng", "Số ngày", "Biểu mẫu", "Đơn vị chưa có mẫu hợp lệ / ghi chú"],
    ["dang-ky", "Chi bộ gửi mô hình về Tổ giúp việc", datetime(2026, 1, 29), "Đơn vị", "Trễ hạn", 4, "PL01",
     "CB-KV10 (Chi bộ VKSND khu vực 10)"],
    ["chon-tieu-bieu", "Lựa chọn, giới thiệu mô hình tiêu biểu lên Đảng ủy Các cơ quan đảng thành phố",
     datetime(2026, 10, 10), "Cấp ủy", "Còn hạn", 250],
    ["bao-cao-6-thang", "Báo cáo kết quả 6 tháng đầu năm", datetime(2026, 6, 30), "Cấp ủy", "Còn hạn", 148,
     "PL03"],
    ["bao-cao-nam", "Báo cáo kết quả năm", None, "Cấp ủy", "Chưa có hạn", None, "PL03",
     "Kế hoạch ghi hạn “31/11/2026”: ngày “31/11/2026” không tồn tại: tháng 11 năm 2026 chỉ có 30 ngày; sửa lại ngày "
     "đúng, công cụ không tự dời ngày. Cần xác nhận lại hạn với cấp ủy rồi nhập vào ô “Hạn”."],
    [],
    ["III. MÔ HÌNH THEO LĨNH VỰC VÀ LOẠI, KẾT QUẢ THẨM ĐỊNH"],
    ["Lĩnh vực", "Mới", "Duy trì", "Nhân rộng", "Tổng số", "Đã thẩm định", "Được công nhận", "Tiêu biểu"],
    ["Kinh tế", 0, 0, 0, 0, 0, 0, 0],
    ["Văn hóa - xã hội", 0, 0, 0, 0, 0, 0, 0],
    ["Quốc phòng - an ninh, dân tộc - tôn giáo", 0, 0, 0, 0, 0, 0, 0],
    ["Xây dựng hệ thống chính trị", 1, 0, 0, 1, 1, 1, 1],  # marked typical (and flagged below)
    ["Tổng cộng", 1, 0, 0, 1, 1, 1, 1],
    [],
    ["IV. THẨM ĐỊNH THEO TỪNG TIÊU CHÍ (mô hình đang thực hiện)"],
    ["Tiêu chí", "Đạt", "Không đạt", "Chưa đánh giá"],
    ["1. Đăng ký, tên gọi, chủ thể, lĩnh vực", 1, 0, 0],
    ["2. Kế hoạch, ra mắt", 0, 0, 1],
    *([f"{n}. {name}", 0, 0, 1] for n, name in [(3, "Tuyên truyền"), (4, "Huy động lực lượng, nguồn lực"),
                                                (5, "Phương pháp sáng tạo, tiết kiệm"),
                                                (6, "Giải quyết vấn đề khó khăn, bức xúc"), (7, "Bền vững, lan tỏa"),
                                                (8, "Hồ sơ lưu trữ")]),
    [],
    ["V. CẦN XEM LẠI"],
    ["Mức", "Sheet", "Ô", "Nội dung"],
    ["Lỗi", "Thẩm định", "T5", "ô T5: mô hình tập thể DVK-2026-CB-P9-1 được chọn tiêu biểu nhưng chưa nhập xếp loại "
     "của đơn vị trong năm; tập thể tiêu biểu cần đơn vị “hoàn thành tốt nhiệm vụ” trở lên"],
    ["Lỗi", "Thẩm định", "S5", "ô S5: mô hình DVK-2026-CB-P9-1 được chọn tiêu biểu nhưng tiêu chí 2, 3, 4, 5, 6, 7, 8 "
     "chưa “Đạt”; chỉ chọn tiêu biểu khi đạt đủ 8 tiêu chí (Mục III.2 Hướng dẫn)"],
]


def sheet_values(path, name):
    ws = load_workbook(path)[name]
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    while rows and not any(v is not None for v in rows[-1]):
        rows.pop()
    for row in rows:
        while row and row[-1] is None:
            row.pop()
    return ws, rows


@pytest.fixture
def checked_procuracy(procuracy_master):
    register(procuracy_master, [reg("CB-P9", 1, kind="Mới", field="Xây dựng hệ thống chính trị"),
                                reg("CB-P9", 2, status="Đã rút")])
    run_compliance(procuracy_master, date(2026, 2, 2))
    from .compliancefixtures import edit_evaluation

    edit_evaluation(procuracy_master, {"DVK-2026-CB-P9-1": {"result": "Công nhận", "typical": "Có"}})
    run_compliance(procuracy_master, date(2026, 2, 2))
    return procuracy_master


def test_the_compliance_sheet_cell_by_cell(checked_procuracy):
    ws, rows = sheet_values(checked_procuracy, COMPLIANCE_SHEET)
    expected = sorted(EXPECTED_SHEET[-2:])  # the two findings, whatever their order
    assert rows[:-2] == EXPECTED_SHEET[:-2] and sorted(rows[-2:]) == expected
    assert load_workbook(checked_procuracy).sheetnames[1] == COMPLIANCE_SHEET
    assert ws["G8"].fill.fgColor.rgb.endswith("FF9999") and ws["G6"].fill.fgColor.rgb.endswith("C6EFCE")
    assert len(ws._charts) == 1
    chart = ws._charts[0]
    # Series = the three kinds (row 18 headers), over the four field rows 19-22 (not the total row).
    assert [(s.tx.strRef.f.replace("$", ""), s.val.numRef.f.replace("$", "")) for s in chart.series] == [
        (f"'Tuân thủ'!{c}18", f"'Tuân thủ'!{c}19:{c}22") for c in "BCD"]
    assert chart.series[0].cat.numRef.f.replace("$", "") == "'Tuân thủ'!A19:A22"


def test_rewriting_keeps_one_sheet_in_its_place(checked_procuracy):
    before = load_workbook(checked_procuracy).sheetnames
    run_compliance(checked_procuracy, date(2026, 2, 3))
    book = load_workbook(checked_procuracy)
    assert book.sheetnames == before
    assert "03/02/2026" in book[COMPLIANCE_SHEET]["A2"].value


def test_cli_exit_codes_and_json(procuracy_master):
    register(procuracy_master, [reg("CB-P9")])
    missed = run("compliance", procuracy_master, "--today", "02/02/2026", "--json")
    assert missed.exit_code == 1, missed.output
    doc = json.loads(missed.output)  # exactly one JSON document
    assert set(doc) == {"today", "committee", "year", "all_met", "quotas", "deadlines", "criteria", "evaluation",
                        "findings"}
    assert doc["today"] == "2026-02-02" and doc["all_met"] is False
    ct3 = doc["quotas"][2]
    assert (ct3["id"], ct3["met"], ct3["required"], ct3["actual"]) == ("CT3", False, 1, 0)
    assert ct3["short_units"] == [{"code": "CB-KV10", "name": "Chi bộ VKSND khu vực 10", "actual": 0, "required": 1}]
    assert doc["deadlines"][0]["state"] == "late" and doc["deadlines"][0]["missing_units"][0]["code"] == "CB-KV10"
    assert doc["deadlines"][3]["due"] is None and doc["deadlines"][3]["state"] == "no-date"
    assert doc["criteria"]["models"] == 1 and doc["evaluation"]["added"] == ["DVK-2026-CB-P9-1"]
    register(procuracy_master, [reg("CB-P9"), reg("CB-KV10")])
    met = run("compliance", procuracy_master, "--today", "02/02/2026")
    assert met.exit_code == 0, met.output
    assert "[Đạt] CT3" in met.output and "Kết quả: đạt tất cả chỉ tiêu." in met.output


def test_cli_refuses_an_impossible_today_as_a_usage_error(procuracy_master):
    result = run("compliance", procuracy_master, "--today", "31/11/2026")
    assert result.exit_code == 2 and "30 ngày" in result.output


def test_demo_step_works_on_an_empty_register(ward_master, tmp_path):
    said = []
    compliance_step(tmp_path, ward_master, tmp_path, said.append)
    text = "\n".join(said)
    assert "Chỉ tiêu chưa đạt: CT1" in text and "Việc trễ hạn: [Trễ hạn, trễ 3 ngày] dang-ky" in text


@pytest.mark.libreoffice
def test_master_with_the_compliance_sheet_opens_in_libreoffice(checked_procuracy, tmp_path):
    book = load_workbook(checked_procuracy)
    for name in book.sheetnames:
        if name != COMPLIANCE_SHEET:
            book[name].sheet_state = "hidden"  # print only the compliance sheet, but open the whole master
    path = tmp_path / "only.xlsx"
    book.save(path)
    pdf = soffice_to_pdf(path, tmp_path / "pdf")
    shown = pdf_text(pdf, 1, 2)
    assert "KIỂM TRA CHỈ TIÊU, TIẾN ĐỘ VÀ TIÊU CHÍ" in shown and "Chưa đạt" in shown and "CB-KV10" in shown
