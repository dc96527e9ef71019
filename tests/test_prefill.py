"""Phụ lục 01 pre-filled with what the unit ran last year (a master made with ``dvk init --from``)."""

from __future__ import annotations

import os
import shutil
from datetime import date, datetime

import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter, range_boundaries

from dvk_xl.core.kinds import IntakeStatus
from dvk_xl.demo.demo_fill import fill_prefilled, fill_template
from dvk_xl.intake.consolidation import consolidate
from dvk_xl.intake.state import MODEL_KEYS, fingerprint, model_check
from dvk_xl.master.book import open_master, read_form_table
from dvk_xl.master.nextyear import init_from
from dvk_xl.reports.templates import HEADER_ROW, write_templates
from dvk_xl.reports.writer import write_report
from dvk_xl.spec.forms import METADATA_SHEET, PL01, REGISTER
from tests.conftest import GOOD_MODEL, NEW_MODEL, model
from tests.nextyearfixtures import finished_year

RECEIVED = datetime(2027, 2, 20, 9, 0)


@pytest.fixture
def year_2027(ward_master, tmp_path):
    """The 2027 master made from the finished 2026 one, and its forms: {unit code: template path}."""
    master = init_from(tmp_path / "2027", finished_year(ward_master)).path
    forms = {p.name.split("_")[1]: p for p in write_templates(master, tmp_path / "forms27").paths}
    return master, forms


def cells(path, row):
    ws = load_workbook(path)[PL01.sheet]
    return {c.key: ws.cell(row, i + 1) for i, c in enumerate(PL01.columns)}


def send(path, inbox, name=None):
    inbox.mkdir(parents=True, exist_ok=True)
    target = inbox / (name or path.name)
    if path != target:
        shutil.copy2(path, target)
    os.utime(target, (RECEIVED.timestamp(), RECEIVED.timestamp()))
    return target


def register(master):
    return {r["model_id"]: r for r in read_form_table(open_master(master), REGISTER).to_dict("records")
            if r["model_id"]}


def test_each_unit_gets_its_models_of_last_year_as_continued(year_2027):
    _, forms = year_2027
    first, second, new = (cells(forms["CB01"], HEADER_ROW + i) for i in (1, 2, 3))
    values = {k: c.value for k, c in first.items()}
    assert (values["name"], values["kind"], values["start_year"], values["first_id"]) == (
        "Khu dân cư sáng - xanh - sạch - đẹp", "Duy trì", 2024, "DVK-2026-CB01-1")
    assert (values["field"], values["subject"], values["carried_by"]) == ("Văn hóa - xã hội", "Tập thể",
                                                                          "Chi bộ Khu dân cư số 1")
    assert values["goals"] == "100% hộ phân loại rác" and values["person_in_charge"] == "Nguyễn Văn Hùng"
    assert (values["date_from"].date(), values["date_to"].date()) == (date(2027, 3, 1), date(2027, 11, 30))
    assert values["launch_date"] is None and values["note"] is None
    assert (second["name"].value, second["kind"].value, second["start_year"].value) == (
        "Vận động hiến đất mở rộng ngõ 12", "Duy trì", 2026)
    # identity locked on the pre-filled rows; targets, dates, people the unit's to edit
    assert all(first[k].protection.locked for k in ("name", "field", "subject", "carried_by", "start_year", "first_id"))
    assert not any(first[k].protection.locked for k in ("kind", "goals", "date_from", "date_to", "person_in_charge"))
    # the rows below are the unit's new models: open, but for the first ID that only the tool writes
    assert new["name"].value is None and not new["name"].protection.locked and new["first_id"].protection.locked
    meta = {r[0].value: r[1].value for r in load_workbook(forms["CB01"])[METADATA_SHEET].iter_rows()}
    assert meta["prefilled"] == 2 and meta["form_version"] == 1
    assert cells(forms["PN01"], HEADER_ROW + 1)["first_id"].value == "DVK-2026-PN01-1"
    assert cells(forms["CB02"], HEADER_ROW + 1)["name"].value is None  # nothing last year: an empty form


def test_returned_unchanged_is_accepted_with_the_links_kept(year_2027, tmp_path):
    master, forms = year_2027
    inbox = tmp_path / "inbox"
    send(forms["CB01"], inbox)
    send(forms["PN01"], inbox)
    report = consolidate(master, inbox)
    assert [(f.status, f.models) for f in report.files] == [(IntakeStatus.ACCEPTED, 2), (IntakeStatus.ACCEPTED, 1)]
    assert [f for o in report.files for f in o.findings] == []
    models = register(master)
    assert {k: (v["first_id"], v["kind"]) for k, v in models.items()} == {
        "DVK-2027-CB01-1": ("DVK-2026-CB01-1", "Duy trì"), "DVK-2027-CB01-2": ("DVK-2026-CB01-2", "Duy trì"),
        "DVK-2027-PN01-1": ("DVK-2026-PN01-1", "Duy trì")}
    again = consolidate(master, inbox)
    assert {f.status for f in again.files} == {IntakeStatus.UNCHANGED}
    assert [f for o in again.files for f in o.findings] == []


