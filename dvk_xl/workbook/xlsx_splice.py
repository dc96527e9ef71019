"""Report sheets written into a master's zip in place, without loading the master with openpyxl.

A report sheet the tool owns ("Tuân thủ": titles, merged cells, print setup, a chart) is drawn by the
usual ``draw_report_sheet`` into a small, new openpyxl workbook that holds only that sheet; its
parts (the sheet, its drawing and chart, their relationships) are then spliced into the master:

- the sheet's cell styles are merged into the master's ``styles.xml`` (fonts, fills, borders,
  number formats and cell formats the master already has are reused, so running again adds none),
  and the sheet's ``s="…"`` indices are renumbered to the master's;
- a sheet of that name is replaced where it stands, with its old drawing and chart parts removed
  (running twice leaves the same parts); a new sheet is inserted at its position, the sheet indices
  of the defined names and of the workbook view moving with it;
- ``workbook.xml``, its relationships and ``[Content_Types].xml`` get the sheet's entries.

Every other part stays byte for byte; the table writes of the same save (``xlsx_patch``) are
applied to the same parts, and the zip is written once. With 3,000 registered models, loading and
saving the master with openpyxl took ~9 s; this takes a fraction of a second. A layout this path
does not follow (a prefixed namespace in ``workbook.xml`` or ``styles.xml``, a missing part)
raises ``PatchUnsupported`` and the caller falls back to openpyxl.
"""

from __future__ import annotations

import io
import posixpath
import re
import time
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

from ..core.errors import DvkError
from ..spec.forms import Form
from .cells import ReportSheet
from .xlsx_patch import (
    PatchUnsupported,
    _attribute,
    _chunks,
    _elements,
    _locate_tables,
    _main_prefix,
    _parse,
    _replace,
    _start_tag,
    patch_written,
)

REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
WORKSHEET_REL = REL_NS + "/worksheet"
TABLE_REL = REL_NS + "/table"
WORKSHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
OWNED_FOLDERS = ("xl/drawings/", "xl/charts/", "xl/media/", "xl/printerSettings/", "xl/comments", "xl/ctrlProps/")


class _Parts:
    """A zip's parts held in memory, with the two methods ``xlsx_patch`` reads an archive through."""

    def __init__(self, parts: dict[str, bytes]) -> None:
        self.parts = parts

    def namelist(self) -> list[str]:
        return list(self.parts)

    def read(self, name: str) -> bytes:
        return self.parts[name]


# --- relationships and content types -------------------------------------------------------------


def rels_part(part: str) -> str:
    folder, name = posixpath.split(part)
    return f"{folder}/_rels/{name}.rels" if folder else f"_rels/{name}.rels"


def resolve(source: str, target: str) -> str:
    """A relationship's target as a part name (targets are relative to the source part's folder)."""
    if target.startswith("/"):
        return target[1:]
    return posixpath.normpath(posixpath.join(posixpath.dirname(source), target))


def relationships(xml: bytes | None) -> list[dict[str, str]]:
    if not xml:
        return []
    found: list[dict[str, str]] = []
    _parse(xml, lambda name, attrs, _at: found.append(attrs) if name.rpartition(":")[2] == "Relationship" else None)
    return found


def _rels_xml(rels: Sequence[dict[str, str]]) -> bytes:
    body = "".join(f'<Relationship Id="{_attribute(r["Id"])}" Type="{_attribute(r["Type"])}" '
                   f'Target="{_attribute(r["Target"])}"/>' for r in rels)
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships '
            f'xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{body}</Relationships>').encode()


def _content_types(xml: bytes) -> dict[str, str]:
    """{part name: content type} of the Override entries."""
    found: dict[str, str] = {}

    def start(name: str, attrs: dict[str, str], _at: int) -> None:
        if name.rpartition(":")[2] == "Override" and "PartName" in attrs:
            found[attrs["PartName"].lstrip("/")] = attrs.get("ContentType", "")

    _parse(xml, start)
    return found


