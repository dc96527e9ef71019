"""The master workbook: create it (``dvk init``) and read its tables as typed, checked data."""

from __future__ import annotations

import csv
import os
import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..core import text
from ..core.dates import format_date, parse_date
from ..core.errors import DateError, DvkError
from ..core.numbers_vi import problem_message, read_count
from ..spec.forms import (
    CRITERIA,
    DEADLINES,
    DEFAULT_LISTS,
    EVALUATION,
    GUIDE_SHEET,
    LIST_HEADERS,
    LISTS,
    MASTER_TABLES,
    OPTIONAL_TABLES,
    QUOTAS,
    SETTING_ROWS,
    SETTINGS,
    UNITS,
    Form,
    excel_column,
)
from ..spec.presets import CRITERIA as PLAN_CRITERIA
from ..spec.presets import Preset, get_preset
from ..workbook.api import Workbook, cell_ref, sheet_row
from ..workbook.table_sheet import TABLE_HEADER_ROW, TABLE_HINTS, add_table_sheet  # noqa: F401 - master's names

if TYPE_CHECKING:
    import pandas as pd

MASTER_FILE_NAME = "SoTongHop_DVK_{year}.xlsx"


@dataclass
class Settings:
    """The campaign's settings (CauHinh), typed."""

    year: int
    committee: str
    party_org: str = ""
    parent_body: str = ""
    higher_committee: str = ""
    higher_email: str = ""
    committee_code: str = ""
    plan_number: str = ""
    plan_date: date | None = None
    place: str = ""
    signer_on_behalf: str = ""
    signer_title: str = ""
    signer_name: str = ""
    recipients: str = ""
    contact: str = ""
    mail_via: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    places: dict[str, str] = field(default_factory=dict)  # setting key -> "file, sheet “…”, ô C7"

    @property
    def recipient_list(self) -> list[str]:
        return [r.strip() for r in self.recipients.replace("\n", ";").split(";") if r.strip()]


# --- reading -------------------------------------------------------------------------------


def read_form_table(wb: Workbook, form: Form) -> pd.DataFrame:
    """A master table with the form's keys as columns (cell addresses stay in ``attrs``)."""
    frame = wb.read_table(form.table)
    missing = [c for c in form.columns if c.header not in frame.columns]
    sheet = frame.attrs.get("sheet", form.sheet)
    others = [h for h in frame.columns if h not in form.headers]
    for column in missing:
        # A header retyped by hand ("Ten don vi"): its data would be silently ignored, so stop and name the cell.
        retyped = next((h for h in others if _loose(h) == _loose(column.header)), None)
        if retyped is not None:
            cell = f"{excel_column(frame.attrs.get('first_column', 0) + list(frame.columns).index(retyped))}" \
                   f"{frame.attrs.get('header_row', 1)}"
            raise DvkError(f"{wb.label}, sheet “{sheet}”, ô {cell}: tiêu đề cột “{retyped}” của bảng “{form.table}” "
                           f"phải là “{column.header}”; sửa lại đúng tên cột như khi công cụ tạo sổ")
        if column.required:
            raise DvkError(f"{wb.label}, sheet “{sheet}”: bảng “{form.table}” thiếu cột “{column.header}”; "
                           "khôi phục tên cột đúng như khi công cụ tạo sổ")
    for column in missing:  # a column added by a newer version of the tool: empty until written
        frame[column.header] = None
    attrs = dict(frame.attrs)
    headers = list(frame.columns)
    keyed = frame[form.headers].rename(columns=form.by_header())
    keyed.attrs.update(attrs, columns=headers)
    return keyed


# Tables the tool adds when it first needs them (``ensure_table``): absent means simply empty. Every other
# table is made by ``dvk init``; its absence is an error naming its sheet (``read_table`` raises it).
ON_DEMAND_TABLES = frozenset({EVALUATION.table})
# Tables the tool adds on demand or that a master may simply not have (OPTIONAL_TABLES): absent reads as empty.
ABSENT_IS_EMPTY = ON_DEMAND_TABLES | {form.table for form in OPTIONAL_TABLES}


def table_records(wb: Workbook, form: Form) -> list[dict[str, Any]]:
    """A master table's rows as {column key: value}."""
    if form.table in ABSENT_IS_EMPTY and form.table not in wb.table_names():
        return []
    return records(read_form_table(wb, form))


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """``frame.to_dict("records")``, several times faster: one conversion of the whole grid to Python values
    (ints, floats, Timestamps, text as to_dict gives them) instead of boxing each value."""
    columns = list(frame.columns)
    return [dict(zip(columns, row, strict=True)) for row in frame.to_numpy(dtype=object).tolist()]


