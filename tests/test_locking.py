"""One run at a time per master: the lock file beside the master, and two real runs at once."""

from __future__ import annotations

import getpass
import json
import os
import socket
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from dvk_xl.core.errors import DvkError, MasterBusyError
from dvk_xl.master.book import open_master, read_form_table
from dvk_xl.shells import ribbon
from dvk_xl.shells.cli import main
from dvk_xl.spec.forms import INTAKE_LOG, REGISTER
from dvk_xl.workbook import locking
from dvk_xl.workbook.locking import MasterLock, capture_warnings, lock_path, master_lock

from .conftest import model

OTHER = {"user": "lan", "machine": "PC-BXD-02", "pid": 4242}


def write_lock(master: Path, since: datetime | None = None, **holder) -> Path:
    """A lock file as another run would leave it (by default: staff on another machine, right now)."""
    since = since or datetime.now().astimezone()
    path = lock_path(master)
    path.write_text(json.dumps({**OTHER, **holder, "since": since.isoformat(timespec="seconds"), "token": "x"}),
                    encoding="utf-8")
    return path


def dead_pid() -> int:
    """The id of a process of this machine that has ended."""
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True,
                          check=True)
    return int(done.stdout)


# --- the lock itself ----------------------------------------------------------------------------------


def test_the_lock_records_who_holds_it_and_is_removed_after(ward_master):
    path = lock_path(ward_master)
    assert path == ward_master.parent / f".{ward_master.name}.dvklock"
    with master_lock(ward_master) as lock:
        holder = json.loads(path.read_text(encoding="utf-8"))
        assert holder["user"] == getpass.getuser() and holder["machine"] == socket.gethostname()
        assert holder["pid"] == os.getpid() and lock.taken_over is None
        since = datetime.fromisoformat(holder["since"])
        assert since.tzinfo is not None and abs(datetime.now().astimezone() - since) < timedelta(seconds=5)
    assert not path.exists()


def test_an_error_inside_still_releases_the_lock(ward_master):
    with pytest.raises(ValueError), master_lock(ward_master):
        raise ValueError("hỏng")
    assert not lock_path(ward_master).exists()
    with master_lock(ward_master, wait=0):  # and the next run gets it at once
        pass


def test_a_second_run_waits_then_gives_up_naming_the_holder(ward_master):
    since = datetime.now().astimezone().replace(microsecond=0) - timedelta(minutes=3)
    path = write_lock(ward_master, since=since)
    before = path.read_bytes()
    started = time.monotonic()
    with pytest.raises(MasterBusyError) as caught, master_lock(ward_master, wait=0.3):
        pytest.fail("the lock of a live run was taken")
    assert time.monotonic() - started >= 0.3
    message = str(caught.value)
    assert "\n" not in message and isinstance(caught.value, DvkError)
    for part in (ward_master.name, "“lan”", "“PC-BXD-02”", f"{since:%H:%M:%S} ngày {since:%d/%m/%Y}", "chờ", "chạy lại",
                 path.name):
        assert part in message, part
    assert path.read_bytes() == before  # the holder's lock is left alone


def test_a_live_run_in_another_thread_is_waited_for(ward_master):
    inside = threading.Event()
    leave = threading.Event()

    def first() -> None:
        with master_lock(ward_master):
            inside.set()
            leave.wait(5)

    thread = threading.Thread(target=first)
    thread.start()
    try:
        inside.wait(5)
        with pytest.raises(MasterBusyError, match=getpass.getuser()), master_lock(ward_master, wait=0.2):
            pass
        threading.Timer(0.3, leave.set).start()
        with master_lock(ward_master, wait=5) as lock:  # waits for the first, then runs
            assert leave.is_set() and lock.taken_over is None
    finally:
        leave.set()
        thread.join()


def test_the_lock_of_a_dead_process_on_this_machine_is_taken_over_with_a_warning(ward_master):
    write_lock(ward_master, user="hung", machine=socket.gethostname(), pid=dead_pid())
    started = time.monotonic()
    with capture_warnings() as warnings, master_lock(ward_master, wait=10) as lock:
        assert json.loads(lock_path(ward_master).read_text(encoding="utf-8"))["pid"] == os.getpid()
    assert time.monotonic() - started < 5  # no waiting for a process that is gone
    assert warnings == [lock.taken_over]
    assert "“hung”" in warnings[0] and "không còn chạy" in warnings[0] and ward_master.name in warnings[0]
    assert not lock_path(ward_master).exists()


