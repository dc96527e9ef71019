"""``dvk init DIR --from LAST_YEAR``: next year's master carries what stays and starts the rest empty."""

from __future__ import annotations

import hashlib
from datetime import date, datetime

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from dvk_xl.core.errors import DvkError
from dvk_xl.master.book import init_master, load_settings, open_master, read_form_table
from dvk_xl.master.nextyear import init_from, move_to_year
from dvk_xl.master.previous import previous_by_unit, read_previous_models, year_running
from dvk_xl.shells import doctor
from dvk_xl.shells.cli import main
from dvk_xl.spec.forms import (
    CRITERIA,
    DEADLINES,
    EVALUATION,
    INTAKE_LOG,
    LISTS,
    PREVIOUS_MODELS,
    QUOTAS,
    REGISTER,
    RESULTS,
    SUBMISSIONS,
    UNITS,
)
from dvk_xl.workbook.table_sheet import TABLE_HEADER_ROW
from tests.nextyearfixtures import finished_year


def digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def year_2026(ward_master):
    return finished_year(ward_master)


def records(path, form):
    return read_form_table(open_master(path), form).to_dict("records")


def test_carries_what_stays_and_leaves_the_previous_master_byte_identical(year_2026, tmp_path):
    before, mtime = digest(year_2026), year_2026.stat().st_mtime_ns
    result = init_from(tmp_path / "2027", year_2026)
    assert digest(year_2026) == before and year_2026.stat().st_mtime_ns == mtime
    assert result.path == tmp_path / "2027" / "SoTongHop_DVK_2027.xlsx" and result.year == 2027
    old, new = open_master(year_2026), open_master(result.path)
    for form in (UNITS, LISTS, QUOTAS, CRITERIA):  # carried cell by cell
        assert read_form_table(new, form).to_dict("records") == read_form_table(old, form).to_dict("records")
    units = {u["unit_code"]: u for u in records(result.path, UNITS)}
    assert units["CB01"]["email"] == "cb01@hongan.vn" and units["PN01"]["old_code"] == "HPN"
    assert units["DB01"]["min_models"] == 1
    settings = load_settings(new)
    previous = load_settings(old)
    assert settings.year == 2027
    for key in ("committee", "party_org", "parent_body", "higher_committee", "higher_email", "committee_code", "place",
                "signer_on_behalf", "signer_title", "signer_name", "recipients", "contact"):
        assert getattr(settings, key) == getattr(previous, key), key
    assert settings.contact == "Đồng chí Lê Thu, 0912000000"
    assert (settings.plan_number, settings.plan_date) == ("", None)  # last year's plan is not this year's


def test_deadlines_move_a_year_and_nothing_of_last_year_is_done(year_2026, tmp_path):
    result = init_from(tmp_path / "2027", year_2026)
    due = {d["step"]: d for d in records(result.path, DEADLINES)}
    assert {k: v["due"].date() for k, v in due.items()} == {
        "dang-ky": date(2027, 3, 3), "gui-cap-tren": date(2027, 3, 10), "bao-cao-6-thang": date(2027, 6, 20),
        "bao-cao-nam": date(2027, 11, 25)}
    assert all(d["done_on"] is None for d in due.values())
    assert due["dang-ky"]["note"] == "Năm 2026: Kế hoạch ghi “trước ngày 03/3/2026”"
    assert result.deadlines_moved == 4 and result.notices == []


def test_a_year_starts_empty_but_for_last_years_active_models(year_2026, tmp_path):
    result = init_from(tmp_path / "2027", year_2026)
    for form in (REGISTER, RESULTS, INTAKE_LOG, SUBMISSIONS, EVALUATION):
        assert records(result.path, form) == [], form.table
    rows = {r["model_id"]: r for r in records(result.path, PREVIOUS_MODELS)}
    assert sorted(rows) == ["DVK-2026-CB01-1", "DVK-2026-CB01-2", "DVK-2026-PN01-1"]  # the withdrawn one is not
    first = rows["DVK-2026-CB01-1"]
    assert (first["year"], first["first_id"], first["kind"], first["start_year"], first["result"]) == (
        2026, "DVK-2026-CB01-1", "Duy trì", 2024, "Công nhận")
    assert (first["date_from"].date(), first["date_to"].date()) == (date(2027, 3, 1), date(2027, 11, 30))
    assert first["goals"] == "100% hộ phân loại rác" and first["person_in_charge"] == "Nguyễn Văn Hùng"
    assert rows["DVK-2026-PN01-1"]["result"] == "Không công nhận" and rows["DVK-2026-CB01-2"]["result"] is None
    assert (result.models, result.model_units) == (3, 2)


