"""Fast rewrite of named tables' rows inside an .xlsx, without loading the whole workbook.

openpyxl needs ~3 s to load and save a master with 5,000 registered models and ~30 s with 50,000;
rewriting only the table's rows in the sheet XML takes a fraction of that. Every other part of the
file (other sheets, styles, validations, print setup, charts) is copied byte for byte.

The sheet is read with lxml's ``iterparse`` (a real, namespace-aware parser): the table's body rows
are taken out of the tree as they stream past (so a 50,000-row register never sits in memory as
elements), everything else stays in the tree and is written back by lxml, which keeps namespace
prefixes, ``mc:Ignorable`` and ``extLst`` exactly as Excel wrote them (``xml.etree`` renames prefixes
to ``ns0:``, which Excel refuses). The new rows themselves are built as text and spliced in: making
a million lxml elements would be several times slower than the string builder.

A rewritten row keeps its row attributes (height, hidden, outline level, row style, x14ac:dyDescent…)
and its cells' styles (a fill staff put on a model stays with it: the register keeps each model at
its row); a new row takes each column's style from the first body row. Text is written as an inline
string, so "=SUM(A1)" typed by a unit never becomes a formula; dates as serial numbers with a date
style. When the layout is one this path cannot rewrite safely it raises PatchUnsupported, and the
caller (FileWorkbook.save) falls back to openpyxl.
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date, datetime, time
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from lxml import etree

from .forms import excel_column

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_ROW_TAG = f"{{{MAIN_NS}}}row"
_CELL_TAG = f"{{{MAIN_NS}}}c"
_FORMULA_TAG = f"{{{MAIN_NS}}}f"
_REF = re.compile(r"^\$?([A-Z]{1,3})\$?(\d+)(?::\$?([A-Z]{1,3})\$?(\d+))?$")
_CELL_LETTERS = re.compile(r"^([A-Z]{1,3})\d+$")
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_MARK = b"<?dvk-rows ?>"  # as lxml writes the processing instruction marking where the rows go
EXCEL_EPOCH = datetime(1899, 12, 30)
# Built-in number formats that show a date or time (ECMA-376 18.8.30, with the East Asian ids).
_BUILTIN_DATES = {*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 59)}
_PARSER_OPTIONS = {"huge_tree": True, "remove_blank_text": False, "resolve_entities": False}


class PatchUnsupported(Exception):
    """The file is laid out in a way the fast path does not handle; use the slow, general path."""


def column_number(letters: str) -> int:
    number = 0
    for ch in letters:
        number = number * 26 + ord(ch) - 64
    return number


def _serial(value: date | datetime) -> str:
    if not isinstance(value, datetime):
        value = datetime.combine(value, time())
    delta = value - EXCEL_EPOCH
    serial = delta.days + (delta.seconds + delta.microseconds / 1e6) / 86400
    return str(int(serial)) if serial == int(serial) else repr(serial)


def _cell(ref: str, value: Any, style: str | None) -> str:
    s = f' s="{style}"' if style else ""
    if value is None or value == "" or (isinstance(value, float) and value != value):
        return f'<c r="{ref}"{s}/>' if style else ""
    if isinstance(value, bool):
        return f'<c r="{ref}"{s} t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int | float):
        if isinstance(value, float) and value in (float("inf"), float("-inf")):
            raise PatchUnsupported("an infinite number")
        return f'<c r="{ref}"{s}><v>{value!r}</v></c>'
    if isinstance(value, date):
        return f'<c r="{ref}"{s}><v>{_serial(value)}</v></c>'
    text = _INVALID_XML.sub("", str(value))
    # An inline string is always text: "=SUM(A1)" typed by a unit can never become a formula.
    return f'<c r="{ref}"{s} t="inlineStr"><is><t xml:space="preserve">{escape(text)}</t></is></c>'


def _parse_ref(ref: str) -> tuple[int, int, int, int]:
    """'B4:Y20' -> (first column, first row, last column, last row), 1-based."""
    match = _REF.match(ref or "")
    if not match:
        raise PatchUnsupported(f"reference {ref!r}")
    first, top = column_number(match.group(1)), int(match.group(2))
    if match.group(3) is None:
        return first, top, first, top
    return first, top, column_number(match.group(3)), int(match.group(4))


def _locate_tables(archive: zipfile.ZipFile) -> dict[str, tuple[str, str]]:
    """{table name: (table part, sheet part)}."""
    names = archive.namelist()
    table_parts = {}
    for name in names:
        if name.startswith("xl/tables/") and name.endswith(".xml"):
            root = etree.fromstring(archive.read(name))
            if root.get("displayName"):
                table_parts[name.rsplit("/", 1)[1]] = (root.get("displayName"), name)
    located = {}
    for name in names:
        if name.startswith("xl/worksheets/_rels/") and name.endswith(".rels"):
            sheet = "xl/worksheets/" + name.rsplit("/", 1)[1][: -len(".rels")]
            for rel in etree.fromstring(archive.read(name)):
                target = rel.get("Target") or ""
                file = target.rsplit("/", 1)[-1]
                if "tables/" in target and file in table_parts:
                    table_name, part = table_parts[file]
                    located[table_name] = (part, sheet)
    return located


def table_headers(archive: zipfile.ZipFile, table_part: str) -> list[str]:
    root = etree.fromstring(archive.read(table_part))
    return [c.get("name", "") for c in root.iter(f"{{{MAIN_NS}}}tableColumn")]


def _is_date_code(code: str) -> bool:
    code = re.sub(r'"[^"]*"|\[[^\]]*\]|\\.|_.|\*.', "", code).lower()
    return bool(re.search(r"[dmyhs]", code)) and "general" not in code


def date_styles(styles_xml: bytes | None) -> set[str]:
    """Indices (as text, as in ``s="…"``) of the cell styles that show a date."""
    if not styles_xml:
        return set()
    root = etree.fromstring(styles_xml)
    codes = {int(f.get("numFmtId")): f.get("formatCode", "") for f in root.iter(f"{{{MAIN_NS}}}numFmt")}
    found = set()
    xfs = root.find(f"{{{MAIN_NS}}}cellXfs")
    for index, xf in enumerate(xfs if xfs is not None else []):
        number = int(xf.get("numFmtId", "0"))
        if number in codes and _is_date_code(codes[number]) or number not in codes and number in _BUILTIN_DATES:
            found.add(str(index))
    return found


def patch_tables(source: Path, target: Path, writes: dict[str, tuple[list[str], list[list[Any]]]],
                 rows_below: dict[str, int] | None = None) -> None:
    """Copy ``source`` to ``target`` with each named table's body replaced by ``rows``.

    ``writes`` maps a table name to (its headers in table order, rows of values in that order).
    ``rows_below`` gives, per table, how many rows typed just under it were read as its rows: they
    are rewritten with the table (the caller has checked nothing else lies in the way).
    Raises PatchUnsupported when the layout is not one this fast path can rewrite safely.
    """
    try:
        with zipfile.ZipFile(source) as archive:
            located = _locate_tables(archive)
            parts = {info.filename: archive.read(info.filename) for info in archive.infolist()}
            infos = archive.infolist()
            dates = date_styles(parts.get("xl/styles.xml"))
            for name, (headers, rows) in writes.items():
                if name not in located:
                    raise PatchUnsupported(name)
                table_part, sheet_part = located[name]
                if table_headers(archive, table_part) != headers:
                    raise PatchUnsupported(f"{name}: columns differ")
                parts[table_part], parts[sheet_part] = _patch_one(parts[table_part], parts[sheet_part], rows,
                                                                  (rows_below or {}).get(name, 0), dates)
    except etree.XMLSyntaxError as exc:
        raise PatchUnsupported(f"XML: {exc}") from exc
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for info in infos:
            out.writestr(info, parts[info.filename], compress_type=zipfile.ZIP_DEFLATED)


def _prolog(xml: bytes) -> bytes:
    """The XML declaration as the file had it (lxml would rewrite it with single quotes)."""
    if xml.startswith(b"<?xml"):
        end = xml.index(b"?>") + 2
        while end < len(xml) and xml[end:end + 1] in b"\r\n":
            end += 1
        return xml[:end]
    return b""


def _serialize(tree: Any, original: bytes) -> bytes:
    return _prolog(original) + etree.tostring(tree, encoding="UTF-8", xml_declaration=False)


def _patch_table_part(table_xml: bytes) -> tuple[Any, Any, tuple[int, int, int, int]]:
    root = etree.fromstring(table_xml)
    if root.get("headerRowCount", "1") != "1":
        raise PatchUnsupported("a table without its header row")
    if root.get("totalsRowCount", "0") != "0":
        raise PatchUnsupported("a table with a totals row")
    return root, root.find(f"{{{MAIN_NS}}}autoFilter"), _parse_ref(root.get("ref", ""))


def _row_attributes(row: Any, declared: dict[str | None, str]) -> str:
    """A kept row's attributes (but ``r``) as text, with their namespace prefixes as the file has them."""
    prefixes = {uri: prefix for prefix, uri in row.nsmap.items() if prefix}
    text = []
    extra = {}
    for key, value in row.attrib.items():
        if key == "r":
            continue
        if key.startswith("{"):
            uri, local = key[1:].split("}", 1)
            prefix = prefixes.get(uri) or ("xml" if uri == "http://www.w3.org/XML/1998/namespace" else None)
            if prefix is None:
                raise PatchUnsupported("a row attribute without a namespace prefix")
            if prefix != "xml" and declared.get(prefix) != uri:
                extra[prefix] = uri  # declared on the row itself: declare it again on the new row
            key = f"{prefix}:{local}"
        text.append(f' {key}="{escape(value, {chr(34): "&quot;"})}"')
    return "".join(f' xmlns:{p}="{escape(u)}"' for p, u in extra.items()) + "".join(text)


