"""``dvk compliance``: quotas, deadlines and the eight criteria, checked and shown at a glance.

``check_compliance`` reads the master (through the ``Workbook`` interface only) and returns a
``ComplianceReport``; ``write_compliance`` brings the evaluation sheet in step with the register and
rewrites the "Tuân thủ" sheet; ``run_compliance`` does both on a file and saves it atomically.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from ..core.dates import format_date
from ..core.findings import Finding
from ..master.book import load_lists, load_settings, load_units, open_master
from ..spec.forms import ASSESS_MET, ASSESS_NOT_MET, CRITERION_MET, CRITERION_NOT_MET
from ..workbook.api import FormattedNumber, ReportSheet, SheetBlock, SheetChart, Workbook
from ..workbook.locking import locks_master
from .criteria import CriteriaSummary, EvaluationSync, summarise, sync_evaluation, write_evaluation
from .deadlines import DeadlineStatus, deadline_statuses, due_line
from .quotas import QuotaResult, active_models, check_quotas, load_quota_rules, quota_cells

COMPLIANCE_SHEET = "Tuân thủ"
GREEN, RED, YELLOW = "C6EFCE", "FF9999", "FFE699"


@dataclass
class ComplianceReport:
    today: date
    committee: str
    year: int
    quotas: list[QuotaResult]
    deadlines: list[DeadlineStatus]
    criteria: CriteriaSummary
    evaluation: EvaluationSync
    findings: list[Finding] = field(default_factory=list)
    master: Path | None = None

    @property
    def all_met(self) -> bool:
        return all(q.met for q in self.quotas)

    @property
    def exit_code(self) -> int:
        return 0 if self.all_met else 1

    @property
    def missed(self) -> list[QuotaResult]:
        return [q for q in self.quotas if not q.met]

    @property
    def late(self) -> list[DeadlineStatus]:
        return [d for d in self.deadlines if d.state == "late"]

    def as_dict(self) -> dict[str, Any]:
        return {"today": self.today.isoformat(), "committee": self.committee, "year": self.year,
                "all_met": self.all_met, "quotas": [q.as_dict() for q in self.quotas],
                "deadlines": [d.as_dict() for d in self.deadlines], "criteria": self.criteria.as_dict(),
                "evaluation": {"rows": len(self.evaluation.frame), "added": self.evaluation.added,
                               "withdrawn": self.evaluation.withdrawn, "gone": self.evaluation.gone},
                "findings": [f.as_dict() for f in self.findings]}

    def as_json(self) -> str:
        return json.dumps(self.as_dict(), ensure_ascii=False, indent=2)

    def lines(self) -> list[str]:
        """The readable summary for the CLI, the demo and the ribbon, in Vietnamese."""
        out = [f"Kiểm tra chỉ tiêu, tiến độ, tiêu chí — {self.committee}, năm {self.year}, "
               f"tính đến ngày {format_date(self.today)}", "Chỉ tiêu:"]
        if not self.quotas:
            out.append("  (sheet “Chỉ tiêu” chưa có chỉ tiêu nào)")
        for q in self.quotas:
            out.append(f"  [{ASSESS_MET if q.met else ASSESS_NOT_MET}] {q.rule.rule_id} {q.rule.description} — "
                       f"yêu cầu: {q.required_text}; thực hiện: {q.actual_text}")
            if q.short:
                out.append(f"      Đơn vị chưa đạt: {q.short_text}")
        out.append("Tiến độ:")
        out.extend(f"  {due_line(d)}" for d in self.deadlines)
        c, e = self.criteria, self.evaluation
        out.append(f"Thẩm định: {c.models} mô hình đang thực hiện, {c.evaluated} đã có kết quả, {c.recognised} được "
                   f"công nhận, {c.typical} tiêu biểu (sheet “Thẩm định”: thêm {len(e.added)} dòng, "
                   f"{len(e.withdrawn)} mô hình mới rút được đánh dấu).")
        out.extend(f"  {f.one_line()}" for f in self.findings)
        missed = ", ".join(q.rule.rule_id for q in self.missed)
        out.append("Kết quả: đạt tất cả chỉ tiêu." if self.all_met
                   else f"Kết quả: chưa đạt {len(self.missed)}/{len(self.quotas)} chỉ tiêu ({missed}).")
        if self.master:
            out.append(f"Đã ghi sheet “{COMPLIANCE_SHEET}” và “Thẩm định” vào {self.master}")
        return out


def check_compliance(wb: Workbook, today: date | None = None) -> ComplianceReport:
    """Everything the higher committee asks first, computed from the master as it is."""
    today = today or date.today()
    settings, lists, units = load_settings(wb), load_lists(wb), load_units(wb)
    evaluation = sync_evaluation(wb, lists)
    from ..master.reconcile import deadline_findings as reconcile_deadlines
    from ..master.reconcile import read_register

    register = read_register(wb, units, lists, settings.year)  # the one reading every count shares
    models = active_models(register.frame(), lists, evaluation.decisions())
    quotas = check_quotas(load_quota_rules(wb, units, lists), models, units)
    deadlines, deadline_findings = deadline_statuses(wb, today, units)
    return ComplianceReport(today, settings.committee, settings.year, quotas, deadlines,
                            summarise(wb, evaluation, lists), evaluation,
                            register.findings + reconcile_deadlines(wb, settings.year) + deadline_findings
                            + evaluation.findings)


def quota_status(wb: Workbook) -> list[tuple[str, str, str, bool, str]]:
    """(description, required, actual, met, units short) per rule, for the reports' quota table."""
    report = check_compliance(wb)
    return [(q.rule.description, q.required_text, q.actual_text, q.met, q.short_text) for q in report.quotas]


