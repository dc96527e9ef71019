"""Quota rules as data: read from the master's ``ChiTieu`` table (and each unit's own minimum in
``DonVi``), then checked against the active registrations.

A rule is a scope (the whole committee, every unit, every unit of a type, named units), a measure
(what is counted) and a minimum. Nothing about a particular plan is in the code: both presets and
any other plan of the same shape are rows of ``ChiTieu``.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..core import text
from ..core.errors import DvkError
from ..core.kinds import ModelKind, RegisterStatus
from ..core.numbers_vi import INVALID, problem_message, read_count, read_number
from ..master.book import read_form_table, records, where
from ..master.reconcile import choice  # list values read as the register reader reads them
from ..spec.forms import (
    DEFAULT_LISTS,
    MEASURE_COLLECTIVE,
    MEASURE_CONTINUED,
    MEASURE_FIELD,
    MEASURE_INDIVIDUAL,
    MEASURE_MODELS,
    MEASURE_NEW,
    MEASURE_RECOGNISED,
    MEASURE_REPLICATED,
    MEASURE_TYPICAL,
    MEASURE_UNIT_SHARE,
    QUOTAS,
    SCOPE_ALL,
    SCOPE_EACH_UNIT,
    SCOPE_UNIT_TYPE,
    SUBJECT_COLLECTIVE,
    SUBJECT_INDIVIDUAL,
    UNITS,
)
from ..workbook.api import FormattedNumber, Workbook

if TYPE_CHECKING:
    import pandas as pd

UNIT_MINIMUM_RULE = "ĐV"  # the rule made of the units' own minimums (DonVi)
_SHARE_WITH_N = re.compile(r"^tỷ lệ đơn vị có ít nhất (\d+) mô hình$")
_COUNTED_BY = {  # measure -> (model key, folded value) a counted model must have
    MEASURE_NEW: ("kind", ModelKind.NEW), MEASURE_CONTINUED: ("kind", ModelKind.CONTINUED),
    MEASURE_REPLICATED: ("kind", ModelKind.REPLICATED), MEASURE_COLLECTIVE: ("subject", SUBJECT_COLLECTIVE),
    MEASURE_INDIVIDUAL: ("subject", SUBJECT_INDIVIDUAL),
}


@dataclass(frozen=True)
class QuotaRule:
    rule_id: str
    description: str
    scope: str
    measure: str
    minimum: float  # a count, or a share (1.0 = 100%) for MEASURE_UNIT_SHARE
    target: str = ""
    parameter: str = ""  # the field of MEASURE_FIELD, N of MEASURE_UNIT_SHARE
    units: tuple[str, ...] = ()  # unit codes a per-unit scope covers, in DonVi order
    unit_minimums: tuple[tuple[str, int], ...] = ()  # (code, minimum) of the DonVi rule
    source: str = ""

    @property
    def is_share(self) -> bool:
        return self.measure == MEASURE_UNIT_SHARE

    @property
    def per_unit(self) -> bool:
        return self.scope != SCOPE_ALL or self.is_share


@dataclass
class ShortUnit:
    code: str
    name: str
    actual: int
    required: int


@dataclass
class QuotaResult:
    rule: QuotaRule
    required: float
    actual: float
    met: bool
    required_text: str
    actual_text: str
    short: list[ShortUnit] = field(default_factory=list)

    @property
    def short_text(self) -> str:
        return "; ".join(f"{u.code} ({u.name}): {u.actual}/{u.required}" for u in self.short)

    def as_dict(self) -> dict[str, Any]:
        r = self.rule
        def number(value: float) -> float | int:  # counts as whole numbers; shares stay fractions
            return value if r.is_share else int(value)

        return {"id": r.rule_id, "description": r.description, "scope": r.scope, "target": r.target,
                "measure": r.measure, "parameter": r.parameter, "minimum": number(r.minimum),
                "required": number(self.required), "actual": number(self.actual), "required_text": self.required_text, "actual_text": self.actual_text,
                "met": self.met, "source": r.source,
                "short_units": [{"code": u.code, "name": u.name, "actual": u.actual, "required": u.required}
                                for u in self.short]}


# --- reading the rules ---------------------------------------------------------------------------


def load_quota_rules(wb: Workbook, units: pd.DataFrame, lists: dict[str, list[str]]) -> list[QuotaRule]:
    """The rules of ``ChiTieu`` plus the units' own minimums; a rule that cannot be understood stops here."""
    frame = read_form_table(wb, QUOTAS)
    unit_list = [(text.clean(c), text.clean(n), text.clean(t)) for c, n, t in
                 zip(units["unit_code"], units["unit_name"], units["unit_type"], strict=True)]
    rules: list[QuotaRule] = []
    seen: set[str] = set()
    for i, row in enumerate(frame.to_dict("records")):
        if not any(text.clean(v) for v in row.values()):
            continue
        rule = _read_rule(wb, frame, i, row, unit_list, lists)
        if text.fold(rule.rule_id) in seen:
            raise DvkError(f"{where(wb, frame, i, QUOTAS, 'rule_id')}: mã chỉ tiêu “{rule.rule_id}” bị trùng; "
                           "mỗi chỉ tiêu một mã riêng")
        seen.add(text.fold(rule.rule_id))
        rules.append(rule)
    if own := unit_minimum_rule(units, rules):
        rules.append(own)
    return rules


