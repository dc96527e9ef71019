"""``dvk demo``: a whole year of a ward's campaign on embedded data, step by step.

The demo units fill their forms the way real units do: mostly right, a few with the typical
mistakes (no accents in a list value, a date that does not exist, a new model with no launch
date, a renamed file, a unit that never answers).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

from ..core.errors import DvkError
from ..core.kinds import IntakeStatus
from ..spec.forms import PL01
from .demo_fill import DEFAULT_RECEIVED, fill_template

DEMO_COMMITTEE = "Đảng ủy phường Hồng An"

DEMO_UNITS: list[dict[str, Any]] = [
    {"unit_code": "CB01", "unit_name": "Chi bộ Khu dân cư số 1", "unit_type": "Chi bộ", "min_models": 1},
    {"unit_code": "CB02", "unit_name": "Chi bộ Khu dân cư số 2", "unit_type": "Chi bộ", "min_models": 1},
    {"unit_code": "CB03", "unit_name": "Chi bộ Khu dân cư số 3", "unit_type": "Chi bộ", "min_models": 1},
    {"unit_code": "CB04", "unit_name": "Chi bộ Cơ quan Ủy ban nhân dân phường", "unit_type": "Chi bộ", "min_models": 1},
    {"unit_code": "CB05", "unit_name": "Chi bộ Công an phường", "unit_type": "Chi bộ", "min_models": 1},
    {"unit_code": "CB06", "unit_name": "Chi bộ Quân sự phường", "unit_type": "Chi bộ", "min_models": 1},
    {"unit_code": "DB01", "unit_name": "Đảng bộ Trường Trung học cơ sở Hồng An", "unit_type": "Đảng bộ trực thuộc",
     "min_models": 1},
    {"unit_code": "MT01", "unit_name": "Ủy ban Mặt trận Tổ quốc Việt Nam phường", "unit_type": "Mặt trận Tổ quốc",
     "min_models": 1},
    {"unit_code": "DTN01", "unit_name": "Đoàn Thanh niên Cộng sản Hồ Chí Minh phường",
     "unit_type": "Tổ chức chính trị - xã hội", "min_models": 1},
    {"unit_code": "PN01", "unit_name": "Hội Liên hiệp Phụ nữ phường", "unit_type": "Tổ chức chính trị - xã hội",
     "min_models": 1},
    {"unit_code": "CCB01", "unit_name": "Hội Cựu chiến binh phường", "unit_type": "Tổ chức chính trị - xã hội",
     "min_models": 1},
    {"unit_code": "CD01", "unit_name": "Công đoàn cơ sở phường", "unit_type": "Tổ chức chính trị - xã hội",
     "min_models": 1},
]

# One tuple per model: name, field, subject, carried by, kind, start year, partners, goals, method,
# from, to, launch, person in charge, phone.
_M = tuple[str, str, str, str, str, int, str, str, str, Any, Any, Any, str, str]

DEMO_MODELS: dict[str, list[_M]] = {
    "CB01": [
        ("Khu dân cư sáng - xanh - sạch - đẹp - an toàn", "Văn hóa - xã hội", "Tập thể", "Chi bộ Khu dân cư số 1",
         "Duy trì", 2024, "Ban công tác Mặt trận, Chi hội Phụ nữ", "100% hộ dân phân loại rác tại nguồn; 2 tuyến ngõ có đèn chiếu sáng",
         "Chia tổ tự quản theo ngõ, mỗi tháng một buổi tổng vệ sinh", date(2026, 3, 1), date(2026, 11, 30), None,
         "Nguyễn Văn Hùng", "0912345601"),
        ("Vận động Nhân dân hiến đất mở rộng ngõ 12", "Kinh tế", "Tập thể", "Chi bộ Khu dân cư số 1", "Mới", 2026,
         "Tổ dân phố số 1", "Mở rộng ngõ 12 lên 4 m, 15 hộ hiến đất", "Đảng viên gương mẫu hiến trước, họp dân từng hộ",
         "15/03/2026", "30/10/2026", "20/03/2026", "Trần Thị Lan", "0912345602"),
    ],
    "CB02": [
        ("Tổ dân phố văn minh, hạnh phúc", "Văn hoá - xã hội", "Tập thể", "Chi bộ Khu dân cư số 2", "Nhân rộng", 2025,
         "Chi hội Cựu chiến binh", "90% hộ đạt gia đình văn hóa", "Nhân rộng cách làm của Khu dân cư số 1",
         date(2026, 3, 5), date(2026, 11, 30), None, "Phạm Văn Tâm", "0912345603"),
    ],
    "CB03": [
        ("Camera an ninh khu dân cư", "Quốc phòng - an ninh, dân tộc - tôn giáo", "Tập thể", "Chi bộ Khu dân cư số 3",
         "Mới", 2026, "Công an phường", "Lắp 12 camera tại các ngõ, giảm 50% vụ trộm cắp", "Vận động xã hội hóa kinh phí",
         "01/04/2026", "30/11/2026", None, "Lê Văn Minh", "0912345604"),
    ],
    "CB04": [
        ("Chính quyền thân thiện vì Nhân dân phục vụ", "Xây dựng hệ thống chính trị", "Tập thể",
         "Chi bộ Cơ quan Ủy ban nhân dân phường", "Duy trì", 2023, "Bộ phận một cửa",
         "100% hồ sơ trả đúng hạn; 90% hồ sơ nộp trực tuyến", "Hướng dẫn tận tình, tổ công nghệ số hỗ trợ người dân",
         date(2026, 1, 15), date(2026, 12, 15), None, "Đỗ Thị Hương", "0912345605"),
        ("Bình dân học vụ số cho người cao tuổi", "Văn hóa - xã hội", "Tập thể", "Chi bộ Cơ quan Ủy ban nhân dân phường",
         "Mới", 2026, "Đoàn Thanh niên", "300 người cao tuổi dùng được dịch vụ công trực tuyến", "Lớp học cuối tuần tại nhà văn hóa",
         date(2026, 4, 1), date(2026, 10, 31), date(2026, 4, 5), "Vũ Văn Long", "0912345606"),
    ],
    "CB05": [
        ("Tổ dân vận tham gia giữ gìn an ninh trật tự", "Quốc phòng - an ninh, dân tộc - tôn giáo", "Tập thể",
         "Chi bộ Công an phường", "Duy trì", 2025, "Tổ bảo vệ an ninh trật tự cơ sở", "Không để phát sinh tụ điểm tệ nạn",
         "Gặp gỡ hộ dân, nắm tình hình từng tổ", date(2026, 2, 1), "31/11/2026", None, "Hoàng Văn Dũng", "0912345607"),
    ],
    "CB06": [
        ("Dân quân gần dân", "Quốc phòng - an ninh, dân tộc - tôn giáo", "Tập thể", "Chi bộ Quân sự phường", "Mới", 2026,
         "Đoàn Thanh niên", "Hỗ trợ 20 hộ khó khăn sửa nhà", "Ngày thứ bảy tình nguyện",
         date(2026, 3, 10), date(2026, 12, 31), date(2026, 3, 26), "Bùi Văn Khánh", "0912345608"),
    ],
    "DB01": [
        ("Trường học thân thiện, học sinh tích cực", "Văn hóa - xã hội", "Tập thể", "Đảng bộ Trường Trung học cơ sở Hồng An",
         "Duy trì", 2022, "Hội Cha mẹ học sinh", "Không có học sinh vi phạm an toàn giao thông", "Mỗi lớp một công trình măng non",
         date(2026, 1, 5), date(2026, 5, 31), None, "Ngô Thị Mai", "0912345609"),
    ],
    "MT01": [
        ("Đoàn kết lương giáo, tốt đời - đẹp đạo", "Quốc phòng - an ninh, dân tộc - tôn giáo", "Tập thể",
         "Ủy ban Mặt trận Tổ quốc Việt Nam phường", "Duy trì", 2024, "Ban Hành giáo họ đạo",
         "100% hộ giáo dân ký cam kết", "Phối hợp chức sắc tôn giáo vận động", date(2026, 2, 15), date(2026, 11, 30), None,
         "Đinh Văn Thắng", "0912345610"),
    ],
    "DTN01": [
        ("Thanh niên tình nguyện chuyển đổi số", "Kinh te", "Tập thể", "Đoàn Thanh niên phường", "Mới", 2026,
         "Chi đoàn các khu dân cư", "500 hộ cài đặt ứng dụng định danh điện tử", "Đội hình tình nguyện đến từng nhà",
         date(2026, 3, 26), date(2026, 9, 30), None, "Lý Thị Hà", "0912345611"),
    ],
    "PN01": [
        ("Phụ nữ giúp nhau phát triển kinh tế", "Kinh tế", "Tập thể", "Hội Liên hiệp Phụ nữ phường", "Nhân rộng", 2024,
         "Ngân hàng chính sách xã hội", "30 hội viên được vay vốn, 10 hộ thoát nghèo", "Tổ tiết kiệm, vay vốn",
         date(2026, 3, 1), date(2026, 12, 15), None, "Trịnh Thị Thu", "0912345612"),
        ("Phụ nữ giúp nhau phát triển kinh tế", "Kinh tế", "Tập thể", "Hội Liên hiệp Phụ nữ phường", "Nhân rộng", 2024,
         "", "Trùng dòng trên", "", date(2026, 3, 1), date(2026, 12, 15), None, "Trịnh Thị Thu", "0912345612"),
    ],
    "CCB01": [
        ("Cựu chiến binh gương mẫu, tiếp lửa truyền thống", "Xây dựng hệ thống chính trị", "Cá nhân",
         "Đồng chí Nguyễn Văn Thành", "Duy trì", 2021, "Đoàn Thanh niên", "Kể chuyện truyền thống cho 1.000 đoàn viên",
         "Sinh hoạt chuyên đề hàng quý", date(2026, 1, 1), date(2026, 12, 31), None, "Nguyễn Văn Thành", "0912345613"),
    ],
    # CD01 never answers.
}

RENAMED = {"CB03": "dang ky mo hinh - khu 3 (final).xlsx"}  # units rename files when they e-mail them
# When each file reached the ward's inbox: most before the 03/3 deadline, one late.
RECEIVED = {"CB06": datetime(2026, 3, 6, 9, 15)}


def run_demo(directory: str | Path, force: bool = False, echo: Callable[[str], None] = print) -> Path:
    """Build the demo campaign in ``directory`` and run every step the tool has."""
    from ..master.book import init_master
    from ..reports.templates import UnitInfo, template_file_name, write_templates

    directory = Path(directory)
    if directory.exists() and any(directory.iterdir()):
        if not force:
            raise DvkError(f"Thư mục {directory} đã có dữ liệu; chọn thư mục khác hoặc thêm --force để tạo lại demo")
        shutil.rmtree(directory)
    echo(f"DEMO phong trào thi đua “Dân vận khéo” — {DEMO_COMMITTEE}, năm 2026")
    echo(f"Thư mục demo: {directory.resolve()}")

    result = init_master(directory, year=2026, committee=DEMO_COMMITTEE, preset="phuong", units=DEMO_UNITS)
    master = result.path
    echo(f"\n1. Tạo sổ tổng hợp ({len(DEMO_UNITS)} đơn vị, kế hoạch mẫu của phường): {master}")

    forms_dir = directory / "1_MauGuiDonVi"
    written = write_templates(master, forms_dir)
    echo(f"2. Tạo {len(written.paths)} mẫu Phụ lục 01 gửi đơn vị: {forms_dir}")

    inbox = directory / "2_TiepNhan"
    for unit in DEMO_UNITS:
        models = DEMO_MODELS.get(unit["unit_code"])
        if not models:
            continue
        info = UnitInfo(unit["unit_code"], unit["unit_name"], unit["unit_type"])
        template = forms_dir / template_file_name(PL01, info)
        returned = fill_template(template, models, inbox / RENAMED.get(unit["unit_code"], template.name))
        when = RECEIVED.get(unit["unit_code"], DEFAULT_RECEIVED).timestamp()
        os.utime(returned, (when, when))
    returned = len(list(inbox.glob("*.xlsx")))
    echo(f"3. {returned} đơn vị điền và gửi lại mẫu (một đơn vị chưa gửi, vài tệp có lỗi thường gặp): {inbox}")
    for step in DEMO_STEPS:
        step(directory, master, inbox, echo)
    echo(f"\nXong. Mở sổ tổng hợp để xem kết quả: {master}")
    return master


# Later capabilities append their step here: step(directory, master, inbox, echo).
DEMO_STEPS: list[Callable[[Path, Path, Path, Callable[[str], None]], None]] = []


def consolidate_step(directory: Path, master: Path, inbox: Path, echo: Callable[[str], None]) -> None:
    """Check and consolidate the returned forms; faulty units get a marked-up copy back."""
    from ..intake.consolidation import consolidate

    feedback = directory / "3_PhanHoiDonVi"
    report = consolidate(master, inbox, feedback_dir=feedback)
    echo(f"4. Kiểm tra và tổng hợp vào sheet “Đăng ký” của {master.name}:")
    for line in report.lines(details=False):
        echo(f"   {line}")
    for outcome in report.files:
        if outcome.status == IntakeStatus.REJECTED:
            first = next(f for f in outcome.findings if f.is_error)
            echo(f"   - {outcome.path.name}: {first.message}")
    echo(f"   Tệp phản hồi (ô lỗi tô đỏ, sheet “Lỗi cần sửa”) để gửi lại đơn vị: {feedback}")
    resent = resend_corrected(directory, inbox)
    again = consolidate(master, inbox, feedback_dir=feedback)
    fixed = next(o for o in again.files if o.path == resent)
    summary = again.summary()
    echo(f"   Đoàn Thanh niên sửa theo phản hồi và gửi lại ({resent.name}): "
         f"{'được chấp nhận' if fixed.status == IntakeStatus.ACCEPTED else 'vẫn bị từ chối'}"
         f"{' (trễ hạn)' if any(f.code == 'late-submission' for f in fixed.findings) else ''}; "
         f"tổng hợp lại: {summary[IntakeStatus.UNCHANGED]} tệp không đổi được bỏ qua, "
         f"đơn vị đã có mẫu hợp lệ {summary['units_received']}/{summary['units_expected']}.")


def resend_corrected(directory: Path, inbox: Path) -> Path:
    """The youth union fixes what the feedback pointed at and sends its form again, two days late."""
    from ..reports.templates import UnitInfo, template_file_name

    unit = next(u for u in DEMO_UNITS if u["unit_code"] == "DTN01")
    (name, _field, *middle, _launch, person, phone) = DEMO_MODELS["DTN01"][0]
    corrected = (name, "Kinh tế", *middle, date(2026, 3, 28), person, phone)
    template = directory / "1_MauGuiDonVi" / template_file_name(PL01, UnitInfo(unit["unit_code"], unit["unit_name"]))
    path = fill_template(template, [corrected], inbox / f"{template.stem}_da_sua.xlsx")
    when = datetime(2026, 3, 5, 14, 0).timestamp()
    os.utime(path, (when, when))
    return path


DEMO_STEPS.insert(0, consolidate_step)


DEMO_TODAY = date(2026, 3, 6)  # three days after the registration deadline, before the list goes up


def compliance_step(directory: Path, master: Path, inbox: Path, echo: Callable[[str], None]) -> None:
    """Quotas, deadlines, criteria on a chosen day: the demo misses "100% units" and the registration deadline."""
    from ..compliance.check import COMPLIANCE_SHEET, run_compliance
    from ..compliance.deadlines import due_line
    from ..core.dates import format_date

    report = run_compliance(master, today=DEMO_TODAY)
    echo(f"\nKiểm tra chỉ tiêu, tiến độ, tiêu chí (dvk compliance --today {format_date(DEMO_TODAY)}), "
         f"sheet “{COMPLIANCE_SHEET}” và “Thẩm định”:")
    echo(f"   Đạt {len(report.quotas) - len(report.missed)}/{len(report.quotas)} chỉ tiêu; "
         f"{report.criteria.models} mô hình đang thực hiện đã có dòng thẩm định.")
    for quota in report.missed:
        echo(f"   - Chỉ tiêu chưa đạt: {quota.rule.rule_id} {quota.rule.description}: {quota.actual_text}; "
             f"đơn vị chưa đạt: {', '.join(u.code for u in quota.short)}")
    for deadline in report.late:
        echo(f"   - Việc trễ hạn: {due_line(deadline)}")


DEMO_STEPS.append(compliance_step)


def year_step(directory: Path, master: Path, inbox: Path, echo: Callable[[str], None]) -> None:
    """Reports up with e-mail drafts, 6-month results, roll-up of three wards (dvk_xl/demo/demo_year.py)."""
    from .demo_year import STEPS

    for step in STEPS:
        step(directory, master, inbox, echo)


DEMO_STEPS.append(year_step)


def next_year_step(directory: Path, master: Path, inbox: Path, echo: Callable[[str], None]) -> None:
    """2027 made from the 2026 master, pre-filled forms returned (dvk_xl/demo/demo_nextyear.py)."""
    from .demo_nextyear import STEPS

    for step in STEPS:
        step(directory, master, inbox, echo)


DEMO_STEPS.append(next_year_step)
