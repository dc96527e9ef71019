"""Fast rewrite of named tables' rows inside an .xlsx, without loading the whole workbook.

openpyxl needs ~3 s to load and save a master with 5,000 registered models and ~30 s with 50,000;
rewriting only the table's rows in the sheet XML takes a fraction of that. Every other part of the
file (other sheets, styles, validations, print setup, charts) is copied byte for byte, and so is
every byte of the sheet and table parts outside what is rewritten: namespace prefixes,
``mc:Ignorable``, ``extLst`` and ``x14ac:dyDescent`` stay exactly as Excel wrote them.

The parts are read with expat (the standard library's XML parser, under ``xml.etree``) streaming
over the bytes, with no namespace processing so that names and attributes come as written, and
its byte offsets say where each table row starts and ends. Why expat: measured on a 50,000-row
register (160 MB of sheet XML) lxml's ``iterparse`` took 12-17 s just to parse (it builds every
cell's text), expat with start/end handlers 10 s, about the cost of the regular expressions this
replaced; re-serialising the rest with lxml or ``xml.etree`` would also rewrite bytes (``xml.etree``
renames prefixes to ``ns0:``, which Excel refuses). The new rows are written as text with a plain
string builder: making a million elements would be several times slower.

A rewritten row keeps its row attributes (height, hidden, outline level, row style, x14ac:dyDescent…)
and its cells' styles (a fill staff put on a model stays with it: the register keeps each model at
its row); a new row takes each column's style from the first body row. Rows that leave a shrinking
table go (they held only the table's cells). Text is written as an inline string, so "=SUM(A1)"
typed by a unit never becomes a formula; dates as serial numbers with a date style. When the layout
is one this path cannot rewrite safely it raises PatchUnsupported, and the caller
(FileWorkbook.save) falls back to openpyxl.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable, Iterator
from datetime import date, datetime, time
from itertools import chain
from pathlib import Path
from typing import Any
from xml.parsers import expat

from ..spec.forms import column_number, excel_column

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REF = re.compile(r"^\$?([A-Z]{1,3})\$?(\d+)(?::\$?([A-Z]{1,3})\$?(\d+))?$")
_CELL_LETTERS = re.compile(r"^([A-Z]{1,3})\d+$")
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
EXCEL_EPOCH = datetime(1899, 12, 30)
# Built-in number formats that show a date or time (ECMA-376 18.8.30, with the East Asian ids).
STREAM_LEVEL = 1  # zlib level of the rewritten sheets
_BODY_CHUNK = 2000  # rows of a rewritten table made and written at a time
_BUILTIN_DATES = {*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 59)}


class PatchUnsupported(Exception):
    """The file is laid out in a way the fast path does not handle; use the slow, general path."""


def _serial(value: date | datetime) -> str:
    if not isinstance(value, datetime):
        value = datetime.combine(value, time())
    delta = value - EXCEL_EPOCH
    serial = delta.days + (delta.seconds + delta.microseconds / 1e6) / 86400
    return str(int(serial)) if serial == int(serial) else repr(serial)


def _text(value: str) -> str:
    if _INVALID_XML.search(value):
        value = _INVALID_XML.sub("", value)
    value = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return value.replace("\r", "&#13;") if "\r" in value else value  # a parser would read a bare CR as LF


def _attribute(value: str) -> str:
    return (_text(value).replace('"', "&quot;").replace("\t", "&#9;").replace("\n", "&#10;")
            .replace("\r", "&#13;"))


def _cell(ref: str, value: Any, style: str | None) -> str:
    s = f' s="{style}"' if style else ""
    kind = type(value)
    if kind is str:
        value = _text(value)  # text of control characters only is an empty cell
        if value:
            # An inline string is always text: "=SUM(A1)" typed by a unit can never become a formula.
            return f'<c r="{ref}"{s} t="inlineStr"><is><t xml:space="preserve">{value}</t></is></c>'
    if value is None or value == "" or (kind is float and value != value):
        return f'<c r="{ref}"{s}/>' if style else ""
    if kind is bool:
        return f'<c r="{ref}"{s} t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int | float):
        if value in (float("inf"), float("-inf")):
            raise PatchUnsupported("an infinite number")
        return f'<c r="{ref}"{s}><v>{value!r}</v></c>'
    if isinstance(value, date):
        return f'<c r="{ref}"{s}><v>{_serial(value)}</v></c>'
    text = _text(str(value))
    if not text:
        return f'<c r="{ref}"{s}/>' if style else ""
    return f'<c r="{ref}"{s} t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'


def _parse_ref(ref: str) -> tuple[int, int, int, int]:
    """'B4:Y20' -> (first column, first row, last column, last row), 1-based."""
    match = _REF.match(ref or "")
    if not match:
        raise PatchUnsupported(f"reference {ref!r}")
    first, top = column_number(match.group(1)), int(match.group(2))
    if match.group(3) is None:
        return first, top, first, top
    return first, top, column_number(match.group(3)), int(match.group(4))


def _tag_end(xml: bytes, start: int) -> int:
    """Offset just past the start tag at ``start`` (attribute values may hold '>', never their own quote)."""
    at = start
    while True:
        close = xml.index(b">", at)
        quote = min((q for q in (xml.find(b'"', at, close), xml.find(b"'", at, close)) if q >= 0), default=-1)
        if quote < 0:
            return close + 1
        at = xml.index(xml[quote:quote + 1], quote + 1) + 1


def _start_tag(name: str, attrs: dict[str, str], empty: bool = False) -> bytes:
    text = "".join(f' {k}="{_attribute(v)}"' for k, v in attrs.items())
    return f"<{name}{text}{'/' if empty else ''}>".encode()


class _Element:
    """A start tag the parser met: its name as written, attributes, byte offsets."""

    def __init__(self, name: str, attrs: dict[str, str], start: int, end: int, empty: bool, local: str = "") -> None:
        self.name, self.attrs, self.start, self.end, self.empty = name, attrs, start, end, empty
        self.local = local or name


def _parse(xml: bytes, start: Callable[[str, dict[str, str], int], None]) -> None:
    """Stream ``xml`` through expat: names and attributes as written (no namespace processing)."""
    parser = expat.ParserCreate()
    parser.StartElementHandler = lambda name, attrs: start(name, attrs, parser.CurrentByteIndex)
    try:
        parser.Parse(xml, True)
    except expat.ExpatError as exc:
        raise PatchUnsupported(f"XML: {exc}") from exc


def _main_prefix(attrs: dict[str, str]) -> str:
    """The prefix (with its colon) the root element gives the spreadsheet namespace: '' or 'x:'."""
    for key, value in attrs.items():
        if value == MAIN_NS and (key == "xmlns" or key.startswith("xmlns:")):
            return key[6:] + ":" if ":" in key else ""
    raise PatchUnsupported("not a SpreadsheetML part")


def _elements(xml: bytes, wanted: set[str]) -> list[_Element]:
    """The start tags of a small part whose local names are in ``wanted`` (main namespace)."""
    found: list[_Element] = []
    prefix: list[str] = []

    def start(name: str, attrs: dict[str, str], at: int) -> None:
        if not prefix:
            prefix.append(_main_prefix(attrs))
        if name.startswith(prefix[0]) and name[len(prefix[0]):] in wanted:
            end = _tag_end(xml, at)
            found.append(_Element(name, attrs, at, end, xml[end - 2:end] == b"/>", name[len(prefix[0]):]))

    _parse(xml, start)
    return found


def _locate_tables(archive: zipfile.ZipFile) -> dict[str, tuple[str, str]]:
    """{table name: (table part, sheet part)}."""
    names = archive.namelist()
    table_parts = {}
    for name in names:
        if name.startswith("xl/tables/") and name.endswith(".xml"):
            tables = _elements(archive.read(name), {"table"})
            if tables and tables[0].attrs.get("displayName"):
                table_parts[name.rsplit("/", 1)[1]] = (tables[0].attrs["displayName"], name)
    located = {}
    for name in names:
        if name.startswith("xl/worksheets/_rels/") and name.endswith(".rels"):
            sheet = "xl/worksheets/" + name.rsplit("/", 1)[1][: -len(".rels")]
            targets: list[str] = []
            _parse(archive.read(name), lambda _n, attrs, _at, targets=targets: targets.append(attrs.get("Target", "")))
            for target in targets:
                file = target.rsplit("/", 1)[-1]
                if "tables/" in target and file in table_parts:
                    table_name, part = table_parts[file]
                    located[table_name] = (part, sheet)
    return located


def table_headers(archive: zipfile.ZipFile, table_part: str) -> list[str]:
    return _column_names(archive.read(table_part))


def _column_names(table_xml: bytes) -> list[str]:
    return [c.attrs.get("name", "") for c in _elements(table_xml, {"tableColumn"})]


def _is_date_code(code: str) -> bool:
    code = re.sub(r'"[^"]*"|\[[^\]]*\]|\\.|_.|\*.', "", code).lower()
    return bool(re.search(r"[dmyhs]", code)) and "general" not in code


def date_styles(styles_xml: bytes | None) -> set[str]:
    """Indices (as text, as in ``s="…"``) of the cell styles that show a date."""
    if not styles_xml:
        return set()
    codes: dict[int, str] = {}
    xfs: list[int] = []
    where: list[str] = []

    def start(name: str, attrs: dict[str, str], _at: int) -> None:
        local = name.rpartition(":")[2]
        if local == "numFmt":
            codes[int(attrs.get("numFmtId", "0"))] = attrs.get("formatCode", "")
        elif local in ("cellXfs", "cellStyleXfs", "dxfs"):
            where[:] = [local]
        elif local == "xf" and where == ["cellXfs"]:
            xfs.append(int(attrs.get("numFmtId", "0")))

    _parse(styles_xml, start)
    return {str(i) for i, n in enumerate(xfs) if (_is_date_code(codes[n]) if n in codes else n in _BUILTIN_DATES)}


def patch_tables(source: Path, target: Path, writes: dict[str, tuple[list[str], list[list[Any]]]],
                 rows_below: dict[str, int] | None = None) -> None:
    """Copy ``source`` to ``target`` with each named table's body replaced by ``rows``.

    ``writes`` maps a table name to (its headers in table order, rows of values in that order).
    ``rows_below`` gives, per table, how many rows typed just under it were read as its rows: they
    are rewritten with the table (the caller has checked nothing else lies in the way).
    Raises PatchUnsupported when the layout is not one this fast path can rewrite safely.
    """
    with zipfile.ZipFile(source) as archive:
        located = _locate_tables(archive)
        parts = {info.filename: archive.read(info.filename) for info in archive.infolist()}
        infos = archive.infolist()
        streamed = patch_written(parts, located, writes, rows_below)
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for info in infos:
            if info.filename in streamed:
                # Written as made, at zlib level 1: the register's XML is most of the file and level 6
                # took several times longer on it for a file a fraction smaller.
                part = zipfile.ZipInfo(info.filename, info.date_time)
                part.compress_type, part.external_attr = zipfile.ZIP_DEFLATED, info.external_attr
                try:
                    part.compress_level = STREAM_LEVEL  # Python 3.13
                except AttributeError:
                    part._compresslevel = STREAM_LEVEL  # Python 3.11-3.12 (ZipInfo has slots)
                with out.open(part, "w") as stream:
                    _deflate_fast(stream)
                    for chunk in _chunks(streamed[info.filename]):
                        stream.write(chunk)
            else:
                out.writestr(info, parts[info.filename], compress_type=zipfile.ZIP_DEFLATED)


def patch_written(parts: dict[str, bytes], located: dict[str, tuple[str, str]],
                  writes: dict[str, tuple[list[str], list[list[Any]]]],
                  rows_below: dict[str, int] | None = None) -> dict[str, list[Any]]:
    """Each table of ``writes`` patched in ``parts`` (its table part; ``located`` as ``_locate_tables``
    gives it), and each sheet part holding one returned as pieces (``_chunks``), its new rows made as they
    are read: the caller streams them into the zip or joins them."""
    dates = date_styles(parts.get("xl/styles.xml"))
    streamed: dict[str, list[Any]] = {}  # sheet part -> its pieces
    for name, (headers, rows) in writes.items():
        if name not in located:
            raise PatchUnsupported(name)
        table_part, sheet_part = located[name]
        if _column_names(parts[table_part]) != headers:
            raise PatchUnsupported(f"{name}: columns differ")
        if sheet_part in streamed:  # a second table on the same sheet patches what the first made
            parts[sheet_part] = b"".join(_chunks(streamed.pop(sheet_part)))
        parts[table_part], streamed[sheet_part] = _patch_pieces(parts[table_part], parts[sheet_part], rows,
                                                                (rows_below or {}).get(name, 0), dates)
    return streamed


def _deflate_fast(stream: Any) -> None:
    """Deflate a zip entry being written with ISA-L (the ``isal`` package) instead of zlib, when installed:
    on a 50,000-row register's XML (100 MB) its level 1 took 0.09 CPU-seconds against zlib level 1's
    0.41, for a smaller part. The entry is an ordinary deflate stream either way; without ``isal``, or
    should zipfile's writer not hold its compressor where expected, zlib stays."""
    try:
        from isal import isal_zlib
    except ImportError:
        return
    if getattr(stream, "_compressor", None) is not None:  # called before anything is written
        level = min(STREAM_LEVEL, isal_zlib.ISAL_BEST_COMPRESSION)  # ISA-L has levels 0-3
        stream._compressor = isal_zlib.compressobj(level, isal_zlib.DEFLATED, -15)


