"""The register's rows made column by column (dvk_xl/workbook/xlsx_patch.py ``_ColumnCells``): every row's
markup is what ``_cell`` writes for each of its cells, whatever the values, styles, prefix and chunking."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dvk_xl.core.kinds import RegisterStatus
from dvk_xl.workbook import xlsx_patch
from dvk_xl.workbook.cells import ColumnRows
from dvk_xl.workbook.xlsx_patch import PatchUnsupported, _cell, _prefixed

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
DATE_STYLE = "2"  # the styles part below: xf 2 shows dd/mm/yyyy
STYLES = (b'<styleSheet xmlns="' + MAIN.encode() + b'"><numFmts count="1"><numFmt numFmtId="164" '
          b'formatCode="dd/mm/yyyy"/></numFmts><cellXfs count="4"><xf numFmtId="0"/><xf numFmtId="49"/>'
          b'<xf numFmtId="164"/><xf numFmtId="0"/></cellXfs></styleSheet>')

values = st.one_of(
    st.none(), st.just(""), st.sampled_from(["Mới", "Tập thể", "a&b", "<x>", "x\ry", "\x01", "\x01a", "đ\n"]),
    st.text(max_size=8), st.text(min_size=65, max_size=70), st.integers(-3, 3), st.booleans(),
    st.sampled_from([0.0, -0.0, 1.5, float("nan"), 2.0]), st.dates(date(1990, 1, 1), date(2030, 1, 1)),
    st.datetimes(datetime(1990, 1, 1), datetime(2030, 1, 1)), st.just(RegisterStatus.ACTIVE),
)
styles = st.one_of(st.none(), st.sampled_from(["1", DATE_STYLE, "3"]))


def letters(width: int) -> list[str]:
    return [chr(65 + i) for i in range(width)]


def parts(prefix: str, width: int, kept: list[tuple[str, list[str | None]]]) -> tuple[bytes, bytes]:
    """A table A1:{last}{1 + rows} and its sheet: the header row, then the kept body rows with their styles."""
    p = prefix
    cols = letters(width)
    body = []
    for row, (attributes, row_styles) in enumerate(kept, start=2):
        cells = "".join(f'<{p}c r="{c}{row}" s="{s}"/>' for c, s in zip(cols, row_styles, strict=True) if s)
        body.append(f'<{p}row r="{row}"{attributes}>{cells}</{p}row>')
    header = "".join(f'<{p}c r="{c}1" t="inlineStr"><{p}is><{p}t>{c}</{p}t></{p}is></{p}c>' for c in cols)
    name = f"xmlns:{p[:-1]}" if p else "xmlns"
    sheet = (f'<{p}worksheet {name}="{MAIN}"><{p}dimension ref="A1:{cols[-1]}{1 + max(len(kept), 1)}"/><{p}sheetData>'
             f'<{p}row r="1">{header}</{p}row>{"".join(body)}</{p}sheetData></{p}worksheet>')
    table = (f'<table xmlns="{MAIN}" id="1" name="T" displayName="T" ref="A1:{cols[-1]}{1 + max(len(kept), 1)}">'
             f'<tableColumns count="{width}">'
             + "".join(f'<tableColumn id="{i + 1}" name="{c}"/>' for i, c in enumerate(cols))
             + "</tableColumns></table>")
    return table.encode(), sheet.encode()


def expected_rows(prefix: str, width: int, kept: list[tuple[str, list[str | None]]], rows: list[list]) -> str:
    """The rows as ``_cell`` writes each cell (the row-by-row path this file's code replaced)."""
    cols = letters(width)
    defaults = kept[0][1] if kept else [None] * width
    out = []
    for number, row in enumerate(rows or [[None] * width], start=2):
        attributes, own = kept[number - 2] if number - 2 < len(kept) else ("", defaults)
        cells = []
        for c, value, style, default in zip(cols, row, own, defaults, strict=True):
            style = style or default
            if isinstance(value, date) and style != DATE_STYLE:
                style = default
                if style != DATE_STYLE:
                    raise PatchUnsupported("a date without a date format")
            cells.append(_cell(f"{c}{number}", value, style))
        text = "".join(cells)
        out.append(f'<{prefix}row r="{number}"{attributes}>{_prefixed(text, prefix) if prefix else text}</{prefix}row>')
    return "".join(out)


def written_rows(prefix: str, sheet: bytes) -> str:
    xml = sheet.decode()
    start = xml.index(f'<{prefix}row r="2"')
    return xml[start:xml.index(f"</{prefix}sheetData>")]


@st.composite
def cases(draw):
    width = draw(st.integers(1, 4))
    kept = draw(st.lists(st.tuples(st.sampled_from(["", ' ht="20" customHeight="1"', ' hidden="1"']),
                                   st.lists(styles, min_size=width, max_size=width)), max_size=4))
    if kept and draw(st.booleans()):  # most kept rows have the first body row's styles: the column path
        kept = [kept[0]] + [(attributes, list(kept[0][1])) for attributes, _ in kept[1:]]
    column_values = [draw(st.one_of(values, st.lists(values, min_size=1, max_size=3))) for _ in range(width)]
    count = draw(st.integers(0, 9))
    rows = []
    for _ in range(count):  # each column draws from a few values of its own (a register repeats them) or any
        rows.append([draw(st.sampled_from(v)) if isinstance(v, list) else draw(values) for v in column_values])
    return draw(st.sampled_from(["", "x:"])), width, kept, rows


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=cases(), chunk=st.sampled_from([1, 2, 3, 2000]), as_columns=st.booleans())
def test_rows_made_by_column_are_what_cell_writes(case, chunk, as_columns, monkeypatch_chunk):
    prefix, width, kept, rows = case
    monkeypatch_chunk(chunk)
    table, sheet = parts(prefix, width, kept)
    try:
        want = expected_rows(prefix, width, kept, rows)
    except PatchUnsupported:
        want = PatchUnsupported
    given_rows = ColumnRows([list(c) for c in zip(*rows, strict=True)] if rows else [[] for _ in range(width)],
                            len(rows)) if as_columns else rows
    try:
        _, new_sheet = xlsx_patch._patch_one(table, sheet, given_rows, 0, xlsx_patch.date_styles(STYLES))
    except PatchUnsupported:
        assert want is PatchUnsupported
        return
    assert written_rows(prefix, new_sheet) == want


