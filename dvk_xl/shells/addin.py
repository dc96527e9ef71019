"""The Excel add-in DanVanKheo.xlam, built from text sources on any OS, and its installation.

``build_addin`` makes the VBA project with pyOpenVBA (pure Python, no Office needed): xlwings'
own VBA module for custom add-ins, taken from the installed xlwings at build time (never a copy
kept here, so the VBA always matches the Python side's xlwings version), plus the modules in
``dvk_xl/shells/macros/*.bas``; then it adds the ribbon (``dvk_xl/shells/macros/customUI14.xml``) as the package part
Office looks for. The master workbook stays a macro-free ``.xlsx``: all code lives in the add-in.
The macros are package data, read through ``importlib.resources``, so an installed wheel builds the
add-in from any folder.
"""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass, field
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from xml.etree import ElementTree

from ..core.errors import DvkError
from ..workbook.api import atomic_save

ADDIN_NAME = "DanVanKheo"
ADDIN_FILE = f"{ADDIN_NAME}.xlam"
DEFAULT_OUT = Path("workbook") / ADDIN_FILE
MACROS_DIR: Traversable = resources.files(__package__) / "macros"  # package data: in a checkout and in a wheel
RIBBON_FILE = "customUI14.xml"
RIBBON_PART = "customUI/customUI14.xml"
RIBBON_REL_TYPE = "http://schemas.microsoft.com/office/2007/relationships/ui/extensibility"
RIBBON_NS = "http://schemas.microsoft.com/office/2009/07/customui"
XLWINGS_MODULE = "xlwings_custom_addin.bas"  # RunPython on the *active* workbook: what an add-in needs
XLWINGS_PROJECT = re.compile(r'(Public Const PROJECT_NAME As String = )"[^"]*"')
# The Office library defines IRibbonControl, the type of every ribbon callback's argument: without a
# reference to it the callback does not compile and Excel silently shows no ribbon actions.
OFFICE_LIBRARY = ("Office", "{2DF8D04C-5BFA-101B-BDE5-00AA0044DE52}", 2, 0,
                  "C:\\Program Files\\Common Files\\Microsoft Shared\\OFFICE16\\MSO.DLL",
                  "Microsoft Office 16.0 Object Library")
CONFIG_DIR = Path.home() / f".{ADDIN_NAME}"  # where xlwings' VBA reads DanVanKheo.conf (%USERPROFILE%)
# xlwings' RunPython reads this key of DanVanKheo.conf: when "True" every ribbon click runs in ONE Python
# started by the first click and kept for the Excel session (xlwings' COM server, the process its UDFs
# use), instead of a new python.exe per click paying ~1 s of imports. The Python side keeps no state
# between calls (tests/test_repeated_calls.py).
WARM_PYTHON_KEY = "USE UDF SERVER"


@dataclass
class AddinResult:
    path: Path
    modules: list[str]
    buttons: int
    xlwings_version: str


def vba_text(source: str) -> str:
    """VBA keeps CRLF line ends."""
    return source.replace("\r\n", "\n").replace("\n", "\r\n")


def xlwings_sources() -> tuple[str, dict[str, str], dict[str, str]]:
    """xlwings' version, its standard module(s) and class module(s), read from the installed package."""
    import xlwings

    root = Path(xlwings.__file__).parent
    module = root / XLWINGS_MODULE
    dictionary = root / "addin" / "Dictionary.cls"  # used by the module's Mac branch
    if not module.exists() or not dictionary.exists():
        raise DvkError(f"Không tìm thấy mã VBA của xlwings ({module.name}) trong {root}; cài lại xlwings (pip install -U xlwings)")
    source, count = XLWINGS_PROJECT.subn(rf'\1"{ADDIN_NAME}"', module.read_text(encoding="utf-8"))
    if count != 1:
        raise DvkError(f"Mã VBA của xlwings {xlwings.__version__} khác dạng đã biết (không thấy PROJECT_NAME); "
                       "báo cho bộ phận kỹ thuật để cập nhật dvk_xl")
    return xlwings.__version__, {"xlwings": source}, {"Dictionary": dictionary.read_text(encoding="utf-8")}


def macro_files(macros: Traversable, suffix: str) -> list[Traversable]:
    """The files of ``macros`` ending in ``suffix``, by name (Traversable has no glob)."""
    return sorted((p for p in macros.iterdir() if p.is_file() and p.name.endswith(suffix)), key=lambda p: p.name)