def _replace(xml: bytes, edits: list[tuple[int, int, bytes]]) -> bytes:
    """``xml`` with each (start, end) byte span replaced; everything else byte for byte."""
    return b"".join(_replace_pieces(xml, sorted(edits)))  # edits at one place in the order of their bytes


def _patch_table_part(table_xml: bytes, new_ref: Callable[[tuple[int, int, int, int]], str] | None = None
                      ) -> tuple[tuple[int, int, int, int], bytes]:
    found = _elements(table_xml, {"table", "autoFilter", "sortState", "sortCondition"})
    if not found or found[0].local != "table":
        raise PatchUnsupported("a table part without its table")
    table = found[0]
    if table.attrs.get("headerRowCount", "1") != "1":
        raise PatchUnsupported("a table without its header row")
    if table.attrs.get("totalsRowCount", "0") != "0":
        raise PatchUnsupported("a table with a totals row")
    ref = _parse_ref(table.attrs.get("ref", ""))
    if new_ref is None:
        return ref, table_xml
    text = new_ref(ref)
    edits = []
    last_row = _parse_ref(text)[3]
    for element in found:
        if element.local in ("table", "autoFilter"):
            attrs = {**element.attrs, "ref": text}
        else:  # a sort remembered by the table: same columns, the body's new rows
            left, _, right, _ = _parse_ref(element.attrs.get("ref", ""))
            attrs = {**element.attrs, "ref": f"{excel_column(left - 1)}{ref[1] + 1}:{excel_column(right - 1)}{last_row}"}
        edits.append((element.start, element.end, _start_tag(element.name, attrs, element.empty)))
    return ref, _replace(table_xml, edits)


