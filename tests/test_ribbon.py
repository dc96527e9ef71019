"""The ribbon's Python side, run through real xlwings Book objects (tests/xlwings_double.py).

The same action run from the CLI (or its library function) on a master file and through the
ribbon on the same workbook open "in Excel" must give the same tables.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import Workbook as OpenpyxlBook
from openpyxl import load_workbook

from dvk_xl.shells import ribbon
from dvk_xl.shells.cli import main
from dvk_xl.shells.live_workbook import LiveWorkbook
from dvk_xl.spec.forms import INTAKE_LOG, METADATA_SHEET, REGISTER, SUBMISSIONS
from dvk_xl.workbook.api import FileWorkbook

from .conftest import GOOD_MODEL, NEW_MODEL, model
from .xlwings_double import ExcelDouble


@pytest.fixture(autouse=True)
def _setup(monkeypatch, tmp_path):
    monkeypatch.setenv("XLWINGS_LICENSE_KEY", "noncommercial")  # xlwings' remote engine, tests only
    monkeypatch.setattr(ribbon, "MEMORY_FILE", tmp_path / "memory" / "thu-muc.json")


class Excel:
    """A master open in "Excel": press buttons, then read what Excel would hold."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.double = ExcelDouble(path)
        self.opened: list[Path] = []

    def press(self, key: str, *chosen: Path) -> str | None:
        wb = LiveWorkbook(self.double.book(), path=self.path)
        choice = ribbon.encode_choice(list(chosen), self.path.parent) if chosen else ""
        message = ribbon.dispatch(key, choice, wb=wb, opener=self.opened.append)
        self.double.apply(wb.book)
        return message

    def table(self, name: str):
        return LiveWorkbook(self.double.book(), path=self.path).read_table(name)

    def alerts(self) -> list[list]:
        return [a["args"] for a in self.double.calls("alert")]


def twin(master: Path, name: str) -> Path:
    """A copy of the master in its own folder (archives and outputs go beside a master)."""
    folder = master.parent.parent / name
    folder.mkdir()
    return Path(shutil.copy2(master, folder / master.name))


def test_the_guide_shows_in_a_message_box(ward_master):
    excel = Excel(ward_master)
    assert excel.press("huong-dan") == ribbon.GUIDE
    prompt, title, buttons, mode, _ = excel.alerts()[-1]
    assert title == "Hướng dẫn" and mode == "info" and "Tổng hợp từ thư mục" in prompt


def test_a_workbook_that_is_not_a_master_gets_a_vietnamese_message_not_a_traceback(tmp_path):
    path = tmp_path / "Book1.xlsx"
    OpenpyxlBook().save(path)
    excel = Excel(path)
    message = excel.press("chi-tieu")
    assert "không phải sổ tổng hợp" in message
    assert excel.alerts()[-1][3] == "critical"


def test_an_unexpected_error_is_a_message_box(ward_master, monkeypatch):
    def broken(ctx):
        raise ValueError("hỏng")

    monkeypatch.setitem(ribbon.ACTIONS, "chi-tieu", ribbon.Action("chi-tieu", "Kiểm tra chỉ tiêu", broken))
    message = Excel(ward_master).press("chi-tieu")
    assert message.startswith("Lỗi không mong đợi: ValueError: hỏng")


def test_an_unknown_button_and_a_missing_capability_say_so(ward_master):
    assert "chưa được nối" in Excel(ward_master).press("nut-moi")
    assert "cần chọn thư mục" in Excel(ward_master).press("tong-hop")
    with pytest.raises(ribbon.NotAvailable, match="“Nhãn” chưa có"):
        ribbon._capability("khong_co_mo_dun", "f", "Nhãn")


def test_the_choice_crosses_cmd_exe_as_hex_whatever_the_names(tmp_path):
    paths = [tmp_path / "Tài liệu & 50% \"Khu 3\"" / "PL01_CB01.xlsx", tmp_path / "Đơn vị ^ ' x.xlsx"]
    choice = ribbon.encode_choice(paths, tmp_path)
    assert set(choice) <= set("0123456789ABCDEF")
    assert ribbon.decode_choice(choice) == paths
    assert not list(tmp_path.glob("*.tmp"))  # the list file is deleted once read
    assert ribbon.decode_choice("") == []


def test_templates_from_the_ribbon_are_the_cli_templates(ward_master, tmp_path):
    cli_out, ribbon_out = tmp_path / "cli", tmp_path / "ribbon"
    assert CliRunner().invoke(main, ["templates", str(ward_master), "--out", str(cli_out)]).exit_code == 0
    excel = Excel(ward_master)
    message = excel.press("mau-pl01", ribbon_out)
    assert message.startswith("Đã tạo 12 mẫu Phụ lục 01") and message.endswith("Mở thư mục chứa các mẫu?")
    names = sorted(p.name for p in cli_out.iterdir())
    assert names == sorted(p.name for p in ribbon_out.iterdir())
    for name in names[:2]:
        assert sheet_values(cli_out / name) == sheet_values(ribbon_out / name)


