"""``dvk doctor``: is everything the tool and its Excel ribbon need in place on this machine?

``run_checks`` returns one ``Check`` per piece (Python, dvk_xl, xlwings, the add-in in XLSTART and whether
it was built from these sources and this xlwings, DanVanKheo.conf and its Python, the Python shared by the
ribbon's clicks (xlwings' "USE UDF SERVER" and the DLL that starts it), the trusted location, LibreOffice or
Excel, optionally the master's tables). The ribbon's button adds ``check_ribbon_python``, about the Python
running the button itself. Everything it asks the machine goes through an
``Environment`` so the Windows checks run (faked) in tests on any OS. On a machine that is not Windows
the ribbon checks are "na" (không áp dụng), not failures.
"""

from __future__ import annotations

import csv
import io
import ntpath
import os
import re
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from ..core.errors import DvkError
from ..master.book import ON_DEMAND_TABLES, open_master, read_form_table, table_records
from ..spec.forms import MASTER_TABLES, OPTIONAL_TABLES
from .addin import ADDIN_FILE, ADDIN_NAME, MACROS_DIR, RIBBON_PART, WARM_PYTHON_KEY, own_modules, ribbon_xml

OK, NA, FAIL = "ok", "na", "fail"
MARKS = {OK: "✓", NA: "–", FAIL: "✗"}
NOT_WINDOWS = "không áp dụng (chỉ cần trên Windows có Microsoft Excel)"
MIN_PYTHON = (3, 11)
TRUSTED_KEY = r"Software\Microsoft\Office\16.0\Excel\Security\Trusted Locations"
EXCEL_APP_PATH = r"SOFTWARE\Microsoft\Windows\CurrentVersion\App Paths\excel.exe"
XLWINGS_CONST = re.compile(r'XLWINGS_VERSION\s+As\s+String\s*=\s*"([^"]*)"', re.IGNORECASE)
INSTALL_FIX = "Đóng Excel rồi chạy lại “dvk install-addin” (xem mục “Cài đặt từng bước” trong README)"


@dataclass
class Check:
    name: str
    status: str  # OK, NA or FAIL
    detail: str
    fix: str = ""

    @property
    def ok(self) -> bool:
        return self.status != FAIL

    def line(self) -> str:
        text = f"{MARKS[self.status]} {self.name}: {self.detail}"
        return f"{text}\n    → {self.fix}" if self.fix and self.status == FAIL else text


@dataclass
class TrustedLocation:
    path: str
    subfolders: bool = False


