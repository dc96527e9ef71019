"""Check and consolidate: returned workbooks in, the register (DangKy) and intake log out.

Nothing is lost: every received file is archived under its sha256 and logged; a unit's latest
file replaces its rows, models keep stable IDs, models that disappear are marked withdrawn, rows
staff corrected by hand are kept with a warning; the master is written atomically with its
previous version kept. The same path serves every unit form through ``HANDLERS``.

Staff edit the register in Excel between runs; ``reconcile_register`` takes their edits in first
(hand rows get IDs, retyped and re-coded unit codes are followed) and the register keeps every
existing row where staff left it, new models appended below, so their order and marks stay put.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import text
from .errors import DvkError
from .findings import Finding
from .forms import (
    INTAKE_LOG,
    PL01,
    PL03,
    REGISTER,
    REGISTER_STATUS_ACTIVE,
    REGISTER_STATUS_WITHDRAWN,
    SUBMISSIONS,
    UNIT_FORMS,
    Form,
    submission_label,
)
from .inbox import Skipped, filter_files, report_prefixes, scan_inbox, skipped_line
from .kinds import DELIVERED_STATUSES, IntakeStatus, Period
from .locking import locks_master
from .master import (
    deadline_of,
    load_deadlines,
    load_lists,
    load_settings,
    load_units,
    open_master,
    read_form_table,
)
from .reading import ReturnedFile, file_digest, read_returned
from .results import check_results, merge_results
from .validation import FORM_CHECKS, Campaign, validate_files
from .workbook import Workbook

if TYPE_CHECKING:
    import pandas as pd

ARCHIVE_DIR = "LuuTru"
PARALLEL_FROM = 40  # below this many files a process pool costs more than it saves
STATUS_FROM_VI = {s.label: s for s in IntakeStatus}


@dataclass
class FileOutcome:
    path: Path
    unit: str | None
    status: str  # accepted | rejected | unchanged | superseded
    models: int
    findings: list[Finding]
    sha256: str = ""
    form: str | None = None
    received_at: datetime | None = None
    archive: str = ""
    feedback: Path | None = None
    previous_status: str | None = None  # for an unchanged file: what it got when first received

    def as_dict(self) -> dict[str, Any]:
        return {"path": str(self.path), "unit": self.unit, "status": self.status, "models": self.models,
                "findings": [f.as_dict() for f in self.findings]}


@dataclass
class IntakeReport:
    files: list[FileOutcome] = field(default_factory=list)
    units_expected: list[tuple[str, str]] = field(default_factory=list)
    master: Path | None = None
    master_changed: bool = False
    previous_version: Path | None = None
    feedback_dir: Path | None = None
    skipped: list[Skipped] = field(default_factory=list)  # inbox entries that are not returned workbooks
    inbox: Path | None = None
    recorded_units: list[str] = field(default_factory=list)  # units with a valid PL01 in the master's log

    def count(self, status: str) -> int:
        return sum(1 for f in self.files if f.status == status)

    @property
    def units_received(self) -> list[str]:
        ok = DELIVERED_STATUSES
        units = {text.fold(u): u for u in self.recorded_units}
        units.update((text.fold(f.unit), f.unit) for f in self.files
                     if f.unit and (f.status in ok or f.status == IntakeStatus.UNCHANGED and f.previous_status in ok))
        return sorted(units.values())

    @property
    def units_missing(self) -> list[tuple[str, str]]:
        received = {text.fold(u) for u in self.units_received}
        return [(c, n) for c, n in self.units_expected if text.fold(c) not in received]

    def summary(self) -> dict[str, Any]:
        findings = [x for f in self.files for x in f.findings]
        return {
            "files": len(self.files),
            **{status.value: self.count(status) for status in IntakeStatus},
            "models": sum(f.models for f in self.files if f.status == IntakeStatus.ACCEPTED),
            "errors": sum(1 for x in findings if x.is_error),
            "warnings": sum(1 for x in findings if not x.is_error),
            "units_expected": len(self.units_expected),
            "units_received": len(self.units_received),
            "units_missing": [c for c, _ in self.units_missing],
            "master_changed": self.master_changed,
            "skipped": [s.as_dict() for s in self.skipped],  # added: what in the inbox was not read, and why
        }

    def as_json(self) -> str:
        return json.dumps({"files": [f.as_dict() for f in self.files], "summary": self.summary()},
                          ensure_ascii=False, indent=2)

    @property
    def exit_code(self) -> int:
        return 1 if self.count(IntakeStatus.REJECTED) else 0

    def lines(self, details: bool = True) -> list[str]:
        """The readable summary shown by the CLI and the ribbon, in Vietnamese."""
        shown = {**IntakeStatus.labels(), IntakeStatus.REJECTED: IntakeStatus.REJECTED.label.upper()}  # stands out
        out = []
        for outcome in self.files:
            unit = outcome.unit or "?"
            if outcome.status == IntakeStatus.UNCHANGED:
                out.append(f"[{shown[IntakeStatus.UNCHANGED]}] {outcome.path.name} — đơn vị {unit}: giống hệt tệp đã nhận "
                           f"(kết quả lúc đó: {IntakeStatus.labels().get(outcome.previous_status or '', '?')}), bỏ qua")
                continue
            out.append(f"[{shown[outcome.status]}] {outcome.path.name} — đơn vị {unit}, {outcome.models} mô hình")
            if details:
                out.extend(f"    {'Lỗi' if f.is_error else 'Cảnh báo'}: {f.message}" for f in outcome.findings)
            if outcome.feedback:
                out.append(f"    Tệp phản hồi gửi đơn vị: {outcome.feedback}")
        s = self.summary()
        ok, no, same, replaced = (s[status] for status in IntakeStatus)
        out.append(f"Tổng cộng {s['files']} tệp: {ok} chấp nhận, {no} từ chối, "
                   f"{same} không đổi, {replaced} bị thay thế; {s['models']} mô hình được ghi; "
                   f"{s['errors']} lỗi, {s['warnings']} cảnh báo.")
        if skipped := skipped_line(self.skipped, self.inbox):
            out.append(skipped)
        if self.units_expected:
            missing = ", ".join(f"{c} ({n})" for c, n in self.units_missing) or "không"
            out.append(f"Đơn vị đã có mẫu hợp lệ: {s['units_received']}/{s['units_expected']}; chưa có: {missing}.")
        if self.master_changed:
            out.append(f"Đã cập nhật sổ tổng hợp {self.master} (bản trước lưu tại {self.previous_version}).")
        elif self.master is not None and all(f.status == IntakeStatus.UNCHANGED for f in self.files):
            out.append("Không có tệp mới: sổ tổng hợp giữ nguyên.")
        return out


# --- reading many files ----------------------------------------------------------------------


def read_all(paths: list[Path], workers: int | None = None) -> list[ReturnedFile]:
    """Read files, on every core when there are enough of them to pay for the processes."""
    workers = workers if workers is not None else (os.cpu_count() or 1)
    if workers <= 1 or len(paths) < PARALLEL_FROM:
        return [read_returned(p) for p in paths]
    chunk = max(1, len(paths) // (workers * 8))
    with ProcessPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(read_returned, paths, chunksize=chunk))


# --- the campaign as validation needs it -------------------------------------------------------


@dataclass
class MasterState:
    wb: Workbook
    campaign: Campaign
    units: pd.DataFrame
    register: pd.DataFrame
    log: pd.DataFrame
    models: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # folded unit code -> its register rows
    changed: bool = False  # the register was reconciled (IDs given, codes followed) and must be written
    next_position: int = 0  # where the next new model goes: after every existing row

    def register_frame(self) -> pd.DataFrame:
        """The register with every existing row where staff left it, new models appended below.

        Staff sort the register and mark rows (fill colour, comments) in Excel: keeping each model at
        its row keeps their order and their marks with the model. A withdrawn model stays at its row.
        """
        import pandas as pd

        rows = sorted((r for unit in self.models.values() for r in unit), key=lambda r: r["_position"])
        return pd.DataFrame(rows, columns=REGISTER.keys)

    def new_position(self) -> int:
        self.next_position += 1
        return self.next_position - 1

    def awaiting(self) -> set[str]:
        """Folded codes of units with a row whose “Mã kiểm tra” staff cleared: its file is read again."""
        return {unit for unit, rows in self.models.items() for r in rows
                if text.clean(r.get("source_file")) and not text.clean(r.get("row_check"))
                and text.clean(r.get("status")) != REGISTER_STATUS_WITHDRAWN}


def load_state(wb: Workbook) -> MasterState:
    settings = load_settings(wb)
    units = load_units(wb)
    deadlines = load_deadlines(wb)
    register = read_form_table(wb, REGISTER)
    log = read_form_table(wb, INTAKE_LOG)
    existing: dict[str, list[tuple[str, str]]] = {}
    registered: dict[str, dict[str, str]] = {}
    models: dict[str, list[dict[str, Any]]] = {}
    records, changed = reconcile_register(register.to_dict("records"), units, settings.year)
    for record in records:
        unit, name = text.clean(record["unit_code"]), text.clean(record["name"])
        models.setdefault(text.fold(unit), []).append(record)
        if text.clean(record["status"]) != REGISTER_STATUS_WITHDRAWN:
            existing.setdefault(text.similarity_key(name), []).append((unit, name))
            registered.setdefault(unit, {})[text.clean(record["model_id"])] = name
    campaign = Campaign(
        year=settings.year,
        units={text.fold(c): (c, n) for c, n in zip(units["unit_code"], units["unit_name"], strict=True)},
        lists=load_lists(wb),
        deadlines={submission_label(form_id, period or None): deadline_of(deadlines, step)
                   for form_id, handler in HANDLERS.items() for period, step in handler.deadline_steps.items()},
        existing_models=existing,
        registered=registered,
        committee=settings.committee,
        committee_code=settings.committee_code,
    )
    _follow_old_codes(campaign, units)
    return MasterState(wb, campaign, units, register, log, models, changed, len(records))


def _follow_old_codes(campaign: Campaign, units: pd.DataFrame) -> None:
    """A form made before a unit was re-coded (its metadata has the old code) is the re-coded unit's."""
    from .reconcile import UnitCodes

    codes = UnitCodes.of(units)
    for old, new in codes.old.items():
        code, name = codes.current[new]
        campaign.units.setdefault(old, (code, name))