def _read_rule(wb: Workbook, frame: pd.DataFrame, i: int, row: dict[str, Any],
               unit_list: list[tuple[str, str, str]], lists: dict[str, list[str]]) -> QuotaRule:
    def place(key: str) -> str:
        return where(wb, frame, i, QUOTAS, key)

    rule_id = text.clean(row["rule_id"])
    if not rule_id:
        raise DvkError(f"{place('rule_id')}: chỉ tiêu chưa có mã; nhập mã, ví dụ CT{i + 1}")
    scope = text.canonical_choice(row["scope"], DEFAULT_LISTS["quota_scopes"])
    if scope is None:
        raise DvkError(f"{place('scope')}: không hiểu phạm vi “{text.clean(row['scope'])}” của chỉ tiêu {rule_id}; "
                       f"chọn một trong: {'; '.join(DEFAULT_LISTS['quota_scopes'])}")
    measure, parameter = _measure(row, rule_id, place, lists)
    minimum = _minimum(row["minimum"], measure == MEASURE_UNIT_SHARE, rule_id, place("minimum"))
    target = text.clean(row["target"])
    codes: tuple[str, ...] = ()
    if scope in (SCOPE_EACH_UNIT, SCOPE_ALL):
        codes = tuple(c for c, _, _ in unit_list)
    elif unit_list:  # before any unit is entered a per-unit rule is simply not met (see ``_check``)
        codes = _targets(scope, target, unit_list, rule_id, place("target"))
    description = text.clean(row["description"]) or f"{measure} tối thiểu {minimum:g}"
    return QuotaRule(rule_id, description, scope, measure, minimum, target, parameter, codes,
                     source=text.clean(row["source"]))


