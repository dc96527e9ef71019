"""The intake's handler registry, built here and only here: what each kind of intake reads, checks
and merges, form by form. ``consolidate``/``check_files`` use ``UNIT_HANDLERS``, ``rollup`` uses
``ROLLUP_HANDLERS``; both run through the one pipeline in ``pipeline.py``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ..core.kinds import Period
from ..spec.forms import PL01, PL03, REGISTER, REPORT_PL02, REPORT_PL03, RESULTS, SUBMISSIONS, Form
from .chunks import check_in_chunks, rows_by_file
from .crossyear import check_across_years
from .inbox import report_prefixes
from .pipeline import FormHandler, HandlerSet, read_unit_forms, submissions
from .reading import ReturnedFile
from .registrations import merge_registrations
from .results import check_results, merge_results
from .rollup_forms import (
    check_reports,
    merge_list,
    merge_report_results,
    own_reports_of,
    read_reports,
    report_order,
    rollup_tables,
)
from .state import MasterState
from .validation import validate_files


def check_unit_forms(files: list[ReturnedFile], state: MasterState, handlers: HandlerSet) -> dict[int, list[dict[str, Any]]]:
    """The generic checks (file level, pandera, cross rules) plus each form's own checks."""
    checks = {form_id: handler.checks for form_id, handler in handlers.forms.items()}
    return rows_by_file(validate_files(files, state.campaign, checks))


def unit_tables(state: MasterState, log_rows: list[dict[str, Any]], handlers: HandlerSet,
                now: datetime) -> dict[Form, Any]:
    """The register (rows where staff left them) and who sent what (TinhHinhNop, late as of ``now``)."""
    return {REGISTER: state.register_frame(), SUBMISSIONS: submissions(state, log_rows, handlers.forms, now)}


UNIT_HANDLERS = HandlerSet(
    name="unit-forms",
    forms={
        # Phụ lục 01 against last year's models, when the master has them (dvk_xl/intake/crossyear.py).
        PL01.id: FormHandler(PL01, merge_registrations, {"": "dang-ky"}, checks=(check_across_years,)),
        # Phụ lục 03 results into KetQua (dvk_xl/intake/results.py), each period against its own deadline.
        PL03.id: FormHandler(PL03, merge_results, {Period.HALF_YEAR: "bao-cao-6-thang", Period.YEAR: "bao-cao-nam"},
                             checks=(check_results,)),
    },
    read=read_unit_forms,
    check=check_unit_forms,
    own_files=lambda state: report_prefixes(),
    tables=unit_tables,
    read_checked=check_in_chunks,
)

ROLLUP_HANDLERS = HandlerSet(
    name="rollup",
    forms={
        # Reports from below have no TienDo step of this committee: expected, never overdue.
        REPORT_PL02.id: FormHandler(REPORT_PL02, merge_list, {"": None}),
        REPORT_PL03.id: FormHandler(REPORT_PL03, merge_report_results, {Period.HALF_YEAR: None, Period.YEAR: None}),
    },
    read=read_reports,
    check=check_reports,
    own_files=own_reports_of,
    tables=rollup_tables,
    list_form=REPORT_PL02.id,
    merge_order=report_order,
    tables_read=(RESULTS,),
)

__all__ = ["UNIT_HANDLERS", "ROLLUP_HANDLERS"]
