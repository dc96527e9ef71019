"""What the reports count: the active register, a period's results and the evaluation, per model.

Read once from the master through the ``Workbook`` interface; the report writers only format.
The register may be empty or half filled, ``KetQua`` and ``ThamDinh`` may be empty or missing (an
older master, or compliance not run yet): every count then is simply zero.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from ..core import text
from ..core.errors import DvkError
from ..core.kinds import Period, ReportKind
from ..core.numbers_vi import problem_message, read_amount, read_count
from ..master.book import (
    Settings,
    load_lists,
    load_settings,
    load_units,
    read_form_table,
    table_records,
    where,
)
from ..spec.forms import (
    EVAL_RECOGNISED,
    EVALUATION,
    RESULTS,
    YES,
    Form,
)
from ..workbook.api import Workbook

# The results' numbers the reports add up (people, money), read with numbers_vi like at intake.
NUMBER_COLUMNS = [c for c in RESULTS.columns if c.type in ("int", "number") and c.key != "source_row"]


@dataclass
class Model:
    """One active registered model with what is known of it for the period."""

    values: dict[str, Any]  # REGISTER keys
    result: dict[str, Any] = field(default_factory=dict)  # RESULTS keys of the period (empty if not reported)
    recognised: bool = False
    typical: bool = False
    commendation: str = ""

    def __getitem__(self, key: str) -> Any:
        return self.values.get(key)

    @property
    def id(self) -> str:
        return text.clean(self.values.get("model_id"))

    @property
    def status(self) -> str:
        return text.clean(self.result.get("result_status"))

    @property
    def launched(self) -> bool:
        return text.fold(self.result.get("launched")) == text.fold(YES) or bool(self.result.get("launched_on"))


@dataclass
class Unit:
    code: str
    name: str
    models: list[Model] = field(default_factory=list)


@dataclass
class ReportData:
    settings: Settings
    lists: dict[str, list[str]]
    kind: ReportKind
    period: Period | None
    units: list[Unit]

    @property
    def models(self) -> list[Model]:
        return [m for u in self.units for m in u.models]

    @property
    def period_label(self) -> str:
        return self.period.label if self.period else ""

    def values_of(self, list_key: str, model_key: str) -> list[str]:
        """The list's values in DanhMuc order, then any other value the models carry."""
        values = list(self.lists.get(list_key, []))
        seen = {text.fold(v) for v in values}
        for model in self.models:
            value = text.clean(model[model_key])
            if value and text.fold(value) not in seen:
                seen.add(text.fold(value))
                values.append(value)
        return values

    def count(self, **conditions: str) -> int:
        return sum(1 for m in self.models if all(text.fold(m[k]) == text.fold(v) for k, v in conditions.items()))

    def units_with_models(self) -> int:
        return sum(1 for u in self.units if u.models)


def has_table(wb: Workbook, name: str) -> bool:
    return name in wb.table_names()


def _records(wb: Workbook, form: Form) -> list[dict[str, Any]]:
    return table_records(wb, form)  # a deleted table is an error naming its sheet, not zero rows


def _canonical(value: Any, choices: list[str]) -> str:
    return text.canonical_choice(value, choices) or text.clean(value)


def load_report_data(wb: Workbook, kind: ReportKind | str) -> ReportData:
    """The master's data for one report kind (``dang-ky``, ``6-thang`` or ``nam``)."""
    kind = ReportKind(kind)
    period = kind.period
    settings, lists, unit_frame = load_settings(wb), load_lists(wb), load_units(wb)
    units = {text.fold(c): Unit(text.clean(c), text.clean(n))
             for c, n in zip(unit_frame["unit_code"], unit_frame["unit_name"], strict=True)}
    by_id: dict[str, Model] = {}
    from ..master.reconcile import read_register

    # The register as compliance reads it: list values folded, units resolved against DonVi, rows of
    # a unit no longer listed left out (they are findings of compliance), rows typed without an ID counted.
    for record in read_register(wb, unit_frame, lists, settings.year).counted():
        model_id = text.clean(record.get("model_id"))
        unit = units[text.fold(record["unit_code"])]
        model = Model(record)
        unit.models.append(model)
        if model_id:
            by_id[text.fold(model_id)] = model
    if period:
        _attach_results(wb, by_id, period.label)
    _attach_evaluation(wb, by_id)
    return ReportData(settings, lists, kind, period, list(units.values()))


def _attach_results(wb: Workbook, by_id: dict[str, Model], label: str) -> None:
    frame = read_form_table(wb, RESULTS)  # a deleted table is an error naming its sheet, not zero results
    for position, record in enumerate(frame.to_dict("records")):
        if text.fold(record.get("period")) != text.fold(label):
            continue
        model = by_id.get(text.fold(record.get("model_id")))
        if model is None:
            continue
        for column in NUMBER_COLUMNS:  # a cell staff retyped by hand is read by the same rules as intake
            reading = read_count(record.get(column.key)) if column.type == "int" else read_amount(record.get(column.key))
            if not reading.ok:
                raise DvkError(f"{where(wb, frame, position, RESULTS, column.key)}: "
                               f"{problem_message(reading, column.header.split(' (')[0])[1]}")
            record[column.key] = reading.value
        model.result = record
        # A lower committee's own evaluation, rolled up with its report (own ThamDinh overrides below).
        model.recognised = text.fold(record.get("lower_result")) == text.fold(YES)
        model.typical = text.fold(record.get("lower_typical")) == text.fold(YES)
        model.commendation = text.clean(record.get("lower_commendation"))


def _attach_evaluation(wb: Workbook, by_id: dict[str, Model]) -> None:
    """Recognised / typical / commendation from the committee's own evaluation sheet, if any."""
    if not has_table(wb, EVALUATION.table):
        return
    for record in read_form_table(wb, EVALUATION).to_dict("records"):
        model = by_id.get(text.fold(record.get("model_id")))
        if model is None:
            continue
        decision = evaluation_decision(record)
        if decision is not None:
            model.recognised, model.typical, model.commendation = decision


def evaluation_decision(record: dict[str, Any]) -> tuple[bool, bool, str] | None:
    """(recognised, typical, commendation) of a ThamDinh row, or None if the team has not decided."""
    result = text.fold(record.get("result"))
    if not result:
        return None
    recognised = result == text.fold(EVAL_RECOGNISED)
    typical = recognised and text.fold(record.get("typical")) == text.fold(YES)
    return recognised, typical, text.clean(record.get("commendation"))


def tally(models: list[Model], key: str) -> Counter:
    return Counter(text.fold(m[key]) for m in models)
