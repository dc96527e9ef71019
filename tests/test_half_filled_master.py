"""Every command on an empty or half-filled master: a clear Vietnamese line or a valid empty result.

Masters are made with ``init_master`` and then altered the way staff leave them (no units, no
register, an emptied table, a deleted table or sheet, a retyped header, a blank row, a unit without
a code). Each case's master is built once per session and copied for every command.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from openpyxl.utils.cell import get_column_letter, range_boundaries

from dvk_xl.demo.run import DEMO_UNITS, fill_template
from dvk_xl.master.book import init_master
from dvk_xl.reports.templates import write_templates
from dvk_xl.shells.cli import main
from dvk_xl.spec.presets import get_preset
from tests.conftest import GOOD_MODEL, model
from tests.reportfixtures import fill_register

UNEXPECTED = "Lỗi không mong đợi"


# --- how staff leave a master ------------------------------------------------------------------


def _table(book, name: str):
    for ws in book.worksheets:
        if name in ws.tables:
            return ws, ws.tables[name]
    raise AssertionError(f"no table {name}")


def _edit(path: Path, change: Callable) -> Path:
    book = load_workbook(path)
    change(book)
    book.save(path)
    return path


def _emptied(name: str) -> Callable:
    """Every row of a table selected and deleted in Excel: the table keeps one blank row."""

    def change(book) -> None:
        ws, table = _table(book, name)
        min_col, min_row, max_col, max_row = range_boundaries(table.ref)
        for row in ws.iter_rows(min_row=min_row + 1, max_row=max_row, min_col=min_col, max_col=max_col):
            for cell in row:
                cell.value = None
        table.ref = f"{get_column_letter(min_col)}{min_row}:{get_column_letter(max_col)}{min_row + 1}"
        if table.autoFilter is not None:
            table.autoFilter.ref = table.ref

    return change


def _table_deleted(name: str) -> Callable:
    """“Convert to range” in Excel: the cells stay, the named table is gone."""

    def change(book) -> None:
        ws, _ = _table(book, name)
        del ws.tables[name]

    return change


def _sheet_deleted(sheet: str) -> Callable:
    return lambda book: book.remove(book[sheet])


def _header_retyped(name: str, header: str, new: str) -> Callable:
    """A header cell retyped in Excel renames the table's column too."""

    def change(book) -> None:
        ws, table = _table(book, name)
        min_col, min_row, max_col, _ = range_boundaries(table.ref)
        for col in range(min_col, max_col + 1):
            if ws.cell(min_row, col).value == header:
                ws.cell(min_row, col).value = new
                table.tableColumns[col - min_col].name = new
                return
        raise AssertionError(f"no header {header}")

    return change


def _no_units(path: Path) -> Path:
    return _edit(path, _emptied("DonVi"))


def _units(preset: str) -> list[dict]:
    """A few units per master (each template costs time): the preset's own, then CB01, CB02 and PN01 of the
    demo ward (the returned file is CB01's; the small register's rows are CB01's and PN01's)."""
    demo = [u for u in DEMO_UNITS if u["unit_code"] in ("CB01", "CB02", "PN01")]
    return [*get_preset(preset).units, *demo]


def _same(units: list) -> list:
    return units


NO_CODE = {"unit_name": "Chi bộ Khu dân cư số 7", "unit_type": "Chi bộ"}

# case -> (the units given to init_master, from the preset's units (None: the preset's own), alteration)
CASES: dict[str, tuple[Callable[[list], list | None], Callable[[Path], Path] | None]] = {
    "as-initialised": (lambda units: None, None),
    "no-units": (lambda units: [], None),
    "units-deleted": (_same, _no_units),
    "units-no-register": (_same, None),
    "register-no-results": (_same, lambda p: fill_register(p, results=[])),
    "register-without-units": (_same, lambda p: _no_units(fill_register(p))),
    "deadlines-emptied": (_same, lambda p: _edit(p, _emptied("TienDo"))),
    "no-quota-rules": (_same, lambda p: _edit(p, _emptied("ChiTieu"))),
    "criteria-emptied": (_same, lambda p: _edit(fill_register(p), _emptied("TieuChi"))),
    "blank-unit-row": (lambda units: [*units[:2], {}, *units[2:]], None),
    "results-table-deleted": (_same, lambda p: _edit(fill_register(p), _table_deleted("KetQua"))),
    "register-table-deleted": (_same, lambda p: _edit(p, _table_deleted("DangKy"))),
    "deadlines-sheet-deleted": (_same, lambda p: _edit(p, _sheet_deleted("Tiến độ"))),
    "unit-name-retyped": (_same, lambda p: _edit(p, _header_retyped("DonVi", "Tên đơn vị", "Ten don vi"))),
    "minimum-retyped": (_same, lambda p: _edit(p, _header_retyped("DonVi", "Số mô hình tối thiểu",
                                                                  "So mo hinh toi thieu"))),
    "unit-without-code": (lambda units: [*units[:3], NO_CODE, *units[3:]], None),
}