class _SheetScan:
    """One streaming pass over a sheet: where the table's body rows are, their attributes and cell styles."""

    def __init__(self, xml: bytes, body_first: int, body_last: int, first_col: int, last_col: int) -> None:
        self.xml, self.body_first, self.body_last = xml, body_first, body_last
        self.columns = {excel_column(c - 1) for c in range(first_col, last_col + 1)}  # the table's, as letters
        self.prefix: str | None = None
        self.kept: dict[int, tuple[str, dict[str, str]]] = {}  # row -> (attributes as text, {column: style})
        self.region: list[int] = []  # [start, end) of the body rows, or an empty span where they go
        self.sheet_data: _Element | None = None
        self.dimension: _Element | None = None
        self.last_with_cells = 0
        self.row = 0  # the row being read (0: none)
        self.styles: dict[str, str] | None = None  # the body row being read: its cell styles
        # Handlers are bound methods set on the parser directly, and the byte offset is asked for only
        # at rows: a 50,000-row register makes millions of callbacks.
        self.parser = expat.ParserCreate()
        self.parser.StartElementHandler, self.parser.EndElementHandler = self.start, self.end
        try:
            self.parser.Parse(xml, True)
        except expat.ExpatError as exc:
            raise PatchUnsupported(f"XML: {exc}") from exc
        if self.prefix is None or self.sheet_data is None:
            raise PatchUnsupported("a sheet without its data")

    def start(self, name: str, attrs: dict[str, str]) -> None:
        if self.styles is not None:  # inside a body row: its cells
            if name == self.c:
                ref = attrs.get("r", "")
                column = ref.rstrip("0123456789")
                if column not in self.columns or not ref[len(column):].isdigit():
                    if not _CELL_LETTERS.match(ref):
                        raise PatchUnsupported("a cell without its reference")
                    raise PatchUnsupported("cells beside the table would be lost")
                if "s" in attrs:
                    self.styles[column] = attrs["s"]
            elif name == self.f and "ref" in attrs:
                raise PatchUnsupported("a shared or array formula starts in the table")
            return
        if self.prefix is None:
            self.prefix = _main_prefix(attrs)
            self.row_name, self.c, self.f = f"{self.prefix}row", f"{self.prefix}c", f"{self.prefix}f"
            self.sheet_data_name, self.dimension_name = f"{self.prefix}sheetData", f"{self.prefix}dimension"
        elif name == self.row_name:
            self._row(attrs, self.parser.CurrentByteIndex)
        elif name == self.c:
            self.last_with_cells = self.row
        elif name == self.dimension_name:
            at = self.parser.CurrentByteIndex
            end = _tag_end(self.xml, at)
            self.dimension = _Element(name, attrs, at, end, self.xml[end - 2:end] == b"/>")
        elif name == self.sheet_data_name:
            at = self.parser.CurrentByteIndex
            end = _tag_end(self.xml, at)
            self.sheet_data = _Element(name, attrs, at, end, self.xml[end - 2:end] == b"/>")

    def _row(self, attrs: dict[str, str], at: int) -> None:
        number = attrs.get("r", "")
        if not number.isdigit() or int(number) <= self.row:
            raise PatchUnsupported("a row without its number, or rows out of order")
        self.row = number = int(number)
        if number > self.body_last:
            if not self.region:
                self.region = [at, at]
            return
        if number < self.body_first:
            return
        if not self.region:
            self.region = [at, at]
        self.styles = {}
        self.attrs = "".join(f' {k}="{_attribute(v)}"' for k, v in attrs.items() if k != "r")
        end = _tag_end(self.xml, at)
        if self.xml[end - 2:end] == b"/>":  # an empty row: no end tag follows
            self._row_done(end)

    def _row_done(self, end: int) -> None:
        self.kept[self.row] = (self.attrs, self.styles or {})
        self.styles = None
        self.region[1] = end

    def end(self, name: str) -> None:
        if name == self.row_name and self.styles is not None:
            self._row_done(self.xml.index(b">", self.parser.CurrentByteIndex) + 1)
        elif name == self.sheet_data_name and not self.region and self.sheet_data and not self.sheet_data.empty:
            at = self.parser.CurrentByteIndex
            self.region = [at, at]


