"""Roll-up one level up: a higher committee consolidates the Phụ lục 02/03 workbooks that its
subordinate committees produced with ``dvk report``.

A subordinate committee is a row of the higher committee's ``DonVi``; its report names it in the
hidden metadata (committee code, or its name) and carries one row per model in the hidden data
sheet. The same intake path as the units' forms applies: file checks, feedback, archive under the
sha256, the ``TiepNhan`` log, an atomic save with the previous master kept. Models keep their IDs
from below; an ID already held by another committee is refused rather than silently merged.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from . import text
from .consolidation import (
    ARCHIVE_DIR,
    MODEL_KEYS,
    FileOutcome,
    IntakeReport,
    MasterState,
    _archive,
    _expected,
    _log_row,
    _mark_superseded,
    fingerprint,
    finish,
    load_state,
    split_unchanged,
)
from .dates import parse_date
from .errors import DateError, DvkError
from .findings import Finding
from .forms import (
    PERIODS,
    REGISTER,
    REGISTER_STATUS_ACTIVE,
    REGISTER_STATUS_WITHDRAWN,
    REPORT_FORMS,
    REPORT_PL02,
    REPORT_PL03,
    RESULTS,
    Form,
)
from .inbox import own_reports, scan_inbox
from .master import load_settings, open_master, read_form_table
from .reading import ReturnedFile, read_returned
from .validation import check_file_level
from .workbook import ensure_not_locked


def typed(form: Form, values: dict[str, Any]) -> dict[str, Any]:
    """Cell values of a data row as the master stores them (dates as dates, whole numbers as int)."""
    out = {}
    for column in form.columns:
        value = values.get(column.key)
        if column.type == "date":
            try:
                value = parse_date(value)
            except DateError:
                value = None
        elif column.type in ("int", "number") and value not in (None, ""):
            try:
                number = float(value)
                value = int(number) if column.type == "int" or number.is_integer() else number
            except (TypeError, ValueError):
                value = None
        elif isinstance(value, str):
            value = text.clean(value) or None
        out[column.key] = value
    return out


def recognise_committee(file: ReturnedFile, state: MasterState) -> None:
    """The sending committee by its code or, failing that, its name in ``DonVi``."""
    units = state.campaign.units
    if file.unit_code and text.fold(file.unit_code) in units:
        return
    name = text.fold(file.meta.get("unit_name"))
    match = [code for code, unit_name in units.values() if text.fold(unit_name) == name]
    if match:
        file.unit_code = match[0]


def check_report(file: ReturnedFile, state: MasterState, register: dict[str, str]) -> None:
    """What only a report from below can get wrong. ``register`` maps folded model ID -> folded committee."""
    form_id = text.clean(file.meta.get("form_id")).upper()
    if not file.sheet or form_id not in REPORT_FORMS:
        if not any(f.code.startswith("file-") for f in file.findings):
            what = (f"mẫu {form_id} của đơn vị (đưa vào “dvk consolidate”)" if form_id
                    else "tệp không có dữ liệu ẩn của báo cáo")
            file.findings[:] = [Finding("template-unknown", "error", f"không phải báo cáo Phụ lục 02/03 của cấp ủy "
                                        f"cấp dưới lập bằng “dvk report”: {what}; đề nghị gửi đúng tệp báo cáo",
                                        file.name, None, None)]
            file.sheet = None
        return
    check_file_level(file, state.campaign)
    if file.form_id == REPORT_PL03.id and text.clean(file.meta.get("period")) not in PERIODS:
        file.add("period-unknown", "báo cáo không ghi kỳ (6 tháng hay năm) trong dữ liệu ẩn; lập lại bằng dvk report")
    declared = file.meta.get("models")
    try:
        declared = int(float(declared))
    except (TypeError, ValueError):
        declared = None
    if declared is not None and declared != len(file.rows):
        file.add("report-modified", f"dữ liệu ẩn có {len(file.rows)} mô hình nhưng báo cáo ghi {declared}; "
                 "tệp đã bị sửa sau khi lập, đề nghị lập lại bằng dvk report")
    committee = text.fold(file.unit_code or "")
    seen: dict[str, int] = {}
    for row in file.rows:
        model_id = text.clean(row.values.get("model_id"))
        cell = file.cell("model_id", row.row)
        if not model_id:
            file.add("value-required", "dòng dữ liệu không có mã mô hình", cell=cell)
            continue
        owner = register.get(text.fold(model_id))
        if file.form_id == REPORT_PL02.id and owner and owner != committee:
            file.add("model-id-conflict", f"mã mô hình {model_id} đã thuộc cấp ủy “{owner.upper()}” trong sổ; hai cấp "
                     "ủy dùng trùng mã (nên đặt “Mã cấp ủy” trong Cấu hình của cấp dưới để mã khác nhau)", cell=cell)
        if file.form_id == REPORT_PL03.id and owner != committee:
            file.add("model-unknown", f"mô hình {model_id} chưa có trong danh sách đăng ký của cấp ủy này; "
                     "gửi Phụ lục 02 mới trước rồi gửi lại báo cáo kết quả", cell=cell)
        if text.fold(model_id) in seen:
            file.add("duplicate-model", f"mã mô hình {model_id} lặp lại (dòng {seen[text.fold(model_id)]})", cell=cell)
        seen.setdefault(text.fold(model_id), row.row)
    if not file.rows and not file.has_errors:
        file.add("form-empty", "báo cáo không có mô hình nào; cấp dưới cần tổng hợp đăng ký trước khi gửi",
                 severity="warning")


def merge_register(state: MasterState, file: ReturnedFile, received: datetime) -> list[Finding]:
    """The committee's models replace its earlier ones; gone models are kept, marked withdrawn."""
    import pandas as pd

    register = state.register
    code = file.unit_code or ""
    name = state.campaign.units[text.fold(code)][1]
    mine = register[register["unit_code"].map(text.fold) == text.fold(code)]
    old_by_id = {text.fold(m): i for i, m in zip(mine.index, mine["model_id"], strict=True)}
    findings: list[Finding] = []
    kept, used = [], set()
    for row in file.rows:
        values = typed(REPORT_PL02, row.values)
        index = old_by_id.get(text.fold(values["model_id"]))
        if index is not None:
            used.add(index)
            old = mine.loc[index].to_dict()
            check = text.clean(old.get("row_check"))
            if check and check != fingerprint(old.get(k) for k in MODEL_KEYS):
                findings.append(Finding("manual-edit-kept", "warning",
                                        f"mô hình {old['model_id']} đã được sửa tay trong sổ nên giữ bản sửa tay; xóa ô "
                                        "“Mã kiểm tra” của dòng đó nếu muốn nhận bản của cấp dưới",
                                        file.name, REGISTER.sheet, None))
                kept.append(old)
                continue
        kept.append({**{k: values.get(k) for k in MODEL_KEYS}, "model_id": values["model_id"], "unit_code": code,
                     "unit_name": name, "status": REGISTER_STATUS_ACTIVE, "source_file": file.name,
                     "source_row": row.row, "received_at": received.date(),
                     "row_check": fingerprint(values.get(k) for k in MODEL_KEYS)})
    for index in mine.index.difference(list(used)):
        old = mine.loc[index].to_dict()
        if text.clean(old.get("status")) != REGISTER_STATUS_WITHDRAWN:
            old["status"] = REGISTER_STATUS_WITHDRAWN
            findings.append(Finding("model-withdrawn", "warning", f"mô hình {old['model_id']} không còn trong danh sách "
                                    "mới của cấp dưới: đã đánh dấu “Đã rút” (dòng vẫn được giữ)",
                                    file.name, REGISTER.sheet, None))
        kept.append(old)
    others = register.drop(mine.index)
    state.register = pd.concat([others, pd.DataFrame(kept, columns=REGISTER.keys)], ignore_index=True)
    return findings


