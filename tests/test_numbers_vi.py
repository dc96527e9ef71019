"""The one reader of numbers: a table of what units type, and properties over many amounts."""

from datetime import date, datetime
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dvk_xl.core.numbers_vi import (
    AMBIGUOUS,
    INVALID,
    NEGATIVE,
    NOT_WHOLE,
    problem_message,
    read_amount,
    read_count,
    read_number,
    shown,
)

PROPERTY = settings(max_examples=200, deadline=None)


@pytest.mark.parametrize(("typed", "value"), [
    ("12500000", 12500000),
    ("12.500.000", 12500000),
    ("12 500 000", 12500000),
    ("12\u00a0500\u00a0000", 12500000),  # non-breaking spaces, as Excel and Word put them
    ("12\u2009500\u202f000", 12500000),  # thin and narrow spaces
    ("12.500.000,50", 12500000.5),
    ("12.500.000,5", 12500000.5),
    ("12 500 000,05", 12500000.05),
    ("12.500.000,00", 12500000),
    ("1,5", 1.5),
    ("0,5", 0.5),
    ("12,50", 12.5),
    ("1,2345", 1.2345),
    ("1,234,567", 1234567),
    ("1,5 tỷ", 1500000000),
    ("1,5 tỉ đồng", 1500000000),
    ("1,5 TỶ ĐỒNG", 1500000000),
    ("1,5 ty dong", 1500000000),
    ("1 tỷ 500 triệu", 1500000000),
    ("2 triệu 500 nghìn đồng", 2500000),
    ("50 triệu", 50000000),
    ("12,5 triệu", 12500000),
    ("50tr", 50000000),
    ("50 trđ", 50000000),
    ("350 nghìn", 350000),
    ("350 ngàn đồng", 350000),
    ("350k", 350000),
    ("350.000 đ", 350000),
    ("350.000đ", 350000),
    ("350.000 VNĐ", 350000),
    ("350.000 VND", 350000),
    ("350.000 vnđ", 350000),
    ("350.000 đồng", 350000),
    ("  350.000  ", 350000),
    ("'350.000", 350000),  # an apostrophe typed to keep the cell as text
    ("1.500 tỷ", 1500000000000),
    ("0", 0),
    (350000, 350000),
    (12500000.5, 12500000.5),
    (1500000000.0, 1500000000),
])
def test_amounts_as_units_type_them(typed, value):
    reading = read_amount(typed)
    assert reading.ok and reading.value == value
    assert type(reading.value) is type(value)


@pytest.mark.parametrize(("typed", "meanings"), [
    ("350.5", (350.5, 3505)),  # English decimal point, or a slip in the grouping?
    ("12.50", (12.5, 1250)),
    ("1.2345", (1.2345, 12345)),
    ("0.500", (0.5, 500)),
    ("350,000", (350, 350000)),  # decimal comma, or English grouping?
    ("1.234,567", (1234.567, 1234567)),
    ("1,234 tỷ", (1234000000, 1234000000000)),
    ("350.5 triệu", (350500000, 3505000000)),
    ("1,234.5", ()),  # English style: never guessed
    ("1,234,567.89", ()),
    ("1.234,5.6", ()),
    ("1,2.3", ()),
    ("12.50.000", ()),
    ("1.2.3", ()),
    ("1 5", ()),
    ("12 500.000", ()),
    ("12 500 000.5", ()),
    ("2 triệu 500", ()),  # 2 500 000 or 2 000 500?
    ("1 triệu 2 tỷ", ()),
    ("1 tỷ 1500 triệu", ()),
    ("1,5 tỷ 200 triệu", ()),
])
def test_a_number_that_could_mean_two_things_is_ambiguous(typed, meanings):
    reading = read_amount(typed)
    assert reading.problem == AMBIGUOUS and reading.value is None
    assert reading.meanings == meanings


@pytest.mark.parametrize("typed", ["abc", "khoảng 5 triệu", "trên 100", "5 USD", "100%", "12.500.000,-", ",5", "5,",
                                   "12.500.000.", "1/2", "(5.000)", "5 triệu triệu", "50 trđ đồng", "đồng", "+5",
                                   "5 người", "1e6", "١٢", True, False, date(2026, 3, 1), datetime(2026, 3, 1),
                                   float("inf"), complex(1, 1)])
def test_what_is_not_a_number_is_invalid(typed):
    reading = read_amount(typed)
    assert reading.problem == INVALID and reading.value is None


@pytest.mark.parametrize("typed", [None, "", "   ", "\u00a0", "\u200b", float("nan")])
def test_an_empty_cell_is_empty(typed):
    reading = read_amount(typed)
    assert reading.ok and reading.empty and reading.value is None


@pytest.mark.parametrize(("typed", "value"), [
    ("120", 120), ("120 người", 120), ("1.200", 1200), ("1 200 người", 1200), ("120 lượt người", 120),
    ("1,2 nghìn người", 1200), ("120,0", 120), (120, 120), (120.0, 120), ("2026", 2026),
])
def test_whole_counts(typed, value):
    reading = read_count(typed)
    assert reading.ok and reading.value == value and isinstance(reading.value, int)


@pytest.mark.parametrize(("typed", "problem"), [
    ("1,5", NOT_WHOLE), (12.7, NOT_WHOLE), ("1,5 người", NOT_WHOLE), ("1.5", AMBIGUOUS), ("120 đồng", INVALID),
    ("-5", NEGATIVE), (-5, NEGATIVE), ("−1.200", NEGATIVE), ("mười", INVALID),
])
def test_counts_refuse_fractions_and_money(typed, problem):
    assert read_count(typed).problem == problem


def test_a_plain_number_takes_no_unit_word():
    assert read_number("5 đồng").problem == INVALID and read_number("5").value == 5
    assert read_number("1,5").value == 1.5


