"""windows/CaiDat.cmd and windows/CaiDat.ps1, the one-step setup for staff, checked on Linux: the steps as data
(each step of the script against the list below), where it writes, no administrator rights, the files' bytes
(CRLF, the .ps1's BOM), its PowerShell read by our tokenizer (tests/ps1check.py) with a mistake of each kind
planted, and the download bundle. What only Windows can show is on the README's Windows check list."""

from __future__ import annotations

import importlib.util
import re
import tomllib
import zipfile
from pathlib import Path

import pytest

from dvk_xl.shells import addin, doctor

from .ps1check import name_problems, scan

ROOT = Path(__file__).resolve().parents[1]
CMD = ROOT / "windows" / "CaiDat.cmd"
PS1 = ROOT / "windows" / "CaiDat.ps1"
SOURCE = PS1.read_bytes().decode("utf-8-sig")

# The steps, in order: (title, what the step's block must run). The .ps1 is checked against this list.
STEPS = [
    ("Tìm Python $MinPython trở lên", ["Find-Python", "Ask ", "Install-Python", "https://www.python.org/downloads/windows/"]),
    ("Đóng Excel trong lúc cài", ["Get-Process -Name EXCEL", "Read-Host", "Stop-Process"]),
    ("Tạo môi trường Python riêng cho công cụ", ["Invoke-Native $script:Python @('-m', 'venv', $Venv)"]),
    ("Cài dvk_xl và các thư viện đi kèm", ["Find-Package", "'-m', 'pip', 'install', '--upgrade'", "'--find-links', $Here",
                                          "'--force-reinstall', '--no-deps'", "Invoke-Native $Dvk @('--version')"]),
    ("Tạo add-in DanVanKheo.xlam, cài vào Excel và ghi cấu hình", ["Push-Location -LiteralPath $Base",
                                                                   "Invoke-Native $Dvk @('install-addin')", "Pop-Location"]),
    ("Kiểm tra cài đặt (dvk doctor)", ["& $Dvk doctor", "$script:Ready = ($LASTEXITCODE -eq 0)"]),
]


def steps(source: str) -> list[tuple[int, str, str]]:
    """(number, title, block) of every top-level ``Invoke-Step N 'title' { … }`` of the script."""
    found = []
    for match in re.finditer(r"(?m)^Invoke-Step (\d+) (['\"])(.+?)\2 \{\r?$", source):
        end = re.compile(r"(?m)^\}\r?$").search(source, match.end())
        assert end, f"step {match.group(1)} has no closing brace at the start of a line"
        found.append((int(match.group(1)), match.group(3), source[match.end():end.start()]))
    return found


def assigned(name: str) -> str:
    """The right-hand side of the script's top-level ``$name = …``."""
    match = re.search(rf"(?m)^\${name} = (.+?)\r?$", SOURCE)
    assert match, f"${name} is not assigned at the top of the script"
    return match.group(1)


# --- the steps -----------------------------------------------------------------------------------------------


def test_the_script_runs_the_steps_of_the_list_in_order():
    found = steps(SOURCE)
    assert [(n, title) for n, title, _ in found] == [(n, title) for n, (title, _) in enumerate(STEPS, start=1)]
    assert assigned("StepCount") == str(len(STEPS))  # what “[n/6]” shows
    for (number, title, block), (_, must) in zip(found, STEPS, strict=True):
        for text in must:
            assert text in block, f"step {number} ({title}) does not run {text!r}"


def test_python_is_looked_for_as_the_package_needs_it():
    assert assigned("MinPython") == "'3.11'"
    requires = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["requires-python"]
    assert requires == ">=3.11" and doctor.MIN_PYTHON == (3, 11)
    assert "sys.version_info[:2] >= (3, 11)" in SOURCE
    version = assigned("PythonVersion").strip("'").split("  #")[0].strip("'")
    assert tuple(map(int, version.split(".")[:2])) >= doctor.MIN_PYTHON
    assert "Join-Path $Base 'Python312'" in SOURCE and version.startswith("3.12.")  # the folder names the version
    assert '"https://www.python.org/ftp/python/$PythonVersion/$name"' in SOURCE
    for order in ("'-3.13', '-3.12', '-3.11', '-3'", "Get-Command python", r"Programs\Python\Python3*"):
        assert order in SOURCE
    assert r"-like '*\WindowsApps\*'" in SOURCE  # the Store's Python: its AppData is not where Excel looks


