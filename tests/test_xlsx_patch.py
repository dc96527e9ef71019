"""The fast rewrite of a table's rows (dvk_xl/workbook/xlsx_patch.py): values, layout, and every way back to openpyxl."""

from __future__ import annotations

import re
import shutil
import zipfile
from datetime import date, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from openpyxl.styles import PatternFill
from python_calamine import CalamineWorkbook

from dvk_xl.master.book import init_master
from dvk_xl.spec.forms import REGISTER
from dvk_xl.workbook import xlsx_patch
from dvk_xl.workbook.api import FileWorkbook, _from_calamine
from dvk_xl.workbook.xlsx_patch import PatchUnsupported, patch_tables

HEADER_ROW = 4
KEPT_ROWS = 3  # body rows the prepared master holds, with a height, a hidden row and a staff fill
DATE_COLUMNS = {"M", "N", "O", "V"}  # dd/mm/yyyy in the register
LETTERS = [chr(65 + i) for i in range(26)]  # A..Z: DangKy's columns
YELLOW = "FFFFFF00"


@pytest.fixture(scope="module")
def prepared(tmp_path_factory) -> Path:
    """A ward master whose register has 3 rows: row 5 tall, row 6 hidden with a yellow D6, row 7 plain."""
    path = init_master(tmp_path_factory.mktemp("master"), preset="phuong").path
    wb = FileWorkbook(path)
    frame = wb.read_table(REGISTER.table)
    for i in range(KEPT_ROWS):
        frame.loc[i] = [f"cũ {i}"] * len(frame.columns)
    wb.write_table(REGISTER.table, frame)
    wb.save()
    book = load_workbook(path)
    ws = book[REGISTER.sheet]
    ws.row_dimensions[5].height = 42
    ws.row_dimensions[6].hidden = True
    ws["D6"].fill = PatternFill("solid", fgColor=YELLOW)
    book.save(path)
    return path


def headers_of(path: Path) -> list[str]:
    return [str(h).strip() for h in FileWorkbook(path)._fast.get_table_by_name(REGISTER.table).columns]


def sheet_xml(path: Path, table: str = REGISTER.table) -> tuple[bytes, bytes]:
    with zipfile.ZipFile(path) as archive:
        table_part, sheet_part = xlsx_patch._locate_tables(archive)[table]
        return archive.read(table_part), archive.read(sheet_part)


