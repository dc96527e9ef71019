"""``dvk demo``, the rest of the year: reports up with e-mail drafts, 6-month results from the
units, and a roll-up of three demo wards into the city.

The two extra wards are small (two units each) and go through the same real path as the main one:
forms out, forms back, consolidate, results, reports.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

from ..core.kinds import IntakeStatus, Period, ReportKind
from ..spec.forms import PL01, PL03, SETTING_ROWS, SETTINGS

Echo = Callable[[str], None]
RESULTS_RECEIVED = datetime(2026, 6, 16, 10, 0)
CITY = "Ban Tuyên giáo và Dân vận Thành ủy Hải Phòng"
CITY_CODE_OF_MAIN_WARD = "PHONGAN"

# What the main ward's units report at six months, by the model's position in the unit's list
# (status, launched, launch date, main results, people, resources in VND, self-assessment, proposal).
DEMO_RESULTS: dict[str, list[tuple]] = {
    "CB01": [("Đang thực hiện", "Không", None, "85% hộ phân loại rác; 1 tuyến ngõ có đèn", 420, 18500000, "Đạt",
              "Đề nghị công nhận"),
             ("Hoàn thành", "Có", date(2026, 3, 20), "15 hộ hiến 120 m² đất; ngõ 12 rộng 4 m", 160, 350000000, "Đạt",
              "Đề nghị công nhận tiêu biểu")],
    "CB02": [("Đang thực hiện", "Không", None, "78% hộ đạt gia đình văn hóa", 310, 6000000, "Đạt", "Đề nghị công nhận")],
    "CB04": [("Đang thực hiện", "Không", None, "100% hồ sơ đúng hạn; 86% nộp trực tuyến", 25, 0, "Đạt",
              "Đề nghị công nhận"),
             ("Đang thực hiện", "Có", date(2026, 4, 5), "180 người cao tuổi dùng được dịch vụ công", 60, 12000000,
              "Đạt", "Đề nghị công nhận")],
    "MT01": [("Đang thực hiện", "Không", None, "100% hộ giáo dân ký cam kết", 540, 0, "Đạt", "Đề nghị công nhận")],
    "PN01": [("Tạm dừng", "Không", None, "Chờ nguồn vốn của Ngân hàng chính sách xã hội", 30, 0, "Chưa đạt",
              "Không đề nghị")],
}

# The two other wards: (committee, code in the city's list, units, models per unit).
_W = tuple[str, str, list[dict[str, Any]], dict[str, list[tuple]]]
OTHER_WARDS: list[_W] = [
    ("Đảng ủy phường Hồng Phúc", "PHONGPHUC",
     [{"unit_code": "HP-KDC1", "unit_name": "Chi bộ Tổ dân phố số 1", "unit_type": "Chi bộ", "min_models": 1},
      {"unit_code": "HP-DTN", "unit_name": "Đoàn Thanh niên phường Hồng Phúc", "unit_type": "Tổ chức chính trị - xã hội",
       "min_models": 1}],
     {"HP-KDC1": [("Tuyến phố văn minh", "Văn hóa - xã hội", "Tập thể", "Chi bộ Tổ dân phố số 1", "Mới", 2026, "",
                   "Không lấn chiếm vỉa hè", "Họp dân, cam kết từng hộ", date(2026, 3, 1), date(2026, 11, 30),
                   date(2026, 3, 8), "Phạm Thị Hoa", "0913000001")],
      "HP-DTN": [("Thanh niên hỗ trợ dịch vụ công", "Xây dựng hệ thống chính trị", "Tập thể", "Đoàn Thanh niên",
                  "Nhân rộng", 2025, "", "1.000 lượt hỗ trợ", "Tổ tình nguyện tại bộ phận một cửa",
                  date(2026, 3, 1), date(2026, 12, 31), None, "Lê Minh Tuấn", "0913000002")]}),
    ("Đảng ủy phường Hồng Thái", "PHONGTHAI",
     [{"unit_code": "HT-CB1", "unit_name": "Chi bộ Khu phố 1", "unit_type": "Chi bộ", "min_models": 1},
      {"unit_code": "HT-CCB", "unit_name": "Hội Cựu chiến binh phường Hồng Thái",
       "unit_type": "Tổ chức chính trị - xã hội", "min_models": 1}],
     {"HT-CB1": [("Camera an ninh khu phố", "Quốc phòng - an ninh, dân tộc - tôn giáo", "Tập thể", "Chi bộ Khu phố 1",
                  "Duy trì", 2024, "Công an phường", "Phủ camera 100% ngõ", "Xã hội hóa kinh phí",
                  date(2026, 2, 1), date(2026, 12, 31), None, "Vũ Đức Anh", "0913000003"),
                 ("Vườn rau sạch cho hộ nghèo", "Kinh tế", "Cá nhân", "Bà Nguyễn Thị Tươi", "Mới", 2026, "",
                  "5 hộ có rau sạch quanh năm", "Hướng dẫn trồng rau tại nhà", date(2026, 3, 1), date(2026, 10, 31),
                  date(2026, 3, 15), "Nguyễn Thị Tươi", "0913000004")],
      "HT-CCB": [("Cựu chiến binh giúp nhau làm kinh tế", "Kinh tế", "Tập thể", "Hội Cựu chiến binh", "Duy trì", 2023,
                  "", "10 hội viên vay vốn", "Tổ tiết kiệm", date(2026, 1, 1), date(2026, 12, 31), None,
                  "Đặng Văn Bình", "0913000005")]}),
]
OTHER_RESULT = ("Đang thực hiện", "Có", date(2026, 3, 10), "Đã triển khai đúng kế hoạch", 80, 5000000, "Đạt",
                "Đề nghị công nhận")


def _stamp(path: Path, when: datetime) -> None:
    os.utime(path, (when.timestamp(), when.timestamp()))


def fill_results(template: Path, results: list[tuple], out: Path) -> Path:
    """Fill a unit's Phụ lục 03 as a unit would: one tuple per pre-filled model row, in order
    (status, launched, launch date, results, people, resources, self-assessment of all 8, proposal)."""
    from openpyxl import load_workbook

    from ..reports.templates import HEADER_ROW

    book = load_workbook(template)
    ws = book[PL03.sheet]
    for i, (status, launched, launched_on, text, people, money, assessment, proposal) in enumerate(results):
        row = HEADER_ROW + 1 + i
        if ws.cell(row, PL03.position("model_id") + 1).value is None:
            break
        values = {"result_status": status, "launched": launched, "launched_on": launched_on, "results": text,
                  "participants": people, "resources": money, "proposal": proposal,
                  **{f"self_c{n}": assessment for n in range(1, 9)}}
        for key, value in values.items():
            ws.cell(row, PL03.position(key) + 1, value)
    out.parent.mkdir(parents=True, exist_ok=True)
    book.save(out)
    return out


def set_committee_code(master: Path, code: str) -> None:
    """Staff type the code the city gave them into “Cấu hình” (done through the Workbook interface)."""
    from ..master.book import open_master

    wb = open_master(master)
    frame = wb.read_table(SETTINGS.table)
    label = next(s.label for s in SETTING_ROWS if s.key == "committee_code")
    frame.loc[frame[SETTINGS.header_of("label")] == label, SETTINGS.header_of("value")] = code
    wb.write_table(SETTINGS.table, frame)
    wb.save()


def collect_results(master: Path, directory: Path, results: dict[str, list[tuple]], default: tuple | None = None) -> Any:
    """PL03 templates out, filled by the units, consolidated into KetQua."""
    from ..intake.consolidation import consolidate
    from ..reports.templates import write_templates

    forms = write_templates(master, directory / "MauPhuLuc03", form="pl03", period=Period.HALF_YEAR).paths
    inbox = directory / "TiepNhanKetQua"
    for template in forms:
        unit = template.stem.split("_")[3]
        filled = results.get(unit) or ([default] * 5 if default else None)
        if filled:
            _stamp(fill_results(template, filled, inbox / template.name), RESULTS_RECEIVED)
    return consolidate(master, inbox)


def reports_step(directory: Path, master: Path, inbox: Path, echo: Echo) -> None:
    """Phụ lục 02 with its e-mail draft, then the six-month results and Phụ lục 03."""
    from ..reports.writer import write_report

    out = directory / "5_BaoCaoCapTren"
    pl02 = write_report(master, ReportKind.REGISTRATION, out, eml=True)
    echo(f"\n5. Phụ lục 02 gửi cấp trên ({pl02.models} mô hình của {pl02.units} đơn vị): {pl02.path.name}")
    echo(f"   Thư nháp (mở bằng Outlook/Thunderbird, kiểm tra rồi bấm Gửi): {pl02.eml.name}")
    intake = collect_results(master, directory / "6_KetQua6Thang", DEMO_RESULTS)
    echo(f"6. Mẫu Phụ lục 03 (6 tháng) gửi đơn vị có mô hình; {intake.count(IntakeStatus.ACCEPTED)} tệp kết quả được tổng hợp "
         "vào sheet “Kết quả” (mô hình của đơn vị chưa báo cáo để trống)")
    pl03 = write_report(master, ReportKind.HALF_YEAR, out, eml=True)
    echo(f"7. Phụ lục 03 báo cáo 6 tháng: {pl03.path.name} (+ thư nháp {pl03.eml.name})")
    for notice in dict.fromkeys(pl02.notices + pl03.notices):  # the same notice from both reports once
        echo(f"   Lưu ý: {notice}")


def rollup_step(directory: Path, master: Path, inbox: Path, echo: Echo) -> None:
    """Two more wards do the same; the city rolls the three wards' reports up and reports itself."""
    from ..intake.consolidation import consolidate
    from ..intake.rollup import rollup
    from ..master.book import init_master
    from ..reports.templates import UnitInfo, template_file_name, write_templates
    from ..reports.writer import write_report
    from .demo_fill import DEFAULT_RECEIVED, fill_template

    base = directory / "9_ThanhPho"
    city_inbox = base / "TiepNhanTuPhuong"
    city_inbox.mkdir(parents=True, exist_ok=True)
    sent = [directory / "5_BaoCaoCapTren"]
    for committee, code, units, models in OTHER_WARDS:
        ward_dir = base / "Phuong" / code
        ward = init_master(ward_dir, committee=committee, preset="phuong", units=units).path
        set_committee_code(ward, code)
        forms = ward_dir / "MauPhuLuc01"
        write_templates(ward, forms)
        for unit in units:
            template = forms / template_file_name(PL01, UnitInfo(unit["unit_code"], unit["unit_name"]))
            _stamp(fill_template(template, models[unit["unit_code"]], ward_dir / "TiepNhan" / template.name),
                   DEFAULT_RECEIVED)
        consolidate(ward, ward_dir / "TiepNhan")
        collect_results(ward, ward_dir, {}, OTHER_RESULT)
        for kind in (ReportKind.REGISTRATION, ReportKind.HALF_YEAR):
            write_report(ward, kind, ward_dir / "BaoCao")
        sent.append(ward_dir / "BaoCao")
    for folder in sent:
        for report in folder.glob("*.xlsx"):
            shutil.copy2(report, city_inbox / report.name)
    wards = [{"unit_code": CITY_CODE_OF_MAIN_WARD, "unit_name": "Đảng ủy phường Hồng An", "unit_type": "Đảng bộ trực thuộc"}]
    wards += [{"unit_code": code, "unit_name": name, "unit_type": "Đảng bộ trực thuộc"} for name, code, _, _ in OTHER_WARDS]
    city = init_master(base, committee=CITY, preset="phuong", units=wards).path
    result = rollup(city, city_inbox, feedback_dir=base / "PhanHoiPhuong")
    echo(f"8. Thành phố tổng hợp báo cáo của 3 phường ({result.count(IntakeStatus.ACCEPTED)} tệp nhận, "
         f"{result.count(IntakeStatus.REJECTED)} bị từ chối) vào {city}")
    pl02 = write_report(city, ReportKind.REGISTRATION, base / "BaoCao", eml=True)
    pl03 = write_report(city, ReportKind.HALF_YEAR, base / "BaoCao", eml=True)
    echo(f"   Phụ lục 02 của thành phố: {pl02.models} mô hình của {pl02.units} phường; Phụ lục 03: {pl03.path.name}")


STEPS = [reports_step, rollup_step]