class _Fallback(Exception):
    """The fast scan met a layout it does not read itself: ``_SheetScan`` reads the sheet."""


def _scan_sheet(xml: bytes, body_first: int, body_last: int, first_col: int, last_col: int) -> _SheetScan:
    """``_SheetScan``'s result, with the table's body rows read by regular expressions over the bytes
    instead of a Python callback per element (a 50,000-row register has ~3.8 million elements).

    expat still checks the whole part is well-formed (the body rows with no handlers at all), and
    ``_SheetScan`` reads the rest of the sheet with the body rows cut out and one empty row standing
    for them. Anything the fast reading does not cover exactly (comments, CDATA, processing
    instructions, a DOCTYPE, cells with other attributes, shared formulas, nested rows, a row that
    would raise) goes to ``_SheetScan`` on the whole part, so the result is always the same."""
    try:
        return _fast_scan(xml, body_first, body_last, first_col, last_col)
    except (_Fallback, PatchUnsupported, expat.ExpatError, ValueError):
        return _SheetScan(xml, body_first, body_last, first_col, last_col)


def _fast_scan(xml: bytes, body_first: int, body_last: int, first_col: int, last_col: int) -> _SheetScan:
    # With no comment, CDATA, PI or DOCTYPE, in a well-formed part every '<' starts a tag ('<' is
    # allowed neither in text nor in attribute values), so tags can be found in the bytes directly.
    declaration = b""
    if xml.startswith(b"<?"):
        declaration = xml[:xml.index(b"?>") + 2]
    if xml.find(b"<!") >= 0 or xml.find(b"<?", len(declaration)) >= 0:
        raise _Fallback
    root_at = xml.index(b"<", len(declaration))
    prefix = _main_prefix(_attributes_of([xml[root_at:_tag_end(xml, root_at)]], declaration)[0]).encode()
    row_open, row_close = b"<" + prefix + b"row", b"</" + prefix + b"row"
    rows: list[tuple[int, int, int]] = []  # (number, offset, event) of every row start tag, in order
    events: list[int] = []  # row tags in order: the offset of an end tag, -1 for a start tag
    number_re = re.compile(re.escape(row_open) + rb' r="([0-9]+)"')
    # Two searches with a literal start (fast), merged: one pattern for both stops at every '<'.
    opening = [(m.start(), -1) for m in re.finditer(re.escape(row_open) + rb"[ \t\r\n/>]", xml)]
    closing = [(m.start(), m.start()) for m in re.finditer(re.escape(row_close) + rb"[ \t\r\n/>]", xml)]
    for at, close in sorted(opening + closing):
        if close < 0:
            number = number_re.match(xml, at)
            if number is None:
                raise _Fallback
            rows.append((int(number.group(1)), at, len(events)))
        events.append(close)
    body = [i for i, row in enumerate(rows) if body_first <= row[0] <= body_last]
    if not body or any(rows[i][0] >= rows[i + 1][0] for i in range(len(rows) - 1)):
        raise _Fallback  # no body row (nothing to save), or rows out of order (raises)
    # The body rows: each a start tag, its content and end tag, only whitespace or text between them.
    plain = re.compile(re.escape(row_open) + rb' r="[0-9]+"/?>')  # a row with no attribute but its number
    starts, ends, contents, odd = [], [], [], []
    for i in body:
        _, at, event = rows[i]
        match = plain.match(xml, at)
        if match:
            tag_end = match.end()
        else:
            tag_end = _tag_end(xml, at)
            odd.append(len(starts))
        closed = event + 1 < len(events) and events[event + 1] >= 0
        if xml[tag_end - 2:tag_end] == b"/>":
            if closed:
                raise _Fallback
            end = content = tag_end
        else:
            if not closed:
                raise _Fallback  # a row inside a row, or no end tag
            content = events[event + 1]
            if xml[content + len(row_close):content + len(row_close) + 1] not in b"> \t\r\n":
                raise _Fallback
            end = xml.index(b">", content) + 1
        if starts and xml.find(b"<", ends[-1], at) >= 0:
            raise _Fallback  # an element between body rows
        starts.append(at)
        ends.append(end)
        contents.append((tag_end, content))
    first, last = starts[0], ends[-1]
    # Well-formedness of the body rows (the rest is checked by _SheetScan below), with no handlers.
    parser = expat.ParserCreate()
    parser.Parse(declaration + b"<_>", False)
    parser.Parse(memoryview(xml)[first:last], False)  # not copied
    parser.Parse(b"</_>", True)
    columns = b"|".join(excel_column(c - 1).encode() for c in range(first_col, last_col + 1))
    cell = re.escape(b"<" + prefix + b"c")
    # Every cell start tag of the body must be this simple one (r first, then s, then t): else fall back.
    if re.compile(cell + rb'(?=[ \t\r\n/>])(?! r="(?:' + columns + rb')[0-9]+"(?: s="[0-9]*")?'
                  rb'(?: t="[A-Za-z]*")?[ \t\r\n]*/?>)').search(xml, first, last):
        raise _Fallback
    formula = re.compile(re.escape(b"<" + prefix + b"f") + rb"[ \t\r\n/>]")
    for match in formula.finditer(xml, first, last):
        if b"ref" in xml[match.start():_tag_end(xml, match.start())]:
            raise _Fallback  # a shared or array formula (raises): _SheetScan says so
    styled = re.compile(cell + rb' r="(' + columns + rb')[0-9]+" s="([^"]*)"')
    # The other rows' attributes as expat reads them.
    texts = [""] * len(starts)
    if odd:
        found = _attributes_of([xml[starts[i]:contents[i][0]] for i in odd], declaration)
        for i, attrs in zip(odd, found, strict=True):
            texts[i] = "".join(f' {k}="{_attribute(v)}"' for k, v in attrs.items() if k != "r")
    memo: dict[tuple[tuple[bytes, bytes], ...], dict[str, str]] = {}
    kept: dict[int, tuple[str, dict[str, str]]] = {}
    findall = styled.findall
    for n, (i, (tag_end, content)) in enumerate(zip(body, contents, strict=True)):
        pairs = tuple(findall(xml, tag_end, content)) if content > tag_end else ()
        styles = memo.get(pairs)
        if styles is None:
            styles = memo[pairs] = {k.decode(): v.decode() for k, v in pairs}
        kept[rows[i][0]] = (texts[n], dict(styles))
    # The rest of the sheet, with one empty row standing for the body rows.
    stand_in = f'<{prefix.decode()}row r="{rows[body[-1]][0]}"/>'.encode()
    scan = _SheetScan(xml[:first] + stand_in + xml[last:], body_first, body_last, first_col, last_col)
    shift = last - first - len(stand_in)
    if scan.region != [first, first + len(stand_in)] or list(scan.kept) != [rows[body[-1]][0]]:
        raise _Fallback
    for element in (scan.sheet_data, scan.dimension):
        if element is not None and element.start >= first:
            element.start, element.end = element.start + shift, element.end + shift
    scan.xml, scan.kept, scan.region = xml, kept, [first, last]
    return scan


