"""Workbooks for the higher committee: Phụ lục 02 (the consolidated list) and Phụ lục 03 (results).

Both sit inside the official party frame (DOMAIN.md), print on A4 landscape fitted to the width
with page numbers, and carry the hidden metadata and data sheets that let the higher committee
roll them up again with this tool (``dvk rollup``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from copy import copy
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

from openpyxl.worksheet.pagebreak import Break

from .. import __version__
from ..core import text
from ..core.dates import as_date, format_date
from ..core.errors import DvkError
from ..core.kinds import ModelKind, Period, ReportKind
from ..core.numbers_vi import read_number
from ..master.book import open_master
from ..master.previous import year_running
from ..spec.forms import (
    METADATA_SHEET,
    PL01,
    PROPOSE_TYPICAL,
    REGISTER,
    REPORT_DATA_SHEET,
    REPORT_FORMS,
    RESULT_DONE,
    RESULTS,
    YES,
    Column,
    excel_column,
)
from ..workbook import excel
from ..workbook.api import FormattedNumber, excel_value
from .names import FILE_NAMES, report_file_name  # noqa: F401 - the writer's names, kept importable from here
from .reportdata import Model, ReportData, load_report_data

GAP = "(chưa có dữ liệu)"


def document_symbol(committee: str) -> str:
    """The issuing body's abbreviation in a document number: “Đảng ủy …” -> ĐU, “Chi bộ …” -> CB."""
    folded = text.fold(committee)
    return "CB" if folded.startswith("chi bộ") else "ĐU"


@dataclass
class ReportResult:
    path: Path
    kind: ReportKind
    models: int
    units: int
    notices: list[str] = field(default_factory=list)
    eml: Path | None = None
    delivery: Any = None  # delivery.Delivery of the draft when ``mail`` is not "eml"


# --- a sheet written top to bottom -----------------------------------------------------------------


class Sheet:
    """Rows written one after another on a worksheet of ``ncols`` columns."""

    def __init__(self, ws: Any, ncols: int) -> None:
        self.ws, self.ncols, self.row = ws, ncols, 1
        # The style of a body cell, by (bold, text, fill): copied to the next such cell, since openpyxl looks
        # each assigned font, border and alignment up in the workbook's styles by hashing it (slow, per cell).
        self._styles: dict[tuple[bool, bool, int], tuple[Any, Any]] = {}

    def section(self, title: str) -> None:
        self.row += 1
        excel.merged_text(self.ws, self.row, 1, self.ncols, title, excel.BOLD,
                          excel.Alignment(horizontal="left", vertical="center"))
        self.row += 1

    def headers(self, spans: Sequence[tuple[str, int]], row: int | None = None, rows: int = 1, column: int = 1) -> None:
        """Header cells from ``column``, each spanning some columns (and ``rows`` rows)."""
        row = row or self.row
        for label, span in spans:
            if span > 1 or rows > 1:
                self.ws.merge_cells(start_row=row, start_column=column, end_row=row + rows - 1,
                                    end_column=column + span - 1)
            for r in range(row, row + rows):
                for c in range(column, column + span):
                    cell = self.ws.cell(r, c)
                    cell.font, cell.alignment, cell.border, cell.fill = (excel.HEADER_FONT, excel.CENTER, excel.BOX,
                                                                         excel.HEADER_FILL)
            excel.set_text_safe(self.ws.cell(row, column), label)
            column += span
        self.ws.row_dimensions[row].height = 45 if rows == 1 else 24
        self.row = max(self.row, row + rows)

    def values(self, values: Sequence[Any], spans: Sequence[int] | None = None, bold: bool = False,
               formats: Sequence[str | None] | None = None, fill: Any = None) -> int:
        """One boxed body row; ``spans`` merges a value over several columns. Returns its row number."""
        spans = spans or [1] * len(values)
        column = 1
        fit_height(self.ws, self.row, self._sized(values, spans))
        for i, (value, span) in enumerate(zip(values, spans, strict=True)):
            if span > 1:
                self.ws.merge_cells(start_row=self.row, start_column=column, end_row=self.row,
                                    end_column=column + span - 1)
            style = (bold, isinstance(value, str), id(fill))
            for c in range(column, column + span):
                cell = self.ws.cell(self.row, c)
                if style in self._styles and self._styles[style][1] is fill:
                    cell._style = copy(self._styles[style][0])
                    continue
                cell.border = excel.BOX
                cell.font = excel.Font(name=excel.FONT_NAME, size=11, bold=bold)
                cell.alignment = excel.WRAP if isinstance(value, str) else excel.CENTER
                if fill is not None:
                    cell.fill = fill
                self._styles[style] = (copy(cell._style), fill)  # before any number format of its own
            cell = self.ws.cell(self.row, column)
            excel.set_text_safe(cell, excel_value(value))
            if formats and formats[i]:
                cell.number_format = formats[i]
            elif isinstance(value, date):
                cell.number_format = "dd/mm/yyyy"
            column += span
        self.row += 1
        return self.row - 1

    def _sized(self, values: Sequence[Any], spans: Sequence[int]) -> list[tuple[Any, float]]:
        """Each value with the width it is printed in (the sum of the columns it spans)."""
        sized, column = [], 1
        for value, span in zip(values, spans, strict=True):
            width = sum(self.ws.column_dimensions[excel_column(c - 1)].width or 9 for c in range(column, column + span))
            sized.append((value, width))
            column += span
        return sized

    def note(self, message: str) -> None:
        excel.merged_text(self.ws, self.row, 1, self.ncols, message, excel.ITALIC,
                          excel.Alignment(horizontal="left", vertical="top", wrap_text=True))
        self.row += 1


