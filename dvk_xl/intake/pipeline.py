"""The one intake pipeline: returned workbooks in, the master's tables and intake log out.

Unit forms (``dvk consolidate``: Phụ lục 01, Phụ lục 03) and reports of lower committees
(``dvk rollup``: Phụ lục 02/03 made by ``dvk report``) go the same way: find the files (inbox
skip rules), skip byte-identical ones already logged (a file whose rows staff cleared “Mã kiểm
tra” of is read again), read, check, choose the latest file per sender and submission (form and
period) unless an even newer one was already applied, merge under a guard (a failure is that
file's ``internal-error``), archive under the sha256, log, write feedback, save atomically with
the previous master kept. Nothing is lost: every received file is archived and logged.

What differs is a ``HandlerSet`` (built in ``handlers.py``): how files are read and their sender
recognised, how a batch is checked, and per form (``FormHandler``) the extra checks, the merge and
the deadline steps. One clock: ``now`` comes from the entry point and is used for received times
of files without a date, the log, the previous master's name and what is overdue.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..core import text
from ..core.errors import DvkError
from ..core.findings import Finding
from ..core.kinds import DELIVERED_STATUSES, IntakeStatus, RegisterStatus
from ..core.progress import STEP_CHECK, STEP_MERGE, STEP_SAVE, Progress, no_progress, reading_label
from ..master.book import open_master, read_form_table
from ..spec.forms import (
    INTAKE_LOG,
    PL01,
    SUBMISSIONS,
    Form,
    submission_label,
)
from ..workbook.api import Workbook
from .archive_copies import copy_to_archive
from .inbox import Skipped, filter_files, scan_inbox, skipped_line
from .reading import ReturnedFile, file_digest, read_returned
from .state import MasterState, load_state
from .validation import FormCheck

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


def read_all(paths: list[Path], workers: int | None = None, progress: Progress = no_progress) -> list[ReturnedFile]:
    """Read files, on every core when there are enough of them to pay for the processes.

    ``progress`` hears of each file as its result arrives, in order (1/n … n/n).
    """
    workers = workers if workers is not None else (os.cpu_count() or 1)
    if workers <= 1 or len(paths) < PARALLEL_FROM:
        return reporting(paths, map(read_returned, paths), progress)
    chunk = max(1, len(paths) // (workers * 8))
    pool_class = globals().get("ProcessPoolExecutor") or __getattr__("ProcessPoolExecutor")
    with pool_class(max_workers=workers) as pool:
        return reporting(paths, pool.map(read_returned, paths, chunksize=chunk), progress)


def __getattr__(name: str) -> Any:
    """``ProcessPoolExecutor`` on first use: multiprocessing is imported only by a batch large enough for a pool."""
    if name == "ProcessPoolExecutor":
        from concurrent.futures import ProcessPoolExecutor

        return ProcessPoolExecutor
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def reporting(paths: list[Path], results: Iterable[ReturnedFile], progress: Progress) -> list[ReturnedFile]:
    """Collect the files read from ``paths`` (in their order), telling ``progress`` of each one."""
    files = []
    for done, file in enumerate(results, start=1):
        files.append(file)
        progress(done, len(paths), reading_label(done, len(paths), paths[done - 1].name))
    return files


# merge(state, file, its typed rows as records (with _row), received time) -> findings
MergeFn = Callable[["MasterState", ReturnedFile, list[dict[str, Any]], datetime], list[Finding]]


@dataclass(frozen=True)
class FormHandler:
    """How one form is checked beyond the generic checks and how its accepted rows go into the master."""

    form: Form
    merge: MergeFn
    deadline_steps: dict[str, str | None]  # period ("" when the form has none) -> TienDo step (None: no deadline)
    checks: tuple[FormCheck, ...] = ()  # the form's own checks over the typed rows, after the generic ones


def units_on_record(log_rows: Iterable[dict[str, Any]], label: str = PL01.id) -> list[str]:
    """Senders whose list (``label``: Phụ lục 01 of units, 02 of committees) the log holds as accepted or superseded."""
    done = tuple(s.label for s in DELIVERED_STATUSES)
    return sorted({text.clean(r["unit_code"]) for r in log_rows
                   if text.clean(r["unit_code"]) and text.clean(r["form"]) == label and text.clean(r["status"]) in done})


def _merge_guarded(state: MasterState, handler: FormHandler, file: ReturnedFile, rows: list[dict[str, Any]],
                   received: datetime) -> bool:
    """Merge one accepted file; an unexpected failure leaves the sender's register rows (and any table a
    handler keeps in ``state.tables``) as they were and becomes the file's ``internal-error`` (the file
    is archived and logged as refused), the batch goes on."""
    import copy

    unit = text.fold(file.unit_code or "")
    before = copy.deepcopy(state.models.get(unit))
    register, tables = state.register, dict(state.tables)  # handlers replace these frames, never edit them
    try:
        file.findings.extend(handler.merge(state, file, rows, received))
        return True
    except Exception as exc:  # noqa: BLE001 - one file never stops the batch
        if before is None:
            state.models.pop(unit, None)
        else:
            state.models[unit] = before
        state.register, state.tables = register, tables
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
    target = _archive_target(file, folder)
    copy_to_archive(file.path, target)
    return str(target)


def _archive_target(file: ReturnedFile, folder: Path) -> Path:
    return folder / f"{file.sha256}{file.path.suffix.lower()}"


ARCHIVE_THREAD_FROM = 500  # from this many files the copies are made on a thread, as the files are read


def _copy_all(todo: list[tuple[Path, str]]) -> None:
    """Each (source, target) in turn: the first failure is raised, the rest of the list not copied."""
    for source, target in todo:
        copy_to_archive(source, target)


class _Archiver:
    """Every file read, copied into the archive under its sha256, as ``_archive`` copies it.

    The archive path is known from the sha256 once a file is read. A large batch is copied on one thread
    from its first chunk read on: the copies are system calls (an archive copy costs 0.3-1 ms of system
    time here, 3-8 s at 10,000 files), made while this process waits for the readers and merges, on a core
    the merge leaves idle. ``wait`` (before anything is written) raises the first failed copy, in the files'
    order, as ``_archive`` would have raised it: nothing is saved, no log names a missing copy. A small
    batch is copied here, once read. Copies are made in another process neither: forked from this one with
    the batch in memory, it costs a copy of every page the merge touches (+145 MB at 10,000 files).
    """

    def __init__(self, folder: Path, count: int) -> None:
        self.folder = folder
        self.paths: list[str] = []  # by file position, in the order the files were added
        self.targets: set[str] = set()  # each target copied once (the same bytes sent twice)
        self.copies: list[Any] = []  # futures, one per chunk of copies, in the files' order
        self.pool: Any = None
        if count >= ARCHIVE_THREAD_FROM:
            from concurrent.futures import ThreadPoolExecutor

            self.pool = ThreadPoolExecutor(max_workers=1)

    def add(self, files: list[ReturnedFile]) -> None:
        """Files just read, in their order: copied now (a small batch) or queued for the thread."""
        todo: list[tuple[Path, str]] = []
        for file in files:
            if self.pool is None or not file.sha256:
                self.paths.append(_archive(file, self.folder))
                continue
            target = str(_archive_target(file, self.folder))
            if target not in self.targets:
                self.targets.add(target)
                todo.append((file.path, target))
            self.paths.append(target)
        if todo:
            if not self.copies:
                self.folder.mkdir(parents=True, exist_ok=True)
            self.copies.append(self.pool.submit(_copy_all, todo))  # one task per chunk: 20 futures, not 10,000

    def add_rest(self, files: list[ReturnedFile]) -> None:
        """The files not added while they were read (a batch read at once, not in chunks)."""
        self.add(files[len(self.paths):])

    def wait(self) -> None:
        """Every copy made; the first failure raised (the copies after it are not made)."""
        if self.pool is None:
            return
        try:
            for copy in self.copies:
                copy.result()
        finally:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None


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


def submissions(state: MasterState, log_rows: list[dict[str, Any]], handlers: dict[str, FormHandler],
                now: datetime, list_form: str = PL01.id, models: dict[str, int] | None = None) -> pd.DataFrame:
    """Expected versus received, per sender and form: who sent, who is late, who is missing (late as of ``now``).

    ``list_form`` is the senders' list of models (expected from every sender; later forms only once
    someone sent one); ``models`` counts each sender's active models (folded code), by default from
    ``state.models``.
    """
    import pandas as pd

    def active(code: str) -> int:
        return models.get(text.fold(code), 0) if models is not None else _active_models(state, code)

    by_unit: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for row in log_rows:
        by_unit.setdefault((text.fold(row["unit_code"] or ""), text.clean(row["form"])), []).append(row)
    today = now.date()
    done = tuple(s.label for s in DELIVERED_STATUSES)
    rows = []
    received_forms = {form for _, form in by_unit}
    labels = [(form_id, submission_label(form_id, period or None))
              for form_id, handler in handlers.items() for period in handler.deadline_steps]
    for form_id, label in labels:
        if form_id != list_form and label not in received_forms:
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
            elif form_id != list_form and not active(code):
                state_text, on_time = "Không có mô hình", ""  # nothing to report on: neither due nor late
            else:
                state_text = "Chưa nộp"
                on_time = "Quá hạn" if due and today > due else ""
            count = active(code) if form_id == list_form else None
            rows.append({"unit_code": code, "unit_name": name, "form": label, "state": state_text,
                         "files": len(mine), "last_received": max(times, default=None), "models": count,
                         "on_time": on_time})
    return pd.DataFrame(rows, columns=SUBMISSIONS.keys)


def _active_models(state: MasterState, unit_code: str) -> int:
    return sum(1 for r in state.models.get(text.fold(unit_code), [])
               if text.clean(r.get("status")) != RegisterStatus.WITHDRAWN)


def _with_headers(frame: pd.DataFrame, form: Form) -> pd.DataFrame:
    """Keyed columns back to the table's Vietnamese headers, for the Workbook interface."""
    return frame[form.keys].rename(columns={c.key: c.header for c in form.columns})



