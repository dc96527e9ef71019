"""One run at a time per master: an exclusive lock file beside the master workbook.

Every library function that reads the master, merges and writes it back holds the lock from before
the master is read until its atomic replace is done, so two runs on one master (two staff on a
shared folder, a ribbon button clicked twice) take turns instead of one silently undoing the other.

Why a lock *file* created with ``O_CREAT | O_EXCL`` (and not ``fcntl``/``msvcrt`` locks or the
``filelock`` package): exclusive create is decided by the file server itself, so it holds between two
Windows machines on an SMB share, between Linux/macOS clients of a CIFS mount (where byte-range locks
are often only local, e.g. ``nobrl``) and on a local disk alike. ``filelock.FileLock`` uses those OS
locks; its ``SoftFileLock`` is the same ``O_EXCL`` idea but records no holder we can show staff and
never recovers from a crashed run. Here the file holds JSON naming the holder (user, machine, process,
since when), a crashed run's lock is taken over (dead process on this machine, or older than
``STALE_AFTER``), and the take-over goes through a second exclusive file so that two waiters never
both take over one stale lock.
"""

from __future__ import annotations

import contextlib
import functools
import getpass
import inspect
import json
import os
import socket
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from ..core.errors import DvkError, MasterBusyError

WAIT_SECONDS = 30.0  # how long a second run waits for the first; env DVK_LOCK_WAIT overrides (tests)
STALE_AFTER = timedelta(hours=2)  # a run never takes this long: such a lock was left by a crashed run
BROKEN_AFTER = 60.0  # seconds: a lock file without readable holder info is a run killed while creating it
POLL_SECONDS = 0.1
SUFFIX = ".dvklock"

F = TypeVar("F", bound=Callable[..., Any])


def lock_path(master: Path) -> Path:
    """``.<master name>.dvklock`` in the master's folder (hidden on Unix, like LibreOffice's lock)."""
    master = Path(master).resolve()
    return master.with_name(f".{master.name}{SUFFIX}")


def wait_seconds() -> float:
    try:
        return float(os.environ["DVK_LOCK_WAIT"])
    except (KeyError, ValueError):
        return WAIT_SECONDS


# --- warnings that must reach the user -----------------------------------------------------------

_listeners: list[Callable[[str], None]] = []


def warn(message: str) -> None:
    """A Vietnamese warning line: to the listeners (the ribbon's message box), else to stderr (the CLI)."""
    if _listeners:
        for listener in list(_listeners):
            listener(message)
    else:
        print(f"Cảnh báo: {message}", file=sys.stderr)


@contextlib.contextmanager
def capture_warnings() -> Iterator[list[str]]:
    """Collect the warnings of the block instead of printing them (for callers without a console)."""
    got: list[str] = []
    _listeners.append(got.append)
    try:
        yield got
    finally:
        _listeners.remove(got.append)


# --- the holder ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Holder:
    user: str
    machine: str
    pid: int
    since: datetime | None  # aware, the holder's local time
    action: str = ""

    @staticmethod
    def me(action: str = "") -> Holder:
        try:
            user = getpass.getuser()
        except Exception:  # no login name (a service account without USERNAME): still lock
            user = "?"
        return Holder(user, socket.gethostname(), os.getpid(), datetime.now().astimezone().replace(microsecond=0),
                      action)

    def as_json(self) -> str:
        return json.dumps({"user": self.user, "machine": self.machine, "pid": self.pid,
                           "since": self.since.isoformat() if self.since else None, "action": self.action,
                           "token": uuid.uuid4().hex}, ensure_ascii=False)

    @staticmethod
    def parse(raw: bytes) -> Holder | None:
        try:
            data = json.loads(raw.decode("utf-8"))
            since = datetime.fromisoformat(data["since"]) if data.get("since") else None
            if since is not None and since.tzinfo is None:
                since = since.astimezone()  # written without an offset: the holder's local time, taken as ours
            return Holder(str(data["user"]), str(data["machine"]), int(data["pid"]), since, str(data.get("action", "")))
        except (ValueError, KeyError, TypeError, UnicodeDecodeError):
            return None

    @property
    def since_text(self) -> str:
        return f"{self.since:%H:%M:%S} ngày {self.since:%d/%m/%Y}" if self.since else "không rõ lúc nào"

    @property
    def here(self) -> bool:
        return self.machine.casefold() == socket.gethostname().casefold()

    def who(self) -> str:
        return f"người dùng “{self.user}” trên máy “{self.machine}”"


