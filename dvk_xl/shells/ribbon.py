"""The Python side of the "Dân vận khéo" ribbon tab: one dispatch, one registry of actions.

Every button of ``dvk_xl/shells/macros/customUI14.xml`` calls the one VBA callback, which runs
``dispatch(action, choice)`` through xlwings' ``RunPython``. ``ACTIONS`` maps each button's tag
to a few lines that call the same library functions as the CLI, on the workbook open in Excel
(``LiveWorkbook``). Progress goes to Excel's status bar; the end is a message box with the
Vietnamese summary; any error is a Vietnamese message box, never a traceback window.
No business logic here: an action only picks the library call and words its result.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..core.errors import DvkError
from ..core.kinds import Period, ReportKind
from ..core.progress import Progress

TITLE = "Dân vận khéo"
MAX_LINES = 30  # a message box taller than the screen hides its OK button
INBOX_DEFAULT = "TiepNhan"  # the intake folder beside the master until staff pick another
FEEDBACK_DIR = "PhanHoiDonVi"  # marked-up copies for units whose files had problems
REMIND_DIR = "ThuNhacNop"  # reminders to the units, beside the master
MEMORY_FILE = Path.home() / ".DanVanKheo" / "thu-muc.json"  # the last intake folder of each master
STATUS_EVERY = 0.2  # seconds between status bar updates: redrawing Excel's bar per file would slow a batch
STARTED = time.time()  # when this Python started serving buttons: with xlwings' shared Python, the Excel session


class NotAvailable(DvkError):
    """A button whose capability is not in the installed version of dvk_xl."""


# --- talking to the user in Excel ------------------------------------------------------------------


class ExcelUI:
    """Status bar and message boxes of the Excel that called, whatever xlwings engine runs it."""

    def __init__(self, book: Any) -> None:
        self.app = book.app
        self.shown: list[str] = []  # every message shown, for the record (and tests)
        self.statuses: list[str | None] = []  # every status bar text set (None: given back), likewise

    def status(self, message: str | None) -> None:
        self.statuses.append(message or None)
        # Engines without a status bar (Excel on the web, tests) just skip it; False gives the bar back to Excel.
        with contextlib.suppress(NotImplementedError, AttributeError):
            self.app.status_bar = message if message else False

    def progress(self, every: float | None = None, clock: Callable[[], float] = time.monotonic) -> Progress:
        """A library ``progress=`` showing its label in the status bar, at most every ``every`` seconds;
        the last file and each later step are always shown. ``dispatch`` gives the bar back at the end."""
        every = STATUS_EVERY if every is None else every
        shown_at = [float("-inf")]

        def show(done: int, total: int, label: str) -> None:
            now = clock()
            if done >= total or now - shown_at[0] >= every:
                shown_at[0] = now
                self.status(label)
        return show

    def show(self, message: str, title: str = TITLE, error: bool = False, ask: bool = False) -> bool:
        """A message box; with ``ask`` it has Yes/No buttons and returns whether Yes was chosen."""
        self.shown.append(message)
        answer = self.app.alert(shorten(message), title=title, buttons="yes_no" if ask else "ok",
                                mode="critical" if error else "info")
        return answer == "yes"


def shorten(message: str, limit: int = MAX_LINES) -> str:
    lines = message.splitlines()
    if len(lines) <= limit:
        return message
    return "\n".join([*lines[:limit - 1], f"… và {len(lines) - limit + 1} dòng nữa."])


def open_path(path: Path) -> None:
    """Show a folder or file to the user with the program the system associates with it."""
    if sys.platform.startswith("win"):
        os.startfile(path)  # type: ignore[attr-defined]  # Windows only
    else:
        subprocess.Popen(["open" if sys.platform == "darwin" else "xdg-open", str(path)])


# --- what an action gets ------------------------------------------------------------------------


@dataclass
class Context:
    wb: Any  # the Workbook (LiveWorkbook in Excel)
    ui: ExcelUI
    chosen: list[Path] = field(default_factory=list)  # what the VBA dialog returned
    opener: Callable[[Path], None] = open_path

    @property
    def folder(self) -> Path:
        return self.chosen[0]

    @property
    def master_dir(self) -> Path:
        if self.wb.path is None:
            raise DvkError(f"Sổ {self.wb.label} chưa được lưu: lưu sổ tổng hợp vào một thư mục rồi bấm lại nút")
        return self.wb.path.parent

    def offer(self, message: str, path: Path, question: str) -> None:
        """Show the summary with a Yes/No question: open ``path``?"""
        if self.ui.show(f"{message}\n\n{question}", ask=True):
            self.opener(path)


@dataclass(frozen=True)
class Action:
    key: str  # the button's tag before the first "|"
    label: str  # the button's label in the ribbon, also the message box title
    run: Callable[[Context], str | None]  # the summary to show at the end (None: the action showed it)
    asks: str = ""  # "" / "folder" / "files": what the VBA callback asks before calling Python
    needs_master: bool = True

    @property
    def tag_prefix(self) -> str:
        return f"{self.key}|{self.asks}" if self.asks else self.key


def _capability(module: str, name: str, label: str) -> Any:
    """A library function imported when its button is pressed, with a plain message when absent."""
    import importlib

    try:
        return getattr(importlib.import_module(f"dvk_xl.{module}"), name)
    except (ImportError, AttributeError):
        raise NotAvailable(f"Chức năng “{label}” chưa có trong phiên bản dvk_xl đang cài; "
                           "cập nhật phần mềm (pip install -U dvk_xl) rồi bấm lại nút") from None


# --- the actions ----------------------------------------------------------------------------------



def templates_action(form: str, period: Period | None = None) -> Callable[[Context], None]:
    def run(ctx: Context) -> None:
        write_templates = _capability("reports.templates", "write_templates", "Tạo mẫu")
        what = f"Phụ lục 03 ({Period(period).phrase})" if period else "Phụ lục 01"
        ctx.ui.status(f"Đang tạo mẫu {what} cho các đơn vị…")
        result = write_templates(ctx.wb, ctx.folder, form=form, period=period, progress=ctx.ui.progress())
        ctx.offer(f"Đã tạo {len(result.paths)} mẫu {what} trong thư mục:\n{ctx.folder}",
                  ctx.folder, "Mở thư mục chứa các mẫu?")
    return run


def check_files_action(ctx: Context) -> str:
    check_files = _capability("intake.consolidation", "check_files", "Kiểm tra tệp")
    ctx.ui.status(f"Đang kiểm tra {len(ctx.chosen)} tệp…")
    report = check_files(ctx.wb, ctx.chosen, progress=ctx.ui.progress())
    return "\n".join(report.lines())


def consolidate_action(ctx: Context) -> str:
    consolidate = _capability("intake.consolidation", "consolidate", "Tổng hợp từ thư mục")
    remember_inbox(ctx.wb.path, ctx.folder)
    ctx.ui.status(f"Đang kiểm tra và tổng hợp các tệp trong {ctx.folder.name}…")
    report = consolidate(ctx.wb, ctx.folder, feedback_dir=ctx.master_dir / FEEDBACK_DIR, progress=ctx.ui.progress())
    return "\n".join(report.lines(details=False))


def rollup_action(ctx: Context) -> str:
    rollup = _capability("intake.rollup", "rollup", "Tổng hợp báo cáo cấp dưới")
    ctx.ui.status(f"Đang kiểm tra và tổng hợp các báo cáo cấp dưới trong {ctx.folder.name}…")
    report = rollup(ctx.wb, ctx.folder, feedback_dir=ctx.master_dir / FEEDBACK_DIR, progress=ctx.ui.progress())
    return "\n".join(report.lines(details=False))


def compliance_action(ctx: Context) -> str:
    run_compliance = _capability("compliance.check", "run_compliance", "Kiểm tra chỉ tiêu")
    ctx.ui.status("Đang đối chiếu chỉ tiêu, thời hạn và tiêu chí…")
    return "\n".join(run_compliance(ctx.wb).lines())


def report_action(kind: ReportKind, eml: bool = False) -> Callable[[Context], str | None]:
    def run(ctx: Context) -> str | None:
        write_report = _capability("reports.writer", "write_report", "Báo cáo")
        ctx.ui.status(f"Đang lập {ReportKind(kind).label}…")
        mode, app = mail_setup(ctx.wb) if eml else ("eml", None)
        result = write_report(ctx.wb, kind, ctx.folder, eml=eml, mail=mode)
        lines = [f"Đã lập {ReportKind(kind).label}: {result.models} mô hình của {result.units} đơn vị.",
                 f"Tệp: {result.path}"]
        if result.eml:
            lines.append(f"Thư nháp gửi cấp trên: {result.eml}")
        target, question = result.eml or result.path, "Mở thư nháp?" if result.eml else "Mở tệp vừa lập?"
        if result.delivery is not None:
            target, question = deliver_here(ctx, result.delivery, app)
            lines += result.delivery.lines()
        lines += [f"Lưu ý: {n}" for n in result.notices]
        if target is None:
            return "\n".join(lines)
        ctx.offer("\n".join(lines), target, question)
        return None
    return run


# --- e-mails to the units --------------------------------------------------------------------------


def mail_mode_of(wb: Any, platform: str | None = None) -> str:
    """How this master's staff send mail: “Cách gửi thư” in CauHinh; else Outlook where it is installed,
    the webmail page on a Windows without Outlook (staff there use the webmail), ``.eml`` elsewhere (a Mac's Mail)."""
    from ..master.book import load_settings
    from ..reports.delivery import mail_mode
    from . import outlook

    settings = load_settings(wb)
    chosen = mail_mode(settings.mail_via, settings.places.get("mail_via", ""))
    if chosen:
        return chosen
    if outlook.outlook_installed():
        return "outlook"
    return "webmail" if (platform or sys.platform).startswith("win") else "eml"


def mail_setup(wb: Any) -> tuple[str, Any]:
    """The mode, and Outlook reached before anything is written (if it cannot be, nothing is done yet)."""
    from . import outlook

    mode = mail_mode_of(wb)
    return mode, outlook.outlook_app() if mode == "outlook" else None


def deliver_here(ctx: Context, delivery: Any, app: Any = None) -> tuple[Path | None, str]:
    """Outlook drafts opened now; for the others, what to offer to open afterwards and the question."""
    if delivery.mode == "outlook":
        from . import outlook

        ctx.ui.status(f"Đang đưa {len(delivery.drafts)} thư vào Outlook…")
        outlook.open_in_outlook(delivery, app)
        return None, ""
    if delivery.mode == "webmail" and delivery.page:
        return delivery.page, "Mở trang danh sách thư (gửi bằng hộp thư trên web)?"
    drafts = [d.path for d in delivery.drafts if d.path]
    return (drafts[0].parent, "Mở thư mục chứa thư nháp?") if drafts else (None, "")


def _mail_summary(ctx: Context, head: list[str], sent: Any, app: Any) -> str | None:
    target, question = deliver_here(ctx, sent.delivery, app)
    message = "\n".join([*head, *sent.lines()])
    if target is None:
        return message
    ctx.offer(message, target, question)
    return None


def templates_mail_action(form: str, period: Period | None = None) -> Callable[[Context], str | None]:
    def run(ctx: Context) -> str | None:
        send_templates = _capability("reports.unit_mail", "send_templates", "Gửi mẫu qua thư")
        what = f"Phụ lục 03 ({Period(period).phrase})" if period else "Phụ lục 01"
        mode, app = mail_setup(ctx.wb)
        ctx.ui.status(f"Đang tạo mẫu {what} và thư gửi các đơn vị…")
        sent = send_templates(ctx.wb, ctx.folder, form=form, period=period, mail=mode, progress=ctx.ui.progress())
        return _mail_summary(ctx, [f"Đã tạo {len(sent.paths)} mẫu {what} trong thư mục:", str(ctx.folder)], sent, app)
    return run


def consolidate_mail_action(ctx: Context) -> str | None:
    consolidate_with_mail = _capability("intake.feedback_mail", "consolidate_with_mail", "Tổng hợp và gửi phản hồi")
    mode, app = mail_setup(ctx.wb)  # a bad “Cách gửi thư”, or no Outlook, stops before anything is consolidated
    remember_inbox(ctx.wb.path, ctx.folder)
    ctx.ui.status(f"Đang kiểm tra và tổng hợp các tệp trong {ctx.folder.name}…")
    done = consolidate_with_mail(ctx.wb, ctx.folder, ctx.master_dir / FEEDBACK_DIR, mail=mode,
                                 progress=ctx.ui.progress())
    return _mail_summary(ctx, done.report.lines(details=False), done.mail, app)


def remind_action(ctx: Context) -> str | None:
    remind = _capability("reports.unit_mail", "remind", "Nhắc đơn vị nộp mẫu")
    mode, app = mail_setup(ctx.wb)
    ctx.ui.status("Đang đối chiếu tiến độ và viết thư nhắc…")
    sent = remind(ctx.wb, ctx.master_dir / REMIND_DIR, templates_dir=ctx.folder, mail=mode)
    if not sent.drafts:
        return "\n".join(["Không đơn vị nào còn nợ mẫu đến hạn hoặc trễ hạn: không có thư nhắc.", *sent.notices])
    return _mail_summary(ctx, [], sent, app)


def open_inbox_action(ctx: Context) -> str | None:
    folder = recall_inbox(ctx.wb.path) or ctx.master_dir / INBOX_DEFAULT
    if not folder.is_dir():
        folder.mkdir(parents=True)
        ctx.ui.show(f"Đã tạo thư mục tiếp nhận:\n{folder}\n\nLưu vào đây các tệp đơn vị gửi về, "
                    "rồi bấm “Tổng hợp từ thư mục” và chọn thư mục này.")
    ctx.opener(folder)
    return None


def open_archive_action(ctx: Context) -> str | None:
    archive = _capability("intake.consolidation", "ARCHIVE_DIR", "Mở thư mục lưu trữ")
    folder = ctx.master_dir / archive
    if not folder.is_dir():
        return (f"Chưa có thư mục lưu trữ {folder}: thư mục được tạo khi tổng hợp lần đầu "
                "(mỗi tệp nhận được và mỗi bản sổ trước khi ghi đều được giữ ở đây).")
    ctx.opener(folder)
    return None


GUIDE = """Các nút trên thanh “Dân vận khéo”, theo trình tự trong năm:
1. Chuẩn bị: kiểm tra sheet “Cấu hình”, “Đơn vị” (cả cột “Email”), “Chỉ tiêu”, “Tiến độ”; bấm “Tạo mẫu Phụ lục 01” và gửi mỗi đơn vị tệp mang mã của mình, hoặc “Gửi mẫu qua thư” để có sẵn thư gửi từng đơn vị kèm mẫu.
2. Tiếp nhận: lưu các tệp đơn vị gửi về vào thư mục tiếp nhận (nút “Mở thư mục tiếp nhận”); “Kiểm tra tệp” xem trước lỗi mà không ghi gì; “Tổng hợp từ thư mục” ghi các tệp hợp lệ vào sheet “Đăng ký”, “Tiếp nhận” và tạo tệp phản hồi cho đơn vị có lỗi (“Tổng hợp và gửi phản hồi”: kèm thư gửi từng đơn vị đó); “Nhắc đơn vị nộp mẫu” viết thư cho đơn vị còn nợ mẫu sắp đến hạn hoặc trễ hạn; cấp ủy có cấp dưới bấm “Tổng hợp báo cáo cấp dưới” để tổng hợp Phụ lục 02/03 các cấp ủy cấp dưới gửi lên.
3. Đánh giá: “Kiểm tra chỉ tiêu” đối chiếu chỉ tiêu, thời hạn và tiêu chí.
4. Báo cáo: “Phụ lục 02”, “Báo cáo 6 tháng”, “Báo cáo năm” lập tệp gửi cấp trên; “Tạo thư gửi cấp trên” lập thêm thư nháp đính kèm báo cáo.
Sổ tổng hợp được lưu sau mỗi lần tổng hợp; bản trước được giữ trong thư mục lưu trữ.
Ngày luôn viết theo thứ tự ngày/tháng/năm."""


def guide_action(ctx: Context) -> str:
    from ..spec.forms import GUIDE_SHEET

    with contextlib.suppress(Exception):  # a workbook without the guide sheet still gets the text
        ctx.wb.book.sheets[GUIDE_SHEET].activate()
    return GUIDE


def doctor_action(ctx: Context) -> str:
    """“Kiểm tra cài đặt”: ``dvk doctor`` on this machine, plus the Python running the buttons; the tables
    of the workbook open in Excel are checked when it is a master."""
    from ..spec.forms import SETTINGS
    from .doctor import all_ok, check_ribbon_python, run_checks

    ctx.ui.status("Đang kiểm tra cài đặt…")
    master = ctx.wb if SETTINGS.table in ctx.wb.table_names() else None
    checks = run_checks(master)
    tables = [c for c in checks if c.name.startswith("Bảng ")]
    lines = [c.line() for c in checks if c not in tables or not c.ok]
    if master is not None and all(c.ok for c in tables):  # one line for the tables: the box must fit the screen
        lines.append(f"✓ Sổ tổng hợp {ctx.wb.label}: {len(tables)} bảng đủ cột, tiêu đề đúng")
    elif master is None:
        lines.append(f"– Sổ tổng hợp: {ctx.wb.label} không phải sổ tổng hợp, các bảng chưa được kiểm tra")
    checks.append(check_ribbon_python(STARTED))
    lines.append(checks[-1].line())
    lines.append("Mọi thứ đã sẵn sàng." if all_ok(checks) else "Có mục chưa đạt (✗): làm theo hướng dẫn “→”.")
    return "\n".join(lines)


ACTIONS: dict[str, Action] = {a.key: a for a in (
    Action("mau-pl01", "Tạo mẫu Phụ lục 01", templates_action("pl01"), asks="folder"),
    Action("mau-pl03-6-thang", "Phụ lục 03 — 6 tháng đầu năm", templates_action("pl03", Period.HALF_YEAR), asks="folder"),
    Action("mau-pl03-nam", "Phụ lục 03 — cả năm", templates_action("pl03", Period.YEAR), asks="folder"),
    Action("thu-mau-pl01", "Gửi mẫu Phụ lục 01", templates_mail_action("pl01"), asks="folder"),
    Action("thu-mau-pl03-6-thang", "Gửi mẫu Phụ lục 03 — 6 tháng", templates_mail_action("pl03", Period.HALF_YEAR),
           asks="folder"),
    Action("thu-mau-pl03-nam", "Gửi mẫu Phụ lục 03 — cả năm", templates_mail_action("pl03", Period.YEAR), asks="folder"),
    Action("kiem-tra-tep", "Kiểm tra tệp", check_files_action, asks="files"),
    Action("tong-hop", "Tổng hợp từ thư mục", consolidate_action, asks="folder"),
    Action("tong-hop-thu", "Tổng hợp và gửi phản hồi", consolidate_mail_action, asks="folder"),
    Action("nhac-nop", "Nhắc đơn vị nộp mẫu", remind_action, asks="folder"),
    Action("tong-hop-cap-duoi", "Tổng hợp báo cáo cấp dưới", rollup_action, asks="folder"),
    Action("chi-tieu", "Kiểm tra chỉ tiêu", compliance_action),
    Action("bao-cao-pl02", "Phụ lục 02", report_action(ReportKind.REGISTRATION), asks="folder"),
    Action("bao-cao-6-thang", "Báo cáo 6 tháng", report_action(ReportKind.HALF_YEAR), asks="folder"),
    Action("bao-cao-nam", "Báo cáo năm", report_action(ReportKind.YEAR), asks="folder"),
    Action("thu-pl02", "Thư kèm Phụ lục 02", report_action(ReportKind.REGISTRATION, eml=True), asks="folder"),
    Action("thu-6-thang", "Thư kèm báo cáo 6 tháng", report_action(ReportKind.HALF_YEAR, eml=True), asks="folder"),
    Action("thu-nam", "Thư kèm báo cáo năm", report_action(ReportKind.YEAR, eml=True), asks="folder"),
    Action("mo-tiep-nhan", "Mở thư mục tiếp nhận", open_inbox_action),
    Action("mo-luu-tru", "Mở thư mục lưu trữ", open_archive_action),
    Action("huong-dan", "Hướng dẫn", guide_action, needs_master=False),
    Action("kiem-tra-cai-dat", "Kiểm tra cài đặt", doctor_action, needs_master=False),
)}


# --- remembering the intake folder (user interface state, per user) --------------------------------


def _memory() -> dict[str, str]:
    try:
        return json.loads(MEMORY_FILE.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def remember_inbox(master: Path | None, inbox: Path) -> None:
    if master is None:
        return
    memory = _memory()
    memory[str(master)] = str(inbox)
    try:
        MEMORY_FILE.parent.mkdir(parents=True, exist_ok=True)
        MEMORY_FILE.write_text(json.dumps(memory, ensure_ascii=False, indent=1), encoding="utf-8")
    except OSError:
        pass  # forgetting the folder only costs a click next time


def recall_inbox(master: Path | None) -> Path | None:
    folder = _memory().get(str(master)) if master is not None else None
    return Path(folder) if folder else None


# --- the one entry point ----------------------------------------------------------------------------


def decode_choice(choice: str) -> list[Path]:
    """The VBA side's hex-encoded path of a UTF-16 list file -> the chosen paths (the file is deleted)."""
    if not choice:
        return []
    list_file = Path(bytes.fromhex(choice).decode("utf-16-be"))
    try:
        raw = list_file.read_bytes()
    finally:
        list_file.unlink(missing_ok=True)
    content = raw.decode("utf-16") if raw[:2] in (b"\xff\xfe", b"\xfe\xff") else raw.decode("utf-16-le")
    return [Path(line.strip()) for line in content.replace("\r", "\n").split("\n") if line.strip()]


def encode_choice(paths: list[Path], folder: Path) -> str:
    """What the VBA side sends for ``paths`` (used by tests and for running an action by hand)."""
    list_file = folder / "dvk_chon.tmp"
    list_file.write_bytes(b"\xff\xfe" + "\n".join(str(p) for p in paths).encode("utf-16-le"))
    return str(list_file).encode("utf-16-be").hex().upper()


def dispatch(key: str, choice: str = "", wb: Any = None, opener: Callable[[Path], None] = open_path) -> str | None:
    """Run the ribbon action ``key`` on the calling workbook (or ``wb``); returns the last message shown."""
    from .live_workbook import LiveWorkbook

    wb = wb if wb is not None else LiveWorkbook.caller()
    ui = ExcelUI(wb.book)
    action = ACTIONS.get(key)
    title = action.label if action else TITLE
    try:
        if action is None:
            raise NotAvailable(f"Nút “{key}” chưa được nối với chức năng nào của dvk_xl; "
                               "cài lại DanVanKheo.xlam đúng phiên bản (dvk install-addin)")
        from ..spec.forms import SETTINGS

        if action.needs_master and SETTINGS.table not in wb.table_names():
            raise DvkError(f"{wb.label} không phải sổ tổng hợp (không có bảng “{SETTINGS.table}”): "
                           "mở sổ tổng hợp SoTongHop_DVK_<năm>.xlsx rồi bấm lại nút")
        chosen = decode_choice(choice)
        if action.asks and not chosen:
            raise DvkError(f"Nút “{action.label}” cần chọn {'thư mục' if action.asks == 'folder' else 'tệp'} trước khi chạy")
        from ..workbook.locking import capture_warnings

        with capture_warnings() as warnings:  # e.g. a crashed run's lock taken over: no console here, so say it
            summary = action.run(Context(wb, ui, chosen, opener))
        if warnings:
            summary = "\n".join([*(f"Cảnh báo: {w}" for w in warnings), *([summary] if summary else [])])
        ui.status(None)
        if summary:
            ui.show(summary, title=title)
    except DvkError as exc:
        ui.show(exc.message, title=title, error=True)
    except Exception as exc:  # the last line of defence: staff never see a traceback window
        ui.show(f"Lỗi không mong đợi: {exc.__class__.__name__}: {exc}\n\n"
                "Chụp màn hình thông báo này gửi bộ phận kỹ thuật.", title=title, error=True)
    finally:
        ui.status(None)
    return ui.shown[-1] if ui.shown else None
