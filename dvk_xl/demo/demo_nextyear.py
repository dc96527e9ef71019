"""``dvk demo``, the next year: the 2027 campaign made from the 2026 master (``dvk init --from``).

Staff make the new master, send each unit its Phụ lục 01 pre-filled with what it ran in 2026, and
consolidate what comes back: units that keep their models as they are, a unit that raises its
targets, a unit that ends a model and starts a new one, a unit that declares as “Duy trì” a model it
never ran, and units that have not answered yet.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from ..core.kinds import IntakeStatus, ModelKind

Echo = Callable[[str], None]
NEXT_YEAR = 2027
NEXT_RECEIVED = datetime(2027, 2, 26, 10, 0)  # before the 03/3/2027 deadline moved from 2026

# How each unit answers its pre-filled form (units not listed have not answered yet):
# ``changes`` edit pre-filled rows (position -> {column key: value}), ``dropped`` rows are deleted,
# ``new`` models are added below (tuples as ``fill_template`` takes them: name … phone).
ANSWERS: dict[str, dict[str, Any]] = {
    "CB01": {},  # keeps both models as they are
    "CB02": {},
    "MT01": {},
    "CB04": {"changes": {0: {"goals": "100% hồ sơ trả đúng hạn; 95% hồ sơ nộp trực tuyến",
                             "date_to": date(2027, 12, 20)}}},  # higher targets for its continued model
    "DB01": {"dropped": (0,), "new": [  # its 2026 model ended with the school year; a new one starts
        ("Câu lạc bộ kỹ năng sống cho học sinh", "Văn hóa - xã hội", "Tập thể",
         "Đảng bộ Trường Trung học cơ sở Hồng An", ModelKind.NEW.value, NEXT_YEAR, "Hội Cha mẹ học sinh",
         "200 học sinh tham gia; 12 buổi sinh hoạt chuyên đề", "Sinh hoạt chiều thứ sáu hằng tuần",
         date(2027, 3, 15), date(2027, 12, 15), date(2027, 3, 26), "Ngô Thị Mai", "0912345609")]},
    "CB06": {"new": [  # keeps its model, and declares as continued a model it never ran
        ("Bếp ăn nghĩa tình cho người bệnh", "Văn hóa - xã hội", "Tập thể", "Chi bộ Quân sự phường", ModelKind.CONTINUED.value,
         2024, "Hội Chữ thập đỏ", "Mỗi tuần 100 suất ăn miễn phí", "Dân quân nấu và phát cơm tại trạm y tế",
         date(2027, 3, 1), date(2027, 12, 31), None, "Bùi Văn Khánh", "0912345608")]},
}


@dataclass
class NextYear:
    """The 2027 campaign as the demo left it, for the steps that follow (warnings, reminders)."""

    directory: Path
    master: Path
    previous_master: Path
    forms: Path
    inbox: Path
    report: Any  # the IntakeReport of the consolidation


# Steps that show more of the next year append themselves here: step(next_year, echo). The cross-year
# warnings (``continued-unknown`` …) and the e-mail reminders to the units that have not answered go here.
NEXT_YEAR_STEPS: list[Callable[[NextYear, Echo], None]] = []


def next_year_step(directory: Path, master: Path, inbox: Path, echo: Echo) -> None:
    """2027 from the 2026 master: carried settings, pre-filled forms, what the units send back."""
    from ..intake.consolidation import consolidate
    from ..master.book import open_master, read_form_table
    from ..master.nextyear import init_from
    from ..reports.templates import write_templates
    from ..spec.forms import REGISTER
    from .demo_fill import fill_prefilled

    base = directory / f"10_Nam{NEXT_YEAR}"
    carried = init_from(base, master, year=NEXT_YEAR)
    echo(f"\nNĂM SAU: tạo sổ năm {NEXT_YEAR} từ sổ năm 2026 (dvk init {base.name} --from {master.name}):")
    for line in carried.lines()[1:]:
        echo(f" {line}")
    forms = base / "MauPhuLuc01"
    written = write_templates(carried.path, forms)
    echo(f"9. {len(written.paths)} mẫu Phụ lục 01 năm {NEXT_YEAR}, {carried.model_units} mẫu điền sẵn mô hình năm 2026 "
         f"(“Duy trì”, khóa tên và “Mã đăng ký lần đầu”): {forms}")
    next_inbox = base / "TiepNhan"
    by_unit = {p.name.split("_")[1]: p for p in written.paths}
    for unit, answer in ANSWERS.items():
        template = by_unit[unit]
        path = fill_prefilled(template, next_inbox / template.name, changes=answer.get("changes"),
                              dropped=answer.get("dropped", ()), new_rows=answer.get("new", []))
        os.utime(path, (NEXT_RECEIVED.timestamp(), NEXT_RECEIVED.timestamp()))
    report = consolidate(carried.path, next_inbox, feedback_dir=base / "PhanHoiDonVi", now=NEXT_RECEIVED)
    register = read_form_table(open_master(carried.path), REGISTER)
    linked = sum(1 for v in register["first_id"] if isinstance(v, str) and v.strip())
    echo(f"10. {len(ANSWERS)} đơn vị gửi lại (giữ nguyên, nâng mục tiêu, thôi một mô hình, thêm mô hình mới, "
         "khai “Duy trì” một mô hình năm trước không có); "
         f"{report.count(IntakeStatus.ACCEPTED)} tệp được chấp nhận, {linked} mô hình duy trì giữ "
         f"“Mã đăng ký lần đầu” từ năm trước:")
    for line in report.lines(details=False):
        echo(f"   {line}")
    warnings = [(o.path.name, f) for o in report.files for f in o.findings if not f.is_error]
    for name, finding in warnings:
        echo(f"   - {name}: [{finding.code}] {finding.message}")
    state = NextYear(base, carried.path, master, forms, next_inbox, report)
    for step in NEXT_YEAR_STEPS:
        step(state, echo)
    echo(f"   Sổ năm {NEXT_YEAR}: {carried.path}")


STEPS = [next_year_step]
