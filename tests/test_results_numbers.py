"""End to end: the amounts a unit types in Phụ lục 03 are the amounts KetQua stores and the report shows."""

import json

from click.testing import CliRunner
from openpyxl import load_workbook

from dvk_xl.cli import main
from dvk_xl.forms import PL03, RESULTS, excel_column
from dvk_xl.master import open_master, read_form_table
from dvk_xl.templates import HEADER_ROW, write_templates

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
