"""The master as staff really edit it: hand rows, re-coded units, retyped values (dvk_xl/master/reconcile.py)."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.utils.cell import range_boundaries

from dvk_xl.compliance.check import check_compliance
from dvk_xl.core.errors import DvkError
from dvk_xl.demo.run import fill_template
from dvk_xl.intake.consolidation import consolidate
from dvk_xl.master.book import load_settings, load_units, open_master, read_form_table
from dvk_xl.reports.reportdata import load_report_data
from dvk_xl.reports.templates import registered_models, write_templates
from dvk_xl.reports.writer import write_report
from dvk_xl.spec.forms import DEADLINES, REGISTER, REPORT_DATA_SHEET, SETTINGS, UNITS

from .conftest import GOOD_MODEL, NEW_MODEL, model

# --- editing the master as Excel would ------------------------------------------------------------


def edit(master: Path, change) -> None:
    book = load_workbook(master)
    change(book)
    book.save(master)


def table_rows(ws, table: str) -> tuple[int, int]:
    """(header row, last row) of a table."""
    _, first, _, last = range_boundaries(ws.tables[table].ref)
    return first, last


def add_register_row(book, values: dict, inside: bool = True) -> int:
    """Type a model into DangKy under its last row; ``inside`` grows the table as Excel does when typing in it."""
    ws = book[REGISTER.sheet]
    first, last = table_rows(ws, REGISTER.table)
    body = [r for r in range(first + 1, last + 1) if any(ws.cell(r, c + 1).value for c in range(len(REGISTER.keys)))]
    row = (max(body) + 1) if body else first + 1
    for key, value in values.items():
        ws.cell(row, REGISTER.position(key) + 1, value)
    if inside and row > last:
        table = ws.tables[REGISTER.table]
        table.ref = table.ref.rsplit(":", 1)[0] + f":{table.ref.rsplit(':', 1)[1].rstrip('0123456789')}{row}"
        if table.autoFilter is not None:
            table.autoFilter.ref = table.ref
    return row


def hand_model(unit: str, base: tuple = GOOD_MODEL, **changes) -> dict:
    from dvk_xl.spec.forms import PL01

    keys = [k for k in PL01.keys if k != "stt"]
    values = dict(zip(keys, model(base, **changes), strict=True))
    return {"unit_code": unit, **values}


def set_unit(book, code: str, **values) -> None:
    ws = book[UNITS.sheet]
    first, last = table_rows(ws, UNITS.table)
    for r in range(first + 1, last + 1):
        if ws.cell(r, 1).value == code:
            for key, value in values.items():
                ws.cell(r, UNITS.position(key) + 1, value)
            return
    raise AssertionError(code)


def register(master: Path):
    return read_form_table(open_master(master), REGISTER)


# --- what each part of the tool counts, per unit ----------------------------------------------------


def pl02_counts(master: Path) -> Counter:
    data = load_report_data(open_master(master), "dang-ky")
    return Counter({u.code: len(u.models) for u in data.units if u.models})


def pl03_counts(master: Path) -> Counter:
    return Counter({code: len(models) for code, models in registered_models(open_master(master)).items() if models})


# --- 2. hand-added register rows ------------------------------------------------------------------


def test_a_hand_row_is_matched_to_the_units_model_and_gets_an_id(returned):
    edit(returned.master, lambda b: add_register_row(b, hand_model("CB01", goals="Ghi tay: 100% hộ")))
    returned("CB01", [GOOD_MODEL])
    report = consolidate(returned.master, returned.inbox)
    assert [f.status for f in report.files] == ["accepted"]
    rows = register(returned.master)
    assert list(rows["model_id"]) == ["DVK-2026-CB01-1"]  # one row, not the hand row plus the unit's
    assert rows.loc[0, "goals"] == "Ghi tay: 100% hộ"  # the hand row's edit is kept
    assert rows.loc[0, "source_file"] and rows.loc[0, "row_check"]
    assert [f.code for f in report.files[0].findings] == ["manual-edit-kept"]
    assert pl02_counts(returned.master)["CB01"] == 1
    assert pl03_counts(returned.master)["cb01"] == 1


def test_a_hand_row_of_a_unit_that_sent_nothing_gets_an_id_and_stays(returned):
    edit(returned.master, lambda b: add_register_row(b, hand_model("CB03", NEW_MODEL)))
    returned("CB01", [GOOD_MODEL])
    consolidate(returned.master, returned.inbox)
    rows = register(returned.master)
    assert sorted(rows["model_id"]) == ["DVK-2026-CB01-1", "DVK-2026-CB03-1"]
    assert set(rows["status"]) == {"Đang thực hiện"}
    assert pl03_counts(returned.master)["cb03"] == 1


def test_clearing_the_check_accepts_the_units_version_of_an_unchanged_file(returned):
    returned("CB01", [GOOD_MODEL], received=datetime(2026, 3, 1, 9, 0))
    consolidate(returned.master, returned.inbox)
    goals = REGISTER.position("goals") + 1
    check = REGISTER.position("row_check") + 1
    edit(returned.master, lambda b: b[REGISTER.sheet].cell(5, goals, "Staff đã sửa"))
    returned("CB01", [model(goals="Bản mới của đơn vị")], name="lan2.xlsx", received=datetime(2026, 3, 2, 9, 0))
    first = consolidate(returned.master, returned.inbox)
    kept = next(f for f in first.files if f.status == "accepted").findings[0]
    assert kept.code == "manual-edit-kept" and "tổng hợp lại" in kept.message
    assert register(returned.master).loc[0, "goals"] == "Staff đã sửa"
    edit(returned.master, lambda b: setattr(b[REGISTER.sheet].cell(5, check), "value", None))
    again = consolidate(returned.master, returned.inbox)
    assert {f.path.name: f.status for f in again.files}["lan2.xlsx"] == "accepted"
    rows = register(returned.master)
    assert rows.loc[0, "goals"] == "Bản mới của đơn vị" and rows.loc[0, "model_id"] == "DVK-2026-CB01-1"
    assert consolidate(returned.master, returned.inbox).master_changed is False  # and then it is settled


# --- 4. units deleted, re-coded, retyped in DonVi ------------------------------------------------------


def test_a_recoded_unit_keeps_its_models_through_its_old_code(returned, tmp_path):
    returned("CB01", [GOOD_MODEL, NEW_MODEL])
    consolidate(returned.master, returned.inbox)
    edit(returned.master, lambda b: set_unit(b, "CB01", unit_code="CB10", old_code="CB01"))
    assert pl02_counts(returned.master)["CB10"] == 2 and "CB01" not in pl02_counts(returned.master)
    report = check_compliance(open_master(returned.master))
    assert "unit-orphaned" not in [f.code for f in report.findings]
    # the unit sends its model again from a form with its new code: same ID, counted once
    form = write_templates(returned.master, tmp_path / "new", units=["CB10"]).paths[0]
    inbox = tmp_path / "inbox2"
    inbox.mkdir()
    fill_template(form, [GOOD_MODEL, NEW_MODEL], inbox / "cb10.xlsx")
    consolidate(returned.master, inbox)
    rows = register(returned.master)
    assert sorted(rows["model_id"]) == ["DVK-2026-CB01-1", "DVK-2026-CB01-2"]
    assert set(rows["unit_code"]) == {"CB10"}
    assert pl02_counts(returned.master)["CB10"] == 2 == pl03_counts(returned.master)["cb10"]


def test_a_deleted_unit_leaves_a_finding_not_a_count(returned, tmp_path):
    returned("CB01", [GOOD_MODEL])
    returned("CB02", [model(name="Tổ dân phố văn minh")])
    consolidate(returned.master, returned.inbox)

    def delete_cb02(book):
        ws = book[UNITS.sheet]
        first, last = table_rows(ws, UNITS.table)
        row = next(r for r in range(first + 1, last + 1) if ws.cell(r, 1).value == "CB02")
        ws.delete_rows(row)
        table = ws.tables[UNITS.table]
        table.ref = table.ref.rsplit(":", 1)[0] + ":" + table.ref.rsplit(":", 1)[1].rstrip("0123456789") + str(last - 1)
        table.autoFilter.ref = table.ref

    edit(returned.master, delete_cb02)
    report = check_compliance(open_master(returned.master))
    orphaned = [f for f in report.findings if f.code == "unit-orphaned"]
    assert len(orphaned) == 1 and orphaned[0].cell == "B6" and orphaned[0].severity == "warning"
    assert "CB02" in orphaned[0].message
    data = load_report_data(open_master(returned.master), "dang-ky")
    assert len(data.units) == 11 and sum(len(u.models) for u in data.units) == 1
    result = write_report(returned.master, "dang-ky", tmp_path / "out")
    assert result.units == 1 and result.models == 1  # units with a model


def test_a_unit_code_retyped_with_a_space_is_the_same_unit(returned):
    returned("CB01", [GOOD_MODEL])
    consolidate(returned.master, returned.inbox)
    edit(returned.master, lambda b: b[REGISTER.sheet].cell(5, REGISTER.position("unit_code") + 1, "cb 01"))
    data = load_report_data(open_master(returned.master), "dang-ky")
    assert len(data.units) == 12 and pl02_counts(returned.master) == Counter({"CB01": 1})
    assert pl03_counts(returned.master) == Counter({"cb01": 1})
    assert "unit-orphaned" not in [f.code for f in check_compliance(open_master(returned.master)).findings]


def test_two_units_whose_codes_differ_only_by_a_space_are_refused(ward_master):
    edit(ward_master, lambda b: set_unit(b, "CB02", unit_code="CB 01"))
    with pytest.raises(DvkError, match="bị trùng"):
        load_units(open_master(ward_master))


def test_an_older_master_without_the_old_code_column_still_reads(ward_master):
    def drop_column(book):
        ws = book[UNITS.sheet]
        table = ws.tables[UNITS.table]
        column = UNITS.position("old_code") + 1
        ws.delete_cols(column)
        table.tableColumns = table.tableColumns[:-1]
        start, end = table.ref.split(":")
        table.ref = f"{start}:E{end.lstrip('ABCDEFGHIJKLMNOPQRSTUVWXYZ')}"
        table.autoFilter.ref = table.ref

    edit(ward_master, drop_column)
    assert len(load_units(open_master(ward_master))) == 12


# --- 6. values typed in the master ------------------------------------------------------------------


def test_a_kind_typed_without_accents_counts_the_same_everywhere(returned):
    returned("CB01", [GOOD_MODEL])
    consolidate(returned.master, returned.inbox)
    edit(returned.master, lambda b: b[REGISTER.sheet].cell(5, REGISTER.position("kind") + 1, "Moi"))
    data = load_report_data(open_master(returned.master), "dang-ky")
    assert data.count(kind="Mới") == 1 and data.count(kind="Duy trì") == 0
    report = check_compliance(open_master(returned.master))
    new_rule = next(q for q in report.quotas if q.rule.measure.endswith("mới"))
    assert new_rule.actual == 1


def test_a_value_not_in_the_list_is_a_finding_naming_its_cell(returned):
    returned("CB01", [GOOD_MODEL])
    consolidate(returned.master, returned.inbox)
    edit(returned.master, lambda b: b[REGISTER.sheet].cell(5, REGISTER.position("field") + 1, "Thể thao"))
    report = check_compliance(open_master(returned.master))
    found = [f for f in report.findings if f.code == "register-value-not-in-list"]
    assert len(found) == 1 and found[0].cell == f"{'ABCDEFGHIJKLMNOPQRSTUVWXYZ'[REGISTER.position('field')]}5"


@pytest.mark.parametrize("typed", ["2.026", 2.026, "20266", 2, "năm nay"])
def test_an_implausible_year_stops_naming_the_cell(ward_master, typed):
    def set_year(book):
        ws = book[SETTINGS.sheet]
        row = next(r for r in range(1, 40) if ws.cell(r, 1).value == "Năm thi đua")
        ws.cell(row, 2, typed)

    edit(ward_master, set_year)
    with pytest.raises(DvkError, match=r"ô B\d+: “Năm thi đua” là .*không phải năm hợp lệ"):
        load_settings(open_master(ward_master))


def test_last_years_deadlines_and_models_are_warnings(returned):
    returned("CB01", [GOOD_MODEL])
    consolidate(returned.master, returned.inbox)

    def to_2027(book):
        ws = book[SETTINGS.sheet]
        row = next(r for r in range(1, 40) if ws.cell(r, 1).value == "Năm thi đua")
        ws.cell(row, 2, 2027)

    edit(returned.master, to_2027)
    assert load_settings(open_master(returned.master)).year == 2027
    codes = Counter(f.code for f in check_compliance(open_master(returned.master)).findings)
    deadlines = len(read_form_table(open_master(returned.master), DEADLINES))
    assert codes["register-other-year"] == 1 and codes["deadline-other-year"] == deadlines


def test_pl02_hidden_data_counts_like_compliance(returned, tmp_path):
    returned("CB01", [GOOD_MODEL, NEW_MODEL])
    consolidate(returned.master, returned.inbox)
    result = write_report(returned.master, "dang-ky", tmp_path / "out")
    ws = load_workbook(result.path)[REPORT_DATA_SHEET]
    headers = [c.value for c in ws[1]]
    units = Counter(r[headers.index("Mã đơn vị")] for r in ws.iter_rows(min_row=2, values_only=True) if any(r))
    assert units == pl02_counts(returned.master) == Counter({"CB01": 2})


def test_a_form_made_before_the_unit_was_recoded_goes_to_the_new_code(returned):
    path = returned("CB01", [GOOD_MODEL])
    edit(returned.master, lambda b: set_unit(b, "CB01", unit_code="CB10", old_code="CB01"))
    report = consolidate(returned.master, returned.inbox)
    assert [(f.unit, f.status, [x.code for x in f.findings]) for f in report.files] == [("CB10", "accepted", [])]
    assert path.name.startswith("PL01_CB01_")
    rows = register(returned.master)
    assert list(zip(rows["model_id"], rows["unit_code"], strict=True)) == [("DVK-2026-CB10-1", "CB10")]


def test_a_finding_under_a_blank_register_row_names_the_right_cell(returned):
    """Staff leave a blank row inside DangKy: cells named below it are still the cells staff see."""
    returned("CB01", [GOOD_MODEL])
    consolidate(returned.master, returned.inbox)

    def blank_then_orphan(book) -> None:
        ws = book[REGISTER.sheet]
        first, last = table_rows(ws, REGISTER.table)
        row = last + 2  # one blank row left inside the table, as staff leave them
        for key, value in hand_model("XX99").items():
            ws.cell(row, REGISTER.position(key) + 1, value)
        table = ws.tables[REGISTER.table]
        table.ref = table.ref.rsplit(":", 1)[0] + f":{table.ref.rsplit(':', 1)[1].rstrip('0123456789')}{row}"
        table.autoFilter.ref = table.ref

    edit(returned.master, blank_then_orphan)
    report = check_compliance(open_master(returned.master))
    orphaned = [f for f in report.findings if f.code == "unit-orphaned"]
    column = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[REGISTER.position("unit_code")]
    assert [f.cell for f in orphaned] == [f"{column}7"]  # header on row 4, model on 5, blank 6, orphan 7
