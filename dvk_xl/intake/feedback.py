"""Feedback to a unit: its own workbook with each faulty cell red and commented, plus a first
sheet “Lỗi cần sửa” listing every finding. Macro-free .xlsx, ready to send back."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook as OpenpyxlBook
from openpyxl import load_workbook
from openpyxl.comments import Comment

from ..spec.forms import Column
from ..workbook import excel
from .reading import ReturnedFile

FEEDBACK_SHEET = "Lỗi cần sửa"
FEEDBACK_COLUMNS = (
    Column("severity", "Mức độ", width=10),
    Column("sheet", "Sheet", width=16),
    Column("cell", "Ô", width=8),
    Column("message", "Nội dung cần sửa", width=100),
    Column("code", "Mã lỗi", width=20),
)


def feedback_name(file: ReturnedFile) -> str:
    return f"{file.path.stem}_LoiCanSua.xlsx"


def write_feedback(file: ReturnedFile, out_dir: Path) -> Path:
    """Write the marked-up copy of ``file`` into ``out_dir``; returns its path."""
    book = _open_copy(file)
    ws = book.create_sheet(FEEDBACK_SHEET, 0)
    errors = sum(1 for f in file.findings if f.is_error)
    verdict = ("Tệp CHƯA được tiếp nhận: sửa các lỗi dưới đây rồi gửi lại cả tệp." if errors
               else "Tệp đã được tiếp nhận; các cảnh báo dưới đây cần xem lại.")
    excel.merged_text(ws, 1, 1, len(FEEDBACK_COLUMNS), f"KẾT QUẢ KIỂM TRA TỆP “{file.name}”", excel.TITLE_FONT,
                      excel.Alignment(horizontal="left"))
    excel.merged_text(ws, 2, 1, len(FEEDBACK_COLUMNS), verdict, excel.BOLD, excel.Alignment(horizontal="left"))
    excel.set_widths(ws, FEEDBACK_COLUMNS)
    excel.header_row(ws, 4, FEEDBACK_COLUMNS)
    ordered = sorted(file.findings, key=lambda f: (not f.is_error, f.sheet or "", _row_of(f.cell), f.cell or ""))
    excel.write_rows(ws, 5, FEEDBACK_COLUMNS, [
        ["Lỗi" if f.is_error else "Cảnh báo", f.sheet or "", f.cell or "", f.message, f.code] for f in ordered])
    ws.freeze_panes = "A5"
    excel.page_setup(ws, title_rows="4:4")
    for finding in ordered:
        if finding.cell and finding.sheet in book.sheetnames and finding.sheet != FEEDBACK_SHEET:
            cell = book[finding.sheet][finding.cell]
            cell.fill = excel.ERROR_FILL if finding.is_error else excel.WARNING_FILL
            note = f"{'Lỗi' if finding.is_error else 'Cảnh báo'}: {finding.message}"
            if cell.comment:
                note = cell.comment.text + "\n" + note
            cell.comment = Comment(note[:2000], "Ban Xây dựng Đảng", width=320, height=120)
    book.active = 0
    out_dir.mkdir(parents=True, exist_ok=True)
    return excel.save_book(book, out_dir / feedback_name(file))


def _row_of(cell: str | None) -> int:
    digits = "".join(ch for ch in (cell or "") if ch.isdigit())
    return int(digits) if digits else 0


def _open_copy(file: ReturnedFile) -> OpenpyxlBook:
    """The unit's own workbook (xlsx/xlsm) or, when it cannot be reopened, an empty one."""
    if file.path.suffix.lower() in (".xlsx", ".xlsm") and not any(
            f.code in ("file-unreadable", "file-encrypted", "file-too-large") for f in file.findings):
        try:
            book = load_workbook(file.path)  # keep_vba=False: the copy is always macro-free
            for ws in book.worksheets:
                ws.protection.sheet = False  # the marks must be visible and the unit must be able to fix them
            return book
        except Exception:  # noqa: BLE001 - a file calamine read but openpyxl cannot: send the list alone
            pass
    return excel.new_book()