def reconcile_register(records: list[dict[str, Any]], units: pd.DataFrame, year: int) -> tuple[list[dict[str, Any]], bool]:
    """The register rows as staff left them, made whole before anything is merged.

    Blank rows are dropped; each row remembers its position (``_position``: rows stay where staff
    put them); a unit code typed differently ("CB 01") or an old code listed under “Mã cũ” becomes
    the unit's code in DonVi (the model keeps its ID); a row typed by hand without an ID gets the
    next number of its unit and is marked ``_hand`` (no source file) so that the unit's file
    matches it without overwriting it. Returns (rows, whether anything changed).
    """
    from .reconcile import UnitCodes

    codes = UnitCodes.of(units)
    rows = [r for r in records if any(text.clean(v) for v in r.values())]
    changed = len(rows) != len(records)
    numbers: dict[str, int] = {}
    for position, record in enumerate(rows):
        record["_position"] = position
        record["_hand"] = not text.clean(record.get("source_file"))
        unit = codes.resolve(record.get("unit_code"))
        if unit and (unit[0] != text.clean(record.get("unit_code")) or not text.clean(record.get("unit_name"))):
            record["unit_code"], record["unit_name"] = unit[0], unit[1]
            changed = True
        key = text.fold(record.get("unit_code"))
        numbers[key] = max(numbers.get(key, 0), _model_number(record.get("model_id")))
    for record in rows:
        if not text.clean(record.get("model_id")) and text.clean(record.get("unit_code")):
            key = text.fold(record["unit_code"])
            numbers[key] += 1
            record["model_id"] = f"DVK-{year}-{text.clean(record['unit_code'])}-{numbers[key]}"
            if not text.clean(record.get("status")):
                record["status"] = REGISTER_STATUS_ACTIVE
            changed = True
    return rows, changed


