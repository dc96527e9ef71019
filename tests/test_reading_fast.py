"""The reader's fast paths give what the plain ones give: the zip directory read from the bytes (against
zipfile), inflated parts memoised by their bytes, the formula scan's early exit — on good files, odd
archives and hostile bytes alike."""

from __future__ import annotations

import html
import io
import re
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dvk_xl.intake import reading, xlsx_parts
from dvk_xl.spec.forms import PL01


@pytest.fixture(scope="module")
def filled(tmp_path_factory) -> bytes:
    """CB01's Phụ lục 01 filled with the demo's models, with a formula in one cell."""
    from openpyxl import load_workbook

    from dvk_xl.demo.run import DEMO_COMMITTEE, DEMO_MODELS, DEMO_UNITS, fill_template
    from dvk_xl.master.book import init_master
    from dvk_xl.reports.templates import HEADER_ROW, write_templates

    folder = tmp_path_factory.mktemp("fast")
    master = init_master(folder, committee=DEMO_COMMITTEE, preset="phuong", units=DEMO_UNITS).path
    template = write_templates(master, folder / "forms", units=["CB01"]).paths[0]
    path = fill_template(template, DEMO_MODELS["CB01"], folder / "filled.xlsx")
    book = load_workbook(path)
    book[PL01.sheet].cell(HEADER_ROW + 1, 7).value = "=2020+4"
    book.save(path)
    return path.read_bytes()


def _zip(parts: dict[str, bytes], comment: bytes = b"", extra: bytes = b"", flags: int = 0) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            info = zipfile.ZipInfo(name)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.extra = extra
            info.flag_bits |= flags
            archive.writestr(info, data)
        archive.comment = comment
    return buffer.getvalue()


