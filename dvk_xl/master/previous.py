"""Last year's models in this year's master (``MoHinhNamTruoc``, written by ``dvk init --from``).

The table is optional: a master not made from last year's has none, and reads as "no previous year".
Rows are read like the register is (blank rows skipped, units resolved against this year's ``DonVi``,
a re-coded unit followed through “Mã cũ”), so this year's forms pre-fill the right unit's models.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..core import text
from ..spec.forms import PREVIOUS_MODELS
from ..workbook.api import Workbook
from .book import load_units, read_form_table, whole_year

if TYPE_CHECKING:
    import pandas as pd


def has_previous_year(wb: Workbook) -> bool:
    """Whether the master carries last year's models (it was made with ``dvk init --from``)."""
    return PREVIOUS_MODELS.table in wb.table_names()


def read_previous_models(wb: Workbook, units: pd.DataFrame | None = None) -> list[dict[str, Any]]:
    """``MoHinhNamTruoc`` as {column key: value}, each row's unit resolved against this year's DonVi.

    ``unit_code``/``unit_name`` become the unit's current ones; ``_orphan`` marks a row whose unit is no
    longer listed (it pre-fills nothing); ``_position`` is the row's place in the table. Absent table: [].
    A retyped header stops here naming its cell (``read_form_table``), as for every master table.
    """
    if not has_previous_year(wb):
        return []
    from .reconcile import UnitCodes

    codes = UnitCodes.of(load_units(wb) if units is None else units)
    rows = []
    for position, record in enumerate(read_form_table(wb, PREVIOUS_MODELS).to_dict("records")):
        if not (text.clean(record.get("name")) or text.clean(record.get("model_id"))):
            continue
        unit = codes.resolve(record.get("unit_code"))
        record["_orphan"] = unit is None
        record["_position"] = position
        if unit is not None:
            record["unit_code"], record["unit_name"] = unit[0], unit[1] or text.clean(record.get("unit_name"))
        record["first_id"] = text.clean(record.get("first_id")) or text.clean(record.get("model_id"))
        started = whole_year(record.get("start_year"))
        if started is not None:
            record["start_year"] = started
        rows.append(record)
    return rows


def previous_by_unit(wb: Workbook, units: pd.DataFrame | None = None) -> dict[str, list[dict[str, Any]]]:
    """Last year's models of each unit still listed, by folded unit code, in table order."""
    models: dict[str, list[dict[str, Any]]] = {}
    for row in read_previous_models(wb, units):
        if not row["_orphan"]:
            models.setdefault(text.fold(row["unit_code"]), []).append(row)
    return models


def year_running(start_year: Any, year: int) -> int | None:
    """Which year of its life a model is in: 2024 → 2026 is “năm thứ 3”; None when not readable."""
    started = whole_year(start_year)
    return year - started + 1 if started is not None and started <= year else None


__all__ = ["has_previous_year", "read_previous_models", "previous_by_unit", "year_running"]