# --- merging accepted rows into the master ------------------------------------------------------

# merge(state, file, its typed rows as records (with _row), received time) -> findings
MergeFn = Callable[["MasterState", ReturnedFile, list[dict[str, Any]], datetime], list[Finding]]


@dataclass(frozen=True)
class FormHandler:
    """How accepted rows of one unit form go into the master."""

    form: Form
    merge: MergeFn
    deadline_steps: dict[str, str]  # period ("" when the form has none) -> TienDo step


def fingerprint(values: Iterable[Any]) -> str:
    """A short check of a row's data, to notice later whether staff edited it by hand."""
    parts = []
    for value in values:
        if isinstance(value, datetime):
            value = value.date()
        if isinstance(value, date):
            parts.append(value.isoformat())
        elif isinstance(value, float) and value.is_integer():
            parts.append(str(int(value)))
        else:
            parts.append(text.clean(value))
    return hashlib.sha1("\x1f".join(parts).encode()).hexdigest()[:10]


MODEL_KEYS = [c.key for c in PL01.columns if c.key != "stt"]


def _model_number(model_id: str) -> int:
    try:
        return int(str(model_id).rsplit("-", 1)[1])
    except (IndexError, ValueError):
        return 0


def merge_registrations(state: MasterState, file: ReturnedFile, rows: list[dict[str, Any]],
                        received: datetime) -> list[Finding]:
    """Replace a unit's models by those of its latest file, keeping IDs and hand corrections."""
    unit = file.unit_code or ""
    unit_name = state.campaign.units[text.fold(unit)][1]
    mine = state.models.get(text.fold(unit), [])
    by_name = {text.fold(r["name"]): i for i, r in enumerate(mine)}
    by_similar = {text.similarity_key(r["name"]): i for i, r in enumerate(mine)}
    next_number = max([_model_number(r["model_id"]) for r in mine] + [0]) + 1
    findings: list[Finding] = []
    kept: list[dict[str, Any]] = []
    used: set[Any] = set()
    for record in rows:
        match = by_name.get(text.fold(record["name"]))
        if match is None or match in used:
            match = by_similar.get(text.similarity_key(record["name"]))
        if match is not None and match in used:
            match = None
        values = {k: record.get(k) for k in MODEL_KEYS}
        if match is not None and mine[match].get("_hand"):
            used.add(match)
            kept.append(_take_hand_row(mine[match], values, file, record, received, findings))
            continue
        if match is not None:
            used.add(match)
            old = mine[match]
            stored_check = text.clean(old.get("row_check"))
            if stored_check and stored_check != fingerprint(old.get(k) for k in MODEL_KEYS):
                findings.append(Finding(
                    "manual-edit-kept", "warning",
                    f"mô hình {old['model_id']} đã được sửa tay trong sổ tổng hợp nên công cụ giữ bản sửa tay, "
                    f"không ghi đè bằng dòng {int(record['_row'])} của tệp; {ACCEPT_UNIT_VERSION}",
                    file.name, REGISTER.sheet, None))
                kept.append(old)
                continue
            model_id, position = old["model_id"], old["_position"]
        else:
            model_id = f"DVK-{state.campaign.year}-{unit}-{next_number}"
            next_number += 1
            position = state.new_position()
        kept.append({**values, "model_id": model_id, "unit_code": unit, "unit_name": unit_name,
                     "status": REGISTER_STATUS_ACTIVE, "source_file": file.name, "source_row": int(record["_row"]),
                     "received_at": received.date(), "row_check": fingerprint(values[k] for k in MODEL_KEYS),
                     "_position": position})
    for index in sorted(set(range(len(mine))) - used):
        old = mine[index]
        if old.get("_hand"):
            pass  # a model staff typed in themselves: the unit's file does not withdraw it
        elif text.clean(old.get("status")) != REGISTER_STATUS_WITHDRAWN:
            old["status"] = REGISTER_STATUS_WITHDRAWN
            findings.append(Finding("model-withdrawn", "warning",
                                    f"mô hình {old['model_id']} “{old['name']}” không còn trong tệp mới: "
                                    "đã đánh dấu “Đã rút” trong sổ (dòng vẫn được giữ)",
                                    file.name, REGISTER.sheet, None))
        kept.append(old)
    state.models[text.fold(unit)] = kept
    return findings


