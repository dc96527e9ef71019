"""Validation of returned forms: one pandera pass over the rows of all files together.

Each row carries its file and Excel row, so every failure becomes a Finding naming the cell.
The schema is derived from the form's spec (forms.py): its parsers read the Vietnamese values
(list spellings, day-first dates, numbers as units type them), its column checks and its
dataframe-level checks (the cross-field rules) report what is wrong; the failure cases of the
lazy run become the findings. Warnings stay outside: pandera only emits them as Python warnings.
One pandera call per file would cost ~18 ms of fixed overhead each: far too much for 10,000 files.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from itertools import islice
from typing import TYPE_CHECKING, Any

from ..core import text
from ..core.dates import format_date, parse_date
from ..core.errors import DateError
from ..core.kinds import ModelKind
from ..core.numbers_vi import problem_message, read_amount, read_count
from ..spec.forms import (
    PL01,
    UNIT_FORMS,
    Column,
    Form,
    column_number,
)
from .pandera_lib import pandera
from .reading import ReturnedFile, name_tokens

if TYPE_CHECKING:
    import pandas as pd

    from .crossyear import PreviousYear

FIRST_YEAR = 1990  # the movement's models started in the 1990s at the earliest
DATE_WINDOW_YEARS = 5  # dates more than this before the campaign year are typing mistakes


@dataclass
class Campaign:
    """What validation needs to know from the master."""

    year: int
    units: dict[str, tuple[str, str]]  # folded code -> (code, name)
    lists: dict[str, list[str]]
    deadlines: dict[str, date | None] = field(default_factory=dict)  # submission label -> due date for units
    existing_models: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # similarity key -> [(unit, name)]
    registered: dict[str, dict[str, str]] = field(default_factory=dict)  # unit -> {model id: name}, for results
    committee: str = ""  # the committee that runs the campaign (its forms name it in their metadata)
    committee_code: str = ""
    previous: PreviousYear | None = None  # last year's models (MoHinhNamTruoc), for the checks across years


def label(column: Column) -> str:
    """The header without its parenthesised hint: “Chủ thể (Tập thể / Cá nhân)” -> “Chủ thể”."""
    return column.header.split(" (")[0]


@dataclass(frozen=True)
class CrossRule:
    """A rule between columns of one row; ``failing`` returns True where the row breaks it."""

    code: str
    cell_key: str
    failing: Callable[[pd.DataFrame, Campaign], pd.Series]
    message: Callable[[dict[str, Any], Campaign], str]
    severity: str | None = None  # None: the code's severity in the catalogue (dvk_xl/core/codes.py)


@dataclass(frozen=True, slots=True)
class Unread:
    """What a parser leaves in a cell it cannot read: the finding's code and message, said once."""

    code: str
    message: str


def _is_unread(value: Any) -> bool:
    return type(value) is Unread


def _known(frame: pd.DataFrame, key: str) -> pd.Series:
    """A parsed column with unreadable cells as None (they are reported once, as unreadable)."""
    column = frame[key]
    return column.where(~column.map(_is_unread), None)


def _year_of(frame: pd.DataFrame) -> pd.Series:
    import pandas as pd

    return pd.to_numeric(frame["start_year"], errors="coerce")  # an unreadable year becomes NaN


def _is_kind(frame: pd.DataFrame, kind: str) -> pd.Series:
    return frame["kind"] == kind


