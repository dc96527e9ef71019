"""The inbox as staff keep it: what is read, what is skipped and said, subfolders."""

import json
import shutil

from click.testing import CliRunner

from dvk_xl.intake.consolidation import check_files, consolidate
from dvk_xl.intake.inbox import (
    REASON_ARCHIVE,
    REASON_FEEDBACK,
    REASON_LOCK,
    REASON_MASTER,
    REASON_NOT_WORKBOOK,
    REASON_OTHER_MASTER,
    REASON_REPORT,
    REASON_TEMP,
    own_reports,
    report_prefixes,
    scan_inbox,
)
from dvk_xl.shells.cli import main

from .conftest import GOOD_MODEL, model


def reasons(report):
    return {s.path.name: s.reason for s in report.skipped}


def test_the_masters_own_folder_as_inbox(returned):
    folder = returned.master.parent
    shutil.move(returned("CB01", [GOOD_MODEL]), folder)
    first = consolidate(returned.master, folder)  # creates LuuTru/ beside the master
    assert [f.status for f in first.files] == ["accepted"]
    assert reasons(first) == {returned.master.name: REASON_MASTER}
    shutil.move(returned("CB02", [model(name="Tổ dân phố văn minh")]), folder)
    second = consolidate(returned.master, folder)
    assert sorted(f.status for f in second.files) == ["accepted", "unchanged"]
    assert reasons(second) == {returned.master.name: REASON_MASTER, "LuuTru": REASON_ARCHIVE}
    assert not any(f.status == "rejected" for f in second.files) and second.exit_code == 0
    line = next(x for x in second.lines() if x.startswith("Đã bỏ qua"))
    assert f"{returned.master.name} ({REASON_MASTER})" in line and f"LuuTru/ ({REASON_ARCHIVE})" in line


def test_locks_temp_files_reports_and_the_feedback_folder_are_skipped_and_said(returned):
    inbox = returned.inbox
    good = returned("CB01", [GOOD_MODEL])
    (inbox / f"~${good.name}").write_bytes(b"lock")
    (inbox / f".~lock.{good.name}#").write_text("lock")
    (inbox / ".SoTongHop_DVK_2026.abc123.xlsx.tmp").write_bytes(b"temp")
    (inbox / "~WRL0001.tmp").write_bytes(b"temp")
    shutil.copyfile(good, inbox / "PL02_DangKy_DVK_2026_Dang_uy_phuong_Hong_An.xlsx")
    shutil.copyfile(good, inbox / "PL03_BaoCao6Thang_DVK_2026_Dang_uy_phuong_Hong_An.xlsx")
    (inbox / "ghi chú.docx").write_bytes(b"not a workbook")
    (inbox / "Thumbs.db").write_bytes(b"os")
    (inbox / "cu").mkdir()
    shutil.copyfile(returned.master, inbox / "cu" / "SoTongHop_DVK_2025.xlsx")
    feedback = inbox / "PhanHoi"
    feedback.mkdir()
    shutil.copyfile(good, feedback / "PL01_CB01_LoiCanSua.xlsx")
    report = consolidate(returned.master, inbox, feedback_dir=feedback)
    assert [(f.path.name, f.status) for f in report.files] == [(good.name, "accepted")]
    assert reasons(report) == {
        f"~${good.name}": REASON_LOCK, f".~lock.{good.name}#": REASON_LOCK,
        ".SoTongHop_DVK_2026.abc123.xlsx.tmp": REASON_TEMP, "~WRL0001.tmp": REASON_TEMP,
        "PL02_DangKy_DVK_2026_Dang_uy_phuong_Hong_An.xlsx": REASON_REPORT,
        "PL03_BaoCao6Thang_DVK_2026_Dang_uy_phuong_Hong_An.xlsx": REASON_REPORT,
        "ghi chú.docx": REASON_NOT_WORKBOOK, "PhanHoi": REASON_FEEDBACK, "SoTongHop_DVK_2025.xlsx": REASON_OTHER_MASTER,
    }
    assert any(x.startswith("Đã bỏ qua 9 mục") for x in report.lines())


