"""The floor: after every kind of hand edit staff make in Excel, every part of the tool counts the same.

Add (inside and just under the register), delete (a register row, a unit), sort, retype (a kind
without accents, a unit code with a space), re-code (a unit, with “Mã cũ”), colour and comment —
then consolidate: compliance, Phụ lục 02 (its hidden data sheet) and the Phụ lục 03 forms agree on
the number of models per unit.
"""

from __future__ import annotations

import os
from collections import Counter
from datetime import datetime

from openpyxl import load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import PatternFill

from dvk_xl.compliance.check import check_compliance
from dvk_xl.demo.run import fill_template
from dvk_xl.intake.consolidation import consolidate
from dvk_xl.master.book import open_master
from dvk_xl.reports.templates import registered_models, write_templates
from dvk_xl.reports.writer import write_report
from dvk_xl.spec.forms import MEASURE_MODELS, QUOTAS, REGISTER, REPORT_DATA_SHEET, SCOPE_EACH_UNIT, UNITS

from .conftest import GOOD_MODEL, NEW_MODEL, model
from .test_master_edits import add_register_row, hand_model, set_unit, table_rows

YELLOW = "FFFFFF00"


def _shrink(ws, table: str, by: int = 1) -> None:
    t = ws.tables[table]
    start, end = t.ref.split(":")
    letters = end.rstrip("0123456789")
    t.ref = f"{start}:{letters}{int(end[len(letters):]) - by}"
    if t.autoFilter is not None:
        t.autoFilter.ref = t.ref


def staff_edits(book) -> None:
    reg = book[REGISTER.sheet]
    col = {k: REGISTER.position(k) + 1 for k in REGISTER.keys}
    first, last = table_rows(reg, REGISTER.table)
    # delete: CB02's model row (staff removed it; its file will not bring it back unless sent again)
    row = next(r for r in range(first + 1, last + 1) if reg.cell(r, col["unit_code"]).value == "CB02")
    reg.delete_rows(row)
    _shrink(reg, REGISTER.table)
    # sort the register by model name, descending, as Excel's sort does (values move, formats stay)
    first, last = table_rows(reg, REGISTER.table)
    rows = [[reg.cell(r, c).value for c in range(1, len(REGISTER.keys) + 1)] for r in range(first + 1, last + 1)]
    rows.sort(key=lambda v: str(v[col["name"] - 1]), reverse=True)
    for r, values in enumerate(rows, start=first + 1):
        for c, value in enumerate(values, start=1):
            reg.cell(r, c).value = value
    # retype: a kind without accents, a unit code with a space and lower case
    for r in range(first + 1, last + 1):
        if reg.cell(r, col["name"]).value == "Chợ văn minh":
            reg.cell(r, col["kind"]).value = "Moi"
            reg.cell(r, col["launch_date"]).value = datetime(2026, 3, 20)
            # colour and comment on this model
            reg.cell(r, col["name"]).fill = PatternFill("solid", start_color=YELLOW, end_color=YELLOW)
            reg.cell(r, col["name"]).comment = Comment("Xem lại", "Cán bộ")
        if reg.cell(r, col["name"]).value == "Tổ dân phố văn minh":
            reg.cell(r, col["unit_code"]).value = "cb 03"
    # add: a model typed inside the table for CB05, one typed just under it for CB06
    add_register_row(book, hand_model("CB05", NEW_MODEL, name="Ngõ xanh"))
    add_register_row(book, hand_model("CB06", GOOD_MODEL, name="Camera an ninh"), inside=False)
    # re-code CB01 as CB10, keeping the old code; delete unit CB04 from DonVi
    set_unit(book, "CB01", unit_code="CB10", old_code="CB01")
    units = book[UNITS.sheet]
    first, last = table_rows(units, UNITS.table)
    row = next(r for r in range(first + 1, last + 1) if units.cell(r, 1).value == "CB04")
    units.delete_rows(row)
    _shrink(units, UNITS.table)
    # a quota every unit misses, so compliance lists each unit's count
    quotas = book[QUOTAS.sheet]
    _, last = table_rows(quotas, QUOTAS.table)
    values = {"rule_id": "KT", "description": "Kiểm tra số mô hình", "scope": SCOPE_EACH_UNIT,
              "measure": MEASURE_MODELS, "minimum": 100}
    for key, value in values.items():
        quotas.cell(last + 1, QUOTAS.position(key) + 1, value)
    t = quotas.tables[QUOTAS.table]
    t.ref = t.ref.rsplit(":", 1)[0] + ":" + t.ref.rsplit(":", 1)[1].rstrip("0123456789") + str(last + 1)
    if t.autoFilter is not None:
        t.autoFilter.ref = t.ref


