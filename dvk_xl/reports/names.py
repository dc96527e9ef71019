"""The file names of the reports ``dvk report`` writes.

Apart from the writer so that the intake, which skips these files in an inbox, need not import it
(the writer imports openpyxl, which consolidation otherwise never needs).
"""

from __future__ import annotations

from ..core import text
from ..core.kinds import ReportKind

FILE_NAMES = {ReportKind.REGISTRATION: "PL02_DangKy_DVK", ReportKind.HALF_YEAR: "PL03_BaoCao6Thang_DVK",
              ReportKind.YEAR: "PL03_BaoCaoNam_DVK"}


def report_file_name(kind: ReportKind | str, year: int, committee: str) -> str:
    return f"{FILE_NAMES[kind]}_{year}_{text.file_slug(committee)}.xlsx"
