"""A large inbox read and checked in chunks gives exactly what one pass over all its files gives."""

from __future__ import annotations

import shutil
from datetime import datetime

import pytest

from dvk_xl.intake import chunks
from dvk_xl.intake.consolidation import check_files, consolidate
from dvk_xl.intake.reading import read_returned
from dvk_xl.master.book import open_master, read_form_table
from dvk_xl.spec.forms import INTAKE_LOG, REGISTER, SUBMISSIONS

from .conftest import GOOD_MODEL, NEW_MODEL, model

NOW = datetime(2026, 3, 5, 9, 0)


def _inbox(returned):
    """Files whose findings look across files and chunks: similar models of other units, an older and a
    newer file of one unit, errors, a duplicate row, a file of an unknown unit."""
    returned("CB01", [GOOD_MODEL, NEW_MODEL], name="CB01_cu.xlsx", received=datetime(2026, 3, 1, 8, 0))
    returned("CB02", [model(name="Tổ dân phố văn minh"), model(NEW_MODEL, start_year=2024)])
    returned("CB03", [model(name=GOOD_MODEL[0] + " "), model(name="Sân chơi cho thiếu nhi")])
    returned("CB04", [model(name="Sân chơi cho thiếu nhi."), model(name="Sân chơi cho thiếu nhi.")])
    returned("CB01", [GOOD_MODEL, model(name="Tổ dân phố văn minh")], name="CB01_moi.xlsx",
             received=datetime(2026, 3, 2, 8, 0))
    returned("CB05", [model(NEW_MODEL, launch_date="xx", date_to="01/01/2020")])
    returned("CB06", [model(name="Sân chơi cho thiếu nhi", kind="Nhân rộng")], name="CB06_XX99.xlsx")
    return returned.inbox


def _run(master, inbox, tmp_path, name, chunk, monkeypatch):
    folder = tmp_path / name
    shutil.copytree(master.parent, folder / "master", ignore=shutil.ignore_patterns("inbox", name, "*-*"))
    shutil.copytree(inbox, folder / "inbox")
    monkeypatch.setattr(chunks, "CHUNK_FILES", chunk)
    copy = folder / "master" / master.name
    report = consolidate(copy, folder / "inbox", workers=1, now=NOW)
    wb = open_master(copy)
    tables = {form.table: read_form_table(wb, form).drop(columns=["archive"], errors="ignore").to_dict("list")
              for form in (REGISTER, INTAKE_LOG, SUBMISSIONS)}
    return report, tables


@pytest.mark.parametrize("chunk", [1, 2, 3])
def test_chunks_give_the_findings_json_and_tables_of_one_pass(returned, tmp_path, monkeypatch, chunk):
    inbox = _inbox(returned)
    whole, whole_tables = _run(returned.master, inbox, tmp_path, "whole", 10_000, monkeypatch)
    part, part_tables = _run(returned.master, inbox, tmp_path, f"chunks{chunk}", chunk, monkeypatch)
    codes = {f.code for o in whole.files for f in o.findings}
    assert {"similar-model", "duplicate-model", "date-invalid"} <= codes  # the inbox exercises checks across files
    assert {o.status for o in whole.files} >= {"accepted", "rejected", "superseded"}
    assert part.as_json().replace(f"chunks{chunk}", "whole") == whole.as_json()
    assert [[(f.code, f.severity, f.message, f.sheet, f.cell) for f in o.findings] for o in part.files] == \
        [[(f.code, f.severity, f.message, f.sheet, f.cell) for f in o.findings] for o in whole.files]
    assert part_tables == whole_tables


def test_validate_in_chunks_gives_the_findings_of_one_pass(returned, monkeypatch):
    inbox = _inbox(returned)
    paths = sorted(inbox.iterdir())
    whole = check_files(returned.master, paths, workers=1)
    monkeypatch.setattr(chunks, "CHUNK_FILES", 2)
    part = check_files(returned.master, paths, workers=1)
    assert part.as_json() == whole.as_json()
    assert [o.models for o in part.files] == [o.models for o in whole.files]


def test_chunked_rows_keep_their_count_but_free_their_values(returned, monkeypatch):
    inbox = _inbox(returned)
    monkeypatch.setattr(chunks, "CHUNK_FILES", 2)
    from dvk_xl.intake.handlers import UNIT_HANDLERS
    from dvk_xl.intake.state import load_state

    state = load_state(open_master(returned.master), UNIT_HANDLERS.deadline_steps())
    paths = sorted(inbox.iterdir())
    files, typed = chunks.check_in_chunks(paths, state, UNIT_HANDLERS, 1)
    read = [read_returned(p) for p in paths]
    assert [len(f.rows) for f in files] == [len(f.rows) for f in read] and sum(len(f.rows) for f in files) == 12
    assert [[r.row for r in f.rows] for f in files] == [[r.row for r in f.rows] for f in read]
    assert all(row.values == {} for f in files for row in f.rows)
    assert {p: len(rows) for p, rows in typed.items()} == {p: len(f.rows) for p, f in enumerate(files) if f.rows}


@pytest.mark.parametrize("where", ["pandera pass", "batch check"])
def test_a_check_that_breaks_in_a_chunk_is_that_files_internal_error_as_in_one_pass(returned, tmp_path, monkeypatch,
                                                                                    where):
    from dvk_xl.intake import validation
    from dvk_xl.spec.forms import PL01

    def fragile(frame, *_):
        if (frame["name"] == NEW_MODEL[0]).any():
            raise ValueError("boom")
        return frame["name"].isna() & False

    if where == "pandera pass":
        rule = validation.CrossRule("date-order", "date_to", fragile, lambda r, c: "")
        monkeypatch.setitem(validation.CROSS_RULES, PL01.id, [*validation.CROSS_RULES[PL01.id], rule])
    else:
        original = validation.check_duplicates

        def duplicates(frame, *args):
            fragile(frame)
            return original(frame, *args)

        monkeypatch.setattr(validation, "check_duplicates", duplicates)
        monkeypatch.setattr(chunks, "check_duplicates", duplicates)
    inbox = _inbox(returned)
    whole, whole_tables = _run(returned.master, inbox, tmp_path, "whole", 10_000, monkeypatch)
    part, part_tables = _run(returned.master, inbox, tmp_path, "chunks", 2, monkeypatch)
    broken = [o.path.name for o in whole.files if any(f.code == "internal-error" for f in o.findings)]
    assert broken and len(broken) < len(whole.files)  # only the files holding that model
    assert [o.path.name for o in part.files if any(f.code == "internal-error" for f in o.findings)] == broken
    assert [o.status for o in part.files] == [o.status for o in whole.files]
    findings = [[(f.code, f.message, f.cell) for f in o.findings] for o in part.files]
    if where == "batch check":
        assert findings == [[(f.code, f.message, f.cell) for f in o.findings] for o in whole.files]
        assert part_tables == whole_tables
    else:
        # One pass re-runs every check file by file after a broken pandera pass, so warnings across files
        # (similar-model) are lost for the whole batch; chunks re-run only the pandera pass of the broken
        # chunk and keep them (the log's warning counts differ with them). Every other finding is the same.
        def without_similar(outcomes):
            return [[(f.code, f.message, f.cell) for f in o.findings if f.code != "similar-model"] for o in outcomes]

        assert without_similar(part.files) == without_similar(whole.files)