ACCEPT_UNIT_VERSION = ("đối chiếu rồi xóa ô “Mã kiểm tra” của dòng đó và tổng hợp lại nếu muốn nhận bản của đơn vị "
                       "(tệp của đơn vị trong thư mục tiếp nhận được đọc lại)")


def _take_hand_row(hand: dict[str, Any], values: dict[str, Any], file: ReturnedFile, record: dict[str, Any],
                   received: datetime, findings: list[Finding]) -> dict[str, Any]:
    """A row staff typed in by hand that the unit's file now sends too: the hand row's values stay.

    It becomes the unit's registration (source file, row, date; ID kept), with the unit's version
    as its “Mã kiểm tra”: when the two differ this is ``manual-edit-kept`` now and on every run,
    until staff clear “Mã kiểm tra” to take the unit's version.
    """
    hand_check = fingerprint(hand.get(k) for k in MODEL_KEYS)
    unit_check = fingerprint(values[k] for k in MODEL_KEYS)
    if hand_check != unit_check:
        findings.append(Finding(
            "manual-edit-kept", "warning",
            f"mô hình {hand['model_id']} đã được nhập tay trong sổ tổng hợp và khác dòng {int(record['_row'])} "
            f"của tệp: công cụ giữ bản nhập tay; {ACCEPT_UNIT_VERSION}",
            file.name, REGISTER.sheet, None))
    return {**hand, "status": REGISTER_STATUS_ACTIVE, "source_file": file.name, "source_row": int(record["_row"]),
            "received_at": received.date(), "row_check": unit_check, "_hand": False}