def test_the_python_installer_is_for_this_user_only_and_signed():
    body = SOURCE.split("function Install-Python", 1)[1].split("\nfunction ", 1)[0]
    for text in ("'/quiet'", "'InstallAllUsers=0'", "'Include_launcher=0'", "'PrependPath=0'",
                 "Get-AuthenticodeSignature", "$signature.Status -ne 'Valid'", "$PythonSigner"):
        assert text in body
    assert assigned("PythonSigner") == "'Python Software Foundation'"


def test_the_package_comes_from_a_wheel_beside_then_the_sources_then_the_index():
    body = SOURCE.split("function Find-Package", 1)[1].split("\nfunction ", 1)[0]
    order = [body.index(t) for t in ("'dvk_xl-*.whl'", "pyproject.toml", "return 'dvk_xl'")]
    assert order == sorted(order)
    assert "'^name = \"dvk_xl\"'" in body
    name = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["name"]
    assert f'name = "{name}"' in (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert re.fullmatch(r"dvk_xl-.*\.whl".replace("dvk_xl", name), f"{name}-0.1.0-py3-none-any.whl")


# --- where it writes, and as whom ----------------------------------------------------------------------------


def test_everything_goes_under_localappdata_and_the_addin_where_install_addin_puts_it():
    assert assigned("Base") == "Join-Path $env:LOCALAPPDATA 'DanVanKheo'"
    assert assigned("Venv") == "Join-Path $Base 'venv'"
    assert assigned("VenvPython") == r"Join-Path $Venv 'Scripts\python.exe'"
    assert assigned("Dvk") == r"Join-Path $Venv 'Scripts\dvk.exe'"
    assert assigned("Log") == "Join-Path $Base 'CaiDat.log'"
    # dvk install-addin, run in $Base, builds the add-in into $Base\workbook\ and writes the configuration
    # (INTERPRETER_WIN and USE UDF SERVER, tests/test_warm_python.py) into %USERPROFILE%\.DanVanKheo\.
    assert Path("workbook") / "DanVanKheo.xlam" == addin.DEFAULT_OUT
    assert Path.home() / ".DanVanKheo" == addin.CONFIG_DIR
    code = scan(SOURCE).code
    writes = [line for line in code.splitlines()
              if re.search(r"\b(New-Item|Remove-Item|Set-Content|Out-File|Copy-Item|Move-Item|Start-Transcript)\b"
                           r"|-OutFile\b", line)]
    assert len(writes) >= 5
    for line in writes:
        assert re.search(r"\$(Base|Venv|Log|installer)\b", line), f"writes outside its folders: {line.strip()}"
    assert assigned_in("Install-Python", "installer") == "Join-Path $env:TEMP $name"


def assigned_in(function: str, name: str) -> str:
    body = SOURCE.split(f"function {function}", 1)[1].split("\nfunction ", 1)[0]
    return re.search(rf"\${name} = (.+?)\r?$", body, re.MULTILINE).group(1)


def test_no_administrator_rights_and_nothing_machine_wide():
    found = scan(SOURCE)
    said = (found.code + "\n".join(text for _, text in found.strings)).lower()  # comments left out
    for forbidden in ("RunAs", "-Verb", "HKLM:", "InstallAllUsers=1", "Set-ExecutionPolicy", "::Machine", "'Machine'",
                      "setx", "ProgramData"):
        assert forbidden.lower() not in said, forbidden
    assert "#requires" not in SOURCE.lower()
    code = found.code
    assert "Stop-Process" in code and "$_.Path -like \"$Base\\*\"" in SOURCE  # only our own Python processes


# --- the files' bytes ------------------------------------------------------------------------------------------


def test_the_cmd_is_ascii_crlf_and_runs_the_ps1_beside_it_bypassing_the_policy_for_that_run():
    data = CMD.read_bytes()
    assert data.isascii() and b"\r\n" in data and b"\n" not in data.replace(b"\r\n", b"")
    lines = data.decode("ascii").split("\r\n")
    assert lines[0] == "@echo off" and lines[-1] == ""
    run = [line for line in lines if line.startswith("powershell.exe")]
    assert run == ['powershell.exe -NoProfile -ExecutionPolicy Bypass -File "%~dp0CaiDat.ps1" %*']
    after = lines[lines.index(run[0]) + 1:]
    assert after[:3] == ['set "RESULT=%ERRORLEVEL%"', "echo.", "pause"]  # the window stays open to be read
    assert "exit /b %RESULT%" in after
    assert not any(re.search(r"\b(runas|reg add|setx)\b", line, re.IGNORECASE) for line in lines)


def test_the_ps1_is_utf8_with_bom_and_crlf_and_its_vietnamese_is_intact():
    data = PS1.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")  # Windows PowerShell 5.1 reads a file without BOM as ANSI
    assert b"\n" not in data.replace(b"\r\n", b"")
    assert "Cài đặt công cụ “Dân vận khéo” cho Excel" in SOURCE
    assert "[Console]::OutputEncoding = [System.Text.Encoding]::UTF8" in SOURCE
    assert "$env:PYTHONUTF8 = '1'" in SOURCE


def test_git_keeps_the_scripts_bytes():
    attributes = (ROOT / ".gitattributes").read_text(encoding="utf-8").splitlines()
    assert "windows/CaiDat.cmd -text" in attributes and "windows/CaiDat.ps1 -text" in attributes


# --- PowerShell read as PowerShell reads it ---------------------------------------------------------------------


def test_the_script_tokenizes_with_every_bracket_closed_and_every_name_known():
    found = scan(SOURCE)
    assert found.problems == []
    assert name_problems(found) == []


def test_the_script_keeps_to_windows_powershell_5_1():
    code = scan(SOURCE).code
    assert "&&" not in code and "||" not in code and "??" not in code
    assert not re.search(r"\?\s*[^\s)]+\s*:", code.replace("::", ""))  # no ternary
    assert "$ErrorActionPreference = 'Continue'" in SOURCE  # native stderr is not an error in 5.1
    assert "2>&1" not in code


PLANTED = {
    "missing-brace": ("    Say 'Excel đã đóng.' 'Green'\r\n}", "    Say 'Excel đã đóng.' 'Green'\r\n", "never closed"),
    "typographic-quote-in-double-quoted-string": ("Say \"Python: $script:Python\" 'Green'",
                                                  "Say \"Python “chọn”: $script:Python\" 'Green'", "string"),
    "unclosed-string": ("Say \"Đã tạo $Venv\" 'Green'", "Say \"Đã tạo $Venv 'Green'", "never closed"),
    "misspelled-function": ("Invoke-Native $Dvk @('install-addin')", "Invoke-Nativ $Dvk @('install-addin')",
                            "unknown command Invoke-Nativ"),
    "misspelled-variable": ("Invoke-Native $Dvk @('--version')", "Invoke-Native $Dvkk @('--version')",
                            "variable $dvkk is read but never assigned"),
    "wrong-closing-bracket": ("$places = @((Join-Path $Base 'Python312'),", "$places = @((Join-Path $Base 'Python312'],",
                              "] where )"),
}


@pytest.mark.parametrize("kind", PLANTED)
def test_a_planted_mistake_is_caught(kind):
    text, mistake, says = PLANTED[kind]
    assert SOURCE.count(text) == 1, f"{kind}: the planted text is no longer in CaiDat.ps1"
    found = scan(SOURCE.replace(text, mistake))
    problems = found.problems + name_problems(found)
    assert any(says in problem for problem in problems), problems


# --- the download --------------------------------------------------------------------------------------------------


def test_the_bundle_holds_the_two_scripts_as_committed_and_the_wheel(tmp_path):
    spec = importlib.util.spec_from_file_location("make_setup_bundle", ROOT / "scripts" / "make_setup_bundle.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    wheel = tmp_path / "dvk_xl-0.1.0-py3-none-any.whl"
    wheel.write_bytes(b"PK wheel")
    bundle = module.make_bundle(tmp_path / "dist", wheel)
    assert bundle == tmp_path / "dist" / "DanVanKheo-CaiDat.zip"
    with zipfile.ZipFile(bundle) as package:
        assert sorted(package.namelist()) == ["DanVanKheo-CaiDat/CaiDat.cmd", "DanVanKheo-CaiDat/CaiDat.ps1",
                                              f"DanVanKheo-CaiDat/{wheel.name}"]
        assert package.read("DanVanKheo-CaiDat/CaiDat.cmd") == CMD.read_bytes()
        assert package.read("DanVanKheo-CaiDat/CaiDat.ps1") == PS1.read_bytes()
    assert re.fullmatch("dvk_xl-.*\\.whl", wheel.name)  # what Find-Package looks for beside the script
