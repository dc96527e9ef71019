"""Registers, quotas and evaluations written into a master through the Workbook interface."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from dvk_xl.master.book import open_master, read_form_table
from dvk_xl.spec.forms import EVALUATION, QUOTAS, REGISTER, UNITS, Form

from .reportfixtures import frame

WARD_UNITS = ["CB01", "CB02", "CB03", "CB04", "CB05", "CB06", "DB01", "MT01", "DTN01", "PN01", "CCB01", "CD01"]


def reg(unit: str, number: int = 1, **values) -> dict:
    """One register row of ``unit`` (a continued collective model with a plan unless told otherwise)."""
    row = dict(model_id=f"DVK-2026-{unit}-{number}", unit_code=unit, unit_name=f"Đơn vị {unit}",
               name=f"Mô hình {number} của {unit}", field="Kinh tế", subject="Tập thể", carried_by=unit,
               kind="Duy trì", start_year=2025, goals="Mục tiêu cụ thể", date_from=date(2026, 3, 1),
               date_to=date(2026, 11, 30), person_in_charge="Nguyễn Văn A", status="Đang thực hiện")
    row.update(values)
    return row


def write(master: Path, form: Form, records: list[dict]) -> Path:
    wb = open_master(master)
    wb.write_table(form.table, frame(form, records))
    wb.save()
    return master


def register(master: Path, rows: list[dict]) -> Path:
    return write(master, REGISTER, rows)


def quotas(master: Path, rows: list[dict]) -> Path:
    return write(master, QUOTAS, rows)


def set_unit_minimum(master: Path, code: str, minimum: int | None) -> None:
    wb = open_master(master)
    units = read_form_table(wb, UNITS)
    units.loc[units["unit_code"] == code, "min_models"] = minimum
    wb.write_table(UNITS.table, units.rename(columns={c.key: c.header for c in UNITS.columns}))
    wb.save()


def evaluation(master: Path) -> list[dict]:
    return read_form_table(open_master(master), EVALUATION).to_dict("records")


def edit_evaluation(master: Path, changes: dict[str, dict]) -> None:
    """Type values into ThamDinh rows by model ID, as the team would."""
    wb = open_master(master)
    rows = read_form_table(wb, EVALUATION)
    for model_id, values in changes.items():
        for key, value in values.items():
            rows.loc[rows["model_id"] == model_id, key] = value
    wb.write_table(EVALUATION.table, rows.rename(columns={c.key: c.header for c in EVALUATION.columns}))
    wb.save()