def own_modules(macros: Traversable) -> dict[str, str]:
    """``macros/*.bas``, by the name their ``Attribute VB_Name`` line gives."""
    modules = {}
    for path in macro_files(macros, ".bas"):
        source = path.read_text(encoding="utf-8")
        match = re.search(r'^Attribute VB_Name = "([^"]+)"', source, re.MULTILINE)
        if not match:
            raise DvkError(f"{path.name}: thiếu dòng Attribute VB_Name = \"…\" ở đầu mô-đun")
        if not source.isascii():
            raise DvkError(f"{path.name}: mã VBA chỉ được dùng ký tự ASCII (chữ tiếng Việt viết dạng \\uXXXX)")
        modules[match.group(1)] = source
    if not modules:
        raise DvkError(f"Không có mô-đun VBA (.bas) nào trong {macros}")
    return modules


def ribbon_xml(macros: Traversable) -> bytes:
    path = macros / RIBBON_FILE
    if not path.is_file():
        raise DvkError(f"Không tìm thấy {path}: thiếu mô tả thanh công cụ (ribbon)")
    data = path.read_bytes()
    try:
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError as exc:
        raise DvkError(f"{path.name}: XML sai cú pháp ({exc})") from None
    if root.tag != f"{{{RIBBON_NS}}}customUI":
        raise DvkError(f"{path.name}: phần tử gốc phải là customUI của không gian tên {RIBBON_NS}")
    return data


def ribbon_tags(xml: bytes) -> list[str]:
    """The tag of every button in the ribbon XML, in order."""
    root = ElementTree.fromstring(xml)
    return [b.get("tag", "") for b in root.iter(f"{{{RIBBON_NS}}}button")]


def _with_ribbon(xlam: bytes, xml: bytes) -> bytes:
    """The package with the ribbon part and the root relationship that points Office to it."""
    source = zipfile.ZipFile(io.BytesIO(xlam))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "_rels/.rels":
                rels = data.decode("utf-8")
                ids = {int(n) for n in re.findall(r'Id="rId(\d+)"', rels)}
                rel = (f'<Relationship Id="rId{max(ids, default=0) + 1}" Type="{RIBBON_REL_TYPE}" '
                       f'Target="{RIBBON_PART}"/>')
                data = rels.replace("</Relationships>", rel + "</Relationships>").encode("utf-8")
            target.writestr(item, data)
        target.writestr(RIBBON_PART, xml)
    return out.getvalue()


def build_addin(out: str | os.PathLike = DEFAULT_OUT, macros: str | os.PathLike | Traversable | None = None) -> AddinResult:
    """Assemble DanVanKheo.xlam from ``dvk_xl/shells/macros/`` (or ``macros``) and the installed xlwings' VBA module."""
    try:
        from pyopenvba import ExcelFile, VBAModuleKind
    except ImportError:
        raise DvkError("Cần thư viện pyOpenVBA để tạo add-in: pip install pyOpenVBA") from None
    if macros is None:
        macros = MACROS_DIR
        if not macros.is_dir():  # package data missing: a broken install, not the user's doing
            raise DvkError(f"Không tìm thấy thư mục mã nguồn add-in {macros}; cài lại dvk_xl (pip install --force-reinstall .)")
    elif not isinstance(macros, Traversable):
        macros = Path(macros)
    if not macros.is_dir():
        raise DvkError(f"Không tìm thấy thư mục mã nguồn add-in {macros}; kiểm tra lại đường dẫn")
    version, standard, classes = xlwings_sources()
    standard.update(own_modules(macros))
    xml = ribbon_xml(macros)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        draft = Path(scratch) / ADDIN_FILE
        with ExcelFile.create_new(draft) as book:
            project = book.vba_project()
            for name in [m for m in book.module_names() if m.startswith("Module")]:
                project.delete_module(name)  # the template's empty module
            for name, source in standard.items():
                project.add_module(name, vba_text(source))
            for name, source in classes.items():
                project.add_module(name, vba_text(source), kind=VBAModuleKind.other)
            office, guid, major, minor, library, description = OFFICE_LIBRARY
            book.add_reference(office, guid, major, minor, path=library, description=description)  # no-op if there
            book.save()
            modules = book.module_names()
        payload = _with_ribbon(draft.read_bytes(), xml)
    atomic_save(out, lambda temp: Path(temp).write_bytes(payload))
    return AddinResult(out, modules, len(ribbon_tags(xml)), version)


# --- installing for staff ---------------------------------------------------------------------------


@dataclass
class InstallPlan:
    addin: Path
    steps: list[str] = field(default_factory=list)


