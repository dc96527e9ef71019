"""The demo's next year: 2027 made from the 2026 master, pre-filled forms returned and consolidated."""

from __future__ import annotations

import hashlib

from dvk_xl.core.dates import as_date
from dvk_xl.demo.demo_nextyear import NEXT_YEAR_STEPS, next_year_step
from dvk_xl.demo.run import DEMO_MODELS
from dvk_xl.master.book import open_master, read_form_table
from dvk_xl.spec.forms import PL01, REGISTER
from tests.reportfixtures import fill_register


def demo_register() -> list[dict]:
    """The demo units' 2026 models as the register holds them after the year (one per row, IDs given)."""
    keys = [k for k in PL01.keys if k not in ("stt", "first_id", "note")]
    rows = []
    for unit, models in DEMO_MODELS.items():
        for number, values in enumerate(models, start=1):
            row = dict(zip(keys, values, strict=True))
            for key in ("date_from", "date_to", "launch_date"):
                row[key] = as_date(row[key])
            rows.append({**row, "model_id": f"DVK-2026-{unit}-{number}", "unit_code": unit, "status": "Đang thực hiện"})
    return rows


def test_the_next_year_of_the_demo(ward_master, tmp_path):
    fill_register(ward_master, demo_register(), [])
    before = hashlib.sha256(ward_master.read_bytes()).hexdigest()
    lines: list[str] = []
    seen = []
    NEXT_YEAR_STEPS.append(lambda state, echo: seen.append(state))
    try:
        next_year_step(tmp_path, ward_master, tmp_path / "inbox", lines.append)
    finally:
        NEXT_YEAR_STEPS.pop()
    assert hashlib.sha256(ward_master.read_bytes()).hexdigest() == before
    out = "\n".join(lines)
    assert "tạo sổ năm 2027 từ sổ năm 2026" in out and "6 tệp được chấp nhận" in out
    state = seen[0]  # the place where the lead wires the cross-year warnings and the reminders
    assert state.master == tmp_path / "10_Nam2027" / "SoTongHop_DVK_2027.xlsx" and state.previous_master == ward_master
    models = read_form_table(open_master(state.master), REGISTER).to_dict("records")
    by_name = {m["name"]: m for m in models}
    assert by_name["Chính quyền thân thiện vì Nhân dân phục vụ"]["goals"] == \
        "100% hồ sơ trả đúng hạn; 95% hồ sơ nộp trực tuyến"
    assert by_name["Chính quyền thân thiện vì Nhân dân phục vụ"]["first_id"] == "DVK-2026-CB04-1"
    assert "Trường học thân thiện, học sinh tích cực" not in by_name  # DB01 ended it
    assert by_name["Câu lạc bộ kỹ năng sống cho học sinh"]["kind"] == "Mới"
    false_continued = by_name["Bếp ăn nghĩa tình cho người bệnh"]  # CB06 never ran it: no first ID to link
    assert false_continued["kind"] == "Duy trì" and not false_continued["first_id"]
    assert by_name["Dân quân gần dân"]["first_id"] == "DVK-2026-CB06-1"
