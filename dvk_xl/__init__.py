"""dvk_xl: run the "Dân vận khéo" emulation movement from an Excel master workbook.

The library's public functions are importable from here (``from dvk_xl import consolidate``), but
lazily (PEP 562): each name is imported from its module on first use, because the modules pull in
pandas, pandera and openpyxl, and ``import dvk_xl`` and ``dvk --help`` must stay fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# public name -> the module that defines it
_EXPORTS: dict[str, str] = {
    "init_master": "master.book",
    "open_master": "master.book",
    "load_settings": "master.book",
    "load_units": "master.book",
    "Settings": "master.book",
    "InitResult": "master.book",
    "init_from": "master.nextyear",
    "InitFromResult": "master.nextyear",
    "write_templates": "reports.templates",
    "TemplatesResult": "reports.templates",
    "send_templates": "reports.unit_mail",
    "remind": "reports.unit_mail",
    "UnitMailResult": "reports.unit_mail",
    "check_files": "intake.consolidation",
    "consolidate": "intake.consolidation",
    "consolidate_with_mail": "intake.feedback_mail",
    "IntakeReport": "intake.pipeline",
    "FileOutcome": "intake.pipeline",
    "run_compliance": "compliance.check",
    "check_compliance": "compliance.check",
    "ComplianceReport": "compliance.check",
    "write_report": "reports.writer",
    "ReportResult": "reports.writer",
    "rollup": "intake.rollup",
    "build_addin": "shells.addin",
    "AddinResult": "shells.addin",
    "run_demo": "demo.run",
    "Finding": "core.findings",
    "DvkError": "core.errors",
}

__all__ = [  # the same names as _EXPORTS, spelt out for linters and type checkers (a test keeps them equal)
    "__version__",
    "init_master", "open_master", "load_settings", "load_units", "Settings", "InitResult",
    "init_from", "InitFromResult",
    "write_templates", "TemplatesResult", "send_templates", "remind", "UnitMailResult",
    "check_files", "consolidate", "consolidate_with_mail", "IntakeReport", "FileOutcome",
    "run_compliance", "check_compliance", "ComplianceReport",
    "write_report", "ReportResult",
    "rollup",
    "build_addin", "AddinResult",
    "run_demo",
    "Finding", "DvkError",
]

if TYPE_CHECKING:  # for type checkers and IDEs only; at run time the names come from __getattr__
    from .compliance.check import ComplianceReport, check_compliance, run_compliance
    from .core.errors import DvkError
    from .core.findings import Finding
    from .demo.run import run_demo
    from .intake.consolidation import check_files, consolidate
    from .intake.feedback_mail import consolidate_with_mail
    from .intake.pipeline import FileOutcome, IntakeReport
    from .intake.rollup import rollup
    from .master.book import InitResult, Settings, init_master, load_settings, load_units, open_master
    from .master.nextyear import InitFromResult, init_from
    from .reports.templates import TemplatesResult, write_templates
    from .reports.unit_mail import UnitMailResult, remind, send_templates
    from .reports.writer import ReportResult, write_report
    from .shells.addin import AddinResult, build_addin

    __version__: str


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(__name__)
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "0+unknown"


def __getattr__(name: str) -> Any:
    if name == "__version__":
        value: Any = _version()
    elif name in _EXPORTS:
        value = getattr(importlib.import_module(f".{_EXPORTS[name]}", __name__), name)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value  # later look-ups skip __getattr__
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