def test_a_model_keeps_its_first_id_into_the_third_year(year_2026, tmp_path):
    wb = open_master(year_2026)
    register = wb.read_table(REGISTER.table)
    register[REGISTER.header_of("first_id")] = ["DVK-2025-CB01-4", None, None, None]
    wb.write_table(REGISTER.table, register)
    wb.save()
    rows = {r["model_id"]: r["first_id"] for r in records(init_from(tmp_path / "2027", year_2026).path, PREVIOUS_MODELS)}
    assert rows == {"DVK-2026-CB01-1": "DVK-2025-CB01-4", "DVK-2026-CB01-2": "DVK-2026-CB01-2",
                    "DVK-2026-PN01-1": "DVK-2026-PN01-1"}


def test_a_day_missing_in_the_new_year_is_left_empty_with_the_reason(tmp_path):
    master = init_master(tmp_path / "2028", year=2028, preset="phuong").path
    wb = open_master(master)
    deadlines = wb.read_table(DEADLINES.table)
    deadlines.loc[deadlines[DEADLINES.header_of("step")] == "dang-ky", DEADLINES.header_of("due")] = datetime(2028, 2, 29)
    wb.write_table(DEADLINES.table, deadlines)
    wb.save()
    run = CliRunner().invoke(main, ["init", str(tmp_path / "2029"), "--from", str(master)])
    assert run.exit_code == 0, run.output
    due = {d["step"]: d for d in records(tmp_path / "2029" / "SoTongHop_DVK_2029.xlsx", DEADLINES)}
    assert due["dang-ky"]["due"] is None
    assert "29/02/2028" in due["dang-ky"]["note"] and "tháng 2 năm 2029 chỉ có 28 ngày" in due["dang-ky"]["note"]
    assert "Lưu ý: Tiến độ “Đơn vị gửi đăng ký mô hình (Phụ lục 01) về Ban Xây dựng Đảng”: Hạn năm 2028 là 29/02/2028" \
        in run.output
    assert due["bao-cao-nam"]["due"].date() == date(2029, 11, 25)


def test_a_deadline_empty_last_year_is_said(procuracy_master, tmp_path):
    result = init_from(tmp_path / "2027", procuracy_master)
    assert any("Báo cáo kết quả năm" in n and "năm 2026 chưa có hạn" in n for n in result.notices)
    assert {d["step"]: d["due"] for d in records(result.path, DEADLINES)}["bao-cao-nam"] is None


def test_move_to_year():
    assert move_to_year(date(2026, 3, 3), 1) == (date(2027, 3, 3), "")
    moved, why = move_to_year(date(2028, 2, 29), 1)
    assert moved is None and "không tồn tại" in why


def test_cli_summary_says_what_was_carried_and_what_to_check(year_2026, tmp_path):
    run = CliRunner().invoke(main, ["init", str(tmp_path / "2027"), "--from", str(year_2026), "--year", "2027"])
    assert run.exit_code == 0, run.output
    out = run.output
    assert "Đã tạo sổ tổng hợp năm 2027" in out
    assert "12 đơn vị (1 đơn vị có email" in out and "4 chỉ tiêu, 8 tiêu chí" in out
    assert "3 mô hình đang thực hiện năm 2026 của 2 đơn vị" in out
    assert "kế hoạch năm 2026 (số 15-KH/ĐU, ngày 20/01/2026) không mang sang" in out
    assert "Chỉ tiêu: 4 chỉ tiêu của năm 2026" in out
    assert "không được công nhận: DVK-2026-PN01-1 “Phụ nữ giúp nhau phát triển kinh tế”" in out


def test_cli_refuses_what_makes_no_sense(year_2026, tmp_path):
    same = CliRunner().invoke(main, ["init", str(tmp_path / "x"), "--from", str(year_2026), "--year", "2026"])
    assert same.exit_code == 1 and "năm mới phải sau năm 2026" in same.output
    mixed = CliRunner().invoke(main, ["init", str(tmp_path / "y"), "--from", str(year_2026), "--preset", "vksnd"])
    assert mixed.exit_code == 2 and "--preset" in mixed.output
    first = CliRunner().invoke(main, ["init", str(tmp_path / "z"), "--from", str(year_2026)])
    again = CliRunner().invoke(main, ["init", str(tmp_path / "z"), "--from", str(year_2026)])
    assert first.exit_code == 0 and again.exit_code == 1 and "Đã có sổ tổng hợp" in again.output
    assert CliRunner().invoke(main, ["init", str(tmp_path / "z"), "--from", str(year_2026), "--force"]).exit_code == 0


