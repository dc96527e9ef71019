"""The one reader of every number a unit or staff member types: money, counts of people, years.

A cell holds either a number (calamine and openpyxl give int or float) or text. Numbers are taken as
they are (a bool is not a number; NaN is an empty cell). Text is read by the rules below, which
are Vietnamese usage: the dot groups thousands, the comma starts the decimals. A text that looks
like a number but could mean two different amounts is AMBIGUOUS and is never guessed: the unit is
asked to retype it. A text that is not a number at all is INVALID.

Text, after trimming (any kind of space: normal, non-breaking, thin; case and diacritics ignored):

    [-] NUMBER [MULTIPLIER] [NUMBER MULTIPLIER]... [UNIT]

NUMBER (digits 0-9 with separators; it starts and ends with a digit):

1. Plain digits: ``12500000``.
2. Grouping: dots, or spaces, between groups of exactly three digits after a first group of one to
   three digits that does not start with 0: ``12.500.000``, ``12 500 000``, ``1.200``. Commas group
   thousands only when there are two or more of them: ``1,234,567``.
3. Decimal comma: one comma after plain or grouped digits, followed by 1, 2 or 4 and more digits:
   ``1,5``, ``12,50``, ``12.500.000,5``, ``12 500 000,50``.
4. AMBIGUOUS, never guessed:
   - a single dot that is not grouping (``350.5``, ``12.50``, ``1.2345``, ``0.500``): an English
     decimal point or a slip in the grouping? The dot is never read as a decimal point;
   - a single comma followed by exactly three digits (``350,000``, ``1.234,567``, ``1,234 tỷ``): a
     decimal comma or English grouping? Write ``350.000`` or ``350,0``, ``1,2340 tỷ``;
   - dots and commas in any other mix (``1,234.5``, ``1.234,5.6``, ``1,2.3``), grouping with a
     group that is not three digits (``12.50.000``, ``1 5``), dots and spaces both grouping.
5. Anything else (letters other than the words below, ``%``, ``/``, brackets, a trailing
   separator, two numbers in a row without a multiplier between them...) is INVALID.

MULTIPLIER: ``tỷ``/``tỉ`` = 10^9, ``triệu``/``tr`` = 10^6, ``nghìn``/``ngàn``/``k`` = 10^3; a multiplier
and its unit may be typed together (``50trđ`` is ``50 triệu đồng``). ``1,5 tỷ`` = 1 500 000 000. Several parts must go down in size, each part after the
first a whole number below 1 000, and every part has its multiplier: ``1 tỷ 500 triệu`` =
1 500 000 000; ``2 triệu 500`` (2 500 000 or 2 000 500?) is AMBIGUOUS.

UNIT, last and optional: money takes ``đồng``, ``đ``, ``VNĐ``, ``VND``; counts take ``người``,
``lượt``, ``lượt người``; a plain number takes none.

A leading minus gives the reason NEGATIVE (no amount or count here is negative). A whole-number
reader (people, years, counts) gives NOT_WHOLE for a fraction (``1,5``, or 12.7 in a number cell).
"""

from __future__ import annotations

import numbers
import re
from datetime import date, datetime, time
from decimal import Decimal
from functools import lru_cache
from typing import Any, Literal, NamedTuple

from . import text

Kind = Literal["amount", "count", "plain"]

INVALID, AMBIGUOUS, NOT_WHOLE, NEGATIVE = "invalid", "ambiguous", "not-whole", "negative"

MULTIPLIERS = {"ty": 10**9, "ti": 10**9, "trieu": 10**6, "tr": 10**6, "nghin": 10**3, "ngan": 10**3, "k": 10**3}
UNITS: dict[str, frozenset[str]] = {
    "amount": frozenset({"dong", "d", "vnd"}),
    "count": frozenset({"nguoi", "luot", "luot nguoi"}),
    "plain": frozenset(),
}