def _attributes_of(tags: list[bytes], declaration: bytes) -> list[dict[str, str]]:
    """The attributes expat reads in each start tag of ``tags``, in one parse (one callback a tag)."""
    found: list[dict[str, str]] = []
    parser = expat.ParserCreate()
    parser.StartElementHandler = lambda _name, attrs: found.append(attrs)
    whole = b"".join(tag if tag.endswith(b"/>") else tag[:-1] + b"/>" for tag in tags)
    parser.Parse(declaration + b"<_>" + whole + b"</_>", True)
    return found[1:]


class _CellMemo:
    """``_cell`` of each (value, style) computed once: a register repeats its fields, kinds, units and
    dates on thousands of rows, and only the reference differs. Long texts (names, goals) are mostly
    unique, so they are not kept."""

    LONGEST = 64
    DISTINCT = 4096  # a column with more distinct values than this (IDs, phones) is not memoised

    def __init__(self) -> None:
        self.tails: dict[str, dict[tuple[type, Any, str | None], str] | None] = {}  # column -> its memo

    def __call__(self, column: str, number: int, value: Any, style: str | None) -> str:
        kind = type(value)
        tails = self.tails.get(column, {})
        if tails is None or kind is str and len(value) > self.LONGEST or kind not in _MEMO_TYPES:
            return _cell(f"{column}{number}", value, style)
        key = (kind, value, style)
        tail = tails.get(key)
        if tail is None:
            ref = f"{column}{number}"
            whole = _cell(ref, value, style)
            tail = whole[len(ref) + 7:] if whole else ""  # after '<c r="{ref}"'
            if len(tails) < self.DISTINCT:
                tails[key] = tail
                self.tails[column] = tails
            else:
                self.tails[column] = None  # mostly unique values: the memo would only hold memory
        return f'<c r="{column}{number}"{tail}' if tail else ""