def process_alive(pid: int) -> bool:
    """Whether a process of this machine is running (never signals it; on Windows os.kill would end it)."""
    if pid <= 0:
        return False
    if sys.platform.startswith("win"):
        import ctypes
        from ctypes import wintypes

        kernel = ctypes.WinDLL("kernel32", use_last_error=True)  # type: ignore[attr-defined]
        kernel.OpenProcess.restype = wintypes.HANDLE
        kernel.OpenProcess.argtypes = [wintypes.DWORD, wintypes.BOOL, wintypes.DWORD]
        kernel.GetExitCodeProcess.argtypes = [wintypes.HANDLE, ctypes.POINTER(wintypes.DWORD)]
        kernel.CloseHandle.argtypes = [wintypes.HANDLE]
        handle = kernel.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
        if not handle:
            return ctypes.get_last_error() == 5  # access denied: it exists, run by someone else
        try:
            code = wintypes.DWORD()
            return bool(kernel.GetExitCodeProcess(handle, ctypes.byref(code))) and code.value == 259  # STILL_ACTIVE
        finally:
            kernel.CloseHandle(handle)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process
    return True


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except (FileNotFoundError, PermissionError):  # gone, or (Windows) being deleted this very moment
        return None


def _age(path: Path) -> float:
    try:
        return time.time() - path.stat().st_mtime
    except OSError:
        return 0.0


def _remove(path: Path) -> None:
    """Delete, retrying briefly: on Windows a file another process is reading cannot be deleted yet."""
    for _ in range(20):
        try:
            path.unlink(missing_ok=True)
            return
        except PermissionError:
            time.sleep(0.05)
    path.unlink(missing_ok=True)


# --- the lock ------------------------------------------------------------------------------------

_held = threading.local()  # lock paths this thread holds, with a depth: a nested entry point re-enters