def _patch_one(table_xml: bytes, sheet_xml: bytes, rows: list[list[Any]], rows_below: int = 0,
               dates: set[str] | None = None) -> tuple[bytes, bytes]:
    table, auto_filter, (first_col, header_row, last_col, old_last) = _patch_table_part(table_xml)
    dates = dates or set()
    new_last = header_row + max(len(rows), 1)
    body_first, body_last = header_row + 1, max(old_last + rows_below, new_last)
    letters = [excel_column(c - 1) for c in range(first_col, last_col + 1)]

    kept: dict[int, tuple[str, dict[str, str]]] = {}  # row -> (its attributes as text, {column: style})
    last_with_cells = 0
    previous = 0
    sheet_data = None
    mark_before = None  # the first row after the table's body, if any: the new rows go before it
    declared: dict[str | None, str] = {}
    parser = etree.iterparse(io.BytesIO(sheet_xml), events=("end",), tag=_ROW_TAG, **_PARSER_OPTIONS)
    for _, row in parser:
        number = row.get("r")
        if number is None or not number.isdigit():
            raise PatchUnsupported("a row without its number")
        number = int(number)
        if number <= previous:
            raise PatchUnsupported("rows out of order")
        previous = number
        if sheet_data is None:
            sheet_data = row.getparent()
            declared = dict(sheet_data.nsmap)
        if number < body_first or number > body_last:
            if len(row):
                last_with_cells = max(last_with_cells, number)
            if number > body_last and mark_before is None:
                mark_before = row
            continue
        styles = {}
        for cell in row:
            if cell.tag != _CELL_TAG:
                raise PatchUnsupported("unknown content in a row")
            match = _CELL_LETTERS.match(cell.get("r") or "")
            if not match:
                raise PatchUnsupported("a cell without its reference")
            column = match.group(1)
            if not first_col <= column_number(column) <= last_col:
                raise PatchUnsupported("cells beside the table would be lost")
            formula = cell.find(_FORMULA_TAG)
            if formula is not None and formula.get("ref"):
                raise PatchUnsupported("a shared or array formula starts in the table")
            if cell.get("s"):
                styles[column] = cell.get("s")
        if number <= old_last:
            kept[number] = (_row_attributes(row, declared), styles)
        row.getparent().remove(row)  # streamed past: the table's rows are written anew below
    root = parser.root
    if sheet_data is None:
        sheet_data = root.find(f"{{{MAIN_NS}}}sheetData")
        if sheet_data is None:
            raise PatchUnsupported("a sheet without its data")
    mark = etree.ProcessingInstruction("dvk-rows")
    if mark_before is not None:
        mark_before.addprevious(mark)
    else:
        sheet_data.append(mark)

    column_styles = kept.get(body_first, ("", {}))[1]
    parts = []
    body = rows or [[None] * len(letters)]
    for number, values in enumerate(body, start=body_first):
        attributes, own = kept.get(number, ("", {}))
        cells = []
        for column, value in zip(letters, values, strict=False):
            style = own.get(column) or column_styles.get(column)
            if isinstance(value, date) and style not in dates:
                style = column_styles.get(column)
                if style not in dates:
                    raise PatchUnsupported(f"a date in column {column} without a date format")
            cells.append(_cell(f"{column}{number}", value, style))
        parts.append(f'<row r="{number}"{attributes}>{"".join(cells)}</row>')

    last_col_letters = excel_column(last_col - 1)
    dimension = root.find(f"{{{MAIN_NS}}}dimension")
    if dimension is not None:
        try:
            left, top, right, _ = _parse_ref(dimension.get("ref", ""))
        except PatchUnsupported:
            left, top, right = first_col, header_row, last_col
        left, top, right = min(left, first_col), min(top, header_row), max(right, last_col)
        bottom = max(new_last, last_with_cells)
        dimension.set("ref", f"{excel_column(left - 1)}{top}:{excel_column(right - 1)}{bottom}")

    new_ref = f"{excel_column(first_col - 1)}{header_row}:{last_col_letters}{new_last}"
    table.set("ref", new_ref)
    if auto_filter is not None:
        auto_filter.set("ref", new_ref)
    head, tail = _serialize(root.getroottree(), sheet_xml).split(_MARK)
    return _serialize(table.getroottree(), table_xml), head + "".join(parts).encode() + tail