def _measure(row: dict[str, Any], rule_id: str, place: Any, lists: dict[str, list[str]]) -> tuple[str, str]:
    raw = text.clean(row["measure"])
    parameter = text.clean(row["parameter"])
    measure = text.canonical_choice(raw, DEFAULT_LISTS["quota_measures"])
    if measure is None and (match := _SHARE_WITH_N.match(text.fold(raw))):
        measure, parameter = MEASURE_UNIT_SHARE, parameter or match.group(1)
    if measure is None:
        problem = f"không hiểu chỉ số “{raw}” của chỉ tiêu {rule_id}" if raw else f"chỉ tiêu {rule_id} chưa có chỉ số"
        raise DvkError(f"{place('measure')}: {problem}; chọn một trong: "
                       f"{'; '.join(DEFAULT_LISTS['quota_measures'])}")
    if measure == MEASURE_FIELD:
        field_name = choice(parameter, lists.get("fields", []))
        if field_name is None:
            raise DvkError(f"{place('parameter')}: chỉ tiêu {rule_id} đếm mô hình theo lĩnh vực nhưng "
                           f"“{parameter}” không phải lĩnh vực trong danh mục; nhập một trong: "
                           f"{'; '.join(lists.get('fields', []))}")
        return measure, field_name
    if measure == MEASURE_UNIT_SHARE:
        value = parameter or "1"
        number = read_count(value).value
        if number is None or number < 1:
            raise DvkError(f"{place('parameter')}: chỉ tiêu {rule_id}: tham số N (số mô hình tối thiểu của mỗi đơn vị) "
                           f"phải là số nguyên từ 1 trở lên, không phải “{value}”")
        return measure, str(int(number))
    return measure, parameter


def _minimum(value: Any, share: bool, rule_id: str, place: str) -> float:
    example = "100% hoặc 1" if share else "1"
    if value is None or isinstance(value, bool) or (isinstance(value, float) and value != value) or not text.clean(value):
        raise DvkError(f"{place}: chỉ tiêu {rule_id} chưa có mức tối thiểu; nhập một số, ví dụ {example}")
    raw = text.clean(value)
    percent = isinstance(value, str) and raw.endswith("%")
    reading = read_number(raw.rstrip("%").strip() if percent else value)
    if reading.problem == INVALID:
        raise DvkError(f"{place}: mức tối thiểu “{raw}” của chỉ tiêu {rule_id} không phải là số; "
                       f"nhập một số, ví dụ {example}")
    if not reading.ok:
        raise DvkError(f"{place}: chỉ tiêu {rule_id}: {problem_message(reading, QUOTAS.header_of('minimum'), example)[1]}")
    number = float(reading.value or 0)
    if percent:
        number /= 100
    if share:
        if not percent and 1 < number <= 100:
            number /= 100  # "100" typed in a plain cell means 100%
        if not 0 < number <= 1:
            raise DvkError(f"{place}: tỷ lệ tối thiểu của chỉ tiêu {rule_id} phải từ trên 0% đến 100%, "
                           f"không phải “{text.clean(value)}”")
        return number
    if number < 0 or number != int(number):
        raise DvkError(f"{place}: mức tối thiểu của chỉ tiêu {rule_id} phải là số nguyên không âm, "
                       f"không phải “{text.clean(value)}”")
    return float(int(number))


def _targets(scope: str, target: str, unit_list: list[tuple[str, str, str]], rule_id: str, place: str) -> tuple[str, ...]:
    names = [t.strip() for t in re.split(r"[;\n]", target) if t.strip()]
    what = "loại đơn vị" if scope == SCOPE_UNIT_TYPE else "mã hoặc tên đơn vị"
    if not names:
        raise DvkError(f"{place}: chỉ tiêu {rule_id} có phạm vi “{scope}” nhưng chưa ghi áp dụng cho {what} nào; "
                       f"nhập {what} (nhiều giá trị cách nhau bởi dấu ;)")
    codes: list[str] = []
    for name in names:
        key = text.fold(name)
        if scope == SCOPE_UNIT_TYPE:
            found = [c for c, _, t in unit_list if text.fold(t) == key]
            problem = f"không có đơn vị nào thuộc loại “{name}” trong sheet “{UNITS.sheet}”"
        else:
            found = [c for c, n, _ in unit_list if key in (text.fold(c), text.fold(n))]
            problem = f"không tìm thấy đơn vị “{name}” trong sheet “{UNITS.sheet}” (theo mã hoặc tên đơn vị)"
        if not found:
            raise DvkError(f"{place}: chỉ tiêu {rule_id}: {problem}; sửa cho đúng {what}")
        codes.extend(c for c in found if c not in codes)
    order = [c for c, _, _ in unit_list]
    return tuple(sorted(codes, key=order.index))