def _loose(header: str) -> str:
    """A header compared without case, accents, spaces or punctuation."""
    return "".join(ch for ch in text.unaccent(text.fold(header)).lower() if ch.isalnum())


def where(wb: Workbook, frame: pd.DataFrame, row_position: int, form: Form, key: str) -> str:
    """"file, sheet “…”, ô C7" for a value of a table read with ``read_form_table``."""
    header = form.header_of(key)
    column = frame.attrs.get("first_column", 0) + frame.attrs["columns"].index(header)
    cell = f"{excel_column(column)}{sheet_row(frame, row_position)}"
    return f"{wb.label}, sheet “{frame.attrs.get('sheet', form.sheet)}”, ô {cell}"


def checked_date(value: Any, place: str) -> date | None:
    try:
        return parse_date(value)
    except DateError as exc:
        raise DateError(f"{place}: {exc.message}") from None


def load_settings(wb: Workbook) -> Settings:
    frame = wb.read_table(SETTINGS.table)
    label_header, value_header = SETTINGS.header_of("label"), SETTINGS.header_of("value")
    by_label = {text.fold(row[label_header]): (i, row[value_header]) for i, row in frame.iterrows()}
    values: dict[str, Any] = {}
    places: dict[str, str] = {}
    for setting in SETTING_ROWS:
        position, value = by_label.get(text.fold(setting.label), (None, None))
        place = (f"{wb.label}, sheet “{frame.attrs.get('sheet')}”, ô {cell_ref(frame, position, value_header)}"
                 if position is not None else f"{wb.label}, sheet “{SETTINGS.sheet}”")
        places[setting.key] = place
        if setting.type == "date":
            value = checked_date(value, place)
        elif setting.key == "year" and value not in (None, ""):
            value = _campaign_year(value, place, setting.label)
        elif setting.type == "int":
            reading = read_count(value)
            if not reading.ok:
                raise DvkError(f"{place}: {problem_message(reading, setting.label, '2026')[1]}")
            value = reading.value
        else:
            value = text.clean(value)
        if setting.required and value in (None, ""):
            raise DvkError(f"{place}: chưa nhập “{setting.label}”; nhập giá trị vào cột “{value_header}”")
        values[setting.key] = value
    return Settings(**values, places=places)


def _campaign_year(value: Any, place: str, label: str) -> int:
    """The campaign year: a four-digit whole number from 2000 to 2100 ("2.026" is not read as 2)."""
    year = whole_year(value)
    if year is None or not 2000 <= year <= 2100:
        raise DvkError(f"{place}: “{label}” là “{text.clean(value)}”, không phải năm hợp lệ; nhập năm 4 chữ số "
                       "từ 2000 đến 2100, ví dụ 2026")
    return year


def load_lists(wb: Workbook) -> dict[str, list[str]]:
    frame = read_form_table(wb, LISTS)
    lists = {}
    for key in LIST_HEADERS:
        values = [text.clean(v) for v in frame[key] if text.clean(v)]
        lists[key] = values or list(DEFAULT_LISTS[key])
    return lists


def load_units(wb: Workbook) -> pd.DataFrame:
    """The units, checked: codes present and unique, minimums whole numbers."""
    import pandas as pd

    frame = read_form_table(wb, UNITS)
    seen: dict[str, int] = {}
    # Plain lists, put back as whole columns: setting cells one by one (``frame.at``) is slow at city size.
    codes, names, minimums = list(frame["unit_code"]), list(frame["unit_name"]), list(frame["min_models"])
    for i, (typed_code, typed_name, typed_minimum) in enumerate(zip(list(codes), list(names), list(minimums), strict=True)):
        code = text.clean(typed_code)
        if not code:
            if text.clean(typed_name):
                raise DvkError(f"{where(wb, frame, i, UNITS, 'unit_code')}: đơn vị “{text.clean(typed_name)}” chưa có mã; nhập mã đơn vị")
            continue
        key = _code_key(code)  # "CB 01" and "CB01" are one code
        if key in seen:
            raise DvkError(f"{where(wb, frame, i, UNITS, 'unit_code')}: mã đơn vị “{code}” bị trùng; mỗi đơn vị một mã riêng")
        seen[key] = i
        codes[i], names[i] = code, text.clean(typed_name)
        minimums[i] = _whole_number(typed_minimum, where(wb, frame, i, UNITS, "min_models"))
    for key, column in (("unit_code", codes), ("unit_name", names), ("min_models", minimums)):
        frame[key] = pd.Series(column, index=frame.index, dtype=object)
    # A list mask, not ``frame[series]``: an empty object Series would select columns and drop them all.
    keep = [bool(text.clean(v)) for v in frame["unit_code"]]
    return frame.loc[keep].reset_index(drop=True)


