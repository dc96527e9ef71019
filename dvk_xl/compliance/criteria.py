"""The evaluation table ``ThamDinh``: one row per registered model, the eight criteria of seed 003
part III as columns, kept in step with ``DangKy`` by model ID.

Rows are never lost: a model withdrawn from the register keeps its row (marked), a model that
vanished from the register too. The tool pre-fills the criteria the data proves or disproves
(1 from the registration, 2 from the registration and a reported launch, 8 from the intake log and
archive) and records which cells it filled in ``auto_marks``, so a cell the team typed is never
overwritten. Typical marks that break part III.2 are findings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from ..core import text
from ..core.dates import as_date, format_date
from ..core.findings import Finding
from ..core.kinds import DELIVERED_STATUSES, ModelKind, Period, RegisterStatus
from ..core.numbers_vi import read_count
from ..master.book import TABLE_HEADER_ROW, read_form_table, records, table_records
from ..master.reconcile import choice
from ..spec.forms import (
    CRITERIA,
    CRITERION_MET,
    CRITERION_NOT_MET,
    DEFAULT_LISTS,
    EVAL_RECOGNISED,
    EVALUATION,
    INTAKE_LOG,
    PL01,
    REGISTER,
    RESULTS,
    SUBJECT_COLLECTIVE,
    SUBJECT_INDIVIDUAL,
    UNIT_RATINGS_GOOD,
    YES,
    excel_column,
)
from ..workbook.api import Workbook

if TYPE_CHECKING:
    import pandas as pd

NUMBERS = range(1, 9)
AUTO_CRITERIA = (1, 2, 8)
STATUS_GONE = "Không còn trong sổ đăng ký"
DESCRIPTIVE = ("model_id", "unit_code", "unit_name", "name", "field", "subject", "kind")
_ANNUAL = text.fold(Period.YEAR.label)


@dataclass
class EvaluationSync:
    """The evaluation table as it will be written, and what changed."""

    frame: pd.DataFrame  # EVALUATION keys as columns
    header_row: int
    first_column: int
    added: list[str] = field(default_factory=list)
    withdrawn: list[str] = field(default_factory=list)
    gone: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    def cell(self, position: int, key: str) -> str:
        return f"{excel_column(self.first_column + EVALUATION.position(key))}{self.header_row + 1 + position}"

    def decisions(self) -> dict[str, tuple[bool, bool]]:
        """Folded model ID -> (recognised, typical) as the team decided them."""
        return {text.fold(r["model_id"]): (recognised(r), typical(r)) for r in records(self.frame)}


def recognised(row: dict[str, Any]) -> bool:
    return text.fold(row.get("result")) == text.fold(EVAL_RECOGNISED)


def typical(row: dict[str, Any]) -> bool:
    """Typical counts only for a recognised model (an unrecognised typical mark is a finding)."""
    return recognised(row) and text.fold(row.get("typical")) == text.fold(YES)


def _records(wb: Workbook, form: Any) -> list[dict[str, Any]]:
    return table_records(wb, form)  # a deleted table is an error naming its sheet, not zero rows


# --- what the data proves ------------------------------------------------------------------------


def _launches(results: list[dict[str, Any]]) -> dict[str, tuple[date | None, bool]]:
    """Folded model ID -> (launch date or None, reported "not launched" in the annual report)."""
    out: dict[str, tuple[date | None, bool]] = {}
    for r in results:
        key = text.fold(r.get("model_id"))
        when, refused = out.get(key, (None, False))
        launched_on = as_date(r.get("launched_on"))
        said_yes = text.fold(r.get("launched")) == text.fold(YES)
        if isinstance(launched_on, date) or said_yes:
            when = when or (launched_on if isinstance(launched_on, date) else date.min)
        elif text.fold(r.get("period")) == _ANNUAL and text.clean(r.get("launched")):
            refused = True
        out[key] = (when, refused)
    return out


def _archived(log: list[dict[str, Any]]) -> dict[tuple[str, str], str]:
    """(folded unit, file name or "") -> archive path of accepted registration files."""
    out = {}
    for r in log:
        if text.clean(r.get("form")) == PL01.id and text.clean(r.get("status")) in (
                s.label for s in DELIVERED_STATUSES) and text.clean(r.get("archive")):
            unit = text.fold(r.get("unit_code"))
            out[(unit, text.clean(r.get("file")))] = text.clean(r.get("archive"))
            out.setdefault((unit, ""), text.clean(r.get("archive")))
    return out


def proposals(model: dict[str, Any], lists: dict[str, list[str]], launches: dict[str, tuple[date | None, bool]],
              archived: dict[tuple[str, str], str]) -> dict[int, tuple[str | None, str]]:
    """For criteria 1, 2 and 8: (value the data supports or None, why) for one registered model."""
    out: dict[int, tuple[str | None, str]] = {}
    gaps = []
    if not text.clean(model.get("name")):
        gaps.append("chưa có tên mô hình")
    if choice(model.get("subject"), lists.get("subjects", [])) is None:
        gaps.append(f"chủ thể “{text.clean(model.get('subject'))}” không rõ")
    if choice(model.get("field"), lists.get("fields", [])) is None:
        gaps.append(f"lĩnh vực “{text.clean(model.get('field'))}” không thuộc danh mục")
    out[1] = ((CRITERION_NOT_MET, "Không đạt: " + ", ".join(gaps)) if gaps
              else (CRITERION_MET, "Đạt: đã đăng ký, có tên, chủ thể, lĩnh vực"))
    has_plan = all(text.clean(model.get(k)) for k in ("goals", "date_from", "date_to"))
    new = text.fold(choice(model.get("kind"), lists.get("kinds", [])) or model.get("kind")) == text.fold(ModelKind.NEW)
    when, refused = launches.get(text.fold(model.get("model_id")), (None, False))
    if new and refused and when is None:
        out[2] = (CRITERION_NOT_MET, "Không đạt: mô hình mới, báo cáo năm ghi chưa ra mắt")
    elif not has_plan:
        out[2] = (None, "chờ đoàn thẩm định: đăng ký thiếu mục tiêu hoặc thời gian thực hiện")
    elif new and when is None:
        out[2] = (None, "chờ báo cáo ra mắt (mô hình mới)")
    elif new:
        shown = f" ngày {format_date(when)}" if when != date.min else ""
        out[2] = (CRITERION_MET, f"Đạt: có kế hoạch trong đăng ký, đã ra mắt{shown}")
    else:
        out[2] = (CRITERION_MET, "Đạt: có kế hoạch trong đăng ký (mục tiêu, thời gian)")
    unit = text.fold(model.get("unit_code"))
    archive = archived.get((unit, text.clean(model.get("source_file")))) or archived.get((unit, ""))
    out[8] = ((CRITERION_MET, f"Đạt: hồ sơ đăng ký đã lưu ({archive})") if archive
              else (None, "chờ: chưa có tệp đăng ký được lưu trữ"))
    return out


def _marks(value: Any) -> dict[int, str]:
    """"1=Đạt; 8=Đạt" -> {1: "Đạt", 8: "Đạt"}."""
    out = {}
    for part in text.clean(value).split(";"):
        number, _, shown = part.partition("=")
        if number.strip().isdigit():
            out[int(number)] = shown.strip()
    return out


def _prefill(row: dict[str, Any], proposed: dict[int, tuple[str | None, str]]) -> None:
    """Fill the criteria the tool owns; a cell the team typed (differs from the tool's mark) stays."""
    before, after, notes = _marks(row.get("auto_marks")), {}, []
    for number, (value, why) in proposed.items():
        key, current = f"c{number}", text.clean(row.get(f"c{number}"))
        if not current or (number in before and text.fold(current) == text.fold(before[number])):
            row[key] = value
            if value:
                after[number] = value
        elif value and text.fold(current) != text.fold(value):
            why += f" (đoàn thẩm định ghi “{current}”, giữ nguyên)"
        notes.append(f"TC{number}: {why}")
    notes.append("TC3–7: đoàn thẩm định đánh giá")
    row["auto_note"] = "; ".join(notes)
    row["auto_marks"] = "; ".join(f"{n}={v}" for n, v in sorted(after.items())) or None


# --- keeping in step with the register ----------------------------------------------------------


def sync_evaluation(wb: Workbook, lists: dict[str, list[str]]) -> EvaluationSync:
    """The evaluation rows for the register as it is now (computed, not written)."""
    import pandas as pd

    exists = EVALUATION.table in wb.table_names()
    current = read_form_table(wb, EVALUATION) if exists else pd.DataFrame(columns=EVALUATION.keys)
    header_row = current.attrs.get("header_row", TABLE_HEADER_ROW) if exists else TABLE_HEADER_ROW
    first_column = current.attrs.get("first_column", 0) if exists else 0
    sync = EvaluationSync(pd.DataFrame(columns=EVALUATION.keys), header_row, first_column)
    kept: dict[str, dict[str, Any]] = {}
    loose: list[dict[str, Any]] = []  # rows the team added without a model ID: kept at the end
    for row in records(current):
        key = text.fold(row.get("model_id"))
        if key and key not in kept:
            kept[key] = row
        elif any(text.clean(v) for v in row.values()):
            loose.append(row)
    launches = _launches(_records(wb, RESULTS))
    archived = _archived(_records(wb, INTAKE_LOG))
    rows, seen = [], set()
    for model in _records(wb, REGISTER):
        model_id = text.clean(model.get("model_id"))
        if not model_id or text.fold(model_id) in seen:
            if text.clean(model.get("name")):
                why = "chưa có mã mô hình" if not model_id else f"mã mô hình “{model_id}” bị trùng"
                sync.findings.append(Finding("register-row-without-id", "warning",
                                             f"mô hình “{text.clean(model.get('name'))}” trong sổ đăng ký {why} nên "
                                             "chưa có dòng thẩm định; tổng hợp lại bằng công cụ để có mã",
                                             wb.label, REGISTER.sheet, None))
            continue
        seen.add(text.fold(model_id))
        row = kept.pop(text.fold(model_id), None)
        if row is None:
            row = dict.fromkeys(EVALUATION.keys)
            sync.added.append(model_id)
        withdrawn = text.fold(model.get("status")) == text.fold(RegisterStatus.WITHDRAWN)
        if withdrawn and text.fold(row.get("status")) != text.fold(RegisterStatus.WITHDRAWN):
            sync.withdrawn.append(model_id)
        row.update({k: text.clean(model.get(k)) or None for k in DESCRIPTIVE})
        for key, list_key in (("field", "fields"), ("subject", "subjects"), ("kind", "kinds")):
            row[key] = choice(row[key], lists.get(list_key, [])) or row[key]
        row["status"] = (RegisterStatus.WITHDRAWN.value if withdrawn
                         else text.clean(model.get("status")) or RegisterStatus.ACTIVE.value)
        if withdrawn:
            row["auto_note"] = "Mô hình đã rút khỏi sổ đăng ký; dòng và kết quả thẩm định được giữ lại"
        else:
            _prefill(row, proposals(model, lists, launches, archived))
        rows.append(row)
    for row in kept.values():
        if text.fold(row.get("status")) != text.fold(STATUS_GONE):
            sync.gone.append(text.clean(row.get("model_id")))
        row["status"] = STATUS_GONE
        row["auto_note"] = "Mã mô hình không còn trong sổ đăng ký; dòng và kết quả thẩm định được giữ lại"
        rows.append(row)
    sync.frame = pd.DataFrame(rows + loose, columns=EVALUATION.keys)
    sync.findings.extend(evaluation_findings(sync, wb.label, lists))
    return sync


def write_evaluation(wb: Workbook, sync: EvaluationSync) -> None:
    """Write the synced rows (creating the sheet on an older master)."""
    if EVALUATION.table not in wb.table_names():
        wb.ensure_table(EVALUATION)
    wb.write_table(EVALUATION.table, sync.frame[EVALUATION.keys].rename(
        columns={c.key: c.header for c in EVALUATION.columns}))


# --- checking the team's marks --------------------------------------------------------------------


def _is_active(row: dict[str, Any]) -> bool:
    return text.fold(row.get("status")) not in (text.fold(RegisterStatus.WITHDRAWN), text.fold(STATUS_GONE))


def evaluation_findings(sync: EvaluationSync, label: str, lists: dict[str, list[str]]) -> list[Finding]:
    """Typical marks that break seed 003 part III.2, and values outside the dropdown lists."""
    rows = records(sync.frame)
    found: list[Finding] = []

    def add(code: str, severity: str, position: int, key: str, message: str) -> None:
        cell = sync.cell(position, key)
        found.append(Finding(code, severity, f"ô {cell}: {message}", label, EVALUATION.sheet, cell))

    checked = {f"c{n}": "criteria_results" for n in NUMBERS} | {
        "result": "evaluation_results", "typical": "yes_no", "personal": "yes_no", "unit_rating": "unit_ratings"}
    ratings: dict[str, str] = {}
    for row in rows:
        rating = choice(row.get("unit_rating"), lists.get("unit_ratings", DEFAULT_LISTS["unit_ratings"]))
        if rating:
            ratings.setdefault(text.fold(row.get("unit_code")), rating)
    for p, row in enumerate(rows):
        model = text.clean(row.get("model_id")) or "(chưa có mã)"
        for key, list_key in checked.items():
            value = text.clean(row.get(key))
            allowed = lists.get(list_key) or DEFAULT_LISTS[list_key]
            if value and choice(value, allowed) is None:
                add("evaluation-value-unknown", "warning", p, key,
                    f"“{value}” không có trong danh mục; chọn một trong: {'; '.join(allowed)}")
        values = {n: choice(row.get(f"c{n}"), DEFAULT_LISTS["criteria_results"]) for n in NUMBERS}
        if recognised(row) and any(v == CRITERION_NOT_MET for v in values.values()):
            failed = ", ".join(str(n) for n, v in values.items() if v == CRITERION_NOT_MET)
            add("recognised-criteria-not-met", "warning", p, "result",
                f"mô hình {model} được công nhận nhưng tiêu chí {failed} ghi “{CRITERION_NOT_MET}”; xem lại kết quả")
        if text.fold(row.get("typical")) != text.fold(YES):
            continue
        if not _is_active(row):
            add("typical-withdrawn", "warning", p, "typical",
                f"mô hình {model} đã rút khỏi sổ đăng ký nhưng vẫn được chọn tiêu biểu")
        unmet = [str(n) for n, v in values.items() if v != CRITERION_MET]
        if unmet:
            add("typical-criteria-not-met", "error", p, "typical",
                f"mô hình {model} được chọn tiêu biểu nhưng tiêu chí {', '.join(unmet)} chưa “{CRITERION_MET}”; "
                "chỉ chọn tiêu biểu khi đạt đủ 8 tiêu chí (Mục III.2 Hướng dẫn)")
        if not recognised(row):
            add("typical-not-recognised", "error", p, "result",
                f"mô hình {model} được chọn tiêu biểu nhưng kết quả thẩm định chưa là “{EVAL_RECOGNISED}”")
        subject = text.fold(choice(row.get("subject"), lists.get("subjects", [])) or row.get("subject"))
        if subject == text.fold(SUBJECT_COLLECTIVE):
            rating = (choice(row.get("unit_rating"), lists.get("unit_ratings", DEFAULT_LISTS["unit_ratings"]))
                      or ratings.get(text.fold(row.get("unit_code"))))
            if not rating:
                add("typical-unit-rating-missing", "error", p, "unit_rating",
                    f"mô hình tập thể {model} được chọn tiêu biểu nhưng chưa nhập xếp loại của đơn vị trong năm; "
                    "tập thể tiêu biểu cần đơn vị “hoàn thành tốt nhiệm vụ” trở lên")
            elif rating not in UNIT_RATINGS_GOOD:
                add("typical-unit-rating", "error", p, "unit_rating",
                    f"mô hình tập thể {model} được chọn tiêu biểu nhưng đơn vị xếp loại “{rating}”; "
                    "cần “hoàn thành tốt nhiệm vụ” trở lên (Mục III.2 Hướng dẫn)")
        if subject == text.fold(SUBJECT_INDIVIDUAL) and text.fold(row.get("personal")) != text.fold(YES):
            add("typical-individual-criteria", "error", p, "personal",
                f"cá nhân thực hiện mô hình {model} được chọn tiêu biểu nhưng chưa xác nhận đạt các tiêu chuẩn riêng "
                "của cá nhân (Mục III.2.(2) Hướng dẫn); chọn “Có” khi đã xét đủ")
    by_unit: dict[str, list[int]] = {}
    for p, row in enumerate(rows):
        if _is_active(row) and text.fold(row.get("typical")) == text.fold(YES):
            by_unit.setdefault(text.fold(row.get("unit_code")), []).append(p)
    for positions in by_unit.values():
        if len(positions) > 1:
            ids = ", ".join(text.clean(rows[p].get("model_id")) for p in positions)
            for p in positions[1:]:
                add("typical-more-than-one", "error", p, "typical",
                    f"đơn vị {text.clean(rows[p].get('unit_code'))} có {len(positions)} mô hình được chọn tiêu biểu "
                    f"({ids}); mỗi đơn vị chỉ chọn một mô hình tiêu biểu nhất")
    return found


# --- summary ---------------------------------------------------------------------------------------


@dataclass
class CriteriaSummary:
    models: int = 0
    evaluated: int = 0
    recognised: int = 0
    typical: int = 0
    kinds: list[str] = field(default_factory=list)
    by_field: list[dict[str, Any]] = field(default_factory=list)
    by_kind: list[dict[str, Any]] = field(default_factory=list)
    by_subject: list[dict[str, Any]] = field(default_factory=list)
    by_criterion: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"models": self.models, "evaluated": self.evaluated, "recognised": self.recognised,
                "typical": self.typical, "by_field": self.by_field, "by_kind": self.by_kind,
                "by_subject": self.by_subject, "by_criterion": self.by_criterion}


