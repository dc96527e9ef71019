"""Where each deadline of ``TienDo`` stands on a given day, and which units have not delivered.

A unit deadline (done by "Đơn vị", for a unit form) is done when every expected unit has delivered:
registration (Phụ lục 01) proven by an accepted file in ``TiepNhan`` or rows in ``DangKy``; a
results report (Phụ lục 03) by the unit's rows of that period in ``KetQua``. A step no file proves
(sending the list up, choosing typical models) is done when staff type its "Ngày hoàn thành".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from ..core import text
from ..core.dates import format_date, parse_date
from ..core.errors import DateError
from ..core.findings import Finding
from ..core.kinds import DELIVERED_STATUSES, Period, RegisterStatus
from ..master.book import read_form_table, table_records, where
from ..spec.forms import (
    DEADLINES,
    INTAKE_LOG,
    PL01,
    PL03,
    REGISTER,
    RESULTS,
)
from ..workbook.api import Workbook

if TYPE_CHECKING:
    import pandas as pd

UNIT_RESPONSIBLE = "Đơn vị"
DELIVERED = tuple(s.label for s in DELIVERED_STATUSES)
STATE_TEXT = {"done": "Đã xong", "due": "Còn hạn", "today": "Đến hạn hôm nay", "late": "Trễ hạn",
              "no-date": "Chưa có hạn", "invalid": "Hạn không hợp lệ"}


@dataclass
class DeadlineStatus:
    step: str
    description: str
    due: date | None
    responsible: str
    form: str
    state: str  # a key of STATE_TEXT
    days: int | None = None  # days left (due) or days late (late)
    done_on: date | None = None
    missing: list[tuple[str, str]] = field(default_factory=list)  # (code, name) of units not delivered
    note: str = ""

    @property
    def state_text(self) -> str:
        return STATE_TEXT[self.state]

    @property
    def days_text(self) -> str:
        if self.state == "due":
            return f"còn {self.days} ngày"
        if self.state == "late":
            return f"trễ {self.days} ngày"
        if self.state == "done" and self.done_on and self.due and self.done_on > self.due:
            return f"xong trễ {(self.done_on - self.due).days} ngày"
        return ""

    @property
    def missing_text(self) -> str:
        return "; ".join(f"{c} ({n})" for c, n in self.missing)

    def as_dict(self) -> dict[str, Any]:
        return {"step": self.step, "description": self.description,
                "due": self.due.isoformat() if self.due else None, "responsible": self.responsible,
                "form": self.form, "state": self.state, "state_text": self.state_text, "days": self.days,
                "done_on": self.done_on.isoformat() if self.done_on else None,
                "missing_units": [{"code": c, "name": n} for c, n in self.missing], "note": self.note}


def _records(wb: Workbook, form: Any) -> list[dict[str, Any]]:
    return table_records(wb, form)  # a deleted table is an error naming its sheet, not zero rows


def delivered_units(wb: Workbook, form_id: str, period: str | None) -> set[str] | None:
    """Folded codes of the units that delivered a form (for results: of one period); None if unknown."""
    if form_id == PL01.id:
        units = {text.fold(r["unit_code"]) for r in _records(wb, REGISTER) if text.clean(r["unit_code"])}
    elif form_id == PL03.id and period:
        label = text.fold(Period(period).label)
        return {text.fold(r["unit_code"]) for r in _records(wb, RESULTS) if text.fold(r["period"]) == label}
    elif form_id == PL03.id:
        units = set()
    else:
        return None
    units |= {text.fold(r["unit_code"]) for r in _records(wb, INTAKE_LOG)
              if text.clean(r["form"]) == form_id and text.clean(r["status"]) in DELIVERED}
    return units


def _period(step: str) -> str | None:
    """The results period a step is about: ``bao-cao-6-thang`` -> ``6-thang``, ``bao-cao-nam`` -> ``nam``."""
    return next((key for key in Period if step.endswith(key)), None)


def deadline_statuses(wb: Workbook, today: date, units: pd.DataFrame) -> tuple[list[DeadlineStatus], list[Finding]]:
    """Each TienDo row's status on ``today``; a date that does not exist is a finding, not a stop."""
    frame = read_form_table(wb, DEADLINES)
    expected = [(text.clean(c), text.clean(n)) for c, n in zip(units["unit_code"], units["unit_name"], strict=True)]
    with_models = {text.fold(r["unit_code"]) for r in _records(wb, REGISTER)
                   if text.fold(r["status"]) != text.fold(RegisterStatus.WITHDRAWN)}
    statuses, findings = [], []
    for i, row in enumerate(frame.to_dict("records")):
        step = text.clean(row["step"])
        if not step and not text.clean(row["description"]):
            continue
        status = DeadlineStatus(step, text.clean(row["description"]), None, text.clean(row["responsible"]),
                                text.clean(row["form"]), "no-date", note=text.clean(row["note"]))
        try:
            status.due = parse_date(row["due"])
            status.done_on = parse_date(row["done_on"])
        except DateError as exc:
            key = "due" if _bad(row["due"]) else "done_on"
            place = where(wb, frame, i, DEADLINES, key)
            cell = place.rsplit("ô ", 1)[-1]
            status.state, status.note = "invalid", f"{place}: {exc.message}"
            findings.append(Finding("deadline-date-invalid", "error", f"ô {cell}: {exc.message}",
                                    wb.label, DEADLINES.sheet, cell))
            statuses.append(status)
            continue
        if text.fold(status.responsible) == text.fold(UNIT_RESPONSIBLE):
            got = delivered_units(wb, status.form, _period(step))
            if got is not None:
                due_from = expected if status.form == PL01.id else [u for u in expected if text.fold(u[0]) in with_models]
                status.missing = [u for u in due_from if text.fold(u[0]) not in got]
                if due_from and not status.missing and status.done_on is None:
                    status.state = "done"
        if status.done_on is not None:
            status.state = "done"
        if status.state != "done" and status.due is not None:
            left = (status.due - today).days
            status.state, status.days = ("due", left) if left > 0 else ("today", 0) if left == 0 else ("late", -left)
        statuses.append(status)
    return statuses, findings


def _bad(value: Any) -> bool:
    try:
        parse_date(value)
    except DateError:
        return True
    return False


def due_line(status: DeadlineStatus) -> str:
    """One readable line: "[Trễ hạn, trễ 3 ngày] dang-ky — … (hạn 03/03/2026); chưa nộp: …"."""
    label = status.state_text + (f", {status.days_text}" if status.days_text else "")
    due = f" (hạn {format_date(status.due)})" if status.due else ""
    line = f"[{label}] {status.step} — {status.description}{due}"
    if status.missing and status.state != "done":
        line += f"; chưa có mẫu hợp lệ: {status.missing_text}"
    if status.state in ("no-date", "invalid") and status.note:
        line += f". {status.note}"
    return line
