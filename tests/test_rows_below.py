"""Rows typed just under a table are read into it, never overwritten (dvk_xl/workbook/api.py, xlsx_patch.py)."""

from __future__ import annotations

import pytest
from openpyxl import load_workbook

from dvk_xl.core.errors import DvkError
from dvk_xl.intake.consolidation import consolidate
from dvk_xl.master.book import load_units, open_master, read_form_table
from dvk_xl.reports.templates import write_templates
from dvk_xl.spec.forms import REGISTER, UNITS

from .conftest import GOOD_MODEL, NEW_MODEL, model
from .test_master_edits import add_register_row, edit, hand_model, table_rows


def test_a_model_typed_under_the_register_is_taken_in_with_an_id(returned):
    returned("CB01", [GOOD_MODEL])
    consolidate(returned.master, returned.inbox)
    edit(returned.master, lambda b: add_register_row(b, hand_model("CB02", NEW_MODEL), inside=False))
    returned("CB03", [model(name="Tổ dân phố văn minh"), model(name="Chợ văn minh")])
    report = consolidate(returned.master, returned.inbox)
    assert report.master_changed
    rows = read_form_table(open_master(returned.master), REGISTER)
    assert list(rows["model_id"]) == ["DVK-2026-CB01-1", "DVK-2026-CB02-1", "DVK-2026-CB03-1", "DVK-2026-CB03-2"]
    assert rows.loc[1, "name"] == NEW_MODEL[0]
    ws = load_workbook(returned.master)[REGISTER.sheet]
    assert table_rows(ws, REGISTER.table) == (4, 8)


def test_a_note_further_down_stops_the_run_naming_its_cell(returned):
    returned("CB01", [GOOD_MODEL])
    consolidate(returned.master, returned.inbox)
    edit(returned.master, lambda b: b[REGISTER.sheet].cell(7, 2, "Ghi chú của cán bộ"))
    before = returned.master.read_bytes()
    returned("CB02", [model(name="Tổ dân phố văn minh"), model(name="Chợ văn minh")])
    with pytest.raises(DvkError, match=r"sheet “Đăng ký”, ô B7: có nội dung “Ghi chú của cán bộ”"):
        consolidate(returned.master, returned.inbox)
    assert returned.master.read_bytes() == before


def test_a_note_the_rewrite_does_not_reach_is_left_alone(returned):
    returned("CB01", [GOOD_MODEL])
    consolidate(returned.master, returned.inbox)
    edit(returned.master, lambda b: b[REGISTER.sheet].cell(30, 2, "Ghi chú"))
    returned("CB02", [model(name="Tổ dân phố văn minh")])
    consolidate(returned.master, returned.inbox)
    assert load_workbook(returned.master)[REGISTER.sheet].cell(30, 2).value == "Ghi chú"


def test_a_unit_typed_under_the_unit_table_gets_its_form(ward_master, tmp_path):
    def type_unit(book):
        ws = book[UNITS.sheet]
        _, last = table_rows(ws, UNITS.table)
        ws.cell(last + 1, 1, "CB99")
        ws.cell(last + 1, 2, "Chi bộ Khu dân cư số 99")

    edit(ward_master, type_unit)
    assert len(load_units(open_master(ward_master))) == 13
    paths = write_templates(ward_master, tmp_path / "forms", units=["CB99"]).paths
    assert [p.name for p in paths] == ["PL01_CB99_Chi_bo_Khu_dan_cu_so_99.xlsx"]