def fit_height(ws: Any, row: int, sized: Sequence[tuple[Any, float]], line: float = 15) -> None:
    """Set a row's height for its wrapped text: spreadsheet programs do not grow rows on their own
    when the file comes from a writer like openpyxl, and a clipped row prints clipped."""
    lines = 1
    for value, width in sized:
        if isinstance(value, str) and value:
            per_line = max(1.0, width * 1.15 - 1)
            lines = max(lines, sum(math.ceil(max(len(part), 1) / per_line) for part in value.split("\n")))
    ws.row_dimensions[row].height = line * lines + 2


def fit_header(ws: Any, row: int, columns: Sequence[Column]) -> None:
    """Headers are bold and wrapped in narrow columns: give them the lines they need (at least 3)."""
    fit_height(ws, row, [(c.header, c.width * 0.85) for c in columns], line=14)
    ws.row_dimensions[row].height = max(ws.row_dimensions[row].height, 45)


def fit_rows(ws: Any, first: int, last: int) -> None:
    """``fit_height`` for plain (unmerged) rows, taking each column's own width."""
    widths = {c: ws.column_dimensions[excel_column(c - 1)].width or 9 for c in range(1, ws.max_column + 1)}
    for row in range(first, last + 1):
        fit_height(ws, row, [(ws.cell(row, c).value, w) for c, w in widths.items()])


def _frame(ws: Any, ncols: int, data: ReportData, appendix: str, title: str, subtitle: str, symbol: str,
           day: date | None) -> Sheet:
    """The official header and title; returns the sheet positioned under it."""
    settings = data.settings
    left = [settings.parent_body, settings.committee] if settings.parent_body else [settings.committee]
    row = excel.official_header(ws, ncols, left, settings.place, settings.year,
                                f"…-{symbol}/{document_symbol(settings.committee)}", day)
    excel.merged_text(ws, row, max(1, ncols - 2), ncols, appendix, excel.ITALIC)
    lines = [(title, excel.TITLE_FONT)]
    if subtitle:
        lines.append((subtitle, excel.ITALIC))
    sheet = Sheet(ws, ncols)
    sheet.row = excel.title_block(ws, row + 1, ncols, lines)
    return sheet


def _sign(sheet: Sheet, data: ReportData) -> None:
    s = data.settings
    sheet.row = excel.signature_block(sheet.ws, sheet.row + 1, sheet.ncols, s.signer_on_behalf or "T/M ĐẢNG ỦY",
                                      s.signer_title, s.signer_name, s.recipient_list)


