"""``dvk compliance`` writes the "Tuân thủ" sheet (chart included) and ThamDinh into the master in place
(dvk_xl/workbook/xlsx_splice.py), never loading the master with openpyxl; the openpyxl path stays as the fallback."""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.styles import PatternFill

from dvk_xl.compliance.check import COMPLIANCE_SHEET, run_compliance
from dvk_xl.core.errors import DvkError, MasterLockedError
from dvk_xl.spec.forms import EVALUATION, REGISTER
from dvk_xl.workbook import xlsx_splice
from dvk_xl.workbook.xlsx_patch import PatchUnsupported
from dvk_xl.workbook.xlsx_splice import merge_styles

from .compliancefixtures import edit_evaluation, reg, register

DAY = date(2026, 2, 2)
STAFF_FILL = "FFFFFF00"


@pytest.fixture
def master(procuracy_master):
    register(procuracy_master, [reg("CB-P9", 1, kind="Mới", field="Xây dựng hệ thống chính trị"),
                                reg("CB-P9", 2, status="Đã rút"), reg("CB-KV10", 1, field="Văn hóa - xã hội")])
    return procuracy_master


def refuse_openpyxl(monkeypatch) -> None:
    """Fails the test if the master is loaded with openpyxl (the full round trip this path avoids)."""
    import openpyxl

    def refuse(*args, **kwargs):
        raise AssertionError("the master was loaded with openpyxl")

    monkeypatch.setattr(openpyxl, "load_workbook", refuse)


@pytest.fixture
def no_openpyxl_load(monkeypatch):
    refuse_openpyxl(monkeypatch)


def fallback(monkeypatch):
    def unsupported(*args, **kwargs):
        raise PatchUnsupported("test: take the openpyxl path")

    monkeypatch.setattr(xlsx_splice, "splice_sheets", unsupported)


def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def values(path: Path, name: str) -> list[list]:
    ws = load_workbook(path)[name]
    return [list(r) for r in ws.iter_rows(values_only=True)]


def layout(path: Path) -> dict:
    """What a user sees of the compliance sheet besides its values: place, fills, fonts, merges, chart, print setup."""
    book = load_workbook(path)
    ws = book[COMPLIANCE_SHEET]
    cells = {c.coordinate: (c.fill.fgColor.rgb[-6:] if c.fill.fill_type else None, c.font.b, c.font.sz,
                            c.number_format, c.alignment.wrap_text, c.border.left.style)
             for row in ws.iter_rows() for c in row if c.value is not None}
    chart = ws._charts[0]
    return {"sheets": book.sheetnames, "cells": cells, "merged": sorted(str(r) for r in ws.merged_cells.ranges),
            "widths": {k: d.width for k, d in ws.column_dimensions.items()},
            "heights": {k: d.height for k, d in ws.row_dimensions.items() if d.height},
            "charts": len(ws._charts), "series": [s.val.numRef.f for s in chart.series],
            "anchor": chart.anchor._from.row, "breaks": [b.id for b in ws.row_breaks.brk],
            "page": (ws.page_setup.orientation, ws.page_setup.paperSize, ws.page_setup.fitToWidth),
            "titles": {name: book[name].print_title_rows for name in book.sheetnames}}


def test_compliance_never_loads_the_master_with_openpyxl(master, no_openpyxl_load):
    report = run_compliance(master, DAY)
    assert report.master == master
    with zipfile.ZipFile(master) as archive:
        book = archive.read("xl/workbook.xml").decode()
    assert re.findall(r'<sheet name="([^"]+)"', book)[1] == COMPLIANCE_SHEET


