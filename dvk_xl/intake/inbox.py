"""The intake folder as staff keep it: which files are returned workbooks, which are not, and why.

Staff save what units send into one folder, often with a subfolder per unit or per day, and
sometimes that folder is the master's own. The master itself, the archive (``LuuTru``), the
feedback folder, the tool's own reports, Excel/LibreOffice lock files and temporary files are
not returned workbooks: they are skipped, and the skip is said, never silent.
"""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..core import text
from ..workbook.locking import lock_path
from .reading import WORKBOOK_SUFFIXES

ARCHIVE_DIR = "LuuTru"
FEEDBACK_SUFFIX = "_LoiCanSua.xlsx"
SHOWN_SKIPPED = 20  # names in the summary line; --json lists them all
SYSTEM_FILES = {"thumbs.db", "desktop.ini", ".ds_store"}  # the OS's own files: skipped without a word

REASON_MASTER = "chính sổ tổng hợp"
REASON_OTHER_MASTER = "một sổ tổng hợp khác (không phải tệp đơn vị gửi)"
MASTER_PREFIX = "SoTongHop_DVK_"  # dvk_xl.master.book.MASTER_FILE_NAME
REASON_ARCHIVE = "thư mục lưu trữ của công cụ"
REASON_FEEDBACK = "thư mục tệp phản hồi"
REASON_FEEDBACK_FILE = "tệp phản hồi do công cụ lập"
REASON_REPORT = "báo cáo do công cụ lập (dvk report)"
REASON_LOCK = "tệp khóa của Excel/LibreOffice (một sổ đang mở)"
REASON_TEMP = "tệp tạm"
REASON_HIDDEN = "tệp hoặc thư mục ẩn"
REASON_NOT_WORKBOOK = "không phải sổ Excel (.xlsx, .xlsm, .xls, .ods)"


@dataclass(frozen=True)
class Skipped:
    """A file or folder of the inbox that is not read, and why (in Vietnamese)."""

    path: Path
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {"path": str(self.path), "reason": self.reason}


@dataclass
class InboxScan:
    paths: list[Path] = field(default_factory=list)  # workbooks to read, oldest first
    skipped: list[Skipped] = field(default_factory=list)


def report_prefixes() -> Callable[[str], bool]:
    """Any report ``dvk report`` writes (PL02_DangKy_DVK_…, PL03_BaoCao…): for a unit inbox."""
    from ..reports.names import FILE_NAMES

    prefixes = tuple(text.fold(f"{name}_") for name in FILE_NAMES.values())
    return lambda name: text.fold(name).startswith(prefixes)


def own_reports(year: int, committee: str) -> Callable[[str], bool]:
    """Only this committee's own reports: a roll-up inbox holds the reports of the committees below."""
    from ..reports.names import FILE_NAMES, report_file_name

    names = {text.fold(report_file_name(kind, year, committee)) for kind in FILE_NAMES}
    return lambda name: text.fold(name) in names


def _same(a: Path, b: Path | None) -> bool:
    if b is None:
        return False
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return False


class _SameFile:
    """``_same`` for one scan: each path resolved once (10,000 files were resolved four times each)."""

    def __init__(self) -> None:
        self.resolved: dict[Path, Path | None] = {}

    def resolve(self, path: Path) -> Path | None:
        if path not in self.resolved:
            try:
                self.resolved[path] = path.resolve()
            except OSError:
                self.resolved[path] = None
        return self.resolved[path]

    def __call__(self, a: Path, b: Path | None) -> bool:
        if b is None:
            return False
        resolved_b = self.resolve(b)
        if resolved_b is not None and a.name != resolved_b.name and a not in self.resolved:
            try:
                if not a.is_symlink():
                    return False  # resolving keeps the last name of what is not a link: not the same file
            except OSError:
                pass
        resolved_a = self.resolve(a)
        return resolved_a is not None and resolved_b is not None and resolved_a == resolved_b


