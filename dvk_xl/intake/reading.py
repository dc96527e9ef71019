"""Reading returned unit workbooks as units really send them.

.xlsx, .xlsm, .xls and .ods are read with python-calamine (openpyxl is ~20× slower per file).
The unit is recognised from the template's hidden metadata, cross-checked with the header and the
file name; the header row is found by its content, so inserted rows and columns do not matter.
Hostile files (encrypted, corrupt, zip or XML-entity bombs, huge cells) become findings in bounded
time and memory, so the batch goes on. Everything here is picklable, for reading in parallel.
"""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from ..core import text
from ..core.findings import Finding
from ..core.numbers_vi import read_count
from ..spec.forms import (
    FRAME_TEXTS_KEY,
    LISTS_SHEET_IN_TEMPLATE,
    METADATA_SHEET,
    REPORT_DATA_SHEET,
    UNIT_FORMS,
    Column,
    Form,
    excel_column,
    submission_label,
)
from . import xlsx_parts as parts

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
MAX_FILE_BYTES = 20 * 1024 * 1024  # a filled form is ~30 KB; 20 MB is far beyond any real one
MAX_CELL_CHARS = 4000  # Excel allows 32,767; a form cell longer than this is a pasted document
HEADER_SEARCH_ROWS = 40
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass
class ModelRow:
    """One row of a unit's form: its Excel row number and raw cell values by column key."""

    row: int
    values: dict[str, Any]


@dataclass
class ReturnedFile:
    path: Path
    size: int = 0
    sha256: str = ""
    modified: datetime | None = None
    findings: list[Finding] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)
    form_id: str | None = None
    unit_code: str | None = None
    unit_name_in_header: str | None = None
    sheet: str | None = None
    header_row: int | None = None
    columns: dict[str, int] = field(default_factory=dict)  # key -> 0-based column
    rows: list[ModelRow] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.path.name

    @property
    def submission(self) -> str:
        """The form and, for results, the period this file answers ("PL01", "PL03 (6 tháng)")."""
        return submission_label(self.form_id, text.clean(self.meta.get("period")) or None)

    @property
    def has_errors(self) -> bool:
        return any(f.is_error for f in self.findings)

    def cell(self, key: str, row: int) -> str | None:
        column = self.columns.get(key)
        return f"{excel_column(column)}{row}" if column is not None else None

    def add_internal_error(self, exc: BaseException) -> None:
        """An unexpected failure of the tool on this file: a finding, so the batch goes on."""
        self.findings.append(Finding(
            "internal-error", "error",
            f"công cụ gặp lỗi không mong đợi khi kiểm tra tệp này ({exc.__class__.__name__}); tệp được giữ lại để "
            "tổ giúp việc xem xét (không phải lỗi của đơn vị), các tệp khác vẫn được xử lý bình thường",
            self.name, self.sheet, None))

    def add(self, code: str, message: str, severity: str | None = None, cell: str | None = None,
            sheet: str | None = None) -> None:
        prefix = f"Ô {cell}: " if cell else ""
        self.findings.append(Finding(code, severity, prefix + message, self.name, sheet or self.sheet, cell))


def file_digest(path: Path) -> tuple[bytes | None, str, int]:
    """The file's bytes (unless too large), sha256 and size."""
    return _digest(path, path.stat().st_size)