def _edit_content_types(xml: bytes, remove: set[str], add: dict[str, str]) -> bytes:
    if remove:
        def keep(match: re.Match[bytes]) -> bytes:
            part = re.search(rb'PartName="([^"]*)"', match.group(0))
            return b"" if part and part.group(1).decode().lstrip("/") in remove else match.group(0)

        xml = re.sub(rb"<Override\b[^>]*/>", keep, xml)
    if add:
        end = xml.rfind(b"</Types>")
        if end < 0:
            raise PatchUnsupported("[Content_Types].xml without its end")
        entries = "".join(f'<Override PartName="/{_attribute(p)}" ContentType="{_attribute(t)}"/>' for p, t in add.items())
        xml = xml[:end] + entries.encode() + xml[end:]
    return xml


def _owned_parts(parts: dict[str, bytes], part: str, seen: set[str]) -> None:
    """The parts hanging from ``part`` (drawings, charts, their styles, images…), recursively."""
    for rel in relationships(parts.get(rels_part(part))):
        if rel.get("TargetMode") == "External":
            continue
        target = resolve(part, rel.get("Target", ""))
        if target in parts and target not in seen and target.startswith(OWNED_FOLDERS):
            seen.add(target)
            rels = rels_part(target)
            if rels in parts:
                seen.add(rels)
            _owned_parts(parts, target, seen)


def _free_name(parts: dict[str, bytes], taken: set[str], folder: str, stem: str, suffix: str) -> str:
    number = 1
    while f"{folder}{stem}{number}{suffix}" in parts or f"{folder}{stem}{number}{suffix}" in taken:
        number += 1
    name = f"{folder}{stem}{number}{suffix}"
    taken.add(name)
    return name


# --- styles ------------------------------------------------------------------------------------------

_BOOLEAN_TAGS = {"b", "i", "strike", "outline", "shadow", "condense", "extend"}
_CONTAINERS = {"numFmts": b"numFmt", "fonts": b"font", "fills": b"fill", "borders": b"border", "cellXfs": b"xf"}


def _canonical(element: ElementTree.Element) -> tuple:
    """A style element compared by meaning: children in any order, ``<b/>`` = ``<b val="1"/>``, colours
    without their alpha byte (openpyxl writes 00RRGGBB, Excel FFRRGGBB)."""
    tag = element.tag.rpartition("}")[2]
    attrs = dict(element.attrib)
    if tag in _BOOLEAN_TAGS:
        attrs["val"] = {"true": "1", "false": "0"}.get(attrs.get("val", "1"), attrs.get("val", "1"))
    if tag == "u":
        attrs.setdefault("val", "single")
    if tag == "patternFill":
        attrs.setdefault("patternType", "none")
    if "rgb" in attrs:
        attrs["rgb"] = attrs["rgb"].upper()[-6:]
    for key in list(attrs):
        if key.startswith("apply") or key in ("pivotButton", "quotePrefix"):
            attrs[key] = {"true": "1", "false": "0"}.get(attrs[key], attrs[key])
            if key in ("pivotButton", "quotePrefix") and attrs[key] == "0":
                del attrs[key]
    return tag, tuple(sorted(attrs.items())), tuple(sorted(_canonical(c) for c in element)), (element.text or "").strip()


def _key(snippet: bytes) -> Any:
    try:
        return _canonical(ElementTree.fromstring(snippet))
    except ElementTree.ParseError:  # a prefixed attribute without its declaration: compared as written
        return snippet


