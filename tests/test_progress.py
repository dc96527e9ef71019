"""Progress per file: the library's ``progress=`` callback, the CLI's bar, the ribbon's status bar."""

from __future__ import annotations

import json
import os
import pty
import shutil
import subprocess
import sys

import pytest
from click.testing import CliRunner

from dvk_xl.core.errors import DvkError
from dvk_xl.core.progress import STEP_CHECK, STEP_MERGE, STEP_SAVE
from dvk_xl.intake import consolidation, pipeline
from dvk_xl.intake.consolidation import check_files, consolidate
from dvk_xl.intake.rollup import rollup
from dvk_xl.reports.templates import write_templates
from dvk_xl.shells import progress_bar, ribbon
from dvk_xl.shells.cli import main

from .conftest import GOOD_MODEL, NEW_MODEL, model
from .test_ribbon import Excel
from .test_rollup import three_wards  # noqa: F401 - the roll-up's fixture


class Heard(list):
    """A progress callback that keeps every call."""

    def __call__(self, done: int, total: int, label: str) -> None:
        self.append((done, total, label))

    def files(self) -> list[tuple[int, int, str]]:
        return [call for call in self if call[2].startswith("Đang kiểm tra tệp")]

    def steps(self) -> list[str]:
        return [label for _, _, label in self if not label.startswith("Đang kiểm tra tệp")]


def assert_once_per_file(heard: Heard, names: list[str]) -> None:
    total = len(names)
    assert heard.files() == [(i, total, f"Đang kiểm tra tệp {i}/{total}: {name}")
                             for i, name in enumerate(names, start=1)]


@pytest.fixture
def inbox(returned):
    returned("CB01", [GOOD_MODEL, NEW_MODEL])
    returned("CB02", [model(name="Tổ dân phố văn minh")])
    returned("CB03", [model(field="Kinh te")])  # rejected
    returned("CB04", [model(name="Đường hoa")])
    return returned.inbox


def test_consolidate_reports_each_file_then_the_steps(ward_master, inbox, tmp_path):
    twin = tmp_path / "twin" / ward_master.name
    twin.parent.mkdir()
    shutil.copy2(ward_master, twin)
    heard = Heard()
    report = consolidate(ward_master, inbox, workers=1, progress=heard)
    assert_once_per_file(heard, [f.path.name for f in report.files])
    assert heard.steps() == [STEP_CHECK, STEP_MERGE, STEP_SAVE]
    assert all(done == total == 4 for done, total, _ in heard[4:])
    quiet = consolidate(twin, inbox, workers=1)  # no callback: same result
    assert quiet.summary() == report.summary()


def test_the_process_pool_reports_as_results_arrive_in_order(ward_master, inbox, monkeypatch):
    monkeypatch.setattr(pipeline, "PARALLEL_FROM", 2)
    used = []
    real_pool = pipeline.ProcessPoolExecutor
    monkeypatch.setattr(pipeline, "ProcessPoolExecutor", lambda **kw: used.append(kw) or real_pool(**kw))
    heard = Heard()
    report = consolidate(ward_master, inbox, workers=2, progress=heard)
    assert used == [{"max_workers": 2}]  # the files really went through the pool
    names = [f.path.name for f in report.files]
    assert names == sorted(p.name for p in inbox.iterdir() if p.suffix == ".xlsx")
    assert_once_per_file(heard, names)
    assert report.summary()["accepted"] == 3


def test_check_files_reports_each_file_and_the_check(ward_master, inbox):
    files = sorted(inbox.iterdir())
    heard = Heard()
    report = check_files(ward_master, files, progress=heard)
    assert_once_per_file(heard, [f.name for f in files])
    assert heard.steps() == [STEP_CHECK]
    assert report.summary() == check_files(ward_master, files).summary()


def test_rollup_reports_each_report(three_wards):  # noqa: F811 - the imported fixture
    city, inbox, _ = three_wards
    heard = Heard()
    report = rollup(city, inbox, progress=heard)
    assert_once_per_file(heard, [f.path.name for f in report.files])
    assert len(heard.files()) == 6
    assert heard.steps() == [STEP_CHECK, STEP_MERGE, STEP_SAVE]


def test_write_templates_reports_each_form_written(ward_master, tmp_path):
    heard = Heard()
    result = write_templates(ward_master, tmp_path / "forms", progress=heard)
    assert len(result.paths) == 12
    assert heard == [(i, 12, f"Đang tạo mẫu {i}/12: {p.name}") for i, p in enumerate(result.paths, start=1)]
    heard.clear()
    write_templates(ward_master, tmp_path / "two", units=["CB02", "CB05"], progress=heard)
    assert [(d, t) for d, t, _ in heard] == [(1, 2), (2, 2)]


# --- the CLI's bar -----------------------------------------------------------------------------------


def test_json_stays_one_document_even_on_a_terminal(ward_master, inbox, monkeypatch):
    monkeypatch.setattr(progress_bar, "stderr_is_tty", lambda: True)
    result = CliRunner().invoke(main, ["consolidate", str(ward_master), str(inbox), "--json"])
    assert result.exit_code == 1  # one rejected file
    assert json.loads(result.stdout)["summary"]["accepted"] == 3
    assert result.stderr == ""


