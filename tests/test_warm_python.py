"""One Python for every ribbon click of an Excel session: `dvk install-addin` writes xlwings' "USE UDF SERVER"
setting, the add-in's xlwings VBA honours it, and `dvk doctor` checks it (Windows faked)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from dvk_xl.shells import addin, doctor
from dvk_xl.shells.addin import WARM_PYTHON_KEY, config_text, write_config, xlwings_sources
from dvk_xl.shells.cli import main
from dvk_xl.shells.doctor import FAIL, NA, OK, WARM_NAME, run_checks

from .test_doctor import by_name, failed, windows

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    return addin.build_addin(tmp_path_factory.mktemp("addin") / "DanVanKheo.xlam").path


def conf_rows(path: Path) -> dict[str, str]:
    import csv

    return {row[0]: row[1] for row in csv.reader(path.read_text(encoding="utf-8").splitlines()) if row}


# --- what the add-in's configuration says, and that xlwings' VBA reads it ------------------------------------


def test_the_config_names_the_python_and_asks_for_the_shared_python(tmp_path):
    path = write_config(r"C:\Users\canbo\AppData\Local\DanVanKheo\venv\Scripts\python.exe", tmp_path)
    assert path == tmp_path / "DanVanKheo.conf"
    assert conf_rows(path) == {"INTERPRETER_WIN": r"C:\Users\canbo\AppData\Local\DanVanKheo\venv\Scripts\python.exe",
                               "USE UDF SERVER": "True"}
    assert doctor._config_value(path, "use udf server") == "True"  # xlwings compares keys without case


def test_writing_again_replaces_our_settings_and_keeps_others(tmp_path):
    (tmp_path / "DanVanKheo.conf").write_text('"INTERPRETER_WIN","C:\\old\\python.exe"\n"USE UDF SERVER","False"\n'
                                               '"SHOW CONSOLE","True"\n', encoding="utf-8")
    path = write_config(r"C:\new\python.exe", tmp_path)
    assert path.read_text(encoding="utf-8").splitlines() == [
        '"SHOW CONSOLE","True"', '"INTERPRETER_WIN","C:\\new\\python.exe"', '"USE UDF SERVER","True"']


def test_the_addins_xlwings_vba_reads_these_keys_and_runs_in_the_shared_python_when_asked():
    # Guards against an xlwings release renaming the setting: the built add-in's RunPython must read it.
    _, standard, _ = xlwings_sources()
    run_python = standard["xlwings"].split("Public Function RunPython", 1)[1].split("End Function", 1)[0]
    assert f'GetConfig("{WARM_PYTHON_KEY}", False)' in run_python
    assert 'GetConfig("INTERPRETER_WIN", "")' in run_python
    assert "XLPy.Exec" in run_python and "ExecuteWindows(False" in run_python  # the two ways it runs a command
    keys = [line.split(",")[0].strip('"') for line in config_text("python.exe").splitlines()]
    assert keys == ["INTERPRETER_WIN", WARM_PYTHON_KEY]


def test_install_addin_on_windows_writes_the_config(tmp_path, monkeypatch, built):
    """The Windows branch with Excel's side faked: xlwings' CLI answers, the config lands in the profile."""
    calls = []
    monkeypatch.setattr("sys.platform", "win32")
    monkeypatch.setattr(addin, "CONFIG_DIR", tmp_path / "Users" / "canbo" / ".DanVanKheo")
    monkeypatch.setattr(addin, "_xlwings_command", lambda: ["xlwings"])
    monkeypatch.setattr(addin.subprocess, "run", lambda command, **kw: calls.append(command) or
                        subprocess.CompletedProcess(command, 0, "Successfully installed the add-in", ""))
    result = CliRunner().invoke(main, ["install-addin", str(built)])
    assert result.exit_code == 0, result.output
    assert calls == [["xlwings", "addin", "install"], ["xlwings", "addin", "install", "--file", str(built.resolve())]]
    config = tmp_path / "Users" / "canbo" / ".DanVanKheo" / "DanVanKheo.conf"
    assert conf_rows(config) == {"INTERPRETER_WIN": sys.executable, "USE UDF SERVER": "True"}
    assert f"Đã ghi {config}" in result.output


def test_install_plan_says_it_asks_for_the_shared_python(tmp_path):
    steps = addin.install_plan(tmp_path / "DanVanKheo.xlam").steps
    assert "USE UDF SERVER = True" in steps[-1] and "dùng chung một Python" in steps[-1]


# --- the doctor's check ---------------------------------------------------------------------------------


def conf(env, text: str) -> None:
    env.config().write_text(text, encoding="utf-8")


def test_everything_in_place_says_the_buttons_share_one_python(tmp_path, built):
    check = by_name(run_checks(env=windows(tmp_path, built)))[WARM_NAME]
    assert check.status == OK
    assert "USE UDF SERVER" in check.detail and "xlwings64-" in check.detail


@pytest.mark.parametrize("text", ['"INTERPRETER_WIN","{python}"\n',
                                  '"INTERPRETER_WIN","{python}"\n"USE UDF SERVER","False"\n',
                                  '"INTERPRETER_WIN","{python}"\n"USE UDF SERVER","có"\n'])
def test_the_setting_off_or_missing_fails_and_says_why(tmp_path, built, text, monkeypatch):
    env = windows(tmp_path, built)
    conf(env, text.format(python=sys.executable))
    checks = run_checks(env=env)
    assert failed(checks) == [WARM_NAME]
    check = by_name(checks)[WARM_NAME]
    assert check.detail.startswith("chưa bật") and "Python mới" in check.detail
    assert "dvk install-addin" in check.fix
    monkeypatch.setattr(doctor, "Environment", lambda: env)
    result = CliRunner().invoke(main, ["doctor"])
    assert result.exit_code == 1 and f"✗ {WARM_NAME}: chưa bật" in result.output


@pytest.mark.parametrize("value", ["true", "TRUE", "1", "-1"])
def test_the_setting_is_read_as_vba_reads_it(tmp_path, built, value):
    env = windows(tmp_path, built)
    conf(env, f'"INTERPRETER_WIN","{sys.executable}"\n"USE UDF SERVER","{value}"\n')
    assert by_name(run_checks(env=env))[WARM_NAME].status == OK


def test_the_dll_missing_or_of_another_version_fails_with_the_reinstall_command(tmp_path, built):
    import xlwings

    env = windows(tmp_path, built, xlwings_dlls=lambda python: [])
    check = by_name(run_checks(env=env))[WARM_NAME]
    assert check.status == FAIL and f"xlwings64-{xlwings.__version__}.dll" in check.detail
    assert f"-m pip install --force-reinstall xlwings=={xlwings.__version__}" in check.fix
    old = [Path(sys.executable).parent / "xlwings64-0.30.0.dll"]
    check = by_name(run_checks(env=windows(tmp_path / "b", built, xlwings_dlls=lambda python: old)))[WARM_NAME]
    assert check.status == FAIL and "chỉ thấy xlwings64-0.30.0.dll" in check.detail


def test_a_broken_python_leaves_the_shared_python_not_applicable(tmp_path, built):
    env = windows(tmp_path, built, python=str(tmp_path / "gone" / "python.exe"))
    checks = run_checks(env=env)
    assert failed(checks) == ["Python của add-in"]
    assert by_name(checks)[WARM_NAME].status == NA


def test_the_dlls_are_looked_for_where_xlwings_vba_loads_them(tmp_path):
    """Beside python.exe (an installed Python) or one folder up (a venv's Scripts\\python.exe)."""
    venv = tmp_path / "venv"
    (venv / "Scripts").mkdir(parents=True)
    (venv / "xlwings64-0.37.8.dll").write_bytes(b"")
    (venv / "xlwings32-0.37.8.dll").write_bytes(b"")
    assert [p.name for p in doctor._xlwings_dlls(str(venv / "Scripts" / "python.exe"))] == [
        "xlwings32-0.37.8.dll", "xlwings64-0.37.8.dll"]
    installed = tmp_path / "Python312"
    installed.mkdir()
    (installed / "xlwings64-0.37.8.dll").write_bytes(b"")
    assert [p.name for p in doctor._xlwings_dlls(str(installed / "python.exe"))] == ["xlwings64-0.37.8.dll"]
    assert doctor._xlwings_dlls(str(tmp_path / "elsewhere" / "bin" / "python.exe")) == []


def test_install_addin_runs_the_xlwings_cli_of_its_own_python():
    """CaiDat.cmd's venv is not on PATH: an `xlwings` found there would be another Python's (another version)."""
    command = addin._xlwings_command()
    assert command == [sys.executable, "-m", "xlwings.cli"]
    done = subprocess.run([*command, "--help"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and "addin" in done.stdout