def _zipfile_view(data: bytes):
    """What zipfile finds in the archive: its entries' fields, or the exception it raises."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except Exception as exc:  # noqa: BLE001 - the kind is what is compared
        return exc.__class__
    fields = ("filename", "orig_filename", "flag_bits", "compress_type", "CRC", "compress_size", "file_size",
              "header_offset")
    infos = [tuple(getattr(i, f) for f in fields) for i in archive.infolist()]
    named = {name: tuple(getattr(archive.getinfo(name), f) for f in fields) for name in archive.namelist()}
    return infos, archive.namelist(), named


def _directory_view(directory: xlsx_parts.Directory):
    fields = ("filename", "orig_filename", "flag_bits", "compress_type", "CRC", "compress_size", "file_size",
              "header_offset")
    infos = [tuple(getattr(i, f) for f in fields) for i in directory.infolist()]
    named = {name: tuple(getattr(directory.getinfo(name), f) for f in fields) for name in directory.namelist()}
    return infos, directory.namelist(), named


def _check_directory(data: bytes) -> xlsx_parts.Directory | None:
    """Wherever the fast directory reads an archive, zipfile reads the same one."""
    directory = xlsx_parts.directory(data)
    if directory is not None:
        assert _directory_view(directory) == _zipfile_view(data)
    return directory


PARTS = {"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>" * 20, "xl/a.xml": b"<a>x</a>"}


@pytest.mark.parametrize(("data", "fast"), [
    (_zip(PARTS), True),
    (_zip({**PARTS, "xl/b.xml@evil": b"<b/>"}).replace(b"@evil", b"\0evil"), False),  # zipfile cuts the name
    (_zip({**PARTS, "xl/tên.xml": b"<b/>"}), False),  # not ASCII: zipfile decodes it
    (_zip(PARTS, comment=b"a comment"), False),  # the end record is not at the very end
    (b"junk before" + _zip(PARTS), False),  # zipfile shifts every offset
    (_zip(PARTS, extra=b"\x0a\x00\x04\x00abcd"), True),  # an extra field zipfile ignores
    (_zip(PARTS, extra=b"\x0a\x00\x09\x00abcd"), False),  # a corrupt one: zipfile refuses it
    (_zip(PARTS, extra=b"\x01\x00\x08\x00" + (5).to_bytes(8, "little")), False),  # zip64 field
    (b"PK\x05\x06" + b"\0" * 18, False),  # too short for the zip64 check
])
def test_the_fast_directory_reads_what_zipfile_reads(data, fast):
    assert (_check_directory(data) is not None) is fast


def test_a_duplicated_name_is_the_last_one_as_in_zipfile():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive, pytest.warns(UserWarning):
        archive.writestr("xl/workbook.xml", b"<first/>")
        archive.writestr("xl/workbook.xml", b"<second/>")
    directory = _check_directory(buffer.getvalue())
    assert directory is not None and len(directory.infolist()) == 2
    assert xlsx_parts.read_part(directory, buffer.getvalue(), "xl/workbook.xml") == b"<second/>"


def test_a_part_that_is_not_plain_is_read_and_refused_by_zipfile():
    data = bytearray(_zip({"xl/a.xml": b"<a>" + b"y" * 100 + b"</a>"}))
    header = data.index(b"PK\x03\x04")
    data[header + 26] += 1  # the local header's name length no longer agrees with the directory
    directory = _check_directory(bytes(data))
    assert directory is not None
    with pytest.raises(zipfile.BadZipFile):
        xlsx_parts.read_part(directory, bytes(data), "xl/a.xml")
    with pytest.raises(zipfile.BadZipFile):
        zipfile.ZipFile(io.BytesIO(bytes(data))).read("xl/a.xml")


def _formula_cells_reference(archive: zipfile.ZipFile, sheet_name: str, data: bytes) -> set[str]:
    """The formula scan as it was: every sheet entry of that name, the whole regex whenever "<f" occurs."""
    names = set(archive.namelist())
    if "xl/workbook.xml" not in names:
        return set()
    workbook = xlsx_parts.read_part(archive, data, "xl/workbook.xml")
    rels = xlsx_parts.read_part(archive, data, "xl/_rels/workbook.xml.rels") \
        if "xl/_rels/workbook.xml.rels" in names else b""
    targets = dict(re.findall(rb'Id="([^"]+)"[^>]*Target="([^"]+)"', rels))
    targets.update({k: v for v, k in re.findall(rb'Target="([^"]+)"[^>]*Id="([^"]+)"', rels)})
    for name, rid in re.findall(rb'<sheet [^>]*name="([^"]+)"[^>]*r:id="([^"]+)"', workbook):
        if html.unescape(name.decode()) != sheet_name:
            continue
        target = targets.get(rid, b"").decode().lstrip("/")
        part = target if target.startswith("xl/") else f"xl/{target}"
        if part in names:
            sheet_xml = xlsx_parts.read_part(archive, data, part)
            if b"<f" in sheet_xml:
                return {m.decode() for m in xlsx_parts._FORMULA_CELL.findall(sheet_xml)}
    return set()


FRAGMENTS = ['<c r="A1"><f>1+1</f><v>2</v></c>', '<c r="B2" t="n"><v>3</v><f t="shared" si="0"/></c>',
             "<formula1>LEN(A1)=0</formula1>", "<first/>", "<f", "<c r=\"C3\"><v>1</v></c>", "<f>", "x"]


@settings(max_examples=150, deadline=None)
@given(sheets=st.lists(st.tuples(st.sampled_from(["Phụ lục 01", "Khác", "Phụ lục 01"]),
                                 st.lists(st.sampled_from(FRAGMENTS), max_size=6)), min_size=1, max_size=3))
def test_the_formula_scan_finds_what_the_whole_regex_found(sheets):
    workbook = "".join(f'<sheet name="{html.escape(name)}" sheetId="{i}" r:id="rId{i}"/>'
                       for i, (name, _) in enumerate(sheets, 1))
    rels = "".join(f'<Relationship Id="rId{i}" Target="worksheets/sheet{i}.xml"/>' for i in range(1, len(sheets) + 1))
    parts = {"xl/workbook.xml": f"<workbook><sheets>{workbook}</sheets></workbook>".encode(),
             "xl/_rels/workbook.xml.rels": f"<Relationships>{rels}</Relationships>".encode()}
    for i, (_, fragments) in enumerate(sheets, 1):
        parts[f"xl/worksheets/sheet{i}.xml"] = f"<worksheet><sheetData>{''.join(fragments)}</sheetData></worksheet>".encode()
    data = _zip(parts)
    expected = _formula_cells_reference(zipfile.ZipFile(io.BytesIO(data)), PL01.sheet, data)
    assert xlsx_parts.formula_cells(zipfile.ZipFile(io.BytesIO(data)), PL01.sheet, data) == expected
    assert xlsx_parts.formula_cells(xlsx_parts.directory(data), PL01.sheet, data) == expected


def _outcome(path: Path) -> tuple:
    file = reading.read_returned(path)
    return (file.findings, file.meta, file.form_id, file.unit_code, file.sheet, file.header_row, file.columns,
            [(r.row, r.values) for r in file.rows])


def _plain_outcome(path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple:
    """The file read without any fast path: zipfile's directory, nothing memoised, the old formula scan."""
    with monkeypatch.context() as patch:
        patch.setattr(xlsx_parts, "_PLAIN_DIRECTORY", False)
        patch.setattr(xlsx_parts, "_INFLATED_PART", -1)
        patch.setattr(xlsx_parts, "_inflated", {})
        patch.setattr(xlsx_parts, "_workbook_sheets_memo", {})
        patch.setattr(xlsx_parts, "formula_cells", _formula_cells_reference)
        return _outcome(path)