# A number token: digits, separators, and single spaces between digits ("12 500 000").
_TOKEN = re.compile(r"(?P<num>[0-9](?:[0-9.,]| (?=[0-9]))*)|(?P<word>[^\W\d_]+)|(?P<other>\S)")
# Plain or dot-grouped digits, with a decimal comma not followed by exactly three digits (rules 1-3).
_NUMBER = r"\s*((?:[1-9][0-9]{0,2}(?:\.[0-9]{3})+)|[0-9]+)(?:,([0-9]{1,2}|[0-9]{4,}))?\s*"
_COMMON = {"plain": re.compile(_NUMBER), "count": re.compile(_NUMBER),
           "amount": re.compile(_NUMBER + r"(?i:(?:đồng|đ|vnđ|vnd)?)\s*")}
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))
_MINUS = ("-", "\u2212", "\u2013")


class Reading(NamedTuple):
    """What a cell holds: its value (int, or float when it has decimals), nothing, or a problem.

    ``value`` is set only when the cell was read without a problem; ``meanings`` are the two
    amounts an ambiguous text could be, when there are exactly two.
    """

    value: int | float | None = None
    problem: str | None = None
    source: str = ""
    meanings: tuple[int | float, ...] = ()
    kind: Kind = "plain"

    @property
    def ok(self) -> bool:
        return self.problem is None

    @property
    def empty(self) -> bool:
        return self.problem is None and self.value is None


def read_amount(value: Any) -> Reading:
    """Money in đồng: ``12.500.000``, ``12.500.000,50``, ``1,5 tỷ đồng``, ``350.000 đ``."""
    return read_number(value, "amount")


def read_count(value: Any) -> Reading:
    """A whole number (people, years, counts): ``120 người``, ``1.200``; a fraction is NOT_WHOLE."""
    return read_number(value, "count", whole=True)


def read_number(value: Any, kind: Kind = "plain", whole: bool = False) -> Reading:
    """Read one cell value by the rules of this module."""
    reading = _read(value, kind, whole)
    return reading if reading.kind == kind else reading._replace(kind=kind)


def _read(value: Any, kind: Kind, whole: bool) -> Reading:
    if type(value) is str and (match := _COMMON[kind].fullmatch(value)):  # most cells: no need for the full grammar
        digits, fraction = match.group(1).replace(".", ""), match.group(2)
        if not fraction or not fraction.strip("0"):
            return Reading(int(digits), source=value.strip())
        return Reading(problem=NOT_WHOLE, source=value.strip()) if whole else \
            Reading(float(f"{digits}.{fraction}"), source=value.strip())
    if type(value) is int:
        return _checked(value, str(value), whole)
    if value is None or isinstance(value, bool):
        return Reading() if value is None else Reading(problem=INVALID, source=str(value))
    if isinstance(value, numbers.Number) and not isinstance(value, numbers.Real):
        return Reading(problem=INVALID, source=str(value))  # complex
    if isinstance(value, numbers.Integral):
        return _checked(int(value), str(value), whole)
    if isinstance(value, numbers.Real):
        number = float(value)
        if number != number:
            return Reading()
        if number in (float("inf"), float("-inf")):
            return Reading(problem=INVALID, source=str(value))
        return _checked(int(number) if number.is_integer() else number, shown(number), whole)
    if isinstance(value, date | datetime | time):
        return Reading() if value != value else Reading(problem=INVALID, source=str(value))  # NaT is empty
    return _read_text(str(value), kind, whole)


def _checked(number: int | float, source: str, whole: bool) -> Reading:
    if number < 0:
        return Reading(problem=NEGATIVE, source=source)
    if whole and isinstance(number, float):
        return Reading(problem=NOT_WHOLE, source=source)
    return Reading(number, source=source)


