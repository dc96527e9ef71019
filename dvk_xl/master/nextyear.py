"""``dvk init DIR --from LAST_YEAR_MASTER``: next year's master from this year's.

What stays from year to year is carried over (units with their e-mails, minimums and old codes, the
dropdown lists, quota rules, criteria, the committee's settings); deadlines are moved to the new
year (a day that does not exist there is left empty with the reason in its note, never shifted);
what belongs to one year starts empty (register, results, evaluations, intake log, submissions).
Last year's active models go into ``MoHinhNamTruoc``, from which this year's Phụ lục 01 are
pre-filled. The previous master is only read.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from ..core import text
from ..core.dates import as_date, build_date, format_date
from ..core.errors import DateError, DvkError
from ..spec.forms import (
    CRITERIA,
    DEADLINES,
    EVAL_NOT_RECOGNISED,
    EVALUATION,
    GUIDE_SHEET,
    LISTS,
    MASTER_TABLES,
    PREVIOUS_MODELS,
    QUOTAS,
    SETTING_ROWS,
    SETTINGS,
    UNITS,
)
from ..workbook import excel
from ..workbook.table_sheet import add_table_sheet
from .book import (
    MASTER_FILE_NAME,
    guide_text,
    load_lists,
    load_settings,
    load_units,
    open_master,
    read_form_table,
    table_records,
    where,
)
from .previous import read_previous_models
from .reconcile import read_register

# Settings of one year's plan: not carried (a report citing last year's plan would be wrong).
PLAN_SETTINGS = ("plan_number", "plan_date")


@dataclass
class InitFromResult:
    """What ``init_from`` wrote and carried, for the summary staff read."""

    path: Path
    previous: Path
    previous_year: int
    year: int
    units: int = 0
    emails: int = 0
    list_values: int = 0
    quotas: int = 0
    criteria: int = 0
    settings: list[str] = field(default_factory=list)  # labels of the settings carried with a value
    deadlines_moved: int = 0
    models: int = 0
    model_units: int = 0
    notices: list[str] = field(default_factory=list)  # deadlines left empty and why (printed, as init does)
    checks: list[str] = field(default_factory=list)  # what staff should check before sending the forms

    def lines(self) -> list[str]:
        """The summary in Vietnamese, one line each."""
        lines = [
            f"Đã tạo sổ tổng hợp năm {self.year}: {self.path}",
            f"  Mang sang từ sổ năm {self.previous_year} ({self.previous.name}, không thay đổi sổ này):",
            f"  - {self.units} đơn vị ({self.emails} đơn vị có email; số mô hình tối thiểu, mã cũ giữ nguyên)",
            f"  - danh mục ({self.list_values} giá trị), {self.quotas} chỉ tiêu, {self.criteria} tiêu chí",
            f"  - cấu hình: {', '.join(self.settings) if self.settings else '(trống)'}",
            f"  - {self.deadlines_moved} hạn ở sheet “{DEADLINES.sheet}” dời sang năm {self.year}",
            f"  - {self.models} mô hình đang thực hiện năm {self.previous_year} của {self.model_units} đơn vị vào sheet "
            f"“{PREVIOUS_MODELS.sheet}” (mẫu Phụ lục 01 sẽ điền sẵn là “Duy trì”)",
            "  Để trống cho năm mới: sổ đăng ký, kết quả, thẩm định, tiếp nhận, tình hình nộp.",
        ]
        lines += [f"  Lưu ý: {notice}" for notice in self.notices]
        lines += ["  Cần kiểm tra trước khi gửi mẫu cho đơn vị:"] + [f"  - {check}" for check in self.checks]
        return lines


def move_to_year(day: date, years: int) -> tuple[date | None, str]:
    """The same day and month ``years`` later, or (None, why) when that day does not exist then."""
    shown = f"{day.day:02d}/{day.month:02d}/{day.year + years}"
    try:
        return build_date(day.day, day.month, day.year + years, shown), ""
    except DateError as exc:
        return None, exc.message


def init_from(directory: str | Path, previous: str | Path, year: int | None = None,
              overwrite: bool = False) -> InitFromResult:
    """Create next year's master in ``directory`` from the ``previous`` year's master (read only)."""
    previous = Path(previous)
    if not previous.is_file():
        raise DvkError(f"Không tìm thấy sổ tổng hợp năm trước {previous}")
    wb = open_master(previous)
    settings = load_settings(wb)
    year = settings.year + 1 if year is None else year
    if not settings.year < year <= 2100:
        raise DvkError(f"Năm {year} không hợp lệ: năm mới phải sau năm {settings.year} của sổ {wb.label} "
                       f"(sheet “{SETTINGS.sheet}”); bỏ --year để lấy năm {settings.year + 1}")
    path = Path(directory) / MASTER_FILE_NAME.format(year=year)
    if path.resolve() == previous.resolve():
        raise DvkError(f"Sổ mới {path} trùng tệp sổ năm trước; chọn thư mục khác")
    if path.exists() and not overwrite:
        raise DvkError(f"Đã có sổ tổng hợp {path}; chọn thư mục khác hoặc thêm --force nếu muốn tạo lại")
    result = InitFromResult(path=path, previous=previous, previous_year=settings.year, year=year)

    units = load_units(wb)
    lists = load_lists(wb)
    unit_rows = [[_value(row.get(k)) for k in UNITS.keys] for row in units.to_dict("records")]
    result.units = len(unit_rows)
    result.emails = sum(1 for row in units.to_dict("records") if text.clean(row.get("email")))
    list_rows = _filled_rows(wb, LISTS)
    result.list_values = sum(1 for row in list_rows for v in row if text.clean(v))
    quota_rows = _filled_rows(wb, QUOTAS)
    criteria_rows = _filled_rows(wb, CRITERIA)
    result.quotas, result.criteria = len(quota_rows), len(criteria_rows)
    setting_rows = _settings_rows(wb, year, result)
    deadline_rows = _deadline_rows(wb, settings.year, year, result)
    model_rows = _previous_models(wb, units, lists, settings.year, year - settings.year)
    result.models = len(model_rows)
    result.model_units = len({text.fold(r[PREVIOUS_MODELS.position("unit_code")]) for r in model_rows})
    _checks(result, settings, quota_rows)
    not_recognised = [r for r in model_rows
                      if text.fold(r[PREVIOUS_MODELS.position("result")]) == text.fold(EVAL_NOT_RECOGNISED)]
    if not_recognised:
        named = ", ".join(f"{r[PREVIOUS_MODELS.position('model_id')]} “{r[PREVIOUS_MODELS.position('name')]}”"
                          for r in not_recognised[:5])
        more = f" và {len(not_recognised) - 5} mô hình khác" if len(not_recognised) > 5 else ""
        result.checks.append(f"Mô hình năm {settings.year} không được công nhận: {named}{more}; xóa dòng ở sheet "
                             f"“{PREVIOUS_MODELS.sheet}” nếu không đề nghị đơn vị duy trì")

    book = excel.new_book()
    excel.default_font(book)
    guide = book.create_sheet(GUIDE_SHEET)
    excel.write_guide(guide, f"SỔ TỔNG HỢP PHONG TRÀO THI ĐUA “DÂN VẬN KHÉO” NĂM {year}",
                      [*guide_text(year), "", *_guide_previous(result)])
    contents = {SETTINGS.table: setting_rows, UNITS.table: unit_rows, LISTS.table: list_rows,
                QUOTAS.table: quota_rows, DEADLINES.table: deadline_rows, CRITERIA.table: criteria_rows}
    for form in MASTER_TABLES:
        add_table_sheet(book, form, contents.get(form.table, []))
    add_table_sheet(book, PREVIOUS_MODELS, model_rows)
    excel.save_book(book, path)
    return result


def _value(value: Any) -> Any:
    """A cell value as read (NaN and blank text become empty cells)."""
    if value is None or (isinstance(value, float) and value != value):
        return None
    return value


def _filled_rows(wb: Any, form: Any) -> list[list[Any]]:
    """A table's rows under the form's columns, blank rows left out."""
    rows = [[_value(v) for v in row] for row in read_form_table(wb, form)[form.keys].itertuples(index=False, name=None)]
    return [row for row in rows if any(text.clean(v) for v in row)]


def _settings_rows(wb: Any, year: int, result: InitFromResult) -> list[list[Any]]:
    """CauHinh as staff left it (rows they added too), with the new year and without last year's plan."""
    frame = wb.read_table(SETTINGS.table)
    label_header, value_header = SETTINGS.header_of("label"), SETTINGS.header_of("value")
    by_label = {text.fold(s.label): s for s in SETTING_ROWS}
    rows = []
    for label, value in zip(frame[label_header], frame[value_header], strict=True):
        if not text.clean(label):
            continue
        setting = by_label.get(text.fold(label))
        value = _value(value)
        if setting is not None and setting.key == "year":
            value = year
        elif setting is not None and setting.key in PLAN_SETTINGS:
            value = None
        elif text.clean(value):
            result.settings.append(text.clean(label).split(" (")[0])
        rows.append([text.clean(label), value])
    present = {text.fold(r[0]) for r in rows}
    rows += [[s.label, year if s.key == "year" else None] for s in SETTING_ROWS if text.fold(s.label) not in present]
    return rows


