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


def fill_prefilled(template: Path, out: Path, changes: dict[int, dict[str, object]] | None = None,
                   dropped: tuple[int, ...] = (), new_rows: list[tuple] = ()) -> Path:
    """Answer a pre-filled Phụ lục 01 (last year's models as “Duy trì”) as a unit would in Excel.

    ``changes`` edits pre-filled rows (their position from 0 -> {column key: value}); ``dropped`` rows are
    deleted (the rows below move up, as Excel's row delete does to the table); ``new_rows`` are models
    added under them (tuples in the order of ``fill_template``: name … phone, then optionally note).
    """
    from openpyxl import load_workbook

    from ..reports.templates import HEADER_ROW
    from ..workbook.api import set_text_safe

    book = load_workbook(template)
    ws = book[PL01.sheet]
    first, width = HEADER_ROW + 1, len(PL01.columns)
    first_id = PL01.position("first_id") + 1
    prefilled = []
    row = first
    while ws.cell(row, first_id).value:
        prefilled.append([ws.cell(row, c).value for c in range(1, width + 1)])
        row += 1
    rows = []
    for index, values in enumerate(prefilled):
        if index in dropped:
            continue
        for key, value in (changes or {}).get(index, {}).items():
            values[PL01.position(key)] = value
        rows.append(values)
    for model in new_rows:
        values = [None, *model] + [None] * (width - 1 - len(model))
        rows.append(values[:width])
    for number, values in enumerate(rows, start=1):
        values[0] = number
    for r in range(first, first + max(len(prefilled), len(rows))):
        values = rows[r - first] if r - first < len(rows) else [None] * width
        for c, value in enumerate(values, start=1):
            set_text_safe(ws.cell(r, c), value)
    out.parent.mkdir(parents=True, exist_ok=True)
    book.save(out)
    return out
