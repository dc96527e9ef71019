"""Vietnamese text as people type it: normalised, compared without case, old/new tone placement."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Old-style tone placement ("hoá", "thuỷ") and new-style ("hóa", "thủy") are both in daily use.
# We compare in one canonical spelling: the tone mark on the second vowel of oa/oe/uy clusters.
_TONE_VARIANTS = {
    "òa": "oà", "óa": "oá", "ỏa": "oả", "õa": "oã", "ọa": "oạ",
    "òe": "oè", "óe": "oé", "ỏe": "oẻ", "õe": "oẽ", "ọe": "oẹ",
    "ùy": "uỳ", "úy": "uý", "ủy": "uỷ", "ũy": "uỹ", "ụy": "uỵ",
}
_TONE_PATTERN = re.compile("|".join(_TONE_VARIANTS))
_SPACES = re.compile(r"\s+")


def clean(value: object) -> str:
    """Text of a cell: NFC, spaces collapsed, trimmed. None becomes ''."""
    if type(value) is str:  # the common case first: a check reads hundreds of thousands of cells
        return _clean_text(value)
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return _clean_text(value if isinstance(value, str) else str(value))


@lru_cache(maxsize=1 << 16)
def _clean_text(text: str) -> str:
    if type(text) is str and is_clean(text):  # most cells: checked several times faster than cleaned
        return text
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text)).strip()


def is_clean(text: str) -> bool:
    """True when ``clean(text) == text``: NFC, no whitespace but single spaces, none at either end.

    Then cleaning changes nothing: NFC is kept, each run of whitespace is one space already, nothing
    to trim. ``isprintable`` is False for every whitespace character but the space.
    """
    return (text.isprintable() and "  " not in text and text[:1] != " " and text[-1:] != " "
            and unicodedata.is_normalized("NFC", text))


@lru_cache(maxsize=1 << 16)
def _fold_text(text: str) -> str:
    text = text.replace("–", "-").replace("—", "-").replace("“", '"').replace("”", '"')
    text = re.sub(r"\s*-\s*", " - ", text)
    return _TONE_PATTERN.sub(lambda m: _TONE_VARIANTS[m.group(0)], text)


def fold(value: object) -> str:
    """A comparison key: cleaned, lower case, one tone placement, ASCII quotes and dashes."""
    if type(value) is str:
        return _fold_str(value)
    return _fold_text(clean(value).lower())


@lru_cache(maxsize=1 << 16)
def _fold_str(value: str) -> str:
    return _fold_text(_clean_text(value).lower())


_COMBINING = dict.fromkeys(range(0x300, 0x370))  # U+0300–U+036F, every one a nonspacing mark (Mn): Vietnamese tones


def unaccent(value: object) -> str:
    """Vietnamese without diacritics: "Đảng ủy" -> "Dang uy"."""
    text = unicodedata.normalize("NFD", clean(value)).replace("đ", "d").replace("Đ", "D").translate(_COMBINING)
    if text.isascii():  # Vietnamese: its marks were all in that block
        return text
    return "".join(ch for ch in text if unicodedata.category(ch) != "Mn")


def file_slug(value: object) -> str:
    """A file-name part without accents: "Chi bộ Khu dân cư số 1" -> "Chi_bo_Khu_dan_cu_so_1"."""
    return re.sub(r"[^A-Za-z0-9]+", "_", unaccent(value)).strip("_")


@lru_cache(maxsize=1 << 16)
def similarity_key(value: object) -> str:
    """A loose key for spotting the same model under slightly different names."""
    text = unaccent(fold(value)).lower()
    text = re.sub(r"[^a-z0-9 ]+", " ", text)
    stop = {"mo", "hinh", "dan", "van", "kheo", "cua", "va", "trong", "voi"}
    return " ".join(word for word in text.split() if word not in stop)


def canonical_choice(value: object, choices: list[str]) -> str | None:
    """The list value the text means (case, spaces, tone placement forgiven), or None."""
    try:
        return _choice_index(tuple(choices)).get(fold(value))
    except TypeError:  # a list holding something unhashable: compared one by one
        key = fold(value)
        return next((choice for choice in choices if fold(choice) == key), None)


@lru_cache(maxsize=256)
def _choice_index(choices: tuple[str, ...]) -> dict[str, str]:
    """Folded value -> the first list value with that fold (a check asks about the same short lists 100,000 times)."""
    index: dict[str, str] = {}
    for choice in choices:
        index.setdefault(fold(choice), choice)
    return index