def _plan_line(data: ReportData) -> str:
    s = data.settings
    if not s.plan_number:
        return ""
    when = f" ngày {format_date(s.plan_date)}" if s.plan_date else ""
    return f"(Kèm theo Kế hoạch số {s.plan_number}{when} của {s.committee})"


# --- Phụ lục 02 ---------------------------------------------------------------------------------

PERIOD_COLUMN = Column("period_text", "Thời gian thực hiện", width=13)
PL02_COLUMNS: tuple[Column, ...] = (
    PL01.column("stt"),
    replace(PL01.column("name"), width=30),
    replace(PL01.column("field"), width=16),
    replace(PL01.column("subject"), width=10),
    replace(PL01.column("carried_by"), width=20),
    replace(PL01.column("kind"), width=11),
    replace(PL01.column("start_year"), width=8),
    replace(PL01.column("goals"), width=32),
    PERIOD_COLUMN,
    replace(PL01.column("launch_date"), width=11),
    replace(PL01.column("person_in_charge"), width=16),
    replace(REGISTER.column("model_id"), width=17),
)


def _period_text(model: Model) -> str:
    start, end = format_date(as_date(model["date_from"])), format_date(as_date(model["date_to"]))
    return f"{start} - {end}" if start or end else ""


def _roman(number: int) -> str:
    numerals = [(10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]
    out = ""
    for value, letters in numerals * 4:
        while number >= value:
            out += letters
            number -= value
    return out if number == 0 else str(number)


def model_id_text(model: Model, year: int) -> str:
    """The model's ID as staff read it in a report: a model continued across years (it has a first ID)
    also shows that ID and since when it runs, e.g. “DVK-2027-CB01-1 (lần đầu: DVK-2025-CB01-1; năm thứ 3)”."""
    model_id, first_id = text.clean(model["model_id"]), text.clean(model["first_id"])
    if not first_id or text.fold(first_id) == text.fold(model_id):
        return model_id
    running = year_running(model["start_year"], year)
    since = f"; năm thứ {running}" if running and running > 1 else ""
    return f"{model_id}\n(lần đầu: {first_id}{since})"


def _pl02_row(number: int, model: Model, year: int) -> list[Any]:
    values: list[Any] = []
    for column in PL02_COLUMNS:
        if column.key == "stt":
            values.append(number)
        elif column.key == "model_id":
            values.append(model_id_text(model, year))
        elif column.key == "period_text":
            values.append(_period_text(model))
        elif column.type == "date":
            values.append(as_date(model[column.key]))
        else:
            values.append(model[column.key])
    return values


def breakdown_table(sheet: Sheet, data: ReportData, models: list[Model], label: str = "Lĩnh vực") -> int:
    """Models by field (rows) and kind × subject (columns), with totals. Returns the first body row."""
    kinds, subjects = data.values_of("kinds", "kind"), data.values_of("subjects", "subject")
    fields = data.values_of("fields", "field")
    top = sheet.row
    sheet.headers([("STT", 1), (label, 1), ("Tổng số", 1)], top, rows=2)
    sheet.headers([(k, len(subjects)) for k in kinds], top, column=4)
    sheet.ws.row_dimensions[top].height = 20
    for i in range(len(kinds)):
        for j, subject in enumerate(subjects):
            cell = sheet.ws.cell(top + 1, 4 + i * len(subjects) + j, subject)
            cell.font, cell.alignment, cell.border, cell.fill = excel.HEADER_FONT, excel.CENTER, excel.BOX, excel.HEADER_FILL
    sheet.row = top + 2
    first = sheet.row

    def counts(group: list[Model]) -> list[int]:
        cells = [len(group)]
        for kind in kinds:
            for subject in subjects:
                cells.append(sum(1 for m in group if text.fold(m["kind"]) == text.fold(kind)
                                 and text.fold(m["subject"]) == text.fold(subject)))
        return cells

    for i, value in enumerate(fields, start=1):
        group = [m for m in models if text.fold(m["field"]) == text.fold(value)]
        sheet.values([i, value, *counts(group)])
    sheet.values(["", "Tổng cộng", *counts(models)], bold=True)
    return first


def write_pl02(data: ReportData, path: Path, day: date | None = None) -> Path:
    book = excel.new_book()
    excel.default_font(book)
    ws = book.create_sheet("Phụ lục 02")
    ncols = len(PL02_COLUMNS)
    s = data.settings
    models = data.models
    subtitle = _plan_line(data) or f"(Tổng hợp từ Phụ lục 01 của các đơn vị trực thuộc {s.committee})"
    sheet = _frame(ws, ncols, data, "Phụ lục 02", f"DANH SÁCH ĐĂNG KÝ MÔ HÌNH “DÂN VẬN KHÉO” NĂM {s.year}",
                   subtitle, "DS", day)
    sheet.note(f"Tổng số: {len(models)} mô hình của {data.units_with_models()}/{len(data.units)} đơn vị. "
               f"Mới: {data.count(kind=ModelKind.NEW)}; duy trì: {data.count(kind=ModelKind.CONTINUED)}; "
               f"nhân rộng: {data.count(kind=ModelKind.REPLICATED)}.")
    sheet.row += 1
    excel.set_widths(ws, PL02_COLUMNS)
    header = sheet.row
    excel.header_row(ws, header, PL02_COLUMNS)
    fit_header(ws, header, PL02_COLUMNS)
    sheet.row += 1
    number = 0
    group_fill = excel.PatternFill("solid", fgColor="F2F2F2")
    for index, unit in enumerate(data.units, start=1):
        suffix = f" ({len(unit.models)} mô hình)" if unit.models else " (chưa đăng ký mô hình)"
        sheet.values([_roman(index), f"{unit.name}{suffix}"], [1, ncols - 1], bold=True, fill=group_fill)
        for model in unit.models:
            number += 1
            sheet.values(_pl02_row(number, model, s.year), formats=[c.excel_format for c in PL02_COLUMNS])
    sheet.values(["", f"Tổng cộng: {len(models)} mô hình"], [1, ncols - 1], bold=True)
    last_table_row = sheet.row - 1

    sheet.section("TỔNG HỢP THEO LĨNH VỰC, LOẠI MÔ HÌNH VÀ CHỦ THỂ")
    breakdown_table(sheet, data, models)
    _sign(sheet, data)
    excel.page_setup(ws, title_rows=f"{header}:{header}", footer=f"Phụ lục 02 — {s.committee}")
    ws.print_area = f"A1:{excel_column(ncols - 1)}{sheet.row}"
    ws.freeze_panes = ws.cell(header + 1, 1)
    _write_machine_sheets(book, data, "PL02", {"table_header_row": header, "table_last_row": last_table_row})
    book.active = 0
    return excel.save_book(book, path)


# --- Phụ lục 03 ---------------------------------------------------------------------------------

DETAIL_SHEET = "Chi tiết kết quả"
EVALUATION_COLUMNS = (Column("recognised", "Được công nhận", width=10), Column("typical", "Tiêu biểu", width=9),
                      Column("commendation", "Đề xuất khen thưởng", width=16))
DETAIL_COLUMNS: tuple[Column, ...] = (
    PL01.column("stt"),
    replace(REGISTER.column("model_id"), width=17),
    replace(REGISTER.column("unit_name"), width=20),
    replace(PL01.column("name"), width=28),
    replace(PL01.column("field"), width=15),
    replace(PL01.column("subject"), width=9),
    replace(PL01.column("kind"), width=10),
    RESULTS.column("result_status"),
    replace(RESULTS.column("launched_on"), width=11),
    replace(RESULTS.column("results"), width=36),
    RESULTS.column("participants"),
    RESULTS.column("resources"),
    *EVALUATION_COLUMNS,
)


def _yes(flag: bool) -> str:
    return YES if flag else ""


def _detail_row(number: int, model: Model, year: int) -> list[Any]:
    values: list[Any] = []
    for column in DETAIL_COLUMNS:
        key = column.key
        if key == "stt":
            values.append(number)
        elif key == "model_id":
            values.append(model_id_text(model, year))
        elif key in ("recognised", "typical"):
            values.append(_yes(getattr(model, key)))
        elif key == "commendation":
            values.append(model.commendation)
        elif key in ("result_status", "launched_on", "results", "participants", "resources"):
            value = model.result.get(key)
            values.append(as_date(value) if column.type == "date" else value)
        else:
            values.append(model[key])
    return values


def _number(value: Any) -> int | float:
    """A number to add up: reportdata has read the results with numbers_vi; an empty cell counts 0."""
    return read_number(value).value or 0


def unit_table(sheet: Sheet, data: ReportData) -> int:
    """Per unit: models by kind, results by status, people, resources, recognition. Returns first body row."""
    kinds = data.values_of("kinds", "kind")
    statuses = data.lists.get("result_statuses", [])
    sheet.headers([("STT", 1), ("Đơn vị", 1), ("Số mô hình", 1), *[(k, 1) for k in kinds],
                   *[(s, 1) for s in statuses], ("Số người tham gia", 1), ("Nguồn lực huy động (đồng)", 1),
                   ("Được công nhận", 1), ("Tiêu biểu", 1)])
    first = sheet.row
    formats = [None] * (3 + len(kinds) + len(statuses)) + ["#,##0", "#,##0", None, None]

    def cells(models: list[Model]) -> list[Any]:
        return [len(models),
                *[sum(1 for m in models if text.fold(m["kind"]) == text.fold(k)) for k in kinds],
                *[sum(1 for m in models if text.fold(m.status) == text.fold(s)) for s in statuses],
                int(sum(_number(m.result.get("participants")) for m in models)),
                sum(_number(m.result.get("resources")) for m in models),
                sum(1 for m in models if m.recognised), sum(1 for m in models if m.typical)]

    for i, unit in enumerate(data.units, start=1):
        sheet.values([i, unit.name, *cells(unit.models)], formats=formats)
    sheet.values(["", "Tổng cộng", *cells(data.models)], bold=True, formats=formats)
    return first


def results_overview(sheet: Sheet, data: ReportData) -> None:
    """Field rows again, with launched / completed / recognised / typical / commended."""
    fields = data.values_of("fields", "field")
    sheet.headers([("STT", 1), ("Lĩnh vực", 1), ("Tổng số", 1), ("Đã báo cáo kết quả", 1), ("Đã ra mắt", 1),
                   (RESULT_DONE, 1), ("Được công nhận", 1), ("Tiêu biểu", 1), ("Đề xuất khen thưởng", 1)])

    def cells(models: list[Model]) -> list[int]:
        return [len(models), sum(1 for m in models if m.status), sum(1 for m in models if m.launched),
                sum(1 for m in models if text.fold(m.status) == text.fold(RESULT_DONE)),
                sum(1 for m in models if m.recognised), sum(1 for m in models if m.typical),
                sum(1 for m in models if m.commendation)]

    for i, value in enumerate(fields, start=1):
        sheet.values([i, value, *cells([m for m in data.models if text.fold(m["field"]) == text.fold(value)])])
    sheet.values(["", "Tổng cộng", *cells(data.models)], bold=True)


def quota_table(sheet: Sheet, wb: Any, data: ReportData, notices: list[str]) -> None:
    """Each quota rule: required, actual, met, units short, as the compliance library checks them."""
    spans = [1, 1, 2, 2, 1, sheet.ncols - 7]
    sheet.headers(list(zip(["STT", "Chỉ tiêu", "Yêu cầu", "Thực hiện", "Kết quả", "Đơn vị chưa đạt"], spans,
                           strict=True)))
    try:
        rows = quota_rows(wb, data)
    except DvkError as exc:  # a rule staff typed wrongly: the report still goes out, with the gap said
        sheet.values(["", f"Chưa kiểm tra được chỉ tiêu: {exc.message}", GAP, GAP, GAP, ""], spans)
        notices.append(f"Bảng chỉ tiêu để trống vì sheet “Chỉ tiêu” có lỗi: {exc.message}")
        return
    if not rows:
        sheet.values(["", "Kế hoạch chưa có chỉ tiêu (sheet “Chỉ tiêu” trống)", "", "", "", ""], spans)
    for i, (description, required, actual, met, short) in enumerate(rows, start=1):
        values = [i, description, required, actual, "Đạt" if met else "Chưa đạt", short]
        formats = [v.number_format if isinstance(v, FormattedNumber) else None for v in values]
        sheet.values([v.value if isinstance(v, FormattedNumber) else v for v in values], spans, formats=formats)


def quota_rows(wb: Any, data: ReportData) -> list[tuple[str, Any, Any, bool, str]]:
    """(rule, required, actual, met, units short) per quota rule, checked by the compliance library;
    required and actual are numbers with their number format where they are numbers."""
    from ..compliance import quotas
    from ..master.book import load_units

    units = load_units(wb)
    rules = quotas.load_quota_rules(wb, units, data.lists)
    decisions = {text.fold(m.id): (m.recognised, m.typical) for m in data.models}
    from ..master.reconcile import read_register

    register = read_register(wb, units, data.lists, data.settings.year).frame()
    checked = quotas.check_quotas(rules, quotas.active_models(register, data.lists, decisions), units)
    return [(r.rule.description, *quotas.quota_cells(r), r.met, r.short_text) for r in checked]


def typical_table(sheet: Sheet, data: ReportData) -> None:
    spans = [1, 1, 2, 1, 1, 1, sheet.ncols - 9, 2]
    sheet.headers(list(zip(["STT", "Tên mô hình", "Đơn vị", "Lĩnh vực", "Chủ thể", "Loại", "Kết quả chủ yếu",
                            "Đề xuất khen thưởng"], spans, strict=True)))
    typical = [m for m in data.models if m.typical]
    if not typical:
        proposed = sum(1 for m in data.models if text.fold(m.result.get("proposal")) == text.fold(PROPOSE_TYPICAL))
        hint = f" ({proposed} mô hình được đơn vị đề nghị)" if proposed else ""
        sheet.values(["", f"Chưa có mô hình được thẩm định, công nhận tiêu biểu{hint}"], [1, sheet.ncols - 1])
        return
    units = {m.id: u.name for u in data.units for m in u.models}
    for i, model in enumerate(typical, start=1):
        sheet.values([i, model["name"], units.get(model.id, ""), model["field"], model["subject"], model["kind"],
                      text.clean(model.result.get("results")), model.commendation], spans)


def field_chart(ws: Any, data_first_row: int, fields: int, anchor: str) -> None:
    """Bar chart of the field rows of the overview table: total, completed, recognised, typical."""
    from openpyxl.chart import BarChart, Reference

    chart = BarChart()
    chart.type = "col"
    chart.title = "Số mô hình theo lĩnh vực"
    chart.y_axis.title = "Số mô hình"
    chart.height, chart.width = 7.5, 24
    last = data_first_row + fields - 1
    for column in (3, 6, 7, 8):  # Tổng số, Hoàn thành, Được công nhận, Tiêu biểu
        chart.add_data(Reference(ws, min_col=column, min_row=data_first_row - 1, max_row=last), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=2, min_row=data_first_row, max_row=last))
    chart.y_axis.majorGridlines = None
    chart.y_axis.number_format = "0"
    chart.y_axis.majorUnit = max(1, math.ceil(max([_number(ws.cell(r, 3).value) for r in range(data_first_row, last + 1)]
                                                  + [1]) / 6))
    chart.y_axis.scaling.min = 0
    chart.legend.position = "b"
    chart.y_axis.delete = False
    chart.x_axis.delete = False
    ws.add_chart(chart, anchor)


