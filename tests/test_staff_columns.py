"""Columns staff add to the tool's tables are theirs: a rewrite keeps each value on its own row."""

from __future__ import annotations

from datetime import datetime

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter, range_boundaries
from openpyxl.worksheet.table import TableColumn

from dvk_xl.intake.consolidation import consolidate
from dvk_xl.master.book import open_master, read_form_table
from dvk_xl.spec.forms import INTAKE_LOG, REGISTER

from .conftest import GOOD_MODEL, NEW_MODEL, model
from .test_workbook_contract import ROWS, _xlwings_licence, register_frame, side  # noqa: F401 - both sides

WATCHER = "Người theo dõi"


def test_a_staff_column_follows_its_model_through_a_rewrite(side):  # noqa: F811
    wb = side.open()
    first = register_frame(ROWS)
    first[WATCHER] = ["Anh Nam", None, "Chị Hoa"]
    wb.write_table(REGISTER.table, first)
    wb = side.reopen(wb)
    # the tool's own rewrite: another order, one model gone, one new, and no staff column in its frame
    new = {"model_id": "DVK-2026-CB04-1", "unit_code": "CB04", "unit_name": "Chi bộ Cơ quan", "name": "Mới"}
    wb.write_table(REGISTER.table, register_frame([new, ROWS[2], ROWS[0]]))
    back = side.reopen(wb).read_table(REGISTER.table)
    kept = dict(zip(back[REGISTER.header_of("model_id")], back[WATCHER], strict=True))
    assert kept == {"DVK-2026-CB04-1": None, "DVK-2026-CB03-1": "Chị Hoa", "DVK-2026-CB01-1": "Anh Nam"}


def _add_column(master, table_name: str, header: str, values: dict[str, str], key_header: str) -> None:
    """As staff do in Excel: type a header right of the table (the table grows) and fill some rows."""
    book = load_workbook(master)
    for sheet in book.worksheets:
        for table in sheet.tables.values():
            if table.name != table_name:
                continue
            first_col, first_row, last_col, last_row = range_boundaries(table.ref)
            headers = [sheet.cell(first_row, c).value for c in range(first_col, last_col + 1)]
            key_col = first_col + headers.index(key_header)
            sheet.cell(first_row, last_col + 1, header)
            for row in range(first_row + 1, last_row + 1):
                sheet.cell(row, last_col + 1, values.get(sheet.cell(row, key_col).value))
            table.ref = f"{get_column_letter(first_col)}{first_row}:{get_column_letter(last_col + 1)}{last_row}"
            table.autoFilter.ref = table.ref
            table.tableColumns.append(TableColumn(id=len(table.tableColumns) + 1, name=header))
    book.save(master)


def test_consolidate_keeps_what_staff_typed_in_their_own_columns(returned):
    returned("CB02", [model(name="Tổ dân phố văn minh")])
    returned("CB01", [GOOD_MODEL])
    assert consolidate(returned.master, returned.inbox).count("accepted") == 2
    _add_column(returned.master, REGISTER.table, WATCHER,
                {"DVK-2026-CB01-1": "Anh Nam", "DVK-2026-CB02-1": "Chị Hoa"}, REGISTER.header_of("model_id"))
    _add_column(returned.master, INTAKE_LOG.table, "Ghi chú của cán bộ",
                {"Chấp nhận": "đã gọi điện"}, INTAKE_LOG.header_of("status"))
    # CB01 sends a second model: the register grows and is rewritten, the log gets a row
    returned("CB01", [GOOD_MODEL, NEW_MODEL], name="PL01_CB01_lan2.xlsx", received=datetime(2026, 3, 2, 9, 0))
    report = consolidate(returned.master, returned.inbox)
    assert report.count("accepted") == 1
    wb = open_master(returned.master)
    register = wb.read_table(REGISTER.table)
    watchers = dict(zip(register[REGISTER.header_of("model_id")], register[WATCHER], strict=True))
    assert watchers == {"DVK-2026-CB01-1": "Anh Nam", "DVK-2026-CB02-1": "Chị Hoa", "DVK-2026-CB01-2": None}
    log = wb.read_table(INTAKE_LOG.table)
    assert log["Ghi chú của cán bộ"].tolist()[:2] == ["đã gọi điện", "đã gọi điện"]
    assert log["Ghi chú của cán bộ"].tolist()[2] is None
    assert len(read_form_table(wb, REGISTER)) == 3


def test_a_table_without_staff_columns_is_written_as_before(side):  # noqa: F811
    wb = side.open()
    wb.write_table(REGISTER.table, register_frame(ROWS))
    assert list(side.reopen(wb).read_table(REGISTER.table).columns) == REGISTER.headers
