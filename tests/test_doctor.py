"""``dvk doctor`` (dvk_xl/shells/doctor.py): the installation checks, with Windows faked on any OS."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from openpyxl.utils.cell import range_boundaries

from dvk_xl.shells import doctor
from dvk_xl.shells.addin import MACROS_DIR, build_addin, config_text
from dvk_xl.shells.cli import main
from dvk_xl.shells.doctor import FAIL, NA, OK, Environment, TrustedLocation, all_ok, run_checks
from dvk_xl.spec.forms import MASTER_TABLES, QUOTAS

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

EXCEL = r"C:\Program Files\Microsoft Office\root\Office16\EXCEL.EXE"


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """The add-in as `dvk build-addin` makes it from the installed sources."""
    return build_addin(tmp_path_factory.mktemp("addin") / "DanVanKheo.xlam").path


@pytest.fixture(scope="module")
def stale(tmp_path_factory) -> Path:
    """An add-in built from older sources: one line of one module differs."""
    macros = tmp_path_factory.mktemp("old-macros")
    for item in MACROS_DIR.iterdir():
        if item.is_file():
            (macros / item.name).write_bytes(item.read_bytes())
    module = sorted(macros.glob("*.bas"))[0]
    module.write_text(module.read_text(encoding="utf-8") + "\n' an older build\n", encoding="utf-8")
    return build_addin(tmp_path_factory.mktemp("stale") / "DanVanKheo.xlam", macros=macros).path


def windows(tmp_path: Path, addin: Path | None, python: str | None = sys.executable,
            trusted: list[TrustedLocation] | None = None, **changes) -> Environment:
    """A Windows user whose profile lives in tmp_path, installed as `dvk install-addin` leaves it."""
    home, appdata = tmp_path / "Users" / "canbo", tmp_path / "Users" / "canbo" / "AppData" / "Roaming"
    xlstart = appdata / "Microsoft" / "Excel" / "XLSTART"
    xlstart.mkdir(parents=True)
    if addin is not None:
        shutil.copy(addin, xlstart / "DanVanKheo.xlam")
    if python is not None:
        (home / ".DanVanKheo").mkdir()
        (home / ".DanVanKheo" / "DanVanKheo.conf").write_text(config_text(python), encoding="utf-8")
    if trusted is None:
        trusted = [TrustedLocation("%APPDATA%\\Microsoft\\Excel\\XLSTART\\")]
    fields = {"os_name": "nt", "environ": {"USERPROFILE": str(home), "APPDATA": str(appdata)},
              "which": lambda name: None, "trusted_locations": lambda: trusted, "excel_path": lambda: EXCEL,
              "python_works": lambda python: False}
    fields.update(changes)
    version = fields.get("version", doctor._version)
    fields.setdefault("xlwings_dlls", lambda python: xlwings_dlls(python, version("xlwings")))
    return Environment(**fields)


def xlwings_dlls(python: str, version: str | None) -> list[Path]:
    """The DLLs xlwings' Windows wheel puts in a venv's folder (above Scripts\\python.exe), of its version."""
    return [Path(python).parent.parent / f"xlwings{bits}-{version}.dll" for bits in (32, 64)]


def by_name(checks) -> dict[str, doctor.Check]:
    return {check.name: check for check in checks}


def failed(checks) -> list[str]:
    return [check.name for check in checks if check.status == FAIL]


# --- this machine (Linux) ---------------------------------------------------------------------------


@pytest.mark.skipif(sys.platform.startswith("win"), reason="the ribbon checks apply on Windows")
def test_linux_run_exits_0_and_lists_every_check():
    if not (shutil.which("soffice") or shutil.which("libreoffice")):
        pytest.skip("LibreOffice (soffice) is not installed")
    result = CliRunner().invoke(main, ["doctor"])
    assert result.exit_code == 0, result.output
    for name in ("Python", "dvk_xl", "xlwings", "Add-in DanVanKheo.xlam", "Add-in khớp mã nguồn", "xlwings trong add-in",
                 "Tệp cấu hình DanVanKheo.conf", "Python của add-in", "Vị trí tin cậy của add-in",
                 "LibreOffice hoặc Excel"):
        assert name + ":" in result.output
    assert "– Vị trí tin cậy của add-in: không áp dụng" in result.output
    assert "✓ Python: " in result.output and "✗" not in result.output


def test_linux_json_is_one_document(ward_master):
    result = CliRunner().invoke(main, ["doctor", "--json", "--master", str(ward_master)])
    document = json.loads(result.output)
    statuses = {c["name"]: c["status"] for c in document["checks"]}
    assert statuses["Python"] == OK
    assert all(statuses[f"Bảng {f.table} (sheet “{f.sheet}”)"] in (OK, NA) for f in MASTER_TABLES)
    assert result.exit_code == (0 if document["ok"] else 1)


def test_off_windows_the_ribbon_checks_are_not_applicable(tmp_path):
    env = Environment(os_name="posix", which=lambda name: "/usr/bin/soffice" if name == "soffice" else None)
    checks = run_checks(env=env)
    assert {c.name for c in checks if c.status == NA} == {
        "Add-in DanVanKheo.xlam", "Add-in khớp mã nguồn", "xlwings trong add-in", "Tệp cấu hình DanVanKheo.conf",
        "Python của add-in", "Python dùng chung cho các nút", "Vị trí tin cậy của add-in"}
    assert all_ok(checks)


def test_no_office_at_all_fails(tmp_path):
    checks = run_checks(env=Environment(os_name="posix", which=lambda name: None))
    assert failed(checks) == ["LibreOffice hoặc Excel"]
    assert "libreoffice.org" in by_name(checks)["LibreOffice hoặc Excel"].fix


def test_old_python_fails():
    checks = run_checks(env=Environment(os_name="posix", which=lambda name: "/usr/bin/soffice",
                                        python_version=(3, 10, 4)))
    assert failed(checks) == ["Python"]
    assert "3.10.4" in by_name(checks)["Python"].detail


# --- Windows, faked ---------------------------------------------------------------------------------


def test_windows_everything_in_place(tmp_path, built, monkeypatch):
    env = windows(tmp_path, built)
    checks = run_checks(env=env)
    assert failed(checks) == [], [c.line() for c in checks]
    assert all(c.status == OK for c in checks)
    assert EXCEL in by_name(checks)["LibreOffice hoặc Excel"].detail
    monkeypatch.setattr(doctor, "Environment", lambda: env)
    result = CliRunner().invoke(main, ["doctor"])
    assert result.exit_code == 0, result.output
    assert "✓ Add-in khớp mã nguồn" in result.output and "✓ Vị trí tin cậy của add-in" in result.output


def test_windows_addin_missing(tmp_path, monkeypatch):
    env = windows(tmp_path, None)
    monkeypatch.setattr(doctor, "Environment", lambda: env)
    result = CliRunner().invoke(main, ["doctor"])
    assert result.exit_code == 1
    assert "✗ Add-in DanVanKheo.xlam: không có " in result.output
    assert "dvk install-addin" in result.output
    assert failed(run_checks(env=env)) == ["Add-in DanVanKheo.xlam"]


def test_windows_addin_stale(tmp_path, stale, monkeypatch):
    env = windows(tmp_path, stale)
    checks = run_checks(env=env)
    assert failed(checks) == ["Add-in khớp mã nguồn"]
    assert "cũ hơn mã nguồn" in by_name(checks)["Add-in khớp mã nguồn"].detail
    monkeypatch.setattr(doctor, "Environment", lambda: env)
    assert CliRunner().invoke(main, ["doctor"]).exit_code == 1


def test_windows_addin_with_another_ribbon_is_stale(tmp_path, built):
    import zipfile

    changed = tmp_path / "other.xlam"
    with zipfile.ZipFile(built) as source, zipfile.ZipFile(changed, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            target.writestr(item, data.replace(b"</customUI>", b"<!-- old --></customUI>")
                            if item.filename == "customUI/customUI14.xml" else data)
    checks = run_checks(env=windows(tmp_path / "user", changed))
    assert failed(checks) == ["Add-in khớp mã nguồn"]
    assert "customUI14.xml" in by_name(checks)["Add-in khớp mã nguồn"].detail


def test_windows_xlwings_version_mismatch(tmp_path, built, monkeypatch):
    versions = {"dvk_xl": "0.1.0", "xlwings": "0.0.1"}
    env = windows(tmp_path, built, version=versions.get)
    checks = run_checks(env=env)
    assert failed(checks) == ["xlwings trong add-in"]
    assert "gói Python là xlwings 0.0.1" in by_name(checks)["xlwings trong add-in"].detail
    monkeypatch.setattr(doctor, "Environment", lambda: env)
    result = CliRunner().invoke(main, ["doctor"])
    assert result.exit_code == 1 and "✗ xlwings trong add-in" in result.output


def test_windows_conf_pointing_at_a_missing_python(tmp_path, built, monkeypatch):
    gone = str(tmp_path / "Python311" / "python.exe")
    env = windows(tmp_path, built, python=gone)
    checks = run_checks(env=env)
    assert failed(checks) == ["Python của add-in"]
    assert gone in by_name(checks)["Python của add-in"].detail
    monkeypatch.setattr(doctor, "Environment", lambda: env)
    result = CliRunner().invoke(main, ["doctor"])
    assert result.exit_code == 1 and "✗ Python của add-in" in result.output


def test_windows_conf_naming_another_working_python(tmp_path, built):
    other = tmp_path / "venv" / "python.exe"
    other.parent.mkdir()
    other.write_bytes(b"")
    assert failed(run_checks(env=windows(tmp_path, built, python=str(other), python_works=lambda p: True))) == []
    assert failed(run_checks(env=windows(tmp_path / "b", built, python=str(other)))) == ["Python của add-in"]


def test_windows_conf_missing(tmp_path, built):
    checks = run_checks(env=windows(tmp_path, built, python=None))
    assert failed(checks) == ["Tệp cấu hình DanVanKheo.conf"]
    assert by_name(checks)["Python của add-in"].status == NA


def test_windows_folder_not_trusted(tmp_path, built, monkeypatch):
    env = windows(tmp_path, built, trusted=[TrustedLocation(str(tmp_path / "elsewhere"), subfolders=True)])
    checks = run_checks(env=env)
    assert failed(checks) == ["Vị trí tin cậy của add-in"]
    assert "Trusted Locations" in by_name(checks)["Vị trí tin cậy của add-in"].fix
    monkeypatch.setattr(doctor, "Environment", lambda: env)
    result = CliRunner().invoke(main, ["doctor"])
    assert result.exit_code == 1 and "✗ Vị trí tin cậy của add-in" in result.output


def test_windows_a_parent_folder_trusted_with_subfolders(tmp_path, built):
    parent = str(tmp_path / "Users" / "canbo" / "AppData").upper()  # Windows paths compare without case
    assert failed(run_checks(env=windows(tmp_path, built, trusted=[TrustedLocation(parent, subfolders=True)]))) == []
    env = windows(tmp_path / "b", built, trusted=[TrustedLocation(str(tmp_path / "b" / "Users"), subfolders=False)])
    assert failed(run_checks(env=env)) == ["Vị trí tin cậy của add-in"]


# --- the master -------------------------------------------------------------------------------------


def test_a_healthy_master_has_every_table(ward_master):
    checks = doctor.check_master(ward_master)
    assert [c.status for c in checks if c.status == FAIL] == []
    assert len(checks) == len(MASTER_TABLES)


def test_a_broken_master_names_the_table(ward_master):
    book = load_workbook(ward_master)
    del book[QUOTAS.sheet].tables[QUOTAS.table]
    book.save(ward_master)
    result = CliRunner().invoke(main, ["doctor", "--master", str(ward_master)])
    assert result.exit_code == 1
    line = next(line for line in result.output.splitlines() if line.startswith("✗"))
    assert line.startswith(f"✗ Bảng {QUOTAS.table}") and f"“{QUOTAS.table}”" in line


def test_a_retyped_header_names_its_cell(ward_master):
    from dvk_xl.spec.forms import UNITS

    book = load_workbook(ward_master)
    ws = book[UNITS.sheet]
    table = ws.tables[UNITS.table]
    first_column, header_row, _, _ = range_boundaries(table.ref)
    column = UNITS.position("unit_name")
    ws.cell(header_row, first_column + column).value = "Ten don vi"  # Excel renames the table's column too
    table.tableColumns[column].name = "Ten don vi"
    book.save(ward_master)
    checks = doctor.check_master(ward_master)
    assert failed(checks) == [f"Bảng {UNITS.table} (sheet “{UNITS.sheet}”)"]
    assert "phải là “Tên đơn vị”" in by_name(checks)[failed(checks)[0]].detail