class _Container:
    """One list of styles.xml (fonts, cellXfs…): where it is, its children as written."""

    def __init__(self, xml: bytes, name: str) -> None:
        child = _CONTAINERS[name]
        match = re.search(rb"<" + name.encode() + rb"\b([^>]*?)(/?)>", xml)
        self.name, self.match = name, match
        self.children: list[bytes] = []
        self.added: list[bytes] = []
        self.keys: dict[Any, int] = {}
        if match is None:
            return
        if match.group(2):
            self.inner_end = match.end()
            return
        self.inner_end = xml.index(b"</" + name.encode() + b">", match.end())
        pattern = rb"<" + child + rb"\b(?:[^>]*/>|[^>]*>.*?</" + child + rb">)"
        self.children = re.findall(pattern, xml[match.end():self.inner_end], re.S)
        for index, snippet in enumerate(self.children):
            self.keys.setdefault(_key(snippet), index)

    def index_of(self, snippet: bytes) -> int:
        """The index of an equal entry, appending the entry when there is none."""
        if self.match is None and self.name != "numFmts":
            raise PatchUnsupported(f"styles.xml without {self.name}")
        key = _key(snippet)
        if key not in self.keys:
            self.keys[key] = len(self.children) + len(self.added)
            self.added.append(snippet)
        return self.keys[key]

    def edit(self, at_root_end: int) -> tuple[int, int, bytes] | None:
        if not self.added:
            return None
        count = len(self.children) + len(self.added)
        added = b"".join(self.added)
        if self.match is None:  # numFmts: the first child of the style sheet
            return at_root_end, at_root_end, f'<numFmts count="{count}">'.encode() + added + b"</numFmts>"
        attrs = self.match.group(1)
        attrs = (re.sub(rb'count="\d+"', f'count="{count}"'.encode(), attrs) if b"count=" in attrs
                 else attrs + f' count="{count}"'.encode())
        if self.match.group(2):
            return (self.match.start(), self.match.end(),
                    b"<" + self.name.encode() + attrs + b">" + added + b"</" + self.name.encode() + b">")
        start = f"<{self.name}".encode() + attrs + b">"
        return self.match.start(), self.inner_end, start + b"".join(self.children) + added


def merge_styles(master: bytes, small: bytes) -> tuple[bytes, dict[str, str]]:
    """The master's styles.xml with the small workbook's cell formats added (equal ones reused), and
    {small cell format index: master index}, both as the text of ``s="…"``."""
    for xml in (master, small):
        root = _elements(xml, {"styleSheet"})
        if not root or root[0].name != "styleSheet":
            raise PatchUnsupported("a style sheet with a prefixed namespace")
    mine = {name: _Container(master, name) for name in _CONTAINERS}
    theirs = {name: _Container(small, name) for name in _CONTAINERS}

    codes = {}
    for snippet in mine["numFmts"].children:
        element = ElementTree.fromstring(snippet)
        codes[element.get("formatCode")] = element.get("numFmtId")
    used = [int(v) for v in codes.values() if (v or "").isdigit()]
    next_id = max([163, *used]) + 1
    formats: dict[str, str] = {}
    for snippet in theirs["numFmts"].children:
        element = ElementTree.fromstring(snippet)
        code, number = element.get("formatCode"), element.get("numFmtId", "0")
        if code not in codes:
            codes[code] = str(next_id)
            mine["numFmts"].index_of(re.sub(rb'numFmtId="\d+"', f'numFmtId="{next_id}"'.encode(), snippet))
            next_id += 1
        formats[number] = codes[code]
    maps = {name: {str(i): str(mine[name].index_of(s)) for i, s in enumerate(theirs[name].children)}
            for name in ("fonts", "fills", "borders")}
    xfs: dict[str, str] = {}
    for index, snippet in enumerate(theirs["cellXfs"].children):
        def renumber(match: re.Match[bytes]) -> bytes:
            name, value = match.group(1).decode(), match.group(2).decode()
            table = {"numFmtId": formats, "fontId": maps["fonts"], "fillId": maps["fills"],
                     "borderId": maps["borders"]}[name]
            return f'{name}="{table.get(value, value)}"'.encode()

        moved = re.sub(rb'\b(numFmtId|fontId|fillId|borderId)="(\d+)"', renumber, snippet)
        xfs[str(index)] = str(mine["cellXfs"].index_of(moved))
    root_end = _elements(master, {"styleSheet"})[0].end
    edits = [e for e in (c.edit(root_end) for c in mine.values()) if e]
    return (_replace(master, edits) if edits else master), xfs


_CELL_TAG = re.compile(rb"<(c|row|col) [^>]*>")
_SHARED_CELL = re.compile(rb'<c ([^>]*?)t="s"([^>]*)><v>(\d+)</v></c>')


def restyle_sheet(xml: bytes, xfs: dict[str, str], shared: list[bytes]) -> bytes:
    """A small workbook's sheet with its style indices renumbered and shared strings made inline."""
    if shared:
        xml = _SHARED_CELL.sub(lambda m: b"<c " + m.group(1) + b't="inlineStr"' + m.group(2) + b"><is>"
                               + shared[int(m.group(3))] + b"</is></c>", xml)

    def tag(match: re.Match[bytes]) -> bytes:
        attribute = b"style" if match.group(1) == b"col" else b"s"
        return re.sub(rb"\b" + attribute + rb'="(\d+)"',
                      lambda m: attribute + b'="' + xfs.get(m.group(1).decode(), "0").encode() + b'"', match.group(0))

    return _CELL_TAG.sub(tag, xml)