# --- one kind of intake ------------------------------------------------------------------------

# read(paths, state, workers) -> the files, each with its sender recognised as far as reading can
ReadFn = Callable[[list[Path], MasterState, "int | None", Progress], list[ReturnedFile]]
# check(files, state, handlers) -> typed rows (records with _row) by file position; findings go on the files
CheckFn = Callable[[list[ReturnedFile], MasterState, "HandlerSet"], dict[int, list[dict[str, Any]]]]
# read_checked(paths, state, handlers, workers, progress, on_read=None) -> the files read and checked, and
# ``check``'s typed rows; on_read(files) hears of each chunk as soon as it is read
ReadCheckFn = Callable[..., tuple[list[ReturnedFile], dict[int, list[dict[str, Any]]]]]
# tables(state, log rows, handlers, now) -> the tables to write besides the log
TablesFn = Callable[[MasterState, list[dict[str, Any]], "HandlerSet", datetime], dict[Form, "pd.DataFrame"]]


@dataclass(frozen=True)
class HandlerSet:
    """Everything that differs between the unit forms' intake and the roll-up of reports."""

    name: str
    forms: dict[str, FormHandler]  # form id -> its handler
    read: ReadFn
    check: CheckFn
    own_files: Callable[[MasterState], Callable[[str], bool]]  # files this committee writes itself (inbox skips them)
    tables: TablesFn
    list_form: str = PL01.id  # the senders' list, whose accepted files count a sender as received
    merge_order: Callable[[ReturnedFile], int] = lambda file: 0  # lists before results
    tables_read: tuple[Form, ...] = ()  # tables the merges replace in ``state.tables``: read (and checked) first
    # read and check in chunks (an inbox larger than ``chunks.CHUNK_FILES``): the files and their typed rows
    read_checked: ReadCheckFn | None = None

    def deadline_steps(self) -> dict[str, dict[str, str | None]]:
        return {form_id: handler.deadline_steps for form_id, handler in self.forms.items()}