def _deadline_rows(wb: Any, previous_year: int, year: int, result: InitFromResult) -> list[list[Any]]:
    """TienDo moved to the new year; “Ngày hoàn thành” emptied (nothing of the new year is done yet)."""
    frame = read_form_table(wb, DEADLINES)
    rows = []
    for position, record in enumerate(frame.to_dict("records")):
        if not any(text.clean(v) for v in record.values()):
            continue
        step, description = text.clean(record.get("step")), text.clean(record.get("description"))
        note, due, raw = text.clean(record.get("note")), None, record.get("due")
        note = f"Năm {previous_year}: {note}" if note and not note.startswith("Năm ") else note  # last plan's words
        day = as_date(raw)
        if day is not None:
            due, why = move_to_year(day, year - previous_year)  # a deadline early in the next year stays so
            if due is None:
                note = (f"Hạn năm {previous_year} là {format_date(day)}: {why}. Cần xác nhận lại hạn năm {year} "
                        "với cấp ủy rồi nhập vào ô “Hạn”.")
                result.notices.append(f"Tiến độ “{description or step}”: {note}")
            else:
                result.deadlines_moved += 1
        elif text.clean(raw):
            result.notices.append(f"Tiến độ “{description or step}”: hạn “{text.clean(raw)}” ở "
                                  f"{where(wb, frame, position, DEADLINES, 'due')} không đọc được nên để trống; "
                                  f"nhập hạn năm {year} theo kế hoạch")
        else:
            result.notices.append(f"Tiến độ “{description or step}”: năm {previous_year} chưa có hạn nên để trống; "
                                  f"nhập hạn năm {year} theo kế hoạch")
        rows.append([step, description, due, _value(record.get("responsible")), _value(record.get("form")),
                     note or None, None])
    return rows


