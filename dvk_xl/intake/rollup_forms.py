"""Reports of lower committees through the intake (``dvk rollup``): reading and recognising the
sending committee, the checks only a report can fail, and the merges into ``DangKy`` and ``KetQua``.

How model IDs are namespaced at roll-up, and why, is told in ``rollup.py``; the handlers here are
registered in ``handlers.py`` and run by the one intake pipeline (``pipeline.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from ..core import text
from ..core.dates import parse_date
from ..core.errors import DateError
from ..core.findings import Finding
from ..core.kinds import Period, RegisterStatus
from ..core.numbers_vi import Reading, problem_message, read_amount, read_count
from ..core.progress import Progress, no_progress, reading_label
from ..spec.forms import (
    REGISTER,
    REPORT_FORMS,
    REPORT_PL02,
    REPORT_PL03,
    RESULTS,
    Column,
    Form,
)
from .reading import ReturnedFile, read_returned
from .state import MODEL_KEYS, MasterState, model_check
from .validation import check_file_level, label


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
        elif column.type in ("int", "number"):
            value = _reading(column, value).value  # unreadable only if check_numbers was skipped
        elif isinstance(value, str):
            value = text.clean(value) or None
        out[column.key] = value
    return out


ID_SEPARATOR = "/"


def namespaced_id(sender_code: str, sender_id: str) -> str:
    """The ID a model from a subordinate committee gets in this register (see the module docstring)."""
    return f"{sender_code}{ID_SEPARATOR}{sender_id}"


def sender_id_of(record: dict[str, Any]) -> str:
    """The ID the sending committee has for a register row; a row rolled up before namespacing kept it as its ID."""
    return text.clean(record.get("source_id")) or text.clean(record.get("model_id"))


def origin_of(record: dict[str, Any], committee: Any) -> str:
    """Where a model was first registered: carried from below, or "<ID> (<committee>)" where it was issued."""
    return text.clean(record.get("origin")) or f"{text.clean(record.get('model_id'))} ({text.clean(committee)})"


@dataclass
class Claims:
    """Who holds what in the register, by folded sender code: what roll-up checks against."""

    origins: dict[str, tuple[str, str]] = field(default_factory=dict)  # folded origin -> (sender, model ID), active
    ids: dict[str, str] = field(default_factory=dict)  # folded model ID -> sender, every row (IDs never reused)
    mine: dict[tuple[str, str], str] = field(default_factory=dict)  # (sender, folded sender's ID) -> model ID
    active: set[tuple[str, str]] = field(default_factory=set)  # (sender, folded sender's ID) not withdrawn

    @classmethod
    def of(cls, register: Any) -> Claims:
        claims = cls()
        for record in register.to_dict("records"):
            model_id, sender = text.clean(record.get("model_id")), text.fold(record.get("unit_code"))
            if not model_id:
                continue
            key = (sender, text.fold(sender_id_of(record)))
            claims.ids[text.fold(model_id)] = sender
            claims.mine.setdefault(key, model_id)
            if text.clean(record.get("status")) != RegisterStatus.WITHDRAWN:
                claims.active.add(key)
                claims.origins[text.fold(origin_of(record, record.get("unit_name")))] = (sender, model_id)
        return claims

    def register_list(self, file: ReturnedFile) -> None:
        """A list accepted in this batch replaces its sender's models before results are checked."""
        sender = text.fold(file.unit_code)
        self.active = {k for k in self.active if k[0] != sender}
        self.active.update((sender, text.fold(r.values.get("model_id"))) for r in file.rows)


def _reading(column: Column, value: Any) -> Reading:
    return read_count(value) if column.type == "int" else read_amount(value)


def check_numbers(file: ReturnedFile, form: Form) -> None:
    """Every number of the report is read as the master will store it; a bad one is a finding at its cell."""
    numeric = [c for c in form.columns if c.type in ("int", "number")]
    for row in file.rows:
        for column in numeric:
            reading = _reading(column, row.values.get(column.key))
            if not reading.ok:
                code, message = problem_message(reading, label(column))
                file.add(code, message, cell=file.cell(column.key, row.row))


