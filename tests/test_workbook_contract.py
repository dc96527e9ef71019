"""One contract for both Workbook implementations: the file (openpyxl) and the live one (xlwings).

The live one runs against real xlwings Book objects made by xlwings' remote engine from the
payload Excel's client would send (tests/xlwings_double.py); "reopening" applies the actions it
returned the way Excel would, so what was written is read back through xlwings again.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pandas as pd
import pytest

from dvk_xl.core.errors import DvkError, MasterLockedError
from dvk_xl.master.book import load_settings, load_units, open_master
from dvk_xl.shells.live_workbook import LiveWorkbook, excel_text
from dvk_xl.spec.forms import INTAKE_LOG, MASTER_TABLES, REGISTER, SETTINGS, UNITS, Column, Form
from dvk_xl.workbook.api import FileWorkbook, ReportSheet, SheetBlock, SheetChart, Workbook

from .xlwings_double import ExcelDouble


class FileSide:
    def __init__(self, path: Path) -> None:
        self.path = path

    def open(self) -> Workbook:
        return FileWorkbook(self.path)

    def reopen(self, wb: Workbook) -> Workbook:
        wb.save()
        return FileWorkbook(self.path)


class LiveSide:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.excel = ExcelDouble(path)

    def open(self) -> Workbook:
        return LiveWorkbook(self.excel.book(), path=self.path)

    def reopen(self, wb: Workbook) -> Workbook:
        wb.save()
        self.excel.apply(wb.book)
        return self.open()


@pytest.fixture(autouse=True)
def _xlwings_licence(monkeypatch):
    monkeypatch.setenv("XLWINGS_LICENSE_KEY", "noncommercial")  # the remote engine's free key, tests only


@pytest.fixture(params=["file", "live"])
def side(request, ward_master):
    return FileSide(ward_master) if request.param == "file" else LiveSide(ward_master)


def register_frame(rows: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame([{c.key: r.get(c.key) for c in REGISTER.columns} for r in rows], columns=REGISTER.keys)
    return frame.rename(columns={c.key: c.header for c in REGISTER.columns})


ROWS = [
    {"model_id": "DVK-2026-CB01-1", "unit_code": "CB01", "unit_name": "Chi bộ Khu dân cư số 1", "name": "=1+1 không tính",
     "start_year": 2026, "date_from": datetime(2026, 3, 1), "phone": "0912345601", "status": "Đang thực hiện"},
    {"model_id": "DVK-2026-CB02-1", "unit_code": "CB02", "unit_name": "Chi bộ Khu dân cư số 2", "name": "-5% rác thải",
     "start_year": 2024, "date_from": date(2026, 4, 3), "phone": "001", "note": "03/4/2026", "status": "Đang thực hiện"},
    {"model_id": "DVK-2026-CB03-1", "unit_code": "CB03", "unit_name": "Chi bộ Khu dân cư số 3", "name": "Đèn đường",
     "start_year": 2025, "received_at": date(2026, 3, 2), "note": "TRUE"},
]


def test_both_implementations_see_every_master_table(side):
    wb = side.open()
    assert {form.table for form in MASTER_TABLES} <= set(wb.table_names())
    assert wb.label == side.path.name and wb.path == side.path


def test_a_table_reads_with_headers_and_cell_positions(side):
    frame = side.open().read_table(UNITS.table)
    assert list(frame.columns) == UNITS.headers
    assert frame.attrs["sheet"] == UNITS.sheet and frame.attrs["header_row"] == 4 and frame.attrs["first_column"] == 0
    assert len(frame) == 12 and frame.iloc[0][UNITS.header_of("unit_code")] == "CB01"
    assert load_units(side.open())["min_models"].tolist() == load_units(FileWorkbook(side.path))["min_models"].tolist()


def test_settings_read_the_same(side):
    wb = side.open()
    assert wb.read_settings()[SETTINGS.header_of("label") and "Năm thi đua"] == 2026
    assert load_settings(wb) == load_settings(FileWorkbook(side.path))


def test_written_rows_read_back_exactly(side):
    wb = side.open()
    wb.write_table(REGISTER.table, register_frame(ROWS))
    back = side.reopen(wb).read_table(REGISTER.table)
    assert len(back) == 3
    first, second, third = (back.iloc[i] for i in range(3))
    assert first[REGISTER.header_of("name")] == "=1+1 không tính"  # text that looks like a formula stays text
    assert second[REGISTER.header_of("name")] == "-5% rác thải"
    assert second[REGISTER.header_of("phone")] == "001" and second[REGISTER.header_of("note")] == "03/4/2026"
    assert third[REGISTER.header_of("note")] == "TRUE"
    assert first[REGISTER.header_of("start_year")] == 2026 and isinstance(first[REGISTER.header_of("start_year")], int)
    assert first[REGISTER.header_of("date_from")] == datetime(2026, 3, 1)
    assert second[REGISTER.header_of("date_from")] == datetime(2026, 4, 3)
    assert pd.isna(first[REGISTER.header_of("note")]) or first[REGISTER.header_of("note")] is None


def test_a_shorter_table_leaves_no_old_rows_and_an_empty_one_has_none(side):
    wb = side.open()
    wb.write_table(REGISTER.table, register_frame(ROWS))
    wb = side.reopen(wb)
    wb.write_table(REGISTER.table, register_frame(ROWS[:1]))
    wb = side.reopen(wb)
    assert wb.read_table(REGISTER.table)[REGISTER.header_of("model_id")].tolist() == ["DVK-2026-CB01-1"]
    wb.write_table(REGISTER.table, register_frame([]))
    assert side.reopen(wb).read_table(REGISTER.table).empty


def test_both_implementations_store_the_same_table(ward_master, tmp_path):
    file_side = FileSide(ward_master)
    live_side = LiveSide(ward_master)
    live = live_side.open()
    live.write_table(INTAKE_LOG.table, pd.DataFrame([{INTAKE_LOG.header_of("file"): "a.xlsx",
                                                      INTAKE_LOG.header_of("models"): 3}]))
    live = live_side.reopen(live)
    fw = file_side.open()
    fw.write_table(INTAKE_LOG.table, pd.DataFrame([{INTAKE_LOG.header_of("file"): "a.xlsx",
                                                    INTAKE_LOG.header_of("models"): 3}]))
    fw = file_side.reopen(fw)
    left, right = live.read_table(INTAKE_LOG.table), fw.read_table(INTAKE_LOG.table)
    assert left.equals(right) and left.attrs == right.attrs


def test_an_unknown_table_is_refused_in_vietnamese(side):
    with pytest.raises(DvkError, match="bảng “KhongCo”"):
        side.open().read_table("KhongCo")


def test_a_column_the_table_lacks_is_added_on_the_right(side):
    wb = side.open()
    wb.write_table(INTAKE_LOG.table, pd.DataFrame([{INTAKE_LOG.header_of("file"): "a.xlsx", "Cột mới": "x"}]))
    back = side.reopen(wb).read_table(INTAKE_LOG.table)
    assert list(back.columns) == [*INTAKE_LOG.headers, "Cột mới"]
    assert back.iloc[0]["Cột mới"] == "x" and back.iloc[0][INTAKE_LOG.header_of("file")] == "a.xlsx"


def test_a_missing_table_is_created_once_on_its_own_sheet(side):
    form = Form(id="Thu", sheet="Sheet thử", table="BangThu", title="BẢNG THỬ",
                columns=(Column("a", "Cột A"), Column("b", "Ngày", "date")))
    wb = side.open()
    assert wb.ensure_table(form) is True and wb.ensure_table(form) is False
    wb.write_table(form.table, pd.DataFrame([{"Cột A": "một", "Ngày": date(2026, 3, 3)}]))
    back = side.reopen(wb).read_table(form.table)
    assert back.attrs["sheet"] == "Sheet thử" and back.attrs["header_row"] == 4
    assert back.to_dict("records") == [{"Cột A": "một", "Ngày": datetime(2026, 3, 3)}]


def test_a_sheet_of_the_same_name_without_the_table_is_refused(side):
    form = Form(id="Thu", sheet=UNITS.sheet, table="BangThu", columns=(Column("a", "Cột A"),))
    with pytest.raises(DvkError, match="không có bảng “BangThu”"):
        side.open().ensure_table(form)


REPORT = ReportSheet(
    name="Tuân thủ", title="KẾT QUẢ THỰC HIỆN CHỈ TIÊU", subtitle="Tính đến ngày 20/6/2026", widths=[30, 12, 12],
    blocks=[SheetBlock("1. Chỉ tiêu", ["Chỉ tiêu", "Yêu cầu", "Thực tế", "Kết quả"],
                       [["Tổng số mô hình", 5, 4, "Chưa đạt"], ["Mô hình mới", 1, 2, "Đạt"]]),
            SheetBlock("2. Theo lĩnh vực", ["Lĩnh vực", "Mới", "Duy trì"], [["Kinh tế", 1, 2], ["=không phải công thức", 0, 1]])],
    charts=[SheetChart("Mô hình theo lĩnh vực", block=1, series=2)], marks={"Chưa đạt": "FFC7CE"})


def sheet_cells(side, wb, name: str) -> list[list]:
    if isinstance(side, LiveSide):
        side.excel.apply(wb.book)
        return side.excel.sheet_values(name)
    wb.save()
    from openpyxl import load_workbook

    rows = [list(r) for r in load_workbook(side.path)[name].iter_rows(values_only=True)]
    while rows and not any(v is not None for v in rows[-1]):
        rows.pop()
    return rows


def test_a_report_sheet_is_written_the_same_by_both(ward_master, tmp_path):
    cells = {}
    for kind, path in (("file", tmp_path / "a.xlsx"), ("live", tmp_path / "b.xlsx")):
        path.write_bytes(ward_master.read_bytes())
        side = FileSide(path) if kind == "file" else LiveSide(path)
        wb = side.open()
        wb.replace_sheet(REPORT)
        wb.replace_sheet(REPORT)  # replacing keeps one sheet of that name
        cells[kind] = sheet_cells(side, wb, REPORT.name)
    assert cells["live"] == cells["file"]
    assert cells["file"][0][0] == REPORT.title and cells["file"][5][3] == "Chưa đạt"
    assert cells["file"][11][0] == "=không phải công thức"


def test_a_report_sheet_never_replaces_a_data_sheet(side):
    with pytest.raises(DvkError, match="chứa bảng dữ liệu"):
        side.open().replace_sheet(ReportSheet(name=UNITS.sheet, title="x"))


def test_a_writable_master_passes_the_check_and_open_master_keeps_an_open_workbook(side):
    wb = side.open()
    wb.check_writable()
    assert open_master(wb) is wb


def test_a_locked_file_is_refused_before_any_change(ward_master):
    (ward_master.parent / f"~${ward_master.name}").write_text("")
    with pytest.raises(MasterLockedError, match="đang được mở"):
        FileWorkbook(ward_master).check_writable()


def test_a_read_only_live_workbook_is_refused(ward_master):
    class Api:
        ReadOnly = True

    class Book:
        name, fullname, sheets, api = ward_master.name, str(ward_master), [], Api()

    with pytest.raises(MasterLockedError, match="chỉ đọc"):
        LiveWorkbook(Book()).check_writable()


@pytest.mark.parametrize("value, written", [("=SUM(A1)", "'=SUM(A1)"), ("001", "'001"), ("03/4/2026", "'03/4/2026"),
                                            ("true", "'true"), ("Khu 3", "Khu 3"), (5, 5), (None, None)])
def test_text_excel_would_convert_is_written_as_text(value, written):
    assert excel_text(value) == written