def summarise(wb: Workbook, sync: EvaluationSync, lists: dict[str, list[str]]) -> CriteriaSummary:
    """Active models evaluated, recognised and typical, by field, kind, subject and criterion."""
    rows = [r for r in records(sync.frame) if _is_active(r)]
    names = {}
    for r in _records(wb, CRITERIA):
        number = read_count(r["number"]).value
        if number is not None:
            names[number] = text.clean(r["short"])

    def tally(group: list[dict[str, Any]]) -> dict[str, int]:
        return {"total": len(group), "evaluated": sum(1 for r in group if text.clean(r.get("result"))),
                "recognised": sum(1 for r in group if recognised(r)), "typical": sum(1 for r in group if typical(r))}

    def grouped(key: str, list_key: str) -> tuple[list[str], dict[str, list[dict[str, Any]]]]:
        """The list's values (then any other value the rows carry) and the rows of each."""
        values = list(lists.get(list_key, []))
        groups: dict[str, list[dict[str, Any]]] = {v: [] for v in values}
        for r in rows:
            value = choice(r.get(key), values) or text.clean(r.get(key))
            if value and value not in groups:
                values.append(value)
                groups[value] = []
            if value:
                groups[value].append(r)
        return values, groups

    kinds, by_kind = grouped("kind", "kinds")
    fields, by_field = grouped("field", "fields")
    _, by_subject = grouped("subject", "subjects")
    totals = tally(rows)
    summary = CriteriaSummary(totals["total"], totals["evaluated"], totals["recognised"], totals["typical"], kinds)
    for value in fields:
        group = by_field[value]
        ids = {id(r) for r in group}
        per_kind = {k: sum(1 for r in by_kind[k] if id(r) in ids) for k in kinds}
        summary.by_field.append({"field": value, "kinds": per_kind, **tally(group)})
    summary.by_kind = [{"kind": k, **tally(by_kind[k])} for k in kinds]
    summary.by_subject = [{"subject": s, **tally(g)} for s, g in by_subject.items()]
    for n in NUMBERS:
        values = [choice(r.get(f"c{n}"), DEFAULT_LISTS["criteria_results"]) for r in rows]
        summary.by_criterion.append({"number": n, "name": names.get(n, f"Tiêu chí {n}"),
                                     "met": values.count(CRITERION_MET), "not_met": values.count(CRITERION_NOT_MET),
                                     "pending": sum(1 for v in values if v is None)})
    return summary
