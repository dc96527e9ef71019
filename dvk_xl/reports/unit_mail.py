"""E-mails to the units, written for the staff: each unit's form, and reminders of what it still owes.

Every draft goes to the unit's “Email” in ``DonVi`` (several addresses separated by ``;``). A unit
without a usable address still gets its draft (no recipient: staff type it, or send the file by
Zalo) and is listed in the summary and the JSON, never skipped silently. The drafts are the upward
drafts' kind (``mail.Draft``) and reach staff the chosen way (``delivery.deliver``). The feedback
drafts after consolidation are built in ``intake.feedback_mail`` from these same pieces.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from ..core import text
from ..core.dates import format_date, parse_date
from ..core.errors import DateError, DvkError
from ..core.kinds import Period
from ..core.progress import Progress, no_progress
from ..master.book import Settings, load_settings, open_master, read_form_table, where
from ..spec.forms import DEADLINES, PL01, PL03, UNITS
from ..workbook.api import Workbook
from .delivery import Delivery, deliver
from .mail import Draft, parse_addresses
from .templates import UnitInfo, template_file_name, write_templates

REMIND_WITHIN = 7  # days: a step due within a week is worth a reminder, as staff do by phone today
TEMPLATES_DIR = "MauGuiDonVi"  # where reminders look for the blank forms by default (beside the master)
MOVEMENT = "phong trào thi đua “Dân vận khéo”"


@dataclass(frozen=True)
class Contact:
    """A unit of DonVi with its checked addresses; ``problem`` says why it has none to use."""

    code: str
    name: str
    unit_type: str = ""
    addresses: tuple[str, ...] = ()
    problem: str = ""

    @property
    def info(self) -> UnitInfo:
        return UnitInfo(self.code, self.name, self.unit_type)


def unit_contacts(wb: Workbook) -> dict[str, Contact]:
    """The units of DonVi by folded code, each with its e-mail addresses (read like “Email cấp trên”)."""
    frame = read_form_table(wb, UNITS)
    contacts: dict[str, Contact] = {}
    for i, row in enumerate(frame.to_dict("records")):
        code, name = text.clean(row["unit_code"]), text.clean(row["unit_name"])
        if not code:
            continue
        raw = text.clean(row.get("email"))
        addresses: list[str] = []
        problem = "chưa có địa chỉ trong cột “Email” của sheet “Đơn vị”"
        if raw:
            try:
                addresses = parse_addresses(raw, where(wb, frame, i, UNITS, "email"), UNITS.header_of("email"))
                problem = ""
            except DvkError as exc:
                problem = exc.message
        contacts[text.fold(code)] = Contact(code, name, text.clean(row["unit_type"]), tuple(addresses), problem)
    return contacts


@dataclass
class UnitMailResult:
    """The drafts to the units, how they are delivered, and who has no address."""

    what: str  # "mẫu Phụ lục 01", "thư nhắc nộp mẫu", … for the summary
    delivery: Delivery
    no_email: list[Contact] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    paths: list[Path] = field(default_factory=list)  # workbooks written along (the templates)
    owed: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # remind: unit code -> steps owed
    up_to_date: int = 0  # remind: units that owe nothing
    templates_dir: Path | None = None  # remind: where the blank forms were looked for

    @property
    def drafts(self) -> list[Draft]:
        return self.delivery.drafts

    def lines(self) -> list[str]:
        out = [f"Thư gửi đơn vị — {self.what}: {len(self.drafts)} thư"]
        for draft in self.drafts:
            out.append(f"  {draft.unit_code} ({draft.unit_name}) → {', '.join(draft.to) or 'chưa có e-mail'}"
                       + (f", kèm {', '.join(a.name for a in draft.attachments)}" if draft.attachments else ""))
            out += [f"    {step_line(step)}" for step in self.owed.get(draft.unit_code, [])]
        if self.what == REMIND_WHAT:
            out.append(f"  {self.up_to_date} đơn vị không còn nợ mẫu nào đến hạn: không gửi thư")
        out += [f"  {line}" for line in self.delivery.lines()]
        if self.no_email:
            out.append(f"  {len(self.no_email)} đơn vị chưa có e-mail dùng được (thư chưa có người nhận: nhập khi gửi, "
                       "hoặc bổ sung cột “Email” của sheet “Đơn vị” rồi chạy lại):")
            out += [f"    {c.code} ({c.name}): {c.problem}" for c in self.no_email]
        out += [f"  Lưu ý: {n}" for n in self.notices]
        return out

    def as_dict(self) -> dict[str, Any]:
        return {
            "what": self.what,
            "mode": self.delivery.mode,
            "drafts": [{"unit": d.unit_code, "name": d.unit_name, "to": d.to, "subject": d.subject,
                        "attachments": [str(a) for a in d.attachments], "path": str(d.path) if d.path else None}
                       for d in self.drafts],
            "delivery": self.delivery.as_dict(),
            "units_without_email": [{"unit": c.code, "name": c.name, "reason": c.problem} for c in self.no_email],
            "notices": self.notices,
            **({"owed": self.owed, "up_to_date": self.up_to_date,
                "templates_dir": str(self.templates_dir) if self.templates_dir else None} if self.what == REMIND_WHAT else {}),
        }

    def as_json(self) -> str:
        return json.dumps(self.as_dict(), ensure_ascii=False, indent=2)


REMIND_WHAT = "nhắc nộp mẫu"


def step_line(step: dict[str, Any]) -> str:
    """“Phụ lục 01 (đăng ký mô hình): hạn 03/03/2026, đã trễ 5 ngày”."""
    due = format_date(date.fromisoformat(step["due"])) if step.get("due") else "?"
    when = {"late": f"đã trễ {step['days']} ngày", "today": "hết hạn hôm nay"}.get(step["state"], f"còn {step['days']} ngày")
    return f"{form_phrase(step['form'], Period.parse(step['period']))}: hạn {due}, {when}"


def unit_draft(contact: Contact, subject: str, lines: Sequence[str], settings: Settings,
               attachments: Sequence[Path] = ()) -> Draft:
    """A draft to ``contact``: “Kính gửi”, the lines, the closing and the staff contact."""
    body = [f"Kính gửi: {contact.name}.", "", *lines, "", "Trân trọng."]
    if settings.contact:
        body += ["", f"Cán bộ đầu mối: {settings.contact}"]
    body += [settings.committee]
    return Draft(list(contact.addresses), subject, "\n".join(body), list(attachments), contact.code, contact.name)


def plan_phrase(settings: Settings) -> str:
    """“Thực hiện Kế hoạch số 12-KH/ĐU của Đảng ủy phường Hồng An”, or the movement when no plan number."""
    if settings.plan_number and not any(mark in settings.plan_number for mark in ("…", "...")):  # not the preset's blank
        day = f" ngày {format_date(settings.plan_date)}" if settings.plan_date else ""
        return f"Thực hiện Kế hoạch số {settings.plan_number}{day} của {settings.committee} về {MOVEMENT} năm {settings.year}"
    return f"Thực hiện {MOVEMENT} năm {settings.year}"


def form_phrase(form_id: str, period: Period | None = None) -> str:
    """What a unit sends, in a sentence: “Phụ lục 01 (đăng ký mô hình)”."""
    if form_id == PL01.id:
        return "Phụ lục 01 (đăng ký mô hình)"
    if form_id == PL03.id:
        return f"Phụ lục 03 (báo cáo kết quả {period.phrase if period else ''})".replace(" )", ")")
    return form_id


def form_deadline(wb: Workbook, form_id: str, period: Period | None) -> tuple[date | None, str]:
    """The due date of ``form_id`` (of ``period``) in TienDo, and a notice when it cannot be used."""
    frame = read_form_table(wb, DEADLINES)
    for i, row in enumerate(frame.to_dict("records")):
        step = text.clean(row["step"])
        if text.fold(row["form"]) != text.fold(form_id) or (period and not step.endswith(period.value)):
            continue
        place = where(wb, frame, i, DEADLINES, "due")
        try:
            due = parse_date(row["due"])
        except DateError as exc:
            return None, f"{place}: {exc.message}; thư không ghi hạn, sửa ô này rồi chạy lại"
        if due is None:
            return None, f"{place}: chưa nhập hạn của “{text.clean(row['description'])}”; thư không ghi hạn"
        return due, ""
    return None, f"sheet “{DEADLINES.sheet}” không có dòng nào cho biểu mẫu {form_id}; thư không ghi hạn"


# --- the form to each unit (dvk templates --eml) ------------------------------------------------------


def send_templates(master: str | Path | Workbook, out_dir: str | Path, units: Sequence[str] = (), form: str = "pl01",
                   period: Period | str | None = None, mail: str = "eml",
                   progress: Progress = no_progress) -> UnitMailResult:
    """``dvk templates … --eml``: each unit's form (``write_templates``) and a draft to the unit with it attached,
    the deadline from TienDo in the body. ``mail``: ``eml`` (beside each form), ``webmail`` or ``outlook``."""
    wb = open_master(master)
    result = write_templates(wb, out_dir, units, form=form, period=period, progress=progress)
    settings = load_settings(wb)
    contacts = unit_contacts(wb)
    period = Period.parse(period)
    form_id = result.form.id
    due, notice = form_deadline(wb, form_id, period if form_id == PL03.id else None)
    what = form_phrase(form_id, period)
    by_name = {p.name: p for p in result.paths}
    drafts, no_email = [], []
    for contact in contacts.values():
        suffix = text.file_slug(period.label) if form_id == PL03.id and period else ""
        path = by_name.get(template_file_name(result.form, contact.info, suffix))
        if path is None:
            continue  # not chosen (--unit), or no model to report on
        if contact.problem:
            no_email.append(contact)
        deadline = (f"gửi lại về {settings.committee} trong hạn (hạn theo kế hoạch: ngày {format_date(due)})" if due
                    else f"gửi lại về {settings.committee} theo thời hạn của kế hoạch")
        lines = [
            f"{plan_phrase(settings)}, {settings.committee} gửi đơn vị mẫu {what} năm {settings.year}.",
            f"Đề nghị đơn vị điền vào tệp đính kèm (giữ nguyên các sheet và các cột; đổi tên tệp cũng được) và {deadline}.",
            f"Tệp đính kèm: {path.name}",
        ]
        subject = f"Mẫu {what} “Dân vận khéo” năm {settings.year} — {contact.name}"
        if due:
            subject += f", hạn {format_date(due)}"
        drafts.append(unit_draft(contact, subject, lines, settings, [path]))
    delivery = deliver(drafts, mail, Path(out_dir), lambda d: d.attachments[0].with_suffix(".eml"),
                       f"Thư gửi mẫu {what} năm {settings.year} cho các đơn vị")
    return UnitMailResult(f"mẫu {what}", delivery, no_email, [notice] if notice else [], result.paths)


# --- reminders (dvk remind) ----------------------------------------------------------------------------


def remind(master: str | Path | Workbook, out_dir: str | Path, today: date | None = None,
           within: int = REMIND_WITHIN, templates_dir: str | Path | None = None, mail: str = "eml") -> UnitMailResult:
    """``dvk remind``: one draft per unit that still owes a form for a TienDo step due within ``within``
    days or already late, naming the form, the deadline and how late; units up to date get nothing.

    Whether a unit delivered is read as ``dvk compliance`` reads it (``deadline_statuses``: an accepted
    file in TiepNhan, its rows in DangKy or KetQua). The unit's blank form is attached when it is in
    ``templates_dir`` (default: ``MauGuiDonVi`` beside the master) under the name ``dvk templates`` gave it.
    """
    from ..compliance.deadlines import UNIT_RESPONSIBLE, deadline_statuses
    from ..master.book import load_units

    if within < 0:
        raise DvkError(f"Số ngày nhắc trước hạn phải từ 0 trở lên (đang là {within})")
    today = today or date.today()
    wb = open_master(master)
    settings = load_settings(wb)
    contacts = unit_contacts(wb)
    statuses, findings = deadline_statuses(wb, today, load_units(wb))
    notices = [f"{f.file}, sheet “{f.sheet}”, {f.message}; bước này không được nhắc" for f in findings]
    if templates_dir is None and wb.path is not None:
        templates_dir = wb.path.parent / TEMPLATES_DIR
    folder = Path(templates_dir) if templates_dir else None
    owed: dict[str, list[tuple[Any, Period | None]]] = {}
    for status in statuses:
        if text.fold(status.responsible) != text.fold(UNIT_RESPONSIBLE) or not status.missing:
            continue
        if status.state in ("no-date", "invalid"):
            if status.state == "no-date":
                notices.append(f"Bước “{status.step}” ({status.description}) chưa có hạn ở sheet “Tiến độ”: không nhắc")
            continue
        if status.state == "due" and (status.days or 0) > within:
            continue
        if status.state not in ("due", "today", "late"):
            continue
        period = next((p for p in Period if status.step.endswith(p.value)), None)
        for code, _ in status.missing:
            owed.setdefault(text.fold(code), []).append((status, period))
    drafts, no_email, found, details = [], [], 0, {}
    for key, contact in contacts.items():
        steps = owed.get(key)
        if not steps:
            continue
        attachments, lines = [], []
        for status, period in steps:
            lines.append(f"- {step_line(_step(status, period))}.")
            blank = _blank_form(folder, status.form, period, contact)
            if blank is not None:
                attachments.append(blank)
        if attachments:
            found += 1
        if contact.problem:
            no_email.append(contact)
        late = [s for s, _ in steps if s.state == "late"]
        subject = (f"Nhắc gửi {', '.join(form_phrase(s.form, p).split(' (')[0] for s, p in steps)} “Dân vận khéo” "
                   f"năm {settings.year} — {contact.name}")
        subject += (f" (đã trễ hạn {max(s.days or 0 for s in late)} ngày)" if late
                    else f" (hạn {format_date(min(s.due for s, _ in steps))})")
        body = [
            f"{plan_phrase(settings)}, đến ngày {format_date(today)} {settings.committee} chưa nhận được của đơn vị:",
            *lines,
            "Đề nghị đơn vị hoàn thành và gửi về " + settings.committee + (" sớm nhất." if late else " đúng hạn."),
        ]
        if attachments:
            body.append(f"Gửi kèm mẫu của đơn vị: {', '.join(a.name for a in attachments)}.")
        body.append("Nếu đơn vị đã gửi, đề nghị báo lại để đối chiếu.")
        drafts.append(unit_draft(contact, subject, body, settings, attachments))
        details[contact.code] = [_step(s, p) for s, p in steps]
    out = Path(out_dir)
    if drafts and folder is not None:
        notices.append(f"Mẫu đính kèm tìm trong thư mục {folder}: có cho {found}/{len(drafts)} đơn vị"
                       + ("" if folder.is_dir() else " (thư mục không tồn tại; chỉ thư mục mẫu bằng --templates)"))
    delivery = deliver(drafts, mail, out,
                       lambda d: out / f"NhacNop_{text.file_slug(d.unit_code)}_{text.file_slug(d.unit_name)}.eml",
                       f"Thư nhắc nộp mẫu “Dân vận khéo” năm {settings.year} (ngày {format_date(today)})")
    result = UnitMailResult(REMIND_WHAT, delivery, no_email, notices, owed=details,
                            up_to_date=len(contacts) - len(drafts), templates_dir=folder)
    return result


def _step(status: Any, period: Period | None) -> dict[str, Any]:
    return {"step": status.step, "form": status.form, "period": period.value if period else None,
            "due": status.due.isoformat() if status.due else None, "state": status.state, "days": status.days,
            "description": status.description}


def _blank_form(folder: Path | None, form_id: str, period: Period | None, contact: Contact) -> Path | None:
    """The unit's form as ``dvk templates`` named it, if it is in ``folder``."""
    from ..spec.forms import UNIT_FORMS

    form = UNIT_FORMS.get(form_id)
    if folder is None or form is None:
        return None
    path = folder / template_file_name(form, contact.info, text.file_slug(period.label) if period else "")
    return path if path.is_file() else None
