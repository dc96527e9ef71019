"""Registrations (Phụ lục 01) through the intake: a unit's latest list replaces its models in ``DangKy``.

Models keep stable IDs, models that disappear are marked withdrawn, rows staff corrected or typed by
hand are kept with a warning (see ``state.reconcile_register`` for how staff edits are taken in).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ..core import text
from ..core.findings import Finding
from ..core.kinds import RegisterStatus
from ..spec.forms import REGISTER
from .reading import ReturnedFile
from .state import MODEL_KEYS, MasterState, model_check, model_number


def merge_registrations(state: MasterState, file: ReturnedFile, rows: list[dict[str, Any]],
                        received: datetime) -> list[Finding]:
    """Replace a unit's models by those of its latest file, keeping IDs and hand corrections."""
    unit = file.unit_code or ""
    unit_name = state.campaign.units[text.fold(unit)][1]
    mine = state.models.get(text.fold(unit), [])
    by_name = {text.fold(r["name"]): i for i, r in enumerate(mine)}
    by_similar = {text.similarity_key(r["name"]): i for i, r in enumerate(mine)}
    next_number = max([model_number(r["model_id"]) for r in mine] + [0]) + 1
    findings: list[Finding] = []
    kept: list[dict[str, Any]] = []
    used: set[Any] = set()
    for record in rows:
        match = _match(record["name"], by_name, by_similar, used) if mine else None  # a first list: all new
        values = {k: record.get(k) for k in MODEL_KEYS}
        if match is not None and mine[match].get("_hand"):
            used.add(match)
            kept.append(_take_hand_row(mine[match], values, file, record, received, findings))
            continue
        if match is not None:
            used.add(match)
            old = mine[match]
            stored_check = text.clean(old.get("row_check"))
            if stored_check and stored_check != model_check(old):
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
                     "status": RegisterStatus.ACTIVE, "source_file": file.name, "source_row": int(record["_row"]),
                     "received_at": received.date(), "row_check": model_check(values),
                     "_position": position})
    for index in sorted(set(range(len(mine))) - used):
        old = mine[index]
        if old.get("_hand"):
            pass  # a model staff typed in themselves: the unit's file does not withdraw it
        elif text.clean(old.get("status")) != RegisterStatus.WITHDRAWN:
            old["status"] = RegisterStatus.WITHDRAWN
            findings.append(Finding("model-withdrawn", "warning",
                                    f"mô hình {old['model_id']} “{old['name']}” không còn trong tệp mới: "
                                    "đã đánh dấu “Đã rút” trong sổ (dòng vẫn được giữ)",
                                    file.name, REGISTER.sheet, None))
        kept.append(old)
    state.models[text.fold(unit)] = kept
    return findings


def _match(name: Any, by_name: dict[str, int], by_similar: dict[str, int], used: set[Any]) -> int | None:
    """The unit's register row a model of its file is: same name, else a similar one; None if taken or new."""
    match = by_name.get(text.fold(name))
    if match is None or match in used:
        match = by_similar.get(text.similarity_key(name))
    if match is not None and match in used:
        match = None
    return match


ACCEPT_UNIT_VERSION = ("đối chiếu rồi xóa ô “Mã kiểm tra” của dòng đó và tổng hợp lại nếu muốn nhận bản của đơn vị "
                       "(tệp của đơn vị trong thư mục tiếp nhận được đọc lại)")


def _take_hand_row(hand: dict[str, Any], values: dict[str, Any], file: ReturnedFile, record: dict[str, Any],
                   received: datetime, findings: list[Finding]) -> dict[str, Any]:
    """A row staff typed in by hand that the unit's file now sends too: the hand row's values stay.

    It becomes the unit's registration (source file, row, date; ID kept), with the unit's version
    as its “Mã kiểm tra”: when the two differ this is ``manual-edit-kept`` now and on every run,
    until staff clear “Mã kiểm tra” to take the unit's version.
    """
    hand_check = model_check(hand)
    unit_check = model_check(values)
    if hand_check != unit_check:
        findings.append(Finding(
            "manual-edit-kept", "warning",
            f"mô hình {hand['model_id']} đã được nhập tay trong sổ tổng hợp và khác dòng {int(record['_row'])} "
            f"của tệp: công cụ giữ bản nhập tay; {ACCEPT_UNIT_VERSION}",
            file.name, REGISTER.sheet, None))
    return {**hand, "status": RegisterStatus.ACTIVE, "source_file": file.name, "source_row": int(record["_row"]),
            "received_at": received.date(), "row_check": unit_check, "_hand": False}