def test_after_every_kind_of_hand_edit_all_parts_count_the_same(returned, tmp_path):
    day1 = datetime(2026, 3, 1, 9, 0)
    returned("CB01", [GOOD_MODEL, NEW_MODEL], received=day1)
    returned("CB02", [model(name="Khu phố không rác")], received=day1)
    returned("CB03", [model(name="Tổ dân phố văn minh"), model(NEW_MODEL, name="Chợ văn minh")], received=day1)
    returned("CB04", [model(name="Đường hoa")], received=day1)
    consolidate(returned.master, returned.inbox)

    book = load_workbook(returned.master)
    staff_edits(book)
    book.save(returned.master)

    # the re-coded unit sends again from its new form, with one more model
    inbox = tmp_path / "inbox2"
    inbox.mkdir()
    form = write_templates(returned.master, tmp_path / "new", units=["CB10"]).paths[0]
    path = fill_template(form, [GOOD_MODEL, NEW_MODEL, model(name="Bữa cơm nghĩa tình")], inbox / "cb10.xlsx")
    os.utime(path, (datetime(2026, 3, 2, 9, 0).timestamp(),) * 2)
    report = consolidate(returned.master, inbox)
    assert [f.status for f in report.files] == ["accepted"]

    wb = open_master(returned.master)
    compliance = check_compliance(wb)
    rule = next(q for q in compliance.quotas if q.rule.rule_id == "KT")
    from_compliance = Counter({u.code: u.actual for u in rule.short if u.actual})
    pl02 = write_report(returned.master, "dang-ky", tmp_path / "out")
    ws = load_workbook(pl02.path)[REPORT_DATA_SHEET]
    headers = [c.value for c in ws[1]]
    from_pl02 = Counter(r[headers.index("Mã đơn vị")] for r in ws.iter_rows(min_row=2, values_only=True) if any(r))
    from_pl03 = Counter({code.upper(): len(m) for code, m in registered_models(wb).items() if m})
    expected = Counter({"CB10": 3, "CB03": 2, "CB05": 1, "CB06": 1})
    assert from_compliance == from_pl02 == from_pl03 == expected
    assert pl02.units == 4 and pl02.models == 7
    new_rule = next(q for q in compliance.quotas if q.rule.measure.endswith("mới"))
    assert new_rule.actual == 3  # CB10's new model, the CB05 hand row, and "Moi" of CB03
    assert [f.code for f in compliance.findings if f.code == "unit-orphaned"] == ["unit-orphaned"]  # CB04's
    pl03_forms = write_templates(returned.master, tmp_path / "pl03", form="pl03", period="6-thang").paths
    assert sorted(p.name.split("_")[3] for p in pl03_forms) == ["CB03", "CB05", "CB06", "CB10"]

    reg = load_workbook(returned.master)[REGISTER.sheet]
    name_col = REGISTER.position("name") + 1
    marked = [r for r in range(5, 20) if reg.cell(r, name_col).fill.start_color.rgb == YELLOW]
    assert [reg.cell(r, name_col).value for r in marked] == ["Chợ văn minh"]
    assert reg.cell(marked[0], name_col).comment.text == "Xem lại"
    ids = [reg.cell(r, 1).value for r in range(5, 20) if reg.cell(r, 1).value]
    assert len(ids) == len(set(ids)) == 8  # seven counted and CB04's orphan, each once
