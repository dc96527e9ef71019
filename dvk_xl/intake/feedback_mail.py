"""Feedback by e-mail (``dvk consolidate … --feedback DIR --eml``): one draft per unit whose files had
findings, with its ``_LoiCanSua.xlsx`` workbooks attached, the count of errors and warnings, and whether
the file was accepted. Built from the same pieces as the other drafts to the units (``reports.unit_mail``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from ..core import text
from ..core.dates import format_date
from ..core.errors import DvkError
from ..core.kinds import IntakeStatus, Period
from ..core.progress import Progress, no_progress
from ..master.book import Settings, load_settings, open_master
from ..reports.delivery import deliver
from ..reports.mail import Draft
from ..reports.unit_mail import Contact, UnitMailResult, form_deadline, form_phrase, unit_contacts, unit_draft
from ..workbook.api import Workbook
from .pipeline import FileOutcome, IntakeReport

FEEDBACK_WHAT = "phản hồi kết quả kiểm tra tệp"


@dataclass
class MailedIntake:
    """The intake's report and the feedback drafts made after it."""

    report: IntakeReport
    mail: UnitMailResult


def feedback_drafts(master: str | Path | Workbook, report: IntakeReport, mail: str = "eml") -> UnitMailResult:
    """A draft per unit with a feedback workbook in ``report``; files whose unit is unknown are noticed."""
    if report.feedback_dir is None:
        raise DvkError("Thư phản hồi cần thư mục phản hồi: thêm --feedback THƯ_MỤC")
    wb = open_master(master)
    settings = load_settings(wb)
    contacts = unit_contacts(wb)
    by_unit: dict[str, list[FileOutcome]] = {}
    notices = []
    for outcome in report.files:
        if outcome.feedback is None:
            continue
        key = text.fold(outcome.unit or "")
        if key not in contacts:
            notices.append(f"Tệp {outcome.path.name}: không xác định được đơn vị gửi nên không lập thư; tệp phản hồi "
                           f"{outcome.feedback.name} cần gửi tay cho người đã gửi tệp")
            continue
        by_unit.setdefault(key, []).append(outcome)
    drafts, no_email = [], []
    for key, contact in contacts.items():
        outcomes = by_unit.get(key)
        if not outcomes:
            continue
        if contact.problem:
            no_email.append(contact)
        accepted = {o.form for o in report.files
                    if text.fold(o.unit or "") == key and o.status == IntakeStatus.ACCEPTED}
        drafts.append(_draft(wb, settings, contact, outcomes, accepted))
    folder = report.feedback_dir
    delivery = deliver(drafts, mail, folder,
                       lambda d: folder / f"PhanHoi_{text.file_slug(d.unit_code)}_{text.file_slug(d.unit_name)}.eml",
                       f"Thư phản hồi kết quả kiểm tra tệp của các đơn vị (ngày {datetime.now():%d/%m/%Y})")
    return UnitMailResult(FEEDBACK_WHAT, delivery, no_email, notices)


def _draft(wb: Workbook, settings: Settings, contact: Contact, outcomes: Sequence[FileOutcome],
           accepted_forms: set[str | None]) -> Draft:
    """``accepted_forms``: the unit's forms accepted in this batch (a rejected file of one is not owed again)."""
    lines = [f"{settings.committee} đã kiểm tra {'tệp' if len(outcomes) == 1 else 'các tệp'} đơn vị gửi:"]
    owed: list[FileOutcome] = []
    for outcome in outcomes:
        errors = sum(1 for f in outcome.findings if f.is_error)
        warnings = len(outcome.findings) - errors
        if outcome.status == IntakeStatus.ACCEPTED:
            verdict = "đã được tiếp nhận; các cảnh báo cần xem lại" if warnings else "đã được tiếp nhận"
        elif outcome.status == IntakeStatus.SUPERSEDED:
            verdict = "đã được thay bằng tệp đơn vị gửi sau"
        else:
            verdict = "CHƯA được tiếp nhận: cần sửa các lỗi rồi gửi lại cả tệp"
            if outcome.form not in accepted_forms and outcome.form not in {o.form for o in owed}:
                owed.append(outcome)
        lines.append(f"- Tệp “{outcome.path.name}”: {errors} lỗi, {warnings} cảnh báo; {verdict}.")
    lines += [
        f"Các ô cần {'sửa' if owed else 'xem lại'} được tô màu và ghi chú ngay trong tệp đính kèm; sheet đầu “Lỗi cần sửa” "
        "liệt kê từng lỗi, cảnh báo với vị trí ô và cách sửa.",
        f"Tệp đính kèm: {', '.join(o.feedback.name for o in outcomes if o.feedback)}",
    ]
    if owed:
        dues = []
        for outcome in owed:
            form_id, _, rest = (outcome.form or "").partition(" ")
            period = next((p for p in Period if p.label in rest), None)
            due, _ = form_deadline(wb, form_id, period) if form_id else (None, "")
            if due:
                dues.append(f"{form_phrase(form_id, period)}: hạn {format_date(due)}")
        lines.append("Đề nghị đơn vị sửa trên tệp đã gửi (không dùng tệp phản hồi) và gửi lại"
                     + (f" ({'; '.join(dues)})." if dues else "."))
    status = "cần sửa và gửi lại" if owed else "đã tiếp nhận, có cảnh báo cần xem lại"
    subject = f"Kết quả kiểm tra tệp “Dân vận khéo” năm {settings.year} của {contact.name}: {status}"
    return unit_draft(contact, subject, lines, settings, [o.feedback for o in outcomes if o.feedback])


def consolidate_with_mail(master: str | Path | Workbook, inbox: str | Path, feedback_dir: str | Path,
                          mail: str = "eml", workers: int | None = None,
                          progress: Progress = no_progress) -> MailedIntake:
    """``dvk consolidate … --feedback DIR --eml``: consolidate, then a draft to each unit with feedback."""
    from .consolidation import consolidate

    report = consolidate(master, inbox, feedback_dir=feedback_dir, workers=workers, progress=progress)
    return MailedIntake(report, feedback_drafts(master, report, mail))