def _code_key(code: str) -> str:
    return code_key(code)


def code_key(value: object) -> str:
    """A unit code as staff may retype it: "CB 01", "cb01" and "CB01" are the same code."""
    return _code_key_of(text.fold(value))


@lru_cache(maxsize=1 << 16)
def _code_key_of(folded: str) -> str:
    return re.sub(r"\s+", "", text.unaccent(folded).lower())


def whole_year(value: Any) -> int | None:
    """A year typed in a cell: 2026, 2026.0 or "2026"; None when it is not a four-digit whole number."""
    number = read_count(value).value  # whole numbers are read in one place: numbers_vi
    if isinstance(value, str) and not text.clean(value).isdecimal():
        return None  # "2.026" is a count with a thousands dot, never how a year is written
    return number if isinstance(number, int) and 1000 <= number <= 9999 else None


def _whole_number(value: Any, place: str) -> int | None:
    """A whole number staff typed (numbers_vi rules), or a DvkError naming the cell."""
    reading = read_count(value)
    if not reading.ok:
        raise DvkError(f"{place}: {problem_message(reading, UNITS.header_of('min_models'), '1')[1]}")
    return reading.value


def load_deadlines(wb: Workbook) -> pd.DataFrame:
    """TienDo with ``due`` as dates; a date that does not exist stops here, naming its cell."""
    frame = read_form_table(wb, DEADLINES)
    frame["due"] = [checked_date(v, where(wb, frame, i, DEADLINES, "due")) for i, v in enumerate(frame["due"])]
    return frame


def deadline_of(deadlines: pd.DataFrame, step: str) -> date | None:
    """The due date of the first TienDo row of ``step`` (a plain scan: a handful of rows, asked per submission)."""
    return next((due for typed, due in zip(deadlines["step"], deadlines["due"], strict=True)
                 if text.clean(typed) == step), None)


# --- creating ------------------------------------------------------------------------------


def read_units_file(path: str | Path) -> list[dict[str, Any]]:
    """Units from a CSV (UTF-8, ``,`` or ``;``) or an xlsx with the DonVi headers."""
    path = Path(path)
    if not path.exists():
        raise DvkError(f"Không tìm thấy tệp danh sách đơn vị {path}")
    if path.suffix.lower() == ".csv":
        raw = path.read_text(encoding="utf-8-sig")
        dialect = csv.Sniffer().sniff(raw.splitlines()[0] if raw else ",", delimiters=",;\t")
        rows = list(csv.reader(raw.splitlines(), dialect))
        sheet_label = ""
    else:
        from python_calamine import CalamineWorkbook

        try:
            book = CalamineWorkbook.from_path(str(path))
            sheet = book.get_sheet_by_index(0)
            rows = [[("" if v is None else v) for v in r] for r in sheet.to_python()]
            sheet_label = f", sheet “{sheet.name}”"
        except Exception as exc:
            raise DvkError(f"Không đọc được tệp danh sách đơn vị {path.name}: {exc.__class__.__name__}") from exc
    if not rows:
        raise DvkError(f"Tệp danh sách đơn vị {path.name} trống; dòng đầu phải là tiêu đề: {', '.join(UNITS.headers)}")
    header = [text.clean(h) for h in rows[0]]
    folded = [text.fold(h) for h in header]
    positions = {}
    for column in UNITS.columns:
        key = text.fold(column.header)
        if key in folded:
            positions[column.key] = folded.index(key)
        elif column.required:
            raise DvkError(
                f"{path.name}{sheet_label}, dòng 1: thiếu cột “{column.header}”; dòng tiêu đề cần có: {', '.join(UNITS.headers)}"
            )
    units, seen = [], {}
    for number, row in enumerate(rows[1:], start=2):
        unit = {key: text.clean(row[pos]) if pos < len(row) else "" for key, pos in positions.items()}
        if not any(unit.values()):
            continue
        code_cell = f"{excel_column(positions['unit_code'])}{number}"
        if not unit["unit_code"]:
            raise DvkError(f"{path.name}{sheet_label}, ô {code_cell}: đơn vị “{unit['unit_name']}” chưa có mã; nhập mã đơn vị")
        if not unit["unit_name"]:
            name_cell = f"{excel_column(positions['unit_name'])}{number}"
            raise DvkError(f"{path.name}{sheet_label}, ô {name_cell}: đơn vị mã “{unit['unit_code']}” chưa có tên")
        if text.fold(unit["unit_code"]) in seen:
            raise DvkError(
                f"{path.name}{sheet_label}, ô {code_cell}: mã đơn vị “{unit['unit_code']}” trùng với dòng "
                f"{seen[text.fold(unit['unit_code'])]}; mỗi đơn vị một mã riêng"
            )
        seen[text.fold(unit["unit_code"])] = number
        if "min_models" in unit:
            where_min = f"{path.name}{sheet_label}, ô {excel_column(positions['min_models'])}{number}"
            raw = row[positions["min_models"]] if positions["min_models"] < len(row) else None
            unit["min_models"] = _whole_number(raw, where_min)  # the cell as typed: 1 from calamine is 1.0
        units.append(unit)
    if not units:
        raise DvkError(f"Tệp danh sách đơn vị {path.name} không có đơn vị nào dưới dòng tiêu đề")
    return units