def test_same_sheet_as_the_openpyxl_path_cell_by_cell(master, tmp_path, monkeypatch):
    slow = tmp_path / "slow.xlsx"
    shutil.copy(master, slow)
    run_compliance(master, DAY)
    edit_evaluation(master, {"DVK-2026-CB-P9-1": {"result": "Công nhận", "typical": "Có"}})
    shutil.copy(master, slow)  # the same evaluation typed in both
    run_compliance(master, DAY)
    fallback(monkeypatch)
    run_compliance(slow, DAY)
    assert values(master, COMPLIANCE_SHEET) == values(slow, COMPLIANCE_SHEET)
    assert values(master, EVALUATION.sheet) == values(slow, EVALUATION.sheet)
    fast, general = layout(master), layout(slow)
    assert fast == general
    assert fast["charts"] == 1 and fast["sheets"][1] == COMPLIANCE_SHEET
    assert fast["titles"][REGISTER.sheet] == "$4:$4"  # print titles moved with their sheets' new indices


def test_running_twice_adds_no_parts_and_no_styles(master):
    run_compliance(master, DAY)
    first = parts(master)
    run_compliance(master, date(2026, 2, 3))
    second = parts(master)
    assert len(second) == len(first) and second["xl/styles.xml"] == first["xl/styles.xml"]
    assert len([p for p in second if p.startswith(("xl/charts/", "xl/drawings/"))]) == 3  # drawing, its rels, chart
    types = second["[Content_Types].xml"].decode()
    overrides = set(re.findall(r'PartName="/([^"]+)"', types))
    assert overrides <= set(second) and {p for p in second if p.startswith(("xl/charts/", "xl/drawings/d"))} <= overrides
    assert "03/02/2026" in values(master, COMPLIANCE_SHEET)[1][0]


def test_the_openpyxl_sheet_of_an_older_run_is_replaced_in_place(master, monkeypatch):
    with monkeypatch.context() as patch:
        fallback(patch)
        run_compliance(master, DAY)
    before = parts(master)
    run_compliance(master, DAY)
    after = parts(master)
    assert len(after) == len(before)
    assert load_workbook(master).sheetnames == load_workbook(master).sheetnames
    assert len(load_workbook(master)[COMPLIANCE_SHEET]._charts) == 1


def test_staff_edits_elsewhere_are_untouched(master, monkeypatch):
    book = load_workbook(master)  # staff's edits, made here with openpyxl
    ws = book[REGISTER.sheet]
    ws["D5"].fill = PatternFill("solid", fgColor=STAFF_FILL)
    extra = book.create_sheet("Ghi chú riêng")
    extra["B3"] = "Sổ tay của cán bộ"
    book.save(master)
    before = parts(master)
    with monkeypatch.context() as patch:
        refuse_openpyxl(patch)
        run_compliance(master, DAY)
    after = parts(master)
    changed = {p for p in before if before[p] != after.get(p)}
    with zipfile.ZipFile(master) as archive:
        evaluation_parts = set(xlsx_splice._locate_tables(archive)[EVALUATION.table])
    expected = {"xl/workbook.xml", "xl/_rels/workbook.xml.rels", "[Content_Types].xml", "xl/styles.xml"}
    assert changed <= expected | evaluation_parts
    book = load_workbook(master)
    assert book[REGISTER.sheet]["D5"].fill.fgColor.rgb == STAFF_FILL
    assert book["Ghi chú riêng"]["B3"].value == "Sổ tay của cán bộ"


def test_a_sheet_of_that_name_holding_a_table_is_refused_and_nothing_changes(master):
    book = load_workbook(master)
    book[REGISTER.sheet].title = COMPLIANCE_SHEET
    book.save(master)
    before = master.read_bytes()
    with pytest.raises(DvkError, match="chứa bảng dữ liệu của công cụ"):
        run_compliance(master, DAY)
    assert master.read_bytes() == before


def test_a_master_open_in_excel_is_refused_before_any_change(master):
    lock = master.with_name("~$" + master.name)
    lock.write_text("")
    before = master.read_bytes()
    with pytest.raises(MasterLockedError, match="đang được mở trong Excel"):
        run_compliance(master, DAY)
    assert master.read_bytes() == before


