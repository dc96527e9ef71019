"""Writing new workbooks with openpyxl: the official party frame, tables, dropdowns, print setup.

Only writers (master creation, unit templates, feedback, reports) use this module; business logic
works on DataFrames and the ``Workbook`` interface.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from openpyxl import Workbook as OpenpyxlBook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.table import Table, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

from ..spec.forms import Column, excel_column
from .cells import atomic_save, excel_value, set_text_safe

FONT_NAME = "Times New Roman"
BASE_FONT = Font(name=FONT_NAME, size=12)
BOLD = Font(name=FONT_NAME, size=12, bold=True)
HEADER_FONT = Font(name=FONT_NAME, size=11, bold=True)
CELL_FONT = Font(name=FONT_NAME, size=11)
ITALIC = Font(name=FONT_NAME, size=12, italic=True)
TITLE_FONT = Font(name=FONT_NAME, size=14, bold=True)
THIN = Side(style="thin", color="000000")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
WRAP = Alignment(vertical="top", wrap_text=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
INPUT_FILL = PatternFill("solid", fgColor="FFFFF2")
ERROR_FILL = PatternFill("solid", fgColor="FF9999")
WARNING_FILL = PatternFill("solid", fgColor="FFE699")
UNLOCKED = Protection(locked=False)


def new_book() -> OpenpyxlBook:
    book = OpenpyxlBook()
    book.remove(book.active)
    return book


def save_book(book: OpenpyxlBook, path: Path) -> Path:
    """Save atomically: a crash or a full disk never leaves half a workbook at ``path``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_save(path, book.save)
    return path


def merged_text(ws: Worksheet, row: int, first: int, last: int, text: str, font: Font = BASE_FONT,
                align: Alignment = CENTER, height: float | None = None) -> None:
    """Text across columns first..last (1-based) of one row."""
    if last > first:
        ws.merge_cells(start_row=row, start_column=first, end_row=row, end_column=last)
    cell = ws.cell(row, first)
    set_text_safe(cell, text)
    cell.font = font
    cell.alignment = align
    if height:
        ws.row_dimensions[row].height = height


