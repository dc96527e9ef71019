"""The master as staff really edit it: one reader of the register that everything counts with.

Staff edit the master in Excel between runs: they type rows by hand, retype codes ("CB 01" for
"CB01"), re-code or delete units in ``DonVi``, type "Moi" for "Mới". ``read_register`` reads
``DangKy`` once, the way units' forms are read (list values folded, years checked), resolves each
row's unit against ``DonVi`` (codes compared without spaces, case or diacritics; a re-coded unit
followed through its optional “Mã cũ”), and says what does not fit as findings naming the cell.
Compliance, quotas, the reports and the Phụ lục 03 templates all count from it, so they agree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..core import text
from ..core.findings import Finding
from ..core.kinds import RegisterStatus
from ..spec.forms import DEADLINES, REGISTER, UNITS, excel_column
from ..workbook.api import Workbook, sheet_row
from .book import code_key, load_lists, load_settings, load_units, read_form_table, records, whole_year

if TYPE_CHECKING:
    import pandas as pd

_ID_YEAR = re.compile(r"^DVK-(\d{4})-", re.IGNORECASE)
_LIST_KEYS = (("field", "fields"), ("kind", "kinds"), ("subject", "subjects"))


@dataclass
class UnitCodes:
    """DonVi's codes by ``code_key``: current codes, and old codes (“Mã cũ”) pointing to the new ones."""

    current: dict[str, tuple[str, str]] = field(default_factory=dict)  # key -> (code, name)
    old: dict[str, str] = field(default_factory=dict)  # key of an old code -> key of its new code

    @classmethod
    def of(cls, units: pd.DataFrame) -> UnitCodes:
        codes = cls()
        # The three columns as plain lists (a column the frame lacks reads as empty): boxing every value of
        # every column into records costs more than the whole look-up, and each intake run builds this twice.
        rows = list(zip(*(list(units[key]) if key in units.columns else [None] * len(units)
                          for key in ("unit_code", "unit_name", "old_code")), strict=True))
        for typed_code, name, _ in rows:
            code = text.clean(typed_code)
            if code:
                codes.current[code_key(code)] = (code, text.clean(name))
        for typed_code, _, old_codes in rows:
            new = code_key(typed_code)
            for old in re.split(r"[;,]", text.clean(old_codes)):
                if code_key(old) and code_key(old) not in codes.current:
                    codes.old[code_key(old)] = new
        return codes

    def resolve(self, value: object) -> tuple[str, str] | None:
        """(code, name) in DonVi of a code typed anywhere, following a re-coded unit; None if not listed."""
        key = code_key(value)
        return self.current.get(key) or self.current.get(self.old.get(key, ""))


def choice(value: Any, choices: list[str]) -> str | None:
    """The list value meant, forgiving case, tone placement and missing accents ("Moi" = "Mới")."""
    found = text.canonical_choice(value, choices)
    if found is None and text.clean(value):
        key = text.unaccent(text.fold(value)).lower()
        found = next((c for c in choices if text.unaccent(text.fold(c)).lower() == key), None)
    return found


@dataclass
class Register:
    """``DangKy`` as every count reads it."""

    rows: list[dict[str, Any]]  # REGISTER keys, canonical values; ``_orphan`` marks a unit not in DonVi
    findings: list[Finding] = field(default_factory=list)

    def counted(self) -> list[dict[str, Any]]:
        """Rows that count: not withdrawn, of a unit listed in DonVi."""
        return [r for r in self.rows if not r["_orphan"]
                and text.fold(r.get("status")) != text.fold(RegisterStatus.WITHDRAWN)]

    def frame(self) -> pd.DataFrame:
        """The counted rows as a register frame (for ``quotas.active_models``)."""
        import pandas as pd

        return pd.DataFrame(self.counted(), columns=REGISTER.keys)