PL01_RULES = [
    CrossRule(
        "kind-year-mismatch", "start_year",
        lambda f, c: _is_kind(f, ModelKind.NEW) & _year_of(f).notna() & (_year_of(f) != c.year),
        lambda r, c: f"mô hình mới phải bắt đầu trong năm {c.year} nhưng “Năm bắt đầu” là {int(r['start_year'])}; "
                     f"sửa năm thành {c.year} hoặc chọn loại “{ModelKind.CONTINUED}”",
    ),
    CrossRule(
        "kind-year-mismatch", "start_year",
        lambda f, c: (_is_kind(f, ModelKind.CONTINUED) | _is_kind(f, ModelKind.REPLICATED)) & _year_of(f).notna()
        & (_year_of(f) >= c.year),
        lambda r, c: f"mô hình “{r['kind']}” phải bắt đầu từ trước năm {c.year} nhưng “Năm bắt đầu” là "
                     f"{int(r['start_year'])}; sửa năm hoặc chọn loại “{ModelKind.NEW}”",
    ),
    CrossRule(
        "launch-date-missing", "launch_date",
        lambda f, c: _is_kind(f, ModelKind.NEW) & f["launch_date"].isna(),
        lambda r, c: "mô hình mới phải tổ chức ra mắt: nhập “Ngày ra mắt (dự kiến)” theo dạng ngày/tháng/năm",
    ),
    CrossRule(
        "date-order", "date_to",
        lambda f, c: _date_order_broken(_known(f, "date_from"), _known(f, "date_to")),
        lambda r, c: f"“Đến ngày” {format_date(r['date_to'])} trước “Từ ngày” {format_date(r['date_from'])}; "
                     "sửa lại cho đúng thứ tự",
    ),
]

CROSS_RULES: dict[str, list[CrossRule]] = {PL01.id: PL01_RULES}
DUPLICATE_CHECK = "duplicate-model"  # one model twice in one file (Phụ lục 01 only: results name models again)


def _date_order_broken(date_from: pd.Series, date_to: pd.Series) -> pd.Series:
    return date_from.notna() & date_to.notna() & (date_to < date_from)

# Extra per-form checks that need the campaign (e.g. results must name registered models): the
# intake's handler registry (handlers.py) passes them to ``validate_files``.
FormCheck = Callable[["pd.DataFrame", list[ReturnedFile], Campaign], None]


def check_file_level(file: ReturnedFile, campaign: Campaign) -> None:
    """Unit, year and deadline checks that need the master."""
    if not file.sheet:
        return
    check_campaign_of(file, campaign)
    tokens = name_tokens(file.name)
    if file.unit_code is None:
        known = [campaign.units[t][0] for t in tokens if t in campaign.units]
        file.unit_code = known[0] if len(known) == 1 else None
    if file.unit_code is None:
        file.add("unit-unknown", "không xác định được đơn vị gửi tệp; dùng đúng mẫu được gửi (mẫu có sẵn mã đơn vị)")
        return
    entry = campaign.units.get(text.fold(file.unit_code))
    if entry is None:
        file.add("unit-unknown", f"mã đơn vị “{file.unit_code}” không có trong danh sách đơn vị của sổ tổng hợp; "
                 "kiểm tra lại mã hoặc bổ sung đơn vị vào sheet “Đơn vị”")
        return
    file.unit_code = entry[0]
    others = [campaign.units[t][0] for t in tokens if t in campaign.units and campaign.units[t][0] != entry[0]]
    if others and text.fold(entry[0]) not in tokens:
        file.add("unit-mismatch", f"tên tệp mang mã “{others[0]}” nhưng mẫu được cấp cho đơn vị “{entry[0]}”; "
                 "kiểm tra lại có gửi nhầm tệp của đơn vị khác không", severity="warning")
    due = campaign.deadlines.get(file.submission)
    if due and file.modified and file.modified.date() > due:
        file.add("late-submission", f"tệp nhận ngày {format_date(file.modified.date())}, sau hạn {format_date(due)}",
                 severity="warning")
    if not file.rows and not file.has_errors:
        file.add("form-empty", "mẫu chưa có dòng nào được điền; điền ít nhất một mô hình rồi gửi lại")


