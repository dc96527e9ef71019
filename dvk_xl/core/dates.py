"""Dates as staff and units type them: always day first, never silently shifted."""

from __future__ import annotations

import calendar
import re
from datetime import date, datetime, timedelta

from .errors import DateError

EXCEL_EPOCH = date(1899, 12, 30)
# Serial numbers outside this window are not dates anyone means (1 Jan 1950 .. 31 Dec 2100).
SERIAL_MIN, SERIAL_MAX = 18264, 73415

_DMY = re.compile(r"^(\d{1,2})\s*[/\-.]\s*(\d{1,2})\s*[/\-.]\s*(\d{2,4})$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_WORDS = re.compile(r"^(?:ngày\s*)?(\d{1,2})\s*tháng\s*(\d{1,2})\s*năm\s*(\d{4})$", re.IGNORECASE)


def format_date(value: date | None) -> str:
    """dd/mm/yyyy, the way every Vietnamese document writes a date."""
    return value.strftime("%d/%m/%Y") if value else ""


def build_date(day: int, month: int, year: int, shown: str) -> date:
    """A date from its parts, or a DateError that says exactly why it does not exist."""
    if year < 100:
        year += 2000
    if not 1 <= month <= 12:
        raise DateError(f"ngày “{shown}” không hợp lệ: không có tháng {month} (tháng từ 1 đến 12); nhập theo dạng ngày/tháng/năm")
    days_in_month = calendar.monthrange(year, month)[1]
    if not 1 <= day <= days_in_month:
        raise DateError(
            f"ngày “{shown}” không tồn tại: tháng {month} năm {year} chỉ có {days_in_month} ngày; "
            "sửa lại ngày đúng, công cụ không tự dời ngày"
        )
    return date(year, month, day)


def parse_date(value: object) -> date | None:
    """Read a date from a cell value: a date cell, an Excel serial number or day-first text.

    Returns None for an empty cell. Raises DateError (message without the place) otherwise.
    """
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, bool):
        raise DateError(f"“{value}” không phải là ngày; nhập theo dạng ngày/tháng/năm, ví dụ 03/03/2026")
    if isinstance(value, int | float):
        if value != value:  # NaN
            return None
        if not SERIAL_MIN <= value <= SERIAL_MAX:
            raise DateError(f"“{value:g}” không phải là ngày; nhập theo dạng ngày/tháng/năm, ví dụ 03/03/2026")
        return EXCEL_EPOCH + timedelta(days=int(value))
    text = " ".join(str(value).split())
    if not text:
        return None
    if match := _DMY.match(text):
        day, month, year = (int(g) for g in match.groups())
        if len(match.group(3)) == 3:
            raise DateError(f"ngày “{text}” không hợp lệ: năm phải có 4 chữ số")
        return build_date(day, month, year, text)
    if match := _ISO.match(text):
        year, month, day = (int(g) for g in match.groups())
        return build_date(day, month, year, text)
    if match := _WORDS.match(text):
        day, month, year = (int(g) for g in match.groups())
        return build_date(day, month, year, text)
    raise DateError(f"“{text[:60]}” không phải là ngày; nhập theo dạng ngày/tháng/năm, ví dụ 03/03/2026")


def as_date(value: object) -> date | None:
    """A cell value as a date when it is one (date cell, serial number, day-first text), else None.

    For displays and counts that must not stop on a bad date: the checks report it elsewhere.
    """
    try:
        return parse_date(value)
    except DateError:
        return None
