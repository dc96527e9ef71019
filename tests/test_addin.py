"""The add-in built on Linux: its VBA read back by oletools' olevba, its ribbon read from the zip."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import pytest
from click.testing import CliRunner

from dvk_xl.shells import ribbon
from dvk_xl.shells.addin import (
    MACROS_DIR,
    RIBBON_NS,
    RIBBON_PART,
    RIBBON_REL_TYPE,
    build_addin,
    macro_files,
    ribbon_tags,
    xlwings_sources,
)
from dvk_xl.shells.cli import main

NS = {"ui": RIBBON_NS}
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")  # oletools' use of older pyparsing names


@pytest.fixture(scope="module")
def addin(tmp_path_factory) -> Path:
    return build_addin(tmp_path_factory.mktemp("addin") / "DanVanKheo.xlam").path


def code_lines(source: str) -> list[str]:
    """VBA code as olevba shows it: no Attribute lines, no line-end or trailing-space differences."""
    lines = [line.rstrip() for line in source.replace("\r\n", "\n").split("\n") if not line.startswith("Attribute VB_")]
    while lines and not lines[-1]:
        lines.pop()
    return lines


@pytest.fixture(scope="module")
def vba(addin) -> dict[str, str]:
    from oletools.olevba import VBA_Parser

    parser = VBA_Parser(str(addin))
    try:
        assert parser.detect_vba_macros()
        return {Path(vba_file).stem: code for _, _, vba_file, code in parser.extract_macros()}
    finally:
        parser.close()


def test_olevba_finds_our_modules_with_the_code_of_macros(vba):
    assert {"xlwings", "DvkRibbon", "Dictionary", "ThisWorkbook"} <= set(vba)
    for path in macro_files(MACROS_DIR, ".bas"):
        name = re.search(r'Attribute VB_Name = "([^"]+)"', path.read_text(encoding="utf-8")).group(1)
        assert code_lines(vba[name]) == code_lines(path.read_text(encoding="utf-8")), path.name


def test_xlwings_module_is_the_installed_one_named_for_this_addin(vba):
    version, modules, _ = xlwings_sources()
    assert code_lines(vba["xlwings"]) == code_lines(modules["xlwings"])
    assert 'Public Const PROJECT_NAME As String = "DanVanKheo"' in vba["xlwings"]
    assert f'XLWINGS_VERSION As String = "{version}"' in vba["xlwings"]


def test_the_one_callback_runs_the_one_python_dispatch(vba):
    code = vba["DvkRibbon"]
    assert re.search(r"^Public Sub DvkOnAction\(control As IRibbonControl\)", code, re.MULTILINE)
    call = re.search(r'RunPython "import ([\w.]+); \1\.(\w+)\(', code)
    assert call and call.group(1) == ribbon.__name__ and callable(getattr(ribbon, call.group(2)))
    assert code.isascii()


def test_the_package_holds_a_well_formed_ribbon_office_can_find(addin):
    with zipfile.ZipFile(addin) as package:
        assert package.testzip() is None
        rels = package.read("_rels/.rels").decode()
        assert f'Type="{RIBBON_REL_TYPE}" Target="{RIBBON_PART}"' in rels
        root = ElementTree.fromstring(package.read(RIBBON_PART))
        types = package.read("[Content_Types].xml").decode()
    assert 'Extension="xml"' in types and "addin.macroEnabled.main+xml" in types
    tab = root.find("ui:ribbon/ui:tabs/ui:tab", NS)
    assert tab.get("label") == "Dân vận khéo"
    assert [g.get("label") for g in tab.findall("ui:group", NS)] == ["Chuẩn bị", "Tiếp nhận", "Đánh giá", "Báo cáo", "Tiện ích"]
    buttons = list(root.iter(f"{{{RIBBON_NS}}}button"))
    assert buttons and all(b.get("onAction") == "DvkOnAction" for b in buttons)
    ids = [e.get("id") for e in root.iter() if e.get("id")]
    assert len(ids) == len(set(ids))


def test_every_button_has_an_action_and_every_action_a_button(addin):
    with zipfile.ZipFile(addin) as package:
        xml = package.read(RIBBON_PART)
    root = ElementTree.fromstring(xml)
    labels = {b.get("tag").split("|")[0]: b.get("label") for b in root.iter(f"{{{RIBBON_NS}}}button")}
    tags = ribbon_tags(xml)
    keys = [t.split("|")[0] for t in tags]
    assert len(keys) == len(set(keys))
    assert set(keys) == set(ribbon.ACTIONS)
    for tag in tags:
        action = ribbon.ACTIONS[tag.split("|")[0]]
        parts = tag.split("|")
        assert "|".join(parts[:2]) == action.tag_prefix, tag  # the dialog VBA shows is the one Python expects
        assert len(parts) == (3 if action.asks else 1) and all(parts), tag  # a dialog always has a title
        assert labels[action.key] == action.label


def test_the_addin_passes_pyopenvba_file_check(addin):
    from pyopenvba import check_file

    assert check_file(addin).issues == ()


def test_cli_builds_the_addin(tmp_path):
    out = tmp_path / "workbook" / "DanVanKheo.xlam"
    result = CliRunner().invoke(main, ["build-addin", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.exists() and "Đã tạo add-in" in result.output and f"{len(ribbon.ACTIONS)} nút" in result.output


def test_install_addin_on_linux_says_what_it_would_do_and_exits_1(tmp_path, monkeypatch):
    monkeypatch.setattr("sys.platform", "linux")
    result = CliRunner().invoke(main, ["install-addin", str(tmp_path / "DanVanKheo.xlam")])
    assert result.exit_code == 1
    assert "xlwings addin install" in result.output and "XLSTART" in result.output
    assert "chỉ chạy được trên Windows" in result.output


def test_a_broken_ribbon_is_refused_with_its_file_named(tmp_path):
    from dvk_xl.core.errors import DvkError

    macros = tmp_path / "macros"
    macros.mkdir()
    (macros / "DvkRibbon.bas").write_text((MACROS_DIR / "DvkRibbon.bas").read_text())
    (macros / "customUI14.xml").write_text("<customUI><ribbon>")
    with pytest.raises(DvkError, match="customUI14.xml: XML sai cú pháp"):
        build_addin(tmp_path / "x.xlam", macros=macros)
