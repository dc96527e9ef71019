"""End to end: the amounts a unit types in Phụ lục 03 are the amounts KetQua stores and the report shows."""

import json

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from dvk_xl.master.book import open_master, read_form_table
from dvk_xl.reports.templates import HEADER_ROW, write_templates
from dvk_xl.shells.cli import main
from dvk_xl.spec.forms import PL03, RESULTS, excel_column

from .reportfixtures import fill_register
from .test_results import fill_results

ASSESSED = ("Đạt",) * 8


def _forms(master, tmp_path):
    fill_register(master, results=[])
    return {p.name.split("_")[3]: p for p in write_templates(master, tmp_path / "f", form="pl03",
                                                              period="6-thang").paths}


def test_typed_amounts_are_stored_as_numbers_and_reported(ward_master, tmp_path):
    forms = _forms(ward_master, tmp_path)
    inbox = tmp_path / "inbox"
    fill_results(forms["CB01"], [
        ("DVK-2026-CB01-1", None, "Đang thực hiện", "Không", None, "80% hộ phân loại rác", "1.200 người",
         "12.500.000,50", *ASSESSED, "Đề nghị công nhận"),
        ("DVK-2026-CB01-2", None, "Hoàn thành", "Có", "20/03/2026", "15 hộ hiến đất", 120, "1,5 tỷ đồng"),
    ], inbox / "ket qua khu 1.xlsx")
    fill_results(forms["PN01"], [("DVK-2026-PN01-1", None, "Đang thực hiện", "Không", None, "Đã vay vốn", "25",
                                  "350.000 đ")], inbox / "ket qua phu nu.xlsx")
    runner = CliRunner()
    result = runner.invoke(main, ["consolidate", str(ward_master), str(inbox), "--json"])
    assert result.exit_code == 0, result.output
    assert {f["status"] for f in json.loads(result.output)["files"]} == {"accepted"}

    frame = read_form_table(open_master(ward_master), RESULTS)
    stored = dict(zip(frame["model_id"], zip(frame["participants"], frame["resources"], strict=True), strict=True))
    assert stored == {"DVK-2026-CB01-1": (1200, 12500000.5), "DVK-2026-CB01-2": (120, 1500000000),
                      "DVK-2026-PN01-1": (25, 350000)}
    # Numbers in the workbook, not text that looks like a number.
    sheet = load_workbook(ward_master)[RESULTS.sheet]
    header_row = next(r for r in range(1, 10) if sheet.cell(r, 1).value == RESULTS.headers[0])
    money = RESULTS.keys.index("resources") + 1
    cells = [sheet.cell(r, money) for r in range(header_row + 1, header_row + 4)]
    assert sorted(c.value for c in cells) == [350000, 12500000.5, 1500000000]
    assert all(c.data_type == "n" for c in cells)

    out = tmp_path / "out"
    result = runner.invoke(main, ["report", str(ward_master), "--kind", "6-thang", "--out", str(out)])
    assert result.exit_code == 0, result.output
    book = load_workbook(next(out.glob("PL03_BaoCao6Thang_*.xlsx")))
    ws = book["Phụ lục 03"]
    section = next(c.row for row in ws.iter_rows(max_col=1) for c in row if c.value == "III. KẾT QUẢ THEO ĐƠN VỊ")
    headers = [c.value for c in ws[section + 1]]
    people, resources = headers.index("Số người tham gia"), headers.index("Nguồn lực huy động (đồng)")
    by_unit = {}
    for r in range(section + 2, section + 20):
        values = [c.value for c in ws[r]]
        by_unit[values[1]] = (values[people], values[resources])
        if values[1] == "Tổng cộng":
            break
    assert by_unit["Chi bộ Khu dân cư số 1"] == (1320, 1512500000.5)
    assert by_unit["Hội Liên hiệp Phụ nữ phường"] == (25, 350000)
    assert by_unit["Tổng cộng"] == (1345, 1512850000.5)
    detail = book["Chi tiết kết quả"]
    detail_headers = [c.value for c in detail[4]]
    column = detail_headers.index("Nguồn lực huy động (đồng)") + 1
    shown = {detail.cell(r, 2).value: detail.cell(r, column).value for r in range(5, 8)}
    assert shown == {"DVK-2026-CB01-1": 12500000.5, "DVK-2026-CB01-2": 1500000000, "DVK-2026-PN01-1": 350000}


def test_an_ambiguous_amount_rejects_the_file_at_its_cell(ward_master, tmp_path):
    forms = _forms(ward_master, tmp_path)
    inbox = tmp_path / "inbox"
    fill_results(forms["PN01"], [("DVK-2026-PN01-1", None, "Đang thực hiện", "Không", None, "Đã vay vốn", "1,5",
                                  "350.5")], inbox / "ket qua phu nu.xlsx")
    result = CliRunner().invoke(main, ["consolidate", str(ward_master), str(inbox), "--json"])
    assert result.exit_code == 1, result.output
    (file,) = json.loads(result.output)["files"]
    assert file["status"] == "rejected"
    row = HEADER_ROW + 1
    found = {f["code"]: f for f in file["findings"]}
    ambiguous = found["number-ambiguous"]
    assert ambiguous["severity"] == "error" and ambiguous["sheet"] == PL03.sheet
    assert ambiguous["cell"] == f"{excel_column(PL03.keys.index('resources'))}{row}"
    assert ambiguous["message"].startswith(f"Ô {ambiguous['cell']}: “Nguồn lực huy động” ghi “350.5”")
    assert "12.500.000" in ambiguous["message"] and "12,5 triệu" in ambiguous["message"]
    fraction = found["value-invalid"]
    assert fraction["cell"] == f"{excel_column(PL03.keys.index('participants'))}{row}"
    assert "số nguyên" in fraction["message"]
    assert read_form_table(open_master(ward_master), RESULTS).empty


