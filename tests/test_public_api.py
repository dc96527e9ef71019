"""``from dvk_xl import …``: the public API is complete, lazy, and the README's Library example runs."""

from __future__ import annotations

import importlib.metadata
import re
import subprocess
import sys
from pathlib import Path

import pytest

import dvk_xl

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def library_example() -> str:
    section = README[README.index("## Library"):]
    return re.search(r"```python\n(.*?)```", section, re.DOTALL).group(1)


def fresh_python(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    return done.stdout.strip()


@pytest.mark.parametrize("name", dvk_xl.__all__)
def test_every_public_name_resolves_to_its_module(name):
    value = getattr(dvk_xl, name)
    if name == "__version__":
        assert value == importlib.metadata.version("dvk_xl")
    else:
        assert value.__module__ == f"dvk_xl.{dvk_xl._EXPORTS[name]}"
        assert value.__name__ == name


def test_all_and_the_lazy_table_name_the_same_things():
    assert dvk_xl.__all__[0] == "__version__"
    assert sorted(dvk_xl.__all__[1:]) == sorted(dvk_xl._EXPORTS)
    assert len(set(dvk_xl.__all__)) == len(dvk_xl.__all__)
    assert set(dvk_xl.__all__) <= set(dir(dvk_xl))
    with pytest.raises(AttributeError, match="no attribute 'no_such_name'"):
        dvk_xl.no_such_name  # noqa: B018


def test_import_dvk_xl_is_light():
    code = ("import sys, dvk_xl; print(*(m in sys.modules for m in "
            "('pandas', 'pandera', 'openpyxl', 'python_calamine', 'dvk_xl.master.book')))")
    assert fresh_python(code).split() == ["False"] * 5


@pytest.mark.parametrize("first", ["from dvk_xl.intake.rollup import rollup as f", "import dvk_xl.intake.rollup", "pass"])
def test_rollup_is_always_the_function_whatever_was_imported_first(first):
    code = (f"{first}\nimport sys, types\nfrom dvk_xl import rollup\nimport dvk_xl\n"
            "print(callable(rollup) and not isinstance(rollup, types.ModuleType), dvk_xl.rollup is rollup, "
            "rollup is sys.modules['dvk_xl.intake.rollup'].rollup)")
    assert fresh_python(code).split() == ["True"] * 3


def test_the_readme_example_imports_only_public_names():
    imports = re.findall(r"from dvk_xl import \(?([^)\n]+(?:\n[^)\n]+)*)\)?", library_example())
    names = {n.strip() for group in imports for n in group.split(",") if n.strip()}
    assert names and names <= set(dvk_xl.__all__)
    assert "from dvk_xl." not in library_example()  # the example uses the package's API, not module paths


def test_the_readme_library_example_runs(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "don-vi.csv").write_text("Mã đơn vị,Tên đơn vị,Loại đơn vị\nCB01,Chi bộ Khu dân cư số 1,Chi bộ\n"
                                         "CB02,Chi bộ Khu dân cư số 2,Chi bộ\n", encoding="utf-8")
    inbox = tmp_path / "campaign" / "inbox"
    inbox.mkdir(parents=True)
    (inbox / "PL01_CB01.xlsx").write_bytes(b"not a workbook")  # so that the example's loop prints a finding
    exec(compile(library_example(), "README.md", "exec"), {})
    out = capsys.readouterr().out
    assert "'files': 1" in out and "'rejected': 1" in out
    assert "PL01_CB01.xlsx" in out  # the finding's one line names the file
    assert out.rstrip().endswith("Đảng ủy phường Hồng An 2")
    assert len(list((tmp_path / "campaign" / "forms").glob("PL01_*.xlsx"))) == 2
    assert list((tmp_path / "campaign" / "out").glob("PL02_*.xlsx")) and list((tmp_path / "campaign" / "out").glob("*.eml"))
