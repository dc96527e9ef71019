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
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from . import text
from .findings import Finding
from .forms import METADATA_SHEET, UNIT_FORMS, Form, excel_column, submission_label
from .numbers_vi import read_count

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
MAX_FILE_BYTES = 20 * 1024 * 1024  # a filled form is ~30 KB; 20 MB is far beyond any real one
MAX_UNPACKED_BYTES = 100 * 1024 * 1024  # zip-bomb guard: total size of the parts once unpacked
MAX_CELL_CHARS = 4000  # Excel allows 32,767; a form cell longer than this is a pasted document
HEADER_SEARCH_ROWS = 40
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
_FORMULA_CELL = re.compile(rb'<c r="([A-Z]{1,3}[0-9]{1,7})"[^>]*>(?:<v>[^<]*</v>)?<f[ >]')
_SIGNATURE_WORDS = ("t/m ", "thủ trưởng", "người lập", "(ký", "ký, ghi rõ", "xác nhận của")
_TOTAL_WORDS = {"tổng", "tổng cộng", "cộng", "tổng số"}


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

    def add(self, code: str, message: str, severity: str = "error", cell: str | None = None,
            sheet: str | None = None) -> None:
        prefix = f"Ô {cell}: " if cell else ""
        self.findings.append(Finding(code, severity, prefix + message, self.name, sheet or self.sheet, cell))


