"""The shell's manners: click's own words in Vietnamese, exit 2 for every usage error, a closed pipe."""

import gettext
import subprocess
import sys

import click
import click.core
import pytest
from click.testing import CliRunner

from dvk_xl.shells.cli import PIPE_CLOSED_EXIT, main

from .conftest import GOOD_MODEL

ENGLISH = ("Usage:", "Options:", "Commands:", "Show this message and exit.",
           "Error:", "Try '", "Invalid value", "Missing argument", "No such option", "No such command",
           "Got unexpected extra argument", "is not one of", "does not exist", "[required]")


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], prog_name="dvk")


def assert_vietnamese(output: str) -> None:
    for word in ENGLISH:
        assert word not in output, f"{word!r} in {output!r}"


def test_help_headings_are_vietnamese_and_the_bilingual_texts_kept():
    top = run("--help")
    assert top.exit_code == 0
    assert "Cách dùng: dvk" in top.output and "Tùy chọn:" in top.output and "Lệnh:" in top.output
    assert "Hiện hướng dẫn này rồi thoát." in top.output and "Hiện phiên bản rồi thoát." in top.output
    assert_vietnamese(top.output)
    sub = run("report", "--help")
    assert sub.exit_code == 0 and "Cách dùng: dvk report" in sub.output and "[bắt buộc]" in sub.output
    assert "Which report." in sub.output and "Date printed on the document." in sub.output
    assert "--date NGÀY/THÁNG/NĂM" in sub.output and "--out THƯ_MỤC" in sub.output
    assert_vietnamese(sub.output)


@pytest.mark.parametrize(("args", "expected"), [
    (["report", "{master}", "--kind", "zz", "--out", "{tmp}"], "Giá trị không hợp lệ ở '--kind'"),
    (["init"], "Thiếu đối số 'DIRECTORY'"),
    (["init", "--foo"], "Không có tùy chọn '--foo'"),
    (["init", "{tmp}", "extra"], "Thừa đối số không dùng đến (extra)"),
    (["no-such-command"], "Không có lệnh 'no-such-command'"),
    (["report", "{tmp}/none.xlsx", "--kind", "nam", "--out", "{tmp}"], "không tìm thấy"),
    (["init", "{tmp}", "--year", "abc"], "không phải là số hợp lệ"),
    (["report", "{master}", "--kind", "nam", "--out", "{tmp}", "--date", "abc"], "“abc” không phải là ngày"),
    (["report", "{master}", "--kind", "nam", "--out", "{tmp}", "--date", "31/11/2026"], "chỉ có 30 ngày"),
    (["compliance", "{master}", "--today", "abc"], "“abc” không phải là ngày"),
])
def test_every_usage_error_is_vietnamese_and_exits_2(args, expected, ward_master, tmp_path):
    result = run(*(a.format(master=ward_master, tmp=tmp_path) for a in args))
    assert result.exit_code == 2, result.output
    assert expected in result.output
    assert "Lỗi: " in result.output and "để xem hướng dẫn" in result.output
    assert_vietnamese(result.output)


def test_a_good_date_option_still_works(ward_master, tmp_path):
    result = run("report", ward_master, "--kind", "dang-ky", "--out", tmp_path / "out", "--date", "05/03/2026")
    assert result.exit_code == 0, result.output


def test_click_speaks_english_again_outside_dvk():
    run("init")  # a dvk usage error, in Vietnamese

    @click.command()
    @click.argument("name")
    def other(name):
        pass

    result = CliRunner().invoke(other, [])
    assert result.exit_code == 2 and "Usage:" in result.output and "Missing argument" in result.output
    assert click.core._ is gettext.gettext


def test_a_closed_pipe_ends_quietly(returned):
    returned("CB01", [GOOD_MODEL])
    returned("CB02", [GOOD_MODEL])
    code = "import sys; from dvk_xl.shells.cli import main; sys.exit(main())"
    proc = subprocess.Popen([sys.executable, "-c", code, "consolidate", str(returned.master), str(returned.inbox)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.close()  # the reader goes away before dvk writes, as `| head -1` does
    stderr = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == PIPE_CLOSED_EXIT
    assert stderr == ""


def test_a_shell_pipe_into_head_ends_quietly(returned):
    for unit in ("CB01", "CB02", "CB03"):
        returned(unit, [GOOD_MODEL])
    dvk = f"{sys.executable} -c 'import sys; from dvk_xl.shells.cli import main; sys.exit(main())'"
    # the reader closes at once, long before dvk has read the files and prints its summary
    script = f"set -o pipefail; {dvk} consolidate '{returned.master}' '{returned.inbox}' | (exec 0<&-; true)"
    result = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=60)
    assert result.returncode == PIPE_CLOSED_EXIT and result.stderr == ""