@dataclass
class InitResult:
    path: Path
    preset: Preset
    units: int
    notices: list[str]


def init_master(directory: str | Path, year: int = 2026, committee: str | None = None,
                units_file: str | Path | None = None, preset: str = "phuong",
                units: list[dict[str, Any]] | None = None, overwrite: bool = False,
                code: str | None = None) -> InitResult:
    """Create a new master workbook in ``directory`` from a preset (and a units file).

    ``code`` is “Mã cấp ủy”: the code the higher committee gives this committee in its own unit list.
    Empty by default: a code guessed here (initials, say) could be another committee's code up there
    and misdirect the reports, while an empty code makes the higher committee recognise the reports
    by the committee's name, which is safe.
    """
    chosen = get_preset(preset)
    if not 2000 <= year <= 2100:
        raise DvkError(f"Năm {year} không hợp lệ; nhập năm thi đua, ví dụ 2026")
    if units is None:
        units = read_units_file(units_file) if units_file else [dict(u) for u in chosen.units]
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / MASTER_FILE_NAME.format(year=year)
    if path.exists() and not overwrite:
        raise DvkError(f"Đã có sổ tổng hợp {path}; chọn thư mục khác hoặc xóa tệp cũ nếu muốn tạo lại")

    settings = dict(chosen.settings, year=year)
    if committee:
        settings["committee"] = committee
        settings["party_org"] = committee.replace("Đảng ủy", "Đảng bộ").replace("Đảng uỷ", "Đảng bộ")
    if code is not None:
        settings["committee_code"] = text.clean(code)
    notices: list[str] = []
    deadline_rows = []
    for d in chosen.deadlines:
        shown = d.due.replace(str(2026), str(year))
        try:
            due = parse_date(shown)
            note = d.note
        except DateError as exc:
            due = None
            note = f"Kế hoạch ghi hạn “{shown}”: {exc.message}. Cần xác nhận lại hạn với cấp ủy rồi nhập vào ô “Hạn”."
            notices.append(f"Tiến độ “{d.description}”: {note}")
        deadline_rows.append([d.step, d.description, due, d.responsible, d.form, note])

    from ..workbook import excel  # openpyxl: only creating a master needs it

    book = excel.new_book()
    excel.default_font(book)
    guide = book.create_sheet(GUIDE_SHEET)
    excel.write_guide(guide, f"SỔ TỔNG HỢP PHONG TRÀO THI ĐUA “DÂN VẬN KHÉO” NĂM {year}", guide_text(year))

    plan_date = parse_date(settings.get("plan_date")) if settings.get("plan_date") else None
    setting_rows = []
    for s in SETTING_ROWS:
        value = plan_date if s.key == "plan_date" else settings.get(s.key, "")
        setting_rows.append([s.label, value])
    unit_rows = [[u.get(c.key) for c in UNITS.columns] for u in units]
    list_rows = _columns_to_rows([DEFAULT_LISTS[k] for k in LIST_HEADERS])
    quota_rows = [[q.rule_id, q.description, q.scope, q.target, q.measure, q.parameter, q.minimum, q.source]
                  for q in chosen.quotas]
    criteria_rows = [[i, short, full, evidence] for i, (short, full, evidence) in enumerate(PLAN_CRITERIA, start=1)]
    contents = {SETTINGS.table: setting_rows, UNITS.table: unit_rows, LISTS.table: list_rows,
                QUOTAS.table: quota_rows, DEADLINES.table: deadline_rows, CRITERIA.table: criteria_rows}
    for form in MASTER_TABLES:
        add_table_sheet(book, form, contents.get(form.table, []))
    excel.save_book(book, path)
    return InitResult(path=path, preset=chosen, units=len(units), notices=notices)


