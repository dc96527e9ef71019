"""The merge's faster paths give what the plain ones gave: fingerprints, records, archive copies on a thread."""

from __future__ import annotations

import errno
import hashlib
import os
import shutil
import unicodedata
from datetime import date, datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dvk_xl.core import text
from dvk_xl.intake import archive_copies, chunks, pipeline
from dvk_xl.intake.consolidation import consolidate
from dvk_xl.intake.state import fingerprint
from dvk_xl.master.book import open_master, read_form_table
from dvk_xl.spec.forms import INTAKE_LOG

from .conftest import GOOD_MODEL, NEW_MODEL, model

NOW = datetime(2026, 3, 5, 9, 0)


def _plain_fingerprint(values) -> str:
    """``fingerprint`` as it was: every value through ``text.clean``."""
    parts = []
    for value in values:
        if isinstance(value, datetime):
            value = value.date()
        if isinstance(value, date):
            parts.append(value.isoformat())
        elif isinstance(value, float) and value.is_integer():
            parts.append(str(int(value)))
        else:
            parts.append(text.clean(value))
    return hashlib.sha1("\x1f".join(parts).encode()).hexdigest()[:10]


# Texts as units type them: Vietnamese in composed and decomposed form, every kind of whitespace.
_PIECES = list("aAđĐ ủy hoá\u0301\u0300\u0323 \t\n\r\u00a0\u2003\u200b\u3000\x1f.-–") + ["e\u0302\u0301", "o\u031b", "  "]
_TEXTS = st.one_of(st.lists(st.sampled_from(_PIECES), max_size=20).map("".join), st.text(max_size=10))
_VALUES = st.one_of(_TEXTS, st.none(), st.integers(-5, 3000), st.floats(allow_nan=True), st.booleans(),
                    st.dates(), st.datetimes())


@settings(max_examples=200, deadline=None)
@given(_TEXTS)
def test_a_text_is_clean_when_cleaning_changes_nothing(value):
    plain = text._SPACES.sub(" ", unicodedata.normalize("NFC", value)).strip()  # text.clean without its shortcut
    assert text.clean(value) == plain and type(text.clean(value)) is str
    if text.is_clean(value):  # enough, not needed: a zero-width or control character is cleaned, to be sure
        assert plain == value
    if plain.isprintable():
        assert text.is_clean(plain)


@settings(max_examples=200, deadline=None)
@given(st.lists(_VALUES, max_size=8))
def test_the_fingerprint_is_the_plain_one(values):
    assert fingerprint(values) == _plain_fingerprint(values)


def test_the_fingerprint_of_a_typed_row_is_unchanged():
    row = ["Tổ dân phố  văn minh ", "Cá nhân", None, date(2026, 3, 1), datetime(2026, 3, 1, 8, 0), 2026, 3.0, 2.5,
           "Hoá\u0301", "x\ty"]
    assert fingerprint(row) == _plain_fingerprint(row)


def _consolidated(returned, tmp_path: Path, name: str, mode: str, monkeypatch) -> tuple[Path, object]:
    folder = tmp_path / name
    shutil.copytree(returned.master.parent, folder / "master",
                    ignore=shutil.ignore_patterns("inbox", "inline", "thread", "chunks", "run"))
    shutil.copytree(returned.inbox, folder / "inbox")
    monkeypatch.setattr(pipeline, "ARCHIVE_THREAD_FROM", 10_000 if mode == "inline" else 1)
    monkeypatch.setattr(chunks, "CHUNK_FILES", 1 if mode == "chunks" else 500)  # chunks: copies queued as read
    master = folder / "master" / returned.master.name
    return master, consolidate(master, folder / "inbox", workers=1, now=NOW)


def _inbox(returned):
    first = returned("CB01", [GOOD_MODEL, NEW_MODEL], name="CB01_cu.xlsx", received=datetime(2026, 3, 1, 8, 0))
    returned("CB02", [model(name="Tổ dân phố văn minh")])
    returned("CB03", [model(NEW_MODEL, launch_date="xx")])  # refused: archived all the same
    shutil.copy2(first, returned.inbox / "CB01_ban_sao.xlsx")  # the same bytes twice: one archive copy


@pytest.mark.parametrize("mode", ["thread", "chunks"])
def test_copies_on_a_thread_archive_and_log_what_copies_inline_do(returned, tmp_path, monkeypatch, mode):
    _inbox(returned)
    inline_master, inline = _consolidated(returned, tmp_path, "inline", "inline", monkeypatch)
    master, report = _consolidated(returned, tmp_path, mode, mode, monkeypatch)
    assert report.as_json().replace(f"/{mode}/", "/inline/") == inline.as_json()
    logs = [read_form_table(open_master(m), INTAKE_LOG).to_dict("list") for m in (inline_master, master)]
    assert logs[0] == logs[1]
    archived = sorted(p.name for p in (master.parent / "LuuTru" / "TepNhan").iterdir())
    assert archived == sorted({Path(a).name for a in logs[1]["archive"]}) and len(archived) == 3
    for name, digest in zip(logs[1]["file"], logs[1]["sha256"], strict=True):
        copy = master.parent / "LuuTru" / "TepNhan" / f"{digest}.xlsx"
        assert hashlib.sha256(copy.read_bytes()).hexdigest() == digest
        assert copy.read_bytes() == (tmp_path / mode / "inbox" / name).read_bytes()