def check_batch(master: str | Path | Workbook, paths: Iterable[str | Path], handlers: HandlerSet,
                workers: int | None = None, progress: Progress = no_progress) -> IntakeReport:
    """Read and check files against the master without changing anything (``dvk validate``)."""
    wb = open_master(master)
    state = load_state(wb, handlers.deadline_steps())
    scan = filter_files([Path(p) for p in paths], wb.path, handlers.own_files(state))
    files, _ = _read_and_check(scan.paths, state, handlers, workers, progress)
    report = IntakeReport(units_expected=_expected(state), master=wb.path, skipped=scan.skipped,
                          recorded_units=units_on_record(state.log.to_dict("records"), handlers.list_form))
    for file in files:
        status = IntakeStatus.REJECTED if file.has_errors else IntakeStatus.ACCEPTED
        report.files.append(FileOutcome(file.path, file.unit_code, status, len(file.rows), file.findings,
                                        file.sha256, file.submission, file.modified))
    return report


def _read_and_check(paths: list[Path], state: MasterState, handlers: HandlerSet, workers: int | None,
                    progress: Progress, on_read: Callable[[list[ReturnedFile]], None] | None = None,
                    ) -> tuple[list[ReturnedFile], dict[int, list[dict[str, Any]]]]:
    """Read and check every file: all at once, or a large inbox in chunks (memory flat as it grows).
    ``on_read`` hears of each chunk of files as soon as it is read (in order; files read at once: not)."""
    from . import chunks

    if handlers.read_checked is not None and len(paths) > chunks.CHUNK_FILES:
        files, typed_rows = handlers.read_checked(paths, state, handlers, workers, progress, on_read=on_read)
        progress(len(files), len(files), STEP_CHECK)
        return files, typed_rows
    files = handlers.read(paths, state, workers, progress)
    progress(len(files), len(files), STEP_CHECK)
    return files, handlers.check(files, state, handlers)