def rewrite_part(path: Path, part: str, change) -> None:
    with zipfile.ZipFile(path) as archive:
        parts = [(info, archive.read(info.filename)) for info in archive.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info, data in parts:
            out.writestr(info, change(data) if info.filename == part else data)


def sheet_part_of(path: Path) -> str:
    with zipfile.ZipFile(path) as archive:
        return xlsx_patch._locate_tables(archive)[REGISTER.table][1]


def expected(value):
    """A written value as it should read back: control characters dropped, empty text as empty."""
    if isinstance(value, str):
        value = xlsx_patch._INVALID_XML.sub("", value)
        return value or None
    if isinstance(value, date) and not isinstance(value, datetime):
        return datetime(value.year, value.month, value.day)
    return value


VIETNAMESE = "aăâbcdđeêghiklmnoôơpqrstuưvxyàảãáạằẳẵắặầẩẫấậèẻẽéẹềểễếệìỉĩíịòỏõóọồổỗốộờởỡớợùủũúụừửữứựỳỷỹýỵĐĂÂÊÔƠƯ "
text = st.one_of(
    st.text(alphabet=VIETNAMESE + "<&>\"'\t\n\r\x00\x01\x0b\x1f\ufffe;", max_size=40),
    st.builds(lambda p, t: p + t, st.sampled_from(["=", "+", "-", "@", "=SUM(A1:A3)", "'"]),
              st.text(alphabet=VIETNAMESE + "()1", max_size=10)),
    st.builds(lambda n: "Dân vận khéo " * n, st.integers(300, 2000)),  # up to ~26,000 characters
)
number = st.one_of(st.integers(-10**15, 10**15),
                   st.floats(allow_nan=False, allow_infinity=False, min_value=-1e15, max_value=1e15))
day = st.dates(date(1950, 1, 1), date(2100, 12, 31))


@st.composite
def tables(draw):
    count = draw(st.integers(0, 12))
    return [[draw(st.one_of(st.none(), day, text) if letter in DATE_COLUMNS else st.one_of(st.none(), number, text))
             for letter in LETTERS] for _ in range(count)]


def check_read_back(path: Path, rows: list[list]) -> None:
    want = [[expected(v) for v in row] for row in rows]
    calamine = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(REGISTER.sheet).to_python(skip_empty_area=False)
    body = [list(row[:26]) for row in calamine[HEADER_ROW:HEADER_ROW + len(rows)]]
    body += [[]] * (len(rows) - len(body))  # calamine leaves out empty rows at the end
    got = [[_from_calamine(v) for v in row + [None] * (26 - len(row))] for row in body]
    assert got == want
    ws = load_workbook(path)[REGISTER.sheet]
    got = [list(r) for r in ws.iter_rows(min_row=HEADER_ROW + 1, max_row=HEADER_ROW + len(rows), max_col=26,
                                         values_only=True)]
    assert got == want
    table = ws.tables[REGISTER.table]
    last = HEADER_ROW + max(len(rows), 1)
    assert table.ref == f"A{HEADER_ROW}:Z{last}" and table.autoFilter.ref == table.ref
    dimension = re.search(rb'<dimension ref="([^"]+)"', sheet_xml(path)[1]).group(1).decode()
    assert dimension == f"A1:Z{last}"
    # Staff formatting on rows that stay in the table stays with them.
    if len(rows) >= 1:
        assert ws.row_dimensions[5].height == 42
    if len(rows) >= 2:
        assert ws.row_dimensions[6].hidden and ws["D6"].fill.fgColor.rgb == YELLOW
    for r in range(HEADER_ROW + len(rows) + 1, HEADER_ROW + KEPT_ROWS + 1):
        assert all(c.value is None for c in ws[r])  # rows that left the table are gone
    for letter in DATE_COLUMNS:
        for r, row in enumerate(want, start=HEADER_ROW + 1):
            if isinstance(row[LETTERS.index(letter)], datetime):
                assert ws[f"{letter}{r}"].number_format == "dd/mm/yyyy"


@settings(max_examples=35, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow, HealthCheck.data_too_large])
@given(rows=tables())
def test_what_is_written_reads_back_exactly(prepared, tmp_path, rows):
    target = tmp_path / "out.xlsx"
    patch_tables(prepared, target, {REGISTER.table: (headers_of(prepared), rows)})
    check_read_back(target, rows)


def test_everything_outside_the_rows_stays_byte_for_byte(prepared, tmp_path):
    target = tmp_path / "out.xlsx"
    patch_tables(prepared, target, {REGISTER.table: (headers_of(prepared), [["x"] * 26] * 5)})
    with zipfile.ZipFile(prepared) as before, zipfile.ZipFile(target) as after:
        assert before.namelist() == after.namelist()
        changed = [n for n in before.namelist() if before.read(n) != after.read(n)]
    assert sorted(changed) == sorted(sheet_xml_names(prepared))
    old, new = sheet_xml(prepared)[1], sheet_xml(target)[1]
    head = old[: old.index(b'<row r="5"')]
    # only the dimension changes before the rows (the fixture's writer may have put a space before "/>")
    assert re.search(rb'<dimension ref="A1:Z9" ?/>', new)
    dimension = re.compile(rb"<dimension\b[^>]*>")
    assert dimension.sub(b"", new).startswith(dimension.sub(b"", head))
    assert new[new.index(b"</sheetData>"):] == old[old.index(b"</sheetData>"):]