def test_a_row_shorter_than_the_table_keeps_its_cells_only(monkeypatch_chunk):
    monkeypatch_chunk(2)
    table, sheet = parts("", 3, [("", ["1", "1", "1"])])
    _, new_sheet = xlsx_patch._patch_one(table, sheet, [["a", "b", "c"], ["d"], ["e", None, "&"]], 0, set())
    assert written_rows("", new_sheet) == (
        '<row r="2"><c r="A2" s="1" t="inlineStr"><is><t xml:space="preserve">a</t></is></c><c r="B2" s="1" '
        't="inlineStr"><is><t xml:space="preserve">b</t></is></c><c r="C2" s="1" t="inlineStr"><is><t '
        'xml:space="preserve">c</t></is></c></row><row r="3"><c r="A3" s="1" t="inlineStr"><is><t '
        'xml:space="preserve">d</t></is></c></row><row r="4"><c r="A4" s="1" t="inlineStr"><is><t '
        'xml:space="preserve">e</t></is></c><c r="B4" s="1"/><c r="C4" s="1" t="inlineStr"><is><t '
        'xml:space="preserve">&amp;</t></is></c></row>')


@pytest.fixture
def monkeypatch_chunk():
    """Sets ``_BODY_CHUNK`` for one example (hypothesis runs many in one test call)."""
    saved = xlsx_patch._BODY_CHUNK

    def set_chunk(size: int) -> None:
        xlsx_patch._BODY_CHUNK = size

    yield set_chunk
    xlsx_patch._BODY_CHUNK = saved


@pytest.mark.parametrize("chunk", [1, 2, 2000])
def test_values_equal_across_kinds_keep_their_own_markup(monkeypatch_chunk, chunk):
    """1 == True == 1.0 and 0 == -0.0: a memo keyed by values must never hand one the other's cell."""
    monkeypatch_chunk(chunk)
    column = [1, True, 0, False, -0.0, 0.0, 1, True, 1.0, date(2020, 1, 1), datetime(2020, 1, 1), "1", None, ""]
    rows = [[v] for v in column * 2]
    kept = [("", [DATE_STYLE])]
    table, sheet = parts("", 1, kept)
    _, new_sheet = xlsx_patch._patch_one(table, sheet, ColumnRows([column * 2], len(rows)), 0, {DATE_STYLE})
    assert written_rows("", new_sheet) == expected_rows("", 1, kept, rows)


def test_the_streamed_sheet_is_an_ordinary_deflated_entry_with_or_without_isal(tmp_path, monkeypatch):
    """ISA-L deflates the rewritten sheet when installed; zipfile (and so Excel's readers) reads it as any entry."""
    import builtins
    import shutil
    import zipfile

    from dvk_xl.master.book import init_master
    from dvk_xl.spec.forms import REGISTER
    from dvk_xl.workbook.api import FileWorkbook

    master = init_master(tmp_path / "m", preset="phuong").path
    rows = [[f"Mô hình {i} & <{i % 7}>", *[f"giá trị {i % 13}"] * 11, None, None, None, *[f"x{i}"] * 11]
            for i in range(300)]
    written = {}
    real_import = builtins.__import__
    for isal in (True, False):
        if not isal:  # as on a machine without the package
            def no_isal(name, *args, **kwargs):
                if name.startswith("isal"):
                    raise ImportError(name)
                return real_import(name, *args, **kwargs)

            monkeypatch.setattr(builtins, "__import__", no_isal)
        target = tmp_path / f"out-{isal}.xlsx"
        shutil.copy(master, target)
        wb = FileWorkbook(target)
        headers = list(wb.read_table(REGISTER.table).columns)
        xlsx_patch.patch_tables(master, target, {REGISTER.table: (headers, rows)})
        with zipfile.ZipFile(target) as archive:
            assert archive.testzip() is None
            sheet = xlsx_patch._locate_tables(archive)[REGISTER.table][1]
            assert archive.getinfo(sheet).compress_type == zipfile.ZIP_DEFLATED
            written[isal] = archive.read(sheet), archive.getinfo(sheet).compress_size
    monkeypatch.undo()
    assert written[True][1] != written[False][1]  # two compressors really ran
    assert written[True][0] == written[False][0] and "Mô hình 299 &amp; &lt;5&gt;".encode() in written[True][0]
