"""The one intake pipeline (dvk_xl/intake/pipeline.py): what roll-up gets from it, and the one clock."""

import os
import shutil
from datetime import date, datetime

from openpyxl import load_workbook

from dvk_xl.intake.consolidation import consolidate
from dvk_xl.intake.handlers import ROLLUP_HANDLERS, UNIT_HANDLERS
from dvk_xl.intake.pipeline import FormHandler
from dvk_xl.intake.rollup import rollup
from dvk_xl.master.book import open_master, read_form_table
from dvk_xl.spec.forms import DEADLINES, INTAKE_LOG, REGISTER, REPORT_DATA_SHEET, REPORT_PL02, SUBMISSIONS

from .conftest import GOOD_MODEL
from .test_rollup import three_wards  # noqa: F401 - the fixture


def _stamp(path, when: datetime) -> None:
    os.utime(path, (when.timestamp(), when.timestamp()))


def test_an_older_report_than_the_applied_one_is_superseded_not_merged(three_wards, tmp_path):  # noqa: F811
    city, inbox, reports = three_wards
    first = rollup(city, inbox)
    assert {f.status for f in first.files} == {"accepted"}
    before = read_form_table(open_master(city), REGISTER)
    name = next(n for c, n in zip(before["unit_code"], before["name"], strict=True) if c == "PHONGAN")
    # The same ward's list, edited and dated before the one already applied (a stale copy found later).
    stale = tmp_path / "stale"
    stale.mkdir()
    book = load_workbook(reports["dang-ky"][0])
    renamed = [c for row in book[REPORT_DATA_SHEET].iter_rows() for c in row if c.value == name]
    assert renamed  # the model's name really is in the report's data
    renamed[0].value = name + " (bản cũ)"
    old = stale / reports["dang-ky"][0].name
    book.save(old)
    _stamp(old, datetime(2026, 1, 5, 8, 0))
    result = rollup(city, stale)
    assert [(f.status, f.unit) for f in result.files] == [("superseded", "PHONGAN")], result.files[0].findings
    after = read_form_table(open_master(city), REGISTER)
    assert sorted(after["name"]) == sorted(before["name"])  # nothing of the stale report merged
    log = read_form_table(open_master(city), INTAKE_LOG)
    assert list(log["status"])[-1] == "Bị thay thế" and list(log["file"])[-1] == old.name
    assert (city.parent / list(log["archive"])[-1]).exists()  # archived all the same


def test_a_merge_failure_in_rollup_is_that_files_internal_error(three_wards, monkeypatch):  # noqa: F811
    city, inbox, _ = three_wards
    handler = ROLLUP_HANDLERS.forms[REPORT_PL02.id]

    def fragile(state, file, rows, received):
        if file.unit_code == "PHONGPHUC":
            state.register = state.register.iloc[0:0]  # half done: the guard must put the register back
            raise RuntimeError("boom")
        return handler.merge(state, file, rows, received)

    monkeypatch.setitem(ROLLUP_HANDLERS.forms, REPORT_PL02.id, FormHandler(handler.form, fragile, handler.deadline_steps))
    result = rollup(city, inbox)
    lists = {f.unit: (f.status, [x.code for x in f.findings]) for f in result.files if f.form == REPORT_PL02.id}
    assert lists == {"PHONGAN": ("accepted", []), "PHONGPHUC": ("rejected", ["internal-error"]),
                     "PHONGTHAI": ("accepted", [])}
    register = read_form_table(open_master(city), REGISTER)
    assert set(register["unit_code"]) == {"PHONGAN", "PHONGTHAI"}
    assert result.exit_code == 1


def _set_due(master, step: str, due: date) -> None:
    wb = open_master(master)
    frame = read_form_table(wb, DEADLINES)
    frame.loc[frame["step"] == step, "due"] = due
    wb.write_table(DEADLINES.table, frame[DEADLINES.keys].rename(columns={c.key: c.header for c in DEADLINES.columns}))
    wb.save()


def _missing_units(master) -> dict[str, str]:
    status = read_form_table(open_master(master), SUBMISSIONS)
    status = status[(status["form"] == "PL01") & (status["state"] == "Chưa nộp")]
    return dict(zip(status["unit_code"], status["on_time"].fillna(""), strict=True))


def test_overdue_is_judged_by_the_clock_passed_in(returned, tmp_path):
    _set_due(returned.master, "dang-ky", date(2026, 3, 10))
    returned("CB01", [GOOD_MODEL], received=datetime(2026, 3, 1, 9, 0))
    copy = tmp_path / "copy"
    copy.mkdir()
    before_deadline = shutil.copy2(returned.master, copy / returned.master.name)
    consolidate(returned.master, returned.inbox, now=datetime(2026, 3, 20))
    late = _missing_units(returned.master)
    assert late and set(late.values()) == {"Quá hạn"} and "CB01" not in late
    consolidate(before_deadline, returned.inbox, now=datetime(2026, 3, 5))
    assert set(_missing_units(before_deadline).values()) == {""}  # not yet due on 05/3, whatever today is


def test_the_registry_is_explicit():
    assert set(UNIT_HANDLERS.forms) == {"PL01", "PL03"} and set(ROLLUP_HANDLERS.forms) == {"PL02", "PL03TH"}
    assert [c.__name__ for c in UNIT_HANDLERS.forms["PL03"].checks] == ["check_results"]
    import dvk_xl.intake.validation as validation

    assert not hasattr(validation, "FORM_CHECKS")  # no registration by import side effect


def test_rollup_keeps_who_sent_what(three_wards, tmp_path):  # noqa: F811
    city, inbox, reports = three_wards
    for path in inbox.glob("*.xlsx"):
        if "Thai" in path.name or path.name in {p.name for p in reports["6-thang"][2:]}:
            path.unlink()  # Hồng Thái has not sent yet
    rollup(city, inbox, now=datetime(2026, 7, 1))
    table = read_form_table(open_master(city), SUBMISSIONS)
    lists = table[table["form"] == "PL02"]
    state = dict(zip(lists["unit_code"], lists["state"], strict=True))
    assert state == {"PHONGAN": "Đã nộp", "PHONGPHUC": "Đã nộp", "PHONGTHAI": "Chưa nộp"}
    models = dict(zip(lists["unit_code"], lists["models"], strict=True))
    assert models["PHONGPHUC"] == 2 and models["PHONGTHAI"] == 0
    assert set(lists["on_time"].fillna("")) == {""}  # no TienDo step for reports from below: never overdue
    results = table[table["form"] == "PL03TH (6 tháng)"]
    assert dict(zip(results["unit_code"], results["state"], strict=True))["PHONGAN"] == "Đã nộp"
