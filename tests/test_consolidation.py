"""Consolidation: nothing lost, stable IDs, archive and log, atomic master."""

import json
from datetime import datetime

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from dvk_xl.core.errors import MasterLockedError
from dvk_xl.intake.consolidation import consolidate
from dvk_xl.master.book import open_master, read_form_table
from dvk_xl.reports.templates import HEADER_ROW
from dvk_xl.shells.cli import main
from dvk_xl.spec.forms import INTAKE_LOG, REGISTER, SUBMISSIONS

from .conftest import GOOD_MODEL, NEW_MODEL, model


def register(master):
    return read_form_table(open_master(master), REGISTER)


def log(master):
    return read_form_table(open_master(master), INTAKE_LOG)


def test_accepted_files_fill_the_register_with_stable_ids(returned):
    returned("CB01", [GOOD_MODEL, NEW_MODEL])
    returned("CB02", [model(name="Tổ dân phố văn minh")])
    returned("CB03", [model(field="Kinh te")])  # rejected whole
    report = consolidate(returned.master, returned.inbox)
    assert sorted(f.status for f in report.files) == ["accepted", "accepted", "rejected"]
    rows = register(returned.master)
    assert list(rows["model_id"]) == ["DVK-2026-CB01-1", "DVK-2026-CB01-2", "DVK-2026-CB02-1"]
    assert list(rows["status"]) == ["Đang thực hiện"] * 3
    assert rows.loc[1, "launch_date"] == datetime(2026, 3, 20)
    assert rows.loc[0, "unit_name"] == "Chi bộ Khu dân cư số 1"
    assert report.summary()["models"] == 3 and report.exit_code == 1


def test_every_file_is_archived_and_logged(returned):
    path = returned("CB01", [GOOD_MODEL])
    returned("CB02", [model(field="Kinh te")])
    consolidate(returned.master, returned.inbox)
    entries = log(returned.master)
    assert sorted(entries["status"]) == ["Chấp nhận", "Từ chối"]
    first = entries[entries["unit_code"] == "CB01"].iloc[0]
    assert first["file"] == path.name and first["models"] == 1 and first["on_time"] == "Đúng hạn"
    archived = returned.master.parent / first["archive"]
    assert archived.read_bytes() == path.read_bytes() and first["sha256"] in archived.name
    status = read_form_table(open_master(returned.master), SUBMISSIONS)
    status = status[status["form"] == "PL01"]
    by_unit = dict(zip(status["unit_code"], status["state"], strict=True))
    assert by_unit["CB01"] == "Đã nộp" and by_unit["CB02"] == "Bị từ chối" and by_unit["CB03"] == "Chưa nộp"
    assert len(status) == 12


def test_running_twice_changes_nothing(returned):
    returned("CB01", [GOOD_MODEL])
    consolidate(returned.master, returned.inbox)
    before = returned.master.read_bytes()
    again = consolidate(returned.master, returned.inbox)
    assert [f.status for f in again.files] == ["unchanged"]
    assert not again.master_changed and returned.master.read_bytes() == before


def test_a_resubmission_replaces_the_units_rows_and_keeps_ids(returned):
    returned("CB01", [GOOD_MODEL, NEW_MODEL], received=datetime(2026, 3, 1, 9, 0))
    consolidate(returned.master, returned.inbox)
    changed = model(GOOD_MODEL, goals="Mục tiêu cao hơn")
    third = model(NEW_MODEL, name="Mô hình thứ ba", launch_date="25/03/2026")
    returned("CB01", [changed, third], name="PL01_CB01_lan2.xlsx", received=datetime(2026, 3, 2, 9, 0))
    report = consolidate(returned.master, returned.inbox)
    assert [f.status for f in report.files] == ["unchanged", "accepted"]
    rows = register(returned.master)
    assert list(zip(rows["model_id"], rows["status"], strict=True)) == [
        ("DVK-2026-CB01-1", "Đang thực hiện"), ("DVK-2026-CB01-2", "Đã rút"), ("DVK-2026-CB01-3", "Đang thực hiện")]
    assert rows.loc[0, "goals"] == "Mục tiêu cao hơn"
    assert sorted(log(returned.master)["status"]) == ["Bị thay thế", "Chấp nhận"]


def test_the_latest_of_two_files_in_one_batch_wins(returned):
    returned("CB01", [GOOD_MODEL], name="cu.xlsx", received=datetime(2026, 3, 1, 9, 0))
    returned("CB01", [NEW_MODEL], name="moi.xlsx", received=datetime(2026, 3, 2, 9, 0))
    report = consolidate(returned.master, returned.inbox)
    assert {f.path.name: f.status for f in report.files} == {"cu.xlsx": "superseded", "moi.xlsx": "accepted"}
    assert list(register(returned.master)["name"]) == [NEW_MODEL[0]]


def test_a_row_corrected_by_hand_is_kept_with_a_warning(returned):
    returned("CB01", [GOOD_MODEL], received=datetime(2026, 3, 1, 9, 0))
    consolidate(returned.master, returned.inbox)
    book = load_workbook(returned.master)
    ws = book[REGISTER.sheet]
    goals_column = REGISTER.position("goals") + 1
    ws.cell(5, goals_column, "Staff đã sửa: 100% hộ dân")
    book.save(returned.master)
    returned("CB01", [model(goals="Bản mới của đơn vị")], name="lan2.xlsx", received=datetime(2026, 3, 2, 9, 0))
    report = consolidate(returned.master, returned.inbox)
    accepted = next(f for f in report.files if f.status == "accepted")
    assert [f.code for f in accepted.findings] == ["manual-edit-kept"]
    assert register(returned.master).loc[0, "goals"] == "Staff đã sửa: 100% hộ dân"


