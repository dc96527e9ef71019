import shutil
from datetime import date

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from dvk_xl.demo.demo_year import set_committee_code
from dvk_xl.intake.rollup import rollup
from dvk_xl.master.book import init_master, open_master, read_form_table
from dvk_xl.reports.writer import write_report
from dvk_xl.shells.cli import main
from dvk_xl.spec.forms import REGISTER, RESULTS

from .reportfixtures import fill_register

WARDS = {"PHONGAN": "Đảng ủy phường Hồng An", "PHONGPHUC": "Đảng ủy phường Hồng Phúc",
         "PHONGTHAI": "Đảng ủy phường Hồng Thái"}


def other_ward(root, code, prefix, subject):
    """A small ward whose two models carry IDs with its own unit codes."""
    units = [{"unit_code": f"{prefix}-CB1", "unit_name": "Chi bộ Khu phố 1", "unit_type": "Chi bộ"},
             {"unit_code": f"{prefix}-PN", "unit_name": "Hội Phụ nữ", "unit_type": "Tổ chức chính trị - xã hội"}]
    master = init_master(root / code, committee=WARDS[code], units=units).path
    register = [
        dict(model_id=f"DVK-2026-{prefix}-CB1-1", unit_code=f"{prefix}-CB1", unit_name="Chi bộ Khu phố 1",
             name="Camera an ninh", field="Quốc phòng - an ninh, dân tộc - tôn giáo", subject="Tập thể",
             carried_by="Chi bộ Khu phố 1", kind="Duy trì", start_year=2024, goals="Phủ camera",
             date_from=date(2026, 2, 1), date_to=date(2026, 12, 31), person_in_charge="A", status="Đang thực hiện"),
        dict(model_id=f"DVK-2026-{prefix}-PN-1", unit_code=f"{prefix}-PN", unit_name="Hội Phụ nữ",
             name="Vườn rau sạch", field="Kinh tế", subject=subject, carried_by="Bà Tươi", kind="Mới",
             start_year=2026, goals="5 hộ", date_from=date(2026, 3, 1), date_to=date(2026, 10, 31),
             launch_date=date(2026, 3, 15), person_in_charge="B", status="Đang thực hiện"),
    ]
    results = [dict(period="6 tháng", model_id=f"DVK-2026-{prefix}-PN-1", unit_code=f"{prefix}-PN",
                    name="Vườn rau sạch", result_status="Hoàn thành", launched="Có", launched_on=date(2026, 3, 15),
                    results="5 hộ có rau", participants=12, resources=2500000, lower_result="Có")]
    return fill_register(master, register, results)


@pytest.fixture
def three_wards(ward_master, tmp_path):
    """Three wards' PL02 and PL03 (6 tháng) reports in the city's inbox, and the city's master."""
    fill_register(ward_master)
    set_committee_code(ward_master, "PHONGAN")  # the others are recognised by their names
    wards = [ward_master, other_ward(tmp_path, "PHONGPHUC", "HP", "Cá nhân"),
             other_ward(tmp_path, "PHONGTHAI", "HT", "Tập thể")]
    inbox = tmp_path / "city_inbox"
    inbox.mkdir()
    reports = {}
    for i, ward in enumerate(wards):
        for kind in ("dang-ky", "6-thang"):
            path = write_report(ward, kind, tmp_path / f"reports{i}").path
            reports.setdefault(kind, []).append(path)
            shutil.copy2(path, inbox / path.name)
    city = init_master(tmp_path / "city", committee="Ban Tuyên giáo và Dân vận Thành ủy Hải Phòng",
                       units=[{"unit_code": c, "unit_name": n, "unit_type": "Đảng bộ trực thuộc"}
                              for c, n in WARDS.items()]).path
    return city, inbox, reports


def total_rows(path, sheet):
    """Every “Tổng cộng” row of a report, numbers only."""
    ws = load_workbook(path)[sheet]
    return [[c.value for c in row[2:] if isinstance(c.value, int | float)]
            for row in ws.iter_rows() if row[1].value == "Tổng cộng"]