def merge_results(results: Any, state: MasterState, file: ReturnedFile, received: datetime) -> Any:
    """The committee's rows of the report's period replace its earlier ones in ``KetQua``."""
    import pandas as pd

    code = file.unit_code or ""
    name = state.campaign.units[text.fold(code)][1]
    label = PERIODS[text.clean(file.meta.get("period"))]
    mine = (results["period"].map(text.fold) == text.fold(label)) & (results["unit_code"].map(text.fold) == text.fold(code))
    new = [{**typed(REPORT_PL03, row.values), "period": label, "unit_code": code, "unit_name": name,
            "source_file": file.name, "source_row": row.row, "received_at": received.date()} for row in file.rows]
    return pd.concat([results[~mine], pd.DataFrame(new, columns=RESULTS.keys)], ignore_index=True)


def _key(file: ReturnedFile) -> tuple[str | None, str, str]:
    return (file.form_id, text.clean(file.meta.get("period")), text.fold(file.unit_code or ""))


def rollup(master: str | Path, inbox: str | Path, feedback_dir: str | Path | None = None,
           now: datetime | None = None) -> IntakeReport:
    """``dvk rollup``: check the subordinate committees' reports in ``inbox`` and merge the accepted ones."""
    master, inbox = Path(master), Path(inbox)
    if not inbox.is_dir():
        raise DvkError(f"Không tìm thấy thư mục tiếp nhận {inbox}")
    ensure_not_locked(master)
    wb = open_master(master)
    state = load_state(wb)
    report = IntakeReport(units_expected=_expected(state), master=master,
                          feedback_dir=Path(feedback_dir) if feedback_dir else None, inbox=inbox)
    scan = scan_inbox(inbox, master, report.feedback_dir, own_reports(state.campaign.year, load_settings(wb).committee))
    report.skipped = scan.skipped
    new_paths, unchanged = split_unchanged(scan.paths, state)
    files = []
    for path in new_paths:
        file = read_returned(path, forms=REPORT_FORMS)
        recognise_committee(file, state)
        files.append(file)
    owners = {text.fold(m): text.fold(u) for m, u, s in zip(state.register["model_id"], state.register["unit_code"],
                                                            state.register["status"], strict=True)
              if text.clean(m) and text.clean(s) != REGISTER_STATUS_WITHDRAWN}
    lists = [f for f in files if f.form_id != REPORT_PL03.id]
    for file in lists:
        check_report(file, state, owners)
    for file in lists:  # a list in this batch registers its models before the results are checked
        if not file.has_errors and file.unit_code:
            committee = text.fold(file.unit_code)
            owners = {m: u for m, u in owners.items() if u != committee}
            owners.update({text.fold(r.values.get("model_id")): committee for r in file.rows})
    for file in files:
        if file.form_id == REPORT_PL03.id:
            check_report(file, state, owners)
    latest: dict[tuple, int] = {}
    for position, file in enumerate(files):
        if not file.has_errors and file.unit_code:
            key = _key(file)
            if key not in latest or (file.modified or datetime.min) >= (files[latest[key]].modified or datetime.min):
                latest[key] = position
    now = now or datetime.now()
    results = read_form_table(wb, RESULTS)
    archive = master.parent / ARCHIVE_DIR / "TepNhan"
    log_rows = state.log.to_dict("records")
    outcomes = []
    merged = {}
    for position in sorted(range(len(files)), key=lambda i: files[i].form_id == REPORT_PL03.id):
        file = files[position]
        received = file.modified or now
        if file.has_errors:
            status = "rejected"
        elif latest.get(_key(file)) == position:
            status = "accepted"
            if file.form_id == REPORT_PL02.id:
                file.findings.extend(merge_register(state, file, received))
            else:
                results = merge_results(results, state, file, received)
        else:
            status = "superseded"
        merged[position] = FileOutcome(file.path, file.unit_code, status, len(file.rows), file.findings, file.sha256,
                                       file.form_id, received, _archive(file, archive))
    for position in range(len(files)):
        outcomes.append(merged[position])
        log_rows.append(_log_row(merged[position], state, master.parent))
    _mark_superseded(log_rows, [o for o in outcomes if o.form == REPORT_PL02.id])
    finish(report, state, files, unchanged, outcomes, log_rows, now,
           {REGISTER: state.register, RESULTS: results})
    return report


__all__ = ["rollup", "check_report", "merge_register", "merge_results"]