def test_subfolders_per_unit_and_per_day_are_read(returned):
    inbox = returned.inbox
    for folder, unit, name in (("CB01", "CB01", "Khu dân cư văn minh"), ("2026-03-02/Zalo", "CB02", "Ngõ sạch")):
        (inbox / folder).mkdir(parents=True)
        shutil.move(returned(unit, [model(name=name)]), inbox / folder)
    (inbox / "LuuTru").mkdir()
    shutil.copyfile(next((inbox / "CB01").iterdir()), inbox / "LuuTru" / "old.xlsx")
    report = consolidate(returned.master, inbox)
    assert sorted((f.unit, f.status) for f in report.files) == [("CB01", "accepted"), ("CB02", "accepted")]
    assert [s.path.relative_to(inbox).as_posix() for s in report.skipped] == ["LuuTru"]


def test_json_lists_what_was_skipped_and_keeps_its_keys(returned):
    good = returned("CB01", [GOOD_MODEL])
    (returned.inbox / f"~${good.name}").write_bytes(b"lock")
    result = CliRunner().invoke(main, ["consolidate", str(returned.master), str(returned.inbox), "--json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.output)
    assert set(document) == {"files", "summary"} and len(document["files"]) == 1
    assert {"files", "accepted", "rejected", "units_received", "units_missing", "master_changed"} <= set(
        document["summary"])
    assert document["summary"]["skipped"] == [{"path": str(returned.inbox / f"~${good.name}"), "reason": REASON_LOCK}]


def test_validate_skips_the_master_and_lock_files_it_is_given(returned):
    good = returned("CB01", [GOOD_MODEL])
    lock = returned.inbox / f"~${good.name}"
    lock.write_bytes(b"lock")
    report = check_files(returned.master, [good, lock, returned.master])
    assert [f.status for f in report.files] == ["accepted"]
    assert reasons(report) == {lock.name: REASON_LOCK, returned.master.name: REASON_MASTER}


def test_a_rollup_inbox_keeps_the_reports_of_the_committees_below(tmp_path):
    ours = own_reports(2026, "Đảng ủy phường Hồng An")
    assert ours("PL02_DangKy_DVK_2026_Dang_uy_phuong_Hong_An.xlsx")
    assert not ours("PL02_DangKy_DVK_2026_Chi_bo_Phong_9.xlsx")
    assert report_prefixes()("pl03_baocaonam_dvk_2026_Chi_bo_Phong_9.xlsx")
    (tmp_path / "PL02_DangKy_DVK_2026_Chi_bo_Phong_9.xlsx").write_bytes(b"x")
    (tmp_path / "PL02_DangKy_DVK_2026_Dang_uy_phuong_Hong_An.xlsx").write_bytes(b"x")
    scan = scan_inbox(tmp_path, is_report=ours)
    assert [p.name for p in scan.paths] == ["PL02_DangKy_DVK_2026_Chi_bo_Phong_9.xlsx"]


def test_a_file_of_an_unknown_unit_with_a_similar_model_is_rejected_not_a_crash(returned):
    from .reportfixtures import fill_register

    returned("CB01", [GOOD_MODEL])
    stray = returned.inbox / "tong hop cu.xlsx"  # another master saved into the inbox: no unit, a register
    shutil.copyfile(returned.master, stray)
    fill_register(stray)  # holds “Khu dân cư sáng - xanh - sạch - đẹp”, as CB01's file does
    report = consolidate(returned.master, returned.inbox)
    by_name = {f.path.name: f.status for f in report.files}
    assert by_name == {"tong hop cu.xlsx": "rejected", "PL01_CB01_Chi_bo_Khu_dan_cu_so_1.xlsx": "accepted"}
