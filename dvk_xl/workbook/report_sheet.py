"""Drawing a ``ReportSheet`` (title, blocks, charts) onto an openpyxl worksheet.

``FileWorkbook.replace_sheet`` uses it; business logic only builds the ``ReportSheet`` data, so a
live-Excel implementation of the ``Workbook`` interface can draw the same sheet its own way.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, PatternFill
from openpyxl.worksheet.pagebreak import Break

from ..spec.forms import DATE_FORMAT, excel_column
from . import excel
from .cells import FormattedNumber, ReportSheet, excel_value, set_text_safe

TITLE_ROW, SUBTITLE_ROW, FIRST_BLOCK_ROW = 1, 2, 4


def block_rows(sheet: ReportSheet) -> list[tuple[int, int, int]]:
    """(title row, header row, last row) of each block, 1-based: where ``draw_report_sheet`` puts them."""
    placed, row = [], FIRST_BLOCK_ROW
    for block in sheet.blocks:
        header = row + 1
        last = header + len(block.rows)
        placed.append((row, header, last))
        row = last + 2
    return placed


def draw_report_sheet(ws: Any, sheet: ReportSheet) -> None:
    ncols = max([len(b.headers) for b in sheet.blocks] + [len(sheet.widths), 1])
    for i, width in enumerate(sheet.widths):
        ws.column_dimensions[excel_column(i)].width = width
    excel.merged_text(ws, TITLE_ROW, 1, ncols, sheet.title, excel.TITLE_FONT, Alignment(horizontal="left"))
    if sheet.subtitle:
        excel.merged_text(ws, SUBTITLE_ROW, 1, ncols, sheet.subtitle, excel.ITALIC, Alignment(horizontal="left"))
    fills = {text: PatternFill("solid", fgColor=colour) for text, colour in sheet.marks.items()}
    placed = block_rows(sheet)
    for block, (title_row, header_row, _) in zip(sheet.blocks, placed, strict=True):
        ws.cell(title_row, 1, block.title).font = excel.BOLD
        for c, header in enumerate(block.headers, start=1):
            cell = ws.cell(header_row, c, header)
            cell.font, cell.alignment, cell.border, cell.fill = excel.HEADER_FONT, excel.CENTER, excel.BOX, excel.HEADER_FILL
        for r, values in enumerate(block.rows, start=header_row + 1):
            for c, value in enumerate(values, start=1):
                cell = ws.cell(r, c)
                number_format = value.number_format if isinstance(value, FormattedNumber) else None
                value = excel_value(value.value if isinstance(value, FormattedNumber) else value)
                set_text_safe(cell, value)
                cell.font, cell.alignment, cell.border = excel.CELL_FONT, excel.WRAP, excel.BOX
                if number_format:
                    cell.number_format = number_format
                elif isinstance(value, date):
                    cell.number_format = DATE_FORMAT
                if isinstance(value, str) and value in fills:
                    cell.fill = fills[value]
            ws.row_dimensions[r].height = _height(values, sheet.widths)
    below = (placed[-1][2] + 2) if placed else FIRST_BLOCK_ROW
    for chart_spec in sheet.charts:
        ws.row_breaks.append(Break(id=below - 1))  # a chart prints whole, on its own page
        below = _chart(ws, sheet, chart_spec, placed, below)
    excel.page_setup(ws, landscape=True)


def _height(values: list[Any], widths: list[float]) -> float:
    """A row tall enough for its wrapped text (openpyxl cannot measure; Excel and LibreOffice keep it)."""
    lines = 1
    for i, value in enumerate(values):
        width = widths[i] if i < len(widths) else 10
        if isinstance(value, str):
            lines = max(lines, -(-len(value) * 20 // int(width * 23)))  # about 1.15 characters a width unit
    return 15.0 * min(lines, 12)


def _chart(ws: Any, sheet: ReportSheet, spec: Any, placed: list[tuple[int, int, int]], at_row: int) -> int:
    _, header_row, last_row = placed[spec.block]
    if spec.rows is not None:
        last_row = min(last_row, header_row + spec.rows)
    chart = BarChart()
    chart.type = "col"
    chart.title = spec.title
    if spec.stacked:
        chart.grouping, chart.overlap = "stacked", 100
    chart.y_axis.title = spec.y_title or None
    chart.y_axis.number_format = "0"
    chart.y_axis.majorGridlines = None
    chart.height, chart.width = 8, 20
    chart.legend.position = "b"
    if last_row > header_row:  # an empty block draws an empty frame rather than a broken chart
        chart.add_data(Reference(ws, min_col=2, max_col=1 + spec.series, min_row=header_row, max_row=last_row),
                       titles_from_data=True)
        chart.set_categories(Reference(ws, min_col=1, min_row=header_row + 1, max_row=last_row))
    ws.add_chart(chart, f"A{at_row}")
    return at_row + 18