def test_validate_reports_the_same_as_consolidate(ward_master, tmp_path):
    forms = _forms(ward_master, tmp_path)
    path = fill_results(forms["CB01"], [("DVK-2026-CB01-1", None, "Đang thực hiện", "Không", None, "Kết quả", 10,
                                         "1,234.5")], tmp_path / "in" / "kq.xlsx")
    result = CliRunner().invoke(main, ["validate", str(path), "--master", str(ward_master), "--json"])
    assert result.exit_code == 1
    codes = [(f["code"], f["cell"]) for f in json.loads(result.output)["files"][0]["findings"]]
    assert ("number-ambiguous", f"{excel_column(PL03.keys.index('resources'))}{HEADER_ROW + 1}") in codes


def _edit_results_data(report, model_id, resources):
    """Retype one model's money in a committee's report, as someone would by hand in its hidden data sheet."""
    from dvk_xl.spec.forms import REPORT_DATA_SHEET

    book = load_workbook(report)
    data = book[REPORT_DATA_SHEET]
    headers = [c.value for c in data[1]]
    row = next(r for r in range(2, data.max_row + 1) if data.cell(r, 1 + headers.index("Mã mô hình")).value == model_id)
    data.cell(row, 1 + headers.index("Nguồn lực huy động (đồng)"), resources)
    book.save(report)
    return f"{excel_column(headers.index('Nguồn lực huy động (đồng)'))}{row}"


def test_rollup_reads_amounts_by_the_same_rules(ward_master, tmp_path):
    from dvk_xl.demo.demo_year import set_committee_code
    from dvk_xl.intake.rollup import rollup
    from dvk_xl.master.book import init_master
    from dvk_xl.reports.writer import write_report

    fill_register(ward_master)
    set_committee_code(ward_master, "PHONGAN")
    inbox = tmp_path / "city_inbox"
    inbox.mkdir()
    write_report(ward_master, "dang-ky", inbox)
    report = write_report(ward_master, "6-thang", inbox).path
    _edit_results_data(report, "DVK-2026-CB01-2", "1,5 tỷ đồng")
    city = init_master(tmp_path / "city", committee="Ban Tuyên giáo và Dân vận Thành ủy Hải Phòng",
                       units=[{"unit_code": "PHONGAN", "unit_name": "Đảng ủy phường Hồng An",
                               "unit_type": "Đảng bộ trực thuộc"}]).path
    result = rollup(city, inbox)
    assert [f.status for f in result.files] == ["accepted", "accepted"], [f.findings for f in result.files]
    frame = read_form_table(open_master(city), RESULTS)
    assert dict(zip(frame["model_id"], frame["resources"], strict=True))["PHONGAN/DVK-2026-CB01-2"] == 1500000000

    cell = _edit_results_data(report, "DVK-2026-CB01-2", "350.5")
    result = rollup(city, inbox)
    rejected = next(f for f in result.files if f.path == report)
    assert rejected.status == "rejected"
    assert [(f.code, f.cell) for f in rejected.findings if f.is_error] == [("number-ambiguous", cell)]


def test_a_report_reads_hand_typed_amounts_and_refuses_an_ambiguous_one(ward_master, tmp_path):
    from dvk_xl.core.errors import DvkError
    from dvk_xl.reports.writer import write_report

    from .reportfixtures import RESULT_ROWS

    rows = [dict(RESULT_ROWS[0], resources="12.500.000", participants="1.200"), RESULT_ROWS[1]]
    fill_register(ward_master, results=rows)
    book = load_workbook(write_report(ward_master, "6-thang", tmp_path / "a").path)
    detail = book["Chi tiết kết quả"]
    headers = [c.value for c in detail[4]]
    row = next(r for r in range(5, 9) if detail.cell(r, 2).value == "DVK-2026-CB01-2")
    assert detail.cell(row, 1 + headers.index("Nguồn lực huy động (đồng)")).value == 12500000
    assert detail.cell(row, 1 + headers.index("Số người tham gia")).value == 1200

    fill_register(ward_master, results=[dict(RESULT_ROWS[0], resources="350.5"), RESULT_ROWS[1]])
    with pytest.raises(DvkError) as info:
        write_report(ward_master, "6-thang", tmp_path / "b")
    column = excel_column(RESULTS.keys.index("resources"))
    assert f"sheet “{RESULTS.sheet}”, ô {column}5" in info.value.message and "“350.5”" in info.value.message
