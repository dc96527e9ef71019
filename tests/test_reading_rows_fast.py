"""The reader's row logic after the speed work gives exactly what it gave before: the functions as they
were (copied below as the reference) and as they are, on random forms (header anywhere, models, totals,
column numbers, notes, signatures, text above, beside and under the table, long cells, formulas)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from dvk_xl.core import text
from dvk_xl.core.numbers_vi import read_count
from dvk_xl.intake import reading
from dvk_xl.intake.reading import (
    _COLUMN_NUMBER,
    _NOTE,
    _TOOL_SHEETS,
    _TOTALS,
    HEADER_SEARCH_ROWS,
    MAX_CELL_CHARS,
    ModelRow,
    ReturnedFile,
    _fold,
    _frame_text,
    _is_blank,
    _is_person_name,
    _is_signature_text,
    _shown,
    _signing,
    _TableArea,
    _unit_line,
)
from dvk_xl.spec.forms import FRAME_TEXTS_KEY, PL01, Form, excel_column

# --- the reference: the row logic as it was before the speed work ---------------------------------


def _ref_find_header(grid: list[list[Any]], form: Form) -> int | None:
    """The 0-based index of the row holding the form's headers (most of them, in any order)."""
    wanted = {text.fold(h) for h in form.headers}
    needed = max(3, int(len(wanted) * 0.6))
    for index, row in enumerate(grid[:HEADER_SEARCH_ROWS]):
        hits = sum(1 for v in row if isinstance(v, str) and v and _fold(v) in wanted)  # most cells are ""
        if hits >= needed:
            return index
    return None


def _ref_is_column_numbers(values: list[Any]) -> bool:
    """A line of column numbers under the header: 1 2 3 … or (1) (2) (3) …, in order."""
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


def _ref_row_kind(row: list[Any]) -> str:
    """What a row under the header is, judged from the whole row: ``blank``, ``numbers`` (column
    numbers), ``totals``, ``note``, ``signature`` or ``data``. Only the first text is folded unless the
    row is short: this runs on every filled row of every file."""
    values = [v for v in row if v is not None and v != "" and not (isinstance(v, str) and not v.strip())]  # _is_blank
    if not values:
        return "blank"
    if _ref_is_column_numbers(values):
        return "numbers"
    first_text = next((v for v in values if isinstance(v, str) and not _COLUMN_NUMBER.match(v.strip())), None)
    if first_text is None:
        return "data"
    first = _fold(first_text)  # the label of a totals line or a note, after an STT typed as text
    if _NOTE.match(first) and len(values) <= 3:
        return "note"
    if _TOTALS.match(first) and sum(isinstance(v, str) for v in values) <= 3:
        return "totals"  # a label and at most a couple of other words; the rest are sums
    if len(values) <= 4 and all(isinstance(v, str) for v in values):
        texts = [_fold(v) for v in values]
        if any(_is_signature_text(t) for t in texts) and all(
                _is_signature_text(t) or _is_person_name(v) for t, v in zip(texts, values, strict=True)):
            return "signature"
    return "data"


def _ref_read_grid(result: ReturnedFile, grid: list[list[Any]], header: int, form: Form, formulas: set[str]) -> _TableArea:
    result.header_row = header + 1
    folded = [_fold(v) if isinstance(v, str) else "" for v in grid[header]]
    for column in form.columns:
        key = text.fold(column.header)
        if key in folded:
            result.columns[column.key] = folded.index(key)
        elif column.required:
            result.add("column-missing", f"thiếu cột “{column.header}” ở dòng tiêu đề; dùng lại mẫu gốc, "
                       "không xóa hoặc đổi tên cột", cell=f"A{header + 1}")
    _ref_find_unit_line(result, grid[:header])
    area = _TableArea(grid, header, len(grid), set(result.columns.values()))
    content_keys = [k for k in result.columns if k != "stt"]
    for index in range(header + 1, len(grid)):
        row = grid[index]
        if not any(row):  # calamine gives "" for an empty cell: most rows of a form are untouched
            continue
        kind = _ref_row_kind(row)
        if kind in ("note", "signature"):
            area.end = index  # the table is over; what follows is checked as text outside the table
            break
        if kind != "data":
            area.skipped.add(index)
            continue
        values = {k: row[c] if c < len(row) else None for k, c in result.columns.items()}
        filled = [k for k in content_keys if not _is_blank(values[k])]
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


