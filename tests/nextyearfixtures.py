"""A finished year's master to start the next one from (``dvk init --from``), through the Workbook interface."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd

from dvk_xl.master.book import open_master
from dvk_xl.spec.forms import DEADLINES, EVALUATION, SETTING_ROWS, SETTINGS, UNITS
from tests.reportfixtures import fill_register


def set_setting(wb, key: str, value) -> None:
    frame = wb.read_table(SETTINGS.table)
    label = next(s.label for s in SETTING_ROWS if s.key == key)
    frame.loc[frame[SETTINGS.header_of("label")] == label, SETTINGS.header_of("value")] = value
    wb.write_table(SETTINGS.table, frame)


def finished_year(master: Path) -> Path:
    """The ward master after its year: 3 active models (CB01 ×2, PN01) and one withdrawn, CB01's first model
    recognised by the team, CB01 with an e-mail, PN01 re-coded from "HPN", a plan number and date, and the
    registration deadline marked done."""
    fill_register(master)
    wb = open_master(master)
    set_setting(wb, "plan_number", "15-KH/ĐU")
    set_setting(wb, "plan_date", date(2026, 1, 20))
    set_setting(wb, "contact", "Đồng chí Lê Thu, 0912000000")
    units = wb.read_table(UNITS.table)
    email, old = UNITS.header_of("email"), UNITS.header_of("old_code")
    units[email] = units[email].astype(object)
    units[old] = units[old].astype(object)
    units.loc[units[UNITS.header_of("unit_code")] == "CB01", email] = "cb01@hongan.vn"
    units.loc[units[UNITS.header_of("unit_code")] == "PN01", old] = "HPN"
    wb.write_table(UNITS.table, units)
    deadlines = wb.read_table(DEADLINES.table)
    done = DEADLINES.header_of("done_on")
    deadlines[done] = deadlines[done].astype(object)
    deadlines.loc[deadlines[DEADLINES.header_of("step")] == "gui-cap-tren", done] = date(2026, 3, 9)
    wb.write_table(DEADLINES.table, deadlines)
    wb.ensure_table(EVALUATION)
    verdicts = pd.DataFrame([{"model_id": "DVK-2026-CB01-1", "unit_code": "CB01", "result": "Công nhận"},
                             {"model_id": "DVK-2026-PN01-1", "unit_code": "PN01", "result": "Không công nhận"}],
                            columns=EVALUATION.keys)
    wb.write_table(EVALUATION.table, verdicts.rename(columns={c.key: c.header for c in EVALUATION.columns}))
    wb.save()
    return master