HANDLERS: dict[str, FormHandler] = {PL01.id: FormHandler(PL01, merge_registrations, {"": "dang-ky"})}
# Phụ lục 03 results into KetQua (dvk_xl/results.py), each period against its own deadline.
HANDLERS[PL03.id] = FormHandler(PL03, merge_results, {Period.HALF_YEAR: "bao-cao-6-thang", Period.YEAR: "bao-cao-nam"})
FORM_CHECKS[PL03.id].append(check_results)


# --- the two actions -----------------------------------------------------------------------------


def check_files(master: str | Path | Workbook, paths: Iterable[str | Path], workers: int | None = None) -> IntakeReport:
    """``dvk validate``: check files against the master (a path, or the workbook open in Excel) without changing anything."""
    wb = open_master(master)
    state = load_state(wb)
    scan = filter_files([Path(p) for p in paths], wb.path, report_prefixes())
    files = read_all(scan.paths, workers)
    validate_files(files, state.campaign)
    report = IntakeReport(units_expected=_expected(state), master=wb.path, skipped=scan.skipped,
                          recorded_units=units_on_record(state.log.to_dict("records")))
    for file in files:
        status = IntakeStatus.REJECTED if file.has_errors else IntakeStatus.ACCEPTED
        report.files.append(FileOutcome(file.path, file.unit_code, status, len(file.rows), file.findings,
                                        file.sha256, file.submission, file.modified))
    return report


