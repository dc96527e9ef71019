"""Staff marks (fill colour, comments) stay with their model: existing register rows keep their place."""

from __future__ import annotations

from datetime import datetime

from openpyxl import load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import PatternFill

from dvk_xl.intake.consolidation import consolidate
from dvk_xl.spec.forms import REGISTER

from .conftest import GOOD_MODEL, NEW_MODEL, model
from .test_master_edits import edit

YELLOW = "FFFFFF00"


def test_a_fill_and_a_comment_stay_on_their_model(returned):
    returned("CB01", [GOOD_MODEL], received=datetime(2026, 3, 1, 9, 0))
    returned("CB02", [model(name="Tổ dân phố văn minh")], received=datetime(2026, 3, 1, 9, 0))
    consolidate(returned.master, returned.inbox)
    ws = load_workbook(returned.master)[REGISTER.sheet]
    marked = next(r for r in range(5, 8) if ws.cell(r, 2).value == "CB02")
    name_col = REGISTER.position("name") + 1

    def mark(book):
        cell = book[REGISTER.sheet].cell(marked, name_col)
        cell.fill = PatternFill("solid", start_color=YELLOW, end_color=YELLOW)
        cell.comment = Comment("Cần kiểm tra thực tế", "Cán bộ")

    edit(returned.master, mark)
    # CB01, listed before CB02, adds a model: it must not push CB02's model off its marked row
    returned("CB01", [GOOD_MODEL, NEW_MODEL], name="cb01_lan2.xlsx", received=datetime(2026, 3, 2, 9, 0))
    consolidate(returned.master, returned.inbox)
    ws = load_workbook(returned.master)[REGISTER.sheet]
    assert ws.cell(marked, 2).value == "CB02" and ws.cell(marked, name_col).value == "Tổ dân phố văn minh"
    assert ws.cell(marked, name_col).fill.start_color.rgb == YELLOW
    assert ws.cell(marked, name_col).comment.text == "Cần kiểm tra thực tế"
    others = [ws.cell(r, name_col) for r in range(5, 8) if r != marked]
    assert all(c.fill.start_color.rgb != YELLOW for c in others)
    assert ws.cell(7, 1).value == "DVK-2026-CB01-2"  # the new model is appended below


def test_a_sorted_register_keeps_staffs_order(returned):
    returned("CB01", [GOOD_MODEL], received=datetime(2026, 3, 1, 9, 0))
    returned("CB02", [model(name="Tổ dân phố văn minh")], received=datetime(2026, 3, 1, 9, 0))
    consolidate(returned.master, returned.inbox)

    def swap(book):
        ws = book[REGISTER.sheet]
        first = [c.value for c in ws[5]]
        second = [c.value for c in ws[6]]
        for c, v in enumerate(second, start=1):
            ws.cell(5, c).value = v
        for c, v in enumerate(first, start=1):
            ws.cell(6, c).value = v

    edit(returned.master, swap)
    returned("CB03", [model(name="Chợ văn minh")], received=datetime(2026, 3, 2, 9, 0))
    consolidate(returned.master, returned.inbox)
    ws = load_workbook(returned.master)[REGISTER.sheet]
    assert [ws.cell(r, 2).value for r in (5, 6, 7)] == ["CB02", "CB01", "CB03"]
