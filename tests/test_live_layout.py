"""The live workbook lays out what it creates as the file version does: merged titles, dropdowns, print setup.

Both sides run on the same master; the live one through xlwings' remote engine (tests/xlwings_double.py)
with the Office.js client, the one the remote engine lets set data validation. Page setup is only
expressible through desktop Excel's object model: ``print_setup`` is checked against a stand-in with the
COM ``PageSetup`` property names, and the remote engine is shown to leave it alone.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from openpyxl import load_workbook

from dvk_xl.shells.live_workbook import XL_LANDSCAPE, XL_PAPER_A4, LiveWorkbook, print_setup
from dvk_xl.spec.forms import Column, Form
from dvk_xl.workbook.api import FileWorkbook

from .test_workbook_contract import REPORT
from .xlwings_double import ExcelDouble

FORM = Form(id="Thu", sheet="Sheet thử", table="BangThu", title="BẢNG THỬ CÓ Ô CHỌN",
            columns=(Column("a", "Tên"), Column("f", "Lĩnh vực", choices="fields"),
                     Column("k", "Loại mô hình", choices="kinds"), Column("d", "Ngày", "date")))


@pytest.fixture(autouse=True)
def _xlwings_licence(monkeypatch):
    monkeypatch.setenv("XLWINGS_LICENSE_KEY", "noncommercial")  # the remote engine's free key, tests only


def file_layout(path, sheet: str) -> dict[str, list]:
    ws = load_workbook(path)[sheet]
    return {"merged": sorted(str(r) for r in ws.merged_cells.ranges),
            "validations": sorted((str(dv.sqref), "=" + dv.formula1.lstrip("=")) for dv in ws.data_validations.dataValidation)}


def live_layout(master, client: str, draw) -> tuple[dict[str, list], ExcelDouble, LiveWorkbook]:
    excel = ExcelDouble(master, client=client)
    wb = LiveWorkbook(excel.book(), path=master)
    draw(wb)
    excel.apply(wb.book)
    return excel, wb


def both(ward_master, tmp_path, draw, sheet: str, client: str = "Office.js"):
    file_master, live_master = tmp_path / "file.xlsx", tmp_path / "live.xlsx"
    file_master.write_bytes(ward_master.read_bytes())
    live_master.write_bytes(ward_master.read_bytes())
    wb = FileWorkbook(file_master)
    draw(wb)
    wb.save()
    excel, _ = live_layout(live_master, client, draw)
    live = excel.layout(sheet)
    return file_layout(file_master, sheet), {k: sorted(v) for k, v in live.items()}


def test_a_created_table_gets_the_file_versions_title_and_dropdowns(ward_master, tmp_path):
    file, live = both(ward_master, tmp_path, lambda wb: wb.ensure_table(FORM), FORM.sheet)
    assert file["merged"] == ["A1:D1"] and len(file["validations"]) == 2
    assert live == file
    cells, formula = file["validations"][0]
    assert cells == "B5:B2004" and formula.startswith("='Danh mục'!$")


def test_the_office_scripts_client_cannot_set_dropdowns_and_the_table_is_still_made(ward_master, tmp_path):
    file, live = both(ward_master, tmp_path, lambda wb: wb.ensure_table(FORM), FORM.sheet,
                      client="Microsoft Office Scripts")
    assert live["merged"] == file["merged"] and live["validations"] == []


def test_the_report_sheet_gets_the_file_versions_merged_titles(ward_master, tmp_path):
    file, live = both(ward_master, tmp_path, lambda wb: wb.replace_sheet(REPORT), REPORT.name)
    assert file["merged"] == ["A1:D1", "A2:D2"] and live == file


class ComPageSetup:
    """Desktop Excel's PageSetup as xlwings' COM engine hands it out (``sheet.page_setup.api``), at Excel's defaults."""

    def __init__(self) -> None:
        self.PaperSize, self.Orientation, self.Zoom = 1, 1, 100
        self.FitToPagesWide = self.FitToPagesTall = 1
        self.CenterHorizontally, self.CenterFooter, self.PrintTitleRows = False, "", ""


def test_print_setup_says_in_excels_terms_what_the_file_version_writes(ward_master, tmp_path):
    com = ComPageSetup()
    assert print_setup(SimpleNamespace(page_setup=SimpleNamespace(api=com)), title_rows="$4:$4") is True
    wb = FileWorkbook(ward_master)
    wb.ensure_table(FORM)
    wb.save()
    ws = load_workbook(ward_master)[FORM.sheet]
    assert com.PaperSize == XL_PAPER_A4 == int(ws.page_setup.paperSize)
    assert (com.Orientation == XL_LANDSCAPE) == (ws.page_setup.orientation == "landscape") is True
    assert com.Zoom is False and com.FitToPagesWide == int(ws.page_setup.fitToWidth) == 1
    assert com.FitToPagesTall is False and int(ws.page_setup.fitToHeight) == 0
    assert com.PrintTitleRows == ws.print_title_rows == "$4:$4"
    assert com.CenterHorizontally is True and "Trang &P/&N" in com.CenterFooter


def test_print_setup_is_skipped_where_the_engine_cannot_say_it(ward_master):
    excel = ExcelDouble(ward_master, client="Office.js")
    book = excel.book()
    assert print_setup(book.sheets[0]) is False
    assert [a["func"] for a in book.json()["actions"]] == []  # nothing half-set


def test_a_printer_less_excel_refusing_the_setup_is_not_fatal():
    class Refusing(ComPageSetup):
        def __setattr__(self, name, value):
            if name == "Orientation" and hasattr(self, "Orientation"):
                raise OSError("Unable to set the Orientation property of the PageSetup class")
            super().__setattr__(name, value)

    assert print_setup(SimpleNamespace(page_setup=SimpleNamespace(api=Refusing()))) is False