@pytest.mark.parametrize("mode", ["inline", "thread", "chunks"])
def test_a_failed_copy_stops_the_run_before_the_master_is_saved(returned, tmp_path, monkeypatch, mode):
    _inbox(returned)
    real = pipeline.copy_to_archive

    def copy(source, target):
        if "CB02" in Path(source).name:
            raise OSError(28, "No space left on device")
        return real(source, target)

    folder = tmp_path / "run"
    shutil.copytree(returned.master.parent, folder / "master", ignore=shutil.ignore_patterns("inbox", "run"))
    shutil.copytree(returned.inbox, folder / "inbox")
    monkeypatch.setattr(pipeline, "copy_to_archive", copy)
    monkeypatch.setattr(pipeline, "ARCHIVE_THREAD_FROM", 10_000 if mode == "inline" else 1)
    monkeypatch.setattr(chunks, "CHUNK_FILES", 1 if mode == "chunks" else 500)
    master = folder / "master" / returned.master.name
    before = master.read_bytes()
    with pytest.raises(OSError, match="No space left"):
        consolidate(master, folder / "inbox", workers=1, now=NOW)
    assert master.read_bytes() == before


@pytest.mark.parametrize("refused", [None, errno.EINVAL, errno.ENOSPC])
def test_an_archive_copy_is_the_files_bytes(tmp_path, monkeypatch, refused):
    source = tmp_path / "a.xlsx"
    source.write_bytes(bytes(range(256)) * 300)
    target = tmp_path / "archive" / "abc.xlsx"
    target.parent.mkdir()
    if refused:  # sendfile refused at once: copied by shutil.copyfile; a full disk is reported, named alike
        def sendfile(*args):
            raise OSError(refused, os.strerror(refused))
        monkeypatch.setattr(archive_copies.os, "sendfile", sendfile)
    if refused == errno.ENOSPC:
        with pytest.raises(OSError, match="No space left") as raised:
            archive_copies.copy_to_archive(source, target)
        assert raised.value.filename == str(source) and raised.value.filename2 == f"{target}.tmp"
        assert not target.exists()
        return
    archive_copies.copy_to_archive(source, target)
    assert target.read_bytes() == source.read_bytes() and not Path(f"{target}.tmp").exists()
    source.write_bytes(b"changed")  # an archive copy is never replaced: it is named after its bytes
    archive_copies.copy_to_archive(source, target)
    assert target.read_bytes() == bytes(range(256)) * 300


def _same(a, b) -> bool:
    """Equal records, NaN equal to NaN, each value of the same type."""
    def key(value):
        return (type(value), "nan" if value != value else value)  # noqa: PLR0124 - NaN test
    return [list(r) for r in a] == [list(r) for r in b] and \
        [[key(v) for v in r.values()] for r in a] == [[key(v) for v in r.values()] for r in b]


def test_records_are_the_frames_to_dict_records():
    import numpy as np
    import pandas as pd

    from dvk_xl.intake.chunks import records

    frame = pd.DataFrame({
        "text": ["a", None, "c", float("nan")],
        "typed": [date(2026, 3, 1), 120, np.float64(2.5), pd.NA],
        "mixed": [np.int64(3), True, datetime(2026, 1, 1, 8, 0), pd.Timestamp("2026-01-02")],
        "_file": [0, 0, 1, 2],
        "_row": [5, 6, 5, 7],
        "amount": [1.5, float("nan"), 3.0, 4.0],
        "when": pd.to_datetime(["2026-01-01", None, "2026-02-01", "2026-03-01"]),
        "_unit": pd.array(["CB01", None, "CB02", "CB03"], dtype="str"),
        "flag": [True, False, True, False],
    })
    assert _same(records(frame), frame.to_dict("records"))
    assert records(frame.iloc[0:0]) == frame.iloc[0:0].to_dict("records") == []


@settings(max_examples=200, deadline=None)
@given(st.one_of(_TEXTS, st.text(max_size=12), st.sampled_from(["Đảng ủy", "Thủy lợi hoá", "Nguyễn Thị Ánh", "ǅ\u20d0x"])))
def test_unaccent_drops_every_nonspacing_mark_as_before(value):
    decomposed = unicodedata.normalize("NFD", text.clean(value)).replace("đ", "d").replace("Đ", "D")
    assert text.unaccent(value) == "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