def run_intake(master: str | Path | Workbook, inbox: str | Path, handlers: HandlerSet,
               feedback_dir: str | Path | None = None, workers: int | None = None,
               now: datetime | None = None, progress: Progress = no_progress) -> IntakeReport:
    """Check every workbook in ``inbox`` and merge the accepted ones into the master (callers hold the lock).

    ``progress`` hears of each file read, then of the check, merge and save steps.
    """
    now = now or datetime.now()  # entry points pass their clock; this is only for direct callers
    inbox = Path(inbox)
    if not inbox.is_dir():
        raise DvkError(f"Không tìm thấy thư mục tiếp nhận {inbox}")
    wb = open_master(master)
    wb.check_writable()  # before anything is archived
    master = wb.path
    state = load_state(wb, handlers.deadline_steps())
    for form in handlers.tables_read:  # a missing or broken table stops the run before anything is archived
        state.tables[form] = read_form_table(wb, form)
    report = IntakeReport(units_expected=_expected(state), master=master,
                          feedback_dir=Path(feedback_dir) if feedback_dir else None, inbox=inbox)
    scan = scan_inbox(inbox, master, report.feedback_dir, handlers.own_files(state))
    report.skipped = scan.skipped
    new_paths, unchanged = split_unchanged(scan.paths, state)
    archived = _Archiver(master.parent / ARCHIVE_DIR / "TepNhan", len(new_paths))  # copies made by the save
    files, typed_rows = _read_and_check(new_paths, state, handlers, workers, progress, archived.add)
    archived.add_rest(files)
    latest = _latest_accepted(files, state)
    log_rows = state.log.to_dict("records")
    outcomes: dict[int, FileOutcome] = {}
    progress(len(files), len(files), STEP_MERGE)
    for position in sorted(range(len(files)), key=lambda i: handlers.merge_order(files[i])):
        file = files[position]
        received = file.modified or now
        handler = handlers.forms.get(file.form_id or "")
        if file.has_errors or handler is None:
            status = IntakeStatus.REJECTED
        elif latest.get((file.submission, text.fold(file.unit_code or ""))) == position:
            status = IntakeStatus.ACCEPTED
            if not _merge_guarded(state, handler, file, typed_rows.get(position, []), received):
                status = IntakeStatus.REJECTED
        else:
            status = IntakeStatus.SUPERSEDED  # an older file of this submission, or older than the one already applied
        outcomes[position] = FileOutcome(file.path, file.unit_code, status, len(file.rows), file.findings,
                                         file.sha256, file.submission, received, archived.paths[position])
    del typed_rows  # merged: every row's record (50,000 at city scale) is freed before the master is written
    ordered = [outcomes[p] for p in range(len(files))]
    log_rows.extend(_log_row(outcome, state, master.parent) for outcome in ordered)
    if any(o.status == IntakeStatus.ACCEPTED for o in ordered):
        _mark_superseded(log_rows, ordered)
    report.recorded_units = units_on_record(log_rows, handlers.list_form)  # the master after this run
    progress(len(files), len(files), STEP_SAVE)
    tables = handlers.tables(state, log_rows, handlers, now)
    archived.wait()
    finish(report, state, files, unchanged, ordered, log_rows, now, tables)
    return report


def read_unit_forms(paths: list[Path], state: MasterState, workers: int | None,
                    progress: Progress = no_progress) -> list[ReturnedFile]:
    """Unit forms are recognised from their metadata while reading (unit code checked with the rows)."""
    return read_all(paths, workers, progress)