def write_pl03(data: ReportData, wb: Any, path: Path, day: date | None = None) -> tuple[Path, list[str]]:
    notices: list[str] = []
    book = excel.new_book()
    excel.default_font(book)
    ws = book.create_sheet("Phụ lục 03")
    kinds, subjects = data.values_of("kinds", "kind"), data.values_of("subjects", "subject")
    statuses = data.lists.get("result_statuses", [])
    ncols = max(3 + len(kinds) * len(subjects), 7 + len(kinds) + len(statuses), 11)
    for column in range(1, ncols + 1):
        ws.column_dimensions[excel_column(column - 1)].width = {1: 5, 2: 30}.get(column, 11)
    s = data.settings
    when = "6 THÁNG ĐẦU NĂM" if data.period == Period.HALF_YEAR else "NĂM"
    title = f"BÁO CÁO KẾT QUẢ THỰC HIỆN PHONG TRÀO THI ĐUA “DÂN VẬN KHÉO” {when} {s.year}"
    sheet = _frame(ws, ncols, data, "Phụ lục 03", title, _plan_line(data), "BC", day)
    models = data.models
    reported = sum(1 for m in models if m.status)
    sheet.note(f"Tổng số: {len(models)} mô hình đang thực hiện của {data.units_with_models()}/{len(data.units)} "
               f"đơn vị; {reported} mô hình đã báo cáo kết quả kỳ {data.period_label.lower()}.")

    sheet.section("I. THỐNG KÊ MÔ HÌNH THEO LĨNH VỰC, LOẠI MÔ HÌNH VÀ CHỦ THỂ")
    breakdown_table(sheet, data, models)
    sheet.section("II. KẾT QUẢ THỰC HIỆN, CÔNG NHẬN, TIÊU BIỂU, KHEN THƯỞNG THEO LĨNH VỰC")
    overview_header = sheet.row
    results_overview(sheet, data)
    sheet.section("III. KẾT QUẢ THEO ĐƠN VỊ")
    unit_table(sheet, data)
    sheet.section("IV. THỰC HIỆN CHỈ TIÊU CỦA KẾ HOẠCH")
    quota_table(sheet, wb, data, notices)
    sheet.section("V. DANH SÁCH MÔ HÌNH TIÊU BIỂU")
    typical_table(sheet, data)
    # The chart and the signature start a page of their own, so neither is ever cut in two.
    ws.row_breaks.append(Break(id=sheet.row))
    sheet.section("VI. BIỂU ĐỒ SỐ MÔ HÌNH THEO LĨNH VỰC")
    field_chart(ws, overview_header + 1, len(data.values_of("fields", "field")), f"B{sheet.row}")
    sheet.row += 17
    _sign(sheet, data)
    excel.page_setup(ws, footer=f"Phụ lục 03 — {s.committee}")
    ws.print_area = f"A1:{excel_column(ncols - 1)}{sheet.row}"

    detail = book.create_sheet(DETAIL_SHEET)
    dcols = len(DETAIL_COLUMNS)
    excel.merged_text(detail, 1, 1, dcols, f"DANH SÁCH KẾT QUẢ TỪNG MÔ HÌNH ({data.period_label.upper()} {s.year})",
                      excel.TITLE_FONT, height=20)
    excel.merged_text(detail, 2, 1, dcols, f"(Kèm theo báo cáo kết quả của {s.committee})", excel.ITALIC)
    excel.set_widths(detail, DETAIL_COLUMNS)
    excel.header_row(detail, 4, DETAIL_COLUMNS)
    fit_header(detail, 4, DETAIL_COLUMNS)
    rows = [_detail_row(i, m, s.year) for i, m in enumerate(models, start=1)]
    excel.write_rows(detail, 5, DETAIL_COLUMNS, rows)
    fit_rows(detail, 5, 4 + len(rows))
    if not rows:
        excel.merged_text(detail, 5, 1, dcols, "Chưa có mô hình nào trong sổ đăng ký", excel.ITALIC)
    excel.page_setup(detail, title_rows="4:4", footer=f"Phụ lục 03 — {DETAIL_SHEET}")
    detail.freeze_panes = "A5"
    period = data.period.value if data.period else None
    _write_machine_sheets(book, data, "PL03TH", {"period": period, "period_label": data.period_label})
    book.active = 0
    return excel.save_book(book, path), notices