def _previous_models(wb: Any, units: Any, lists: dict[str, list[str]], previous_year: int,
                     years: int) -> list[list[Any]]:
    """Last year's active models (not withdrawn, of a unit still listed) as MoHinhNamTruoc rows."""
    verdicts = {text.fold(r.get("model_id")): text.clean(r.get("result")) for r in table_records(wb, EVALUATION)}
    # A master itself made --from knows its own previous year: a continued model the unit typed again by
    # hand (no first ID in its row) still finds its first registration there, by unit and name.
    lineage = {(text.fold(r["unit_code"]), text.similarity_key(r.get("name"))): r["first_id"]
               for r in read_previous_models(wb, units) if not r["_orphan"]}
    rows = []
    for model in read_register(wb, units, lists, previous_year).counted():
        model_id = text.clean(model.get("model_id"))
        inherited = lineage.get((text.fold(model.get("unit_code")), text.similarity_key(model.get("name"))))
        moved = {}
        for key in ("date_from", "date_to"):
            day = as_date(model.get(key))
            moved[key] = move_to_year(day, years)[0] if day else None
        values = {
            **{k: _value(model.get(k)) for k in PREVIOUS_MODELS.keys},
            "year": previous_year,
            "model_id": model_id,
            "first_id": text.clean(model.get("first_id")) or inherited or model_id,
            "result": verdicts.get(text.fold(model_id)) or None,
            **moved,
        }
        rows.append([values.get(k) for k in PREVIOUS_MODELS.keys])
    return rows


def _checks(result: InitFromResult, settings: Any, quota_rows: list[list[Any]]) -> None:
    plan = settings.plan_number or "(trống)"
    when = f", ngày {format_date(settings.plan_date)}" if settings.plan_date else ""
    result.checks.append(f"Số và ngày kế hoạch: kế hoạch năm {result.previous_year} (số {plan}{when}) không mang sang; "
                         f"nhập số, ngày Kế hoạch năm {result.year} ở sheet “{SETTINGS.sheet}”")
    sources = Counter(text.clean(r[QUOTAS.position("source")]) for r in quota_rows if text.clean(r[QUOTAS.position("source")]))
    cited = f" (căn cứ: {', '.join(sources)})" if sources else ""
    result.checks.append(f"Chỉ tiêu: {result.quotas} chỉ tiêu của năm {result.previous_year}{cited}; sửa mức tối thiểu, "
                         f"căn cứ theo kế hoạch năm {result.year} ở sheet “{QUOTAS.sheet}”")
    result.checks.append(f"Tiến độ: các hạn đã dời sang năm {result.year} cùng ngày, tháng; sửa theo kế hoạch năm "
                         f"{result.year} ở sheet “{DEADLINES.sheet}”")
    result.checks.append(f"Đơn vị: thêm đơn vị mới, xóa đơn vị không còn, cập nhật email ở sheet “{UNITS.sheet}”; "
                         f"xóa ở sheet “{PREVIOUS_MODELS.sheet}” mô hình không đề nghị đơn vị duy trì")


def _guide_previous(result: InitFromResult) -> list[str]:
    return [
        f"Sổ này được tạo từ sổ năm {result.previous_year} ({result.previous.name}): đơn vị, danh mục, chỉ tiêu, "
        "tiêu chí và cấu hình được mang sang; hạn ở sheet “Tiến độ” dời sang năm "
        f"{result.year}. Nhập số, ngày kế hoạch năm {result.year} và xem lại chỉ tiêu trước khi gửi mẫu.",
        f"Sheet “{PREVIOUS_MODELS.sheet}” giữ các mô hình đang thực hiện năm {result.previous_year}: mẫu Phụ lục 01 "
        "của mỗi đơn vị điền sẵn các mô hình này là “Duy trì” (cột “Mã đăng ký lần đầu” nối mô hình qua các năm); "
        "đơn vị giữ nguyên, sửa mục tiêu, thời gian, hoặc xóa dòng, rồi thêm mô hình mới ở các dòng dưới.",
    ]


__all__ = ["InitFromResult", "init_from", "move_to_year"]