@locks_master  # read -> merge -> save under the master's lock: one run at a time
def consolidate(master: str | Path | Workbook, inbox: str | Path, feedback_dir: str | Path | None = None,
                workers: int | None = None, now: datetime | None = None) -> IntakeReport:
    """``dvk consolidate``: check every workbook in ``inbox`` and merge the accepted ones into the master.

    ``master`` is a path, or the workbook open in Excel (the ribbon's ``LiveWorkbook``).
    """
    inbox = Path(inbox)
    if not inbox.is_dir():
        raise DvkError(f"Không tìm thấy thư mục tiếp nhận {inbox}")
    wb = open_master(master)
    wb.check_writable()  # before anything is archived
    master = wb.path
    state = load_state(wb)
    report = IntakeReport(units_expected=_expected(state), master=master,
                          feedback_dir=Path(feedback_dir) if feedback_dir else None, inbox=inbox)
    scan = scan_inbox(inbox, master, report.feedback_dir, report_prefixes())
    report.skipped = scan.skipped
    new_paths, unchanged = split_unchanged(scan.paths, state)
    files = read_all(new_paths, workers)
    typed_rows = _rows_by_file(validate_files(files, state.campaign))
    archive = master.parent / ARCHIVE_DIR / "TepNhan"
    now = now or datetime.now()
    latest = _latest_accepted(files, state)
    log_rows = state.log.to_dict("records")
    outcomes = []
    for position, file in enumerate(files):
        received = file.modified or now
        if file.has_errors:
            status = IntakeStatus.REJECTED
        elif latest.get((file.submission, text.fold(file.unit_code or ""))) == position:
            status = IntakeStatus.ACCEPTED
            if not _merge_guarded(state, file, typed_rows.get(position, []), received):
                status = IntakeStatus.REJECTED
        else:
            status = IntakeStatus.SUPERSEDED
        stored = _archive(file, archive)
        outcome = FileOutcome(file.path, file.unit_code, status, len(file.rows), file.findings, file.sha256,
                              file.submission, received, stored)
        outcomes.append(outcome)
        log_rows.append(_log_row(outcome, state, master.parent))
    if any(o.status == IntakeStatus.ACCEPTED for o in outcomes):
        _mark_superseded(log_rows, outcomes)
    report.recorded_units = units_on_record(log_rows)  # the master after this run, not only this folder
    finish(report, state, files, unchanged, outcomes, log_rows, now,
           {REGISTER: state.register_frame(), SUBMISSIONS: submissions(state, log_rows)})
    return report


def units_on_record(log_rows: Iterable[dict[str, Any]]) -> list[str]:
    """Units whose registration form (Phụ lục 01) the intake log holds as accepted or superseded."""
    done = tuple(s.label for s in DELIVERED_STATUSES)
    label = submission_label(PL01.id, None)
    return sorted({text.clean(r["unit_code"]) for r in log_rows
                   if text.clean(r["unit_code"]) and text.clean(r["form"]) == label and text.clean(r["status"]) in done})


def _merge_guarded(state: MasterState, file: ReturnedFile, rows: list[dict[str, Any]], received: datetime) -> bool:
    """Merge one accepted file; an unexpected failure leaves the unit's register rows as they were and
    becomes the file's ``internal-error`` (the file is archived and logged as refused), the batch goes on."""
    import copy

    unit = text.fold(file.unit_code or "")
    before = copy.deepcopy(state.models.get(unit))
    try:
        file.findings.extend(HANDLERS[file.form_id].merge(state, file, rows, received))
        return True
    except Exception as exc:  # noqa: BLE001 - one file never stops the batch
        if before is None:
            state.models.pop(unit, None)
        else:
            state.models[unit] = before
        file.add_internal_error(exc)
        return False


