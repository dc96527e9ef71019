"""The CLI's progress bar: one line on stderr, redrawn in place, only for a person at a terminal.

Never with ``--json`` (stdout stays exactly one JSON document and a program is reading) and never
when stderr is not a terminal (pipes, log files, tests): there a bar would only be noise.
"""

from __future__ import annotations

import contextlib
import shutil
import sys
from collections.abc import Iterator
from typing import TextIO

from ..core.progress import Progress, no_progress

BAR_WIDTH = 24


def stderr_is_tty() -> bool:
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):  # a closed or replaced stream
        return False


class TerminalBar:
    """A ``Progress`` drawing ``[#####-----] Đang kiểm tra tệp 37/240: tên tệp`` on one line."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.drawn = 0  # characters on the bar's line, to wipe them

    def __call__(self, done: int, total: int, label: str) -> None:
        filled = BAR_WIDTH * done // total if total > 0 else BAR_WIDTH
        columns = shutil.get_terminal_size(fallback=(80, 24)).columns
        line = f"[{'#' * filled}{'-' * (BAR_WIDTH - filled)}] {label}"[:max(columns - 1, 10)]
        padded = line.ljust(self.drawn)  # a longer line before leaves nothing behind
        self.stream.write("\r" + padded)
        self.stream.flush()
        self.drawn = len(padded)

    def close(self) -> None:
        """Wipe the bar so the summary (or an error line) starts on a clean line."""
        if self.drawn:
            self.stream.write("\r" + " " * self.drawn + "\r")
            self.stream.flush()
            self.drawn = 0


@contextlib.contextmanager
def progress_shown(as_json: bool = False) -> Iterator[Progress]:
    """The ``progress=`` to hand the library: a bar on a terminal, else nothing."""
    if as_json or not stderr_is_tty():
        yield no_progress
        return
    bar = TerminalBar(sys.stderr)
    try:
        yield bar
    finally:
        bar.close()