def test_excel_written_styles_are_reused_not_added_again():
    excel = (b'<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
             b'<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
             b'<font><b/><sz val="14"/><name val="Times New Roman"/></font></fonts>'
             b'<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/>'
             b'</fill></fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
             b'<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
             b'<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs></styleSheet>')
    ours = (b'<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            b'<numFmts count="1"><numFmt numFmtId="164" formatCode="&quot;tr\xe1\xbb\x85 &quot;0"/></numFmts>'
            b'<fonts count="2"><font><name val="Calibri"/><sz val="11"/></font>'
            b'<font><name val="Times New Roman"/><b val="1"/><sz val="14"/></font></fonts>'
            b'<fills count="1"><fill><patternFill/></fill></fills><borders count="1"><border><left/><right/><top/>'
            b'<bottom/><diagonal/></border></borders><cellXfs count="2">'
            b'<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
            b'<xf numFmtId="164" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs></styleSheet>')
    merged, xfs = merge_styles(excel, ours)
    assert xfs["0"] == "1"  # Excel's bold 14pt Times New Roman, written its own way, is the same format
    assert xfs["1"] == "2" and b'<numFmts count="1"><numFmt numFmtId="164"' in merged
    assert merged.count(b"<font>") == 2 and b'<cellXfs count="3">' in merged
    again, xfs_again = merge_styles(merged, ours)
    assert again == merged and xfs_again == xfs


@pytest.mark.libreoffice
def test_libreoffice_opens_the_master_written_in_place(master, tmp_path, monkeypatch):
    without_evaluation(master)  # an older master: the evaluation sheet and its table are spliced in too
    refuse_openpyxl(monkeypatch)
    run_compliance(master, DAY)
    run_compliance(master, DAY)  # replaced once in place, as every later run does
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        pytest.skip("LibreOffice (soffice) is not installed")
    out = tmp_path / "lo"
    subprocess.run([soffice, f"-env:UserInstallation=file://{tmp_path / 'profile'}", "--headless", "--convert-to",
                    "xlsx", "--outdir", str(out), str(master)], check=True, capture_output=True, timeout=180)
    from openpyxl.reader.excel import load_workbook as unpatched

    book = unpatched(out / master.name)  # what LibreOffice read, written back by LibreOffice
    ws = book[COMPLIANCE_SHEET]
    assert book.sheetnames[1] == COMPLIANCE_SHEET
    assert ws["A1"].value.startswith("KIỂM TRA CHỈ TIÊU, TIẾN ĐỘ VÀ TIÊU CHÍ")
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    total = next(r for r in rows if r and r[0] == "Tổng cộng")
    assert total[1:5] == [1, 1, 0, 2]  # one new, one continued, no replicated; two active models
    assert len(ws._charts) == 1 and len(ws._charts[0].series) == 3
    ids = [r[0] for r in book[EVALUATION.sheet].iter_rows(min_row=5, values_only=True) if r[0]]
    assert ids == ["DVK-2026-CB-P9-1", "DVK-2026-CB-P9-2", "DVK-2026-CB-KV10-1"]
    assert book[EVALUATION.sheet].tables[EVALUATION.table].ref == "A4:Y7"


def test_an_unchanged_evaluation_is_not_rewritten_a_changed_one_is(master):
    run_compliance(master, DAY)
    with zipfile.ZipFile(master) as archive:
        table_part, sheet_part = xlsx_splice._locate_tables(archive)[EVALUATION.table]
    first = parts(master)
    run_compliance(master, DAY)
    again = parts(master)
    assert again[sheet_part] == first[sheet_part] and again[table_part] == first[table_part]
    edit_evaluation(master, {"DVK-2026-CB-KV10-1": {"c3": "Đạt"}})
    register(master, [reg("CB-P9", 1, kind="Mới", field="Xây dựng hệ thống chính trị"),
                      reg("CB-P9", 2, status="Đã rút"), reg("CB-KV10", 1, field="Văn hóa - xã hội"),
                      reg("CB-KV10", 2)])
    edited = parts(master)
    run_compliance(master, DAY)
    assert parts(master)[sheet_part] != edited[sheet_part]
    rows = values(master, EVALUATION.sheet)
    header = rows[3]
    assert [r[0] for r in rows[4:]] == ["DVK-2026-CB-P9-1", "DVK-2026-CB-P9-2", "DVK-2026-CB-KV10-1",
                                        "DVK-2026-CB-KV10-2"]
    assert rows[6][header.index("Tiêu chí 3")] == "Đạt"  # what the team typed stays