def unit_minimum_rule(units: pd.DataFrame, rules: list[QuotaRule]) -> QuotaRule | None:
    """The units' own minimums (DonVi) that no ChiTieu rule already asks of them, as one rule."""
    own = []
    for code, minimum in zip(units["unit_code"], units["min_models"], strict=True):
        if minimum is not None and minimum == minimum and int(minimum) > 0 and not _covered(code, int(minimum), rules):
            own.append((text.clean(code), int(minimum)))
    if not own:
        return None
    return QuotaRule(UNIT_MINIMUM_RULE, f"Đơn vị đạt số mô hình tối thiểu riêng của mình (cột “{UNITS.header_of('min_models')}”, "
                     f"sheet “{UNITS.sheet}”)", SCOPE_EACH_UNIT, MEASURE_MODELS, float(max(m for _, m in own)),
                     units=tuple(c for c, _ in own), unit_minimums=tuple(own), source=f"Sheet “{UNITS.sheet}”")


def _covered(code: str, minimum: int, rules: list[QuotaRule]) -> bool:
    for rule in rules:
        if code not in rule.units:
            continue
        if rule.measure == MEASURE_MODELS and rule.scope != SCOPE_ALL and rule.minimum >= minimum:
            return True
        if rule.is_share and rule.minimum >= 1 and int(rule.parameter) >= minimum:
            return True
    return False


# --- checking ------------------------------------------------------------------------------------


def active_models(register: pd.DataFrame, lists: dict[str, list[str]],
                  decisions: dict[str, tuple[bool, bool]] | None = None) -> list[dict[str, Any]]:
    """Registrations that count: every DangKy row not withdrawn (an empty status counts as active).

    ``decisions`` maps a folded model ID to (recognised, typical) from the evaluation.
    """
    models = []
    decisions = decisions or {}
    for record in records(register):
        if not (text.clean(record.get("unit_code")) or text.clean(record.get("name"))):
            continue
        if text.fold(record.get("status")) == text.fold(RegisterStatus.WITHDRAWN):
            continue
        recognised, typical = decisions.get(text.fold(record.get("model_id")), (False, False))
        models.append({
            "model_id": text.clean(record.get("model_id")), "unit": text.fold(record.get("unit_code")),
            "field": choice(record.get("field"), lists.get("fields", [])) or text.clean(record.get("field")),
            "kind": choice(record.get("kind"), lists.get("kinds", [])) or text.clean(record.get("kind")),
            "subject": choice(record.get("subject"), lists.get("subjects", [])) or text.clean(record.get("subject")),
            "partners": text.fold(record.get("partners")), "recognised": recognised, "typical": typical,
        })
    return models


def counts(rule: QuotaRule, model: dict[str, Any]) -> bool:
    """Whether the rule's measure counts this model."""
    if rule.measure in _COUNTED_BY:
        key, value = _COUNTED_BY[rule.measure]
        return text.fold(model[key]) == text.fold(value)
    if rule.measure == MEASURE_FIELD:
        return text.fold(model["field"]) == text.fold(rule.parameter)
    if rule.measure == MEASURE_RECOGNISED:
        return model["recognised"]
    if rule.measure == MEASURE_TYPICAL:
        return model["typical"]
    return True


def co_runs(code: str, name: str, model: dict[str, Any]) -> bool:
    """A unit named in a model's "Lực lượng phối hợp" co-runs it (the ward plan counts co-running)."""
    partners = model["partners"]
    if not partners:
        return False
    return text.fold(name) in partners or re.search(rf"(?<!\w){re.escape(text.fold(code))}(?!\w)", partners) is not None


def check_quotas(rules: list[QuotaRule], models: list[dict[str, Any]], units: pd.DataFrame) -> list[QuotaResult]:
    names = {text.clean(c): text.clean(n) for c, n in zip(units["unit_code"], units["unit_name"], strict=True)}
    return [_check(rule, models, names) for rule in rules]


