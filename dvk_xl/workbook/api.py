"""The one way into a master workbook.

Business logic reads and writes the master only through ``Workbook``: read a named table into a
DataFrame, replace a table's rows, read the settings, save. ``FileWorkbook`` implements it over
openpyxl for files on disk; the ribbon adds a live-Excel implementation over xlwings.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from ..core.errors import DvkError
from ..spec.forms import DATE_FORMAT, MASTER_TABLES, SETTINGS, Form, excel_column
from .cells import (  # noqa: F401 - re-exported: the Workbook interface's names
    FORMULA_STARTS,
    FormattedNumber,
    ReportSheet,
    SheetBlock,
    SheetChart,
    atomic_save,
    ensure_not_locked,
    excel_value,
    frame_cells,
    lock_files,
    set_text_safe,
)

if TYPE_CHECKING:
    import pandas as pd

_FORMS = {form.table: form for form in MASTER_TABLES}

class Workbook(Protocol):
    """What business logic may do with a master workbook."""

    label: str  # file name, for messages
    path: Path | None  # where it is saved; archives and outputs go beside it

    def table_names(self) -> list[str]: ...

    def read_table(self, name: str) -> pd.DataFrame:
        """The table's rows with its header texts as columns.

        ``frame.attrs`` carries ``sheet``, ``header_row`` (1-based) and ``first_column`` (0-based)
        so that messages can name the cell of any value.
        """
        ...

    def write_table(self, name: str, frame: pd.DataFrame) -> None:
        """Replace the table's rows by the frame's (columns matched by header text)."""
        ...

    def read_settings(self) -> dict[str, Any]:
        """The CauHinh table as {label: value}."""
        ...

    def ensure_table(self, form: Form) -> bool:
        """Create the form's table on a new sheet if the workbook lacks it (an older master).

        Returns True when it was created. An existing sheet of that name without the table is an error.
        """
        ...

    def replace_sheet(self, sheet: ReportSheet) -> None:
        """Write a report sheet the tool owns, replacing the sheet of that name if there is one."""
        ...

    def check_writable(self) -> None:
        """Raise ``MasterLockedError`` before any change when the workbook could not be saved."""
        ...

    def save(self, keep_previous: Path | None = None) -> None:
        """Persist the changes; the version replaced is kept at ``keep_previous`` when given."""
        ...


def cell_ref(frame: pd.DataFrame, row_position: int, header: str) -> str:
    """The Excel address of a value read with ``read_table`` (row position is 0-based)."""
    column = frame.attrs.get("first_column", 0) + list(frame.columns).index(header)
    return f"{excel_column(column)}{sheet_row(frame, row_position)}"


def keep_staff_columns(frame: pd.DataFrame, current: pd.DataFrame, name: str) -> pd.DataFrame:
    """``frame`` plus the columns staff added to the table, each value kept on the row it was typed on.

    Staff add their own columns to the tool's tables ("Người theo dõi", "Ghi chú"); the tool owns only the
    form's columns, so a rewrite carries the others along, matched by the row's identity (its model ID…),
    not by its position, which changes when models are added, withdrawn or sorted.
    """
    form = _FORMS.get(name)
    if form is None or not form.identity:
        return frame
    extra = [h for h in current.columns if h not in frame.columns and h not in form.headers]
    keys = [form.header_of(k) for k in form.identity]
    if not extra or any(k not in frame.columns or k not in current.columns for k in keys):
        return frame
    from ..core import text

    def identity(values: tuple) -> tuple[str, ...]:
        return tuple(text.clean(excel_value(v)) for v in values)

    saved: dict[tuple[str, ...], tuple] = {}
    for row in current[keys + extra].itertuples(index=False, name=None):
        key = identity(row[:len(keys)])
        if any(key):
            saved.setdefault(key, row[len(keys):])
    found = [saved.get(identity(row)) for row in frame[keys].itertuples(index=False, name=None)]
    kept = frame.copy()
    for position, header in enumerate(extra):
        kept[header] = [values[position] if values else None for values in found]
    kept.attrs = dict(frame.attrs)
    return kept


def filled_rows(rows: Any) -> tuple[list[Any], tuple[int, ...]]:
    """A table body without its blank rows, and the offsets of the blank rows that sit between filled
    ones (for ``sheet_row``; blank rows at the end shift no address)."""
    body, gaps, last = [], [], -1
    for offset, row in enumerate(rows):
        if any(v is not None and v != "" for v in row):
            body.append(row)
            last = offset
        else:
            gaps.append(offset)
    return body, tuple(g for g in gaps if g < last)


def sheet_row(frame: pd.DataFrame, row_position: int) -> int:
    """The sheet row of the ``row_position``-th row read (0-based), counting the blank rows skipped before it."""
    offset = row_position
    for gap in frame.attrs.get("gaps", ()):
        if gap > offset:
            break
        offset += 1
    return frame.attrs.get("header_row", 1) + 1 + offset


def settings_of(wb: Workbook) -> dict[str, Any]:
    """The CauHinh table of a workbook as {label: value} (``read_settings`` of every implementation)."""
    frame = wb.read_table(SETTINGS.table)
    label, value = SETTINGS.header_of("label"), SETTINGS.header_of("value")
    return {str(row[label]).strip(): row[value] for _, row in frame.iterrows() if row[label] is not None}


def sheet_taken(label: str, form: Form) -> DvkError:
    """``ensure_table`` finds a sheet of the form's name that does not hold the form's table."""
    return DvkError(
        f"Sổ tổng hợp {label} đã có sheet “{form.sheet}” nhưng không có bảng “{form.table}” của công cụ; "
        f"đổi tên sheet đó (ví dụ “{form.sheet} cũ”) rồi chạy lại để công cụ tạo sheet mới"
    )


def report_over_table(name: str, label: str) -> DvkError:
    """A report sheet would replace a sheet holding a table (staff named a data sheet like a report)."""
    return DvkError(f"Sheet “{name}” trong {label} chứa bảng dữ liệu của công cụ; "
                    "không ghi đè được bằng báo cáo, đổi tên sheet đó rồi chạy lại")


def missing_table(label: str, name: str, sheets: list[str]) -> DvkError:
    """A table the tool made is gone: name its sheet and say how to get it back."""
    form = next((f for f in MASTER_TABLES if f.table == name), None)
    if form is None:
        return DvkError(
            f"Sổ tổng hợp {label} thiếu bảng “{name}”; không đổi tên hoặc xóa các bảng do công cụ tạo "
            "(có thể tạo sổ mới bằng “dvk init” rồi chép dữ liệu sang)"
        )
    if form.sheet in sheets:
        return DvkError(
            f"Sổ tổng hợp {label}, sheet “{form.sheet}”: không còn bảng “{name}” (bảng đã bị xóa, đổi tên hoặc "
            f"chuyển thành vùng thường); chọn vùng dữ liệu cả dòng tiêu đề, chèn Bảng (Insert > Table) và đặt "
            f"tên bảng là “{name}”"
        )
    return DvkError(
        f"Sổ tổng hợp {label} thiếu sheet “{form.sheet}” (bảng “{name}”): sheet đã bị xóa hoặc bảng bị đổi tên; "
        "lấy lại sheet từ bản sổ trước (thư mục LuuTru/SoTongHop) hoặc tạo sổ mới bằng “dvk init” rồi chép dữ liệu sang"
    )


def _from_calamine(value: Any) -> Any:
    """Cell values as openpyxl gives them: empty as None, whole numbers as int, dates as datetime."""
    if value == "" or value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, date) and not isinstance(value, datetime):
        return datetime(value.year, value.month, value.day)
    return value


@dataclass
class RowsBelow:
    """What staff typed under a table, outside its range (Excel does not always grow the table).

    ``rows``: the rows right under the table, up to the first blank row, within its columns: they are
    read as rows of the table (typed by hand). ``other``: the first non-empty cell further down in the
    table's columns, as (row, 0-based column, value): a note that a longer table would overwrite.
    """

    rows: list[list[Any]] = field(default_factory=list)
    other: tuple[int, int, Any] | None = None


def scan_below(value: Any, last_row: int, first_col: int, last_col: int, sheet_last_row: int) -> RowsBelow:
    """``value(row, col)`` (1-based row, 0-based column) read under a table ending at ``last_row``."""
    below = RowsBelow()
    row = last_row + 1
    while row <= sheet_last_row:
        values = [value(row, c) for c in range(first_col, last_col + 1)]
        if not any(v is not None and v != "" for v in values):
            break
        below.rows.append(values)
        row += 1
    for r in range(row + 1, sheet_last_row + 1):
        for c in range(first_col, last_col + 1):
            v = value(r, c)
            if v is not None and v != "":
                below.other = (r, c, v)
                return below
    return below


def overwrite_error(label: str, sheet: str, table: str, below: RowsBelow, new_last: int) -> DvkError | None:
    """The stop when a rewrite of ``table`` down to ``new_last`` would overwrite what staff typed under it."""
    if below.other is None or below.other[0] > new_last:
        return None
    row, column, value = below.other
    return DvkError(
        f"{label}, sheet “{sheet}”, ô {excel_column(column)}{row}: có nội dung “{str(value)[:40]}” nhập dưới bảng "
        f"“{table}” mà lần ghi này sẽ ghi đè (bảng cần đến dòng {new_last}); chuyển nội dung đó ra chỗ khác, "
        "hoặc xóa các dòng trống phía trên nếu đó là dòng của bảng, rồi chạy lại (sổ tổng hợp chưa bị thay đổi)"
    )


def sheet_dimensions(path: Path) -> dict[str, int | None]:
    """Each sheet's recorded used range (``<dimension>``): sheet name -> its last row (None: not recorded).

    Only the start of each sheet's XML is read. A sheet missing from the answer, or the whole answer
    empty when the layout cannot be followed, means: unknown (the caller then reads the sheet itself).
    """
    import html
    import re
    import zipfile

    found: dict[str, int | None] = {}
    try:
        with zipfile.ZipFile(path) as archive:
            book = archive.read("xl/workbook.xml").decode("utf-8", "replace")
            rels = archive.read("xl/_rels/workbook.xml.rels").decode("utf-8", "replace")
            targets = {}
            for tag in re.findall(r"<Relationship\b[^>]*>", rels):
                rel_id, target = re.search(r'\bId="([^"]+)"', tag), re.search(r'Target="([^"]+)"', tag)
                if rel_id and target:
                    targets[rel_id.group(1)] = target.group(1)
            for tag in re.findall(r"<sheet\b[^>]*>", book):
                name, rel_id = re.search(r'name="([^"]*)"', tag), re.search(r'r:id="([^"]+)"', tag)
                if not name or not rel_id or rel_id.group(1) not in targets:
                    continue
                part = targets[rel_id.group(1)].lstrip("/")
                part = part if part.startswith("xl/") else "xl/" + part
                try:
                    with archive.open(part) as stream:
                        head = stream.read(4096).decode("utf-8", "replace")
                except KeyError:
                    continue
                dimension = re.search(r'<dimension ref="[A-Z]+\d+(?::[A-Z]+(\d+))?"', head)
                found[html.unescape(name.group(1))] = int(dimension.group(1) or 0) if dimension else None
    except (KeyError, OSError, zipfile.BadZipFile):
        return {}
    return found


@dataclass(frozen=True)
class _TableShape:
    """What is used of a calamine table besides its rows: its sheet, column names and corners (0-based)."""

    sheet: str
    columns: list[Any]
    start: tuple[int, int]
    end: tuple[int, int]

    @staticmethod
    def of(table: Any) -> _TableShape:
        return _TableShape(table.sheet, list(table.columns), tuple(table.start), tuple(table.end))


class FileWorkbook:
    """A master workbook file.

    Tables are read with python-calamine and rewritten by patching only their rows in the file
    (dvk_xl.workbook.xlsx_patch), which keeps a city-size master fast. openpyxl is loaded only when an
    action needs more (a new table sheet, a new column, a layout the fast path refuses); report sheets are drawn
    in a small workbook of their own and spliced in (dvk_xl.workbook.xlsx_splice).
    """

    def __init__(self, path: str | os.PathLike) -> None:
        from python_calamine import CalamineWorkbook

        self.path = Path(path)
        self.label = self.path.name
        if not self.path.exists():
            raise DvkError(f"Không tìm thấy sổ tổng hợp {self.path}; tạo sổ mới bằng lệnh “dvk init”")
        try:
            self._fast = CalamineWorkbook.from_path(str(self.path), load_tables=True)
            self._fast_tables = set(self._fast.table_names)
        except Exception as exc:  # calamine raises many kinds for a broken file
            raise DvkError(f"Không mở được sổ tổng hợp {self.label}: tệp hỏng hoặc không phải .xlsx ({exc.__class__.__name__})") from exc
        self._pending: dict[str, pd.DataFrame] = {}  # fast-path writes, applied on save
        self._below: dict[str, RowsBelow] = {}  # what was typed under each table read
        self._dimensions: dict[str, int | None] | None = None  # sheet -> last row of its used range, read once
        self._read: dict[str, pd.DataFrame] = {}  # tables read from the file, each parsed once (copies handed out)
        self._openpyxl_book: Any = None
        self._openpyxl_tables: dict[str, Any] = {}
        self._sheets: dict[str, ReportSheet] = {}  # report sheets to splice in on save (xlsx_splice)
        self._new_tables: dict[str, Form] = {}  # tables ``ensure_table`` adds, spliced in on save
        self._shapes: dict[str, _TableShape] = {}  # each table's sheet, columns and corners, looked up once

    @property
    def _book(self) -> Any:
        """The openpyxl workbook, loaded on first need; pending fast writes move into it."""
        if self._openpyxl_book is None:
            from openpyxl import load_workbook

            try:
                self._openpyxl_book = load_workbook(self.path)
            except Exception as exc:
                raise DvkError(f"Không mở được sổ tổng hợp {self.label} ({exc.__class__.__name__})") from exc
            for sheet in self._openpyxl_book.worksheets:
                for table in sheet.tables.values():
                    self._openpyxl_tables[table.displayName] = (sheet, table)
            new_tables, self._new_tables = self._new_tables, {}
            for form in new_tables.values():
                self.ensure_table(form)
            pending, self._pending = self._pending, {}
            for name, frame in pending.items():
                self._write_openpyxl(name, frame)
            sheets, self._sheets = self._sheets, {}
            for sheet in sheets.values():
                self._replace_openpyxl(sheet)
        return self._openpyxl_book

    @property
    def _tables(self) -> dict[str, Any]:
        self._book  # noqa: B018 - loads openpyxl and fills the map
        return self._openpyxl_tables

    def table_names(self) -> list[str]:
        if self._openpyxl_book is not None:
            return list(self._openpyxl_tables)
        return sorted(self._fast_tables | set(self._new_tables))

    def _table(self, name: str):
        try:
            return self._tables[name]
        except KeyError:
            raise self._missing(name) from None

    def _missing(self, name: str) -> DvkError:
        sheets = self._book.sheetnames if self._openpyxl_book is not None else self._fast.sheet_names
        return missing_table(self.label, name, sheets)

    def read_table(self, name: str) -> pd.DataFrame:
        if self._openpyxl_book is not None:
            return self._read_openpyxl(name)
        if name in self._new_tables:
            return self._read_new(name)
        if name not in self._fast_tables:
            raise self._missing(name)
        if name in self._read and name not in self._pending:  # one check reads the register four times
            frame = self._read[name].copy()
            frame.attrs = dict(self._read[name].attrs)
            return frame
        table = self._fast.get_table_by_name(name)
        self._shapes[name] = _TableShape.of(table)
        if name in self._pending:
            frame = self._pending[name].copy()
            frame.attrs["gaps"] = ()  # written without blank rows
        else:
            import pandas as pd

            headers = [str(h).strip() for h in table.columns]
            below = self._fast_below(name, table)
            filled, gaps = filled_rows([*table.to_python(), *below.rows])
            # Text, most of a master, needs no conversion: tested inline (a call per cell costs at city size).
            body = [[v if type(v) is str and v else _from_calamine(v) for v in row] for row in filled]
            frame = pd.DataFrame(body, columns=headers, dtype=object)
            frame.attrs["gaps"] = gaps
        frame.attrs.update(sheet=table.sheet, header_row=table.start[0], first_column=table.start[1], table=name)
        if name not in self._pending:
            self._read[name] = frame.copy()
            self._read[name].attrs = dict(frame.attrs)
        return frame

    def _table_shape(self, name: str) -> _TableShape:
        """A table's sheet, columns and corners: calamine reads the whole table to give them (a second for a
        50,000-row register), so once per table and file."""
        if name not in self._shapes:
            self._shapes[name] = _TableShape.of(self._fast.get_table_by_name(name))
        return self._shapes[name]

    def _read_new(self, name: str) -> pd.DataFrame:
        """A table ``ensure_table`` adds on save: its rows written so far, or none."""
        import pandas as pd

        from .table_sheet import TABLE_HEADER_ROW

        form = self._new_tables[name]
        frame = (self._pending[name].copy() if name in self._pending
                 else pd.DataFrame(columns=list(form.headers), dtype=object))
        frame.attrs = {"sheet": form.sheet, "header_row": TABLE_HEADER_ROW, "first_column": 0, "table": name,
                       "gaps": ()}
        return frame

    def _fast_below(self, name: str, table: Any) -> RowsBelow:
        """Rows typed under a table (calamine); the sheet is loaded only when its used range goes below."""
        if name in self._below:
            return self._below[name]
        last_row, first_col, last_col = table.end[0] + 1, table.start[1], table.end[1]
        below = RowsBelow()
        if self._sheet_goes_below(table.sheet, last_row):
            sheet = self._fast.get_sheet_by_name(table.sheet)
            rows, top, left = sheet.to_python(), sheet.start[0], sheet.start[1]

            def value(row: int, col: int) -> Any:
                r, c = row - 1 - top, col - left
                return _from_calamine(rows[r][c]) if 0 <= r < len(rows) and 0 <= c < len(rows[r]) else None

            below = scan_below(value, last_row, first_col, last_col, top + len(rows))
        self._below[name] = below
        return below

    def _sheet_goes_below(self, sheet_name: str, last_row: int) -> bool:
        """Whether the sheet's recorded used range (``<dimension>``) ends below ``last_row`` (cheap: no cells read).

        When the layout cannot be followed the answer is yes, and the sheet itself is read.
        """
        if self._dimensions is None:  # one look into the file for every table read
            self._dimensions = sheet_dimensions(self.path)
        end = self._dimensions.get(sheet_name)
        return end is None or end > last_row

    def _read_openpyxl(self, name: str) -> pd.DataFrame:
        import pandas as pd
        from openpyxl.utils.cell import range_boundaries

        sheet, table = self._table(name)
        min_col, min_row, max_col, max_row = range_boundaries(table.ref)
        rows = list(sheet.iter_rows(min_row=min_row, max_row=max_row, min_col=min_col, max_col=max_col, values_only=True))
        headers = [str(h).strip() if h is not None else f"Cột {i + 1}" for i, h in enumerate(rows[0])]
        if name not in self._below:
            self._below[name] = scan_below(lambda r, c: sheet.cell(r, c + 1).value, max_row, min_col - 1, max_col - 1,
                                           sheet.max_row)
        rows += self._below[name].rows
        body, gaps = filled_rows(rows[1:])
        frame = pd.DataFrame([list(r) for r in body], columns=headers, dtype=object)
        frame.attrs.update(sheet=sheet.title, header_row=min_row, first_column=min_col - 1, table=name, gaps=gaps)
        return frame

    def write_table(self, name: str, frame: pd.DataFrame) -> None:
        headers = self._table_headers(name)
        if set(headers) - set(frame.columns):  # the table has columns the frame lacks: staff's are kept
            frame = keep_staff_columns(frame, self.read_table(name), name)
        if self._openpyxl_book is None and set(frame.columns) <= set(headers):
            frame = frame.reindex(columns=headers)
            if self._as_read(name, frame):  # nothing to write: the file holds exactly these rows
                self._pending.pop(name, None)
                return
            self._pending[name] = frame
            return
        self._book  # noqa: B018 - a new column needs openpyxl
        self._write_openpyxl(name, frame)

    def _as_read(self, name: str, frame: pd.DataFrame) -> bool:
        """Whether ``frame`` holds, value for value, the rows read from the file (no blank rows between, nothing
        typed under the table): a repeated ``dvk compliance`` then rewrites no table. Strict equality: a value
        that might read differently (a date for a date-time, "" for empty) counts as a change."""
        read = self._read.get(name)
        if (read is None or read.attrs.get("gaps") or (name in self._below and self._below[name].rows)
                or read.shape != frame.shape or list(read.columns) != list(frame.columns)):
            return False
        def same(a: Any, b: Any) -> bool:
            if type(a) is float and a != a:  # NaN: what pandas puts in an empty cell of a frame built from rows
                a = None
            return type(a) is type(b) and a == b

        return all(same(a, b) for new, old in zip(frame.to_numpy(dtype=object).tolist(),
                                                  read.to_numpy(dtype=object).tolist(), strict=True)
                   for a, b in zip(new, old, strict=True))

    def _table_headers(self, name: str) -> list[str]:
        """The table's column names, without reading its rows."""
        if self._openpyxl_book is None:
            if name in self._new_tables:
                return list(self._new_tables[name].headers)
            if name not in self._fast_tables:
                raise self._missing(name)
            return [str(h).strip() for h in self._table_shape(name).columns]
        return [str(column.name).strip() for column in self._table(name)[1].tableColumns]

    def _write_openpyxl(self, name: str, frame: pd.DataFrame) -> None:
        from openpyxl.utils.cell import range_boundaries

        sheet, table = self._table(name)
        min_col, min_row, max_col, max_row = range_boundaries(table.ref)
        below = self._below.get(name) or scan_below(lambda r, c: sheet.cell(r, c + 1).value, max_row, min_col - 1,
                                                    max_col - 1, sheet.max_row)
        if error := overwrite_error(self.label, sheet.title, name, below, min_row + max(len(frame), 1)):
            raise error
        max_row += len(below.rows)  # rows typed under the table were read as its rows: rewritten with it
        headers = [sheet.cell(min_row, c).value for c in range(min_col, max_col + 1)]
        for header in [h for h in frame.columns if h not in headers]:
            max_col = self._add_column(sheet, table, min_row, max_col, header)
            headers.append(header)
        positions = {h: min_col + i for i, h in enumerate(headers)}
        formats = {}
        for c in range(min_col, max_col + 1):
            fmt = sheet.cell(min_row + 1, c).number_format
            formats[c] = fmt if fmt != "General" else None
        for row in sheet.iter_rows(min_row=min_row + 1, max_row=max_row, min_col=min_col, max_col=max_col):
            for cell in row:
                cell.value = None
        columns = list(frame.columns)
        for offset, values in enumerate(frame.itertuples(index=False, name=None), start=1):
            for header, value in zip(columns, values, strict=True):
                cell = sheet.cell(min_row + offset, positions[header])
                value = excel_value(value)
                set_text_safe(cell, value)
                if isinstance(value, date | datetime):
                    cell.number_format = formats[positions[header]] or DATE_FORMAT
                elif formats[positions[header]]:
                    cell.number_format = formats[positions[header]]
        last_row = min_row + max(len(frame), 1)
        table.ref = f"{excel_column(min_col - 1)}{min_row}:{excel_column(max_col - 1)}{last_row}"
        if table.autoFilter is not None:
            table.autoFilter.ref = table.ref

    @staticmethod
    def _add_column(sheet: Any, table: Any, header_row: int, last_col: int, header: str) -> int:
        """Append a column to a table (a master made by an older version of the tool). Returns the new last column."""
        from openpyxl.worksheet.table import TableColumn

        column = last_col + 1
        source = sheet.cell(header_row, last_col)
        cell = sheet.cell(header_row, column, header)
        cell._style = source._style
        table.tableColumns.append(TableColumn(id=max((c.id for c in table.tableColumns), default=0) + 1, name=header))
        return column

    def read_settings(self) -> dict[str, Any]:
        return settings_of(self)

    def ensure_table(self, form: Form) -> bool:
        if self._openpyxl_book is None:  # laid out in a small workbook on save and spliced in (xlsx_splice)
            if form.table in self._fast_tables or form.table in self._new_tables:
                return False
            if form.sheet in self._fast.sheet_names:
                raise sheet_taken(self.label, form)
            self._new_tables[form.table] = form
            return True
        if form.table in self._tables:
            return False
        if form.sheet in self._book.sheetnames:
            raise sheet_taken(self.label, form)
        from .table_sheet import add_table_sheet

        ws = add_table_sheet(self._book, form)
        self._tables[form.table] = (ws, ws.tables[form.table])
        return True

    def replace_sheet(self, sheet: ReportSheet) -> None:
        if self._openpyxl_book is None:  # drawn on save in a small workbook and spliced in (xlsx_splice)
            from .xlsx_splice import sheet_holds_table

            if sheet_holds_table(self.path, sheet.name):
                raise report_over_table(sheet.name, self.label)
            self._sheets.pop(sheet.name, None)
            self._sheets[sheet.name] = sheet
            return
        self._replace_openpyxl(sheet)

    def _replace_openpyxl(self, sheet: ReportSheet) -> None:
        from .report_sheet import draw_report_sheet

        position = sheet.position
        if sheet.name in self._book.sheetnames:
            old = self._book[sheet.name]
            if old.tables:
                raise report_over_table(sheet.name, self.label)
            position = self._book.worksheets.index(old)
            self._book.remove(old)
        ws = self._book.create_sheet(sheet.name, min(position, len(self._book.worksheets)))
        draw_report_sheet(ws, sheet)

    def _reopen(self) -> None:
        from python_calamine import CalamineWorkbook

        try:
            fast = CalamineWorkbook.from_path(str(self.path), load_tables=True)
        except Exception:  # the file is saved either way; the reader opened before stays (as after a table patch)
            return
        self._fast, self._fast_tables = fast, set(fast.table_names)
        self._read, self._below, self._dimensions, self._shapes = {}, {}, None, {}

    def check_writable(self) -> None:
        ensure_not_locked(self.path)

    def save(self, keep_previous: Path | None = None) -> None:
        ensure_not_locked(self.path)
        if self._openpyxl_book is None and (self._pending or self._sheets or self._new_tables):
            from .xlsx_patch import PatchUnsupported, patch_tables
            from .xlsx_splice import write_in_place

            writes = {name: (list(frame.columns), frame_cells(frame)) for name, frame in self._pending.items()}
            below = {}
            for name, (_, rows) in writes.items():
                if name in self._new_tables:
                    below[name] = 0
                    continue
                table = self._table_shape(name)
                found = self._fast_below(name, table)
                if error := overwrite_error(self.label, table.sheet, name, found, table.start[0] + max(len(rows), 1)):
                    raise error
                below[name] = len(found.rows)
            try:
                extra = (below,) if any(below.values()) else ()  # rows typed under a table, rewritten with it
                if self._sheets or self._new_tables:
                    sheets = [*self._new_tables.values(), *self._sheets.values()]
                    atomic_save(self.path, lambda temp: write_in_place(self.path, temp, writes, below, sheets,
                                                                       self.label), keep_previous)
                    self._reopen()  # the file now has sheets and tables the reader opened before did not
                else:
                    atomic_save(self.path, lambda temp: patch_tables(self.path, temp, writes, *extra), keep_previous)
                self._pending, self._sheets, self._new_tables = {}, {}, {}
                return
            except PatchUnsupported:
                pass  # an unusual layout: the general (slower) path below handles it
        elif self._openpyxl_book is None:  # nothing changed (a rewrite equal to the file was skipped): a copy
            import shutil

            atomic_save(self.path, lambda temp: shutil.copyfile(self.path, temp), keep_previous)
            return
        atomic_save(self.path, self._book.save, keep_previous)
