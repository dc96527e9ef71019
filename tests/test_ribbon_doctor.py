"""The ribbon button “Kiểm tra cài đặt”: the doctor's checks shown to staff in a message box, the Python that
runs the buttons checked live, and the VBA's own check that the add-in's Python is still there."""

from __future__ import annotations

import os
import re
import shutil
import time
from pathlib import Path

import pytest
from openpyxl import Workbook as OpenpyxlBook
from openpyxl import load_workbook

from dvk_xl.shells import ribbon
from dvk_xl.shells.doctor import FAIL, OK, RIBBON_PYTHON, check_ribbon_python
from dvk_xl.spec.forms import MASTER_TABLES, QUOTAS

from .test_ribbon import Excel
from .vbacheck import own_sources, vba_constants, vba_unescape

KEY = "kiem-tra-cai-dat"
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture(autouse=True)
def _setup(monkeypatch, tmp_path):
    monkeypatch.setenv("XLWINGS_LICENSE_KEY", "noncommercial")  # xlwings' remote engine, tests only
    monkeypatch.setattr(ribbon, "MEMORY_FILE", tmp_path / "memory" / "thu-muc.json")


def test_the_button_shows_every_check_and_the_master_in_one_box(ward_master):
    excel = Excel(ward_master)
    message = excel.press(KEY)
    prompt, title, buttons, mode, _ = excel.alerts()[-1]
    assert title == "Kiểm tra cài đặt" and buttons == "ok" and mode == "info"
    lines = message.splitlines()
    assert lines[0].startswith("✓ Python: ") and lines[1].startswith("✓ dvk_xl: ")
    for name in ("xlwings", "Add-in DanVanKheo.xlam", "Tệp cấu hình DanVanKheo.conf", "Python dùng chung cho các nút",
                 "Vị trí tin cậy của add-in", "LibreOffice hoặc Excel", RIBBON_PYTHON):
        assert any(re.match(rf"[✓✗–] {re.escape(name)}: ", line) for line in lines), name
    assert f"✓ Sổ tổng hợp {ward_master.name}: {len(MASTER_TABLES)} bảng đủ cột, tiêu đề đúng" in lines
    assert not any(line.startswith("✓ Bảng ") for line in lines)  # the tables in one line: the box fits the screen
    assert len(prompt.splitlines()) <= ribbon.MAX_LINES
    assert lines[-1] in ("Mọi thứ đã sẵn sàng.", "Có mục chưa đạt (✗): làm theo hướng dẫn “→”.")
    assert (lines[-1] == "Mọi thứ đã sẵn sàng.") == ("✗" not in message)


def test_a_broken_table_of_the_open_master_is_named_with_what_to_do(ward_master):
    book = load_workbook(ward_master)
    del book[QUOTAS.sheet].tables[QUOTAS.table]
    book.save(ward_master)
    message = Excel(ward_master).press(KEY)
    assert f"✗ Bảng {QUOTAS.table} (sheet “{QUOTAS.sheet}”)" in message
    assert "Sổ tổng hợp" not in message.split("✗ Bảng")[0].splitlines()[-1]  # no "all tables fine" line
    assert message.splitlines()[-1].startswith("Có mục chưa đạt")


def test_the_button_works_on_any_workbook(tmp_path):
    path = tmp_path / "Book1.xlsx"
    OpenpyxlBook().save(path)
    excel = Excel(path)
    message = excel.press(KEY)
    assert "– Sổ tổng hợp: Book1.xlsx không phải sổ tổng hợp" in message
    assert excel.alerts()[-1][3] == "info" and "✓ Python: " in message


def test_the_python_running_the_buttons_per_click_is_flagged():
    check = check_ribbon_python(time.time(), argv=["-c", "--wb=SoTongHop.xlsx", "--from_xl=1", "--hwnd=1"])
    assert check.status == FAIL and "mỗi lần bấm nút Excel khởi động một Python mới" in check.detail
    assert "dvk install-addin" in check.fix


def test_the_shared_python_is_ok_until_the_code_changes_under_it(tmp_path):
    package = tmp_path / "dvk_xl"
    shutil.copytree(Path(ribbon.__file__).resolve().parents[1], package,
                    ignore=shutil.ignore_patterns("__pycache__"))
    started = time.time() + 5  # every file older than the start
    check = check_ribbon_python(started, argv=["-c"], package=package)
    assert check.status == OK and f"tiến trình {os.getpid()}" in check.detail
    updated = package / "shells" / "ribbon.py"
    os.utime(updated, (started + 60, started + 60))  # `pip install -U` while Excel stayed open
    check = check_ribbon_python(started, argv=["-c"], package=package)
    assert check.status == FAIL and "ribbon.py" in check.detail and "bản cũ" in check.detail
    assert "Đóng hẳn Excel" in check.fix


# --- the VBA side: a missing Python is a Vietnamese message before RunPython -----------------------------------


def test_the_no_python_message_is_vietnamese_and_says_what_to_do():
    text = vba_unescape(vba_constants(own_sources()["DvkRibbon"])["NO_PYTHON"])
    assert text.startswith("Không tìm thấy Python của thanh công cụ")
    assert "CaiDat.cmd" in text and "“dvk install-addin”" in text and "DanVanKheo.conf" in text


def test_every_click_checks_the_python_after_the_workbook_and_before_running_python():
    source = own_sources()["DvkRibbon"]
    body = source.split("Public Sub DvkOnAction", 1)[1].split("End Sub", 1)[0]
    order = [body.index(s) for s in ("If ActiveWorkbook Is Nothing", "If Not PythonFound()", "RunPython ")]
    assert order == sorted(order)
    found = source.split("Private Function PythonFound", 1)[1].split("End Function", 1)[0]
    assert "GetConfig\", \"INTERPRETER_WIN\"" in found  # the key xlwings' RunPython reads, through xlwings itself
    assert "On Error Resume Next" in found and "On Error GoTo 0" in found  # xlwings' module missing: let RunPython say
    assert 'Case "", "python", "pythonw", "python.exe", "pythonw.exe"' in found  # the PATH: nothing to check