def sheet_values(path: Path) -> dict[str, list]:
    book = load_workbook(path)
    return {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in book.worksheets
            if ws.title != METADATA_SHEET}


@pytest.fixture
def inbox(returned):
    returned("CB01", [GOOD_MODEL, NEW_MODEL])
    returned("CB02", [model(name="Tổ dân phố văn minh")])
    returned("CB03", [model(field="Kinh te")])  # rejected
    return returned.inbox


def test_consolidating_from_the_ribbon_gives_the_cli_tables(ward_master, inbox):
    by_cli, in_excel = twin(ward_master, "cli"), twin(ward_master, "excel")
    CliRunner().invoke(main, ["consolidate", str(by_cli), str(inbox)])
    before = in_excel.read_bytes()
    excel = Excel(in_excel)
    message = excel.press("tong-hop", inbox)
    assert "Tổng cộng 3 tệp: 2 chấp nhận, 1 từ chối" in message
    for table in (REGISTER.table, INTAKE_LOG.table, SUBMISSIONS.table):
        live, file = excel.table(table), FileWorkbook(by_cli).read_table(table)
        assert live.equals(file), table
        assert live.attrs == file.attrs
    assert len(excel.table(REGISTER.table)) == 3
    assert in_excel.read_bytes() == before  # Python never wrote the master file: Excel saves it
    assert excel.double.calls("save")
    assert list((in_excel.parent / "LuuTru" / "SoTongHop").iterdir())  # the version before, kept
    assert list((in_excel.parent / ribbon.FEEDBACK_DIR).iterdir())  # the rejected unit's marked-up copy


def test_checking_files_from_the_ribbon_changes_nothing(ward_master, inbox):
    excel = Excel(ward_master)
    files = sorted(inbox.iterdir())
    message = excel.press("kiem-tra-tep", *files)
    assert "TỪ CHỐI" in message and "Tổng cộng 3 tệp" in message
    assert not excel.double.calls("setValues") and not excel.double.calls("save")


def test_the_intake_folder_is_remembered_and_opened(ward_master, inbox):
    excel = Excel(ward_master)
    excel.press("mo-tiep-nhan")
    default = ward_master.parent / ribbon.INBOX_DEFAULT
    assert excel.opened == [default] and default.is_dir()
    excel.press("tong-hop", inbox)
    excel.press("mo-tiep-nhan")
    assert excel.opened[-1] == inbox


def test_the_archive_folder_opens_once_there_is_one(ward_master, inbox):
    excel = Excel(ward_master)
    assert "Chưa có thư mục lưu trữ" in excel.press("mo-luu-tru") and not excel.opened
    excel.press("tong-hop", inbox)
    excel.press("mo-luu-tru")
    assert excel.opened == [ward_master.parent / "LuuTru"]


def test_compliance_from_the_ribbon_gives_the_library_tables(ward_master, inbox):
    from dvk_xl.compliance.check import COMPLIANCE_SHEET, run_compliance
    from dvk_xl.intake.consolidation import consolidate

    by_cli, in_excel = twin(ward_master, "cli"), twin(ward_master, "excel")
    consolidate(by_cli, inbox)
    consolidate(in_excel, inbox)
    run_compliance(by_cli)
    excel = Excel(in_excel)
    message = excel.press("chi-tieu")
    assert message.startswith("Kiểm tra chỉ tiêu, tiến độ, tiêu chí")
    file = FileWorkbook(by_cli)
    for table in file.table_names():
        assert excel.table(table).equals(file.read_table(table)), table
    cli_sheet = [list(r) for r in load_workbook(by_cli)[COMPLIANCE_SHEET].iter_rows(values_only=True)]
    while cli_sheet and not any(v is not None for v in cli_sheet[-1]):
        cli_sheet.pop()
    assert excel.double.sheet_values(COMPLIANCE_SHEET) == cli_sheet


def test_a_report_from_the_ribbon_is_the_cli_report(ward_master, inbox, tmp_path):
    from dvk_xl.intake.consolidation import consolidate

    consolidate(ward_master, inbox)
    cli_out, ribbon_out = tmp_path / "bc-cli", tmp_path / "bc-ribbon"
    assert CliRunner().invoke(main, ["report", str(ward_master), "--kind", "dang-ky", "--out", str(cli_out)]).exit_code == 0
    excel = Excel(ward_master)
    message = excel.press("thu-pl02", ribbon_out)
    assert "Đã lập Phụ lục 02: 3 mô hình" in message and "Thư nháp gửi cấp trên" in message
    (cli_file,) = cli_out.glob("*.xlsx")
    assert sheet_values(cli_file) == sheet_values(ribbon_out / cli_file.name)
    assert (ribbon_out / cli_file.name).with_suffix(".eml").exists()