def _shared_strings(xml: bytes | None) -> list[bytes]:
    if not xml:
        return []
    return [m.group(1) for m in re.finditer(rb"<si>(.*?)</si>|<si/>", xml, re.S)] if xml else []


# --- drawing the sheets -----------------------------------------------------------------------------


def sheet_name(item: ReportSheet | Form) -> str:
    return item.name if isinstance(item, ReportSheet) else item.sheet


def render(sheets: Sequence[ReportSheet | Form]) -> dict[str, bytes]:
    """The report sheets (and new table sheets, a ``Form`` each, laid out as ``dvk init`` lays them out)
    drawn in a new workbook of their own, as its zip parts."""
    from . import excel
    from .report_sheet import draw_report_sheet
    from .table_sheet import add_table_sheet

    book = excel.new_book()
    for item in sheets:
        if isinstance(item, ReportSheet):
            ws = book.create_sheet(item.name)
            draw_report_sheet(ws, item)
        else:
            ws = add_table_sheet(book, item)
        ws.sheet_view.tabSelected = False  # two selected tabs would open the master with its sheets grouped
    buffer = io.BytesIO()
    book.save(buffer)
    with zipfile.ZipFile(buffer) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _workbook_sheets(parts: dict[str, bytes]) -> tuple[list[Any], dict[str, dict[str, str]]]:
    """The ``<sheet>`` elements of workbook.xml (in order) and the workbook's relationships by Id."""
    found = _elements(parts["xl/workbook.xml"], {"sheet"})
    rels = {r.get("Id", ""): r for r in relationships(parts.get("xl/_rels/workbook.xml.rels"))}
    return found, rels


def _relationship_id(attrs: dict[str, str]) -> tuple[str, str]:
    for key, value in attrs.items():
        if key.endswith(":id"):
            return key, value
    raise PatchUnsupported("a sheet without its relationship")


def splice_sheets(parts: dict[str, bytes], sheets: Sequence[ReportSheet | Form], label: str) -> None:
    """Put the report sheets into the master's parts (in place), replacing sheets of the same names; a ``Form``
    is a new table sheet (its table, dropdowns and print titles), added after the last sheet."""
    if "xl/workbook.xml" not in parts or "xl/styles.xml" not in parts:
        raise PatchUnsupported("a workbook without its workbook or styles part")
    if _main_prefix(_first_attrs(parts["xl/workbook.xml"])) != "":
        raise PatchUnsupported("a workbook part with a prefixed namespace")
    small = render(sheets)
    small_sheets, small_rels = _workbook_sheets(small)
    parts["xl/styles.xml"], xfs = merge_styles(parts["xl/styles.xml"], small["xl/styles.xml"])
    shared = _shared_strings(small.get("xl/sharedStrings.xml"))
    small_types = _content_types(small["[Content_Types].xml"])
    removed: set[str] = set()
    added: dict[str, str] = {}
    taken: set[str] = set()
    small_names = _defined_names(small["xl/workbook.xml"])
    for index, (sheet, element) in enumerate(zip(sheets, small_sheets, strict=True)):
        source = resolve("xl/workbook.xml", small_rels[_relationship_id(element.attrs)[1]]["Target"])
        part, position = _place_sheet(parts, sheet, label, removed, taken)
        names_of_sheet = [(attrs, body) for attrs, body in small_names if attrs.get("localSheetId") == str(index)]
        if names_of_sheet:
            _add_defined_names(parts, [({**attrs, "localSheetId": str(position)}, body)
                                       for attrs, body in names_of_sheet])
        if part not in parts:
            added[part] = WORKSHEET_TYPE
        parts[part] = restyle_sheet(small[source], xfs, shared)
        # The sheet's drawing, the drawing's chart…: copied under free names, relationships renamed.
        names: dict[str, str] = {}
        pending = [source]
        while pending:
            current = pending.pop()
            rels = relationships(small.get(rels_part(current)))
            if not rels:
                continue
            for rel in rels:
                if rel.get("TargetMode") == "External":
                    continue
                target = resolve(current, rel["Target"])
                if target not in names:
                    folder, name = posixpath.split(target)
                    stem = re.sub(r"\d+$", "", posixpath.splitext(name)[0])
                    names[target] = _free_name(parts, taken, folder + "/", stem, posixpath.splitext(name)[1])
                    parts[names[target]] = small[target]
                    if rel.get("Type") == TABLE_REL:
                        parts[names[target]] = _renumber_table(parts, names[target])
                    added[names[target]] = small_types.get(target, "application/xml")
                    pending.append(target)
                rel["Target"] = "/" + names[target]
            mine = part if current == source else names[current]
            parts[rels_part(mine)] = _rels_xml(rels)
        if not names and rels_part(part) in parts:
            del parts[rels_part(part)]
    if "xl/calcChain.xml" in parts:  # Excel's formula order names cells of the replaced sheet: it rebuilds it
        removed.add("xl/calcChain.xml")
        rels_xml = parts["xl/_rels/workbook.xml.rels"]
        parts["xl/_rels/workbook.xml.rels"] = re.sub(rb"<Relationship\b[^>]*calcChain[^>]*/>", b"", rels_xml)
    for name in removed:
        parts.pop(name, None)
    gone = {p for p in removed if p not in parts}
    parts["[Content_Types].xml"] = _edit_content_types(parts["[Content_Types].xml"], gone, added)


