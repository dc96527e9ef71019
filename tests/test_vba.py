"""The ribbon's VBA checked without Excel: static analysis, block balance, grammar, callbacks, references,
and LibreOffice compiling and running our module's pure helpers. Each check is shown to catch a mistake
planted in a test copy of the sources (never in macros/)."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path
from xml.etree import ElementTree

import pytest

from dvk_xl.shells import ribbon
from dvk_xl.shells.addin import RIBBON_FILE, RIBBON_NS, build_addin, xlwings_sources

from .vbacheck import (
    analyser_problems,
    block_problems,
    callback_problems,
    grammar_errors,
    libreoffice,
    macros_dir,
    own_sources,
    reference_problems,
    run_in_libreoffice,
    vba_constants,
    vba_escape,
    vba_unescape,
)

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

OURS = "DvkRibbon"
# kind -> (file, text in it, what the test copy has instead)
PLANTS = {
    "undeclared-variable": ("DvkRibbon.bas", "    i = 1\n    Do While", "    i = 1\n    steps = 0\n    Do While"),
    "misspelled-call": ("DvkRibbon.bas", "chosen = PickFolder(title)", "chosen = PickFoldr(title)"),
    "misspelled-keyword": ("DvkRibbon.bas", "    Loop\n", "    Lop\n"),
    "missing-end-if": ("DvkRibbon.bas", "            i = i + 1\n        End If\n", "            i = i + 1\n"),
    "wrong-callback-signature": ("DvkRibbon.bas", "DvkOnAction(control As IRibbonControl)",
                                 "DvkOnAction(control As IRibbonControl, pressed As Boolean)"),
    "private-callback": ("DvkRibbon.bas", "Public Sub DvkOnAction", "Private Sub DvkOnAction"),
    "missing-office-reference": None,  # the built project's reference removed
}


def planted_macros(folder: Path, kind: str) -> Path:
    """A copy of macros/ with the mistake ``kind`` in it."""
    shutil.copytree(macros_dir(), folder)
    if PLANTS[kind]:
        name, text, mistake = PLANTS[kind]
        source = (folder / name).read_text(encoding="utf-8")
        assert source.count(text) == 1, f"{kind}: the planted text is no longer in {name}"
        (folder / name).write_text(source.replace(text, mistake), encoding="utf-8")
    return folder


def planted_addin(folder: Path, kind: str) -> Path:
    macros = planted_macros(folder / "macros", kind)
    path = build_addin(folder / "DanVanKheo.xlam", macros=macros).path
    if kind == "missing-office-reference":
        from pyopenvba import ExcelFile

        with ExcelFile(str(path)) as book:
            assert book.remove_reference("Office")
            book.save()
    return path


@pytest.fixture(scope="module")
def addin(tmp_path_factory) -> Path:
    return build_addin(tmp_path_factory.mktemp("addin") / "DanVanKheo.xlam").path


@pytest.fixture(scope="module")
def grammar(tmp_path_factory) -> dict[str, list[str]]:
    """One ANTLR parser for our modules and the planted missing End If (the grammar warms up once)."""
    sources = dict(own_sources())
    planted = planted_macros(tmp_path_factory.mktemp("grammar") / "macros", "missing-end-if")
    sources["missing-end-if"] = own_sources(planted)[OURS]
    return grammar_errors(sources)


def ribbon_xml(macros: Path) -> bytes:
    return (macros / RIBBON_FILE).read_bytes()


# --- the real add-in passes every check -------------------------------------------------------------


def test_the_analyser_finds_nothing_in_our_modules(addin):
    assert analyser_problems(addin, list(own_sources())) == []


def test_our_blocks_are_balanced():
    for name, source in own_sources().items():
        assert block_problems(source) == [], name


def test_the_vba_grammar_parses_our_modules(grammar):
    for name in own_sources():
        assert grammar[name] == [], name


def project_sources(macros: Path) -> dict[str, str]:
    """Every standard module of the add-in: a callback must be declared once in all of them."""
    return {**xlwings_sources()[1], **own_sources(macros)}


def test_every_ribbon_callback_is_one_public_sub_taking_a_ribbon_control():
    sources = project_sources(macros_dir())
    assert callback_problems(ribbon_xml(macros_dir()), sources) == []
    root = ElementTree.fromstring(ribbon_xml(macros_dir()))
    assert {b.get("onAction") for b in root.iter(f"{{{RIBBON_NS}}}button")} == {"DvkOnAction"}


def test_the_built_project_references_the_office_library(addin):
    assert reference_problems(addin) == []


def test_the_builder_adds_the_office_reference_when_the_template_lacks_it(tmp_path, monkeypatch):
    from pyopenvba import ExcelFile

    create = ExcelFile.create_new.__func__

    def bare_template(cls, path, *args, **kwargs):
        book = create(cls, path, *args, **kwargs)
        book.remove_reference("Office")
        return book

    monkeypatch.setattr(ExcelFile, "create_new", classmethod(bare_template))
    assert reference_problems(build_addin(tmp_path / "DanVanKheo.xlam").path) == []


def test_our_vba_has_no_conditional_compilation_nor_enums():
    # antlr4-vba does not read #If, and no tool here agrees on Enum tricks: keep the VBA plain.
    for name, source in own_sources().items():
        assert not re.search(r"^\s*#", source, re.MULTILINE), name
        assert not re.search(r"^\s*(Public\s+|Private\s+)?Enum\b", source, re.MULTILINE | re.IGNORECASE), name


# --- each check catches its kind of mistake -------------------------------------------------------------

CATCHES = [
    ("undeclared-variable", "analyser", "undeclared-variable"),
    ("misspelled-call", "analyser", "PickFoldr"),
    ("misspelled-keyword", "analyser", "'Lop'"),
    ("misspelled-keyword", "blocks", "where Loop is expected"),
    ("missing-end-if", "blocks", "where End If is expected"),
    ("missing-end-if", "grammar", "expecting"),
    ("wrong-callback-signature", "callbacks", "must take (x As IRibbonControl)"),
    ("private-callback", "callbacks", "must be a Public Sub"),
    ("missing-office-reference", "references", "IRibbonControl"),
]


@pytest.mark.parametrize(("kind", "check", "says"), CATCHES, ids=[f"{k}-by-{c}" for k, c, _ in CATCHES])
def test_a_planted_mistake_is_caught(kind, check, says, tmp_path, request):
    if check == "grammar":
        problems = request.getfixturevalue("grammar")[kind]
    elif check == "blocks":
        problems = block_problems(own_sources(planted_macros(tmp_path / "macros", kind))[OURS])
    elif check == "callbacks":
        macros = planted_macros(tmp_path / "macros", kind)
        problems = callback_problems(ribbon_xml(macros), project_sources(macros))
    else:
        path = planted_addin(tmp_path, kind)
        problems = analyser_problems(path, [OURS]) if check == "analyser" else reference_problems(path)
    assert problems, f"{check} missed the {kind}"
    assert any(says in problem for problem in problems), problems


BLOCKS = {
    "single-line If with Else and a colon": ("If a Then b = 1 Else b = 2: c = 3\n", []),
    "End If in a string and a comment": ('s = "End If" \' End If\nIf a Then\nEnd If\n', []),
    "continued If": ("If a _\n   And b Then\n    c = 1\nEnd If\n", []),
    "Next closing two Fors": ("For i = 1 To 2\nFor j = 1 To 2\nNext j, i\n", []),
    "Rem comment": ("Rem If a Then\nx = 1\n", []),
    "Select with Case Else": ("Select Case x\nCase 1\nCase Else\nEnd Select\n", []),
    "While without Wend": ("Sub A()\nWhile x\nEnd Sub\n", ["line 3: End Sub where Wend is expected (the While of line 2)"]),
    "stray Next": ("Next\n", ["line 1: Next without For"]),
    "With never closed": ("With x\n", ["line 1: With is never closed by End With"]),
    "Sub inside a Sub": ("Sub A()\nSub B()\nEnd Sub\n", ["line 2: Sub starts inside the Sub of line 1"]),
    "#If": ("#If Mac Then\n#End If\n", ["line 1: conditional compilation (#if) is not allowed",
                                       "line 2: conditional compilation (#end) is not allowed"]),
}


@pytest.mark.parametrize("case", BLOCKS)
def test_block_check_reads_vba_syntax(case):
    source, expected = BLOCKS[case]
    assert block_problems(source) == expected


# --- LibreOffice compiles our module and runs its pure helpers like Python ------------------------------

PROBE = 'Attribute VB_Name = "DvkProbe"\nOption Explicit\n\nPublic Function Compiled() As Long\n    Compiled = 42\nEnd Function\n'
PATHS = [
    "C:\\Users\\Nguyễn Thị Ánh\\AppData\\Local\\Temp\\dvk_rad3F2A1.tmp",
    "D:\\Phường Bến Nghé\\Tiếp nhận\\a b & c ^ 100% \"x\" (1).xlsx",
    "\\\\máy-chủ\\chia sẻ\\Ủy ban Mặt trận Tổ quốc\\📁 tệp.xlsx",
    "",
]
TEXTS = [
    "Đã tạo mẫu Phụ lục 01 cho 12 đơn vị",
    "ắằẳẵặ ấầẩẫậ ếềểễệ ốồổỗộ ớờởỡợ ứừửữự ỳỷỹỵ đĐ ĂÂÊÔƠƯ",
    "“Dân vận khéo” — 100% & \\ backslash",
    "📁",
]


def lo_copy(source: Path, target: Path) -> Path:
    """The built add-in for LibreOffice: xlwings' own modules taken out (neither its module nor its
    Dictionary class compiles in LibreOffice 7.4, and one module that does not compile stops the whole
    project), and a probe added that says whether the rest compiled."""
    from pyopenvba import ExcelFile

    from dvk_xl.shells.addin import vba_text, xlwings_sources

    _, standard, classes = xlwings_sources()
    shutil.copy(source, target)
    with ExcelFile(str(target)) as book:
        project = book.vba_project()
        for name in [*standard, *classes]:
            project.delete_module(name)
        project.add_module("DvkProbe", vba_text(PROBE))
        book.save()
    return target


@pytest.mark.libreoffice
def test_libreoffice_compiles_our_module_and_its_helpers_match_python(addin, tmp_path):
    found = libreoffice()
    if isinstance(found, str):
        (pytest.fail if os.environ.get("CI") else pytest.skip)(found)
    constants = vba_constants(own_sources()[OURS])
    escaped = [constants["TAB_TITLE"], constants["NO_MASTER"]] + [vba_escape(t) for t in TEXTS] + ["a\\u12", "\\u"]
    folders = [tmp_path / "Phường Bến Nghé", tmp_path / "a b & c ^ 100% 'x'", tmp_path / "📁 Ủy ban"]
    for folder in folders:
        folder.mkdir()
    list_files = [str(folder / "dvk_chon.tmp") for folder in folders]
    calls = ([["VBAProject.DvkProbe.Compiled", []]]
             + [["VBAProject.DvkRibbon.HexUtf16", [p]] for p in PATHS + list_files]
             + [["VBAProject.DvkRibbon.Unescape", [s]] for s in escaped])
    broken = planted_addin(tmp_path / "planted", "missing-end-if")
    documents = [{"path": str(lo_copy(addin, tmp_path / "ours.xlam")), "calls": calls},
                 {"path": str(lo_copy(broken, tmp_path / "broken.xlam")), "calls": calls[:1]}]
    ours, planted = run_in_libreoffice(documents, tmp_path / "lo-profile")

    assert ours["vba_mode"] and OURS in ours["modules"]["VBAProject"]
    results = [r.get("ok", r.get("error")) for r in ours["results"]]
    assert results[0] == 42, "our VBA project does not compile in LibreOffice"
    hexes, unescaped = results[1:1 + len(PATHS) + len(folders)], results[1 + len(PATHS) + len(folders):]
    assert hexes[:len(PATHS)] == [p.encode("utf-16-be").hex().upper() for p in PATHS]
    for folder, vba_hex in zip(folders, hexes[len(PATHS):], strict=True):
        chosen = [folder / "Mô hình “Dân vận khéo” 2026.xlsx", folder / "b.xlsx"]
        assert vba_hex == ribbon.encode_choice(chosen, folder)
        assert ribbon.decode_choice(vba_hex) == chosen  # what Python reads from the path VBA sends
    assert unescaped == [vba_unescape(s) for s in escaped]
    assert unescaped[0] == ElementTree.fromstring(ribbon_xml(macros_dir())).find(
        f".//{{{RIBBON_NS}}}tab").get("label") == "Dân vận khéo"
    assert unescaped[2:2 + len(TEXTS)] == TEXTS

    assert planted["results"][0].get("ok") != 42, "LibreOffice compiled a module missing an End If"