def recognise_committee(file: ReturnedFile, state: MasterState) -> None:
    """The sending committee by its code or, failing that, its name in ``DonVi``."""
    units = state.campaign.units
    name = text.fold(file.meta.get("unit_name"))
    match = [code for code, unit_name in units.values() if text.fold(unit_name) == name]
    if file.unit_code and text.fold(file.unit_code) in units:
        # The code wins, but not against the name of another committee of this list: its models would be
        # filed, and namespaced, under the wrong committee.
        code = units[text.fold(file.unit_code)][0]
        is_report = text.clean(file.meta.get("form_id")).upper() in REPORT_FORMS
        if is_report and match and text.fold(code) not in map(text.fold, match):
            file.add("committee-mismatch", f"báo cáo ghi “Mã cấp ủy” là “{code}” nhưng tên “{file.meta.get('unit_name')}” "
                     f"là của cấp ủy mã “{match[0]}” trong sheet “Đơn vị”; cấp dưới sửa “Mã cấp ủy” trong sheet “Cấu hình” "
                     "cho đúng mã cấp trên đặt (hoặc để trống) rồi lập lại báo cáo")
        return
    if match:
        file.unit_code = match[0]


def check_report(file: ReturnedFile, state: MasterState, claims: Claims) -> None:
    """What only a report from below can get wrong, against what the register already holds."""
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
    if file.form_id == REPORT_PL03.id and text.clean(file.meta.get("period")) not in Period.labels():
        file.add("period-unknown", "báo cáo không ghi kỳ (6 tháng hay năm) trong dữ liệu ẩn; lập lại bằng dvk report")
    declared = read_count(file.meta.get("models")).value
    if declared is not None and declared != len(file.rows):
        file.add("report-modified", f"dữ liệu ẩn có {len(file.rows)} mô hình nhưng báo cáo ghi {declared}; "
                 "tệp đã bị sửa sau khi lập, đề nghị lập lại bằng dvk report")
    committee = text.fold(file.unit_code or "")
    code = state.campaign.units.get(committee, (file.unit_code or "",))[0]
    seen: dict[str, int] = {}
    for row in file.rows:
        model_id = text.clean(row.values.get("model_id"))
        cell = file.cell("model_id", row.row)
        if not model_id:
            file.add("value-required", "dòng dữ liệu không có mã mô hình", cell=cell)
            continue
        if file.form_id == REPORT_PL02.id:
            origin = origin_of(row.values, file.meta.get("unit_name"))
            owner, held_as = claims.origins.get(text.fold(origin), (committee, ""))
            if owner != committee:
                file.add("model-id-conflict", f"mô hình {model_id}, mã gốc {origin}, đã có trong sổ với mã {held_as} "
                         f"do cấp ủy “{_code(state, owner)}” gửi; một mô hình chỉ được báo cáo qua một cấp ủy: đề nghị "
                         "kiểm tra tệp này có đúng của cấp ủy gửi không, hoặc để cấp ủy kia rút mô hình trước", cell=cell)
            new_id = claims.mine.get((committee, text.fold(model_id))) or namespaced_id(code, model_id)
            holder = claims.ids.get(text.fold(new_id), committee)
            if holder != committee:
                file.add("model-id-conflict", f"mã {new_id} của mô hình {model_id} đã là mã một mô hình của cấp ủy "
                         f"“{_code(state, holder)}” trong sổ và mã đã cấp không được đổi; đổi mã “{code}” của cấp ủy gửi "
                         "tệp này trong sheet “Đơn vị” (khi cấp ủy này chưa có mô hình trong sổ; tránh dấu “/” trong "
                         "mã) rồi tổng hợp lại", cell=cell)
        if file.form_id == REPORT_PL03.id and (committee, text.fold(model_id)) not in claims.active:
            file.add("model-unknown", f"mô hình {model_id} chưa có trong danh sách đăng ký của cấp ủy này; "
                     "gửi Phụ lục 02 mới trước rồi gửi lại báo cáo kết quả", cell=cell)
        if text.fold(model_id) in seen:
            file.add("duplicate-model", f"mã mô hình {model_id} lặp lại (dòng {seen[text.fold(model_id)]})", cell=cell)
        seen.setdefault(text.fold(model_id), row.row)
    if file.form_id in REPORT_FORMS:
        check_numbers(file, REPORT_FORMS[file.form_id])
    if not file.rows and not file.has_errors:
        file.add("report-empty", "báo cáo không có mô hình nào; cấp dưới cần tổng hợp đăng ký trước khi gửi",
                 severity="warning")