def test_untouched_parts_are_copied_compressed_and_the_zip_is_sound(master):
    run_compliance(master, DAY)
    with zipfile.ZipFile(master) as archive:
        before = {i.filename: (i.CRC, i.compress_size, i.compress_type) for i in archive.infolist()}
    run_compliance(master, date(2026, 2, 3))
    with zipfile.ZipFile(master) as archive:
        assert archive.testzip() is None
        after = {i.filename: (i.CRC, i.compress_size, i.compress_type) for i in archive.infolist()}
        register_part = xlsx_splice._locate_tables(archive)[REGISTER.table][1]
    assert after[register_part] == before[register_part]
    assert after["xl/styles.xml"] == before["xl/styles.xml"]


def without_evaluation(path: Path) -> Path:
    """The master as an older version of the tool made it: no "Thẩm định" sheet."""
    book = load_workbook(path)
    del book[EVALUATION.sheet]
    book.save(path)
    return path


def test_an_older_master_gets_its_evaluation_sheet_in_place_like_the_openpyxl_path(master, tmp_path, monkeypatch):
    without_evaluation(master)
    slow = tmp_path / "slow.xlsx"
    shutil.copy(master, slow)
    with monkeypatch.context() as patch:
        refuse_openpyxl(patch)
        run_compliance(master, DAY)
    with monkeypatch.context() as patch:
        fallback(patch)
        run_compliance(slow, DAY)
    assert values(master, EVALUATION.sheet) == values(slow, EVALUATION.sheet)
    fast, general = load_workbook(master), load_workbook(slow)
    assert fast.sheetnames == general.sheetnames and fast.sheetnames[-1] == EVALUATION.sheet
    ws, other = fast[EVALUATION.sheet], general[EVALUATION.sheet]
    assert ws.tables[EVALUATION.table].ref == other.tables[EVALUATION.table].ref == "A4:Y7"
    assert ws.print_title_rows == other.print_title_rows == "$4:$4"
    assert ws.freeze_panes == other.freeze_panes == "A5"
    assert sorted(str(v.sqref) for v in ws.data_validations.dataValidation) == \
        sorted(str(v.sqref) for v in other.data_validations.dataValidation)
    with zipfile.ZipFile(master) as archive:
        ids = [re.search(r'<table\b[^>]*\sid="(\d+)"', archive.read(n).decode()).group(1)
               for n in archive.namelist() if n.startswith("xl/tables/")]
    assert len(ids) == len(set(ids))  # table ids stay unique in the workbook
    before = parts(master)
    run_compliance(master, DAY)
    assert len(parts(master)) == len(before)


def test_excel_formula_order_is_dropped_for_excel_to_rebuild(master):
    run_compliance(master, DAY)
    with zipfile.ZipFile(master) as archive:
        contents = {info.filename: archive.read(info.filename) for info in archive.infolist()}
    contents["xl/calcChain.xml"] = (b'<calcChain xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                                    b'<c r="A1" i="2"/></calcChain>')
    rels = contents["xl/_rels/workbook.xml.rels"]
    contents["xl/_rels/workbook.xml.rels"] = rels.replace(b"</Relationships>", (
        b'<Relationship Id="rId99" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/calcChain"'
        b' Target="calcChain.xml"/></Relationships>'))
    contents["[Content_Types].xml"] = contents["[Content_Types].xml"].replace(b"</Types>", (
        b'<Override PartName="/xl/calcChain.xml" '
        b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.calcChain+xml"/></Types>'))
    with zipfile.ZipFile(master, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in contents.items():
            archive.writestr(name, data)
    run_compliance(master, DAY)
    after = parts(master)
    assert "xl/calcChain.xml" not in after
    assert b"calcChain" not in after["xl/_rels/workbook.xml.rels"] and b"calcChain" not in after["[Content_Types].xml"]
    assert load_workbook(master)[COMPLIANCE_SHEET]["A1"].value.startswith("KIỂM TRA")