def test_the_unit_edits_targets_deletes_a_row_and_adds_a_new_model(year_2027, tmp_path):
    master, forms = year_2027
    new_model = model(NEW_MODEL, name="Tuyến phố không rác", start_year=2027, date_from="01/04/2027",
                      date_to="30/11/2027", launch_date="10/04/2027")
    path = fill_prefilled(forms["CB01"], tmp_path / "inbox" / forms["CB01"].name,
                          changes={0: {"goals": "100% hộ phân loại rác; 3 tuyến ngõ có đèn", "date_to": "15/12/2027"}},
                          dropped=(1,), new_rows=[new_model])
    send(path, tmp_path / "inbox")
    report = consolidate(master, tmp_path / "inbox")
    assert report.files[0].status == IntakeStatus.ACCEPTED, report.files[0].findings
    assert [f.code for f in report.files[0].findings] == []
    models = register(master)
    assert sorted(models) == ["DVK-2027-CB01-1", "DVK-2027-CB01-2"]
    kept, added = models["DVK-2027-CB01-1"], models["DVK-2027-CB01-2"]
    assert kept["first_id"] == "DVK-2026-CB01-1" and kept["goals"] == "100% hộ phân loại rác; 3 tuyến ngõ có đèn"
    assert kept["date_to"].date() == date(2027, 12, 15)
    assert (added["name"], added["kind"], added["first_id"]) == ("Tuyến phố không rác", "Mới", None)


def test_a_form_made_before_the_column_still_reads_without_noise(returned, tmp_path):
    """A 2026 form sent before “Mã đăng ký lần đầu” existed: same version, accepted, no finding at all."""
    template = next((tmp_path / "forms").glob("PL01_CB01_*.xlsx"))
    book = load_workbook(template)
    ws = book[PL01.sheet]
    ws.cell(HEADER_ROW, PL01.position("first_id") + 1).value = None  # the old form had no such column
    book.save(template)
    path = returned("CB01", [GOOD_MODEL])
    report = consolidate(returned.master, returned.inbox)
    assert report.files[0].path == path and report.files[0].status == IntakeStatus.ACCEPTED
    assert report.files[0].findings == []
    assert register(returned.master)["DVK-2026-CB01-1"]["first_id"] is None


def test_checks_stored_before_the_column_still_match():
    """“Mã kiểm tra” written by a version without first_id: the same row gives the same check (no false
    “sửa tay” warning on every row of an older master); a first ID is part of the check once there is one."""
    values = dict(zip(MODEL_KEYS, (*GOOD_MODEL, None, None), strict=True))
    legacy = fingerprint(values[k] for k in MODEL_KEYS if k != "first_id")
    assert model_check(values) == legacy
    assert model_check({**values, "first_id": "DVK-2025-CB01-1"}) != legacy


def test_an_older_master_without_the_register_column_takes_it_in(returned, tmp_path):
    master = returned.master
    book = load_workbook(master)
    ws = book[REGISTER.sheet]
    table = ws.tables[REGISTER.table]
    position = REGISTER.position("first_id")
    ws.delete_cols(position + 1)
    del table.tableColumns[position]
    min_col, min_row, max_col, max_row = range_boundaries(table.ref)
    table.ref = f"{get_column_letter(min_col)}{min_row}:{get_column_letter(max_col - 1)}{max_row}"
    table.autoFilter = None
    book.save(master)
    assert REGISTER.header_of("first_id") not in open_master(master).read_table(REGISTER.table).columns
    returned("CB01", [GOOD_MODEL])
    report = consolidate(master, returned.inbox)
    assert report.files[0].status == IntakeStatus.ACCEPTED and report.files[0].findings == []
    assert REGISTER.header_of("first_id") in open_master(master).read_table(REGISTER.table).columns
    assert [f for o in consolidate(master, returned.inbox).files for f in o.findings] == []


def test_reports_show_since_when_a_continued_model_runs(year_2027, tmp_path):
    master, forms = year_2027
    send(forms["CB01"], tmp_path / "inbox")
    new_form = fill_template(forms["CB02"], [model(NEW_MODEL, start_year=2027, date_from="01/04/2027",
                                                   date_to="30/11/2027", launch_date="10/04/2027")],
                             tmp_path / "inbox" / forms["CB02"].name)
    send(new_form, tmp_path / "inbox")
    consolidate(master, tmp_path / "inbox")
    ws = load_workbook(write_report(master, "dang-ky", tmp_path / "out").path)["Phụ lục 02"]
    ids = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str) and c.value.startswith("DVK-")]
    assert ids == ["DVK-2027-CB01-1\n(lần đầu: DVK-2026-CB01-1; năm thứ 4)",
                   "DVK-2027-CB01-2\n(lần đầu: DVK-2026-CB01-2; năm thứ 2)", "DVK-2027-CB02-1"]


def test_the_ribbon_prefills_the_same_forms_as_the_cli(year_2027, tmp_path, monkeypatch):
    """The ribbon reads MoHinhNamTruoc from the workbook open in Excel (xlwings) the way the CLI reads the file."""
    from dvk_xl.shells import ribbon
    from dvk_xl.shells.live_workbook import LiveWorkbook
    from tests.xlwings_double import ExcelDouble

    monkeypatch.setenv("XLWINGS_LICENSE_KEY", "noncommercial")  # xlwings' remote engine, tests only
    monkeypatch.setattr(ribbon, "MEMORY_FILE", tmp_path / "memory" / "thu-muc.json")
    master, forms = year_2027
    out = tmp_path / "ribbon"
    wb = LiveWorkbook(ExcelDouble(master).book(), path=master)
    message = ribbon.dispatch("mau-pl01", ribbon.encode_choice([out], master.parent), wb=wb, opener=lambda p: None)
    assert message.startswith("Đã tạo 12 mẫu Phụ lục 01")
    for unit in ("CB01", "PN01"):
        made = next(out.glob(f"PL01_{unit}_*.xlsx"))
        assert made.name == forms[unit].name
        for row in (HEADER_ROW + 1, HEADER_ROW + 2):
            live, cli = cells(made, row), cells(forms[unit], row)
            assert {k: c.value for k, c in live.items()} == {k: c.value for k, c in cli.items()}
            assert {k: c.protection.locked for k, c in live.items()} == {k: c.protection.locked for k, c in cli.items()}