def _code(state: MasterState, folded: str) -> str:
    return state.campaign.units.get(folded, (folded.upper(),))[0]


def claimed_twice(lists: list[ReturnedFile]) -> None:
    """The same model (same origin) in the lists of two senders of one batch: both are refused."""
    senders: dict[str, dict[str, str]] = {}  # folded origin -> folded sender code -> its code
    for file in lists:
        if not file.has_errors and file.unit_code:
            for row in file.rows:
                origin = text.fold(origin_of(row.values, file.meta.get("unit_name")))
                senders.setdefault(origin, {})[text.fold(file.unit_code)] = file.unit_code
    for file in lists:
        if file.has_errors or not file.unit_code:
            continue
        for row in file.rows:
            origin = origin_of(row.values, file.meta.get("unit_name"))
            claimants = senders.get(text.fold(origin), {})
            others = sorted(c for k, c in claimants.items() if k != text.fold(file.unit_code))
            if others:
                file.add("model-id-conflict", f"mô hình {text.clean(row.values.get('model_id'))}, mã gốc {origin}, "
                         f"cũng có trong báo cáo của cấp ủy “{others[0]}” gửi cùng đợt; một mô hình chỉ được "
                         "báo cáo qua một cấp ủy: đề nghị xác định cấp ủy nào báo cáo mô hình này",
                         cell=file.cell("model_id", row.row))


def merge_register(state: MasterState, file: ReturnedFile, received: datetime) -> list[Finding]:
    """The committee's models replace its earlier ones; gone models are kept, marked withdrawn.

    A model keeps the ID it already has here; a new one gets ``<sender's code>/<sender's ID>``.
    """
    import pandas as pd

    register = state.register
    code = file.unit_code or ""
    name = state.campaign.units[text.fold(code)][1]
    mine = register[register["unit_code"].map(text.fold) == text.fold(code)]
    old_by_id = {text.fold(sender_id_of(r)): i for i, r in zip(mine.index, mine.to_dict("records"), strict=True)}
    findings: list[Finding] = []
    kept, used = [], set()
    for row in file.rows:
        values = typed(REPORT_PL02, row.values)
        sender_id = values["model_id"]
        values.update(model_id=namespaced_id(code, sender_id), source_id=sender_id,
                      origin=origin_of(row.values, file.meta.get("unit_name")))
        index = old_by_id.get(text.fold(sender_id))
        if index is not None:
            values["model_id"] = mine.loc[index, "model_id"]  # an ID once issued never changes
            used.add(index)
            old = mine.loc[index].to_dict()
            check = text.clean(old.get("row_check"))
            if check and check != model_check(old):
                findings.append(Finding("manual-edit-kept", "warning",
                                        f"mô hình {old['model_id']} đã được sửa tay trong sổ nên giữ bản sửa tay; xóa ô "
                                        "“Mã kiểm tra” của dòng đó nếu muốn nhận bản của cấp dưới",
                                        file.name, REGISTER.sheet, None))
                kept.append(old)
                continue
        kept.append({**{k: values.get(k) for k in MODEL_KEYS}, "model_id": values["model_id"], "unit_code": code,
                     "unit_name": name, "status": RegisterStatus.ACTIVE, "source_file": file.name,
                     "source_row": row.row, "received_at": received.date(),
                     "row_check": model_check(values),
                     "source_id": values["source_id"], "origin": values["origin"]})
    for index in mine.index.difference(list(used)):
        old = mine.loc[index].to_dict()
        if text.clean(old.get("status")) != RegisterStatus.WITHDRAWN:
            old["status"] = RegisterStatus.WITHDRAWN
            findings.append(Finding("model-withdrawn", "warning", f"mô hình {old['model_id']} không còn trong danh sách "
                                    "mới của cấp dưới: đã đánh dấu “Đã rút” (dòng vẫn được giữ)",
                                    file.name, REGISTER.sheet, None))
        kept.append(old)
    others = register.drop(mine.index)
    state.register = pd.concat([others, pd.DataFrame(kept, columns=REGISTER.keys)], ignore_index=True)
    return findings