# Cases that break the master: what every refusal must name (sheet, table or column, cell, the fix).
NEEDLES: dict[str, tuple[str, ...]] = {
    "results-table-deleted": ("sheet “Kết quả”", "bảng “KetQua”", "Insert > Table"),
    "register-table-deleted": ("sheet “Đăng ký”", "bảng “DangKy”", "Insert > Table"),
    "deadlines-sheet-deleted": ("sheet “Tiến độ”", "bảng “TienDo”", "LuuTru/SoTongHop"),
    "unit-name-retyped": ("sheet “Đơn vị”", "ô B4", "“Ten don vi”", "phải là “Tên đơn vị”"),
    "minimum-retyped": ("sheet “Đơn vị”", "ô E4", "“So mo hinh toi thieu”", "phải là “Số mô hình tối thiểu”"),
    "unit-without-code": ("sheet “Đơn vị”", "ô A8", "chưa có mã", "nhập mã đơn vị"),
}
# Commands that read the broken part and so must refuse (all of them for a broken unit list or register).
MUST_REFUSE: dict[str, tuple[str, ...]] = {
    "results-table-deleted": ("compliance", "report-6-thang", "report-nam", "rollup-empty"),
    "deadlines-sheet-deleted": ("validate", "consolidate-empty", "consolidate-one", "compliance", "rollup-empty"),
    "register-table-deleted": ("templates-pl03-6-thang", "templates-pl03-nam", "validate", "consolidate-empty",
                               "consolidate-one", "compliance", "report-dang-ky", "report-6-thang", "report-nam",
                               "rollup-empty"),
}
# The only refusals an empty or half-filled master may get: nothing to make a form for yet.
NOTHING_YET = ("chưa có đơn vị nào", "chưa có mô hình nào")
COMMANDS = ("templates-pl01", "templates-pl03-6-thang", "templates-pl03-nam", "validate", "consolidate-empty",
            "consolidate-one", "compliance", "report-dang-ky", "report-6-thang", "report-nam", "rollup-empty")
# The procuracy plan on the cases where its named-unit rules and its impossible deadline matter.
VKSND_CASES = ("as-initialised", "no-units", "register-without-units", "results-table-deleted", "unit-without-code")


@pytest.fixture(scope="session")
def returned_file(tmp_path_factory) -> Path:
    """A unit's returned Phụ lục 01 (CB01, one good model) from a ward master with the demo units."""
    base = tmp_path_factory.mktemp("returned")
    master = init_master(base / "m", preset="phuong", units=DEMO_UNITS).path
    template = write_templates(master, base / "forms", ["CB01"]).paths[0]
    return fill_template(template, [model(GOOD_MODEL)], base / "PL01_CB01_returned.xlsx")


@pytest.fixture(scope="session")
def masters(tmp_path_factory) -> Callable[[str, str], Path]:
    """masters(preset, case) -> the case's master, built once per session (copy it before changing it)."""
    made: dict[tuple[str, str], Path] = {}

    def get(preset: str, case: str) -> Path:
        if (preset, case) not in made:
            units, alter = CASES[case]
            path = init_master(tmp_path_factory.mktemp(f"{preset}-{case}"), preset=preset,
                               units=units(_units(preset))).path
            made[preset, case] = alter(path) if alter else path
        return made[preset, case]

    return get