def _ref_report_unread(result: ReturnedFile, table: _TableArea, grid_of: Callable[[str], list[list[Any]]],
                   visible: list[str]) -> None:
    """One warning per region holding text or values the tool did not read: above the table, beside it
    (columns that are not the form's), under it (after the note or signature block), other visible
    sheets. One warning per region with its first cell and a count, not one per cell: a pasted block
    would otherwise bury the real errors of the feedback list under dozens of identical lines."""
    frame = {text.clean(t) for t in str(result.meta.get(FRAME_TEXTS_KEY) or "").split("\n") if t.strip()}
    grid = table.grid
    regions: dict[str, list[tuple[int, int, Any]]] = {"above": [], "beside": [], "below": []}
    width = max((len(row) for row in grid), default=0)
    outside = [c for c in range(width) if c not in table.columns]
    for index, row in enumerate(grid):
        if not any(row):  # most rows of a form: "" in every cell
            continue
        if index < table.header:
            cells = [(c, v) for c, v in enumerate(row) if not _is_blank(v) and not _frame_text(v, frame, result, True)]
            regions["above"].extend((index, c, v) for c, v in cells)
        elif index < table.end:
            if index in table.skipped:
                continue
            regions["beside"].extend((index, c, row[c]) for c in outside if c < len(row) and not _is_blank(row[c]))
        else:
            if _ref_row_kind(row) in ("blank", "note", "signature"):
                continue
            cells = [(c, v) for c, v in enumerate(row) if not _is_blank(v) and not _frame_text(v, frame, result, False)]
            if _signing(cells):
                continue  # the signers' names under the block
            if len(cells) == 1 and isinstance(cells[0][1], str) and _ref_after_note(grid, table.end, index):
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
        cells = [(r, c, v) for r, row in enumerate(other) for c, v in enumerate(row) if not _is_blank(v)]
        if cells:
            index, column, value = cells[0]
            cell = f"{excel_column(column)}{index + 1}"
            more = f" và {len(cells) - 1} ô khác" if len(cells) > 1 else ""
            result.add("cell-not-read", f"sheet “{sheet}” có nội dung “{_shown(value)}”{more} nhưng công cụ chỉ đọc "
                       f"sheet “{result.sheet}”; nếu là mô hình, chuyển vào bảng của sheet “{result.sheet}” rồi gửi lại",
                       severity="warning", cell=cell, sheet=sheet)


def _ref_after_note(grid: list[list[Any]], end: int, index: int) -> bool:
    """Whether row ``index`` continues a note that starts the region under the table (no blank row between)."""
    if end >= len(grid) or _ref_row_kind(grid[end]) != "note":
        return False
    return all(any(not _is_blank(v) for v in grid[i]) for i in range(end, index))


def _ref_find_unit_line(result: ReturnedFile, rows: list[list[Any]]) -> None:
    for row in rows:
        for value in row:
            if isinstance(value, str) and value and (match := _unit_line(value)):
                result.unit_name_in_header = match.group("name")
                result.meta.setdefault("header_unit_code", match.group("code").strip())
                return


# --- random forms ---------------------------------------------------------------------------------

WORDS = ["", " ", "  \t", "Tổng cộng", "Tổng cộng: 3 mô hình", "Cộng", "Tổng số (5)", "Ghi chú: xem thêm", "* Lưu ý",
         "T/M CHI BỘ", "BÍ THƯ", "(Ký, ghi rõ họ tên)", "Nguyễn Văn Hùng", "Đ/c Trần Thị Lan", "Kinh tế", "Mới",
         "Duy trì", "Tập thể", "01/03/2026", "2026", "(1)", "[2]", "3", "x", "ĐẢNG CỘNG SẢN VIỆT NAM",
         "Hải Phòng, ngày 5 tháng 3 năm 2026", "Đơn vị: Chi bộ 1 (mã đơn vị: CB01)", "Đơn vị: Chi bộ 2 (mã đơn vị: CB02)",
         "Số: 12-KH", "Phụ lục 01", "(Kèm theo Kế hoạch)", "Chi bộ Khu dân cư số 1", "Đảng ủy phường", "---",
         "Mô hình dân vận khéo", "Xây dựng nông thôn mới", "STT", "Tên mô hình", "Lĩnh vực", "x" * (MAX_CELL_CHARS + 3)]
