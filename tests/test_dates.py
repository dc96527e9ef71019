from datetime import date, datetime

import pytest

from dvk_xl.core.dates import format_date, parse_date
from dvk_xl.core.errors import DateError


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("03/4/2026", date(2026, 4, 3)),  # day first, always
        ("3-4-2026", date(2026, 4, 3)),
        ("03.04.26", date(2026, 4, 3)),
        ("2026-04-03", date(2026, 4, 3)),
        ("ngày 3 tháng 4 năm 2026", date(2026, 4, 3)),
        (46115, date(2026, 4, 3)),  # Excel serial number
        (46115.0, date(2026, 4, 3)),
        (datetime(2026, 4, 3, 8, 30), date(2026, 4, 3)),
        (date(2026, 4, 3), date(2026, 4, 3)),
        (None, None),
        ("  ", None),
    ],
)
def test_dates_are_read_day_first_from_every_cell_kind(value, expected):
    assert parse_date(value) == expected


def test_a_date_that_does_not_exist_is_refused_not_shifted():
    with pytest.raises(DateError) as info:
        parse_date("31/11/2026")
    assert "tháng 11 năm 2026 chỉ có 30 ngày" in info.value.message


def test_february_of_a_non_leap_year():
    with pytest.raises(DateError, match="chỉ có 28 ngày"):
        parse_date("29/02/2026")
    assert parse_date("29/02/2028") == date(2028, 2, 29)


@pytest.mark.parametrize("value", ["13/13/2026", "hôm qua", "1/2/203", 12, True])
def test_garbage_is_refused(value):
    with pytest.raises(DateError):
        parse_date(value)


def test_format_is_day_first():
    assert format_date(date(2026, 3, 3)) == "03/03/2026"
    assert format_date(None) == ""