def file_digest(path: Path) -> tuple[bytes | None, str, int]:
    """The file's bytes (unless too large), sha256 and size."""
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        digest = hashlib.sha256()
        with path.open("rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
        return None, digest.hexdigest(), size
    data = path.read_bytes()
    return data, hashlib.sha256(data).hexdigest(), size


def read_returned(path: str | Path, forms: dict[str, Form] | None = None) -> ReturnedFile:
    """Read one returned workbook; never raises for a bad file (problems become findings)."""
    forms = forms or UNIT_FORMS
    path = Path(path)
    result = ReturnedFile(path=path)
    try:
        result.modified = datetime.fromtimestamp(path.stat().st_mtime)
        data, result.sha256, result.size = file_digest(path)
    except OSError as exc:
        result.add("file-unreadable", f"không mở được tệp ({exc.strerror or exc}); lưu lại tệp rồi gửi lại")
        return result
    if data is None:
        result.add("file-too-large", f"tệp nặng {result.size / 1048576:.0f} MB, quá giới hạn "
                   f"{MAX_FILE_BYTES // 1048576} MB của một mẫu đăng ký; chỉ gửi lại đúng tệp mẫu đã điền")
        return result
    try:
        _read_bytes(result, data, forms)
    except Exception as exc:  # calamine and zipfile raise many kinds for broken files
        result.add("file-unreadable", f"tệp bị hỏng hoặc không phải bảng tính Excel ({exc.__class__.__name__}); "
                   "mở lại mẫu bằng Excel, lưu dạng .xlsx rồi gửi lại")
    return result


def _read_bytes(result: ReturnedFile, data: bytes, forms: dict[str, Form]) -> None:
    from python_calamine import CalamineWorkbook

    archive = None
    if data.startswith(OLE_MAGIC):
        if b"E\x00n\x00c\x00r\x00y\x00p\x00t\x00e\x00d\x00P\x00a\x00c\x00k\x00a\x00g\x00e" in data:
            result.add("file-encrypted", "tệp được đặt mật khẩu nên không đọc được; gỡ mật khẩu "
                       "(Tệp > Thông tin > Bảo vệ sổ làm việc) rồi gửi lại")
            return
    elif data.startswith(ZIP_MAGIC):
        problem, archive = _zip_problem(data)
        if problem:
            result.add(*problem)
            return
    else:
        result.add("file-unreadable", "tệp không phải bảng tính Excel (có thể là tệp khác bị đổi đuôi); "
                   "gửi lại đúng tệp mẫu đã điền, dạng .xlsx")
        return
    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    sheets = book.sheet_names
    if METADATA_SHEET in sheets:
        meta_rows = book.get_sheet_by_name(METADATA_SHEET).to_python()
        result.meta = {str(r[0]): r[1] for r in meta_rows if len(r) >= 2 and r[0]}
    form = forms.get(text.clean(result.meta.get("form_id")).upper()) if result.meta else None
    candidates = [form] if form else list(forms.values())
    for candidate in candidates:
        ordered = [candidate.sheet] + [s for s in sheets if s != candidate.sheet] if candidate.sheet in sheets else sheets
        for sheet_name in ordered:
            if sheet_name == METADATA_SHEET:
                continue
            grid = book.get_sheet_by_name(sheet_name).to_python(skip_empty_area=False)
            header = _find_header(grid, candidate)
            if header is not None:
                form = candidate
                result.sheet = sheet_name
                formulas = _formula_cells(archive, sheet_name) if archive is not None else set()
                _read_grid(result, grid, header, candidate, formulas)
                break
        if result.sheet:
            break
    result.form_id = form.id if form else None
    _recognise_unit(result, form)


def _zip_problem(data: bytes) -> tuple[tuple[str, str] | None, zipfile.ZipFile | None]:
    """A reason to refuse a zip-based workbook before parsing it (or None), and the open archive."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
        if any(info.filename == "EncryptionInfo" for info in infos):
            return ("file-encrypted", "tệp được đặt mật khẩu nên không đọc được; gỡ mật khẩu rồi gửi lại"), None
        unpacked = sum(info.file_size for info in infos)
        if unpacked > MAX_UNPACKED_BYTES:
            return ("file-too-large", f"tệp giải nén ra {unpacked / 1048576:.0f} MB (tệp nén bất thường); "
                    "chỉ gửi lại đúng tệp mẫu đã điền"), None
        for info in infos:
            if info.filename.endswith((".xml", ".rels")):
                with archive.open(info) as part:
                    head = part.read(512)  # a DOCTYPE can only stand in the prolog
                if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                    return ("file-unreadable", f"tệp chứa khai báo XML không được phép ({info.filename}); "
                            "mở lại bằng Excel, lưu dạng .xlsx rồi gửi lại"), None
    except zipfile.BadZipFile:
        return ("file-unreadable", "tệp bị hỏng (không giải nén được); lưu lại bằng Excel rồi gửi lại"), None
    return None, archive


def _formula_cells(archive: zipfile.ZipFile, sheet_name: str) -> set[str]:
    """Cells of one sheet that hold formulas (calamine gives only their values)."""
    import html

    names = set(archive.namelist())
    if "xl/workbook.xml" not in names:
        return set()
    workbook = archive.read("xl/workbook.xml")
    rels = archive.read("xl/_rels/workbook.xml.rels") if "xl/_rels/workbook.xml.rels" in names else b""
    targets = dict(re.findall(rb'Id="([^"]+)"[^>]*Target="([^"]+)"', rels))
    targets.update({k: v for v, k in re.findall(rb'Target="([^"]+)"[^>]*Id="([^"]+)"', rels)})
    for name, rid in re.findall(rb'<sheet [^>]*name="([^"]+)"[^>]*r:id="([^"]+)"', workbook):
        if html.unescape(name.decode()) != sheet_name:
            continue
        target = targets.get(rid, b"").decode().lstrip("/")
        part = target if target.startswith("xl/") else f"xl/{target}"
        if part in names:
            sheet_xml = archive.read(part)
            if b"<f" in sheet_xml:
                return {m.decode() for m in _FORMULA_CELL.findall(sheet_xml)}
    return set()


def _find_header(grid: list[list[Any]], form: Form) -> int | None:
    """The 0-based index of the row holding the form's headers (most of them, in any order)."""
    wanted = {text.fold(h) for h in form.headers}
    needed = max(3, int(len(wanted) * 0.6))
    for index, row in enumerate(grid[:HEADER_SEARCH_ROWS]):
        hits = sum(1 for v in row if isinstance(v, str) and text.fold(v) in wanted)
        if hits >= needed:
            return index
    return None


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _read_grid(result: ReturnedFile, grid: list[list[Any]], header: int, form: Form, formulas: set[str]) -> None:
    result.header_row = header + 1
    folded = [text.fold(v) if isinstance(v, str) else "" for v in grid[header]]
    for column in form.columns:
        key = text.fold(column.header)
        if key in folded:
            result.columns[column.key] = folded.index(key)
        elif column.required:
            result.add("column-missing", f"thiếu cột “{column.header}” ở dòng tiêu đề; dùng lại mẫu gốc, "
                       "không xóa hoặc đổi tên cột", cell=f"A{header + 1}")
    _find_unit_line(result, grid[:header])
    content_keys = [k for k in result.columns if k != "stt"]
    for index in range(header + 1, len(grid)):
        row = grid[index]
        if not any(row):  # calamine gives "" for an empty cell: most rows of a form are untouched
            continue
        values = {k: row[c] if c < len(row) else None for k, c in result.columns.items()}
        filled = [k for k in content_keys if not _is_blank(values[k])]
        if not filled:
            continue
        if len(filled) <= 3:  # a signature line or a totals row fills a cell or two, a model many
            texts = [text.fold(v) for v in row if isinstance(v, str) and v.strip()]
            if any(t.startswith(_SIGNATURE_WORDS) for t in texts):
                break  # the signature block: the table is over
            if len(texts) <= 2 and any(t.rstrip(":") in _TOTAL_WORDS for t in texts):
                continue  # a totals row
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


_UNIT_LINE = re.compile(r"Đơn vị:\s*(?P<name>.*?)\s*\(mã đơn vị:\s*(?P<code>[^)]+)\)", re.IGNORECASE)


def _find_unit_line(result: ReturnedFile, rows: list[list[Any]]) -> None:
    for row in rows:
        for value in row:
            if isinstance(value, str) and (match := _UNIT_LINE.search(text.clean(value))):
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
        result.add("template-unknown", "tệp không có thông tin ẩn của mẫu (có thể đã chép sang tệp khác); "
                   "công cụ nhận đơn vị theo tiêu đề hoặc tên tệp — lần sau hãy điền trực tiếp vào mẫu được gửi",
                   severity="warning")
        result.unit_code = header_code or None
        return
    result.unit_code = meta_code
    if header_code and text.fold(header_code) != text.fold(meta_code):
        result.add("unit-mismatch", f"tiêu đề ghi mã đơn vị “{header_code}” nhưng mẫu được cấp cho đơn vị "
                   f"“{meta_code}”; dùng đúng mẫu của đơn vị mình", severity="warning")
    if form is not None:
        version = read_count(result.meta.get("form_version")).value or 0
        if version < form.version:
            result.add("template-outdated", f"mẫu {form.id} phiên bản {version} đã cũ (hiện là {form.version}); "
                       "lần sau dùng mẫu mới được gửi", severity="warning")


def name_tokens(name: str) -> set[str]:
    """Folded words of a file name, to find a unit code in it."""
    return {text.fold(t) for t in re.split(r"[_\s.()\[\]]+", Path(name).stem) if t}


def list_workbooks(folder: str | Path) -> list[Path]:
    """Workbooks in a folder (not lock files, not hidden files), oldest first."""
    folder = Path(folder)
    files = [p for p in folder.iterdir()
             if p.is_file() and p.suffix.lower() in WORKBOOK_SUFFIXES and not p.name.startswith(("~$", ".~lock", "."))]
    return sorted(files, key=lambda p: (p.stat().st_mtime, p.name))