_MEMO_TYPES = frozenset({str, int, bool, date, datetime, type(None)})  # not float: -0.0 == 0.0
_KEYED = frozenset({str, date, datetime, type(None)})  # a value of one of these equals no value of another
_NUMBERS = frozenset({int, bool})  # 1 == True: a memo keyed by bare values holds only one of them
_ESCAPED = re.compile("[&<>\r\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")  # what _text changes


def _prefixed(text: str, prefix: str) -> str:
    """Cell markup with the spreadsheet namespace's prefix ('x:'), as the file names it."""
    return (text.replace("<c ", f"<{prefix}c ").replace("</c>", f"</{prefix}c>").replace("<is>", f"<{prefix}is>")
            .replace("</is>", f"</{prefix}is>").replace("<t ", f"<{prefix}t ").replace("</t>", f"</{prefix}t>")
            .replace("<v>", f"<{prefix}v>").replace("</v>", f"</{prefix}v>"))


class _ColumnCells:
    """One column's cells, a chunk of rows at a time, in the column's style: the text ``_cell`` writes,
    made with as few Python calls per cell as possible (a 50,000-row register has 1.3 million cells).

    A chunk of plain text that needs no escaping (most of a register) is written straight into the
    cell's markup; other values take their cell's tail (the markup after the reference) from a memo of
    each distinct value, ``_cell`` making it once (the limits of ``_CellMemo``)."""

    def __init__(self, column: str, style: str | None, prefix: str, dates: set[str]) -> None:
        self.column, self.style, self.prefix, self.dates = column, style, prefix, dates
        s = f' s="{style}"' if style else ""
        self.start = f'<{prefix}c r="{column}'
        self.open = _prefixed(f'{s} t="inlineStr"><is><t xml:space="preserve">', prefix)
        self.close = f"</{prefix}t></{prefix}is></{prefix}c>"
        self.empty = f"{s}/>" if style else ""  # "" (or only control characters) and None: no cell, or a styled one
        self.memos: dict[type | None, dict[Any, str]] = {}  # the number kind the memo's keys have -> memo

    def cells(self, numbers: list[str], values: list[Any]) -> list[str]:
        """The cells of rows ``numbers`` (as text) holding ``values``; "" for no cell."""
        kinds = set(map(type, values))
        start, empty = self.start, self.empty
        if kinds <= {str, type(None)}:
            text = "".join(filter(None, values))
            # isprintable (C, fast) rules out control characters, surrogates and non-characters at once.
            if (text.isprintable() and "&" not in text and "<" not in text and ">" not in text
                    or not _ESCAPED.search(text)):
                first, last = self.open, self.close
                if empty:
                    return [f'{start}{n}"{first}{v}{last}' if v else f'{start}{n}"{empty}'
                            for n, v in zip(numbers, values, strict=True)]
                return [f'{start}{n}"{first}{v}{last}' if v else "" for n, v in zip(numbers, values, strict=True)]
        numbers_in = kinds & _NUMBERS
        if kinds <= _KEYED | numbers_in and len(numbers_in) <= 1:
            memo = self.memos.setdefault(next(iter(numbers_in), None), {})
            get, miss = memo.get, self._miss
            tails = [t if (t := get(v)) is not None else miss(memo, v) for v in values]
        else:
            tails = [self._tail(v) for v in values]
        return [f'{start}{n}"{t}' if t else "" for n, t in zip(numbers, tails, strict=True)]

    def _tail(self, value: Any) -> str:
        if isinstance(value, date) and self.style not in self.dates:
            raise PatchUnsupported(f"a date in column {self.column} without a date format")
        whole = _cell("A1", value, self.style)
        tail = whole[9:] if whole else ""  # after '<c r="A1"'
        return _prefixed(tail, self.prefix) if self.prefix and tail else tail

    def _miss(self, memo: dict[Any, str], value: Any) -> str:
        tail = self._tail(value)
        if len(memo) < _CellMemo.DISTINCT and (type(value) is not str or len(value) <= _CellMemo.LONGEST):
            memo[value] = tail
        return tail


