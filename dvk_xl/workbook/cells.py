"""The layer under ``api.py``: cell values, the data of a report sheet and the atomic save.

The drawing modules (``excel``, ``report_sheet``, ``table_sheet``) and the Workbook interface both
use these; keeping them here lets ``api.py`` use the drawing modules without an import cycle.
``api.py`` re-exports every name, so callers keep importing them from there.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from ..core.errors import MasterLockedError

FORMULA_STARTS = ("=", "+", "-", "@")


@dataclass
class SheetBlock:
    """One titled table of a report sheet: a header row and value rows."""

    title: str
    headers: list[str]
    rows: list[list[Any]]


@dataclass(frozen=True)
class FormattedNumber:
    """A number stored as a number and shown through an Excel number format.

    The format may carry words around the number ("Tối thiểu "0, 0.0%), so a cell reads as the
    sentence it used to be while sums, sorting and filters still work on the number.
    """

    value: float | int
    number_format: str = "General"


@dataclass
class SheetChart:
    """A column chart of one block: its first column gives the categories, the next ``series`` columns
    the series (named by their headers); only the first ``rows`` rows (all when None) are drawn."""

    title: str
    block: int
    series: int
    rows: int | None = None
    stacked: bool = True
    y_title: str = ""


@dataclass
class ReportSheet:
    """A whole sheet the tool owns and rewrites: a title, blocks one under another, charts below.

    ``marks`` colours every cell whose text is a key (e.g. "Chưa đạt" in red); ``position`` is the
    sheet's place for a new sheet (a replaced sheet keeps its place).
    """

    name: str
    title: str
    subtitle: str = ""
    blocks: list[SheetBlock] = field(default_factory=list)
    charts: list[SheetChart] = field(default_factory=list)
    widths: list[float] = field(default_factory=list)
    marks: dict[str, str] = field(default_factory=dict)
    position: int = 1


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


def _current_umask() -> int:
    mask = os.umask(0o022)  # the only way to read it: set and put back at once
    os.umask(mask)
    return mask


def _settle_mode(temp: Path, path: Path) -> None:
    """Give the temporary file the mode a plain write would have: mkstemp makes it 0600.

    A file being replaced keeps its mode (and group when allowed), so colleagues sharing the
    folder keep their access; a new file gets 0666 less the user's umask.
    """
    if os.name != "posix":
        return
    try:
        previous = path.stat()
    except OSError:
        os.chmod(temp, 0o666 & ~_current_umask())
        return
    with contextlib.suppress(OSError):  # not a member of that group: the mode is still kept
        os.chown(temp, -1, previous.st_gid)
    os.chmod(temp, stat.S_IMODE(previous.st_mode))


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
        _settle_mode(temp, path)
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
    if isinstance(value, str) and type(value) is not str:
        return str(value)  # a kinds.StrEnum member: the plain string, as every writer expects
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


# Values excel_value returns unchanged: checked by exact type, so Timestamps, StrEnums and numpy scalars
# (subclasses or other types) still go through it.
_PLAIN = frozenset({str, int, bool, type(None), date, datetime})
_PLAIN_OR_FLOAT = _PLAIN | {float}


class ColumnRows:
    """Rows of cell values kept as columns: ``len`` and iteration (each row a list) as a list of rows,
    without holding a list per row (a 50,000-row register is written as its rows are made)."""

    def __init__(self, columns: list[list[Any]], length: int) -> None:
        self.columns, self.length = columns, length

    def __len__(self) -> int:
        return self.length

    def __iter__(self) -> Any:
        if not self.columns:
            return ([] for _ in range(self.length))
        return (list(row) for row in zip(*self.columns, strict=True))


def frame_cells(frame: Any) -> ColumnRows:
    """The rows of a DataFrame as cell values (``excel_value`` of every cell), built column by column.

    Each column is taken out once (``tolist``) and only values that are not already plain cell values
    go through ``excel_value``: a 50,000-row register has 1.5 million cells.
    """
    columns = []
    for name in range(frame.shape[1]):
        values = frame.iloc[:, name].tolist()
        kinds = set(map(type, values))
        if kinds <= _PLAIN:
            pass
        elif kinds <= _PLAIN_OR_FLOAT:  # a text column's empty cells are NaN: excel_value makes those None
            values = [None if v.__class__ is float and v != v else v for v in values]
        elif all(issubclass(kind, str) for kind in kinds):  # a column of StrEnum members: their plain strings
            values = [str(v) for v in values]
        else:
            values = [v if type(v) in _PLAIN else excel_value(v) for v in values]
        columns.append(values)
    return ColumnRows(columns, len(frame))


def set_text_safe(cell: Any, value: Any) -> None:
    """Write a value; text that looks like a formula stays text (never evaluated)."""
    cell.value = value
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        cell.data_type = "s"
