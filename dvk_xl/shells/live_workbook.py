"""The master workbook open in Excel, through xlwings: the ``Workbook`` interface the ribbon uses.

Tables are read from the open workbook's Excel Tables (ListObjects), so the staff's unsaved edits
count; each result table goes back in one 2-D range write and its ListObject is resized, so the
staff see the result at once. Nothing here opens or writes the master file itself: saving is
Excel's own ``Save``. Values are read the way ``FileWorkbook`` reads them (whole numbers as int,
empty cells as None, fully empty rows dropped), so the same business code sees the same tables.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..core.errors import DvkError, MasterLockedError
from ..spec.forms import DATE_FORMAT, LIST_HEADERS, LISTS, MASTER_TABLES, OPTIONAL_TABLES, SETTINGS, Form
from ..workbook.api import (
    FORMULA_STARTS,
    FormattedNumber,
    ReportSheet,
    excel_value,
    filled_rows,
    keep_staff_columns,
    missing_table,
    settings_of,
    sheet_taken,
)

if TYPE_CHECKING:
    import pandas as pd

HEADER_FILL = "#DDEBF7"  # the report sheets' header colour, as excel.HEADER_FILL
TITLE_SIZE = 14  # as excel.TITLE_FONT

# Text Excel would turn into a number, a date, a boolean or a formula when assigned as a value:
# written with Excel's text prefix (an apostrophe, which is not part of the value).
_COERCED = re.compile(r"[\s\d.,:;/%$()+\-eE]+|true|false|đúng|sai|#.*|'.*", re.IGNORECASE)


def excel_text(value: Any) -> Any:
    """A value as it must be assigned to a cell so that text stays exactly that text."""
    if isinstance(value, str) and value and (value.startswith(FORMULA_STARTS) or _COERCED.fullmatch(value)):
        return "'" + value
    return value


def cell_value(value: Any) -> Any:
    """A value read from Excel, as openpyxl would give it for the same cell."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if value == "":
        return None
    return value


def _known_formats(table: str) -> dict[str, str]:
    for form in (*MASTER_TABLES, *OPTIONAL_TABLES):
        if form.table == table:
            return {c.header: c.excel_format for c in form.columns if c.excel_format}
    return {}