def test_not_a_master_is_one_line(tmp_path):
    from openpyxl import Workbook

    other = tmp_path / "khac.xlsx"
    Workbook().save(other)  # a workbook, but none of the master's tables
    with pytest.raises(DvkError, match="CauHinh|Cấu hình"):
        init_from(tmp_path / "b", other)


# --- reading MoHinhNamTruoc in this year's master ------------------------------------------------


def test_previous_models_follow_a_recoded_unit_and_skip_a_gone_one(year_2026, tmp_path):
    path = init_from(tmp_path / "2027", year_2026).path
    wb = open_master(path)
    units = wb.read_table(UNITS.table)
    code = UNITS.header_of("unit_code")
    units.loc[units[code] == "CB01", UNITS.header_of("old_code")] = "CB01"
    units.loc[units[code] == "CB01", code] = "KDC1"  # re-coded this year, old code kept
    units = units[units[code] != "PN01"]  # PN01 merged away
    wb.write_table(UNITS.table, units)
    wb.save()
    by_unit = previous_by_unit(open_master(path))
    assert list(by_unit) == ["kdc1"] and len(by_unit["kdc1"]) == 2
    assert [r["_orphan"] for r in read_previous_models(open_master(path))] == [False, False, True]


def test_a_master_without_a_previous_year_reads_as_none(ward_master):
    assert read_previous_models(open_master(ward_master)) == []
    names = [c.name for c in doctor.check_master(ward_master)]
    assert not any(PREVIOUS_MODELS.table in n for n in names)


def test_doctor_checks_the_table_where_present(year_2026, tmp_path):
    path = init_from(tmp_path / "2027", year_2026).path
    check = next(c for c in doctor.check_master(path) if PREVIOUS_MODELS.table in c.name)
    assert check.status == doctor.OK and "3 dòng" in check.detail
    book = load_workbook(path)
    ws = book[PREVIOUS_MODELS.sheet]
    cell = ws.cell(TABLE_HEADER_ROW, PREVIOUS_MODELS.position("first_id") + 1)
    cell.value = "Ma dang ky lan dau"
    book[PREVIOUS_MODELS.sheet].tables[PREVIOUS_MODELS.table].tableColumns[PREVIOUS_MODELS.position("first_id")].name = \
        cell.value
    book.save(path)
    check = next(c for c in doctor.check_master(path) if PREVIOUS_MODELS.table in c.name)
    assert check.status == doctor.FAIL and "“Ma dang ky lan dau”" in check.detail and "phải là “Mã đăng ký lần đầu”" \
        in check.detail


def test_year_running():
    assert [year_running(2024, 2026), year_running("2026", 2026), year_running(None, 2026),
            year_running(2030, 2026)] == [3, 1, None, None]


def test_the_third_year_finds_the_first_registration_of_a_model_typed_again(year_2026, tmp_path):
    """2027 from 2026, then 2028 from 2027: a continued model the unit retyped by hand (its 2027 row has no
    first ID) still leads back to its 2026 registration through the 2027 master's own previous year."""
    from tests.reportfixtures import fill_register

    master_2027 = init_from(tmp_path / "2027", year_2026).path
    fill_register(master_2027, [
        dict(model_id="DVK-2027-CB01-1", unit_code="CB01", name="Khu dân cư sáng - xanh - sạch - đẹp",
             field="Văn hóa - xã hội", subject="Tập thể", carried_by="Chi bộ Khu dân cư số 1", kind="Duy trì",
             start_year=2024, goals="100%", date_from=date(2027, 3, 1), date_to=date(2027, 11, 30),
             person_in_charge="Nguyễn Văn Hùng", status="Đang thực hiện"),
        dict(model_id="DVK-2027-CB01-2", unit_code="CB01", name="Mô hình mới năm 2027", field="Kinh tế",
             subject="Tập thể", carried_by="Chi bộ Khu dân cư số 1", kind="Mới", start_year=2027, goals="-",
             date_from=date(2027, 3, 1), date_to=date(2027, 11, 30), person_in_charge="Trần Thị Lan",
             status="Đang thực hiện")], [])
    rows = {r["model_id"]: r for r in records(init_from(tmp_path / "2028", master_2027).path, PREVIOUS_MODELS)}
    assert {k: (v["year"], v["first_id"]) for k, v in rows.items()} == {
        "DVK-2027-CB01-1": (2027, "DVK-2026-CB01-1"), "DVK-2027-CB01-2": (2027, "DVK-2027-CB01-2")}