def sheet_holds_table(path: Path, name: str) -> bool:
    """Whether the workbook's sheet ``name`` (any letter case) holds a table: reads three small parts."""
    try:
        with zipfile.ZipFile(path) as archive:
            parts = _LazyParts(archive)
            elements, rels = _workbook_sheets(parts)
            for element in elements:
                if element.attrs.get("name", "").casefold() == name.casefold():
                    rel = rels.get(_relationship_id(element.attrs)[1])
                    part = resolve("xl/workbook.xml", rel["Target"]) if rel else ""
                    return any(r.get("Type") == TABLE_REL for r in relationships(parts.get(rels_part(part))))
    except (KeyError, OSError, zipfile.BadZipFile, PatchUnsupported):
        pass  # the save finds out, on its own way
    return False


def _first_attrs(xml: bytes) -> dict[str, str]:
    found: list[dict[str, str]] = []
    _parse(xml, lambda _n, attrs, _at: found.append(attrs) if not found else None)
    return found[0] if found else {}


def _defined_names(xml: bytes) -> list[tuple[dict[str, str], bytes]]:
    """(attributes, formula as written) of each ``<definedName>`` of a workbook part."""
    found = []
    for element in _elements(xml, {"definedName"}):
        if element.empty:
            continue
        end = xml.index(b"</" + element.name.encode() + b">", element.end)
        found.append((element.attrs, xml[element.end:end]))
    return found


def _add_defined_names(parts: dict[str, bytes], names: list[tuple[dict[str, str], bytes]]) -> None:
    xml = parts["xl/workbook.xml"]
    text = b"".join(_start_tag("definedName", attrs) + body + b"</definedName>" for attrs, body in names)
    container = _elements(xml, {"definedNames", "sheets"})
    holder = next((e for e in container if e.local == "definedNames"), None)
    if holder is not None and not holder.empty:
        parts["xl/workbook.xml"] = _replace(xml, [(holder.end, holder.end, text)])
    elif holder is not None:
        parts["xl/workbook.xml"] = _replace(xml, [(holder.start, holder.end,
                                                   b"<definedNames>" + text + b"</definedNames>")])
    else:  # after </sheets> (and the links to other workbooks), where the schema puts it
        closing = b"</externalReferences>" if b"</externalReferences>" in xml else b"</sheets>"
        end = xml.index(closing) + len(closing)
        parts["xl/workbook.xml"] = _replace(xml, [(end, end, b"<definedNames>" + text + b"</definedNames>")])


