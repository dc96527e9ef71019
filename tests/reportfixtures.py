"""A small register and results written through the Workbook interface (no intake needed)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd

from dvk_xl.master.book import open_master
from dvk_xl.spec.forms import REGISTER, RESULTS, Form

UNIT_NAMES = {"CB01": "Chi bộ Khu dân cư số 1", "PN01": "Hội Liên hiệp Phụ nữ phường"}

REGISTER_ROWS = [
    dict(model_id="DVK-2026-CB01-1", unit_code="CB01", name="Khu dân cư sáng - xanh - sạch - đẹp",
         field="Văn hóa - xã hội", subject="Tập thể", carried_by="Chi bộ Khu dân cư số 1", kind="Duy trì",
         start_year=2024, goals="100% hộ phân loại rác", date_from=date(2026, 3, 1), date_to=date(2026, 11, 30),
         person_in_charge="Nguyễn Văn Hùng", status="Đang thực hiện"),
    dict(model_id="DVK-2026-CB01-2", unit_code="CB01", name="Vận động hiến đất mở rộng ngõ 12", field="Kinh tế",
         subject="Tập thể", carried_by="Chi bộ Khu dân cư số 1", kind="Mới", start_year=2026,
         goals="Mở rộng ngõ lên 4 m", date_from=date(2026, 3, 15), date_to=date(2026, 10, 30),
         launch_date=date(2026, 3, 20), person_in_charge="Trần Thị Lan", status="Đang thực hiện"),
    dict(model_id="DVK-2026-PN01-1", unit_code="PN01", name="Phụ nữ giúp nhau phát triển kinh tế", field="Kinh tế",
         subject="Cá nhân", carried_by="Chị Trịnh Thị Thu", kind="Nhân rộng", start_year=2024,
         goals="30 hội viên được vay vốn", date_from=date(2026, 3, 1), date_to=date(2026, 12, 15),
         person_in_charge="Trịnh Thị Thu", status="Đang thực hiện"),
    dict(model_id="DVK-2026-PN01-2", unit_code="PN01", name="Mô hình đã rút", field="Kinh tế", subject="Tập thể",
         carried_by="Hội Phụ nữ", kind="Mới", start_year=2026, goals="-", person_in_charge="Trịnh Thị Thu",
         status="Đã rút"),
]

RESULT_ROWS = [
    dict(period="6 tháng", model_id="DVK-2026-CB01-2", unit_code="CB01", name="Vận động hiến đất mở rộng ngõ 12",
         result_status="Hoàn thành", launched="Có", launched_on=date(2026, 3, 20),
         results="15 hộ hiến đất, ngõ đã mở rộng", participants=120, resources=350000000, lower_result="Có",
         lower_typical="Có", lower_commendation="Giấy khen"),
    dict(period="6 tháng", model_id="DVK-2026-PN01-1", unit_code="PN01", name="Phụ nữ giúp nhau phát triển kinh tế",
         result_status="Đang thực hiện", launched="Không", results="12 hội viên được vay vốn", participants=25),
]


def frame(form: Form, records: list[dict]) -> pd.DataFrame:
    """Records keyed by column key -> a frame with the table's Vietnamese headers."""
    rows = [{**r, "unit_name": r.get("unit_name") or UNIT_NAMES.get(r.get("unit_code"), "")} for r in records]
    keyed = pd.DataFrame(rows, columns=form.keys)
    return keyed.rename(columns={c.key: c.header for c in form.columns})


def fill_register(master: Path, register: list[dict] | None = None, results: list[dict] | None = None) -> Path:
    wb = open_master(master)
    wb.write_table(REGISTER.table, frame(REGISTER, REGISTER_ROWS if register is None else register))
    wb.write_table(RESULTS.table, frame(RESULTS, RESULT_ROWS if results is None else results))
    wb.save()
    return master