def merge_results(results: Any, state: MasterState, file: ReturnedFile, received: datetime) -> Any:
    """The committee's rows of the report's period replace its earlier ones in ``KetQua``.

    The report carries the sender's IDs; each row goes on the model's ID in this register.
    """
    import pandas as pd

    code = file.unit_code or ""
    name = state.campaign.units[text.fold(code)][1]
    label = Period.labels()[text.clean(file.meta.get("period"))]
    claims = Claims.of(state.register)
    mine = (results["period"].map(text.fold) == text.fold(label)) & (results["unit_code"].map(text.fold) == text.fold(code))
    new = []
    for row in file.rows:
        values = typed(REPORT_PL03, row.values)
        sender_id = text.clean(values.get("model_id"))
        model_id = claims.mine.get((text.fold(code), text.fold(sender_id))) or namespaced_id(code, sender_id)
        new.append({**values, "model_id": model_id, "period": label, "unit_code": code, "unit_name": name,
                    "source_file": file.name, "source_row": row.row, "received_at": received.date()})
    return pd.concat([results[~mine], pd.DataFrame(new, columns=RESULTS.keys)], ignore_index=True)



# --- the roll-up's handlers for the intake pipeline ----------------------------------------------


def read_reports(paths: list[Path], state: MasterState, workers: int | None = None,
                 progress: Progress = no_progress) -> list[ReturnedFile]:
    """Each report read as Phụ lục 02/03 and its sender recognised among the committees in ``DonVi``."""
    files = []
    for done, path in enumerate(paths, start=1):
        file = read_returned(path, forms=REPORT_FORMS)
        recognise_committee(file, state)
        files.append(file)
        progress(done, len(paths), reading_label(done, len(paths), path.name))
    return files


def check_reports(files: list[ReturnedFile], state: MasterState, handlers: Any) -> dict[int, list[dict[str, Any]]]:
    """Lists first (a list accepted in this batch registers its models), then results against them.

    Reports carry their rows on the file: nothing typed to hand on (the merges type them).
    """
    claims = Claims.of(state.register)
    lists = [f for f in files if f.form_id != REPORT_PL03.id]
    for file in lists:
        check_report(file, state, claims)
    claimed_twice([f for f in lists if f.form_id == REPORT_PL02.id])
    for file in lists:  # a list in this batch registers its models before the results are checked
        if not file.has_errors and file.unit_code:
            claims.register_list(file)
    for file in files:
        if file.form_id == REPORT_PL03.id:
            check_report(file, state, claims)
    return {}


def merge_list(state: MasterState, file: ReturnedFile, rows: list[dict[str, Any]], received: datetime) -> list[Finding]:
    """Phụ lục 02 from below into ``DangKy`` (``merge_register``)."""
    return merge_register(state, file, received)


def merge_report_results(state: MasterState, file: ReturnedFile, rows: list[dict[str, Any]],
                         received: datetime) -> list[Finding]:
    """Phụ lục 03 from below into ``KetQua`` (``merge_results``), kept in ``state.tables`` (read first) until the save."""
    state.tables[RESULTS] = merge_results(state.tables[RESULTS], state, file, received)
    return []


def report_order(file: ReturnedFile) -> int:
    """Lists are merged before results: results are mapped through the register's IDs."""
    return int(file.form_id == REPORT_PL03.id)


def own_reports_of(state: MasterState) -> Callable[[str], bool]:
    """Only this committee's own reports are skipped in a roll-up inbox."""
    from .inbox import own_reports

    return own_reports(state.campaign.year, state.campaign.committee)


def rollup_tables(state: MasterState, log_rows: list[dict[str, Any]], handlers: Any, now: datetime) -> dict[Form, Any]:
    """The register as roll-up keeps it (a frame), ``KetQua`` when a report changed it, and who sent
    what (``TinhHinhNop``: every committee of ``DonVi`` is expected to send its list)."""
    from ..spec.forms import SUBMISSIONS
    from .pipeline import submissions

    active: dict[str, int] = {}
    for code, status in zip(state.register["unit_code"], state.register["status"], strict=True):
        if text.clean(status) != RegisterStatus.WITHDRAWN:
            active[text.fold(code)] = active.get(text.fold(code), 0) + 1
    return {REGISTER: state.register, **state.tables,
            SUBMISSIONS: submissions(state, log_rows, handlers.forms, now, handlers.list_form, active)}
