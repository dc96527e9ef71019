"""Files the tool writes get the user's umask; a replaced master keeps its mode."""

import os
import stat
from pathlib import Path

import pytest

from dvk_xl.master.book import init_master
from dvk_xl.workbook.api import atomic_save

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def umask_002():
    previous = os.umask(0o002)
    yield
    os.umask(previous)


def test_a_new_file_gets_the_users_umask(tmp_path, umask_002):
    path = tmp_path / "new.txt"
    atomic_save(path, lambda temp: Path(temp).write_bytes(b"x"))
    assert mode(path) == 0o664


def test_a_new_master_gets_the_users_umask(tmp_path, umask_002):
    master = init_master(tmp_path / "m", preset="vksnd").path
    assert mode(master) == 0o664


def test_a_replaced_file_keeps_its_mode(tmp_path, umask_002):
    path = tmp_path / "shared.txt"
    path.write_bytes(b"old")
    os.chmod(path, 0o660)
    atomic_save(path, lambda temp: Path(temp).write_bytes(b"new"))
    assert path.read_bytes() == b"new" and mode(path) == 0o660


def test_a_consolidated_master_keeps_its_mode(returned, umask_002):
    from dvk_xl.intake.consolidation import consolidate

    from .conftest import GOOD_MODEL

    os.chmod(returned.master, 0o664)
    returned("CB01", [GOOD_MODEL])
    report = consolidate(returned.master, returned.inbox)
    assert report.master_changed and mode(returned.master) == 0o664