def split_unchanged(paths: list[Path], state: MasterState) -> tuple[list[Path], list[FileOutcome]]:
    """Files to read, and byte-identical copies of files already logged (``unchanged``, not read again)."""
    seen = {text.clean(s): (text.clean(u), STATUS_FROM_VI.get(text.clean(st), IntakeStatus.ACCEPTED))
            for s, u, st in zip(state.log["sha256"], state.log["unit_code"], state.log["status"], strict=True)}
    awaiting = state.awaiting()  # staff cleared “Mã kiểm tra”: that unit's accepted file is applied again
    new_paths, unchanged = [], []
    for path in paths:
        digest = file_digest(path)[1] if seen else None  # a first intake has nothing to compare with
        if digest in seen and seen[digest][1] == IntakeStatus.ACCEPTED and text.fold(seen[digest][0]) in awaiting:
            new_paths.append(path)
        elif digest in seen:
            unit, previous = seen[digest]
            unchanged.append(FileOutcome(path, unit or None, IntakeStatus.UNCHANGED, 0, [], digest, previous_status=previous))
        else:
            new_paths.append(path)
    return new_paths, unchanged


def finish(report: IntakeReport, state: MasterState, files: list[ReturnedFile], unchanged: list[FileOutcome],
           outcomes: list[FileOutcome], log_rows: list[dict[str, Any]], now: datetime,
           tables: dict[Form, pd.DataFrame]) -> None:
    """Feedback for the units, then the changed tables and the log into the master, saved atomically."""
    import pandas as pd

    report.files = unchanged + outcomes
    if report.feedback_dir:
        from .feedback import write_feedback

        for outcome, file in zip(outcomes, files, strict=True):
            if file.findings:
                outcome.feedback = write_feedback(file, report.feedback_dir)
    if not outcomes and not state.changed:
        return
    master = report.master
    for form, frame in {**tables, INTAKE_LOG: pd.DataFrame(log_rows, columns=INTAKE_LOG.keys)}.items():
        state.wb.write_table(form.table, _with_headers(frame, form))
    previous = master.parent / ARCHIVE_DIR / "SoTongHop" / f"{master.stem}_{now:%Y%m%d-%H%M%S}{master.suffix}"
    state.wb.save(keep_previous=previous)
    report.master_changed, report.previous_version = True, previous


def _expected(state: MasterState) -> list[tuple[str, str]]:
    return list(zip(state.units["unit_code"], state.units["unit_name"], strict=True))


def _rows_by_file(typed: dict[str, pd.DataFrame]) -> dict[int, list[dict[str, Any]]]:
    """The typed rows of each file position, as records (one pass over all files' rows)."""
    by_file: dict[int, list[dict[str, Any]]] = {}
    for frame in typed.values():
        for record in frame.to_dict("records"):
            by_file.setdefault(int(record["_file"]), []).append(record)
    return by_file


def _latest_accepted(files: list[ReturnedFile], state: MasterState) -> dict[tuple[str | None, str], int]:
    """For each (form, unit): the position of its newest error-free file, if newer than what was applied."""
    applied: dict[tuple[str, str], datetime] = {}
    for unit, form, status, when in zip(state.log["unit_code"], state.log["form"], state.log["status"],
                                        state.log["received_at"], strict=True):
        if text.clean(status) == IntakeStatus.ACCEPTED.label and isinstance(when, datetime):
            key = (text.clean(form), text.fold(unit))
            applied[key] = max(applied.get(key, when), when)
    latest: dict[tuple[str | None, str], int] = {}
    for position, file in enumerate(files):
        if file.has_errors or not file.unit_code:
            continue
        key = (file.submission, text.fold(file.unit_code))
        when = file.modified or datetime.min
        if key in applied and when < applied[key]:
            continue
        if key not in latest or when >= (files[latest[key]].modified or datetime.min):
            latest[key] = position
    return latest


def _archive(file: ReturnedFile, folder: Path) -> str:
    if not file.sha256:
        return ""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{file.sha256}{file.path.suffix.lower()}"
    if not target.exists():
        temp = target.with_suffix(target.suffix + ".tmp")
        shutil.copyfile(file.path, temp)
        os.replace(temp, target)
    return str(target)