def test_rollup_totals_equal_the_sum_of_the_wards(three_wards, tmp_path):
    city, inbox, reports = three_wards
    result = rollup(city, inbox)
    assert [f.status for f in result.files] == ["accepted"] * 6, [f.findings for f in result.files]
    assert result.exit_code == 0
    wb = open_master(city)
    register = read_form_table(wb, REGISTER)
    assert sorted(register["model_id"]) == sorted([
        "PHONGAN/DVK-2026-CB01-1", "PHONGAN/DVK-2026-CB01-2", "PHONGAN/DVK-2026-PN01-1",
        "PHONGPHUC/DVK-2026-HP-CB1-1", "PHONGPHUC/DVK-2026-HP-PN-1", "PHONGTHAI/DVK-2026-HT-CB1-1",
        "PHONGTHAI/DVK-2026-HT-PN-1"])  # the sender's code before its own ID; the withdrawn model is not sent up
    assert sorted(register["source_id"]) == sorted(m.split("/", 1)[1] for m in register["model_id"])
    assert set(register["unit_code"]) == set(WARDS) and set(register["status"]) == {"Đang thực hiện"}
    results = read_form_table(wb, RESULTS)
    assert len(results) == 7 and set(results["period"]) == {"6 tháng"}
    for kind, sheet in (("dang-ky", "Phụ lục 02"), ("6-thang", "Phụ lục 03")):
        city_report = write_report(city, kind, tmp_path / "city_reports").path
        wards = [total_rows(p, sheet) for p in reports[kind]]
        summed = [[sum(values) for values in zip(*tables, strict=True)] for tables in zip(*wards, strict=True)]
        assert total_rows(city_report, sheet) == summed
    pl03 = load_workbook(tmp_path / "city_reports" / city_report.name)["Phụ lục 03"]
    by_name = {row[1].value: row for row in pl03.iter_rows() if row[1].value in WARDS.values()}
    assert [c.value for c in by_name["Đảng ủy phường Hồng Phúc"][2:6]] == [2, 1, 1, 0]


def test_rollup_again_changes_nothing_and_a_clashing_ward_is_refused(three_wards, tmp_path):
    city, inbox, reports = three_wards
    rollup(city, inbox)
    again = rollup(city, inbox)
    assert {f.status for f in again.files} == {"unchanged"} and not again.master_changed
    # A fourth committee re-using the first ward's model IDs: refused, nothing merged.
    clash = tmp_path / "clash"
    clash.mkdir()
    book = load_workbook(reports["dang-ky"][0])
    meta = book["_dvk"]
    for row in meta.iter_rows():
        if row[0].value == "unit_code":
            row[1].value = "PHONGPHUC"
    book.save(clash / "PL02_sua.xlsx")
    result = rollup(city, clash, feedback_dir=tmp_path / "fb")
    outcome = result.files[0]
    assert outcome.status == "rejected" and result.exit_code == 1
    # Its code says Hồng Phúc, its name Hồng An; Hồng An's models are already held by Hồng An.
    assert [f.code for f in outcome.findings][:2] == ["committee-mismatch", "model-id-conflict"]
    assert {f.code for f in outcome.findings} == {"committee-mismatch", "model-id-conflict"}
    assert outcome.findings[1].cell == "A2" and outcome.feedback.exists()


def test_results_of_unregistered_models_are_refused(three_wards, tmp_path):
    city, inbox, reports = three_wards
    only_results = tmp_path / "only_results"
    only_results.mkdir()
    shutil.copy2(reports["6-thang"][1], only_results)
    result = rollup(city, only_results)
    assert result.files[0].status == "rejected"
    assert {f.code for f in result.files[0].findings} == {"model-unknown"}


def test_rollup_cli_and_a_unit_form_in_the_inbox(three_wards, ward_master, tmp_path):
    from dvk_xl.reports.templates import write_templates

    city, inbox, _ = three_wards
    stray = write_templates(ward_master, tmp_path / "forms", units=["CB01"]).paths[0]
    shutil.copy2(stray, inbox)
    run = CliRunner().invoke(main, ["rollup", str(city), str(inbox), "--json"])
    assert run.exit_code == 1
    import json

    files = {f["path"].rsplit("/", 1)[-1]: f for f in json.loads(run.output)["files"]}
    assert files[stray.name]["status"] == "rejected"
    assert files[stray.name]["findings"][0]["code"] == "template-unknown"