def _version(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def _python_works(python: str) -> bool:
    """The interpreter runs and imports dvk_xl (what the ribbon's RunPython needs)."""
    try:
        done = subprocess.run([python, "-c", "import dvk_xl"], capture_output=True, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return False
    return done.returncode == 0


def _registry_trusted_locations() -> list[TrustedLocation]:
    """HKCU's Excel trusted locations (Windows only)."""
    import winreg  # type: ignore[import-not-found]  # Windows only

    found = []
    try:
        root = winreg.OpenKey(winreg.HKEY_CURRENT_USER, TRUSTED_KEY)
    except OSError:
        return found
    with root:
        index = 0
        while True:
            try:
                name = winreg.EnumKey(root, index)
            except OSError:
                break
            index += 1
            with winreg.OpenKey(root, name) as key:
                try:
                    path = str(winreg.QueryValueEx(key, "Path")[0])
                except OSError:
                    continue
                try:
                    subfolders = bool(winreg.QueryValueEx(key, "AllowSubfolders")[0])
                except OSError:
                    subfolders = False
            found.append(TrustedLocation(path, subfolders))
    return found


def _registry_excel() -> str | None:
    """Excel's path from the App Paths key the Office installer writes (Windows only)."""
    import winreg  # type: ignore[import-not-found]  # Windows only

    for hive in (winreg.HKEY_LOCAL_MACHINE, winreg.HKEY_CURRENT_USER):
        try:
            with winreg.OpenKey(hive, EXCEL_APP_PATH) as key:
                return str(winreg.QueryValueEx(key, "")[0])
        except OSError:
            continue
    return None


def _xlwings_dlls(python: str) -> list[Path]:
    """The xlwings DLLs where xlwings' VBA loads them for the shared Python (XLPyLoadDLL): beside python.exe
    (an installed Python) or one folder up (a venv's Scripts\\python.exe)."""
    found: list[Path] = []
    for folder in (Path(python).parent, Path(python).parent.parent):
        found += sorted(folder.glob("xlwings*.dll"))
    return found


@dataclass
class Environment:
    """What the checks ask the machine; tests replace any part."""

    os_name: str = os.name  # "nt" on Windows
    environ: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    python: str = sys.executable
    python_version: tuple[int, ...] = tuple(sys.version_info[:3])
    version: Callable[[str], str | None] = _version
    which: Callable[[str], str | None] = shutil.which
    trusted_locations: Callable[[], list[TrustedLocation]] = _registry_trusted_locations
    excel_path: Callable[[], str | None] = _registry_excel
    python_works: Callable[[str], bool] = _python_works
    xlwings_dlls: Callable[[str], list[Path]] = _xlwings_dlls

    @property
    def windows(self) -> bool:
        return self.os_name == "nt"

    def home(self) -> Path:
        return Path(self.environ.get("USERPROFILE") or Path.home())

    def xlstart(self) -> Path:
        """Excel's per-user startup folder, where ``xlwings addin install --file`` copies the add-in."""
        appdata = self.environ.get("APPDATA") or str(self.home() / "AppData" / "Roaming")
        return Path(appdata) / "Microsoft" / "Excel" / "XLSTART"

    def config(self) -> Path:
        return self.home() / f".{ADDIN_NAME}" / f"{ADDIN_NAME}.conf"


# --- the checks -------------------------------------------------------------------------------------


def check_python(env: Environment) -> Check:
    shown = ".".join(map(str, env.python_version))
    if tuple(env.python_version[:2]) >= MIN_PYTHON:
        return Check("Python", OK, f"{shown} ({env.python})")
    return Check("Python", FAIL, f"{shown} quá cũ, cần 3.11 trở lên",
                 "Cài Python 3.11 trở lên từ python.org rồi cài lại dvk_xl (pip install .)")


def check_package(env: Environment) -> Check:
    version = env.version("dvk_xl")
    if version:
        return Check("dvk_xl", OK, f"phiên bản {version}")
    return Check("dvk_xl", FAIL, "gói chưa được cài (không có thông tin phiên bản)",
                 "Trong thư mục mã nguồn dvk_xl chạy: pip install .")


def check_xlwings(env: Environment) -> Check:
    version = env.version("xlwings")
    if version:
        return Check("xlwings", OK, f"phiên bản {version}")
    return Check("xlwings", FAIL, "chưa cài xlwings", "Chạy: pip install xlwings (hoặc cài lại dvk_xl: pip install .)")


def _addin_modules(path: Path) -> tuple[dict[str, str], bytes | None]:
    """The add-in's VBA modules by name and its ribbon XML (None when it has none)."""
    from pyopenvba import ExcelFile

    with ExcelFile(path) as book:
        modules = {name: book.get_module(name) for name in book.module_names()}
    with zipfile.ZipFile(path) as package:
        ribbon = package.read(RIBBON_PART) if RIBBON_PART in package.namelist() else None
    return modules, ribbon


def _code(source: str) -> str:
    """VBA text without the Attribute lines and line-end differences the VBA project adds on storing."""
    lines = source.replace("\r\n", "\n").split("\n")
    return "\n".join(line.rstrip() for line in lines if not line.startswith("Attribute ")).strip()


def check_addin(env: Environment) -> list[Check]:
    """Present in XLSTART, built from these sources, with this xlwings' VBA."""
    names = ("Add-in DanVanKheo.xlam", "Add-in khớp mã nguồn", "xlwings trong add-in")
    if not env.windows:
        return [Check(name, NA, NOT_WINDOWS) for name in names]
    path = env.xlstart() / ADDIN_FILE
    if not path.is_file():
        return [Check(names[0], FAIL, f"không có {path}", INSTALL_FIX),
                Check(names[1], NA, "chưa có add-in"), Check(names[2], NA, "chưa có add-in")]
    checks = [Check(names[0], OK, str(path))]
    try:
        modules, ribbon = _addin_modules(path)
    except Exception as exc:  # a damaged or foreign file: whatever the reader raises, it is not our add-in
        return checks + [Check(names[1], FAIL, f"không đọc được dự án VBA trong {path.name} ({exc})", INSTALL_FIX),
                         Check(names[2], NA, "không đọc được add-in")]
    stale = [name for name, source in own_modules(MACROS_DIR).items()
             if _code(modules.get(name, "")) != _code(source)]
    if ribbon != ribbon_xml(MACROS_DIR):
        stale.append("thanh công cụ (customUI14.xml)")
    if stale:
        checks.append(Check(names[1], FAIL, f"{path.name} cũ hơn mã nguồn đã cài: khác ở {', '.join(stale)}",
                            INSTALL_FIX))
    else:
        checks.append(Check(names[1], OK, "các mô-đun VBA và thanh công cụ giống mã nguồn"))
    match = XLWINGS_CONST.search(modules.get("xlwings", ""))
    inside, package = (match.group(1) if match else None), env.version("xlwings")
    if inside is None:
        checks.append(Check(names[2], FAIL, f"{path.name} không có mô-đun xlwings", INSTALL_FIX))
    elif inside != package:
        checks.append(Check(names[2], FAIL, f"add-in dùng xlwings {inside}, gói Python là xlwings {package}",
                            INSTALL_FIX))
    else:
        checks.append(Check(names[2], OK, f"xlwings {inside}, trùng với gói Python"))
    return checks


def _config_value(path: Path, key: str) -> str | None:
    """A setting of DanVanKheo.conf (xlwings' "KEY","value" lines, written in the ANSI code page)."""
    data = path.read_bytes()
    try:
        text = data.decode("mbcs")
    except LookupError:  # no "mbcs" codec off Windows
        text = data.decode("utf-8", errors="replace")
    for row in csv.reader(io.StringIO(text)):
        if len(row) >= 2 and row[0].strip().upper() == key.upper():
            return row[1].strip()
    return None


def _config_python(path: Path) -> str | None:
    return _config_value(path, "INTERPRETER_WIN")


def _vba_true(value: str | None) -> bool:
    """How xlwings' VBA reads the setting: CBool of the text ("True"/"False" in any case, or a number)."""
    text = (value or "").strip().lower()
    if text in ("true", "false"):
        return text == "true"
    try:
        return float(text) != 0
    except ValueError:
        return False


def _same_file(a: str, b: str) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


WARM_NAME = "Python dùng chung cho các nút"


def check_config(env: Environment) -> list[Check]:
    names = ("Tệp cấu hình DanVanKheo.conf", "Python của add-in", WARM_NAME)
    if not env.windows:
        return [Check(name, NA, NOT_WINDOWS) for name in names]
    path = env.config()
    if not path.is_file():
        return [Check(names[0], FAIL, f"không có {path}", INSTALL_FIX), Check(names[1], NA, "chưa có tệp cấu hình"),
                Check(names[2], NA, "chưa có tệp cấu hình")]
    python = _config_python(path)
    if not python:
        return [Check(names[0], FAIL, f"{path} không có dòng INTERPRETER_WIN", INSTALL_FIX),
                Check(names[1], NA, "tệp cấu hình không ghi Python"), Check(names[2], NA, "tệp cấu hình không ghi Python")]
    checks = [Check(names[0], OK, str(path))]
    if not Path(python).is_file():
        checks.append(Check(names[1], FAIL, f"{path.name} trỏ tới {python}, tệp này không có", INSTALL_FIX))
    elif _same_file(python, env.python):
        checks.append(Check(names[1], OK, f"{python} (chính Python đang chạy dvk)"))
    elif env.python_works(python):
        checks.append(Check(names[1], OK, f"{python} (chạy được và có dvk_xl)"))
    else:
        checks.append(Check(names[1], FAIL, f"{python} không chạy được hoặc chưa cài dvk_xl", INSTALL_FIX))
    checks.append(check_warm_python(env, path, python if checks[-1].status == OK else None))
    return checks


def check_warm_python(env: Environment, config: Path, python: str | None) -> Check:
    """USE UDF SERVER on, and the xlwings DLL that starts the shared Python where xlwings' VBA loads it."""
    setting = _config_value(config, WARM_PYTHON_KEY)
    if not _vba_true(setting):
        shown = f"“{WARM_PYTHON_KEY}” = {setting}" if setting is not None else f"không có dòng “{WARM_PYTHON_KEY}”"
        return Check(WARM_NAME, FAIL, f"chưa bật ({config.name}: {shown}): mỗi lần bấm nút Excel khởi động một Python "
                     "mới, chậm thêm khoảng 1–2 giây", INSTALL_FIX)
    if python is None:
        return Check(WARM_NAME, NA, f"đã bật ({WARM_PYTHON_KEY}), nhưng Python của add-in chưa đúng")
    version = env.version("xlwings")
    dlls = env.xlwings_dlls(python)
    wanted = [dll for dll in dlls if dll.name.lower() in (f"xlwings64-{version}.dll", f"xlwings32-{version}.dll")]
    if wanted:
        return Check(WARM_NAME, OK, f"đã bật ({WARM_PYTHON_KEY}); các nút chạy trong một Python cho cả phiên Excel "
                     f"({', '.join(dll.name for dll in wanted)} ở {wanted[0].parent})")
    others = f" (chỉ thấy {', '.join(dll.name for dll in dlls)})" if dlls else ""
    return Check(WARM_NAME, FAIL, f"đã bật nhưng không thấy xlwings64-{version}.dll cạnh {python}{others}: "
                 "Excel sẽ không khởi động được Python dùng chung",
                 f"Cài lại xlwings cho Python đó: \"{python}\" -m pip install --force-reinstall xlwings=={version}, "
                 "hoặc chạy lại CaiDat.cmd")


def _norm(path: str, environ: Mapping[str, str]) -> str:
    """A folder path for comparing: %VARIABLES% expanded, separators and case as Windows sees them."""
    expanded = re.sub(r"%([^%]+)%", lambda m: environ.get(m.group(1), m.group(0)), path)
    return ntpath.normcase(ntpath.normpath(expanded.replace("/", "\\"))).rstrip("\\")


def check_trusted(env: Environment) -> Check:
    name = "Vị trí tin cậy của add-in"
    if not env.windows:
        return Check(name, NA, NOT_WINDOWS)
    folder = _norm(str(env.xlstart()), env.environ)
    try:
        locations = env.trusted_locations()
    except OSError as exc:
        return Check(name, FAIL, f"không đọc được danh sách Trusted Locations trong registry ({exc})",
                     "Thêm thư mục XLSTART vào File › Options › Trust Center › Trusted Locations")
    for location in locations:
        place = _norm(location.path, env.environ)
        if folder == place or (location.subfolders and folder.startswith(place + "\\")):
            return Check(name, OK, f"{env.xlstart()} là vị trí tin cậy của Excel")
    return Check(name, FAIL, f"thư mục {env.xlstart()} không nằm trong Trusted Locations của Excel",
                 "Trong Excel: File › Options › Trust Center › Trust Center Settings › Trusted Locations › "
                 f"Add new location… chọn {env.xlstart()}")


def check_office(env: Environment) -> Check:
    name = "LibreOffice hoặc Excel"
    found = []
    soffice = env.which("soffice") or env.which("libreoffice")
    if soffice:
        found.append(f"LibreOffice ({soffice})")
    if env.windows:
        try:
            excel = env.excel_path()
        except OSError:
            excel = None
        if excel:
            found.append(f"Excel ({excel})")
    if found:
        return Check(name, OK, ", ".join(found))
    return Check(name, FAIL, "không tìm thấy Microsoft Excel hay LibreOffice (soffice)",
                 "Cài Microsoft Excel (Windows) hoặc LibreOffice (https://www.libreoffice.org)")


def check_master(master: str | os.PathLike | Any) -> list[Check]:
    """Every table of the forms spec present with its headers, read as every command reads them
    (``master``: a path, or the workbook open in Excel when the ribbon's button asks)."""
    label = Path(master).name if isinstance(master, str | os.PathLike) else master.label
    try:
        wb = open_master(master)
        tables = set(wb.table_names())
    except DvkError as exc:
        return [Check(f"Sổ tổng hợp {label}", FAIL, str(exc), "Chọn đúng tệp sổ tổng hợp (.xlsx) do “dvk init” tạo")]
    except OSError as exc:
        return [Check(f"Sổ tổng hợp {label}", FAIL, f"không mở được {master} ({exc})",
                      "Chọn đúng tệp sổ tổng hợp (.xlsx) do “dvk init” tạo")]
    checks = []
    for form in MASTER_TABLES:
        name = f"Bảng {form.table} (sheet “{form.sheet}”)"
        if form.table in ON_DEMAND_TABLES and form.table not in tables:
            checks.append(Check(name, NA, "chưa có, công cụ tạo khi cần"))
            continue
        try:
            read_form_table(wb, form)
        except DvkError as exc:
            checks.append(Check(name, FAIL, str(exc), "Sửa theo hướng dẫn ở trên rồi chạy lại “dvk doctor --master …”"))
        else:
            checks.append(Check(name, OK, "đủ cột, tiêu đề đúng"))
    for form in OPTIONAL_TABLES:  # a master without them is fine: checked only where present
        if form.table not in tables:
            continue
        name = f"Bảng {form.table} (sheet “{form.sheet}”)"
        try:
            rows = table_records(wb, form)
        except DvkError as exc:
            checks.append(Check(name, FAIL, str(exc), "Sửa theo hướng dẫn ở trên rồi chạy lại “dvk doctor --master …”"))
        else:
            checks.append(Check(name, OK, f"đủ cột, tiêu đề đúng; {len(rows)} dòng"))
    return checks


RIBBON_PYTHON = "Python đang chạy các nút"
RESTART_EXCEL = "Đóng hẳn Excel (mọi cửa sổ Excel) rồi mở lại"


def check_ribbon_python(started: float, argv: list[str] | None = None, package: Path | None = None) -> Check:
    """For the ribbon's button: is this the one Python shared by the clicks of the Excel session (xlwings runs
    a per-click Python with ``--from_xl=1`` on its command line), and is its code still the installed code
    (a file of dvk_xl changed after this Python started means an update it has not loaded)."""
    argv = sys.argv if argv is None else argv
    package = package or Path(__file__).resolve().parents[1]
    since = datetime.fromtimestamp(started).strftime("%H:%M %d/%m/%Y")
    if any(arg.startswith("--from_xl=1") for arg in argv):
        return Check(RIBBON_PYTHON, FAIL, f"{sys.executable}: mỗi lần bấm nút Excel khởi động một Python mới "
                     f"(chưa dùng Python dùng chung, “{WARM_PYTHON_KEY}”)",
                     "Chạy lại “dvk install-addin” (hoặc CaiDat.cmd), rồi đóng hẳn Excel (mọi cửa sổ Excel) và mở lại")
    newer = [path for path in package.rglob("*.py") if path.stat().st_mtime > started]
    if newer:
        return Check(RIBBON_PYTHON, FAIL, f"Python dùng chung chạy từ {since} nhưng dvk_xl đã được cập nhật sau đó "
                     f"({newer[0].name}…): các nút vẫn chạy bản cũ", RESTART_EXCEL + " để dùng bản mới")
    return Check(RIBBON_PYTHON, OK, f"một Python dùng chung cho cả phiên Excel (tiến trình {os.getpid()}, "
                 f"chạy từ {since}): {sys.executable}")


def run_checks(master: str | os.PathLike | Any = None, env: Environment | None = None) -> list[Check]:
    """Every check, in the order they are shown."""
    env = env or Environment()
    checks = [check_python(env), check_package(env), check_xlwings(env)]
    checks += check_addin(env)
    checks += check_config(env)
    checks.append(check_trusted(env))
    checks.append(check_office(env))
    if master is not None:
        checks += check_master(master)
    return checks


def all_ok(checks: list[Check]) -> bool:
    return all(check.ok for check in checks)


def as_records(checks: list[Check]) -> list[dict[str, str]]:
    return [asdict(check) for check in checks]