def days_cell(status: DeadlineStatus) -> FormattedNumber | str:
    """Days left or late as a number, read as “còn 5 ngày” / “trễ 3 ngày”."""
    if status.state in ("due", "late") and status.days is not None:
        return FormattedNumber(status.days, f'"{"còn" if status.state == "due" else "trễ"} "0" ngày"')
    if status.days_text and status.done_on and status.due:  # done, but after the deadline
        return FormattedNumber((status.done_on - status.due).days, '"xong trễ "0" ngày"')
    return status.days_text


def compliance_sheet(report: ComplianceReport) -> ReportSheet:
    """The "Tuân thủ" sheet as data: quotas, deadlines, the evaluation by field and kind and by criterion."""
    quota_rows = [[q.rule.rule_id, q.rule.description, q.rule.scope + (f": {q.rule.target}" if q.rule.target else ""),
                   q.rule.measure + (f" ({q.rule.parameter})" if q.rule.parameter else ""), *quota_cells(q),
                   ASSESS_MET if q.met else ASSESS_NOT_MET, q.short_text] for q in report.quotas]
    deadline_rows = [[d.step, d.description, d.due, d.responsible, d.state_text, days_cell(d), d.form,
                      d.note if d.state in ("no-date", "invalid") else d.missing_text if d.state != "done" else ""]
                     for d in report.deadlines]
    c = report.criteria
    field_rows = [[f["field"], *(f["kinds"][k] for k in c.kinds), f["total"], f["evaluated"], f["recognised"],
                   f["typical"]] for f in c.by_field]
    field_rows.append(["Tổng cộng", *(sum(f["kinds"][k] for f in c.by_field) for k in c.kinds), c.models,
                       c.evaluated, c.recognised, c.typical])
    criterion_rows = [[f"{r['number']}. {r['name']}", r["met"], r["not_met"], r["pending"]] for r in c.by_criterion]
    finding_rows = [["Lỗi" if f.is_error else "Cảnh báo", f.sheet or "", f.cell or "", f.message]
                    for f in report.findings] or [["", "", "", "Không có điểm nào cần xem lại"]]
    verdict = ("Đạt tất cả chỉ tiêu" if report.all_met
               else f"Chưa đạt {len(report.missed)}/{len(report.quotas)} chỉ tiêu")
    return ReportSheet(
        name=COMPLIANCE_SHEET,
        title=f"KIỂM TRA CHỈ TIÊU, TIẾN ĐỘ VÀ TIÊU CHÍ “DÂN VẬN KHÉO” NĂM {report.year}",
        subtitle=f"{report.committee} — tính đến ngày {format_date(report.today)}: {verdict}; "
                 f"{len(report.late)} việc trễ hạn. Sheet do lệnh dvk compliance ghi lại mỗi lần chạy.",
        blocks=[
            SheetBlock("I. CHỈ TIÊU", ["Mã", "Nội dung chỉ tiêu", "Phạm vi", "Chỉ số", "Yêu cầu", "Thực hiện",
                                       "Kết quả", "Đơn vị chưa đạt"], quota_rows),
            SheetBlock("II. TIẾN ĐỘ", ["Mã", "Công việc", "Hạn", "Bên thực hiện", "Tình trạng", "Số ngày",
                                       "Biểu mẫu", "Đơn vị chưa có mẫu hợp lệ / ghi chú"], deadline_rows),
            SheetBlock("III. MÔ HÌNH THEO LĨNH VỰC VÀ LOẠI, KẾT QUẢ THẨM ĐỊNH",
                       ["Lĩnh vực", *c.kinds, "Tổng số", "Đã thẩm định", "Được công nhận", "Tiêu biểu"], field_rows),
            SheetBlock("IV. THẨM ĐỊNH THEO TỪNG TIÊU CHÍ (mô hình đang thực hiện)",
                       ["Tiêu chí", CRITERION_MET, CRITERION_NOT_MET, "Chưa đánh giá"], criterion_rows),
            SheetBlock("V. CẦN XEM LẠI", ["Mức", "Sheet", "Ô", "Nội dung"], finding_rows),
        ],
        charts=[SheetChart("Số mô hình theo lĩnh vực và loại mô hình", block=2, series=len(c.kinds),
                           rows=len(c.by_field), y_title="Số mô hình")],
        widths=[30, 46, 18, 24, 24, 22, 12, 50],  # E, F wide enough for a number with its words (else ###)
        marks={ASSESS_MET: GREEN, ASSESS_NOT_MET: RED, "Đã xong": GREEN, "Trễ hạn": RED, "Lỗi": RED,
               "Chưa có hạn": YELLOW, "Hạn không hợp lệ": RED, "Cảnh báo": YELLOW},
    )


def write_compliance(wb: Workbook, report: ComplianceReport) -> None:
    write_evaluation(wb, report.evaluation)
    wb.replace_sheet(compliance_sheet(report))


@locks_master  # read -> write -> save under the master's lock: one run at a time
def run_compliance(master: str | Path | Workbook, today: date | None = None) -> ComplianceReport:
    """Check, write the evaluation and "Tuân thủ" sheets, save (atomically)."""
    wb = open_master(master)
    wb.check_writable()
    report = check_compliance(wb, today)
    write_compliance(wb, report)
    wb.save()
    report.master = getattr(wb, "path", None)
    return report