FRAME = [w for w in WORDS if w.strip()][:30] + ["Lực lượng phối hợp"]
value = st.one_of(st.sampled_from(WORDS), st.sampled_from(WORDS), st.text(max_size=12), st.none(),
                  st.integers(-3, 30), st.floats(allow_nan=True, allow_infinity=True), st.booleans(),
                  st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 1, 1)))
rows = st.lists(st.one_of(
    st.lists(value, max_size=20),  # anything
    st.just([]),  # blank
    st.lists(st.sampled_from(["Mô hình dân vận khéo", "Kinh tế", "Mới", "Tập thể", 2026, "01/03/2026", "", 1.0]),
             min_size=3, max_size=20),  # models, some rows shorter than others
    st.integers(1, 5).map(lambda start: list(range(start, start + 14))),  # column numbers
    st.tuples(st.sampled_from(["Tổng cộng", "Cộng:", "Tổng số"]), st.lists(st.integers(0, 9), max_size=5))
    .map(lambda t: [t[0], *t[1]]),  # totals
    st.lists(st.sampled_from(["T/M CHI BỘ", "BÍ THƯ", "Nguyễn Văn Hùng", "(Ký, ghi rõ họ tên)", "", "Ghi chú: a"]),
             min_size=1, max_size=5),  # signature block, notes
), max_size=16)


@st.composite
def forms(draw) -> tuple[list[list[Any]], dict[str, Any], set[str], list[list[Any]]]:
    headers = list(PL01.headers)
    if draw(st.booleans()):
        headers = draw(st.permutations(headers))
    for _ in range(draw(st.integers(0, 3))):  # a few headers renamed or removed
        headers[draw(st.integers(0, len(headers) - 1))] = draw(st.sampled_from(["", "Cột mới", *PL01.headers]))
    shift = draw(st.integers(0, 2))
    grid = draw(st.lists(st.lists(value, max_size=18), max_size=9))  # above the header
    grid.append([""] * shift + headers)
    grid += draw(rows)
    width = max(map(len, grid))
    if draw(st.booleans()):  # calamine's grid is rectangular; others may be ragged
        grid = [row + [""] * (width - len(row)) for row in grid]
    meta = {FRAME_TEXTS_KEY: "\n".join(draw(st.lists(st.sampled_from(FRAME), max_size=12))),
            "unit_name": draw(st.sampled_from(["Chi bộ Khu dân cư số 1", "", None])), "committee": "Đảng ủy phường"}
    formulas = {f"{excel_column(c)}{r}" for c, r in draw(st.lists(st.tuples(st.integers(0, 20), st.integers(1, 40)),
                                                                 max_size=4))}
    other = draw(st.lists(st.lists(value, max_size=4), max_size=3))
    return grid, meta, formulas, other


def _file(meta: dict[str, Any]) -> ReturnedFile:
    file = ReturnedFile(path=Path("PL01_CB01.xlsx"), meta=dict(meta))
    file.sheet = PL01.sheet
    return file


def _state(file: ReturnedFile, area: _TableArea | None) -> tuple:
    where = (area.header, area.end, area.columns, area.skipped) if area else None
    return (file.findings, file.columns, [(r.row, r.values) for r in file.rows], file.header_row, file.meta,
            file.unit_name_in_header, where)


@settings(max_examples=300, deadline=None)
@given(form=forms())
def test_the_row_logic_reads_every_form_as_before(form):
    grid, meta, formulas, other = form
    header = reading._find_header(grid, PL01)
    assert header == _ref_find_header(grid, PL01)
    for row in grid:
        assert reading._row_kind(row) == _ref_row_kind(row)
    if header is None:
        return
    sheets = {PL01.sheet: grid, "Khác": other}
    before, now = _file(meta), _file(meta)
    before_area = _ref_read_grid(before, grid, header, PL01, formulas)
    now_area = reading._read_grid(now, grid, header, PL01, formulas)
    assert _state(now, now_area) == _state(before, before_area)
    _ref_report_unread(before, before_area, sheets.__getitem__, [PL01.sheet, "Khác", "_dvk"])
    reading._report_unread(now, now_area, sheets.__getitem__, [PL01.sheet, "Khác", "_dvk"])
    assert now.findings == before.findings


def test_the_version_is_read_as_before():
    for version in [1, 1.0, "1", "2", " 3 ", "x", None, True, float("nan"), 2.5, "1.000", 10**20, date(2026, 1, 1)]:
        for _ in range(2):  # the second time from the memo
            assert reading._form_version(version) == (read_count(version).value or 0)
