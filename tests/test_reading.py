"""Reading returned workbooks as units really send them, including hostile ones."""

import io
import time
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from dvk_xl.intake.reading import read_returned
from dvk_xl.reports.templates import HEADER_ROW
from dvk_xl.spec.forms import PL01

from .conftest import GOOD_MODEL, NEW_MODEL, model, soffice_to_pdf  # noqa: F401


def codes(file) -> list[tuple[str, str | None]]:
    return [(f.code, f.cell) for f in file.findings]


def test_reads_the_tools_own_form(returned):
    path = returned("CB01", [GOOD_MODEL, NEW_MODEL])
    file = read_returned(path)
    assert file.unit_code == "CB01" and file.form_id == "PL01" and file.header_row == HEADER_ROW
    assert [r.row for r in file.rows] == [HEADER_ROW + 1, HEADER_ROW + 2]
    assert file.rows[1].values["name"] == NEW_MODEL[0]
    assert file.findings == []
    assert len(file.sha256) == 64


def test_header_found_after_inserted_rows_and_columns_and_blank_rows_ignored(returned):
    path = returned("CB01", [GOOD_MODEL, NEW_MODEL])
    book = load_workbook(path)
    ws = book[PL01.sheet]
    ws.protection.sheet = False
    ws.insert_rows(3, 2)  # the unit added two lines of its own under the header
    ws.insert_cols(5)  # and a column
    ws.insert_rows(HEADER_ROW + 4)  # a blank row between two models
    book.save(path)
    file = read_returned(path)
    assert file.header_row == HEADER_ROW + 2
    assert [r.values["name"] for r in file.rows] == [GOOD_MODEL[0], NEW_MODEL[0]]
    assert file.rows[1].row == HEADER_ROW + 5


def test_totals_row_and_signature_block_are_not_models(returned):
    path = returned("CB01", [GOOD_MODEL])
    book = load_workbook(path)
    ws = book[PL01.sheet]
    ws.cell(HEADER_ROW + 2, 2, "Tổng cộng")
    book.save(path)
    file = read_returned(path)
    assert len(file.rows) == 1 and file.findings == []


def test_a_renamed_file_is_recognised_by_its_metadata(returned):
    file = read_returned(returned("CB02", [GOOD_MODEL], name="ban cuoi cung.xlsx"))
    assert file.unit_code == "CB02"


@pytest.mark.parametrize(
    ("make_bytes", "code"),
    [
        (lambda: b"PK\x03\x04" + b"\x00" * 300, "file-unreadable"),  # corrupt zip
        (lambda: "Đây là một văn bản, không phải bảng tính".encode(), "file-unreadable"),  # renamed text file
        (lambda: b"%PDF-1.4 not a workbook", "file-unreadable"),
    ],
)
def test_broken_files_are_findings_not_crashes(tmp_path, make_bytes, code):
    path = tmp_path / "hong.xlsx"
    path.write_bytes(make_bytes())
    file = read_returned(path)
    assert [f.code for f in file.findings] == [code]
    assert file.findings[0].file == "hong.xlsx"


def test_password_protected_workbook(returned, tmp_path):
    from msoffcrypto.format.ooxml import OOXMLFile

    plain = returned("CB01", [GOOD_MODEL])
    out = io.BytesIO()
    with plain.open("rb") as handle:
        OOXMLFile(handle).encrypt("matkhau", out)
    locked = tmp_path / "co_mat_khau.xlsx"
    locked.write_bytes(out.getvalue())
    file = read_returned(locked)
    assert [f.code for f in file.findings] == ["file-encrypted"]
    assert "mật khẩu" in file.findings[0].message


def test_zip_bomb_is_refused_in_bounded_time(tmp_path):
    path = tmp_path / "bom.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("xl/worksheets/sheet1.xml", "w") as part:
            block = b"\0" * (1 << 20)
            for _ in range(120):  # 120 MB of zeros, ~120 KB on disk
                part.write(block)
    assert path.stat().st_size < 1 << 20
    started = time.perf_counter()
    file = read_returned(path)
    assert [f.code for f in file.findings] == ["file-too-large"]
    assert time.perf_counter() - started < 5


def test_xml_entity_bomb_is_refused(returned):
    path = returned("CB01", [GOOD_MODEL])
    source = zipfile.ZipFile(path)
    parts = {name: source.read(name) for name in source.namelist()}
    source.close()
    bomb = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">'
            b'<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;">]>')
    body = parts["xl/workbook.xml"]
    parts["xl/workbook.xml"] = bomb + (body.split(b"?>", 1)[1] if body.startswith(b"<?xml") else body)
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    file = read_returned(path)
    assert [f.code for f in file.findings] == ["file-unreadable"]


def test_a_huge_file_is_refused_without_reading_it(tmp_path, monkeypatch):
    from dvk_xl.intake import reading

    monkeypatch.setattr(reading, "MAX_FILE_BYTES", 1000)
    path = tmp_path / "lon.xlsx"
    path.write_bytes(b"PK\x03\x04" + b"x" * 5000)
    file = read_returned(path)
    assert [f.code for f in file.findings] == ["file-too-large"]


def test_a_40000_character_cell(returned):
    path = returned("CB01", [model(goals="Mục tiêu " * 4445)])
    file = read_returned(path)
    assert codes(file) == [("value-too-long", f"I{HEADER_ROW + 1}")]
    assert len(file.rows[0].values["goals"]) <= 4000


def test_a_formula_in_a_cell_is_a_warning_naming_the_cell(returned):
    path = returned("CB01", [GOOD_MODEL])
    book = load_workbook(path)
    book[PL01.sheet].cell(HEADER_ROW + 1, 7).value = "=2020+4"  # a real formula, as Excel keeps it
    book.save(path)
    file = read_returned(path)
    assert codes(file) == [("formula-in-cell", f"G{HEADER_ROW + 1}")]
    assert file.findings[0].severity == "warning"


def test_a_form_from_somewhere_else_is_unknown(tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["Họ tên", "Ngày sinh"])
    book.save(tmp_path / "khac.xlsx")
    file = read_returned(tmp_path / "khac.xlsx")
    assert [f.code for f in file.findings] == ["template-unknown"]


@pytest.mark.parametrize("target", ["ods", "xls", "xlsx"])
def test_files_saved_by_libreoffice_read_the_same(returned, tmp_path, target):
    import shutil
    import subprocess

    soffice = shutil.which("soffice")
    if not soffice:
        pytest.skip("LibreOffice is not installed")
    original = returned("CB01", [GOOD_MODEL, NEW_MODEL])
    out = tmp_path / f"lo_{target}"
    out.mkdir()
    filters = {"ods": "ods", "xls": "xls:MS Excel 97", "xlsx": "xlsx:Calc MS Excel 2007 XML"}
    subprocess.run([soffice, f"-env:UserInstallation=file://{tmp_path}/lo-profile", "--headless", "--convert-to",
                    filters[target], "--outdir", str(out), str(original)], check=True, capture_output=True, timeout=180)
    converted = out / f"{original.stem}.{target}"
    ours, theirs = read_returned(original), read_returned(converted)
    assert theirs.unit_code == "CB01" and theirs.form_id == "PL01"
    assert [e.code for e in theirs.findings] == []
    assert [r.row for r in theirs.rows] == [r.row for r in ours.rows]
    for mine, other in zip(ours.rows, theirs.rows, strict=True):
        for key in ("name", "field", "kind", "person_in_charge", "date_from", "launch_date"):
            assert str(other.values[key] or "") == str(mine.values[key] or ""), key


def assert_same_path(a: Path, b: Path) -> None:
    assert a.resolve() == b.resolve()