def test_the_bar_shows_on_a_terminal_only(ward_master, inbox, monkeypatch):
    files = [str(p) for p in sorted(inbox.iterdir())]
    plain = CliRunner().invoke(main, ["validate", *files, "--master", str(ward_master)])
    assert plain.stderr == "" and "Đang kiểm tra" not in plain.stdout  # not a terminal: no bar
    monkeypatch.setattr(progress_bar, "stderr_is_tty", lambda: True)
    shown = CliRunner().invoke(main, ["validate", *files, "--master", str(ward_master)])
    assert shown.stdout == plain.stdout  # the summary is unchanged
    assert "\r[" in shown.stderr and "Đang kiểm tra tệp 4/4: " in shown.stderr
    assert shown.stderr.endswith("\r") and shown.stderr.rstrip("\r").endswith(" ")  # wiped at the end


def test_the_bar_on_a_real_pseudo_terminal(ward_master, tmp_path):
    dvk = [sys.executable, "-m", "dvk_xl.shells.cli", "templates", str(ward_master)]
    leader, follower = pty.openpty()
    env = {**os.environ, "COLUMNS": "200"}
    proc = subprocess.run([*dvk, "--out", str(tmp_path / "tty")], stderr=follower, stdout=subprocess.PIPE,
                          env=env, timeout=60)
    os.close(follower)
    seen = b""
    try:
        while chunk := os.read(leader, 65536):
            seen += chunk
    except OSError:  # the terminal's other side closed: everything was read
        pass
    os.close(leader)
    assert proc.returncode == 0
    assert "Đang tạo mẫu 12/12: " in seen.decode() and b"[########################]" in seen
    piped = subprocess.run([*dvk, "--out", str(tmp_path / "pipe")], capture_output=True, env=env, timeout=60)
    assert piped.returncode == 0 and piped.stderr == b""
    assert piped.stdout == proc.stdout.replace(b"tty", b"pipe")


def test_the_bar_wipes_a_longer_line_and_stays_within_the_terminal(monkeypatch):
    import io

    monkeypatch.setattr(shutil, "get_terminal_size", lambda fallback: os.terminal_size((40, 24)))
    out = io.StringIO()
    bar = progress_bar.TerminalBar(out)
    bar(1, 4, "Đang kiểm tra tệp 1/4: một tên tệp rất dài để thử")
    bar(2, 4, "ngắn")
    lines = out.getvalue().split("\r")[1:]
    assert len(lines[0]) == 39 and lines[0].startswith("[######------------------]")
    assert len(lines[1]) == 39 and lines[1].rstrip() == "[############------------] ngắn"
    bar.close()
    assert out.getvalue().endswith("\r" + " " * 39 + "\r")


# --- the ribbon's status bar ---------------------------------------------------------------------------


@pytest.fixture
def uis(monkeypatch, tmp_path):
    """Every ExcelUI the ribbon makes, to read the status texts it set."""
    made = []
    real_init = ribbon.ExcelUI.__init__

    def init(self, book):
        real_init(self, book)
        made.append(self)
    monkeypatch.setattr(ribbon.ExcelUI, "__init__", init)
    monkeypatch.setenv("XLWINGS_LICENSE_KEY", "noncommercial")  # xlwings' remote engine, tests only
    monkeypatch.setattr(ribbon, "MEMORY_FILE", tmp_path / "memory" / "thu-muc.json")
    return made


def test_consolidating_from_the_ribbon_shows_each_file_in_the_status_bar(ward_master, inbox, uis, monkeypatch):
    monkeypatch.setattr(ribbon, "STATUS_EVERY", 0.0)  # every file shown
    Excel(ward_master).press("tong-hop", inbox)
    statuses = uis[-1].statuses
    names = sorted(p.name for p in inbox.iterdir())
    files = [s for s in statuses if s and s.startswith("Đang kiểm tra tệp")]
    assert files == [f"Đang kiểm tra tệp {i}/4: {n}" for i, n in enumerate(names, start=1)]
    assert statuses.index(STEP_SAVE) > statuses.index(files[-1])
    assert statuses[-1] is None  # the bar given back to Excel


def test_the_status_bar_is_throttled_but_shows_the_last_file(uis):
    class App:
        status_bar = None
    book = type("Book", (), {"app": App()})()
    ui = ribbon.ExcelUI(book)
    times = iter([0.0, 0.05, 0.1, 0.25, 0.3, 0.31])
    show = ui.progress(every=0.2, clock=lambda: next(times))
    for i in range(1, 6):
        show(i, 5, f"tệp {i}")
    show(5, 5, STEP_SAVE)
    assert ui.statuses == ["tệp 1", "tệp 4", "tệp 5", STEP_SAVE]
    assert book.app.status_bar == STEP_SAVE


@pytest.mark.parametrize("error", [DvkError("Tệp hỏng"), ValueError("hỏng")])
def test_the_status_bar_is_given_back_after_an_error(ward_master, inbox, uis, monkeypatch, error):
    def failing(master, folder, feedback_dir=None, progress=None):
        progress(1, 4, "Đang kiểm tra tệp 1/4: a.xlsx")
        progress(2, 4, "Đang kiểm tra tệp 2/4: b.xlsx")
        raise error

    monkeypatch.setattr(consolidation, "consolidate", failing)
    message = Excel(ward_master).press("tong-hop", inbox)
    assert "hỏng" in message.lower()
    statuses = uis[-1].statuses
    assert "Đang kiểm tra tệp 1/4: a.xlsx" in statuses
    assert statuses[-1] is None