def check_campaign_of(file: ReturnedFile, campaign: Campaign) -> None:
    """A form made for another year, or (a unit form) by another committee, is refused.

    Templates name their committee in the hidden metadata (older ones only by name, newer ones also
    by “Mã cấp ủy” when the master has one); a report from below names the committee it goes to
    in another way, so only unit forms are checked for the committee.
    """
    year = read_count(file.meta.get("year")).value
    if year is not None and year != campaign.year:
        file.add("year-mismatch", f"đây là mẫu của năm {year}, không phải năm {campaign.year}; "
                 f"điền vào mẫu năm {campaign.year} được gửi kèm kế hoạch")
    if file.form_id not in UNIT_FORMS or not campaign.committee:
        return
    name, code = text.clean(file.meta.get("committee")), text.clean(file.meta.get("committee_code"))
    if code and campaign.committee_code:
        same = text.fold(code) == text.fold(campaign.committee_code)
    else:
        same = not name or text.fold(name) == text.fold(campaign.committee)
    if not same:
        file.add("committee-mismatch", f"mẫu này do “{name or code}” phát hành, không phải “{campaign.committee}”; "
                 f"có thể gửi nhầm nơi nhận: điền vào mẫu của {campaign.committee} rồi gửi lại")


def rows_frame(files: list[ReturnedFile], form: Form, only: int | None = None) -> pd.DataFrame:
    import pandas as pd

    records = []  # tuples in the columns' order: pandas reads them as it reads dicts with every key (one object array)
    keys = form.keys
    for position, file in enumerate(files):
        if only is not None and position != only:
            continue
        if file.form_id != form.id or file.has_errors and not file.rows:
            continue
        unit = file.unit_code
        for row in file.rows:
            records.append((*map(row.values.get, keys), position, row.row, unit))
    return pd.DataFrame.from_records(records, columns=[*keys, "_file", "_row", "_unit"])


def _parser(column: Column, campaign: Campaign):
    """The pandera parser of a column: clean text, canonical list spelling, day-first dates, numbers.

    Each distinct value is converted once (fields, kinds, dates repeat across thousands of rows);
    a value that cannot be read becomes an ``Unread`` that the column's ``cell-read`` check reports.
    """
    import pandas as pd

    pa = pandera()

    def parse(series: pd.Series) -> pd.Series:
        values = series.tolist()
        cache_keys = list(zip(map(type, values), values, strict=True))
        converted: dict[tuple[type, Any], Any] = {}
        for cache_key in dict.fromkeys(cache_keys):  # each distinct value once, in order
            result, problem = _convert(cache_key[1], column, campaign)
            converted[cache_key] = Unread(*problem) if problem else result
        out = list(map(converted.__getitem__, cache_keys))
        return pd.Series(out, index=series.index, dtype=object)  # 120 stays 120, empty stays None

    return pa.Parser(parse)


def _convert(value: Any, column: Column, campaign: Campaign) -> tuple[Any, tuple[str, str] | None]:
    """(the typed value, None) or (None, (code, Vietnamese message)) for one cell value."""
    if column.type == "date":
        try:
            return parse_date(value), None
        except DateError as exc:
            return None, ("date-invalid", exc.message + f" (cột “{label(column)}”)")
    if column.type in ("number", "int"):
        # What validation reads here is what the master stores: the typed value goes on to the merge.
        reading = read_amount(value) if column.type == "number" else read_count(value)
        if reading.ok:
            return reading.value, None
        example = str(campaign.year) if column.key == "start_year" else None
        return None, problem_message(reading, label(column), example)
    cleaned = text.clean(value) if not isinstance(value, float | int) else _number_text(value)
    if column.choices and cleaned:
        cleaned = text.canonical_choice(cleaned, campaign.lists.get(column.choices, [])) or cleaned
    return cleaned or None, None