def test_the_filled_form_reads_alike(filled, tmp_path, monkeypatch):
    path = tmp_path / "PL01_CB01.xlsx"
    path.write_bytes(filled)
    fast = _outcome(path)
    assert [f.code for f in fast[0]] == ["formula-in-cell"] and fast[-1]
    assert xlsx_parts.directory(filled) is not None  # the fast directory was used
    assert fast == _plain_outcome(path, monkeypatch)


def _mutated(data: bytes, ops: list[tuple[str, float, int]]) -> bytes:
    for kind, where, value in ops:
        if not data:
            break
        if kind.endswith("-tail"):  # the directory and the end record: most of the zip's structure
            at = len(data) - 1 - int(min(1500, len(data) - 1) * where)
        else:
            at = int((len(data) - 1) * where)
        if kind.startswith("flip"):
            data = data[:at] + bytes([value]) + data[at + 1:]
        elif kind.startswith("cut"):
            data = data[:at] + data[at + 1 + value % 8:]
        else:
            data = data[:at] + bytes([value]) * (1 + value % 4) + data[at:]
    return data


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=st.lists(st.tuples(st.sampled_from(["flip", "flip-tail", "cut", "cut-tail", "insert-tail"]),
                              st.floats(0, 1), st.integers(0, 255)), min_size=1, max_size=3))
def test_hostile_bytes_read_alike_with_and_without_the_fast_paths(filled, tmp_path, monkeypatch, ops):
    pristine = tmp_path / "PL01_CB01.xlsx"
    pristine.write_bytes(filled)
    reading.read_returned(pristine)  # the memos hold this file's parts, as a batch's earlier files would
    path = tmp_path / "PL01_CB01_hong.xlsx"
    path.write_bytes(_mutated(filled, ops))
    assert _outcome(path) == _plain_outcome(path, monkeypatch)


def _problem(data: bytes, plain: bool, monkeypatch: pytest.MonkeyPatch):
    with monkeypatch.context() as patch:
        if plain:
            patch.setattr(xlsx_parts, "_PLAIN_DIRECTORY", False)
        try:
            return xlsx_parts.zip_problem(data)[0]
        except Exception as exc:  # noqa: BLE001 - read_returned turns any of these into a finding by its kind
            return exc.__class__


def test_every_byte_of_the_directory_changed_reads_as_zipfile_reads_it(monkeypatch):
    """Each byte of each directory entry and of the end record set to 0, 0xff and one more: wherever the
    fast directory reads the archive, zipfile reads the same entries, and the checks find the same."""
    data = _zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<?xml?><!DOCTYPE x><w/>",
                 "xl/worksheets/sheet1.xml": b"<worksheet>" + b"<row/>" * 200 + b"</worksheet>"})
    start = data.index(b"PK\x01\x02")
    fast = 0
    for at in range(start, len(data)):
        for value in {0, 0xFF, (data[at] + 1) % 256}:
            changed = data[:at] + bytes([value]) + data[at + 1:]
            fast += _check_directory(changed) is not None
            assert _problem(changed, False, monkeypatch) == _problem(changed, True, monkeypatch), (at, value)
    assert fast > (len(data) - start) // 2  # most changes (dates, attributes, CRCs, sizes) keep the fast path