@lru_cache(maxsize=1 << 14)
def _read_text(raw: str, kind: Kind, whole: bool) -> Reading:
    source = text.clean(raw.translate(_INVISIBLE))
    if not source:
        return Reading()
    folded = source.lower()
    if folded.startswith("'"):  # an apostrophe typed to keep the cell as text
        folded = folded[1:].lstrip()
    negative = folded.startswith(_MINUS)
    if negative:
        folded = folded[1:].lstrip()
    tokens = [(m.lastgroup, _fold_word(m.group()) if m.lastgroup == "word" else m.group())
              for m in _TOKEN.finditer(folded)]
    parsed = _parse(tokens, UNITS[kind])
    if isinstance(parsed, str):
        return Reading(problem=parsed, source=source, kind=kind)
    if isinstance(parsed, tuple):
        return Reading(problem=AMBIGUOUS, source=source, meanings=tuple(_plain(m) for m in parsed), kind=kind)
    number = _plain(parsed)
    if negative and number != 0:
        return Reading(problem=NEGATIVE, source=source, kind=kind)
    if whole and isinstance(number, float):
        return Reading(problem=NOT_WHOLE, source=source, kind=kind)
    return Reading(number, source=source, kind=kind)


@lru_cache(maxsize=1024)
def _fold_word(word: str) -> str:
    """A word without diacritics, lower case: “Đồng” -> “dong” (few distinct words: cached)."""
    return text.unaccent(word).lower()


def _plain(number: Decimal) -> int | float:
    return int(number) if number == number.to_integral_value() else float(number)


def _parse(tokens: list[tuple[str | None, str]], units: frozenset[str]) -> Decimal | tuple[Decimal, ...] | str:
    """The amount, or its two meanings (a tuple) when ambiguous, or INVALID / AMBIGUOUS."""
    tokens = [split for token in tokens for split in _glued(token, units)]
    parts: list[tuple[str, int | None]] = []
    position = 0
    while position < len(tokens) and tokens[position][0] == "num":
        number, multiplier = tokens[position][1], None
        position += 1
        if position < len(tokens) and tokens[position][1] in MULTIPLIERS:
            multiplier = MULTIPLIERS[tokens[position][1]]
            position += 1
        parts.append((number, multiplier))
    rest = tokens[position:]
    if not parts or any(kind != "word" for kind, _ in rest):
        return INVALID
    unit = " ".join(word for _, word in rest)
    if unit and unit not in units:
        return INVALID
    if any(number.endswith((".", ",")) for number, _ in parts):
        return INVALID
    readings = [_number_token(number) for number, _ in parts]
    if len(parts) == 1:
        reading, multiplier = readings[0], parts[0][1] or 1
        if isinstance(reading, tuple):
            return tuple(m * multiplier for m in reading)
        return reading if isinstance(reading, str) else reading * multiplier
    # Several parts: "1 tỷ 500 triệu". Every part whole, with its multiplier, going down in size.
    total, previous = Decimal(0), None
    for (_, multiplier), reading in zip(parts, readings, strict=True):
        if not isinstance(reading, Decimal) or multiplier is None or reading != reading.to_integral_value():
            return AMBIGUOUS
        if previous is not None and (multiplier >= previous or reading >= 1000):
            return AMBIGUOUS
        total += reading * multiplier
        previous = multiplier
    return total


def _glued(token: tuple[str | None, str], units: frozenset[str]) -> list[tuple[str | None, str]]:
    """A multiplier and a unit typed without a space ("trđ", "tỷđồng") as two words."""
    kind, word = token
    if kind == "word" and word not in MULTIPLIERS and word not in units:
        for size in sorted(MULTIPLIERS, key=len, reverse=True):
            if word.startswith(size) and word[len(size):] in units:
                return [("word", size), ("word", word[len(size):])]
    return [token]