def file_reason(path: Path, master: Path | None = None, is_report: Callable[[str], bool] | None = None,
                same: Callable[[Path, Path | None], bool] = _same) -> str | None:
    """Why a file is not a returned workbook, or None when it should be read."""
    name = path.name
    folded = name.lower()
    if same(path, master):
        return REASON_MASTER
    if name.startswith("~$") or (name.startswith(".~lock.") and name.endswith("#")):
        return REASON_LOCK
    if folded.endswith((".tmp", ".temp", ".bak", "~")) or name.startswith(("~", "._")):
        return REASON_TEMP
    if name.startswith("."):
        return REASON_HIDDEN
    if path.suffix.lower() not in WORKBOOK_SUFFIXES:
        return REASON_NOT_WORKBOOK
    if is_report is not None and is_report(name):
        return REASON_REPORT
    if folded.startswith(MASTER_PREFIX.lower()):
        return REASON_OTHER_MASTER
    return None


def scan_inbox(folder: str | Path, master: Path | None = None, feedback_dir: Path | None = None,
               is_report: Callable[[str], bool] | None = None) -> InboxScan:
    """The workbooks in ``folder`` and its subfolders, oldest first, and what was skipped."""
    folder = Path(folder)
    scan = InboxScan()
    feedback_here = _same(folder, feedback_dir)
    found: list[Path] = []
    modified: dict[Path, float] = {}
    same = _SameFile()
    own_lock = lock_path(master) if master is not None else None
    for root, dirs, files in os.walk(folder):
        here = Path(root)
        kept_dirs = []
        for name in sorted(dirs):
            sub = here / name
            if text.fold(name) == text.fold(ARCHIVE_DIR):
                scan.skipped.append(Skipped(sub, REASON_ARCHIVE))
            elif _same(sub, feedback_dir):
                scan.skipped.append(Skipped(sub, REASON_FEEDBACK))
            elif name.startswith("."):
                scan.skipped.append(Skipped(sub, REASON_HIDDEN))
            else:
                kept_dirs.append(name)
        dirs[:] = kept_dirs  # os.walk does not descend into what was removed
        for name in sorted(files):
            path = here / name
            if name.lower() in SYSTEM_FILES or not _is_file(path, modified) or same(path, own_lock):
                continue  # the run's own lock on the master is part of the master, not a file to report
            reason = file_reason(path, master, is_report, same)
            if reason is None and feedback_here and here == folder and name.endswith(FEEDBACK_SUFFIX):
                reason = REASON_FEEDBACK_FILE
            if reason:
                scan.skipped.append(Skipped(path, reason))
            else:
                found.append(path)
    scan.paths = sorted(found, key=lambda p: (modified[p], str(p)))
    return scan


def _is_file(path: Path, modified: dict[Path, float]) -> bool:
    """``path.is_file()``, keeping the file's modification time for the scan's order (one stat a file)."""
    try:
        status = path.stat()
    except (OSError, ValueError):
        if not path.is_file():  # its own answer (False, or the error it raises) for what cannot be read
            return False
        status = path.stat()
    modified[path] = status.st_mtime
    return stat.S_ISREG(status.st_mode)


def filter_files(paths: Iterable[Path], master: Path | None = None,
                 is_report: Callable[[str], bool] | None = None) -> InboxScan:
    """Files named one by one (``dvk validate``): the same rules, in the given order."""
    scan = InboxScan()
    for path in paths:
        reason = file_reason(path, master, is_report)
        # a file named explicitly is read even with an odd extension: the reader says what it is
        if reason and reason != REASON_NOT_WORKBOOK:
            scan.skipped.append(Skipped(path, reason))
        else:
            scan.paths.append(path)
    return scan


def skipped_line(skipped: list[Skipped], base: Path | None = None) -> str | None:
    """One summary line naming everything skipped, or None when nothing was."""
    if not skipped:
        return None

    def shown(item: Skipped) -> str:
        name = item.path.name
        if base is not None:
            with contextlib.suppress(ValueError):  # outside the inbox: the name alone
                name = item.path.relative_to(base).as_posix()
        return f"{name}{'/' if item.path.is_dir() else ''} ({item.reason})"

    listed = "; ".join(shown(s) for s in skipped[:SHOWN_SKIPPED])
    if len(skipped) > SHOWN_SKIPPED:  # the whole list is in --json
        listed += f"; và {len(skipped) - SHOWN_SKIPPED} mục khác"
    return f"Đã bỏ qua {len(skipped)} mục không phải tệp đơn vị gửi: {listed}."