def test_text_that_looks_like_a_formula_stays_text(returned):
    returned("CB01", [model(name="=HYPERLINK(\"http://x\")", partners="+84 phối hợp", goals="-Giảm 50% vụ việc",
                            method="@mọi người")])
    consolidate(returned.master, returned.inbox)
    ws = load_workbook(returned.master)[REGISTER.sheet]
    cell = ws.cell(5, REGISTER.position("name") + 1)
    assert cell.value == '=HYPERLINK("http://x")' and cell.data_type == "s"
    assert ws.cell(5, REGISTER.position("goals") + 1).data_type == "s"


def test_a_locked_master_is_left_untouched(returned):
    returned("CB01", [GOOD_MODEL])
    lock = returned.master.with_name("~$" + returned.master.name)
    lock.write_text("locked")
    before = returned.master.read_bytes()
    with pytest.raises(MasterLockedError, match="đang được mở"):
        consolidate(returned.master, returned.inbox)
    assert returned.master.read_bytes() == before


def test_the_previous_master_is_kept(returned):
    returned("CB01", [GOOD_MODEL])
    before = returned.master.read_bytes()
    report = consolidate(returned.master, returned.inbox)
    assert report.previous_version.read_bytes() == before


def test_hostile_files_do_not_stop_the_batch(returned):
    returned("CB01", [GOOD_MODEL])
    (returned.inbox / "hong.xlsx").write_bytes(b"PK\x03\x04garbage")
    (returned.inbox / "van_ban.xlsx").write_text("không phải bảng tính")
    (returned.inbox / "~$PL01_dang_mo.xlsx").write_bytes(b"lock")  # Excel's lock file is not a submission
    report = consolidate(returned.master, returned.inbox)
    assert sorted((f.path.name, f.status) for f in report.files) == [
        ("PL01_CB01_Chi_bo_Khu_dan_cu_so_1.xlsx", "accepted"), ("hong.xlsx", "rejected"), ("van_ban.xlsx", "rejected")]
    assert len(register(returned.master)) == 1


def test_feedback_marks_the_faulty_cells(returned, tmp_path):
    returned("CB01", [model(field="Kinh te"), NEW_MODEL])
    report = consolidate(returned.master, returned.inbox, feedback_dir=tmp_path / "fb")
    path = report.files[0].feedback
    assert path.name == "PL01_CB01_Chi_bo_Khu_dan_cu_so_1_LoiCanSua.xlsx"
    book = load_workbook(path)
    assert book.sheetnames[0] == "Lỗi cần sửa"
    listing = book["Lỗi cần sửa"]
    assert [listing.cell(5, c).value for c in (1, 2, 3)] == ["Lỗi", "Phụ lục 01", f"C{HEADER_ROW + 1}"]
    cell = book["Phụ lục 01"][f"C{HEADER_ROW + 1}"]
    assert cell.fill.fgColor.rgb.endswith("FF9999") and "Kinh te" in cell.comment.text
    assert not path.read_bytes().count(b"vbaProject")


def test_feedback_for_an_unreadable_file_lists_the_problem(returned, tmp_path):
    (returned.inbox / "hong.xlsx").write_bytes(b"PK\x03\x04garbage")
    report = consolidate(returned.master, returned.inbox, feedback_dir=tmp_path / "fb")
    book = load_workbook(report.files[0].feedback)
    assert book.sheetnames == ["Lỗi cần sửa"] and book["Lỗi cần sửa"].cell(5, 5).value == "file-unreadable"


def test_cli_json_is_one_document_and_exit_codes(returned):
    good = returned("CB01", [GOOD_MODEL])
    bad = returned("CB02", [model(name="Chi hội không có hội viên vi phạm", field="Kinh te")])
    runner = CliRunner()
    result = runner.invoke(main, ["validate", str(good), str(bad), "--master", str(returned.master), "--json"])
    assert result.exit_code == 1
    document = json.loads(result.output)
    assert set(document) == {"files", "summary"}
    entry = document["files"][1]
    assert set(entry) == {"path", "unit", "status", "models", "findings"}
    assert entry["status"] == "rejected" and entry["unit"] == "CB02"
    assert entry["findings"][0] == {"code": "value-not-in-list", "severity": "error", "sheet": "Phụ lục 01",
                                    "cell": f"C{HEADER_ROW + 1}", "message": entry["findings"][0]["message"]}
    ok = runner.invoke(main, ["validate", str(good), "--master", str(returned.master)])
    assert ok.exit_code == 0 and "[Chấp nhận]" in ok.output
    bad.unlink()
    done = runner.invoke(main, ["consolidate", str(returned.master), str(returned.inbox)])
    assert done.exit_code == 0 and "Đã cập nhật sổ tổng hợp" in done.output
    assert runner.invoke(main, ["consolidate", str(returned.master)]).exit_code == 2


def test_the_rewritten_master_opens_in_libreoffice(returned, tmp_path):
    from .conftest import pdf_text, soffice_to_pdf

    returned("CB01", [GOOD_MODEL, NEW_MODEL])
    consolidate(returned.master, returned.inbox)
    text = pdf_text(soffice_to_pdf(returned.master, tmp_path / "pdf"), 1, 99)
    assert "DVK-2026-CB01-2" in text and NEW_MODEL[0][:20] in text