def _grouped(groups: list[str]) -> bool:
    """Thousands grouping: 1-3 digits not starting with 0 ("0.500" is not 500), then groups of exactly 3."""
    head, rest = groups[0], groups[1:]
    return (bool(rest) and head.isdigit() and 1 <= len(head) <= 3 and head[0] != "0"
            and all(len(g) == 3 and g.isdigit() for g in rest))


def _decimal(whole: str, fraction: str) -> Decimal | tuple[Decimal, Decimal] | str:
    """``whole`` (digits) with a decimal comma and ``fraction``; three digits after it are ambiguous."""
    if not fraction.isdigit():
        return AMBIGUOUS
    if len(fraction) == 3:
        return (Decimal(f"{whole}.{fraction}"), Decimal(whole + fraction))
    return Decimal(f"{whole}.{fraction}")


def _number_token(token: str) -> Decimal | tuple[Decimal, Decimal] | str:
    """One NUMBER token (rules 1-4 of the module docstring)."""
    if " " in token:
        if "." in token:
            return AMBIGUOUS
        head, _, fraction = token.partition(",")
        groups = head.split(" ")
        if not _grouped(groups):
            return AMBIGUOUS
        return _decimal("".join(groups), fraction) if fraction else Decimal("".join(groups))
    dots, commas = token.count("."), token.count(",")
    if not dots and not commas:
        return Decimal(token)
    if not commas:
        groups = token.split(".")
        if _grouped(groups):
            return Decimal("".join(groups))
        if dots == 1 and all(groups):
            return (Decimal(token), Decimal("".join(groups)))
        return AMBIGUOUS
    if not dots:
        groups = token.split(",")
        if commas == 1:
            return _decimal(*groups) if groups[0] else AMBIGUOUS
        return Decimal("".join(groups)) if _grouped(groups) else AMBIGUOUS
    head, _, fraction = token.partition(",")
    if commas == 1 and "." not in fraction and _grouped(head.split(".")):
        return _decimal(head.replace(".", ""), fraction)
    return AMBIGUOUS


# --- messages ---------------------------------------------------------------------------------


def shown(number: int | float) -> str:
    """A number as Vietnamese write it: 12.500.000,5."""
    whole = int(number)
    fraction = f"{number:.10f}".rstrip("0").split(".")[1] if isinstance(number, float) else ""
    grouped = f"{whole:,}".replace(",", ".")
    return f"{grouped},{fraction}" if fraction else grouped


def problem_message(reading: Reading, label: str, example: str | None = None) -> tuple[str, str]:
    """(finding code, Vietnamese message) for a reading with a problem, for the column ``label``."""
    quoted = f"“{reading.source[:40]}”"
    if reading.kind == "amount":
        example, expected = example or "12.500.000 hoặc 12,5 triệu", "số tiền"
    elif reading.kind == "count":
        example, expected = example or "1.200", "số nguyên"
    else:
        example, expected = example or "1", "số"
    if reading.problem == AMBIGUOUS:
        if len(reading.meanings) == 2:
            doubt = f"có thể hiểu là {shown(reading.meanings[0])} hoặc {shown(reading.meanings[1])}"
        else:
            doubt = "không rõ dấu chấm, dấu phẩy nào ngăn cách hàng nghìn, dấu nào trước phần thập phân"
        return "number-ambiguous", (f"“{label}” ghi {quoted}: {doubt}; nhập lại cho rõ (dấu chấm ngăn cách hàng "
                                    f"nghìn, dấu phẩy trước phần thập phân), ví dụ {example}")
    if reading.problem == NOT_WHOLE:
        return "value-invalid", f"“{label}” phải là số nguyên nhưng ô ghi {quoted}; nhập số nguyên, ví dụ {example}"
    if reading.problem == NEGATIVE:
        return "value-invalid", f"“{label}” không được là số âm nhưng ô ghi {quoted}; nhập {expected} không âm, ví dụ {example}"
    return "value-invalid", f"“{label}” phải là {expected}, ví dụ {example}, nhưng ô ghi {quoted}"
