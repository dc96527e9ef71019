"""Progress of a long run, reported per file: the one callback type of the library.

Library functions that read or write many files take ``progress=`` (a ``Progress``) and call it
with (done, total, label): ``done`` counts up to ``total``, ``label`` is the Vietnamese line to show.
Shells render it (a bar on a terminal, Excel's status bar); the default shows nothing.
"""

from __future__ import annotations

from collections.abc import Callable

Progress = Callable[[int, int, str], None]  # (done, total, label)


def no_progress(done: int, total: int, label: str) -> None:
    """The default: nothing shown."""


def reading_label(done: int, total: int, name: str) -> str:
    """The line shown while files are read and checked."""
    return f"Đang kiểm tra tệp {done}/{total}: {name}"


# Steps after reading, reported as (done, total) over the whole run's steps.
STEP_CHECK = "Đang đối chiếu dữ liệu các tệp…"
STEP_MERGE = "Đang ghi các tệp hợp lệ vào sổ…"
STEP_SAVE = "Đang lưu sổ tổng hợp…"
