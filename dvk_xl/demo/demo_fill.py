"""Filling a unit template as a unit would: shared by ``dvk demo``, the demo year and the tests.

It lives below ``demo`` and ``demo_year`` so that neither imports the other back.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from ..spec.forms import PL01

DEFAULT_RECEIVED = datetime(2026, 2, 27, 16, 30)


def fill_template(template: Path, rows: list[tuple], out: Path, start_row: int | None = None) -> Path:
    """Fill a unit template as a unit would in Excel and save it as ``out``."""
    from openpyxl import load_workbook

    from ..reports.templates import HEADER_ROW
    from ..workbook.api import set_text_safe

    book = load_workbook(template)
    ws = book[PL01.sheet]
    first = (start_row or HEADER_ROW + 1)
    for i, model in enumerate(rows):
        values = (i + 1, *model)
        for c, value in enumerate(values, start=1):
            cell = ws.cell(first + i, c)
            set_text_safe(cell, value)
    out.parent.mkdir(parents=True, exist_ok=True)
    book.save(out)
    return out