def _check(rule: QuotaRule, models: list[dict[str, Any]], names: dict[str, str]) -> QuotaResult:
    counted = [m for m in models if counts(rule, m)]
    by_unit = Counter(m["unit"] for m in counted)
    if not rule.per_unit:
        actual = len(counted)
        return QuotaResult(rule, rule.minimum, actual, actual >= rule.minimum, f"Tối thiểu {rule.minimum:g}",
                           str(actual))
    per_unit = {code: by_unit[text.fold(code)] for code in rule.units}
    if rule.is_share:
        needed = int(rule.parameter)
        with_partners = [m for m in counted if m["partners"]]
        for code in rule.units:
            if per_unit[code] < needed:  # co-running counts for "đăng ký (hoặc phối hợp thực hiện)"
                per_unit[code] += sum(1 for m in with_partners if m["unit"] != text.fold(code)
                                      and co_runs(code, names.get(code, ""), m))
        required = dict.fromkeys(rule.units, needed)
    elif rule.unit_minimums:
        required = dict(rule.unit_minimums)
    else:
        required = dict.fromkeys(rule.units, int(rule.minimum))
    short = [ShortUnit(code, names.get(code, ""), per_unit[code], required[code])
             for code in rule.units if per_unit[code] < required[code]]
    reached, total = len(rule.units) - len(short), len(rule.units)
    # No unit in DonVi yet: nothing can meet a per-unit rule; say why instead of dividing by zero.
    none_yet = "" if total else f" (sheet “{UNITS.sheet}” chưa có đơn vị nào)"
    if rule.is_share:
        share = reached / total if total else 0.0
        return QuotaResult(rule, rule.minimum, round(share, 4), bool(total) and share >= rule.minimum - 1e-9,
                           f"{percent(rule.minimum)} đơn vị có ít nhất {needed} mô hình",
                           f"{reached}/{total} đơn vị ({percent(share)})" if total else f"0/0 đơn vị{none_yet}", short)
    required_text = ("Theo mức riêng của từng đơn vị" if rule.unit_minimums
                     else f"Mỗi đơn vị tối thiểu {rule.minimum:g}")
    return QuotaResult(rule, total, reached, bool(total) and not short, required_text,
                       f"{reached}/{total} đơn vị đạt{none_yet}", short)


def _share_format(share: float) -> str:
    return "0%" if float(round(share * 100, 1)).is_integer() else "0.0%"


def quota_cells(result: QuotaResult) -> tuple[FormattedNumber | str, FormattedNumber | str]:
    """The required and actual values of a rule as numbers for a sheet, read as the texts read.

    A count is a whole number, a share a fraction shown in %, the words go in the number format.
    """
    rule = result.rule
    if not rule.per_unit:
        return (FormattedNumber(rule.minimum, '"Tối thiểu "0'), FormattedNumber(int(result.actual), "0"))
    total = len(rule.units)
    if not total:  # no unit yet: the words say why, there is no figure to show
        return result.required_text, result.actual_text
    reached = total - len(result.short)
    if rule.is_share:
        # short: a number that does not fit its cell prints as ###; "có ít nhất N mô hình" is in the rule's measure
        required = FormattedNumber(rule.minimum, f'{_share_format(rule.minimum)}" đơn vị"')
        return required, FormattedNumber(result.actual, f'"{reached}/{total} đơn vị ("{_share_format(result.actual)}")"')
    required = (result.required_text if rule.unit_minimums
                else FormattedNumber(rule.minimum, '"Mỗi đơn vị tối thiểu "0'))
    return required, FormattedNumber(reached, f'0"/{total} đơn vị đạt"')


def percent(share: float) -> str:
    """0.9167 -> "91,7%" (Vietnamese decimal comma), 1.0 -> "100%"."""
    shown = f"{share * 100:.1f}".rstrip("0").rstrip(".")
    return shown.replace(".", ",") + "%"
