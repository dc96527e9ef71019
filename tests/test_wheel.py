"""The package as users get it: a wheel installed outside the checkout builds the add-in from any folder."""

from __future__ import annotations

import shutil
import site
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from dvk_xl.shells.addin import MACROS_DIR, RIBBON_FILE, RIBBON_PART
from dvk_xl.shells.ribbon import ACTIONS

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")  # oletools' use of older pyparsing names


def run(*command: str | Path, cwd: Path | None = None) -> str:
    done = subprocess.run([str(c) for c in command], cwd=cwd, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def venv(tmp_path_factory) -> Path:
    """A fresh venv holding only the wheel of this checkout; its dependencies come from the test's own venv."""
    work = tmp_path_factory.mktemp("wheel")
    source = work / "src"  # a copy, so that the build leaves no build/ or .egg-info in the checkout
    shutil.copytree(ROOT / "dvk_xl", source / "dvk_xl", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, source / name)
    # Absolute paths only: pip reads a bare relative name such as "src" as a package to download.
    run(sys.executable, "-m", "pip", "wheel", source.resolve(), "--no-deps", "-q", "-w", (work / "dist").resolve())
    wheel = next((work / "dist").glob("dvk_xl-*.whl"))
    env = work / "venv"
    run(sys.executable, "-m", "venv", "--without-pip", env)
    python = env / ("Scripts/python.exe" if sys.platform.startswith("win") else "bin/python")
    run(sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "--no-index", "-q", wheel)
    # Only now (so that pip above does not see the editable dvk_xl there): dependencies from our venv.
    # A path line in a .pth is added to sys.path without running that folder's own .pth files, so the
    # editable install in it stays invisible and dvk_xl comes from the wheel.
    purelib = Path(run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])").strip())
    (purelib / "dvk-test-deps.pth").write_text("\n".join(site.getsitepackages()) + "\n", encoding="utf-8")
    return env


def test_the_wheel_carries_the_macros_and_the_installed_dvk_builds_the_addin(venv, tmp_path):
    bin_dir = venv / ("Scripts" if sys.platform.startswith("win") else "bin")
    where = run(bin_dir / "python", "-c", "import dvk_xl, dvk_xl.shells.addin as a; print(dvk_xl.__file__); print(a.MACROS_DIR)",
                cwd=tmp_path).split("\n")
    assert Path(where[0]).is_relative_to(venv) and Path(where[1]).is_relative_to(venv), where  # not the checkout
    empty = tmp_path / "empty"
    empty.mkdir()
    output = run(bin_dir / "dvk", "build-addin", "--out", "X.xlam", cwd=empty)
    assert "Đã tạo add-in" in output and "DvkRibbon" in output and f"{len(ACTIONS)} nút" in output
    addin = empty / "X.xlam"
    with zipfile.ZipFile(addin) as package:
        names = set(package.namelist())
        assert package.read(RIBBON_PART) == (MACROS_DIR / RIBBON_FILE).read_bytes()
    assert "xl/vbaProject.bin" in names

    from oletools.olevba import VBA_Parser

    parser = VBA_Parser(str(addin))
    try:
        modules = {Path(vba_file).stem for _, _, vba_file, _ in parser.extract_macros()}
    finally:
        parser.close()
    assert {"DvkRibbon", "xlwings", "Dictionary"} <= modules


def test_missing_macros_say_reinstall_when_the_package_lost_them_and_check_the_path_when_given(tmp_path, monkeypatch):
    from dvk_xl import DvkError
    from dvk_xl.shells import addin

    with pytest.raises(DvkError, match=r"nowhere; kiểm tra lại đường dẫn"):
        addin.build_addin(tmp_path / "x.xlam", macros=str(tmp_path / "nowhere"))
    monkeypatch.setattr(addin, "MACROS_DIR", tmp_path / "site-packages" / "dvk_xl" / "shells" / "macros")
    with pytest.raises(DvkError, match=r"cài lại dvk_xl"):
        addin.build_addin(tmp_path / "x.xlam")
    assert not (tmp_path / "x.xlam").exists()


def test_the_installed_wheel_runs_what_the_setup_script_runs(venv, tmp_path):
    """windows/CaiDat.ps1's last steps with the installed wheel, in its folder (%LOCALAPPDATA%\\DanVanKheo):
    `dvk --version`, `dvk install-addin` (off Windows it says what it would do and exits 1), the add-in build it
    starts with (into workbook\\ there), `dvk doctor`."""
    import json

    dvk = venv / ("Scripts/dvk.exe" if sys.platform.startswith("win") else "bin/dvk")
    base = tmp_path / "DanVanKheo"
    base.mkdir()
    assert run(dvk, "--version", cwd=base).startswith("dvk ")
    done = subprocess.run([str(dvk), "install-addin"], cwd=base, capture_output=True, text=True, timeout=600)
    assert done.returncode == 1 and "USE UDF SERVER = True" in done.stdout and "chỉ chạy được trên Windows" in done.stderr
    run(dvk, "build-addin", cwd=base)
    assert (base / "workbook" / "DanVanKheo.xlam").is_file()
    done = subprocess.run([str(dvk), "doctor", "--json"], cwd=base, capture_output=True, text=True, timeout=600)
    document = json.loads(done.stdout)
    statuses = {check["name"]: check["status"] for check in document["checks"]}
    assert statuses["dvk_xl"] == "ok" and statuses["Python dùng chung cho các nút"] == "na"
    assert done.returncode == (0 if document["ok"] else 1)