def _args(command: str, master: Path, work: Path, returned: Path) -> list:
    empty, one, out = work / "empty", work / "one", work / "out"
    empty.mkdir(parents=True)
    one.mkdir()
    shutil.copy2(returned, one / returned.name)
    return {
        "templates-pl01": ["templates", master, "--out", out],
        "templates-pl03-6-thang": ["templates", master, "--form", "pl03", "--period", "6-thang", "--out", out],
        "templates-pl03-nam": ["templates", master, "--form", "pl03", "--period", "nam", "--out", out],
        "validate": ["validate", returned, "--master", master],
        "consolidate-empty": ["consolidate", master, empty],
        "consolidate-one": ["consolidate", master, one, "--feedback", work / "feedback"],
        "compliance": ["compliance", master, "--today", "06/03/2026"],
        "report-dang-ky": ["report", master, "--kind", "dang-ky", "--out", out, "--eml"],
        "report-6-thang": ["report", master, "--kind", "6-thang", "--out", out, "--eml"],
        "report-nam": ["report", master, "--kind", "nam", "--out", out, "--eml"],
        "rollup-empty": ["rollup", master, empty],
    }[command]


def _run(*args) -> tuple[int, str]:
    result = CliRunner().invoke(main, [str(a) for a in args])
    return result.exit_code, result.output


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _problems(case: str, command: str, code: int, output: str, changed: bool) -> list[str]:
    """What is wrong with one command's answer on one case (nothing when it answered as it should)."""
    shown = f"{command}: exit {code}: {output.strip()[:500]}"
    if code not in (0, 1) or UNEXPECTED in output or "Traceback" in output:
        return [f"crashed: {shown}"]
    refusals = [line for line in output.splitlines() if line.startswith("Lỗi")]
    if refusals:
        problems = []
        if code != 1 or len(refusals) != 1 or output.strip().count("\n"):
            problems.append(f"not one line with exit 1: {shown}")
        if changed:
            problems.append(f"refused but changed the master: {shown}")
        if case in NEEDLES and command in MUST_REFUSE.get(case, COMMANDS):
            missing = [n for n in NEEDLES[case] if n not in refusals[0]]
            if missing:
                problems.append(f"the refusal does not name {missing}: {shown}")
        elif not any(n in refusals[0] for n in NOTHING_YET):
            problems.append(f"refused what it must do: {shown}")
        return problems
    if case in NEEDLES and command in MUST_REFUSE.get(case, COMMANDS):
        return [f"went on with a broken master: {shown}"]
    if command.startswith("report") and code != 0:
        return [f"no report: {shown}"]
    if command in ("consolidate-empty", "rollup-empty") and code != 0:
        return [f"an empty inbox is not an error: {shown}"]
    if command == "compliance" and "Đã ghi sheet “Tuân thủ”" not in output:
        return [f"no compliance sheet: {shown}"]
    return []


MATRIX = [("phuong", case) for case in CASES] + [("vksnd", case) for case in VKSND_CASES]


@pytest.mark.parametrize("preset,case", MATRIX, ids=[f"{p}-{c}" for p, c in MATRIX])
def test_every_command_answers_clearly(preset, case, masters, returned_file, tmp_path):
    source = masters(preset, case)
    problems = []
    for command in COMMANDS:
        work = tmp_path / command
        work.mkdir()
        master = Path(shutil.copy2(source, work / source.name))
        before = _digest(master)
        code, output = _run(*_args(command, master, work, returned_file))
        problems += _problems(case, command, code, output, _digest(master) != before)
    assert not problems, "\n".join(problems)


# --- the valid empty results, in detail ------------------------------------------------------------


def test_compliance_without_units_writes_zero_counts_and_rule_statuses(masters, tmp_path):
    master = Path(shutil.copy2(masters("phuong", "as-initialised"), tmp_path / "m.xlsx"))
    code, output = _run("compliance", master, "--today", "06/03/2026", "--json")
    assert code == 1  # no quota met
    quotas = json.loads(output)["quotas"]
    assert [(q["id"], q["actual"], q["met"]) for q in quotas] == [
        ("CT1", 0, False), ("CT2", 0, False), ("CT3", 0, False), ("CT4", 0, False)]
    assert quotas[3]["actual_text"] == "0/0 đơn vị (sheet “Đơn vị” chưa có đơn vị nào)"
    book = load_workbook(master)
    assert "ThamDinh" in book["Thẩm định"].tables
    cells = [c.value for row in book["Tuân thủ"].iter_rows() for c in row]
    assert "0/0 đơn vị (sheet “Đơn vị” chưa có đơn vị nào)" in cells and cells.count("Chưa đạt") >= 4


