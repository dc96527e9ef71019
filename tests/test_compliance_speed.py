"""The hot spots of ``dvk compliance`` made fast give exactly what the plain versions gave."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from dvk_xl.core import text
from dvk_xl.master.book import records
from dvk_xl.spec.forms import DEFAULT_LISTS

cells = st.one_of(st.none(), st.text(max_size=8), st.integers(-10**6, 10**6), st.floats(allow_nan=True),
                  st.booleans(), st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2100, 1, 1)))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(cells, min_size=3, max_size=3), max_size=6))
def test_records_equal_to_dict(rows):
    frame = pd.DataFrame(rows, columns=["a", "b", "c"])  # pandas infers each column's dtype, as from rows read
    expected = frame.to_dict("records")
    got = records(frame)
    assert len(got) == len(expected)
    for mine, theirs in zip(got, expected, strict=True):
        assert mine.keys() == theirs.keys()
        for key in mine:
            a, b = mine[key], theirs[key]
            assert type(a) is type(b) and (a == b or (a != a and b != b)), (key, a, b)


def plain_choice(value, choices):
    key = text.fold(value)
    return next((c for c in choices if text.fold(c) == key), None)


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.none(), st.sampled_from([*DEFAULT_LISTS["kinds"], *DEFAULT_LISTS["fields"], " mới ", "MỚI",
                                             "Văn hoá - xã hội", "Kinh tế"]), st.text(max_size=6)),
       st.sampled_from([DEFAULT_LISTS["kinds"], DEFAULT_LISTS["fields"], ["a", "A", "b"], []]))
def test_canonical_choice_is_the_first_equal_value(value, choices):
    assert text.canonical_choice(value, choices) == plain_choice(value, choices)
    assert text.canonical_choice(value, [[1], *choices]) == plain_choice(value, [[1], *choices])  # unhashable


def test_fold_of_text_and_of_other_values():
    assert text.fold("  Văn hóa –  xã hội ") == text.fold("văn hoá - xã hội") == "văn hoá - xã hội"
    assert text.fold(None) == "" and text.fold(2026) == "2026" and text.fold(float("nan")) == ""