def interpreter_for_vba(python: str = sys.executable) -> str:
    """The Python path as VBA can read it from the config file (which it reads in the ANSI code page)."""
    if python.isascii() or not sys.platform.startswith("win"):
        return python
    import ctypes

    buffer = ctypes.create_unicode_buffer(1024)
    if ctypes.windll.kernel32.GetShortPathNameW(python, buffer, len(buffer)):  # type: ignore[attr-defined]
        return buffer.value  # the 8.3 name is plain ASCII
    return python


def config_text(python: str) -> str:
    """DanVanKheo.conf as xlwings' VBA reads it (GetConfigFromFile: one "KEY","value" line per setting):
    the Python the buttons run in, and one Python shared by every click of the Excel session."""
    return f'"INTERPRETER_WIN","{python}"\n"{WARM_PYTHON_KEY}","True"\n'


def install_plan(addin: Path) -> InstallPlan:
    config = CONFIG_DIR / f"{ADDIN_NAME}.conf"
    return InstallPlan(addin, [
        "Cài add-in xlwings vào Excel: xlwings addin install",
        f"Chép {addin.name} vào thư mục XLSTART của Excel và mở nó: xlwings addin install --file {addin}",
        f"Ghi cấu hình add-in vào {config}: INTERPRETER_WIN = {interpreter_for_vba()}, "
        f"{WARM_PYTHON_KEY} = True (mọi lần bấm nút dùng chung một Python trong phiên Excel)",
    ])


def _xlwings_command() -> list[str]:
    """xlwings' CLI of THIS Python: in a venv whose Scripts folder is not on PATH (CaiDat.cmd's) an ``xlwings``
    found on PATH would be another Python's, with another xlwings version."""
    return [sys.executable, "-m", "xlwings.cli"]


def install_addin(addin: str | os.PathLike | None = None, echo=print) -> InstallPlan:
    """Install DanVanKheo.xlam for the current Windows user (builds it first when not given)."""
    path = Path(addin) if addin else DEFAULT_OUT
    plan = install_plan(path)
    if not sys.platform.startswith("win"):
        echo("Trên Windows, lệnh này sẽ:")
        for number, step in enumerate(plan.steps, start=1):
            echo(f"  {number}. {step}")
        raise DvkError("“dvk install-addin” chỉ chạy được trên Windows có Microsoft Excel; "
                       "máy này không phải Windows nên chưa làm gì. Xem mục “Cài đặt một bước (CaiDat.cmd)” trong README")
    if addin and not path.exists():
        raise DvkError(f"Không tìm thấy tệp add-in {path}")
    if not addin:  # built here, so that its VBA matches the xlwings installed on this machine
        echo(f"Tạo add-in {path} từ mã nguồn…")
        build_addin(path)
    for command in (["addin", "install"], ["addin", "install", "--file", str(path.resolve())]):
        echo("> xlwings " + " ".join(command))
        done = subprocess.run(_xlwings_command() + command, capture_output=True, text=True)
        echo((done.stdout + done.stderr).strip())
        if done.returncode != 0 or "Error" in done.stdout:
            raise DvkError(f"Lệnh “xlwings {' '.join(command)}” không thành công; đóng Excel rồi chạy lại")
    config = write_config(interpreter_for_vba())
    echo(f"Đã ghi {config}")
    return plan


def write_config(python: str, folder: Path | None = None) -> Path:
    """Write DanVanKheo.conf (in ``folder``, by default %USERPROFILE%\\.DanVanKheo): our two settings
    replace their old lines; settings someone added by hand (another xlwings key) stay."""
    path = (folder or CONFIG_DIR) / f"{ADDIN_NAME}.conf"
    path.parent.mkdir(parents=True, exist_ok=True)
    ours = config_text(python)
    keys = {line.split(",")[0].strip('"').upper() for line in ours.splitlines()}
    kept = []
    if path.is_file():
        kept = [line for line in _ansi_decode(path.read_bytes()).splitlines()
                if line.strip() and line.split(",")[0].strip().strip('"').upper() not in keys]
    text = "".join(line + "\n" for line in kept) + ours
    try:
        data = text.encode("mbcs")  # the ANSI code page, what VBA's Input # reads
    except LookupError:  # no "mbcs" codec off Windows (tests)
        data = text.encode("utf-8")
    atomic_save(path, lambda temp: Path(temp).write_bytes(data))
    return path


def _ansi_decode(data: bytes) -> str:
    try:
        return data.decode("mbcs")
    except LookupError:  # no "mbcs" codec off Windows
        return data.decode("utf-8", errors="replace")