def _number_text(value: float | int) -> str:
    """A phone number typed as a number keeps its digits (no “.0”); a lost leading 0 is restored."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    shown = str(value)
    return "0" + shown if len(shown) == 9 and shown[0] in "35789" else shown


def _report(files: list[ReturnedFile], frame: pd.DataFrame, index: Any, column: Column, code: str, message: str,
            severity: str | None = None) -> None:
    # The frame has a RangeIndex; nothing may go into frame.attrs, which pandas deep-copies on every operation.
    file = files[int(frame["_file"].iat[index])]
    file.add(code, message, severity=severity, cell=file.cell(column.key, int(frame["_row"].iat[index])))


def build_schema(form: Form, campaign: Campaign):
    """The pandera schema of a form, derived from its column spec.

    Each check's name says what it reports (``messages_for``); dataframe-level checks are the form's
    cross-field rules in order, then the duplicate check. Columns stay ``object``: the typed rows go
    to the merge as Python values (``date``, ``int``, ``None``), which the register's fingerprints
    are computed from; a nullable pandas dtype would turn empty cells into ``pd.NA``.
    """
    pa = pandera()

    low = date(campaign.year - DATE_WINDOW_YEARS, 1, 1)
    high = date(campaign.year + 1, 12, 31)
    columns = {}
    for column in form.columns:
        checks = []
        if column.type != "text":
            checks.append(pa.Check(_read_cells, name="cell-read"))
        if column.choices:
            checks.append(pa.Check.isin(campaign.lists.get(column.choices, []), name="value-not-in-list"))
        if column.key == "start_year":
            checks.append(pa.Check(_between(FIRST_YEAR, campaign.year), name="year-out-of-range"))
        if column.type == "date":
            checks.append(pa.Check(_between(low, high), name="date-out-of-range"))
        columns[column.key] = pa.Column(object, nullable=not column.required, checks=checks, required=False,
                                        parsers=[_parser(column, campaign)])
    # Measured on 1,000 files (5,000 rows): ~25 ms more than plain masks, as pandera lists every column of a
    # failing row; well inside the intake's budget, so the rules stay checks (failure cases in one place).
    # ignore_na=False: pandera would otherwise pass rows whose every cell is empty, testing every cell of every
    # row for each rule; none is (“_file” and “_row” are always set), so the rules' results are the same.
    rules = [pa.Check(_passing(rule, campaign), name=rule.code, ignore_na=False)
             for rule in CROSS_RULES.get(form.id, [])]
    if form is PL01:
        rules.append(pa.Check(_not_duplicated, name=DUPLICATE_CHECK, ignore_na=False))
    return pa.DataFrameSchema(columns, checks=rules, strict=False, coerce=False)


def _read_cells(series: pd.Series) -> pd.Series:
    """True where a cell was read (``~series.map(_is_unread)``, without a call per cell)."""
    import pandas as pd

    return pd.Series([type(v) is not Unread for v in series.tolist()], index=series.index, name=series.name,
                     dtype=bool)


def _between(low: Any, high: Any) -> Callable[[pd.Series], pd.Series]:
    """A range check that leaves unreadable cells to ``cell-read``."""
    import pandas as pd

    def check(s: pd.Series) -> pd.Series:  # ``s.map`` of the test, without a call per cell
        return pd.Series([v is None or type(v) is Unread or low <= v <= high for v in s.tolist()], index=s.index,
                         name=s.name, dtype=bool)

    return check


def _passing(rule: CrossRule, campaign: Campaign) -> Callable[[pd.DataFrame], pd.Series]:
    return lambda frame: ~rule.failing(frame, campaign).fillna(False).astype(bool)


def _name_keys(frame: pd.DataFrame) -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame({"file": frame["_file"], "name": frame["name"].map(lambda v: text.fold(v) if v else "")})


def _not_duplicated(frame: pd.DataFrame) -> pd.Series:
    """False at the second and later rows of one model name in one file."""
    keys = _name_keys(frame)
    return ~(keys.duplicated() & keys["name"].ne(""))


def messages_for(check: str, column: Column, value: Any, campaign: Campaign) -> tuple[str, str]:
    """(code, Vietnamese message) for a pandera failure."""
    name = label(column)
    if check == "cell-read":
        return value.code, value.message
    if check == "not_nullable":
        return "value-required", f"chưa nhập “{name}”; đây là cột bắt buộc"
    if check == "value-not-in-list":
        choices = "; ".join(campaign.lists.get(column.choices or "", []))
        return "value-not-in-list", f"{name} “{value}” không có trong danh mục; chọn một trong: {choices}"
    if check == "year-out-of-range":
        return "year-out-of-range", f"“{name}” {value} không hợp lý; nhập năm từ {FIRST_YEAR} đến {campaign.year}"
    if check == "date-out-of-range":
        shown = format_date(value) if isinstance(value, date) else value
        return "date-out-of-range", (f"{name} {shown} nằm ngoài khoảng hợp lý của đợt thi đua năm {campaign.year}; "
                                     "kiểm tra lại năm đã nhập")
    return "value-invalid", f"giá trị “{value}” của cột “{name}” không hợp lệ"


def validate_files(files: list[ReturnedFile], campaign: Campaign,
                   checks: Mapping[str, Sequence[FormCheck]] | None = None) -> dict[str, pd.DataFrame]:
    """Check every file; add findings to each; return the typed rows by form id (with _file, _row).

    ``checks``: form id -> the form's own checks, run after the generic ones over the same rows.

    No batch stops for one file: a file-level check that fails unexpectedly becomes ``internal-error``
    for that file; if the pass over all rows fails, it is run again file by file, so only the file
    that breaks it gets ``internal-error`` and the others are checked as usual.
    """

    extra = checks or {}
    for file in files:
        guarded(file, check_file_level, file, campaign)
    typed: dict[str, pd.DataFrame] = {}
    for form in UNIT_FORMS.values():
        frame = rows_frame(files, form)
        if frame.empty:
            typed[form.id] = frame
            continue
        form_checks = extra.get(form.id, ())
        typed[form.id] = run_isolating(lambda rows: _validate_form(rows, files, form, campaign, form_checks),  # noqa: B023 - run at once
                                       frame, files, reread_by_file(files, form))
    for file in files:
        file.findings[:] = sorted(dict.fromkeys(file.findings), key=_reading_order)  # a re-run adds nothing twice
    return typed


def run_isolating(run: Callable[[pd.DataFrame], Any], frame: pd.DataFrame, files: list[ReturnedFile],
                  split: Callable[[pd.DataFrame], Iterable[tuple[int, pd.DataFrame]]],
                  keep: Sequence[int] | None = None) -> pd.DataFrame:
    """``run`` over the rows of the whole batch: its result (``frame`` when it returns None).

    Should it fail, the findings it added are undone and it runs again over each file's rows (``split``
    gives them by file position), so only the file that breaks it gets ``internal-error``; that file's
    findings after ``keep[position]`` (default: the ones it had) are dropped. The rows of the files that
    passed are returned.
    """
    import pandas as pd

    before = [len(f.findings) for f in files]
    try:
        result = run(frame)
        return frame if result is None else result
    except Exception:  # noqa: BLE001 - find the file that breaks the pass and go on with the others
        for file, count in zip(files, before, strict=True):
            del file.findings[count:]
    passed = []
    for position, own in split(frame):
        file = files[position]
        if guarded(file, run, own, keep=len(file.findings) if keep is None else keep[position]):
            passed.append(own)
    return pd.concat(passed, ignore_index=True) if passed else frame.iloc[0:0]


def reread_by_file(files: list[ReturnedFile], form: Form) -> Callable[[pd.DataFrame], Iterator[tuple[int, pd.DataFrame]]]:
    """``run_isolating``'s split for a pass that types the rows in place: each file's rows read afresh."""
    def split(frame: pd.DataFrame) -> Iterator[tuple[int, pd.DataFrame]]:
        for position in sorted({int(p) for p in frame["_file"]}):
            yield position, rows_frame(files, form, only=position)
    return split


def guarded(file: ReturnedFile, check: Callable[..., Any], *args: Any, keep: int | None = None) -> bool:
    """Run one check of ``file``; an unexpected exception becomes its ``internal-error`` finding
    (findings the failed check added after the first ``keep`` are dropped). True when it ran."""
    try:
        check(*args)
        return True
    except Exception as exc:  # noqa: BLE001 - the batch goes on; the file is kept for the team
        if keep is not None:
            del file.findings[keep:]
        file.add_internal_error(exc)
        return False


def _validate_rows(frame: pd.DataFrame, files: list[ReturnedFile], form: Form, campaign: Campaign,
                   similar: bool = True) -> pd.DataFrame:
    """The pandera pass (parsers, column and cross-field checks), then the similar-model check over ``frame``.

    ``frame`` is typed in place (the file-by-file re-run of ``validate_files`` keeps it). ``similar``
    False leaves the similar-model check (across the whole batch) to the caller: the chunked intake.
    """
    import pandera.errors as pa_errors

    schema = build_schema(form, campaign)
    try:
        typed = schema.validate(frame, lazy=True, inplace=True)  # parsed in place: no copy of all rows
    except pa_errors.SchemaErrors as errors:
        typed = errors.data
        unread = report_failures(errors.failure_cases, schema, typed, files, form, campaign)
        for key in unread:
            typed[key] = _known(typed, key)
    if typed is not frame:
        for key in form.keys:
            frame[key] = typed[key]
    if similar and form is PL01:  # results rows name registered models: similar names are expected there
        check_duplicates(frame, files, form, campaign)
    return frame


def _validate_form(frame: pd.DataFrame, files: list[ReturnedFile], form: Form, campaign: Campaign,
                   checks: Sequence[FormCheck]) -> pd.DataFrame:
    """The generic row checks, then the form's own checks over the same rows."""
    frame = _validate_rows(frame, files, form, campaign)
    for check in checks:
        check(frame, files, campaign)
    return frame


