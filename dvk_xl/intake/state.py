"""The master as the intake works on it: ``MasterState`` (campaign, units, register, log) and the
register made whole before anything is merged (``reconcile_register``).

Shared by the intake pipeline (``pipeline.py``) and every form handler (registrations, results,
roll-up): it sits below all of them, so none of them imports another to reach it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from ..core import text
from ..core.kinds import RegisterStatus
from ..master.book import deadline_of, load_deadlines, load_lists, load_settings, load_units, read_form_table
from ..spec.forms import (
    INTAKE_LOG,
    PL01,
    REGISTER,
    submission_label,
)
from ..workbook.api import Workbook
from .crossyear import load_previous
from .validation import Campaign

if TYPE_CHECKING:
    import pandas as pd


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
    tables: dict[Any, pd.DataFrame] = field(default_factory=dict)  # other tables a handler replaced (Form -> rows)

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
                and text.clean(r.get("status")) != RegisterStatus.WITHDRAWN}


def load_state(wb: Workbook, deadline_steps: dict[str, dict[str, str | None]]) -> MasterState:
    """The master as the intake needs it; ``deadline_steps`` is form id -> period -> TienDo step
    (the handler registry's; None: no TienDo step), giving each submission its due date."""
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
        if text.clean(record["status"]) != RegisterStatus.WITHDRAWN:
            existing.setdefault(text.similarity_key(name), []).append((unit, name))
            registered.setdefault(unit, {})[text.clean(record["model_id"])] = name
    campaign = Campaign(
        year=settings.year,
        units={text.fold(c): (c, n) for c, n in zip(units["unit_code"], units["unit_name"], strict=True)},
        lists=load_lists(wb),
        deadlines={submission_label(form_id, period or None): deadline_of(deadlines, step) if step else None
                   for form_id, steps in deadline_steps.items() for period, step in steps.items()},
        existing_models=existing,
        registered=registered,
        committee=settings.committee,
        committee_code=settings.committee_code,
    )
    _follow_old_codes(campaign, units)
    campaign.previous = load_previous(wb, units, settings.year)  # read once per run, never per file
    return MasterState(wb, campaign, units, register, log, models, changed, len(records))


def _follow_old_codes(campaign: Campaign, units: pd.DataFrame) -> None:
    """A form made before a unit was re-coded (its metadata has the old code) is the re-coded unit's."""
    from ..master.reconcile import UnitCodes

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
    from ..master.reconcile import UnitCodes

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
        numbers[key] = max(numbers.get(key, 0), model_number(record.get("model_id")))
    for record in rows:
        if not text.clean(record.get("model_id")) and text.clean(record.get("unit_code")):
            key = text.fold(record["unit_code"])
            numbers[key] += 1
            record["model_id"] = f"DVK-{year}-{text.clean(record['unit_code'])}-{numbers[key]}"
            if not text.clean(record.get("status")):
                record["status"] = RegisterStatus.ACTIVE
            changed = True
    return rows, changed


def fingerprint(values: Iterable[Any]) -> str:
    """A short check of a row's data, to notice later whether staff edited it by hand."""
    parts = []
    for value in values:  # the common types first: a city's merge fingerprints 50,000 rows of 16 values
        kind = type(value)
        if kind is str:  # a typed row's texts are clean already: checked, not cleaned again
            parts.append(value if text.is_clean(value) else text.clean(value))
        elif value is None:
            parts.append("")
        elif kind is date:
            parts.append(value.isoformat())
        elif kind is int:  # what ``text.clean`` makes of it (digits, no space to clean)
            parts.append(str(value))
        else:
            parts.append(_part(value))
    return hashlib.sha1("\x1f".join(parts).encode()).hexdigest()[:10]


def _part(value: Any) -> str:
    """One value of ``fingerprint`` as text: a date (or a datetime's date) ISO, a whole float without “.0”."""
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return text.clean(value)


MODEL_KEYS = [c.key for c in PL01.columns if c.key != "stt"]
# The keys of “Mã kiểm tra” before “Mã đăng ký lần đầu” existed: a row without a first ID is checked on these
# alone, so the checks stored in a master made before it still match (no false “sửa tay” on every row).
_CHECKED_BEFORE_FIRST_ID = [k for k in MODEL_KEYS if k != "first_id"]


def model_check(values: Any) -> str:
    """“Mã kiểm tra” of a model's values (a mapping with MODEL_KEYS), as stored in the register."""
    keys = MODEL_KEYS if text.clean(values.get("first_id")) else _CHECKED_BEFORE_FIRST_ID
    return fingerprint(map(values.get, keys))


def model_number(model_id: str) -> int:
    try:
        return int(str(model_id).rsplit("-", 1)[1])
    except (IndexError, ValueError):
        return 0
