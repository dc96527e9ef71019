"""dvk_xl: run the "Dân vận khéo" emulation movement from an Excel master workbook.

The library's public functions are importable from here (``from dvk_xl import consolidate``), but
lazily (PEP 562): each name is imported from its module on first use, because the modules pull in
pandas, pandera and openpyxl, and ``import dvk_xl`` and ``dvk --help`` must stay fast.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING, Any

# public name -> the module that defines it
_EXPORTS: dict[str, str] = {
    "init_master": "master",
    "open_master": "master",
    "load_settings": "master",
    "load_units": "master",
    "Settings": "master",
    "InitResult": "master",
    "write_templates": "templates",
    "TemplatesResult": "templates",
    "check_files": "consolidation",
    "consolidate": "consolidation",
    "IntakeReport": "consolidation",
    "FileOutcome": "consolidation",
    "run_compliance": "compliance",
    "check_compliance": "compliance",
    "ComplianceReport": "compliance",
    "write_report": "reports",
    "ReportResult": "reports",
    "rollup": "rollup",
    "build_addin": "addin",
    "AddinResult": "addin",
    "run_demo": "demo",
    "Finding": "findings",
    "DvkError": "errors",
}

__all__ = [  # the same names as _EXPORTS, spelt out for linters and type checkers (a test keeps them equal)
    "__version__",
    "init_master", "open_master", "load_settings", "load_units", "Settings", "InitResult",
    "write_templates", "TemplatesResult",
    "check_files", "consolidate", "IntakeReport", "FileOutcome",
    "run_compliance", "check_compliance", "ComplianceReport",
    "write_report", "ReportResult",
    "rollup",
    "build_addin", "AddinResult",
    "run_demo",
    "Finding", "DvkError",
]

if TYPE_CHECKING:  # for type checkers and IDEs only; at run time the names come from __getattr__
    from .addin import AddinResult, build_addin
    from .compliance import ComplianceReport, check_compliance, run_compliance
    from .consolidation import FileOutcome, IntakeReport, check_files, consolidate
    from .demo import run_demo
    from .errors import DvkError
    from .findings import Finding
    from .master import InitResult, Settings, init_master, load_settings, load_units, open_master
    from .reports import ReportResult, write_report
    from .rollup import rollup
    from .templates import TemplatesResult, write_templates

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


class _Package(types.ModuleType):
    """``dvk_xl.rollup`` is both a module and the public function ``rollup``.

    Importing a submodule binds it on its package; left alone, ``from dvk_xl import rollup`` would
    give the function or the module depending on what ran before. The function wins, always; the
    module stays reachable as ``sys.modules["dvk_xl.rollup"]`` and ``from dvk_xl.rollup import …``.
    """

    def __setattr__(self, name: str, value: Any) -> None:
        if isinstance(value, types.ModuleType) and _EXPORTS.get(name) == name:
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