def sheet_xml_names(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as archive:
        return list(xlsx_patch._locate_tables(archive)[REGISTER.table])


def test_excel_namespaces_and_row_attributes_are_kept(prepared, tmp_path):
    """An Excel-saved sheet: mc:Ignorable, x14ac:dyDescent on rows, an extLst; prefixes exactly as written."""
    source = tmp_path / "excel.xlsx"
    shutil.copy(prepared, source)

    def excelify(xml: bytes) -> bytes:
        xml = xml.replace(b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">',
                          b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n<worksheet xmlns="http://'
                          b'schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:mc="http://schemas.openxml'
                          b'formats.org/markup-compatibility/2006" mc:Ignorable="x14ac" xmlns:x14ac="http://'
                          b'schemas.microsoft.com/office/spreadsheetml/2009/9/ac">', 1)
        xml = re.sub(rb'<row r="(5|6|7)"', rb'<row r="\1" spans="1:26" x14ac:dyDescent="0.25" outlineLevel="1"', xml)
        return xml.replace(b"</worksheet>", b'<extLst><ext uri="{X}" xmlns:x14="http://schemas.microsoft.com/'
                                            b'office/spreadsheetml/2009/9/main"><x14:foo/></ext></extLst></worksheet>')

    rewrite_part(source, sheet_part_of(source), excelify)
    target = tmp_path / "out.xlsx"
    rows = [[f"mới {i}"] + [None] * 25 for i in range(4)]
    patch_tables(source, target, {REGISTER.table: (headers_of(source), rows)})
    xml = sheet_xml(target)[1]
    assert xml.startswith(b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\r\n<worksheet xmlns=')
    assert b'mc:Ignorable="x14ac"' in xml and b"<x14:foo/></ext></extLst></worksheet>" in xml
    assert re.search(rb'<row r="5" spans="1:26" x14ac:dyDescent="0.25" outlineLevel="1" ht="42" customHeight="1">',
                     xml), xml[xml.index(b'<row r="5"'):][:200]
    assert b'<row r="6" spans="1:26" x14ac:dyDescent="0.25" outlineLevel="1" hidden="1">' in xml
    assert b'<row r="8">' in xml  # a new row: no attributes taken from elsewhere
    check_read_back(target, rows)


def test_a_prefixed_spreadsheet_namespace_is_written_with_its_prefix(tmp_path):
    sheet = (b'<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:dimension ref="A1:B2"></x:dimension>'
             b'<x:sheetData><x:row r="1"><x:c r="A1" t="inlineStr"><x:is><x:t>A</x:t></x:is></x:c>'
             b'<x:c r="B1" t="inlineStr"><x:is><x:t>B</x:t></x:is></x:c></x:row>'
             b'<x:row r="2" ht="20" customHeight="1" note="a>b/>"><x:c r="A2" s="1"><x:v>1</x:v></x:c></x:row></x:sheetData>'
             b'</x:worksheet>')
    table = (b'<table xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" id="1" name="T" '
             b'displayName="T" ref="A1:B2"><autoFilter ref="A1:B2"/><tableColumns count="2">'
             b'<tableColumn id="1" name="A"/><tableColumn id="2" name="B"/></tableColumns></table>')
    new_table, new_sheet = xlsx_patch._patch_one(table, sheet, [[1, "<b>"], ["x", None], [2.5, "y"]])
    assert b'ref="A1:B4"' in new_table and b'<autoFilter ref="A1:B4"/>' in new_table
    assert b'<x:dimension ref="A1:B4"></x:dimension>' in new_sheet
    assert (b'<x:row r="2" ht="20" customHeight="1" note="a&gt;b/&gt;"><x:c r="A2" s="1"><x:v>1</x:v></x:c><x:c r="B2" '
            b't="inlineStr"><x:is><x:t xml:space="preserve">&lt;b&gt;</x:t></x:is></x:c></x:row><x:row r="3">') in new_sheet
    assert new_sheet.endswith(b"</x:row></x:sheetData></x:worksheet>")


def test_a_note_further_down_and_beside_keeps_the_dimension(prepared, tmp_path):
    source = tmp_path / "note.xlsx"
    shutil.copy(prepared, source)
    book = load_workbook(source)
    book[REGISTER.sheet]["AB40"] = "Ghi chú"
    book.save(source)
    target = tmp_path / "out.xlsx"
    patch_tables(source, target, {REGISTER.table: (headers_of(source), [["a"] * 26] * 2)})
    assert re.search(rb'<dimension ref="([^"]+)"', sheet_xml(target)[1]).group(1) == b"A1:AB40"
    assert load_workbook(target)[REGISTER.sheet]["AB40"].value == "Ghi chú"


# --- every way back to openpyxl ----------------------------------------------------------------


@pytest.fixture
def spy(monkeypatch):
    """Records what each patch attempt raised (None when it went through)."""
    outcomes: list[Exception | None] = []
    real = xlsx_patch.patch_tables

    def watched(*args, **kwargs):
        try:
            real(*args, **kwargs)
        except PatchUnsupported as exc:
            outcomes.append(exc)
            raise
        outcomes.append(None)

    monkeypatch.setattr(xlsx_patch, "patch_tables", watched)
    return outcomes


def save_rows(path: Path, rows: list[list]) -> None:
    wb = FileWorkbook(path)
    frame = wb.read_table(REGISTER.table)
    frame = frame.iloc[0:0].copy()
    for i, row in enumerate(rows):
        frame.loc[i] = row
    wb.write_table(REGISTER.table, frame)
    wb.save()


def register_values(path: Path, count: int) -> list[list]:
    ws = load_workbook(path)[REGISTER.sheet]
    return [list(r) for r in ws.iter_rows(min_row=5, max_row=4 + count, max_col=26, values_only=True)]


def test_the_fast_path_is_taken_for_an_ordinary_master(prepared, tmp_path, spy):
    path = tmp_path / "m.xlsx"
    shutil.copy(prepared, path)
    save_rows(path, [["a"] * 26])
    assert spy == [None]


def test_cells_beside_the_table_fall_back_and_are_kept(prepared, tmp_path, spy):
    path = tmp_path / "m.xlsx"
    shutil.copy(prepared, path)
    book = load_workbook(path)
    book[REGISTER.sheet]["AA6"] = "Ghi chú bên cạnh"
    book.save(path)
    rows = [[f"m{i}"] + [None] * 25 for i in range(5)]
    save_rows(path, rows)
    assert "beside" in str(spy[0])
    assert register_values(path, 5) == rows
    assert load_workbook(path)[REGISTER.sheet]["AA6"].value == "Ghi chú bên cạnh"


def test_a_date_in_a_column_without_a_date_format_falls_back_and_reads_as_a_date(prepared, tmp_path, spy):
    path = tmp_path / "m.xlsx"
    shutil.copy(prepared, path)
    rows = [["a", date(2026, 3, 1)] + [None] * 24]
    save_rows(path, rows)
    assert "date" in str(spy[0])
    assert register_values(path, 1) == [["a", datetime(2026, 3, 1)] + [None] * 24]


def test_a_shared_formula_in_the_table_falls_back(prepared, tmp_path, spy):
    path = tmp_path / "m.xlsx"
    shutil.copy(prepared, path)

    def shared(xml: bytes) -> bytes:
        xml = re.sub(rb'<c r="R5"[^>]*?(/>|>.*?</c>)', b'<c r="R5"><f t="shared" ref="R5:R6" si="0">"k"&amp;"x"</f>'
                                                       b'<v>kx</v></c>', xml, count=1, flags=re.S)
        return re.sub(rb'<c r="R6"[^>]*?(/>|>.*?</c>)', b'<c r="R6"><f t="shared" si="0"/><v>kx</v></c>', xml,
                      count=1, flags=re.S)

    rewrite_part(path, sheet_part_of(path), shared)
    rows = [[f"m{i}"] + [None] * 25 for i in range(4)]
    save_rows(path, rows)
    assert "formula" in str(spy[0])
    assert register_values(path, 4) == rows


def test_header_names_with_spaces_fall_back(prepared, tmp_path, spy):
    path = tmp_path / "m.xlsx"
    shutil.copy(prepared, path)
    rewrite_part(path, sheet_xml_names(path)[0], lambda xml: xml.replace(b'name="Ghi ch\xc3\xba"',
                                                                          b'name="Ghi ch\xc3\xba "'))
    rows = [[f"m{i}"] + [None] * 25 for i in range(2)]
    save_rows(path, rows)
    assert "columns differ" in str(spy[0])
    assert register_values(path, 2) == rows


@pytest.mark.parametrize("change, reason", [
    (lambda t, s: (t.replace(b'headerRowCount="1"', b'headerRowCount="1" totalsRowCount="1"'), s), "totals"),
    (lambda t, s: (t.replace(b'headerRowCount="1"', b'headerRowCount="0"'), s), "header"),
    (lambda t, s: (t, s.replace(b'<row r="6"', b"<row", 1)), "number"),
    (lambda t, s: (t, s.replace(b'<row r="6"', b'<row r="2"', 1)), "order"),
    (lambda t, s: (t, re.sub(rb'<c r="B5"', b"<c", s, count=1)), "reference"),
    (lambda t, s: (t, s.replace(b"</sheetData>", b"</sheetDat>")), "XML"),
    (lambda t, s: (t, re.sub(rb"<sheetData>.*</sheetData>", b"", s, flags=re.S)), "data"),
    (lambda t, s: (t, s.replace(b"spreadsheetml/2006/main", b"example.com/other", 1)), "SpreadsheetML"),
    (lambda t, s: (t.replace(b'ref="A4:Z7"', b'ref="A4:Z"'), s), "reference"),
])
def test_layouts_the_patch_refuses(prepared, change, reason):
    table, sheet = sheet_xml(prepared)
    table, sheet = change(table, sheet)
    with pytest.raises(PatchUnsupported, match=reason):
        xlsx_patch._patch_one(table, sheet, [["a"] * 26])


def test_an_unknown_table_or_an_infinite_number_is_refused(prepared, tmp_path):
    with pytest.raises(PatchUnsupported):
        patch_tables(prepared, tmp_path / "o.xlsx", {"KhongCo": (["a"], [["x"]])})
    with pytest.raises(PatchUnsupported, match="infinite"):
        patch_tables(prepared, tmp_path / "o.xlsx", {REGISTER.table: (headers_of(prepared), [[float("inf")] * 26])})


def test_a_totals_row_falls_back_through_the_workbook(prepared, tmp_path, spy):
    path = tmp_path / "m.xlsx"
    shutil.copy(prepared, path)
    rewrite_part(path, sheet_xml_names(path)[0],
                 lambda xml: xml.replace(b'headerRowCount="1"', b'headerRowCount="1" totalsRowCount="1"'))
    rows = [[f"m{i}"] + [None] * 25 for i in range(2)]
    save_rows(path, rows)
    assert "totals" in str(spy[0])
    assert register_values(path, 2) == rows


@pytest.mark.libreoffice
def test_a_patched_master_opens_in_libreoffice(prepared, tmp_path):
    from .conftest import pdf_text, soffice_to_pdf

    target = tmp_path / "patched.xlsx"
    rows = [[f"DVK-2026-CB01-{i}", "CB01", "Chi bộ <Khu> & “số 1”", "=SUM(A1:A3)", "Kinh tế"] + [None] * 7
            + [date(2026, 3, 1), date(2026, 11, 30), None] + [None] * 10 for i in range(1, 40)]
    patch_tables(prepared, target, {REGISTER.table: (headers_of(prepared), rows)})
    text = pdf_text(soffice_to_pdf(target, tmp_path / "pdf"), 1, 99)
    assert "DVK-2026-CB01-39" in text and "=SUM(A1:A3)" in text and "01/03/2026" in text


def test_a_remembered_sort_follows_the_table(prepared):
    table, sheet = sheet_xml(prepared)
    table = re.sub(rb'<autoFilter ref="A4:Z7" ?/>', b'<autoFilter ref="A4:Z7"/><sortState ref="A5:Z7">'
                   b'<sortCondition descending="1" ref="D5:D7"/></sortState>', table)
    new_table, _ = xlsx_patch._patch_one(table, sheet, [["a"] * 26] * 10)
    assert b'<autoFilter ref="A4:Z14"/><sortState ref="A5:Z14"><sortCondition descending="1" ref="D5:D14"/>' in new_table
    assert b' ref="A4:Z14" ' in new_table