class LiveWorkbook:
    """A master workbook open in Excel (an ``xlwings.Book``)."""

    def __init__(self, book: Any, path: str | os.PathLike | None = None) -> None:
        self.book = book
        self.label = book.name
        if path is None and os.path.isabs(str(book.fullname)):
            path = book.fullname
        self.path = Path(path) if path is not None else None
        self._tables: dict[str, tuple[Any, Any]] = {}
        self._written: dict[str, list[str]] = {}  # headers this session wrote: not every engine reads its own writes
        for sheet in book.sheets:
            for table in sheet.tables:
                self._tables[table.name] = (sheet, table)

    @classmethod
    def caller(cls) -> LiveWorkbook:
        """The workbook whose ribbon button started this Python process."""
        import xlwings as xw

        return cls(xw.Book.caller())

    def table_names(self) -> list[str]:
        return list(self._tables)

    def _table(self, name: str) -> tuple[Any, Any]:
        try:
            return self._tables[name]
        except KeyError:
            if SETTINGS.table in self._tables:  # a master that lost one of its tables
                raise missing_table(self.label, name, [s.name for s in self.book.sheets]) from None
            raise DvkError(
                f"Sổ {self.label} không có bảng “{name}”: hãy mở sổ tổng hợp (tạo bằng “dvk init”) rồi bấm lại nút; "
                "không đổi tên hoặc xóa các bảng do công cụ tạo"
            ) from None

    def _headers(self, table: Any) -> tuple[Any, list[str]]:
        header = table.header_row_range
        if header is None and table.show_headers and table.range is not None:
            header = table.range[0, :]  # a table added in this session, on engines that learn its parts later
        if header is None:
            raise DvkError(f"Bảng “{table.name}” trong {self.label} đang ẩn dòng tiêu đề; bật lại “Header Row” của bảng")
        if table.name in self._written:
            return header, list(self._written[table.name])
        raw = header.options(ndim=2).value[0]
        return header, [str(h).strip() if h not in (None, "") else f"Cột {i + 1}" for i, h in enumerate(raw)]

    def read_table(self, name: str) -> pd.DataFrame:
        import pandas as pd

        sheet, table = self._table(name)
        header, headers = self._headers(table)
        body_range = table.data_body_range
        rows = body_range.options(ndim=2).value if body_range is not None else []
        body, gaps = filled_rows([[cell_value(v) for v in row] for row in rows])
        frame = pd.DataFrame(body, columns=headers, dtype=object)
        frame.attrs.update(sheet=sheet.name, header_row=header.row, first_column=header.column - 1, table=name,
                           gaps=gaps)
        return frame

    def write_table(self, name: str, frame: pd.DataFrame) -> None:
        sheet, table = self._table(name)
        if table.show_totals:
            raise DvkError(f"Bảng “{name}” trong {self.label} đang bật dòng tổng (Total Row); tắt dòng tổng rồi bấm lại")
        header, headers = self._headers(table)
        if set(headers) - set(frame.columns):
            frame = keep_staff_columns(frame, self.read_table(name), name)
        headers += [h for h in frame.columns if h not in headers]  # new columns (an older master) go on the right
        positions = {h: i for i, h in enumerate(headers)}
        body = table.data_body_range
        old_rows = body.shape[0] if body is not None else 0
        # One grid from the header row down, as tall as the old body or the new rows: old rows beyond the
        # new ones are blanked and new headers written in the same write.
        grid: list[list[Any]] = [[None] * len(headers) for _ in range(max(len(frame), old_rows, 1))]
        dated: set[str] = set()
        for r, values in enumerate(frame.itertuples(index=False, name=None)):
            for column, value in zip(frame.columns, values, strict=True):
                value = excel_value(value)
                if isinstance(value, date | datetime):
                    dated.add(column)
                grid[r][positions[column]] = excel_text(value)
        top, left = header.row, header.column
        sheet.range((top, left)).value = [[excel_text(h) for h in headers], *grid]
        self._written[name] = headers
        last_row = top + max(len(frame), 1)
        table.resize(sheet.range((top, left), (last_row, left + len(headers) - 1)))
        formats = _known_formats(name)
        for column in sorted(dated | (set(formats) & set(frame.columns))):
            if len(frame):
                position = left + positions[column]
                target = sheet.range((top + 1, position), (top + len(frame), position))
                target.number_format = formats.get(column) or DATE_FORMAT

    def read_settings(self) -> dict[str, Any]:
        return settings_of(self)

    def ensure_table(self, form: Form) -> bool:
        """Add the form's table on a new last sheet when an older master lacks it (as ``FileWorkbook`` does)."""
        from ..master.book import TABLE_HEADER_ROW, TABLE_HINTS

        if form.table in self._tables:
            return False
        if form.sheet in [s.name for s in self.book.sheets]:
            raise sheet_taken(self.label, form)
        width = len(form.columns)
        sheet = self.book.sheets.add(form.sheet, after=self.book.sheets[len(self.book.sheets) - 1])
        lines = [[form.title], [TABLE_HINTS.get(form.table, "")]] + [[None]] * (TABLE_HEADER_ROW - 3)
        grid = [row + [None] * (width - 1) for row in lines] + [form.headers, [None] * width]
        sheet.range("A1").value = grid
        source = sheet.range((TABLE_HEADER_ROW, 1), (TABLE_HEADER_ROW + 1, width))
        table = sheet.tables.add(source=source, name=form.table, has_headers=True, table_style_name="TableStyleMedium2")
        for position, column in enumerate(form.columns, start=1):
            _quietly(setattr, sheet.range((1, position)), "column_width", column.width)
        _title(sheet, 1, min(width, 6), TITLE_SIZE)  # as table_sheet.add_table_sheet: title over at most 6 columns
        _quietly(setattr, sheet.range("A2").font, "italic", True)
        self._dropdowns(sheet, form)
        _quietly(sheet.freeze_panes.freeze_at, sheet.range((TABLE_HEADER_ROW + 1, 1)))
        print_setup(sheet, title_rows=f"${TABLE_HEADER_ROW}:${TABLE_HEADER_ROW}")
        self._tables[form.table] = (sheet, table)
        self._written[form.table] = form.headers
        return True

    def _dropdowns(self, sheet: Any, form: Form) -> None:
        """The dropdowns ``add_table_sheet`` gives a new table: each list column refers to its DanhMuc cells.

        Excel keeps the rule (in-cell list from those cells); the Vietnamese prompt and error texts of the
        file version are not expressible through xlwings (Excel shows its own). Engines that cannot set a
        validation (the remote engine with an Office Scripts client) skip it.
        """
        from ..workbook.table_sheet import DROPDOWN_ROWS, TABLE_HEADER_ROW, list_range

        if form is LISTS or LISTS.sheet not in [s.name for s in self.book.sheets]:
            return
        lists = self.book.sheets[LISTS.sheet]
        for position, column in enumerate(form.columns, start=1):
            if column.choices in LIST_HEADERS:
                source = lists.range(list_range(column.choices).rsplit("!", 1)[1])
                cells = sheet.range((TABLE_HEADER_ROW + 1, position), (TABLE_HEADER_ROW + DROPDOWN_ROWS, position))
                _quietly(cells.data_validation.set_list, source)

    def replace_sheet(self, sheet: ReportSheet) -> None:
        """Write a report sheet the tool owns: its whole grid in one write, then fonts, colours, charts."""
        from ..workbook.report_sheet import SUBTITLE_ROW, TITLE_ROW, block_rows

        position = sheet.position
        names = [s.name for s in self.book.sheets]
        if sheet.name in names:
            old = self.book.sheets[sheet.name]
            if len(old.tables):
                raise DvkError(f"Sheet “{sheet.name}” trong {self.label} chứa bảng dữ liệu của công cụ; "
                               "không ghi đè được bằng báo cáo, đổi tên sheet đó rồi chạy lại")
            position = names.index(sheet.name)
            old.delete()
        count = len(self.book.sheets)
        if position < count:
            ws = self.book.sheets.add(sheet.name, before=self.book.sheets[position])
        else:
            ws = self.book.sheets.add(sheet.name, after=self.book.sheets[count - 1])
        placed = block_rows(sheet)
        ncols = max([len(b.headers) for b in sheet.blocks] + [len(sheet.widths), 1])
        height = placed[-1][2] if placed else SUBTITLE_ROW
        grid: list[list[Any]] = [[None] * ncols for _ in range(height)]
        grid[TITLE_ROW - 1][0], grid[SUBTITLE_ROW - 1][0] = sheet.title, sheet.subtitle or None
        marked: list[tuple[int, int, str]] = []
        formats: list[tuple[int, int, str]] = []
        for block, (title_row, header_row, _) in zip(sheet.blocks, placed, strict=True):
            grid[title_row - 1][0] = block.title
            grid[header_row - 1][:len(block.headers)] = block.headers
            for r, values in enumerate(block.rows, start=header_row):
                for c, value in enumerate(values):
                    if isinstance(value, FormattedNumber):
                        formats.append((r + 1, c + 1, value.number_format))
                        value = value.value
                    value = excel_value(value)
                    grid[r][c] = excel_text(value)
                    if isinstance(value, str) and value in sheet.marks:
                        marked.append((r + 1, c + 1, sheet.marks[value]))
        ws.range("A1").value = grid
        for i, width in enumerate(sheet.widths, start=1):
            _quietly(setattr, ws.range((1, i)), "column_width", width)
        _title(ws, TITLE_ROW, ncols, TITLE_SIZE)
        if sheet.subtitle:
            _quietly(ws.range((SUBTITLE_ROW, 1), (SUBTITLE_ROW, ncols)).merge)
            _quietly(setattr, ws.range((SUBTITLE_ROW, 1)).font, "italic", True)
        for block, (title_row, header_row, _) in zip(sheet.blocks, placed, strict=True):
            _quietly(setattr, ws.range((title_row, 1)).font, "bold", True)
            headers = ws.range((header_row, 1), (header_row, max(len(block.headers), 1)))
            _quietly(setattr, headers.font, "bold", True)
            _quietly(setattr, headers, "color", HEADER_FILL)
        for row, column, number_format in formats:
            _quietly(setattr, ws.range((row, column)), "number_format", number_format)
        for row, column, colour in marked:
            _quietly(setattr, ws.range((row, column)), "color", "#" + colour[-6:])
        below = (placed[-1][2] + 2) if placed else TITLE_ROW + 3
        for spec in sheet.charts:
            _, header_row, last_row = placed[spec.block]
            if spec.rows is not None:
                last_row = min(last_row, header_row + spec.rows)
            if last_row > header_row:
                _quietly(self._chart, ws, spec, ws.range((header_row, 1), (last_row, 1 + spec.series)), below)
            below += 18
        print_setup(ws)  # as report_sheet.draw_report_sheet: A4 landscape, fitted to the width, no repeated rows

    @staticmethod
    def _chart(ws: Any, spec: Any, source: Any, row: int) -> None:
        anchor = ws.range((row, 1))
        chart = ws.charts.add(left=anchor.left, top=anchor.top, width=560, height=230)
        chart.set_source_data(source)
        chart.chart_type = "column_stacked" if spec.stacked else "column_clustered"
        _quietly(setattr, chart, "title", spec.title)

    def check_writable(self) -> None:
        try:
            read_only = bool(self.book.api.ReadOnly)
        except (AttributeError, NotImplementedError, TypeError):
            read_only = False  # engines without a COM object (Excel on the web, tests) have no read-only mode
        if read_only:
            raise MasterLockedError(
                f"Sổ {self.label} đang mở ở chế độ chỉ đọc (có người khác đang mở, hoặc tệp bị khóa); "
                "đóng sổ, mở lại ở chế độ sửa rồi bấm lại nút (chưa có thay đổi nào)"
            )

    def save(self, keep_previous: Path | None = None) -> None:
        """Excel saves the workbook in place; the file as it was on disk is kept at ``keep_previous``."""
        if keep_previous is not None and self.path is not None and self.path.exists():
            keep_previous.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(self.path, keep_previous)
        self.book.save()