# --- hidden sheets for the roll-up ----------------------------------------------------------------


def report_metadata(data: ReportData, form_id: str, extra: dict[str, Any]) -> dict[str, Any]:
    """Like a unit template's metadata: the sending committee stands where a template names its unit."""
    s = data.settings
    return {
        "form_id": form_id,
        "form_version": REPORT_FORMS[form_id].version,
        "kind": data.kind.value,
        "unit_code": s.committee_code or text.file_slug(s.committee),
        "unit_name": s.committee,
        "year": s.year,
        "committee": s.higher_committee,
        "models": len(data.models),
        "generated_at": datetime.now().strftime("%d/%m/%Y %H:%M"),
        "tool_version": __version__,
        **extra,
    }


def data_rows(data: ReportData, form_id: str) -> list[list[Any]]:
    """One row per model under the report form's headers, as the higher committee will read them."""
    form = REPORT_FORMS[form_id]
    rows = []
    for model in data.models:
        values = {**model.values}
        if form_id == "PL03TH":
            values.update({k: v for k, v in model.result.items() if k in RESULTS.keys and k not in ("model_id",)})
            values.update(period=data.period_label, unit_code=model["unit_code"], unit_name=model["unit_name"],
                          name=model["name"], lower_result=_yes(model.recognised), lower_typical=_yes(model.typical),
                          lower_commendation=model.commendation)
        rows.append([excel_value(values.get(key)) for key in form.keys])
    return rows