def _digest(path: Path, size: int) -> tuple[bytes | None, str, int]:
    if size > MAX_FILE_BYTES:
        digest = hashlib.sha256()
        with path.open("rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
        return None, digest.hexdigest(), size
    data = path.read_bytes()
    return data, hashlib.sha256(data).hexdigest(), size


_A_PATH = Path()


def read_returned(path: str | Path, forms: dict[str, Form] | None = None) -> ReturnedFile:
    """Read one returned workbook; never raises for a bad file (problems become findings)."""
    forms = forms or UNIT_FORMS
    path = path if type(path) is type(_A_PATH) else Path(path)  # the pool hands over paths: no need to parse again
    result = ReturnedFile(path=path)
    try:
        status = path.stat()
        result.modified = datetime.fromtimestamp(status.st_mtime)
        data, result.sha256, result.size = _digest(path, status.st_size)
    except OSError as exc:
        result.add("file-unreadable", f"không mở được tệp ({exc.strerror or exc}); lưu lại tệp rồi gửi lại")
        return result
    if data is None:
        result.add("file-too-large", f"tệp nặng {result.size / 1048576:.0f} MB, quá giới hạn "
                   f"{MAX_FILE_BYTES // 1048576} MB của một mẫu đăng ký; chỉ gửi lại đúng tệp mẫu đã điền")
        return result
    try:
        _read_bytes(result, data, forms)
    except _Unreadable as exc:  # calamine and zipfile raise many kinds for broken files
        result.add("file-unreadable", f"tệp bị hỏng hoặc không phải bảng tính Excel ({exc.kind}); "
                   "mở lại mẫu bằng Excel, lưu dạng .xlsx rồi gửi lại")
    except Exception as exc:  # noqa: BLE001 - our own reading failed on this file: the batch goes on
        result.add_internal_error(exc)
    return result


class _Unreadable(Exception):
    """The parser (zipfile, calamine) failed: the file is broken, not our reading."""

    def __init__(self, cause: BaseException) -> None:
        super().__init__(str(cause))
        self.kind = cause.__class__.__name__


def _parsing(call: Callable[[], Any]) -> Any:
    try:
        return call()
    except Exception as exc:  # noqa: BLE001 - any parser failure means a broken file
        raise _Unreadable(exc) from exc


def _read_bytes(result: ReturnedFile, data: bytes, forms: dict[str, Form]) -> None:
    from python_calamine import CalamineWorkbook, SheetVisibleEnum

    archive = None
    if data.startswith(OLE_MAGIC):
        if b"E\x00n\x00c\x00r\x00y\x00p\x00t\x00e\x00d\x00P\x00a\x00c\x00k\x00a\x00g\x00e" in data:
            result.add("file-encrypted", "tệp được đặt mật khẩu nên không đọc được; gỡ mật khẩu "
                       "(Tệp > Thông tin > Bảo vệ sổ làm việc) rồi gửi lại")
            return
    elif data.startswith(parts.ZIP_MAGIC):
        problem, archive = _parsing(lambda: parts.zip_problem(data))
        if problem:
            result.add(*problem)
            return
    else:
        result.add("file-unreadable", "tệp không phải bảng tính Excel (có thể là tệp khác bị đổi đuôi); "
                   "gửi lại đúng tệp mẫu đã điền, dạng .xlsx")
        return
    book = _parsing(lambda: CalamineWorkbook.from_filelike(io.BytesIO(data)))
    sheets = _parsing(lambda: list(book.sheet_names))
    grids: dict[str, list[list[Any]]] = {}

    def grid_of(name: str) -> list[list[Any]]:
        if name not in grids:
            grids[name] = _parsing(lambda: book.get_sheet_by_name(name).to_python(skip_empty_area=False))
        return grids[name]

    if METADATA_SHEET in sheets:
        meta_rows = grid_of(METADATA_SHEET)
        result.meta = {str(r[0]): r[1] for r in meta_rows if len(r) >= 2 and r[0]}
    form = forms.get(text.clean(result.meta.get("form_id")).upper()) if result.meta else None
    candidates = [form] if form else list(forms.values())
    table: _TableArea | None = None
    for candidate in candidates:
        ordered = [candidate.sheet] + [s for s in sheets if s != candidate.sheet] if candidate.sheet in sheets else sheets
        for sheet_name in ordered:
            if sheet_name == METADATA_SHEET:
                continue
            grid = grid_of(sheet_name)
            header = _find_header(grid, candidate)
            if header is not None:
                form = candidate
                result.sheet = sheet_name
                formulas = _parsing(lambda name=sheet_name: parts.formula_cells(archive, name, data)) if archive is not None else set()
                table = _read_grid(result, grid, header, candidate, formulas)
                break
        if result.sheet:
            break
    result.form_id = form.id if form else None
    _recognise_unit(result, form)
    if form is not None and table is not None and form.id in UNIT_FORMS:
        visible = _parsing(lambda: [m.name for m in book.sheets_metadata if m.visible == SheetVisibleEnum.Visible])
        _report_unread(result, table, grid_of, visible)


# Per-process memos of what reading computes from a cell's text: every file of a unit type repeats its
# template's headers, titles and notes, and units repeat their fields, kinds and dates. Bounded, cleared when full.
_MEMO_LIMIT = 1 << 16
_folds: dict[str, str] = {}
_cleans: dict[str, str] = {}
_unit_lines: dict[str, re.Match[str] | None] = {}


def _memo(table: dict[str, Any], value: str, compute: Callable[[str], Any]) -> Any:
    try:
        return table[value]
    except KeyError:
        if len(table) >= _MEMO_LIMIT:
            table.clear()
        result = table[value] = compute(value)
        return result


def _fold(value: str) -> str:
    """``text.fold`` of a cell's text, computed once per distinct text."""
    return _memo(_folds, value, text.fold)


def _clean(value: str) -> str:
    return _memo(_cleans, value, text.clean)


def _unit_line(value: str) -> re.Match[str] | None:
    """The “Đơn vị: … (mã đơn vị: …)” line in a cell's text, or None."""
    return _memo(_unit_lines, value, lambda v: _UNIT_LINE.search(text.clean(v)))


def _find_header(grid: list[list[Any]], form: Form) -> int | None:
    """The 0-based index of the row holding the form's headers (most of them, in any order)."""
    wanted, needed = _header_keys(form)
    for index, row in enumerate(grid[:HEADER_SEARCH_ROWS]):
        if not any(row):  # no text at all: no hit (needed is at least 3)
            continue
        hits = 0
        for v in row:
            if v != "" and isinstance(v, str) and _fold(v) in wanted:  # most cells are ""
                hits += 1
        if hits >= needed:
            return index
    return None


_header_keys_memo: dict[int, tuple[Form, set[str], int]] = {}
_column_keys_memo: dict[int, tuple[Form, list[tuple[Column, str]]]] = {}


def _column_keys(form: Form) -> list[tuple[Column, str]]:
    """The form's columns with their folded headers (once per form)."""
    hit = _column_keys_memo.get(id(form))
    if hit is None or hit[0] is not form:  # the form is held by the memo: its id is not reused
        if len(_column_keys_memo) >= 64:
            _column_keys_memo.clear()
        hit = _column_keys_memo[id(form)] = (form, [(column, text.fold(column.header)) for column in form.columns])
    return hit[1]


def _header_keys(form: Form) -> tuple[set[str], int]:
    """The form's folded headers and how many of them make its header row (once per form)."""
    hit = _header_keys_memo.get(id(form))
    if hit is None or hit[0] is not form:  # the form is held by the memo: its id is not reused
        wanted = {text.fold(h) for h in form.headers}
        if len(_header_keys_memo) >= 64:
            _header_keys_memo.clear()
        hit = _header_keys_memo[id(form)] = (form, wanted, max(3, int(len(wanted) * 0.6)))
    return hit[1], hit[2]


def _is_blank(value: Any) -> bool:
    return value is None or value == "" or (isinstance(value, str) and not value.strip())


@dataclass
class _TableArea:
    """What the reader took from the data sheet: the rows it read or recognised, the columns it read."""

    grid: list[list[Any]]
    header: int  # 0-based
    end: int  # 0-based index of the first row after the table (its note or signature block), or len(grid)
    columns: set[int]  # 0-based columns the form maps
    skipped: set[int] = field(default_factory=set)  # rows inside the table recognised as not models
    end_kind: str | None = None  # _row_kind of the row at ``end`` (the note or signature that ends the table)


# How rows under the table start (folded text): totals, notes, the signature block.
_TOTALS = re.compile(r"^(tổng cộng|tổng số|tổng|cộng)\b\s*[:.\-]?\s*(\d|\(|mô hình|đơn vị|$)")
_NOTE = re.compile(r"^[*•\s]*(ghi chú|lưu ý|chú thích|chú ý|ghi chu|luu y)\b")
_SIGNATURE = re.compile(r"^(t/m|tm\.|tm |t\.m|kt\.|kt/|k/t|thay mặt|q\. ?|người lập|người ký|người duyệt|\(ký|ký,|"
                        r"ký tên|ký và|xác nhận|nơi nhận|thủ trưởng)")
_SIGNER_TITLES = {"bí thư", "phó bí thư", "chủ tịch", "phó chủ tịch", "chủ tịch (bí thư)", "trưởng ban",
                  "phó trưởng ban", "thủ trưởng đơn vị", "thủ trưởng", "chi ủy viên", "đảng ủy viên", "giám đốc",
                  "hiệu trưởng", "trưởng phòng", "viện trưởng", "chánh văn phòng", "thư ký", "người lập biểu"}
_DATE_LINE = re.compile(r"ngày\s*\S*\s*tháng\s*\S*\s*năm", re.IGNORECASE)
_COLUMN_NUMBER = re.compile(r"^[(\[]?(\d{1,2})[)\]]?$")
_PERSON_NAME = re.compile(r"^(đ/c |đồng chí )?([A-ZĐÀ-Ỹ][\wÀ-ỹ]*)( [A-ZĐÀ-Ỹ][\wÀ-ỹ]*){1,5}$")


def _is_signature_text(folded: str) -> bool:
    return bool(_SIGNATURE.match(folded)) or folded.strip(" .:") in _SIGNER_TITLES


def _is_person_name(value: str) -> bool:
    """A name alone, as signed under the block: “Nguyễn Văn Hùng” (every word capitalised)."""
    bare = re.sub(r"\(.*?\)", "", text.clean(value)).strip()
    return len(bare) <= 50 and bool(_PERSON_NAME.match(bare)) and not any(ch.isdigit() for ch in bare)


def _is_column_numbers(values: list[Any]) -> bool:
    """A line of column numbers under the header: 1 2 3 … or (1) (2) (3) …, in order."""
    if len(values) < 3:
        return False
    numbers = []
    for value in values:
        if isinstance(value, bool):
            return False
        if isinstance(value, int | float):
            if value != value or not float(value).is_integer():
                return False
            numbers.append(int(value))
        elif isinstance(value, str) and (match := _COLUMN_NUMBER.match(value.strip())):
            numbers.append(int(match.group(1)))
        else:
            return False
    return len(numbers) >= 3 and all(b == a + 1 for a, b in zip(numbers, numbers[1:], strict=False))


def _row_kind(row: list[Any]) -> str:
    """What a row under the header is, judged from the whole row: ``blank``, ``numbers`` (column
    numbers), ``totals``, ``note``, ``signature`` or ``data``. Only the first text is folded unless the
    row is short: this runs on every filled row of every file."""
    values = [v for v in row if v is not None and v != "" and not (isinstance(v, str) and not v.strip())]  # _is_blank
    if not values:
        return "blank"
    if _is_column_numbers(values):
        return "numbers"
    first_text = next((v for v in values if isinstance(v, str) and not _COLUMN_NUMBER.match(v.strip())), None)
    if first_text is None:
        return "data"
    first = _fold(first_text)  # the label of a totals line or a note, after an STT typed as text
    if len(values) <= 3 and _NOTE.match(first):
        return "note"
    if _TOTALS.match(first) and sum(isinstance(v, str) for v in values) <= 3:
        return "totals"  # a label and at most a couple of other words; the rest are sums
    if len(values) <= 4 and all(isinstance(v, str) for v in values):
        texts = [_fold(v) for v in values]
        if any(_is_signature_text(t) for t in texts) and all(
                _is_signature_text(t) or _is_person_name(v) for t, v in zip(texts, values, strict=True)):
            return "signature"
    return "data"


def _read_grid(result: ReturnedFile, grid: list[list[Any]], header: int, form: Form, formulas: set[str]) -> _TableArea:
    result.header_row = header + 1
    first: dict[str, int] = {}  # each folded header's first column, as list.index finds it
    for position, v in enumerate(grid[header]):
        first.setdefault(_fold(v) if isinstance(v, str) else "", position)
    for column, key in _column_keys(form):
        if key in first:
            result.columns[column.key] = first[key]
        elif column.required:
            result.add("column-missing", f"thiếu cột “{column.header}” ở dòng tiêu đề; dùng lại mẫu gốc, "
                       "không xóa hoặc đổi tên cột", cell=f"A{header + 1}")
    _find_unit_line(result, grid[:header])
    area = _TableArea(grid, header, len(grid), set(result.columns.values()))
    content_keys = [k for k in result.columns if k != "stt"]
    mapped = list(result.columns.items())
    beyond = max(result.columns.values(), default=-1) + 1  # a row at least this long holds every mapped column
    for index in range(header + 1, len(grid)):
        row = grid[index]
        if not any(row):  # calamine gives "" for an empty cell: most rows of a form are untouched
            continue
        kind = _row_kind(row)
        if kind in ("note", "signature"):
            area.end, area.end_kind = index, kind  # the table is over; what follows is checked as text outside it
            break
        if kind != "data":
            area.skipped.add(index)
            continue
        values = {k: row[c] for k, c in mapped} if len(row) >= beyond else \
            {k: row[c] if c < len(row) else None for k, c in mapped}
        filled = [k for k in content_keys  # not _is_blank(v), inlined: this runs on every cell of every model
                  if (v := values[k]) != "" and v is not None and not (isinstance(v, str) and not v.strip())]
        if not filled:
            continue
        excel_row = index + 1
        for key in filled:
            value = values[key]
            if isinstance(value, str) and len(value) > MAX_CELL_CHARS:
                result.add("value-too-long", f"nội dung dài {len(value):,} ký tự, quá {MAX_CELL_CHARS:,} ký tự cho "
                           "một ô; tóm tắt ngắn gọn, phần chi tiết gửi kèm văn bản riêng", cell=result.cell(key, excel_row))
                values[key] = value[:MAX_CELL_CHARS]
        for key in content_keys if formulas else ():
            if (cell := result.cell(key, excel_row)) in formulas:
                result.add("formula-in-cell", "ô chứa công thức; công cụ chỉ lấy giá trị đã tính, đề nghị "
                           "nhập trực tiếp giá trị", severity="warning", cell=cell)
        result.rows.append(ModelRow(excel_row, values))
    return area


# --- what the unit typed where the tool does not read ---------------------------------------------

# Sheets the tool wrote for itself (metadata, dropdown lists, the feedback list): never unit data.
_TOOL_SHEETS = {METADATA_SHEET, REPORT_DATA_SHEET, LISTS_SHEET_IN_TEMPLATE, "Lỗi cần sửa"}


def _frame_text(value: Any, frame: set[str], result: ReturnedFile, above: bool) -> bool:
    """Text the template wrote, or the usual fill-ins of its frame: the date line and, above the table,
    the document number and the unit's own official header lines (in capitals). Templates made before
    ``frame_texts`` was written into their metadata rely on these."""
    if not isinstance(value, str):
        return False
    folded = _fold(value)
    if _clean(value) in frame or _DATE_LINE.search(folded):
        return True  # exactly as the template wrote it (case matters: “CHI BỘ …” is a header, “Chi bộ …” data)
    if not above:
        return False
    if _unit_line(value) or folded in {"*", "---", "-----"}:
        return True
    if folded.startswith(("(kèm theo", "kèm theo", "số:", "phụ lục", "mẫu")):
        return True
    letters = [ch for ch in value if ch.isalpha()]
    if letters and all(ch.isupper() for ch in letters):
        return True  # official header lines and titles are written in capitals
    return folded in {text.fold(result.meta.get(k)) for k in ("unit_name", "committee")} - {""}


def _signing(cells: list[tuple[int, Any]]) -> bool:
    """A line of the signature block as units fill it: titles and signers' names, nothing else."""
    return len(cells) <= 3 and all(isinstance(v, str) and (_is_person_name(v) or _is_signature_text(text.fold(v)))
                                   for _, v in cells)


def _report_unread(result: ReturnedFile, table: _TableArea, grid_of: Callable[[str], list[list[Any]]],
                   visible: list[str]) -> None:
    """One warning per region holding text or values the tool did not read: above the table, beside it
    (columns that are not the form's), under it (after the note or signature block), other visible
    sheets. One warning per region with its first cell and a count, not one per cell: a pasted block
    would otherwise bury the real errors of the feedback list under dozens of identical lines."""
    frame = {text.clean(t) for t in str(result.meta.get(FRAME_TEXTS_KEY) or "").split("\n") if t.strip()}
    grid = table.grid
    regions: dict[str, list[tuple[int, int, Any]]] = {"above": [], "beside": [], "below": []}
    width = max(map(len, grid), default=0)
    outside = [c for c in range(width) if c not in table.columns]
    for index, row in enumerate(grid):
        if not any(row):  # most rows of a form: "" in every cell
            continue
        if index < table.header:
            cells = [(c, v) for c, v in enumerate(row)
                     if v != "" and not _is_blank(v) and not _frame_text(v, frame, result, True)]
            regions["above"].extend((index, c, v) for c, v in cells)
        elif index < table.end:
            if index in table.skipped:
                continue
            if outside:
                regions["beside"].extend((index, c, row[c]) for c in outside if c < len(row) and not _is_blank(row[c]))
        else:
            kind = table.end_kind if index == table.end and table.end_kind else _row_kind(row)
            if kind in ("blank", "note", "signature"):
                continue
            cells = [(c, v) for c, v in enumerate(row)
                     if v != "" and not _is_blank(v) and not _frame_text(v, frame, result, False)]
            if _signing(cells):
                continue  # the signers' names under the block
            if len(cells) == 1 and isinstance(cells[0][1], str) and _after_note(grid, table.end, index, table.end_kind):
                continue  # a further line of the unit's note
            regions["below"].extend((index, c, v) for c, v in cells)
    where = {"above": "phía trên bảng", "beside": "ngoài các cột của mẫu", "below": "dưới bảng (sau phần ghi chú, chữ ký)"}
    for region, cells in regions.items():
        if cells:
            index, column, value = cells[0]
            cell = f"{excel_column(column)}{index + 1}"
            more = f" và {len(cells) - 1} ô khác" if len(cells) > 1 else ""
            result.add("cell-not-read", f"ô có nội dung “{_shown(value)}”{more} {where[region]}: công cụ không đọc "
                       "các ô này; nếu là mô hình, chuyển vào các dòng của bảng (chèn thêm dòng nếu cần) rồi gửi lại",
                       severity="warning", cell=cell)
    for sheet in visible:
        if sheet == result.sheet or sheet in _TOOL_SHEETS:
            continue
        other = grid_of(sheet)
        cells = [(r, c, v) for r, row in enumerate(other) for c, v in enumerate(row) if v != "" and not _is_blank(v)]
        if cells:
            index, column, value = cells[0]
            cell = f"{excel_column(column)}{index + 1}"
            more = f" và {len(cells) - 1} ô khác" if len(cells) > 1 else ""
            result.add("cell-not-read", f"sheet “{sheet}” có nội dung “{_shown(value)}”{more} nhưng công cụ chỉ đọc "
                       f"sheet “{result.sheet}”; nếu là mô hình, chuyển vào bảng của sheet “{result.sheet}” rồi gửi lại",
                       severity="warning", cell=cell, sheet=sheet)


def _after_note(grid: list[list[Any]], end: int, index: int, end_kind: str | None = None) -> bool:
    """Whether row ``index`` continues a note that starts the region under the table (no blank row between)."""
    if end >= len(grid) or (end_kind or _row_kind(grid[end])) != "note":
        return False
    return all(any(not _is_blank(v) for v in grid[i]) for i in range(end, index))


def _shown(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    shown = text.clean(value)
    return shown[:40] + "…" if len(shown) > 40 else shown


_UNIT_LINE = re.compile(r"Đơn vị:\s*(?P<name>.*?)\s*\(mã đơn vị:\s*(?P<code>[^)]+)\)", re.IGNORECASE)


def _find_unit_line(result: ReturnedFile, rows: list[list[Any]]) -> None:
    for row in rows:
        if not any(row):
            continue
        for value in row:
            if value != "" and isinstance(value, str) and (match := _unit_line(value)):
                result.unit_name_in_header = match.group("name")
                result.meta.setdefault("header_unit_code", match.group("code").strip())
                return


def _recognise_unit(result: ReturnedFile, form: Form | None) -> None:
    """The unit from the metadata, cross-checked with the header line (the file name is checked later,
    against the master's unit list)."""
    meta_code = text.clean(result.meta.get("unit_code"))
    header_code = text.clean(result.meta.get("header_unit_code"))
    if not result.sheet:
        if not result.findings:
            result.add("template-unknown", "không nhận ra mẫu biểu: không thấy dòng tiêu đề của mẫu đăng ký; "
                       "điền vào đúng mẫu đã được gửi rồi gửi lại")
        return
    if not meta_code:
        result.add("template-metadata-missing", "tệp không có thông tin ẩn của mẫu (có thể đã chép sang tệp khác); "
                   "công cụ nhận đơn vị theo tiêu đề hoặc tên tệp — lần sau hãy điền trực tiếp vào mẫu được gửi",
                   severity="warning")
        result.unit_code = header_code or None
        return
    result.unit_code = meta_code
    if header_code and text.fold(header_code) != text.fold(meta_code):
        result.add("unit-mismatch", f"tiêu đề ghi mã đơn vị “{header_code}” nhưng mẫu được cấp cho đơn vị "
                   f"“{meta_code}”; dùng đúng mẫu của đơn vị mình", severity="warning")
    if form is not None:
        version = _form_version(result.meta.get("form_version"))
        if version < form.version:
            result.add("template-outdated", f"mẫu {form.id} phiên bản {version} đã cũ (hiện là {form.version}); "
                       "lần sau dùng mẫu mới được gửi", severity="warning")


_versions: dict[tuple[type, Any], int | float] = {}


def _form_version(value: Any) -> int | float:
    """``read_count(value).value or 0``, once per distinct value (every file of a template has the same)."""
    if type(value) not in (str, float, int):
        return read_count(value).value or 0
    key = (type(value), value)  # 1, 1.0 and True are equal keys otherwise
    try:
        return _versions[key]
    except KeyError:
        if len(_versions) >= 256:
            _versions.clear()
        version = _versions[key] = read_count(value).value or 0
        return version


def name_tokens(name: str) -> set[str]:
    """Folded words of a file name, to find a unit code in it."""
    return {text.fold(t) for t in re.split(r"[_\s.()\[\]]+", Path(name).stem) if t}