def _columns_to_rows(columns: list[list[str]]) -> list[list[str | None]]:
    height = max(len(c) for c in columns)
    return [[c[i] if i < len(c) else None for c in columns] for i in range(height)]


def guide_text(year: int) -> list[str]:
    return [
        "Sổ này giữ toàn bộ dữ liệu của đợt thi đua: cấu hình, đơn vị, danh mục, chỉ tiêu, tiến độ, "
        "sổ đăng ký mô hình và sổ tiếp nhận. Mỗi vùng dữ liệu là một Bảng Excel có tên cố định; "
        "không đổi tên bảng và tên cột.",
        "",
        "1. Kiểm tra sheet “Cấu hình”: tên cấp ủy, cấp trên, số và ngày kế hoạch, địa danh, người ký, email cấp trên.",
        "2. Nhập danh sách đơn vị ở sheet “Đơn vị” (mã đơn vị không trùng, loại đơn vị chọn trong danh mục).",
        "3. Xem lại “Chỉ tiêu” và “Tiến độ” theo kế hoạch của cấp ủy.",
        "4. Tạo mẫu Phụ lục 01 cho từng đơn vị: nút “Tạo mẫu Phụ lục 01” trên thanh “Dân vận khéo”, "
        "hoặc lệnh: dvk templates <sổ tổng hợp> --out <thư mục>. Gửi mỗi đơn vị tệp mang mã của mình; "
        "nút “Gửi mẫu qua thư” (lệnh: thêm --eml) viết sẵn thư gửi từng đơn vị theo cột “Email” của sheet “Đơn vị”.",
        "5. Lưu các tệp đơn vị gửi lại vào một thư mục tiếp nhận (tên tệp đổi cũng được: công cụ nhận biết đơn vị "
        "qua thông tin ẩn trong mẫu).",
        "6. Kiểm tra và tổng hợp các tệp vào sheet “Đăng ký”: nút “Tổng hợp từ thư mục” hoặc lệnh dvk consolidate; "
        "“Tổng hợp và gửi phản hồi” viết thêm thư kèm tệp phản hồi cho đơn vị có lỗi.",
        "7. Gần đến hạn: nút “Nhắc đơn vị nộp mẫu” (lệnh: dvk remind) viết thư nhắc đơn vị còn nợ mẫu sắp đến hạn "
        "hoặc đã trễ hạn. Ô “Cách gửi thư” ở sheet “Cấu hình” chọn: để trống (Outlook nếu có), webmail hoặc eml.",
        "8. Năm sau: lệnh dvk init <thư mục> --from <sổ năm nay> tạo sổ mới mang sang đơn vị, danh mục, chỉ tiêu, "
        "tiêu chí, cấu hình và các mô hình năm nay; mẫu Phụ lục 01 năm sau điền sẵn các mô hình đó là “Duy trì”.",
        "",
        f"Đợt thi đua năm {year}. Ngày luôn viết theo thứ tự ngày/tháng/năm (03/4/{year} là ngày 3 tháng 4).",
    ]


def open_master(path: str | Path | Workbook) -> Workbook:
    """A master path opens the file; an open ``Workbook`` (the ribbon's live one) is used as it is."""
    if not isinstance(path, str | os.PathLike):
        return path
    from ..workbook.api import FileWorkbook

    return FileWorkbook(path)


def summary_line(result: InitResult) -> str:
    return f"Đã tạo sổ tổng hợp {result.path} ({result.preset.title}; {result.units} đơn vị)"


__all__ = ["Settings", "init_master", "load_settings", "load_units", "load_lists", "load_deadlines",
           "read_form_table", "read_units_file", "open_master", "format_date"]
