"""Unit templates: one workbook per unit, official frame, dropdowns, hidden metadata."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from .. import __version__
from ..core import text
from ..core.errors import DvkError
from ..core.kinds import ModelKind, Period
from ..core.progress import Progress, no_progress
from ..master.book import Settings, load_lists, load_settings, load_units, open_master
from ..master.previous import previous_by_unit
from ..spec.forms import (
    FRAME_TEXTS_KEY,
    LIST_HEADERS,
    LISTS_SHEET_IN_TEMPLATE,
    METADATA_SHEET,
    PL01,
    PL03,
    REGISTER,
    UNIT_FORMS,
    Form,
    excel_column,
)
from ..workbook import excel
from ..workbook.api import Workbook

INPUT_ROWS = 30  # empty rows offered to the unit; it may insert more
HEADER_ROW = 10

# Who signs a unit's form, by the unit's type.
SIGNERS = {
    "chi bộ": ("T/M CHI BỘ", "BÍ THƯ"),
    "đảng bộ trực thuộc": ("T/M ĐẢNG ỦY", "BÍ THƯ"),
    "mặt trận tổ quốc": ("T/M BAN THƯỜNG TRỰC", "CHỦ TỊCH"),
    "tổ chức chính trị - xã hội": ("T/M BAN THƯỜNG VỤ", "CHỦ TỊCH (BÍ THƯ)"),
}


@dataclass(frozen=True)
class UnitInfo:
    code: str
    name: str
    unit_type: str = ""


def template_file_name(form: Form, unit: UnitInfo, suffix: str = "") -> str:
    code = re.sub(r"[^A-Za-z0-9-]+", "_", text.unaccent(unit.code)).strip("_")
    extra = f"_{suffix}" if suffix else ""
    return f"{form.id}{extra}_{code}_{text.file_slug(unit.name)}.xlsx"


def metadata(form: Form, unit: UnitInfo, settings: Settings, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "form_id": form.id,
        "form_version": form.version,
        "unit_code": unit.code,
        "unit_name": unit.name,
        "year": settings.year,
        "committee": settings.committee,
        "committee_code": settings.committee_code,
        "header_row": HEADER_ROW,
        "generated_at": datetime.now().strftime("%d/%m/%Y %H:%M"),
        "tool_version": __version__,
        **(extra or {}),
    }


def write_unit_template(form: Form, unit: UnitInfo, settings: Settings, lists: dict[str, list[str]], path: Path,
                        title: str, subtitle: str = "", prefilled: Sequence[Sequence[Any]] = (),
                        locked_keys: Sequence[str] = (), meta_extra: dict[str, Any] | None = None,
                        prefilled_locked_keys: Sequence[str] = ()) -> Path:
    """One unit's workbook for ``form``: header locked, input rows open, dropdowns, print setup.

    ``locked_keys`` are locked on every row; ``prefilled_locked_keys`` only on the pre-filled rows (a
    continued model's identity), the rows below staying open for new models.
    """
    book = excel.new_book()
    excel.default_font(book)
    ws = book.create_sheet(form.sheet)
    ncols = len(form.columns)
    row = excel.official_header(ws, ncols, [settings.party_org or settings.committee, unit.name], settings.place, settings.year)
    excel.merged_text(ws, row, ncols - 2, ncols, f"{form.sheet}", excel.ITALIC)
    lines = [(title, excel.TITLE_FONT)]
    if subtitle:
        lines.append((subtitle, excel.ITALIC))
    lines.append((f"Đơn vị: {unit.name} (mã đơn vị: {unit.code})", excel.BOLD))
    excel.title_block(ws, row + 1, ncols, lines)

    excel.set_widths(ws, form.columns)
    excel.header_row(ws, HEADER_ROW, form.columns)
    first, last = HEADER_ROW + 1, HEADER_ROW + max(INPUT_ROWS, len(prefilled) + 5)
    locked_positions = {form.position(k) for k in locked_keys}
    prefilled_positions = locked_positions | {form.position(k) for k in prefilled_locked_keys}
    for r in range(first, last + 1):
        values = prefilled[r - first] if r - first < len(prefilled) else [None] * ncols
        locked = prefilled_positions if r - first < len(prefilled) else locked_positions
        for c, column in enumerate(form.columns):
            cell = ws.cell(r, c + 1)
            value = values[c] if c < len(values) else None
            if column.key == "stt" and value is None and r - first < len(prefilled):
                value = r - first + 1
            excel.set_text_safe(cell, value)
            cell.font, cell.alignment, cell.border = excel.CELL_FONT, excel.WRAP, excel.BOX
            if column.excel_format:
                cell.number_format = column.excel_format
            if c not in locked and column.key != "stt":
                cell.protection = excel.UNLOCKED
                cell.fill = excel.INPUT_FILL
        ws.cell(r, 1).protection = excel.UNLOCKED  # STT is the unit's to number

    lists_ws = book.create_sheet(LISTS_SHEET_IN_TEMPLATE)
    names = {}
    for i, key in enumerate(LIST_HEADERS, start=1):
        names[key] = excel.define_list(book, lists_ws, f"ds_{key}", i, lists.get(key, []))
    lists_ws.sheet_state = "hidden"
    for c, column in enumerate(form.columns):
        letter = excel_column(c)
        cells = f"{letter}{first}:{letter}{last}"
        if column.choices:
            excel.list_validation(ws, cells, names[column.choices], column.header, lists.get(column.choices, []))
        elif column.type == "date":
            excel.date_validation(ws, cells, column.header, column.hint)
        elif column.key == "start_year":
            excel.whole_number_validation(ws, cells, column.header, 1990, settings.year, column.hint)

    on_behalf, signer_title = SIGNERS.get(text.fold(unit.unit_type), ("THỦ TRƯỞNG ĐƠN VỊ", ""))
    excel.signature_block(ws, last + 2, ncols, on_behalf, signer_title, "", unlocked_name=True)
    ws.freeze_panes = ws.cell(HEADER_ROW + 1, 3)
    excel.page_setup(ws, title_rows=f"{HEADER_ROW}:{HEADER_ROW}", footer=f"{form.id} — {unit.code}")
    ws.print_area = f"A1:{excel_column(ncols - 1)}{last + 9}"
    excel.protect(ws)

    meta_ws = book.create_sheet(METADATA_SHEET)
    meta = {**metadata(form, unit, settings, meta_extra), FRAME_TEXTS_KEY: frame_texts(ws, first, last)}
    for r, (key, value) in enumerate(meta.items(), start=1):
        meta_ws.cell(r, 1, key)
        excel.set_text_safe(meta_ws.cell(r, 2), value)
    meta_ws.sheet_state = "veryHidden"
    meta_ws.protection.sheet = True
    book.active = 0
    return excel.save_book(book, path)


def frame_texts(ws: Any, first: int, last: int) -> str:
    """Every text the template itself wrote around the input rows (header lines, signature block),
    one per line: the reader tells them from what a unit typed outside the table."""
    texts = {str(cell.value) for row in ws.iter_rows() for cell in row
             if isinstance(cell.value, str) and cell.value.strip() and not first <= cell.row <= last}
    return "\n".join(sorted(texts))


@dataclass
class TemplatesResult:
    paths: list[Path]
    form: Form


def write_templates(master_path: str | Path, out_dir: str | Path, units: Sequence[str] = (), form: str = "pl01",
                    period: Period | str | None = None, progress: Progress = no_progress) -> TemplatesResult:
    """Write a form for each unit of the master's DonVi (or only ``units``).

    ``form`` is ``pl01`` (registration) or ``pl03`` (results of ``period``: ``6-thang`` or ``nam``;
    each unit gets its active registered models pre-filled, their ID and name locked).
    ``progress`` (done, total, label) hears of each form written.
    """
    chosen = UNIT_FORMS.get(form.upper())
    if chosen is None:
        raise DvkError(f"Không có biểu mẫu “{form}”; chọn một trong: {', '.join(f.lower() for f in UNIT_FORMS)}")
    period = Period.parse(period)
    if chosen is PL03 and period is None:
        raise DvkError(f"Mẫu Phụ lục 03 cần kỳ báo cáo: --period {' hoặc --period '.join(Period)}")
    wb = open_master(master_path)
    settings, lists, unit_frame = load_settings(wb), load_lists(wb), load_units(wb)
    if unit_frame.empty:
        raise DvkError(f"{wb.label}, sheet “Đơn vị”: chưa có đơn vị nào; nhập danh sách đơn vị trước khi tạo mẫu")
    models = registered_models(wb) if chosen is PL03 else {}
    previous = previous_by_unit(wb, unit_frame) if chosen is PL01 else {}
    wanted = {text.fold(u) for u in units}
    out = Path(out_dir)
    plan = f"(Kèm theo Kế hoạch số {settings.plan_number} của {settings.committee})" if settings.plan_number else ""
    chosen_units = [UnitInfo(row["unit_code"], row["unit_name"], text.clean(row["unit_type"]))
                    for _, row in unit_frame.iterrows()]
    # a unit with no registered model has nothing to report on: no Phụ lục 03 for it
    chosen_units = [u for u in chosen_units if (not wanted or text.fold(u.code) in wanted)
                    and (chosen is PL01 or models.get(text.fold(u.code)))]
    paths = []
    for unit in chosen_units:
        if chosen is PL01:
            carried = previous.get(text.fold(unit.code), [])
            path = write_unit_template(PL01, unit, settings, lists, out / template_file_name(PL01, unit),
                                       PL01.title.format(year=settings.year), plan,
                                       prefilled=[continued_row(m) for m in carried], locked_keys=("first_id",),
                                       prefilled_locked_keys=CONTINUED_LOCKED,
                                       meta_extra={"prefilled": len(carried)} if carried else None)
        else:
            rows = [[None, model_id, name] for model_id, name in models[text.fold(unit.code)]]
            path = write_unit_template(
                PL03, unit, settings, lists, out / template_file_name(PL03, unit, text.file_slug(period.label)),
                results_title(settings.year, period), plan, prefilled=rows, locked_keys=("model_id", "name"),
                meta_extra={"period": period.value, "period_label": period.label})
        paths.append(path)
        progress(len(paths), len(chosen_units), f"Đang tạo mẫu {len(paths)}/{len(chosen_units)}: {path.name}")
    if wanted and not paths and chosen is PL01:
        raise DvkError(f"Không có đơn vị nào mang mã {', '.join(units)} trong sheet “Đơn vị” của {wb.label}")
    if not paths and chosen is PL03:
        raise DvkError(f"Sổ {wb.label}, sheet “{REGISTER.sheet}”: chưa có mô hình nào đang thực hiện"
                       f"{' của ' + ', '.join(units) if units else ''}; tổng hợp đăng ký (dvk consolidate) trước khi tạo mẫu Phụ lục 03")
    return TemplatesResult(paths=paths, form=chosen)


# What a pre-filled continued model keeps as it is: its identity. Goals, dates, people stay the unit's to edit.
CONTINUED_LOCKED = ("name", "field", "subject", "carried_by", "start_year", "first_id")


def continued_row(model: dict[str, Any]) -> list[Any]:
    """A Phụ lục 01 row for a model the unit ran last year (a ``MoHinhNamTruoc`` row), as “Duy trì”."""
    values = {**model, "kind": ModelKind.CONTINUED.value, "launch_date": None, "note": None, "stt": None}
    return [None if _blank(values.get(key)) else values.get(key) for key in PL01.keys]


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, float) and value != value) or (isinstance(value, str) and not value.strip())


def results_title(year: int, period: Period | str) -> str:
    """"… 6 THÁNG ĐẦU NĂM 2026" or "… NĂM 2026"."""
    return PL03.title.format(period="6 THÁNG ĐẦU" if period == Period.HALF_YEAR else "", year=year).replace("  ", " ")


def registered_models(wb: Workbook) -> dict[str, list[tuple[str, str]]]:
    """Active models of the register by folded unit code: [(model ID, name)], in register order."""
    from ..master.reconcile import read_register

    models: dict[str, list[tuple[str, str]]] = {}
    for row in read_register(wb).counted():  # the rows compliance and Phụ lục 02 count
        model_id = text.clean(row["model_id"])
        if model_id:  # a row typed without an ID gets one at the next consolidation
            models.setdefault(text.fold(row["unit_code"]), []).append((model_id, text.clean(row["name"])))
    return models
