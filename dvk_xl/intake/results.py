"""Results (Phụ lục 03) through the intake: checks specific to results and the merge into ``KetQua``.

The generic intake (reading, pandera validation, feedback, archive, log) is the one of Phụ lục 01;
this module adds what only results need: the reporting period from the template's metadata, a
model ID the unit did not register is an error (``model-unknown``), and the unit's latest file of
a period replaces its rows of that period in ``KetQua``.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from ..core import text
from ..core.findings import Finding
from ..core.kinds import Period
from ..master.book import read_form_table
from ..spec.forms import PL03, RESULTS, YES
from .reading import ReturnedFile

if TYPE_CHECKING:
    import pandas as pd

    from .state import MasterState
    from .validation import Campaign


def period_of(file: ReturnedFile) -> Period | None:
    """The period key (``6-thang`` / ``nam``) the unit's template was made for."""
    value = text.clean(file.meta.get("period"))
    return Period.parse(value)


def check_results(frame: pd.DataFrame, files: list[ReturnedFile], campaign: Campaign) -> None:
    """Findings only results can have; runs after the generic checks, on all files' rows at once."""
    for file in files:
        if file.form_id == PL03.id and file.sheet and period_of(file) is None:
            file.add("period-unknown", "không xác định được kỳ báo cáo (6 tháng hay năm) của tệp: thông tin ẩn của "
                     "mẫu bị mất; điền vào đúng mẫu Phụ lục 03 được gửi rồi gửi lại")
    seen: dict[tuple[int, str], int] = {}
    for position, row, unit, model_id, launched, launched_on in zip(
            frame["_file"], frame["_row"], frame["_unit"], frame["model_id"], frame["launched"],
            frame["launched_on"], strict=True):
        file = files[int(position)]
        cell = file.cell("model_id", int(row))
        registered = campaign.registered.get(text.clean(unit), {})
        model_id = text.clean(model_id)
        if model_id and model_id not in registered:
            known = ", ".join(list(registered)[:5]) or "chưa có"
            file.add("model-unknown", f"mã mô hình “{model_id}” không có trong các mô hình đơn vị đã đăng ký "
                     f"(mô hình đã đăng ký: {known}); chỉ báo cáo mô hình đã đăng ký, dùng đúng mẫu được gửi",
                     cell=cell)
        elif not model_id:
            file.add("value-required", "dòng này chưa có mã mô hình; chỉ báo cáo trên các dòng mô hình có sẵn "
                     "trong mẫu (mô hình mới phải đăng ký qua Phụ lục 01)", cell=cell)
        key = (int(position), model_id)
        if model_id and key in seen:
            file.add("duplicate-model", f"mô hình {model_id} đã được báo cáo ở dòng {seen[key]}; xóa dòng trùng",
                     cell=cell)
        seen.setdefault(key, int(row))
        if text.fold(launched) == text.fold(YES) and not launched_on:
            file.add("launched-without-date", "đã ghi “Có” ra mắt nhưng chưa nhập ngày ra mắt",
                     severity="warning", cell=file.cell("launched_on", int(row)))


def merge_results(state: MasterState, file: ReturnedFile, rows: list[dict], received: datetime) -> list[Finding]:
    """Replace the unit's rows of the file's period in ``KetQua`` by the file's rows."""
    import pandas as pd

    label = (period_of(file) or Period.HALF_YEAR).label
    unit = file.unit_code or ""
    unit_name = state.campaign.units[text.fold(unit)][1]
    registered = state.campaign.registered.get(unit, {})
    current = read_form_table(state.wb, RESULTS)
    mine = (current["period"].map(text.fold) == text.fold(label)) & (current["unit_code"].map(text.fold) == text.fold(unit))
    kept = current[~mine]
    new = []
    for record in rows:  # typed rows of this file as records (the consolidation contract)
        # The values validation read and checked (numbers_vi for money and people), stored as they are.
        values = {k: record.get(k) for k in RESULTS.keys if k in record}
        values.update(period=label, unit_code=unit, unit_name=unit_name,
                      name=registered.get(text.clean(record.get("model_id"))) or record.get("name"),
                      source_file=file.name, source_row=int(record["_row"]), received_at=received.date())
        new.append(values)
    findings = []
    missing = [m for m in registered if m not in {text.clean(v["model_id"]) for v in new}]
    if missing:
        findings.append(Finding("result-missing", "warning",
                                f"chưa có kết quả kỳ {label.lower()} của mô hình {', '.join(missing)}; "
                                "bổ sung vào mẫu rồi gửi lại cả tệp", file.name, PL03.sheet, None))
    merged = pd.concat([kept, pd.DataFrame(new, columns=RESULTS.keys)], ignore_index=True)
    state.wb.write_table(RESULTS.table, merged[RESULTS.keys].rename(columns={c.key: c.header for c in RESULTS.columns}))
    return findings
