"""The typed rows validation hands to the merge, for the demo files plus rows with conversion problems."""

from __future__ import annotations

from pathlib import Path
from typing import Any

# Rows whose cells cannot all be read: the typed value of such a cell is None.
ODD_ROWS: list[tuple] = [
    ("Mô hình ngày sai", "kinh tế", "tập thể", "Chi bộ 7", "mới", "năm 2026", None, "Mục tiêu", None, "31/02/2026",
     "15/4/26", "không rõ", "Người A", 912345699.0),
    ("Mô hình số sai", "Văn hoá - Xã hội", "Cá nhân", "Ông B", "Duy trì", "hai nghìn", "", "Mục tiêu", "Cách làm",
     46082, "2026-12-01", None, "Người B", "  0912 345 698 "),
    (None, "Lĩnh vực lạ", None, None, "Nhân rộng", 1980, None, None, None, "01/01/2010", "01/01/2009", None, None, None),
    ("Mô hình phụ nữ giúp nhau phát triển kinh tế", "Kinh tế", "Tập thể", "Công đoàn", "Mới", 2025, None, "Mục tiêu",
     None, "01/03/2026", "01/02/2026", None, "Người C", None),
]


def typed_rows_of_demo(tmp: Path) -> tuple[list[list[tuple[str, str, Any]]], list[tuple[str, ...]]]:
    """Every typed PL01 row as [(key, type name, value)], file by file (file name instead of its position),
    and every finding as (file, code, severity, cell, message)."""
    import os

    from dvk_xl.demo.run import DEMO_COMMITTEE, DEMO_MODELS, DEMO_UNITS, fill_template
    from dvk_xl.intake.handlers import UNIT_HANDLERS
    from dvk_xl.intake.pipeline import read_all
    from dvk_xl.intake.state import load_state
    from dvk_xl.intake.validation import validate_files
    from dvk_xl.master.book import init_master, open_master
    from dvk_xl.reports.templates import write_templates

    master = init_master(tmp / "phuong", year=2026, committee=DEMO_COMMITTEE, preset="phuong", units=DEMO_UNITS).path
    made = {p.name.split("_")[1]: p for p in write_templates(master, tmp / "forms").paths}
    paths = []
    for unit, models in [*DEMO_MODELS.items(), ("CD01", ODD_ROWS)]:
        path = fill_template(made[unit], models, tmp / "inbox" / made[unit].name)
        os.utime(path, (1772150000, 1772150000))
        paths.append(path)
    files = read_all(sorted(paths), workers=1)
    typed = validate_files(files, load_state(open_master(master), UNIT_HANDLERS.deadline_steps()).campaign)
    out = []
    for frame in typed.values():
        for record in frame.to_dict("records"):
            name = files[int(record.pop("_file"))].name
            out.append([("_file", "str", name), *((k, type(v).__name__, v) for k, v in record.items())])
    findings = [(f.name, g.code, g.severity, g.cell or "", g.message) for f in files for g in f.findings]
    return out, findings