def test_a_named_unit_rule_before_any_unit_is_not_met_but_a_misspelt_unit_stops(masters, tmp_path):
    master = Path(shutil.copy2(masters("vksnd", "no-units"), tmp_path / "m.xlsx"))
    code, output = _run("compliance", master, "--today", "06/03/2026", "--json")
    quotas = {q["id"]: q for q in json.loads(output)["quotas"]}
    assert code == 1 and not quotas["CT2"]["met"] and "chưa có đơn vị nào" in quotas["CT2"]["actual_text"]

    def misspell(book) -> None:
        ws, _ = _table(book, "DonVi")
        assert ws["B5"].value == "Chi bộ Phòng 9"
        ws["B5"] = "Chi bộ Phòng 99"

    typo = _edit(Path(shutil.copy2(masters("vksnd", "as-initialised"), tmp_path / "t.xlsx")), misspell)
    code, output = _run("compliance", typo, "--today", "06/03/2026")
    assert code == 1 and output.startswith("Lỗi: ") and "không tìm thấy đơn vị “Chi bộ Phòng 9”" in output


@pytest.mark.parametrize("kind,sheet", [("dang-ky", "Phụ lục 02"), ("6-thang", "Phụ lục 03"), ("nam", "Phụ lục 03")])
def test_reports_without_units_are_all_zero(kind, sheet, masters, tmp_path):
    code, output = _run("report", masters("phuong", "units-deleted"), "--kind", kind, "--out", tmp_path, "--eml")
    assert code == 0, output
    book = load_workbook(next(tmp_path.glob("*.xlsx")))
    # every count is zero; the plan's own minimums (section IV, "Tối thiểu 5") are requirements, not counts
    numbers = [c.value for row in book[sheet].iter_rows(min_col=3) for c in row
               if isinstance(c.value, int | float) and not isinstance(c.value, bool)
               and "tối thiểu" not in c.number_format.lower()]
    assert len(numbers) >= 28 and set(numbers) == {0}
    assert book["_dvk"]["B8"].value == 0 and len(list(tmp_path.glob("*.eml"))) == 1


def test_a_blank_row_in_the_units_is_skipped(masters, tmp_path):
    code, output = _run("templates", masters("phuong", "blank-unit-row"), "--out", tmp_path)
    assert code == 0 and "Đã tạo 3 mẫu PL01" in output


@pytest.mark.parametrize("preset,case,key,expected", [
    ("phuong", "as-initialised", "chi-tieu", "chưa đạt 4/4 chỉ tiêu"),
    ("phuong", "deadlines-sheet-deleted", "chi-tieu", "thiếu sheet “Tiến độ” (bảng “TienDo”)"),
    ("phuong", "results-table-deleted", "chi-tieu", "sheet “Kết quả”: không còn bảng “KetQua”"),
])
def test_the_ribbon_answers_the_same_on_a_half_filled_master(preset, case, key, expected, masters, tmp_path,
                                                             monkeypatch):
    from dvk_xl.shells import ribbon
    from tests.test_ribbon import Excel

    monkeypatch.setenv("XLWINGS_LICENSE_KEY", "noncommercial")  # xlwings' remote engine, tests only
    monkeypatch.setattr(ribbon, "MEMORY_FILE", tmp_path / "memory" / "thu-muc.json")
    master = Path(shutil.copy2(masters(preset, case), tmp_path / "SoTongHop_DVK_2026.xlsx"))
    message = Excel(master).press(key)
    assert expected in message and UNEXPECTED not in message


@pytest.mark.parametrize("reader", ["calamine", "openpyxl", "live"])
def test_a_cell_below_blank_rows_is_named_where_it_is(reader, tmp_path, monkeypatch):
    from dvk_xl.core.errors import DvkError
    from dvk_xl.master.book import load_units
    from dvk_xl.workbook.api import FileWorkbook

    units = [*DEMO_UNITS[:2], {}, {}, NO_CODE, *DEMO_UNITS[2:4], {}]  # rows 5, 6 filled, 7, 8 blank, 9 no code
    master = init_master(tmp_path / "m", units=units).path
    if reader == "live":
        from dvk_xl.shells.live_workbook import LiveWorkbook
        from tests.xlwings_double import ExcelDouble

        monkeypatch.setenv("XLWINGS_LICENSE_KEY", "noncommercial")  # xlwings' remote engine, tests only
        wb = LiveWorkbook(ExcelDouble(master).book(), path=master)
    else:
        wb = FileWorkbook(master)
        if reader == "openpyxl":
            wb._book  # noqa: B018 - reads through openpyxl from now on
    with pytest.raises(DvkError, match="sheet “Đơn vị”, ô A9: đơn vị “Chi bộ Khu dân cư số 7” chưa có mã"):
        load_units(wb)
