"""The one way into a master workbook.

Business logic reads and writes the master only through ``Workbook``: read a named table into a
DataFrame, replace a table's rows, read the settings, save. ``FileWorkbook`` implements it over
openpyxl for files on disk; the ribbon adds a live-Excel implementation over xlwings.
"""

from __future__ import annotations

import os
import tempfile
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from .errors import DvkError, MasterLockedError
from .forms import DATE_FORMAT, SETTINGS, excel_column

if TYPE_CHECKING:
    import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@")


class Workbook(Protocol):
    """What business logic may do with a master workbook."""

    label: str  # file name, for messages

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

    def save(self) -> None: ...


def cell_ref(frame: pd.DataFrame, row_position: int, header: str) -> str:
    """The Excel address of a value read with ``read_table`` (row position is 0-based)."""
    column = frame.attrs.get("first_column", 0) + list(frame.columns).index(header)
    return f"{excel_column(column)}{frame.attrs.get('header_row', 1) + 1 + row_position}"


def lock_files(path: Path) -> list[Path]:
    """Lock files that Excel and LibreOffice leave beside a workbook they have open."""
    candidates = [path.with_name("~$" + path.name), path.with_name(f".~lock.{path.name}#")]
    return [p for p in candidates if p.exists()]


def ensure_not_locked(path: Path) -> None:
    if locks := lock_files(path):
        raise MasterLockedError(
            f"Tệp {path.name} đang được mở trong Excel hoặc LibreOffice (thấy tệp khóa {locks[0].name}); "
            "hãy đóng tệp rồi chạy lại, hoặc dùng nút trên thanh công cụ “Dân vận khéo” trong Excel"
        )


def atomic_save(path: Path, write: Any, keep_previous: Path | None = None) -> None:
    """Write through ``write(temp_path)`` into a temporary file beside ``path``, then replace.

    Nothing half-written is ever left at ``path``; the previous version is moved to
    ``keep_previous`` when given.
    """
    path = Path(path)
    fd, temp_name = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=path.suffix + ".tmp", dir=path.parent)
    os.close(fd)
    temp = Path(temp_name)
    try:
        write(temp)
        if keep_previous is not None and path.exists():
            keep_previous.parent.mkdir(parents=True, exist_ok=True)
            os.replace(path, keep_previous)
        os.replace(temp, path)
    except PermissionError as exc:
        raise MasterLockedError(
            f"Không ghi được tệp {path.name}: tệp đang bị khóa hoặc đang mở ở chương trình khác; "
            "đóng tệp rồi chạy lại (chưa có thay đổi nào được ghi)"
        ) from exc
    finally:
        if temp.exists():
            temp.unlink()


def excel_value(value: Any) -> Any:
    """A Python value as a cell value: NaN/NaT to empty, Timestamps to dates."""
    if value is None:
        return None
    try:
        import pandas as pd

        if value is pd.NaT or (isinstance(value, float) and value != value):
            return None
        if isinstance(value, pd.Timestamp):
            return value.to_pydatetime()
    except ImportError:  # pragma: no cover
        pass
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        return value.item()  # numpy scalar
    return value


def set_text_safe(cell: Any, value: Any) -> None:
    """Write a value; text that looks like a formula stays text (never evaluated)."""
    cell.value = value
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        cell.data_type = "s"


class FileWorkbook:
    """A master workbook file, read and written with openpyxl."""

    def __init__(self, path: str | os.PathLike) -> None:
        from openpyxl import load_workbook

        self.path = Path(path)
        self.label = self.path.name
        if not self.path.exists():
            raise DvkError(f"Không tìm thấy sổ tổng hợp {self.path}; tạo sổ mới bằng lệnh “dvk init”")
        try:
            self._book = load_workbook(self.path)
        except Exception as exc:  # openpyxl raises many kinds for a broken file
            raise DvkError(f"Không mở được sổ tổng hợp {self.label}: tệp hỏng hoặc không phải .xlsx ({exc.__class__.__name__})") from exc
        self._tables = {}
        for sheet in self._book.worksheets:
            for table in sheet.tables.values():
                self._tables[table.displayName] = (sheet, table)

    def table_names(self) -> list[str]:
        return list(self._tables)

    def _table(self, name: str):
        try:
            return self._tables[name]
        except KeyError:
            raise DvkError(
                f"Sổ tổng hợp {self.label} thiếu bảng “{name}”; không đổi tên hoặc xóa các bảng do công cụ tạo "
                "(có thể tạo sổ mới bằng “dvk init” rồi chép dữ liệu sang)"
            ) from None

    def read_table(self, name: str) -> pd.DataFrame:
        import pandas as pd
        from openpyxl.utils.cell import range_boundaries

        sheet, table = self._table(name)
        min_col, min_row, max_col, max_row = range_boundaries(table.ref)
        rows = list(sheet.iter_rows(min_row=min_row, max_row=max_row, min_col=min_col, max_col=max_col, values_only=True))
        headers = [str(h).strip() if h is not None else f"Cột {i + 1}" for i, h in enumerate(rows[0])]
        body = [list(r) for r in rows[1:] if any(v is not None and v != "" for v in r)]
        frame = pd.DataFrame(body, columns=headers, dtype=object)
        frame.attrs.update(sheet=sheet.title, header_row=min_row, first_column=min_col - 1, table=name)
        return frame

    def write_table(self, name: str, frame: pd.DataFrame) -> None:
        from openpyxl.utils.cell import range_boundaries

        sheet, table = self._table(name)
        min_col, min_row, max_col, max_row = range_boundaries(table.ref)
        headers = [sheet.cell(min_row, c).value for c in range(min_col, max_col + 1)]
        missing = [h for h in frame.columns if h not in headers]
        if missing:
            raise DvkError(f"Bảng “{name}” trong {self.label} thiếu cột “{missing[0]}”; không xóa cột do công cụ tạo")
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

    def read_settings(self) -> dict[str, Any]:
        frame = self.read_table(SETTINGS.table)
        label, value = SETTINGS.header_of("label"), SETTINGS.header_of("value")
        return {str(row[label]).strip(): row[value] for _, row in frame.iterrows() if row[label] is not None}

    def save(self, keep_previous: Path | None = None) -> None:
        ensure_not_locked(self.path)
        atomic_save(self.path, self._book.save, keep_previous)
