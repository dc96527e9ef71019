"""The fast sheet scan (``_scan_sheet``) against the reference ``_SheetScan``: same results, same raises."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dvk_xl.demo.run import run_demo
from dvk_xl.workbook import xlsx_patch
from dvk_xl.workbook.xlsx_patch import (
    MAIN_NS,
    PatchUnsupported,
    _Fallback,
    _fast_scan,
    _scan_sheet,
    _SheetScan,
)


def outcome(scan, xml: bytes, *args: int) -> tuple:
    """What a scan gives the caller, as plain data (or that it raised)."""
    try:
        found = scan(xml, *args)
    except PatchUnsupported:
        return ("raised",)
    elements = [None if e is None else (e.name, e.attrs, e.start, e.end, e.empty)
                for e in (found.sheet_data, found.dimension)]
    return (found.prefix, found.kept, found.region, *elements, found.last_with_cells)


def check(xml: bytes, *args: int) -> bool:
    """The fast scan equals the reference; True when the fast path itself read the sheet."""
    reference = outcome(_SheetScan, xml, *args)
    assert outcome(_scan_sheet, xml, *args) == reference
    try:
        fast = outcome(_fast_scan, xml, *args)
    except _Fallback:
        return False
    assert fast == reference
    return True


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    directory = tmp_path_factory.mktemp("demo")
    run_demo(directory, force=True, echo=lambda _line: None)
    return directory


def test_every_worksheet_the_demo_writes(demo):
    files = sorted(demo.rglob("*.xlsx"))
    assert len(files) > 20
    fast = tables = 0
    for path in files:
        with zipfile.ZipFile(path) as archive:
            located = xlsx_patch._locate_tables(archive)
            sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/sheet")]
            for sheet in sheets:
                xml = archive.read(sheet)
                for table_part, sheet_part in located.values():
                    if sheet_part != sheet:
                        continue
                    tables += 1
                    (first_col, header, last_col, last), _ = xlsx_patch._patch_table_part(archive.read(table_part))
                    for body_last in (last, last + 3, header + 1, last + 40):
                        fast += check(xml, header + 1, body_last, first_col, last_col)
                check(xml, 2, 30, 1, 5)  # any sheet, as if a table were there
    assert tables > 20
    assert fast > tables  # the fast path read the tables itself, not only the fallback


def test_the_fast_path_reads_a_plain_register():
    rows = "".join(f'<row r="{n}" spans="1:3"><c r="A{n}" s="2" t="inlineStr"><is><t>a &gt; b</t></is></c>'
                   f'<c r="B{n}" s="3"><v>1</v></c><c r="C{n}"/></row>' for n in range(4, 9))
    xml = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{MAIN_NS}">'
           f'<dimension ref="A1:C8"/><sheetData>{rows}</sheetData></worksheet>').encode()
    assert check(xml, 5, 7, 1, 3)
    scan = _fast_scan(xml, 5, 7, 1, 3)
    assert scan.kept[5] == (' spans="1:3"', {"A": "2", "B": "3"})


PLAIN_TEXTS = ["<v>1</v>", "<f>SUM(A1)</f><v>2</v>", '<f t="shared" si="0"/>', "<v>a > b</v>",
               '<is><t xml:space="preserve">x &gt; y &amp; "z"</t></is>']
ODD_TEXTS = ['<f t="shared" ref="B5:B6" si="0">A1</f>', "<!-- c -->", "<v><![CDATA[<row r='1'>]]></v>", "<?pi x?>"]
ATTRIBUTE_VALUES = ["1", "a>b", "&quot;q&quot;", "&amp;", "&#9;t", "x'y", "15.75"]


def odd(draw, noisy: bool, one_in: int) -> bool:
    """Something unusual, once in ``one_in`` draws, in a noisy sheet only (a plain one takes the fast path)."""
    return noisy and not draw(st.integers(0, one_in - 1))


@st.composite
def cells(draw, prefix: str, number: int, columns: str, noisy: bool) -> str:
    column = draw(st.sampled_from("ABCDEFG" if odd(draw, noisy, 20) else columns))
    ref = draw(st.sampled_from([f"{column}{number + 1}", "", "5", f"{column}x"])) if odd(draw, noisy, 20) \
        else f"{column}{number}"
    attrs = [] if odd(draw, noisy, 30) else [f'r="{ref}"']
    if draw(st.booleans()):
        attrs.append(f's="{draw(st.sampled_from(["0", "7", "12", "7", "a>b", "&amp;"] if noisy else ["0", "7"]))}"')
    if draw(st.booleans()):
        attrs.append(f't="{draw(st.sampled_from(["s", "inlineStr", "n"]))}"')
    if odd(draw, noisy, 20):
        attrs.append('cm="1"')
    if odd(draw, noisy, 10):
        attrs = draw(st.permutations(attrs))
    space = "\n  " if odd(draw, noisy, 10) else " "
    head = f"<{prefix}c" + "".join(space + a for a in attrs)
    if draw(st.booleans()):
        return head + draw(st.sampled_from(["/>", " />"]))
    inner = draw(st.sampled_from(ODD_TEXTS if odd(draw, noisy, 20) else PLAIN_TEXTS)).replace("<v>", f"<{prefix}v>").replace("</v>", f"</{prefix}v>") \
        .replace("<f", f"<{prefix}f").replace("</f>", f"</{prefix}f>")
    return f"{head}>{inner}</{prefix}c>"


@st.composite
def rows(draw, prefix: str, number: int, columns: str, noisy: bool) -> str:
    attrs = [] if odd(draw, noisy, 30) else [f'r="{number}"']
    for name in draw(st.lists(st.sampled_from(["spans", "ht", "customHeight", "x14ac:dyDescent"]), unique=True)):
        value = draw(st.sampled_from(ATTRIBUTE_VALUES))
        attrs.append(f"{name}='{value}'" if "'" not in value and draw(st.booleans()) else f'{name}="{value}"')
    if odd(draw, noisy, 10):
        attrs = draw(st.permutations(attrs))
    head = f"<{prefix}row" + "".join(" " + a for a in attrs)
    if not draw(st.integers(0, 4)):
        return head + "/>"
    content = "".join(draw(st.lists(cells(prefix, number, columns, noisy), max_size=5)))
    if odd(draw, noisy, 40):
        content += f'<{prefix}row r="{number}"/>'  # a row inside a row
    return f"{head}>{content}</{prefix}row >" if not draw(st.integers(0, 9)) else f"{head}>{content}</{prefix}row>"


@st.composite
def sheets(draw) -> tuple[bytes, int, int, int, int]:
    first = draw(st.integers(2, 12))
    last = draw(st.integers(first, 32))
    first_col = draw(st.integers(1, 3))
    last_col = draw(st.integers(first_col, 5))
    columns = "ABCDE"[first_col - 1:last_col]
    prefix = draw(st.sampled_from(["", "x:"]))
    noisy = draw(st.booleans())
    numbers = draw(st.lists(st.integers(1, 30), max_size=8)) + draw(st.lists(st.integers(first, min(last, 30)),
                                                                             min_size=0 if noisy else 1, max_size=8))
    numbers = sorted(set(numbers))
    if odd(draw, noisy, 10) and len(numbers) > 1:
        numbers = draw(st.permutations(numbers))  # rows out of order
    between = ["<!-- between -->", f"<{prefix}c r='A1'/>"] if odd(draw, noisy, 5) else ["\n", "", "  "]
    body = "".join(draw(rows(prefix, n, columns, noisy)) + draw(st.sampled_from(between)) for n in numbers)
    ns = f'xmlns:x="{MAIN_NS}"' if prefix else f'xmlns="{MAIN_NS}"'
    root = f'<{prefix}worksheet {ns} xmlns:x14ac="urn:x14ac">'
    dimension = draw(st.sampled_from(["", f'<{prefix}dimension ref="A1:G30"/>', f"<{prefix}dimension ref='bad'/>"]))
    data = draw(st.sampled_from(["rows", "rows", "rows", "empty", "missing"] if noisy else ["rows"]))
    if data == "rows":
        sheet_data = f"<{prefix}sheetData>{body}</{prefix}sheetData>"
    elif data == "empty":
        sheet_data = draw(st.sampled_from([f"<{prefix}sheetData/>", f"<{prefix}sheetData></{prefix}sheetData>"]))
    else:
        sheet_data = ""
    tail = draw(st.sampled_from(["", f'<{prefix}mergeCells count="1"><{prefix}mergeCell ref="A1:B1"/></{prefix}mergeCells>',
                                 f'<{prefix}rowBreaks count="1"/>']))
    declaration = draw(st.sampled_from(["", '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n']))
    xml = f"{declaration}{root}{dimension}{sheet_data}{tail}</{prefix}worksheet>"
    if odd(draw, noisy, 15):
        xml = xml[:-3]  # not well-formed
    return xml.encode(), first, last, first_col, last_col


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sheets())
def test_generated_sheets_scan_the_same(sheet):
    check(*sheet)