def read_register(wb: Workbook, units: pd.DataFrame | None = None, lists: dict[str, list[str]] | None = None,
                  year: int | None = None) -> Register:
    """The register read like units' forms are read, each row's unit resolved against DonVi."""
    units = load_units(wb) if units is None else units
    lists = load_lists(wb) if lists is None else lists
    year = load_settings(wb).year if year is None else year
    codes = UnitCodes.of(units)
    frame = read_form_table(wb, REGISTER)
    register = Register([])
    for position, record in enumerate(records(frame)):
        if not (text.clean(record.get("unit_code")) or text.clean(record.get("name"))):
            continue
        typed_code = text.clean(record.get("unit_code"))
        unit = codes.resolve(typed_code)
        record["_orphan"] = unit is None
        record["_position"] = position
        if unit is None:
            register.findings.append(Finding(
                "unit-orphaned", "warning",
                f"ô {_cell(frame, position, 'unit_code')}: mã đơn vị “{typed_code}” của mô hình "
                f"“{text.clean(record.get('name'))}” không có trong sheet “{UNITS.sheet}” nên mô hình không được tính; "
                f"sửa mã cho đúng, hoặc ghi mã cũ vào cột “{UNITS.header_of('old_code')}” của đơn vị mới",
                wb.label, REGISTER.sheet, _cell(frame, position, "unit_code")))
        else:
            record["unit_code"], record["unit_name"] = unit[0], unit[1] or text.clean(record.get("unit_name"))
        for key, list_key in _LIST_KEYS:
            value = record.get(key)
            found = choice(value, lists.get(list_key, []))
            record[key] = found or text.clean(value)
            if found is None and text.clean(value):
                register.findings.append(Finding(
                    "register-value-not-in-list", "warning",
                    f"ô {_cell(frame, position, key)}: “{text.clean(value)}” không có trong danh sách "
                    f"“{REGISTER.header_of(key)}” (sheet “Danh mục”); chọn một giá trị trong danh sách",
                    wb.label, REGISTER.sheet, _cell(frame, position, key)))
        started = record.get("start_year")
        if text.clean(started):
            number = whole_year(started)
            record["start_year"] = number if number is not None else started
            if number is None or number > year:
                register.findings.append(Finding(
                    "register-value-invalid", "warning",
                    f"ô {_cell(frame, position, 'start_year')}: năm bắt đầu “{text.clean(started)}” không hợp lệ; "
                    f"nhập năm 4 chữ số, không sau năm thi đua {year}",
                    wb.label, REGISTER.sheet, _cell(frame, position, "start_year")))
        match = _ID_YEAR.match(text.clean(record.get("model_id")))
        if match and int(match.group(1)) != year:
            register.findings.append(Finding(
                "register-other-year", "warning",
                f"ô {_cell(frame, position, 'model_id')}: mô hình {text.clean(record.get('model_id'))} "
                f"thuộc năm {match.group(1)}, không phải năm thi đua {year} (sheet “Cấu hình”) nhưng vẫn được tính; "
                "xóa hoặc đánh dấu “Đã rút” nếu đó là dữ liệu năm trước",
                wb.label, REGISTER.sheet, _cell(frame, position, "model_id")))
        register.rows.append(record)
    return register


def deadline_findings(wb: Workbook, year: int) -> list[Finding]:
    """Deadlines of ``TienDo`` in another year than the campaign's: left from last year's master."""
    frame = read_form_table(wb, DEADLINES)
    findings = []
    for position, value in enumerate(frame["due"]):
        try:
            from ..core.dates import format_date, parse_date

            due = parse_date(value)
        except Exception:  # a date that does not exist is reported by the deadline check itself
            continue
        if due is not None and due.year != year:
            findings.append(Finding(
                "deadline-other-year", "warning",
                f"ô {_cell(frame, position, 'due')}: hạn {format_date(due)} không thuộc năm thi đua {year} "
                "(sheet “Cấu hình”); sửa hạn theo kế hoạch năm nay",
                wb.label, DEADLINES.sheet, _cell(frame, position, "due")))
    return findings


def _cell(frame: pd.DataFrame, position: int, key: str) -> str:
    """The cell of a value of DangKy or TienDo, counting the blank rows ``read_table`` skipped."""
    header = REGISTER.header_of(key) if key in REGISTER.keys else DEADLINES.header_of(key)
    column = frame.attrs.get("first_column", 0) + frame.attrs["columns"].index(header)
    return f"{excel_column(column)}{sheet_row(frame, position)}"


__all__ = ["code_key", "UnitCodes", "Register", "read_register", "deadline_findings", "choice", "whole_year"]