def test_an_old_lock_from_another_machine_is_taken_over(ward_master):
    write_lock(ward_master, since=datetime.now().astimezone() - locking.STALE_AFTER - timedelta(minutes=1))
    with capture_warnings() as warnings, master_lock(ward_master, wait=0):
        pass
    assert len(warnings) == 1 and "quá 2 giờ" in warnings[0] and "“PC-BXD-02”" in warnings[0]


def test_a_recent_lock_from_another_machine_is_not_taken_over(ward_master):
    write_lock(ward_master, since=datetime.now().astimezone() - locking.STALE_AFTER + timedelta(minutes=5))
    with pytest.raises(MasterBusyError), master_lock(ward_master, wait=0):
        pass


def test_an_unreadable_lock_is_waited_for_then_taken_over_once_old(ward_master):
    path = lock_path(ward_master)
    path.write_bytes(b"")  # a run killed between creating the file and writing into it
    with pytest.raises(MasterBusyError, match="một lần chạy khác"), master_lock(ward_master, wait=0):
        pass
    old = time.time() - locking.BROKEN_AFTER - 5
    os.utime(path, (old, old))
    with capture_warnings() as warnings, master_lock(ward_master, wait=0):
        pass
    assert "tệp khóa hỏng" in warnings[0]


def test_taking_over_is_race_free(ward_master):
    """A waiter that judged the old lock stale must not remove the lock another waiter took meanwhile."""
    stale = write_lock(ward_master, machine=socket.gethostname(), pid=dead_pid()).read_bytes()
    first = MasterLock(ward_master, wait=0)
    first.acquire()  # took the stale lock over
    try:
        taken = lock_path(ward_master).read_bytes()
        late = MasterLock(ward_master, wait=0)
        assert late._take_over(stale) is False  # it read the old lock before the first waiter broke it
        assert lock_path(ward_master).read_bytes() == taken
        with pytest.raises(MasterBusyError):
            late.acquire()
    finally:
        first.release()
    assert not lock_path(ward_master).exists()