def official_header(ws: Worksheet, ncols: int, left_lines: Sequence[str], place: str, year: int | str,
                    number: str = "", day: date | None = None) -> int:
    """The party document header (DOMAIN.md): issuing body left, party name and date right.

    Returns the next free row.
    """
    split = max(2, ncols * 2 // 5)
    right_first = split + 1
    upper, lower = (left_lines[0].upper(), left_lines[1].upper()) if len(left_lines) > 1 else ("", left_lines[0].upper())
    merged_text(ws, 1, 1, split, upper, BASE_FONT)
    merged_text(ws, 1, right_first, ncols, "ĐẢNG CỘNG SẢN VIỆT NAM", Font(name=FONT_NAME, size=13, bold=True, underline="single"))
    merged_text(ws, 2, 1, split, lower, BOLD)
    when = (f"{place}, ngày {day.day:02d} tháng {day.month:02d} năm {day.year}" if day
            else f"{place}, ngày …… tháng …… năm {year}")
    merged_text(ws, 2, right_first, ncols, when, ITALIC)
    merged_text(ws, 3, 1, split, "*", BASE_FONT)
    if number:
        merged_text(ws, 4, 1, split, f"Số: {number}", BASE_FONT)
    return 5


def title_block(ws: Worksheet, row: int, ncols: int, lines: Sequence[tuple[str, Font]]) -> int:
    for text, font in lines:
        merged_text(ws, row, 1, ncols, text, font, height=20 if font is TITLE_FONT else None)
        row += 1
    return row + 1


def signature_block(ws: Worksheet, row: int, ncols: int, on_behalf: str, title: str, name: str,
                    recipients: Iterable[str] = (), unlocked_name: bool = False) -> int:
    """"Nơi nhận" left, the signature block right. Returns the next free row."""
    split = max(2, ncols * 2 // 5)
    right_first = split + 1
    recipients = [r.strip() for r in recipients if r and r.strip()]
    left = [("Nơi nhận:", Font(name=FONT_NAME, size=12, bold=True, italic=True))] if recipients else []
    left += [(f"- {r}{',' if i < len(recipients) - 1 else '.'}", Font(name=FONT_NAME, size=11)) for i, r in enumerate(recipients)]
    right = [(on_behalf.upper(), BOLD), (title.upper(), BOLD), ("(Ký, ghi rõ họ tên)", ITALIC), ("", BASE_FONT),
             ("", BASE_FONT), (name, BOLD)]
    for i in range(max(len(left), len(right))):
        if i < len(left):
            merged_text(ws, row + i, 1, split, left[i][0], left[i][1], Alignment(horizontal="left", vertical="top"))
        if i < len(right):
            merged_text(ws, row + i, right_first, ncols, right[i][0], right[i][1])
            if unlocked_name and i == len(right) - 1:
                ws.cell(row + i, right_first).protection = UNLOCKED
    return row + max(len(left), len(right)) + 1


def set_widths(ws: Worksheet, columns: Sequence[Column], first_col: int = 1) -> None:
    for i, column in enumerate(columns):
        ws.column_dimensions[excel_column(first_col - 1 + i)].width = column.width


def header_row(ws: Worksheet, row: int, columns: Sequence[Column], first_col: int = 1) -> None:
    for i, column in enumerate(columns):
        cell = ws.cell(row, first_col + i, column.header)
        cell.font, cell.alignment, cell.border, cell.fill = HEADER_FONT, CENTER, BOX, HEADER_FILL
    ws.row_dimensions[row].height = 45


def write_rows(ws: Worksheet, first_row: int, columns: Sequence[Column], rows: Iterable[Sequence[Any]],
               first_col: int = 1, border: bool = True) -> int:
    """Values under a header, formatted by their column spec. Returns the number of rows written."""
    count = 0
    for r, values in enumerate(rows):
        for c, (column, value) in enumerate(zip(columns, values, strict=False)):
            cell = ws.cell(first_row + r, first_col + c)
            set_text_safe(cell, excel_value(value))
            cell.font, cell.alignment = CELL_FONT, WRAP
            if border:
                cell.border = BOX
            if column.excel_format:
                cell.number_format = column.excel_format
        count += 1
    return count


def add_table(ws: Worksheet, name: str, header_at: int, columns: Sequence[Column], rows: Sequence[Sequence[Any]],
              first_col: int = 1) -> Table:
    """A named Excel Table (at least one body row, as Excel requires)."""
    set_widths(ws, columns, first_col)
    header_row(ws, header_at, columns, first_col)
    written = write_rows(ws, header_at + 1, columns, rows, first_col, border=False)
    if not written:  # an empty table still needs one body row; keep its formats ready
        write_rows(ws, header_at + 1, columns, [[None] * len(columns)], first_col, border=False)
    last_row = header_at + max(written, 1)
    ref = f"{excel_column(first_col - 1)}{header_at}:{excel_column(first_col - 2 + len(columns))}{last_row}"
    table = Table(displayName=name, ref=ref)
    table.tableStyleInfo = TableStyleInfo(name="TableStyleMedium2", showRowStripes=True)
    ws.add_table(table)
    return table


def define_list(book: OpenpyxlBook, ws: Worksheet, name: str, column: int, values: Sequence[str]) -> str:
    """Write a dropdown list into a column of ``ws`` and name it. Returns the defined name."""
    ws.cell(1, column, name)
    for i, value in enumerate(values, start=2):
        set_text_safe(ws.cell(i, column), value)
    last = max(2, len(values) + 1)
    ref = f"'{ws.title}'!${excel_column(column - 1)}$2:${excel_column(column - 1)}${last}"
    book.defined_names[name] = DefinedName(name, attr_text=ref)
    return name


def list_validation(ws: Worksheet, cells: str, list_name: str, title: str, choices: Sequence[str]) -> None:
    """A dropdown on ``cells`` from a named list; a wrong value is refused with a Vietnamese message."""
    shown = "; ".join(choices)
    dv = DataValidation(type="list", formula1=f"={list_name}", allow_blank=True, showErrorMessage=True,
                        showInputMessage=True, errorTitle="Giá trị không có trong danh mục",
                        error=f"Chọn một giá trị trong danh sách: {shown}"[:255],
                        promptTitle=title[:32], prompt="Chọn trong danh sách"[:255])
    dv.add(cells)
    ws.add_data_validation(dv)


def date_validation(ws: Worksheet, cells: str, title: str, hint: str) -> None:
    dv = DataValidation(type="date", operator="between", formula1="DATE(1990,1,1)", formula2="DATE(2100,12,31)",
                        allow_blank=True, showErrorMessage=True, showInputMessage=True,
                        errorTitle="Ngày không hợp lệ", error="Nhập ngày có thật theo dạng ngày/tháng/năm, ví dụ 03/03/2026",
                        promptTitle=title[:32], prompt=(hint or "Nhập ngày/tháng/năm")[:255])
    dv.add(cells)
    ws.add_data_validation(dv)


def whole_number_validation(ws: Worksheet, cells: str, title: str, low: int, high: int, hint: str = "") -> None:
    dv = DataValidation(type="whole", operator="between", formula1=str(low), formula2=str(high), allow_blank=True,
                        showErrorMessage=True, showInputMessage=bool(hint), errorTitle="Số không hợp lệ",
                        error=f"Nhập số nguyên từ {low} đến {high}", promptTitle=title[:32], prompt=hint[:255])
    dv.add(cells)
    ws.add_data_validation(dv)


def keep_value_validation(ws: Worksheet, cell: Any, value: Any, message: str) -> bool:
    """Refuse typing anything but ``value`` in ``cell`` (None: anything at all), with ``message``.

    A guard for a cell that must stay open (so that its row can be deleted on a protected sheet) yet
    keep what the tool wrote. False, and no guard, when the value does not fit in a formula.
    """
    ref = cell.coordinate
    if value is None or value == "":
        formula = f"LEN({ref})=0"
    elif isinstance(value, int | float) and not isinstance(value, bool):
        formula = f"{ref}={value:g}"
    else:
        formula = f'{ref}="{str(value).replace(chr(34), chr(34) * 2)}"'  # Excel compares text ignoring case
    if len(formula) > 255:  # Excel's limit for a validation formula
        return False
    dv = DataValidation(type="custom", formula1=formula, allow_blank=True, showErrorMessage=True,
                        showInputMessage=True, errorTitle="Ô không sửa được", error=message[:255],
                        promptTitle="Giữ nguyên", prompt=message[:255])
    dv.add(ref)
    ws.add_data_validation(dv)
    return True


def page_setup(ws: Worksheet, landscape: bool = True, title_rows: str | None = None, footer: str = "") -> None:
    """A4, fitted to the page width, header rows repeated, page numbers in the footer."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.print_options.horizontalCentered = True
    if title_rows:
        ws.print_title_rows = title_rows
    ws.oddFooter.center.text = (footer + " — " if footer else "") + "Trang &P/&N"
    ws.oddFooter.center.font = FONT_NAME


def protect(ws: Worksheet) -> None:
    """Lock the sheet without a password (units can still insert and delete rows)."""
    ws.protection.sheet = True
    ws.protection.insertRows = False  # False means "not protected", i.e. allowed
    ws.protection.deleteRows = False
    ws.protection.formatColumns = False
    ws.protection.formatRows = False
    ws.protection.formatCells = False
    ws.protection.autoFilter = False
    ws.protection.sort = False


def default_font(book: OpenpyxlBook) -> None:
    """Times New Roman as the workbook's normal style, so new cells follow the official look."""
    for style in book._named_styles:  # the "Normal" style drives every unstyled cell
        if style.name == "Normal":
            style.font = Font(name=FONT_NAME, size=11)


def write_guide(ws: Worksheet, title: str, paragraphs: Sequence[str]) -> None:
    ws.column_dimensions["A"].width = 110
    cell = ws.cell(1, 1, title)
    cell.font = TITLE_FONT
    for i, text in enumerate(paragraphs, start=3):
        c = ws.cell(i, 1)
        set_text_safe(c, text)
        c.font = BOLD if text and text[0].isdigit() and text[1:3] == ". " else BASE_FONT
        c.alignment = Alignment(wrap_text=True, vertical="top")