class MasterLock:
    """``with MasterLock(master):`` the one run allowed to read and write ``master`` now."""

    def __init__(self, master: str | os.PathLike, wait: float | None = None, action: str = "") -> None:
        self.master = Path(master)
        self.path = lock_path(self.master)
        self.wait = wait_seconds() if wait is None else wait
        self.action = action
        self.taken_over: str | None = None  # the warning, when a crashed run's lock was taken over
        self._mine: bytes | None = None

    def __enter__(self) -> MasterLock:
        depth: dict[Path, int] = _held.__dict__.setdefault("depth", {})
        if depth.get(self.path):
            depth[self.path] += 1
            return self
        self.acquire()
        depth[self.path] = 1
        return self

    def __exit__(self, *exc: object) -> None:
        depth: dict[Path, int] = _held.__dict__.setdefault("depth", {})
        if depth.get(self.path, 0) > 1:
            depth[self.path] -= 1
            return
        depth.pop(self.path, None)
        self.release()

    def acquire(self) -> None:
        deadline = time.monotonic() + self.wait
        denied_since: float | None = None
        while True:
            mine = Holder.me(self.action).as_json().encode("utf-8")
            try:
                fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            except FileExistsError:
                denied_since = None
            except PermissionError:
                # Windows answers so while the old lock is being deleted; a folder we may not write keeps it up
                denied_since = denied_since or time.monotonic()
                if not self.path.exists():
                    if time.monotonic() - denied_since > 1.0:
                        raise DvkError(
                            f"Không tạo được tệp khóa {self.path.name} trong thư mục {self.path.parent} của sổ "
                            f"{self.master.name}: không có quyền ghi vào thư mục; xin quyền ghi hoặc chép sổ sang "
                            "thư mục khác rồi chạy lại (chưa có thay đổi nào)") from None
                    time.sleep(0.05)
                    continue
            else:
                try:
                    written = os.write(fd, mine)
                except OSError:
                    written = -1
                finally:
                    os.close(fd)
                if written != len(mine):  # a full disk: leave no lock that names nobody
                    _remove(self.path)
                    raise DvkError(f"Không ghi được tệp khóa {self.path.name} cạnh sổ {self.master.name} (ổ đĩa "
                                   "đầy?); giải phóng chỗ trống rồi chạy lại (chưa có thay đổi nào)")
                self._mine = mine
                return
            seen = _read(self.path)
            if seen is None and not self.path.exists():
                continue  # released between our two calls: try again at once
            holder = Holder.parse(seen) if seen is not None else None
            reason = self._stale(holder) if seen is not None else None  # unreadable now: being written or deleted
            if reason and seen is not None and self._take_over(seen):
                self.taken_over = (
                    f"đã gỡ khóa cũ của sổ {self.master.name} ({holder.who() if holder else 'không rõ ai giữ'}, "
                    f"từ {holder.since_text if holder else 'không rõ lúc nào'}) vì {reason}; lần chạy đó đã dừng "
                    "giữa chừng nhưng sổ vẫn là bản ghi trọn vẹn gần nhất; nếu các tệp của lần đó chưa vào sổ, "
                    "chạy lại lần đó")
                warn(self.taken_over)
                continue
            if time.monotonic() >= deadline:
                raise MasterBusyError(self._busy_message(holder))
            time.sleep(POLL_SECONDS)

    def release(self) -> None:
        if self._mine is not None and _read(self.path) == self._mine:
            _remove(self.path)  # only our own lock: a lock taken over from us belongs to the next run
        self._mine = None

    def _stale(self, holder: Holder | None) -> str | None:
        """Why the lock's run is surely over, or None while it may still be running."""
        if holder is None:
            return "tệp khóa hỏng" if _age(self.path) > BROKEN_AFTER else None
        if holder.here and holder.pid != os.getpid() and not process_alive(holder.pid):
            return f"tiến trình {holder.pid} trên máy này không còn chạy"
        age = (datetime.now().astimezone() - holder.since) if holder.since else timedelta(seconds=_age(self.path))
        if age > STALE_AFTER:
            return f"khóa đã quá {STALE_AFTER.total_seconds() / 3600:g} giờ"
        return None

    def _take_over(self, seen: bytes) -> bool:
        """Remove the stale lock ``seen``, race-free: only one waiter at a time may break a lock, and only
        if the lock file still holds exactly what it judged stale (another waiter may already have broken
        it and taken the lock anew)."""
        breaker = self.path.with_name(self.path.name + ".break")
        try:
            os.close(os.open(breaker, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644))
        except (FileExistsError, PermissionError):
            if _age(breaker) > BROKEN_AFTER:  # a waiter killed in these few milliseconds
                _remove(breaker)
            return False
        try:
            if _read(self.path) != seen:
                return False  # already broken and taken anew by another waiter, or released
            _remove(self.path)
            return True
        finally:
            _remove(breaker)

    def _busy_message(self, holder: Holder | None) -> str:
        who = f"{holder.who()} cập nhật từ {holder.since_text}" if holder else "một lần chạy khác cập nhật"
        return (f"Sổ tổng hợp {self.master.name} đang được {who} (đã chờ {self.wait:g} giây): chờ lần đó "
                f"xong rồi chạy lại, chưa có thay đổi nào; nếu chắc chắn máy đó không còn chạy dvk, xóa tệp khóa "
                f"{self.path.name} cạnh sổ")


def master_path(master: Any) -> Path | None:
    """The file of a master given as a path, or as a Workbook (``.path``; None for an unsaved book)."""
    if isinstance(master, str | os.PathLike):
        return Path(master)
    path = getattr(master, "path", None)
    return Path(path) if path is not None else None


@contextlib.contextmanager
def master_lock(master: Any, wait: float | None = None, action: str = "") -> Iterator[MasterLock | None]:
    """Hold the master's lock for the block; no lock for an unsaved workbook or a master not there
    (opening it then gives its own message)."""
    path = master_path(master)
    if path is None or not path.is_file():
        yield None
        return
    with MasterLock(path, wait, action) as lock:
        yield lock


def locks_master(func: F) -> F:
    """Decorator for a library entry point with a ``master`` argument: hold its lock for the whole call."""
    signature = inspect.signature(func)

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        master = signature.bind_partial(*args, **kwargs).arguments.get("master")
        with master_lock(master, action=func.__name__):
            return func(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


__all__ = ["MasterLock", "master_lock", "locks_master", "capture_warnings", "Holder", "lock_path", "WAIT_SECONDS",
           "STALE_AFTER"]