def _title(ws: Any, row: int, last_column: int, size: int) -> None:
    """A bold title merged over columns 1..last_column of ``row``, as excel.merged_text draws it."""
    if last_column > 1:
        _quietly(ws.range((row, 1), (row, last_column)).merge)
    _quietly(setattr, ws.range((row, 1)).font, "bold", True)
    _quietly(setattr, ws.range((row, 1)).font, "size", size)


# Excel's PageSetup constants (XlPaperSize.xlPaperA4, XlPageOrientation.xlLandscape)
XL_PAPER_A4, XL_LANDSCAPE = 9, 2


def print_setup(ws: Any, title_rows: str | None = None) -> bool:
    """A4 landscape, one page wide, centred, page numbers in the footer: what excel.page_setup writes to a file.

    Only desktop Excel's object model (``sheet.page_setup.api``, the COM ``PageSetup``) can say this; the
    remote engine's page setup holds the print area alone, so there nothing is set (README: Windows check
    list). Returns whether the setup was applied.
    """
    try:
        setup = ws.page_setup.api
    except (AttributeError, NotImplementedError):
        return False
    if not hasattr(setup, "Orientation"):  # the remote engine hands back the sheet's JSON
        return False
    try:
        setup.PaperSize = XL_PAPER_A4
        setup.Orientation = XL_LANDSCAPE
        setup.Zoom = False  # FitToPages* apply only without a zoom
        setup.FitToPagesWide = 1
        setup.FitToPagesTall = False
        setup.CenterHorizontally = True
        setup.CenterFooter = "Trang &P/&N"
        if title_rows:
            setup.PrintTitleRows = title_rows
    except Exception:  # noqa: BLE001 - COM refuses page setup without a printer driver: printing is cosmetic
        return False
    return True


def _quietly(action: Any, *args: Any) -> None:
    """Cosmetics (widths, fonts, colours, charts) that an engine lacks are skipped, never fatal."""
    with contextlib.suppress(NotImplementedError):
        action(*args)