def test_messages_quote_the_value_and_say_how_to_retype_it():
    code, message = problem_message(read_amount("350.5"), "Nguồn lực huy động")
    assert code == "number-ambiguous"
    assert "“350.5”" in message and "350,5 hoặc 3.505" in message
    assert "12.500.000" in message and "12,5 triệu" in message
    code, message = problem_message(read_amount("1,234.5"), "Nguồn lực huy động")
    assert code == "number-ambiguous" and "“1,234.5”" in message
    code, message = problem_message(read_amount("nhiều"), "Nguồn lực huy động")
    assert code == "value-invalid" and "“nhiều”" in message and "phải là số tiền" in message
    code, message = problem_message(read_count("1,5"), "Số người tham gia")
    assert code == "value-invalid" and "số nguyên" in message and "“1,5”" in message
    code, message = problem_message(read_count("-3"), "Số người tham gia")
    assert code == "value-invalid" and "âm" in message


def test_shown_the_vietnamese_way():
    assert [shown(x) for x in (0, 350, 3505, 12500000, 12500000.5, 0.05)] == [
        "0", "350", "3.505", "12.500.000", "12.500.000,5", "0,05"]


# --- properties ---------------------------------------------------------------------------------

SPACES = ["\u0020", "\u00a0", "\u2009", "\u202f"]
CURRENCIES = ["", " đồng", " đ", "đ", " VNĐ", " VND", " vnđ", " Đồng"]
MULTIPLIERS = [(10**9, "tỷ"), (10**9, "tỉ"), (10**6, "triệu"), (10**6, "tr"), (10**3, "nghìn"), (10**3, "ngàn"),
               (10**3, "k")]


def _grouped(whole: int, separator: str) -> str:
    return f"{whole:,}".replace(",", separator)


def _fraction(amount: Decimal) -> str:
    """The decimals of ``amount`` after the comma ('' if whole); three digits get a 0 (three are ambiguous)."""
    digits = format(amount.normalize(), "f").partition(".")[2]
    return digits + "0" if len(digits) == 3 else digits


def _expected(amount: Decimal) -> int | float:
    return int(amount) if amount == amount.to_integral_value() else float(amount)


@st.composite
def written(draw):
    """(an amount 0 … 10^13 with up to two decimals, the way a unit could write it)."""
    cents = draw(st.integers(0, 10**15))
    if draw(st.booleans()):
        cents -= cents % 100  # many amounts are whole
    amount = Decimal(cents) / 100
    style = draw(st.sampled_from(["dots", "spaces", "plain", "multiplier", "parts"]))
    if style == "multiplier":
        size, word = draw(st.sampled_from(MULTIPLIERS))
        scaled = amount / size
        whole, fraction = int(scaled), _fraction(scaled - int(scaled))
        number = _grouped(whole, ".") + (f",{fraction}" if fraction else "")
        text = number + draw(st.sampled_from(["", " "])) + word
    elif style == "parts" and cents % 100_000 == 0 and cents:
        whole, parts = int(amount), []
        for size, word in ((10**9, "tỷ"), (10**6, "triệu"), (10**3, "nghìn")):
            count, whole = divmod(whole, size)
            if count:
                parts.append(f"{_grouped(count, '.')} {word}")
        text = " ".join(parts)
    else:
        separator = {"dots": ".", "spaces": draw(st.sampled_from(SPACES))}.get(style, "")
        whole, fraction = int(amount), _fraction(amount - int(amount))
        if draw(st.booleans()) and not fraction:
            fraction = draw(st.sampled_from(["", "0", "00"]))
        text = _grouped(whole, separator) + (f",{fraction}" if fraction else "")
    return amount, text + draw(st.sampled_from(CURRENCIES))


@PROPERTY
@given(written())
def test_any_amount_written_in_an_accepted_style_reads_back(case):
    amount, typed = case
    reading = read_amount(typed)
    assert reading.ok, (typed, reading)
    assert reading.value == _expected(amount), typed


@PROPERTY
@given(st.integers(0, 10**13), st.integers(0, 99))
def test_numbers_from_excel_cells_are_taken_as_they_are(whole, cents):
    assert read_amount(whole).value == whole
    number = whole + cents / 100
    assert read_amount(number).value == number


@PROPERTY
@given(st.integers(1000, 10**13), st.integers(1, 99))
def test_english_style_amounts_are_never_guessed(whole, cents):
    english = f"{whole:,}.{cents:02d}"
    assert read_amount(english).problem == AMBIGUOUS


@PROPERTY
@given(st.integers(0, 10**6), st.integers(1, 9), st.integers(0, 99))
def test_a_single_dot_before_one_or_two_digits_is_ambiguous(whole, digit, more):
    for decimals in (str(digit), f"{more:02d}"):
        reading = read_amount(f"{whole}.{decimals}")
        assert reading.problem == AMBIGUOUS and reading.value is None


@PROPERTY
@given(st.text(max_size=30))
def test_junk_never_raises(junk):
    for read in (read_amount, read_count, read_number):
        reading = read(junk)
        assert reading.ok or reading.problem in (INVALID, AMBIGUOUS, NOT_WHOLE, NEGATIVE)
        assert reading.ok or reading.value is None


@PROPERTY
@given(st.text(alphabet="0123456789.,  \u00a0-", max_size=20),
       st.sampled_from(["", " tỷ", " triệu", " đ", " đồng", " người", "k"]))
def test_number_shaped_junk_never_raises(junk, word):
    reading = read_amount(junk + word)
    assert reading.ok or reading.problem in (INVALID, AMBIGUOUS, NEGATIVE)
    if reading.ok and reading.value is not None:
        assert reading.value >= 0
