"""Roll-up one level up: a higher committee consolidates the Phụ lục 02/03 workbooks that its
subordinate committees produced with ``dvk report``.

A subordinate committee is a row of the higher committee's ``DonVi``; its report names it in the
hidden metadata (committee code, or its name) and carries one row per model in the hidden data
sheet. The same intake path as the units' forms applies: file checks, feedback, archive under the
sha256, the ``TiepNhan`` log, an atomic save with the previous master kept.

Model IDs are namespaced at roll-up. A unit-level ID ``DVK-<year>-<unit code>-<n>`` is unique only
inside the committee that issued it: every ward numbers its units from CB01, so two wards both have
``DVK-2026-CB01-1``. A model rolled up from a subordinate committee therefore gets, in the higher
register, ``<the sender's code in this DonVi>/<the ID as the sender has it>``: ward Hồng An listed as
``HA`` makes ``HA/DVK-2026-CB01-1`` at the city, and the city listed as ``TP`` makes
``TP/HA/DVK-2026-CB01-1`` at the province. Unique by construction at every level (codes in one DonVi
are unique, IDs in each sender's register are unique) and nothing needs configuring below. The
sender's own ID stays in the row (``source_id``), so staff can talk to the ward about "its" ID, and
results from below (Phụ lục 03, which carry the sender's IDs) are mapped through it. IDs already in
a register never change: a row rolled up before namespacing keeps its ID and is matched by it.

Each row also keeps where the model was first registered (``origin``: "<ID> (<committee>)", carried
unchanged up every level). ``model-id-conflict`` is then only a real conflict: the same committee's
model claimed by two senders of this DonVi (a ward sending both directly and inside its city's report,
or one committee's report arriving under another committee's code), or an ID this register already
gives another sender's model.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from ..core.progress import Progress, no_progress
from ..workbook.api import Workbook
from ..workbook.locking import locks_master
from .handlers import ROLLUP_HANDLERS
from .pipeline import IntakeReport, run_intake
from .rollup_forms import (  # noqa: F401 - roll-up's names, kept importable from here
    Claims,
    check_report,
    claimed_twice,
    merge_register,
    merge_results,
    namespaced_id,
    recognise_committee,
)


@locks_master  # read -> merge -> save under the master's lock: one run at a time
def rollup(master: str | Path | Workbook, inbox: str | Path, feedback_dir: str | Path | None = None,
           now: datetime | None = None, progress: Progress = no_progress) -> IntakeReport:
    """``dvk rollup``: check the subordinate committees' reports in ``inbox`` and merge the accepted ones.

    ``master`` is a path, or the workbook open in Excel (the ribbon's ``LiveWorkbook``); ``progress``
    (done, total, label) hears of each report read, then of the check, merge and save steps.
    """
    return run_intake(master, inbox, ROLLUP_HANDLERS, feedback_dir, workers=1, now=now or datetime.now(),
                      progress=progress)


__all__ = ["rollup", "check_report", "merge_register", "merge_results", "namespaced_id", "Claims"]