def _patch_one(table_xml: bytes, sheet_xml: bytes, rows: list[list[Any]], rows_below: int = 0,
               dates: set[str] | None = None) -> tuple[bytes, bytes]:
    table_xml, pieces = _patch_pieces(table_xml, sheet_xml, rows, rows_below, dates)
    return table_xml, b"".join(_chunks(pieces))


def _chunks(pieces: list[Any]) -> Iterator[bytes]:
    """The bytes of a patched part in order: each piece is bytes or an iterator of bytes (the new rows)."""
    for piece in pieces:
        if isinstance(piece, bytes | memoryview):
            yield piece
        else:
            yield from piece


def _patch_pieces(table_xml: bytes, sheet_xml: bytes, rows: list[list[Any]], rows_below: int = 0,
                  dates: set[str] | None = None) -> tuple[bytes, list[Any]]:
    """The table part patched, and the sheet part as pieces with the new rows made as they are written:
    a 50,000-row register is ~160 MB of XML, which is never held whole."""
    (first_col, header_row, last_col, old_last), _ = _patch_table_part(table_xml)
    dates = dates or set()
    new_last = header_row + max(len(rows), 1)
    body_first = header_row + 1
    scan = _scan_sheet(sheet_xml, body_first, max(old_last + rows_below, new_last), first_col, last_col)
    kept = {n: v for n, v in scan.kept.items() if n <= old_last}  # rows typed under it take column styles
    letters = [excel_column(c - 1) for c in range(first_col, last_col + 1)]

    column_styles = kept.get(body_first, ("", {}))[1]
    row_tag, end_tag = f"<{scan.prefix}row", f"</{scan.prefix}row>"
    cell_xml = _CellMemo()
    default_styles = [column_styles.get(column) for column in letters]

    def body_rows() -> Iterator[bytes]:
        """The rows, ``_BODY_CHUNK`` at a time, made column by column (``_ColumnCells``); a row whose cells
        keep styles of their own (a fill staff put on it) or a row of another length is made by ``row_xml``."""
        source = rows if len(rows) else [[None] * len(letters)]
        columns = getattr(source, "columns", None)
        if columns is not None and len(columns) != len(letters):
            source, columns = list(source), None
        elif columns is None and not isinstance(source, list):
            source = list(source)
        makers = [_ColumnCells(column, style, scan.prefix, dates)
                  for column, style in zip(letters, default_styles, strict=True)]
        own_differs: dict[tuple[tuple[str, str], ...], bool] = {}
        for begin in range(0, len(source), _BODY_CHUNK):
            end = min(begin + _BODY_CHUNK, len(source))
            if columns is not None:
                chunk = [column[begin:end] for column in columns]
            else:
                part = source[begin:end]
                if any(len(values) != len(letters) for values in part):
                    yield "".join(row_xml(n, v) for n, v in enumerate(part, start=body_first + begin)).encode()
                    continue
                chunk = [list(column) for column in zip(*part, strict=True)]
            numbers = [str(n) for n in range(body_first + begin, body_first + end)]
            ends = [end_tag] * len(numbers)
            special = []
            if not kept:
                starts = [f'{row_tag} r="{n}">' for n in numbers]
            else:
                starts = []
                for i, n in enumerate(numbers):
                    attributes, own = kept.get(body_first + begin + i, ("", {}))
                    if own:
                        key = tuple(own.items())
                        if key not in own_differs:
                            own_differs[key] = [own.get(c) or d for c, d in zip(letters, default_styles,
                                                                                 strict=True)] != default_styles
                        if own_differs[key]:
                            special.append(i)
                    starts.append(f'{row_tag} r="{n}"{attributes}>')
                for i in special:  # made whole by row_xml; the columns see an empty cell there
                    starts[i], ends[i] = row_xml(body_first + begin + i, [column[i] for column in chunk]), ""
                    for column in chunk:
                        column[i] = None
            cells = [maker.cells(numbers, values) for maker, values in zip(makers, chunk, strict=True)]
            for i in special:
                for column in cells:
                    column[i] = ""
            yield "".join(chain.from_iterable(zip(starts, *cells, ends, strict=True))).encode()

    def row_xml(number: int, values: list[Any]) -> str:
        attributes, own = kept.get(number, ("", {}))
        styles = [own.get(c) or default for c, default in zip(letters, default_styles, strict=True)] \
            if own else default_styles
        cells = []
        for column, value, style in zip(letters, values, styles, strict=False):
            if isinstance(value, date) and style not in dates:
                style = column_styles.get(column)
                if style not in dates:
                    raise PatchUnsupported(f"a date in column {column} without a date format")
            cells.append(cell_xml(column, number, value, style))
        text = "".join(cells)
        if scan.prefix:  # the file names the spreadsheet namespace with a prefix: so must the new cells
            text = _prefixed(text, scan.prefix)
        return f'{row_tag} r="{number}"{attributes}>{text}{end_tag}'

    body = body_rows()

    edits = []
    if scan.sheet_data.empty:
        data = scan.sheet_data
        edits.append((data.start, data.end, [_start_tag(data.name, data.attrs), body, f"</{data.name}>".encode()]))
    else:
        edits.append((scan.region[0], scan.region[1], body))
    if scan.dimension is not None:
        try:
            left, top, right, _ = _parse_ref(scan.dimension.attrs.get("ref", ""))
        except PatchUnsupported:
            left, top, right = first_col, header_row, last_col
        left, top, right = min(left, first_col), min(top, header_row), max(right, last_col)
        bottom = max(new_last, scan.last_with_cells)
        ref = f"{excel_column(left - 1)}{top}:{excel_column(right - 1)}{bottom}"
        edits.append((scan.dimension.start, scan.dimension.end,
                      _start_tag(scan.dimension.name, {**scan.dimension.attrs, "ref": ref}, scan.dimension.empty)))
    new_ref = f"{excel_column(first_col - 1)}{header_row}:{excel_column(last_col - 1)}{new_last}"
    _, table_xml = _patch_table_part(table_xml, lambda _ref: new_ref)
    return table_xml, _replace_pieces(sheet_xml, edits)


def _replace_pieces(xml: bytes, edits: list[tuple[int, int, Any]]) -> list[Any]:
    """``_replace`` as pieces: the new text of an edit may be bytes, an iterator of bytes or a list of both."""
    out: list[Any] = []
    at = 0
    view = memoryview(xml)  # the kept spans are not copied
    for start, end, text in sorted(edits, key=lambda edit: edit[:2]):
        out.append(view[at:start])
        out.extend(text if isinstance(text, list) else [text])
        at = end
    out.append(view[at:])
    return out