def report_failures(cases: pd.DataFrame, schema: Any, frame: pd.DataFrame, files: list[ReturnedFile], form: Form,
                    campaign: Campaign) -> set[str]:
    """Findings from pandera's failure cases; returns the columns that hold unreadable cells.

    One finding per cell, first come first reported: an unreadable value, then a column check, then
    the cross-field rules in order (a rule that fails on a cell already reported says nothing new).
    A dataframe-level failure lists every column of the row: the rule says which cell it names.
    """
    rules = CROSS_RULES.get(form.id, [])
    broken = cases[cases["index"].isna()]
    if not broken.empty:  # a check that raised (a bug, not the unit's mistake): the caller makes it internal-error
        case = broken.iloc[0]
        raise RuntimeError(f"pandera check {case['check']} failed on {case['column']}: {case['failure_case']}")
    table = cases["schema_context"].eq("DataFrameSchema")
    stages: list[list[tuple[Any, ...]]] = [[], []]
    for case in cases[~table & cases["column"].isin(form.keys)].itertuples(index=False):
        check = str(case.check)
        if check != "not_nullable":  # built-in checks are listed by their own name, ours by their number
            check = schema.columns[case.column].checks[int(case.check_number)].name
        stages[0 if check == "cell-read" else 1].append((check, int(case.index), case.column, case.failure_case))
    rows = cases.loc[table, ["check_number", "index"]].drop_duplicates()  # one case per column of a failing row
    reported: set[tuple[int, str]] = set()
    unread: set[str] = set()
    for stage in stages:
        for check, index, key, value in stage:
            if (index, key) in reported:
                continue
            if _is_unread(value):
                unread.add(key)
            code, message = messages_for(check, form.column(key), value, campaign)
            _report(files, frame, index, form.column(key), code, message)
            reported.add((index, key))
    firsts: dict[tuple[int, str], int] = {}
    for number, index in sorted(zip(rows["check_number"].astype(int), rows["index"].astype(int), strict=True)):
        key = rules[number].cell_key if number < len(rules) else "name"
        if (index, key) in reported:
            continue
        reported.add((index, key))
        if number >= len(rules):  # the duplicate check: name the first row of the same model
            if not firsts:
                keys = _name_keys(frame)
                for position, pair in zip(frame.index, zip(keys["file"], keys["name"], strict=True), strict=True):
                    firsts.setdefault(pair, position)
            first = firsts[(frame["_file"].iat[index], text.fold(frame["name"].iat[index]))]
            _report(files, frame, index, form.column(key), DUPLICATE_CHECK,
                    f"mô hình “{frame.at[index, 'name']}” đã đăng ký ở dòng {int(frame['_row'].iat[first])}; "
                    "xóa dòng trùng")
            continue
        rule = rules[number]
        row = {k: (None if _is_unread(v) else v) for k, v in frame.loc[index].to_dict().items()}
        _report(files, frame, index, form.column(key), rule.code, rule.message(row, campaign), rule.severity)
    return unread