def _log_row(outcome: FileOutcome, state: MasterState, base: Path) -> dict[str, Any]:
    unit = state.campaign.units.get(text.fold(outcome.unit or ""))
    due = state.campaign.deadlines.get(outcome.form or "")
    on_time = ""
    if due and outcome.received_at:
        on_time = "Đúng hạn" if outcome.received_at.date() <= due else "Trễ hạn"
    archive = os.path.relpath(outcome.archive, base) if outcome.archive else ""
    return {
        "received_at": outcome.received_at.replace(microsecond=0) if outcome.received_at else None,
        "file": outcome.path.name, "unit_code": outcome.unit, "unit_name": unit[1] if unit else None,
        "form": outcome.form, "sha256": outcome.sha256, "status": IntakeStatus(outcome.status).label,
        "models": outcome.models, "errors": sum(1 for f in outcome.findings if f.is_error),
        "warnings": sum(1 for f in outcome.findings if not f.is_error), "on_time": on_time, "archive": archive,
    }


def _mark_superseded(log_rows: list[dict[str, Any]], outcomes: list[FileOutcome]) -> None:
    """Earlier accepted files of a unit that just sent a newer accepted one become “Bị thay thế”."""
    fresh = {(o.form, text.fold(o.unit or "")): o.sha256 for o in outcomes if o.status == IntakeStatus.ACCEPTED}
    for row in log_rows:
        key = (text.clean(row["form"]), text.fold(row["unit_code"] or ""))
        if key in fresh and row["status"] == IntakeStatus.ACCEPTED.label and row["sha256"] != fresh[key]:
            row["status"] = IntakeStatus.SUPERSEDED.label


def submissions(state: MasterState, log_rows: list[dict[str, Any]]) -> pd.DataFrame:
    """Expected versus received, per unit and form: who sent, who is late, who is missing."""
    import pandas as pd

    by_unit: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for row in log_rows:
        by_unit.setdefault((text.fold(row["unit_code"] or ""), text.clean(row["form"])), []).append(row)
    today = date.today()
    done = tuple(s.label for s in DELIVERED_STATUSES)
    rows = []
    received_forms = {form for _, form in by_unit}
    labels = [(handler, submission_label(form_id, period or None))
              for form_id, handler in HANDLERS.items() for period in handler.deadline_steps]
    for handler, label in labels:
        if handler.form is not PL01 and label not in received_forms:
            continue  # a later form (results) is expected only once its period has started
        due = state.campaign.deadlines.get(label)
        for code, name in _expected(state):
            mine = by_unit.get((text.fold(code), label), [])
            times = [r["received_at"] for r in mine if isinstance(r["received_at"], datetime)]
            accepted = [r["received_at"] for r in mine if r["status"] in done and isinstance(r["received_at"], datetime)]
            if accepted:
                state_text = "Đã nộp"
                on_time = ("Đúng hạn" if min(accepted).date() <= due else "Trễ hạn") if due else ""
            elif mine:
                state_text, on_time = "Bị từ chối", "Chưa đạt, cần gửi lại"
            elif handler.form is not PL01 and not _active_models(state, code):
                state_text, on_time = "Không có mô hình", ""  # nothing to report on: neither due nor late
            else:
                state_text = "Chưa nộp"
                on_time = "Quá hạn" if due and today > due else ""
            models = None
            if handler.form is PL01:
                models = _active_models(state, code)
            rows.append({"unit_code": code, "unit_name": name, "form": label, "state": state_text,
                         "files": len(mine), "last_received": max(times, default=None), "models": models,
                         "on_time": on_time})
    return pd.DataFrame(rows, columns=SUBMISSIONS.keys)


def _active_models(state: MasterState, unit_code: str) -> int:
    return sum(1 for r in state.models.get(text.fold(unit_code), [])
               if text.clean(r.get("status")) != REGISTER_STATUS_WITHDRAWN)


def _with_headers(frame: pd.DataFrame, form: Form) -> pd.DataFrame:
    """Keyed columns back to the table's Vietnamese headers, for the Workbook interface."""
    return frame[form.keys].rename(columns={c.key: c.header for c in form.columns})


__all__ = ["consolidate", "check_files", "IntakeReport", "FileOutcome", "HANDLERS", "FormHandler", "UNIT_FORMS"]
