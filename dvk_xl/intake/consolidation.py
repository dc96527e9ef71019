"""Check and consolidate: returned workbooks in, the register (DangKy) and intake log out.

Nothing is lost: every received file is archived under its sha256 and logged; a unit's latest
file replaces its rows, models keep stable IDs, models that disappear are marked withdrawn, rows
staff corrected by hand are kept with a warning; the master is written atomically with its
previous version kept. The same path serves every unit form through ``HANDLERS``
(``handlers.UNIT_HANDLERS``) and the roll-up of reports: the one pipeline in ``pipeline.py``.

Staff edit the register in Excel between runs; ``reconcile_register`` takes their edits in first
(hand rows get IDs, retyped and re-coded unit codes are followed) and the register keeps every
existing row where staff left it, new models appended below, so their order and marks stay put.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

from ..core.progress import Progress, no_progress
from ..spec.forms import UNIT_FORMS
from ..workbook.api import Workbook
from ..workbook.locking import locks_master
from .handlers import UNIT_HANDLERS
from .pipeline import (  # noqa: F401 - the intake's names, kept importable from here
    ARCHIVE_DIR,
    FileOutcome,
    FormHandler,
    IntakeReport,
    check_batch,
    read_all,
    run_intake,
    split_unchanged,
    submissions,
    units_on_record,
)
from .registrations import merge_registrations  # noqa: F401 - re-exported
from .state import MODEL_KEYS, MasterState, fingerprint, reconcile_register  # noqa: F401 - re-exported

HANDLERS = UNIT_HANDLERS.forms  # form id -> FormHandler of the unit forms (the registry's own dict)


def check_files(master: str | Path | Workbook, paths: Iterable[str | Path], workers: int | None = None,
                progress: Progress = no_progress) -> IntakeReport:
    """``dvk validate``: check files against the master (a path, or the workbook open in Excel) without changing anything.

    ``progress`` (done, total, label) hears of each file read, then of the check.
    """
    return check_batch(master, paths, UNIT_HANDLERS, workers, progress)


@locks_master  # read -> merge -> save under the master's lock: one run at a time
def consolidate(master: str | Path | Workbook, inbox: str | Path, feedback_dir: str | Path | None = None,
                workers: int | None = None, now: datetime | None = None,
                progress: Progress = no_progress) -> IntakeReport:
    """``dvk consolidate``: check every workbook in ``inbox`` and merge the accepted ones into the master.

    ``master`` is a path, or the workbook open in Excel (the ribbon's ``LiveWorkbook``); ``progress``
    (done, total, label) hears of each file read, then of the check, merge and save steps.
    """
    return run_intake(master, inbox, UNIT_HANDLERS, feedback_dir, workers, now or datetime.now(), progress)


__all__ = ["consolidate", "check_files", "IntakeReport", "FileOutcome", "HANDLERS", "FormHandler", "UNIT_FORMS"]