def _renumber_table(parts: dict[str, bytes], part: str) -> bytes:
    """A table part copied in, with an ``id`` no other table of the workbook has."""
    ids = [int(m.group(1)) for name in list(parts)
           if name.startswith("xl/tables/") and name != part and name.endswith(".xml")
           for m in [re.search(rb'<table\b[^>]*?\sid="(\d+)"', parts[name])] if m]
    xml = parts[part]
    return re.sub(rb'(<table\b[^>]*?\sid=")\d+"', lambda m: m.group(1) + f'{max(ids, default=0) + 1}"'.encode(),
                  xml, count=1)


def _place_sheet(parts: dict[str, bytes], sheet: ReportSheet | Form, label: str, removed: set[str],
                 taken: set[str]) -> tuple[str, int]:
    """The part the sheet goes to and its index: the part of the master's sheet of that name (whose drawings
    and charts are marked for removal), or a new part with its entries in workbook.xml and its rels."""
    elements, rels = _workbook_sheets(parts)
    name = sheet_name(sheet)
    for index, element in enumerate(elements):
        if element.attrs.get("name", "").casefold() == name.casefold():
            if not isinstance(sheet, ReportSheet):
                raise PatchUnsupported("a new table's sheet name is taken")  # openpyxl says so, in Vietnamese
            rel = rels.get(_relationship_id(element.attrs)[1])
            if rel is None:
                raise PatchUnsupported("a sheet without its relationship")
            part = resolve("xl/workbook.xml", rel["Target"])
            if any(r.get("Type") == TABLE_REL for r in relationships(parts.get(rels_part(part)))):
                raise DvkError(f"Sheet “{sheet.name}” trong {label} chứa bảng dữ liệu của công cụ; "
                               "không ghi đè được bằng báo cáo, đổi tên sheet đó rồi chạy lại")
            owned: set[str] = set()
            _owned_parts(parts, part, owned)
            removed.update(owned)
            if element.attrs.get("name") != name:  # same name in other letter case: ours from now on
                _rename(parts, element, name)
            return part, index
    if not elements:
        raise PatchUnsupported("a workbook without sheets")
    part = _free_name(parts, taken, "xl/worksheets/", "sheet", ".xml")
    numbers = [int(m) for m in (re.sub(r"\D", "", r) for r in rels) if m]
    rel_id = f"rId{max(numbers, default=0) + 1}"
    while rel_id in rels:
        rel_id += "x"
    rels_xml = parts.get("xl/_rels/workbook.xml.rels")
    if rels_xml is None or (end := rels_xml.rfind(b"</Relationships>")) < 0:
        raise PatchUnsupported("workbook relationships")
    entry = f'<Relationship Id="{rel_id}" Type="{WORKSHEET_REL}" Target="/{part}"/>'.encode()
    parts["xl/_rels/workbook.xml.rels"] = rels_xml[:end] + entry + rels_xml[end:]
    position = min(max(sheet.position, 0), len(elements)) if isinstance(sheet, ReportSheet) else len(elements)
    _insert_sheet(parts, elements, position, name, rel_id)
    return part, position


def _rename(parts: dict[str, bytes], element: Any, name: str) -> None:
    xml = parts["xl/workbook.xml"]
    parts["xl/workbook.xml"] = _replace(xml, [(element.start, element.end,
                                               _start_tag(element.name, {**element.attrs, "name": name}, element.empty))])


def _insert_sheet(parts: dict[str, bytes], elements: list[Any], position: int, name: str, rel_id: str) -> None:
    """A ``<sheet>`` at ``position`` in workbook.xml; sheet indices at or after it move by one."""
    xml = parts["xl/workbook.xml"]
    key, _ = _relationship_id(elements[0].attrs)
    ids = [int(e.attrs.get("sheetId", "0")) for e in elements if e.attrs.get("sheetId", "").isdigit()]
    tag = _start_tag(elements[0].name, {"name": name, "sheetId": str(max(ids, default=0) + 1), key: rel_id}, True)
    at = elements[position].start if position < len(elements) else elements[-1].end
    edits = [(at, at, tag)]
    for element in _elements(xml, {"definedName", "workbookView"}):
        attrs, changed = dict(element.attrs), False
        for attribute in ("localSheetId",) if element.local == "definedName" else ("activeTab", "firstSheet"):
            value = attrs.get(attribute, "")
            if value.isdigit() and int(value) >= position:
                attrs[attribute], changed = str(int(value) + 1), True
        if changed:
            edits.append((element.start, element.end, _start_tag(element.name, attrs, element.empty)))
    parts["xl/workbook.xml"] = _replace(xml, edits)


