"""Fast rewrite of named tables' rows inside an .xlsx, without loading the whole workbook.

openpyxl needs ~3 s to load and save a master with 5,000 registered models and ~30 s with 50,000;
rewriting only the table's rows in the sheet XML takes a fraction of that. Everything else in
the file (other sheets, styles, validations, print setup, charts) is copied byte for byte. Each
column keeps the style of its first body row, so number formats survive every rewrite.
"""

from __future__ import annotations

import re
import zipfile
from datetime import date, datetime, time
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from .forms import column_number, excel_column

_TABLE_NAME = re.compile(rb'displayName="([^"]+)"')
_TABLE_REF = re.compile(rb'(<table\b[^>]*?\bref=")([A-Z]+)(\d+):([A-Z]+)(\d+)(")')
_FILTER_REF = re.compile(rb'(<autoFilter\b[^>]*?\bref=")[A-Z]+\d+:[A-Z]+\d+(")')
_ROW = re.compile(rb'<row\b[^>]*?\br="(\d+)"[^>]*?(?:/>|>.*?</row>)', re.DOTALL)
_CELL_STYLE = re.compile(rb'<c\b[^>]*?\br="([A-Z]+)\d+"[^>]*?\bs="(\d+)"')
_CELL_REF = re.compile(rb'<c\b[^>]*?\br="([A-Z]+)\d+"')
_SHEET_DATA = re.compile(rb"<sheetData\s*/>|<sheetData>(.*?)</sheetData>", re.DOTALL)
_DIMENSION = re.compile(rb'<dimension ref="[^"]*"\s*/>')
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
EXCEL_EPOCH = datetime(1899, 12, 30)


class PatchUnsupported(Exception):
    """The file is laid out in a way the fast path does not handle; use the slow, general path."""


def _serial(value: date | datetime) -> str:
    if not isinstance(value, datetime):
        value = datetime.combine(value, time())
    delta = value - EXCEL_EPOCH
    serial = delta.days + delta.seconds / 86400
    return str(int(serial)) if serial == int(serial) else repr(serial)


def _cell(ref: str, value: Any, style: bytes | None) -> str:
    s = f' s="{style.decode()}"' if style else ""
    if value is None or value == "" or (isinstance(value, float) and value != value):
        return f'<c r="{ref}"{s}/>' if style else ""
    if isinstance(value, bool):
        return f'<c r="{ref}"{s} t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int | float):
        return f'<c r="{ref}"{s}><v>{value!r}</v></c>'
    if isinstance(value, date):
        return f'<c r="{ref}"{s}><v>{_serial(value)}</v></c>'
    text = _INVALID_XML.sub("", str(value))
    # An inline string is always text: "=SUM(A1)" typed by a unit can never become a formula.
    return f'<c r="{ref}"{s} t="inlineStr"><is><t xml:space="preserve">{escape(text)}</t></is></c>'


def _locate_tables(archive: zipfile.ZipFile) -> dict[str, tuple[str, str]]:
    """{table name: (table part, sheet part)}."""
    names = archive.namelist()
    table_parts = {}
    for name in names:
        if name.startswith("xl/tables/") and name.endswith(".xml"):
            match = _TABLE_NAME.search(archive.read(name)[:2000])
            if match:
                table_parts[name.rsplit("/", 1)[1]] = (match.group(1).decode(), name)
    located = {}
    for name in names:
        if name.startswith("xl/worksheets/_rels/") and name.endswith(".rels"):
            sheet = "xl/worksheets/" + name.rsplit("/", 1)[1][: -len(".rels")]
            for target in re.findall(rb'Target="([^"]*tables/[^"]+)"', archive.read(name)):
                file = target.decode().rsplit("/", 1)[1]
                if file in table_parts:
                    table_name, part = table_parts[file]
                    located[table_name] = (part, sheet)
    return located


def table_headers(archive: zipfile.ZipFile, table_part: str) -> list[str]:
    import html

    xml = archive.read(table_part)
    return [html.unescape(n.decode()) for n in re.findall(rb'<tableColumn\b[^>]*?\bname="([^"]*)"', xml)]


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
        for name, (headers, rows) in writes.items():
            if name not in located:
                raise PatchUnsupported(name)
            table_part, sheet_part = located[name]
            if table_headers(archive, table_part) != headers:
                raise PatchUnsupported(f"{name}: columns differ")
            parts[table_part], parts[sheet_part] = _patch_one(parts[table_part], parts[sheet_part], rows,
                                                              (rows_below or {}).get(name, 0))
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for info in infos:
            out.writestr(info, parts[info.filename], compress_type=zipfile.ZIP_DEFLATED)


def _patch_one(table_xml: bytes, sheet_xml: bytes, rows: list[list[Any]], rows_below: int = 0) -> tuple[bytes, bytes]:
    ref = _TABLE_REF.search(table_xml)
    data = _SHEET_DATA.search(sheet_xml)
    if not ref or not data:
        raise PatchUnsupported("layout")
    first_letters, header_row = ref.group(2).decode(), int(ref.group(3))
    last_letters, old_last = ref.group(4).decode(), int(ref.group(5))
    first_col, last_col = column_number(first_letters), column_number(last_letters)
    existing = {int(m.group(1)): m.group(0) for m in _ROW.finditer(data.group(1) or b"")}
    styles = {letters.decode(): style for letters, style in _CELL_STYLE.findall(existing.get(header_row + 1, b""))}
    new_last = header_row + max(len(rows), 1)
    # A row of the table keeps its own cell styles (a fill staff put on a model stays with it: the
    # register keeps each model at its row); a new row takes the column's style from the first row.
    own: dict[int, dict[str, bytes]] = {}
    for number in range(header_row + 1, max(old_last + rows_below, new_last) + 1):
        xml = existing.pop(number, b"")
        for cell_letters in _CELL_REF.findall(xml):
            if not first_col <= column_number(cell_letters.decode()) <= last_col:
                raise PatchUnsupported("cells beside the table would be lost")
        if number <= old_last:
            own[number] = {letters.decode(): style for letters, style in _CELL_STYLE.findall(xml)}
    letters = [excel_column(c - 1) for c in range(first_col, last_col + 1)]
    body = rows or [[None] * len(letters)]
    for offset, values in enumerate(body, start=1):
        number = header_row + offset
        row_styles = own.get(number, {})
        cells = "".join(_cell(f"{col}{number}", value, row_styles.get(col, styles.get(col)))
                        for col, value in zip(letters, values, strict=False))
        existing[number] = f'<row r="{number}">{cells}</row>'.encode()
    merged = b"".join(existing[n] for n in sorted(existing))
    sheet_xml = sheet_xml[: data.start()] + b"<sheetData>" + merged + b"</sheetData>" + sheet_xml[data.end():]
    last_row = max(existing) if existing else new_last
    sheet_xml = _DIMENSION.sub(f'<dimension ref="A1:{last_letters}{last_row}"/>'.encode(), sheet_xml, count=1)
    new_ref = f"{first_letters}{header_row}:{last_letters}{new_last}".encode()
    table_xml = _TABLE_REF.sub(lambda m: m.group(1) + new_ref + m.group(6), table_xml, count=1)
    table_xml = _FILTER_REF.sub(lambda m: m.group(1) + new_ref + m.group(2), table_xml, count=1)
    return table_xml, sheet_xml
