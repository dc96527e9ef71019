import subprocess
import sys

from click.testing import CliRunner
from openpyxl import load_workbook

from dvk_xl.shells.cli import main


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_help_is_bilingual_and_fast_without_heavy_imports():
    result = run("--help")
    assert result.exit_code == 0
    assert "Dân vận khéo" in result.output and "master workbook" in result.output
    for command in ("init", "templates", "demo"):
        sub = run(command, "--help")
        assert sub.exit_code == 0 and "/" in sub.output
    code = "import sys; from dvk_xl.shells.cli import main; print('pandas' in sys.modules, 'pandera' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]


def test_init_and_templates(tmp_path):
    result = run("init", tmp_path / "m", "--preset", "vksnd", "--year", "2026")
    assert result.exit_code == 0, result.output
    assert "Lưu ý" in result.output and "31/11/2026" in result.output
    master = tmp_path / "m" / "SoTongHop_DVK_2026.xlsx"
    result = run("templates", master, "--out", tmp_path / "forms")
    assert result.exit_code == 0, result.output
    assert "Đã tạo 2 mẫu PL01" in result.output
    assert len(list((tmp_path / "forms").glob("PL01_*.xlsx"))) == 2


def test_unknown_preset_is_one_line_and_exit_1(tmp_path):
    result = run("init", tmp_path / "m", "--preset", "xa")
    assert result.exit_code == 1
    assert result.output.strip().count("\n") == 0
    assert result.output.startswith("Lỗi: Không có mẫu kế hoạch “xa”")
    assert "Traceback" not in result.output


def test_usage_error_is_exit_2(tmp_path):
    assert run("init").exit_code == 2
    assert run("init", tmp_path, "--year", "abc").exit_code == 2
    assert run("no-such-command").exit_code == 2


def test_demo_builds_the_campaign(tmp_path):
    result = run("demo", tmp_path / "demo")
    assert result.exit_code == 0, result.output
    master = tmp_path / "demo" / "SoTongHop_DVK_2026.xlsx"
    assert str(master.name) in result.output
    book = load_workbook(master)
    assert "DangKy" in book["Đăng ký"].tables
    assert len(list((tmp_path / "demo" / "1_MauGuiDonVi").glob("*.xlsx"))) == 12
    again = run("demo", tmp_path / "demo")
    assert again.exit_code == 1 and "--force" in again.output


def test_an_impossible_date_in_the_master_stops_templates_naming_the_cell(ward_master, tmp_path):
    from dvk_xl.spec.forms import SETTING_ROWS, SETTINGS

    book = load_workbook(ward_master)
    ws = book[SETTINGS.sheet]
    row = 5 + [s.key for s in SETTING_ROWS].index("plan_date")
    ws.cell(row, 2, "31/11/2026")
    book.save(ward_master)
    result = run("templates", ward_master, "--out", tmp_path / "forms")
    assert result.exit_code == 1
    assert result.output.strip().count("\n") == 0
    assert f"sheet “Cấu hình”, ô B{row}" in result.output and "chỉ có 30 ngày" in result.output
    assert not (tmp_path / "forms").exists() or not list((tmp_path / "forms").iterdir())


def test_units_file_errors_leave_nothing_behind(tmp_path):
    units = tmp_path / "dv.csv"
    units.write_text("Mã đơn vị,Tên đơn vị\nCB01,Chi bộ 1\nCB01,Chi bộ 2\n", encoding="utf-8")
    result = run("init", tmp_path / "m", "--units", units)
    assert result.exit_code == 1 and "ô A3" in result.output and "trùng" in result.output
    assert not list((tmp_path / "m").glob("*.xlsx")) if (tmp_path / "m").exists() else True