def test_many_waiters_on_a_stale_lock_run_one_at_a_time(ward_master):
    write_lock(ward_master, machine=socket.gethostname(), pid=dead_pid())
    inside, most, errors = [0], [0], []
    guard = threading.Lock()

    def run() -> None:
        try:
            with master_lock(ward_master, wait=20):
                with guard:
                    inside[0] += 1
                    most[0] = max(most[0], inside[0])
                time.sleep(0.05)
                with guard:
                    inside[0] -= 1
        except Exception as exc:  # reported below
            errors.append(exc)

    with capture_warnings() as warnings:
        threads = [threading.Thread(target=run) for _ in range(6)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert errors == [] and most[0] == 1
    assert len(warnings) == 1  # the stale lock was taken over once
    assert not lock_path(ward_master).exists()


def test_a_nested_entry_point_reenters_and_an_unsaved_book_is_not_locked(ward_master):
    with master_lock(ward_master) as outer, master_lock(str(ward_master), wait=0) as inner:
        assert outer is not None and inner is not None
        assert lock_path(ward_master).exists()
    assert not lock_path(ward_master).exists()

    class Unsaved:
        path = None

    with master_lock(Unsaved()) as lock:
        assert lock is None
    with master_lock(ward_master.parent / "khong-co.xlsx") as lock:  # opening it will say it is missing
        assert lock is None


def test_the_wait_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("DVK_LOCK_WAIT", "2.5")
    assert locking.wait_seconds() == 2.5
    monkeypatch.setenv("DVK_LOCK_WAIT", "không")
    assert locking.wait_seconds() == locking.WAIT_SECONDS
    monkeypatch.delenv("DVK_LOCK_WAIT")
    assert locking.WAIT_SECONDS == locking.wait_seconds() == 30


def test_a_warning_goes_to_stderr_without_a_listener(capsys):
    locking.warn("đã gỡ khóa cũ")
    assert capsys.readouterr().err == "Cảnh báo: đã gỡ khóa cũ\n"


# --- every entry point that writes the master holds it --------------------------------------------


def _consolidate(master, inbox):
    from dvk_xl.intake.consolidation import consolidate

    return consolidate(master, inbox)


def _rollup(master, inbox):
    from dvk_xl.intake.rollup import rollup

    return rollup(master, inbox)


def _compliance(master, inbox):
    from dvk_xl.compliance.check import run_compliance

    return run_compliance(master)


@pytest.mark.parametrize("run", [_consolidate, _rollup, _compliance])
def test_every_writer_of_the_master_waits_for_the_lock_and_changes_nothing(run, returned, monkeypatch):
    returned("CB01", [model(name="Tổ dân phố văn minh")])
    monkeypatch.setenv("DVK_LOCK_WAIT", "0.1")
    write_lock(returned.master)
    before = returned.master.read_bytes()
    with pytest.raises(MasterBusyError, match="“PC-BXD-02”"):
        run(returned.master, returned.inbox)
    assert returned.master.read_bytes() == before
    assert not (returned.master.parent / "LuuTru").exists()  # nothing archived either


@pytest.mark.parametrize("run", [_consolidate, _compliance])
def test_the_lock_covers_reading_the_master(run, returned, monkeypatch):
    """Taken before the master is read: reading first would merge into a version another run replaces."""
    from dvk_xl.workbook import api as workbook_module

    returned("CB01", [model(name="Tổ dân phố văn minh")])
    seen = []
    real = workbook_module.FileWorkbook

    def opening(path):
        seen.append(lock_path(returned.master).exists())
        return real(path)

    monkeypatch.setattr(workbook_module, "FileWorkbook", opening)
    run(returned.master, returned.inbox)
    assert seen and all(seen)
    assert not lock_path(returned.master).exists()


def test_the_cli_gives_up_with_one_line_and_exit_1(returned, monkeypatch):
    returned("CB01", [model(name="Tổ dân phố văn minh")])
    monkeypatch.setenv("DVK_LOCK_WAIT", "0")
    write_lock(returned.master)
    result = CliRunner().invoke(main, ["consolidate", str(returned.master), str(returned.inbox), "--json"])
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.startswith(f"Lỗi: Sổ tổng hợp {returned.master.name} đang được người dùng “lan”")
    assert result.stderr.count("\n") == 1


def test_a_killed_runs_lock_does_not_block_the_next_run(returned):
    returned("CB01", [model(name="Tổ dân phố văn minh")])
    write_lock(returned.master, user="hung", machine=socket.gethostname(), pid=dead_pid())
    result = CliRunner().invoke(main, ["consolidate", str(returned.master), str(returned.inbox), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["summary"]["accepted"] == 1  # stdout stays one JSON document
    assert result.stderr.startswith("Cảnh báo: đã gỡ khóa cũ của sổ") and "“hung”" in result.stderr
    assert list(register(returned.master)["unit_code"]) == ["CB01"]
    assert not lock_path(returned.master).exists()


def test_the_ribbon_shows_the_takeover_warning_and_the_busy_message(returned, monkeypatch):
    from dvk_xl.shells.live_workbook import LiveWorkbook

    from .xlwings_double import ExcelDouble

    monkeypatch.setenv("XLWINGS_LICENSE_KEY", "noncommercial")  # xlwings' remote engine, tests only
    monkeypatch.setattr(ribbon, "MEMORY_FILE", returned.master.parent / "memory.json")
    returned("CB01", [model(name="Tổ dân phố văn minh")])
    double = ExcelDouble(returned.master)

    def press() -> str | None:
        wb = LiveWorkbook(double.book(), path=returned.master)
        message = ribbon.dispatch("chi-tieu", wb=wb, opener=lambda path: None)
        double.apply(wb.book)
        return message

    monkeypatch.setenv("DVK_LOCK_WAIT", "0")
    write_lock(returned.master)
    busy = press()
    assert busy.startswith(f"Sổ tổng hợp {returned.master.name} đang được người dùng “lan”")
    assert double.calls("alert")[-1]["args"][3] == "critical" and not double.calls("save")
    write_lock(returned.master, machine=socket.gethostname(), pid=dead_pid())
    shown = press().splitlines()
    assert shown[0].startswith("Cảnh báo: đã gỡ khóa cũ của sổ") and len(shown) > 1  # then the action's summary
    assert double.calls("alert")[-1]["args"][3] == "info" and double.calls("save")
    assert not lock_path(returned.master).exists()


# --- two real `dvk consolidate` processes on one master -------------------------------------------


def register(master: Path):
    return read_form_table(open_master(master), REGISTER)


def intake_log(master: Path):
    return read_form_table(open_master(master), INTAKE_LOG)


@pytest.fixture
def two_inboxes(returned, tmp_path):
    """The master and two intake folders with different units' files (two staff, one master)."""
    units = {"a": ["CB01", "CB02", "CB04"], "b": ["CB05", "CB06", "DB01"]}
    folders = {}
    for name, codes in units.items():
        folder = tmp_path / f"inbox-{name}"
        folder.mkdir()
        for code in codes:
            path = returned(code, [model(name=f"Mô hình {code} số {i}") for i in (1, 2)])
            path.rename(folder / path.name)
        folders[name] = folder
    return returned.master, folders["a"], folders["b"]


def start(master: Path, inbox: Path, wait: float) -> subprocess.Popen:
    env = {**os.environ, "DVK_LOCK_WAIT": str(wait), "PYTHONUTF8": "1"}
    return subprocess.Popen([sys.executable, "-m", "dvk_xl.shells.cli", "consolidate", str(master), str(inbox), "--json"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8", env=env)


def check_runs(master: Path, runs: list[tuple[Path, subprocess.Popen]]) -> list[str]:
    """Every file a run reports accepted is in the register and the log; a run that gave up changed nothing."""
    outcomes = []
    results = [(inbox, *run.communicate(timeout=120), run.returncode) for inbox, run in runs]
    registered = set(register(master)["source_file"])
    logged = set(intake_log(master)["file"])
    for inbox, out, err, code in results:
        names = {p.name for p in inbox.iterdir()}
        if code == 1 and out == "":
            assert err.startswith(f"Lỗi: Sổ tổng hợp {master.name} đang được người dùng") and err.count("\n") == 1
            assert not names & logged and not names & registered, "a run that gave up changed the master"
            outcomes.append("gave up")
            continue
        assert code == 0, err
        accepted = {Path(f["path"]).name for f in json.loads(out)["files"] if f["status"] == "accepted"}
        assert accepted == names
        assert accepted <= registered, f"accepted but lost: {sorted(accepted - registered)}"
        assert accepted <= logged
        outcomes.append("done")
    return outcomes


def test_two_consolidations_at_once_both_land_in_the_register(two_inboxes):
    master, inbox_a, inbox_b = two_inboxes
    runs = [(inbox_a, start(master, inbox_a, wait=60)), (inbox_b, start(master, inbox_b, wait=60))]
    assert check_runs(master, runs) == ["done", "done"]  # the second waited for the first
    assert not lock_path(master).exists()
    assert len(register(master)) == 12 and len(intake_log(master)) == 6


def test_two_consolidations_at_once_with_no_wait_lose_nothing(two_inboxes):
    master, inbox_a, inbox_b = two_inboxes
    runs = [(inbox_a, start(master, inbox_a, wait=0)), (inbox_b, start(master, inbox_b, wait=0))]
    assert "done" in check_runs(master, runs)  # the other one either ran after or gave up with the lock message


def test_a_run_started_while_the_master_is_held_gives_up_and_changes_nothing(two_inboxes):
    master, inbox_a, _ = two_inboxes
    before = master.read_bytes()
    with master_lock(master):
        assert check_runs(master, [(inbox_a, start(master, inbox_a, wait=0.5))]) == ["gave up"]
    assert master.read_bytes() == before and not (master.parent / "LuuTru").exists()


def test_a_folder_without_write_permission_says_so(ward_master, monkeypatch):
    real_open, target = os.open, str(lock_path(ward_master))

    def refused(path, *args, **kwargs):
        if str(path) == target:
            raise PermissionError(13, "Access is denied", path)
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", refused)
    with pytest.raises(DvkError, match="không có quyền ghi vào thư mục") as caught, master_lock(ward_master, wait=5):
        pass
    assert not isinstance(caught.value, MasterBusyError) and ward_master.name in str(caught.value)