def _write_machine_sheets(book: Any, data: ReportData, form_id: str, extra: dict[str, Any]) -> None:
    meta_ws = book.create_sheet(METADATA_SHEET)
    for r, (key, value) in enumerate(report_metadata(data, form_id, extra).items(), start=1):
        meta_ws.cell(r, 1, key)
        excel.set_text_safe(meta_ws.cell(r, 2), value)
    meta_ws.sheet_state = "veryHidden"
    form = REPORT_FORMS[form_id]
    data_ws = book.create_sheet(REPORT_DATA_SHEET)
    excel.header_row(data_ws, 1, form.columns)
    excel.write_rows(data_ws, 2, form.columns, data_rows(data, form_id), border=False)
    data_ws.sheet_state = "veryHidden"


# --- the command ---------------------------------------------------------------------------------


def write_report(master: str | Path, kind: ReportKind | str, out_dir: str | Path, eml: bool = False,
                 day: date | None = None, mail: str = "eml") -> ReportResult:
    """``dvk report``: the Phụ lục 02 or 03 workbook of the master (and a draft e-mail).

    ``mail`` is how the draft reaches staff (``delivery.MAIL_MODES``): an ``.eml`` beside the workbook,
    a webmail page (``GuiThu`` in ``out_dir``), or Outlook (the shell opens ``result.delivery``)."""
    if ReportKind.parse(kind) is None:
        raise DvkError(f"Không có loại báo cáo “{kind}”; chọn một trong: {', '.join(ReportKind)}")
    kind = ReportKind(kind)
    wb = open_master(master)
    data = load_report_data(wb, kind)
    if eml:
        from .mail import higher_addresses

        higher_addresses(data.settings)  # a bad address is refused before anything is written
    path = Path(out_dir) / report_file_name(kind, data.settings.year, data.settings.committee)
    notices: list[str] = []
    if kind is ReportKind.REGISTRATION:
        write_pl02(data, path, day)
    else:
        _, notices = write_pl03(data, wb, path, day)
    if not data.models:
        notices.append("Sổ đăng ký chưa có mô hình nào: báo cáo chỉ có khung và các dòng tổng bằng 0")
    if not data.settings.committee_code:
        notices.append(f"Chưa nhập “Mã cấp ủy” trong sheet “Cấu hình”: cấp trên sẽ nhận biết báo cáo theo tên cấp ủy "
                       f"“{data.settings.committee}”; nếu cấp trên đã đặt mã cho cấp ủy trong danh sách đơn vị của "
                       "cấp trên, nhập mã đó để nhận biết chắc chắn hơn")
    result = ReportResult(path, kind, len(data.models), data.units_with_models(), notices)
    if eml:
        from .mail import write_draft

        if mail == "eml":
            result.eml, mail_notices = write_draft(data, path)
        else:
            from .delivery import deliver
            from .mail import draft_notices, report_draft

            result.delivery = deliver([report_draft(data, path)], mail, Path(out_dir), lambda d: path.with_suffix(".eml"),
                                      f"Thư gửi {data.settings.higher_committee or 'cấp trên'}")
            mail_notices = draft_notices(data)
        result.notices.extend(mail_notices)
    return result
