"""Numbers in the “Tuân thủ” sheet and in Phụ lục 03 section IV are stored as numbers."""

from datetime import date

import pytest
from openpyxl import load_workbook

from dvk_xl.compliance.check import COMPLIANCE_SHEET, run_compliance
from dvk_xl.reports.writer import write_report

from .conftest import pdf_text, soffice_to_pdf
from .reportfixtures import fill_register


def column_cells(ws, header_row, header):
    column = next(c.column for c in ws[header_row] if c.value == header)
    cells = []
    for row in range(header_row + 1, ws.max_row + 1):
        cell = ws.cell(row, column)
        if ws.cell(row, 1).value is None:
            break
        cells.append(cell)
    return cells


def header_row(ws, first_header, after=1):
    return next(r for r in range(after, ws.max_row + 1) if ws.cell(r, 1).value == first_header)


@pytest.fixture
def register(ward_master):
    return fill_register(ward_master)


def test_compliance_sheet_numbers_are_numbers(register):
    run_compliance(register, date(2026, 3, 6))
    ws = load_workbook(register)[COMPLIANCE_SHEET]
    quotas = header_row(ws, "Mã")
    required, actual = column_cells(ws, quotas, "Yêu cầu"), column_cells(ws, quotas, "Thực hiện")
    assert len(required) == 4
    assert all(c.data_type == "n" for c in required + actual)
    assert [c.value for c in required] == [5, 1, 1, 1] and [c.value for c in actual] == [3, 1, 1, 0.1667]
    assert required[0].number_format == '"Tối thiểu "0' and actual[0].number_format == "0"
    assert required[3].number_format == '0%" đơn vị"'
    assert actual[3].number_format == '"2/12 đơn vị ("0.0%")"'
    deadlines = header_row(ws, "Mã", quotas + 1)
    days = column_cells(ws, deadlines, "Số ngày")
    assert [(c.value, c.data_type, c.number_format) for c in days[:2]] == [
        (3, "n", '"trễ "0" ngày"'), (4, "n", '"còn "0" ngày"')]


def test_pl03_quota_table_numbers_are_numbers(register, tmp_path):
    result = write_report(register, "6-thang", tmp_path)
    ws = load_workbook(result.path)["Phụ lục 03"]
    section = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "IV. THỰC HIỆN CHỈ TIÊU CỦA KẾ HOẠCH")
    rows = range(section + 2, section + 6)
    required = [ws.cell(r, 3) for r in rows]
    actual = [ws.cell(r, 5) for r in rows]
    assert all(c.data_type == "n" for c in required + actual)
    assert [c.value for c in actual] == [3, 1, 1, 0.1667]
    assert actual[3].number_format == '"2/12 đơn vị ("0.0%")"'


def test_the_formats_read_as_the_old_texts_in_libreoffice(register, tmp_path):
    result = write_report(register, "6-thang", tmp_path)
    pdf = soffice_to_pdf(result.path, tmp_path / "pdf")
    shown = " ".join(pdf_text(pdf, 1, 9).split())
    assert "Tối thiểu 5" in shown and "2/12 đơn vị (16" in shown and "100% đơn vị" in shown
    assert "###" not in shown  # every number fits its cell


def test_the_compliance_sheet_prints_its_numbers_whole(procuracy_master, register, tmp_path):
    from openpyxl import Workbook

    run_compliance(register, date(2026, 3, 6))
    run_compliance(procuracy_master, date(2026, 2, 2))
    for master, expected in ((register, ["Tối thiểu 5", "2/12 đơn vị (16", "trễ 3 ngày", "còn 4 ngày"]),
                             (procuracy_master, ["Mỗi đơn vị tối thiểu 1", "0/1 đơn vị đạt"])):
        book = load_workbook(master)
        only = Workbook()
        only.remove(only.active)
        copy = only.create_sheet(COMPLIANCE_SHEET)
        source = book[COMPLIANCE_SHEET]
        for row in source.iter_rows():
            for cell in row:
                target = copy.cell(cell.row, cell.column, cell.value)
                target.number_format = cell.number_format
        for letter, dimension in source.column_dimensions.items():
            copy.column_dimensions[letter].width = dimension.width
        path = tmp_path / f"{master.parent.name}.xlsx"
        only.save(path)
        shown = " ".join(pdf_text(soffice_to_pdf(path, tmp_path / master.parent.name), 1, 30).split())
        assert all(e in shown for e in expected), shown
        assert "###" not in shown