def _reading_order(finding) -> tuple[int, int, int]:
    """File-level findings first, then cell by cell, row by row, as the unit reads its sheet."""
    if not finding.cell:
        return (0, 0, 0)
    letters = "".join(ch for ch in finding.cell if ch.isalpha())
    digits = "".join(ch for ch in finding.cell if ch.isdigit())
    return (1, int(digits or 0), column_number(letters))


def check_duplicates(frame: pd.DataFrame, files: list[ReturnedFile], form: Form, campaign: Campaign) -> None:
    """A model very similar to one of another unit (in the master or in this batch) is a warning.

    The same model twice in one file is the schema's ``duplicate-model`` check. This one stays outside
    pandera: it is a warning (pandera reports those as Python warnings, not failure cases), and it
    compares against the master's models, not only the rows being validated.
    """
    # Per similarity key: each cleaned unit code -> the codes as stored. Built once, so each row looks
    # at the few units sharing its key, not at every earlier row (quadratic at city scale).
    by_key: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for key, entries in campaign.existing_models.items():
        for u, _ in entries:
            by_key[key][text.clean(u)].add(u)
    # A "Nhân rộng" model is declared a replication of another unit's, not a second registration of it:
    # neither it nor the model it resembles is warned (``replicated-unknown`` checks that it resembles one).
    replicated = text.fold(ModelKind.REPLICATED.value)
    kinds = frame["kind"].tolist() if "kind" in frame else [""] * len(frame)
    similarity = [text.similarity_key(name) if name and text.fold(kind) != replicated else ""
                  for name, kind in zip(frame["name"], kinds, strict=True)]
    # A file whose unit is unknown (already an error) has no unit to compare: pandas gives NaN there.
    units = [text.clean(u) for u in frame["_unit"]]
    for unit, key in zip(units, similarity, strict=True):
        if key and unit:
            by_key[key][unit].add(unit)
    ordered: dict[str, list[tuple[str, set[str]]]] = {}
    column = form.column("name")
    positions, rows = frame["_file"].tolist(), frame["_row"].tolist()
    for position, row, unit, key in zip(positions, rows, units, similarity, strict=True):
        if not (key and unit):
            continue
        if key not in ordered:
            ordered[key] = sorted((c, raw) for c, raw in by_key.get(key, {}).items() if c)
        units_of_key = ordered[key]
        if len(units_of_key) == 1 and units_of_key[0][1] == {unit}:
            continue  # most names: this unit's alone (what the line below finds, without a generator per row)
        # A unit listed under a code other than ``unit`` as typed counts as another unit, as before.
        others = list(islice((c for c, raw in units_of_key if raw != {unit}), 3))
        if others:
            file = files[int(position)]
            file.add("similar-model",
                     f"tên mô hình gần trùng với mô hình của đơn vị {', '.join(others)}; kiểm tra có phải "
                     "cùng một mô hình (nếu phối hợp thực hiện, ghi ở cột “Lực lượng phối hợp”)", severity="warning",
                     cell=file.cell(column.key, int(row)))