# --- the whole save -----------------------------------------------------------------------------------


def patch_parts(parts: dict[str, bytes], writes: dict[str, tuple[list[str], list[list[Any]]]],
                rows_below: dict[str, int] | None = None) -> None:
    """``xlsx_patch.patch_tables`` on parts held in memory."""
    if not writes:
        return
    for sheet_part, pieces in patch_written(parts, _locate_tables(_Parts(parts)), writes, rows_below).items():
        parts[sheet_part] = b"".join(_chunks(pieces))


class _LazyParts(dict):
    """The parts of a zip by name, each read (inflated) only when asked for: a save that touches the workbook
    part, the styles and one sheet never inflates the 6 MB register sheet, and copies it compressed as it is."""

    def __init__(self, archive: zipfile.ZipFile) -> None:
        super().__init__((info.filename, _UNREAD) for info in archive.infolist())
        self.archive = archive
        self.read_from_file: dict[str, bytes] = {}

    def __getitem__(self, name: str) -> bytes:
        value = super().__getitem__(name)
        if value is _UNREAD:
            value = self.read_from_file[name] = self.archive.read(name)
            super().__setitem__(name, value)
        return value

    def get(self, name: str, default: Any = None) -> Any:
        return self[name] if name in self else default  # noqa: SIM401 - dict.get would skip the lazy read

    def unchanged(self, name: str) -> bool:
        value = super().__getitem__(name)
        return value is _UNREAD or value is self.read_from_file.get(name)


_UNREAD = object()


def _copy_compressed(out: zipfile.ZipFile, source: Any, info: zipfile.ZipInfo) -> bool:
    """Copy a member's compressed bytes as they are (no inflate, no deflate). False when the member is one
    this plain copy does not handle (encrypted, zip64), to be written the ordinary way."""
    if info.flag_bits & 0x1 or info.file_size >= 0xFFFFFFFF or info.compress_size >= 0xFFFFFFFF:
        return False
    source.seek(info.header_offset)
    header = source.read(30)
    if header[:4] != b"PK\x03\x04":
        return False
    name_length, extra_length = int.from_bytes(header[26:28], "little"), int.from_bytes(header[28:30], "little")
    source.seek(info.header_offset + 30 + name_length + extra_length)
    data = source.read(info.compress_size)
    copied = zipfile.ZipInfo(info.filename, info.date_time)
    copied.compress_type, copied.CRC = info.compress_type, info.CRC
    copied.file_size, copied.compress_size = info.file_size, info.compress_size
    copied.external_attr, copied.create_system = info.external_attr, info.create_system
    copied.flag_bits = info.flag_bits & 0x800  # keep only "the name is UTF-8"; sizes are in the header now
    copied.header_offset = out.fp.tell()
    out.fp.write(copied.FileHeader(False))
    out.fp.write(data)
    out.filelist.append(copied)
    out.NameToInfo[copied.filename] = copied
    out.start_dir = out.fp.tell()
    return True


def write_in_place(source: Path, target: Path, writes: dict[str, tuple[list[str], list[list[Any]]]],
                   rows_below: dict[str, int] | None, sheets: Sequence[ReportSheet | Form], label: str) -> None:
    """Copy ``source`` to ``target`` with the tables' rows rewritten and the report sheets spliced in.

    Parts nothing changed are copied still compressed: recompressing a large register is most of a save.
    """
    now = time.localtime()[:6]
    with zipfile.ZipFile(source) as archive:
        infos = {info.filename: info for info in archive.infolist()}
        parts = _LazyParts(archive)
        if sheets:
            splice_sheets(parts, sheets, label)
        patch_parts(parts, writes, rows_below)
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
            for name in list(parts):
                info = infos.get(name)
                if info is not None and parts.unchanged(name) and _copy_compressed(out, archive.fp, info):
                    continue
                out.writestr(info or zipfile.ZipInfo(name, date_time=now), parts[name],
                             compress_type=zipfile.ZIP_DEFLATED)
