"""kinds.py: the closed sets of values, their Vietnamese labels, and that nobody spells them out again."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import click
import pytest

from dvk_xl.core import kinds
from dvk_xl.core.dates import as_date
from dvk_xl.core.kinds import IntakeStatus, ModelKind, Period, RegisterStatus, ReportKind
from dvk_xl.master.reconcile import whole_year
from dvk_xl.shells.cli import main
from dvk_xl.spec import forms
from dvk_xl.spec.forms import column_number, excel_column
from dvk_xl.workbook.api import excel_value

PACKAGE = Path(kinds.__file__).parents[1]  # dvk_xl: every module of every layer is checked
# String constants that equal an enum value but mean something else, or are sample data as typed:
# (module path under dvk_xl, value) -> why.
ALLOWED = {
    ("spec/forms.py", "Đang thực hiện"): "RESULT_ONGOING, a result status spelled like RegisterStatus.ACTIVE",
    ("spec/presets.py", "dang-ky"): "a TienDo step key (the registration deadline), not a report kind",
    ("intake/handlers.py", "dang-ky"): "the same TienDo step key, the deadline of Phụ lục 01",
    **{("demo/run.py", k.value): "sample rows as a unit types them" for k in ModelKind},
    **{("demo/demo_year.py", k.value): "sample rows as a unit types them" for k in ModelKind},
    ("demo/demo_year.py", "Đang thực hiện"): "sample results (RESULT_ONGOING) as a unit types them",
}


@pytest.mark.parametrize("enum", kinds.ALL, ids=lambda e: e.__name__)
def test_every_value_round_trips_through_its_label(enum):
    for member in enum:
        assert enum.from_label(member.label) is member
        assert enum.from_label(f"  {member.label} ") is member
        assert enum(member.value) is member
        assert enum.parse(member.value) is member
    labels = [m.label for m in enum]
    assert len(set(labels)) == len(labels), "two members share a label"
    assert enum.from_label("không có") is None
    assert enum.parse("khong-co") is None and enum.parse(None) is None


def test_values_are_the_strings_already_in_use():
    # Byte-for-byte what the JSON output, CLI, workbook metadata and existing masters hold.
    assert [m.value for m in ReportKind] == ["dang-ky", "6-thang", "nam"]
    assert Period.labels() == {"6-thang": "6 tháng", "nam": "Năm"}
    assert IntakeStatus.labels() == {"accepted": "Chấp nhận", "rejected": "Từ chối", "unchanged": "Không đổi",
                                     "superseded": "Bị thay thế"}
    assert [m.value for m in ModelKind] == ["Mới", "Duy trì", "Nhân rộng"]
    assert [m.value for m in RegisterStatus] == ["Đang thực hiện", "Đã rút"]
    assert json.dumps({IntakeStatus.ACCEPTED: Period.YEAR}) == '{"accepted": "nam"}'
    assert f"{ReportKind.HALF_YEAR}" == "6-thang" and str(ModelKind.NEW) == "Mới"


def test_report_kind_knows_its_form_and_period():
    assert [(k.form, k.period) for k in ReportKind] == [("PL02", None), ("PL03", Period.HALF_YEAR),
                                                         ("PL03", Period.YEAR)]
    assert Period.HALF_YEAR.phrase == "6 tháng đầu năm" and Period.YEAR.phrase == "cả năm"


def test_old_names_are_aliases_of_the_enums():
    assert Period.labels() == forms.PERIODS
    assert IntakeStatus.labels() == forms.INTAKE_STATUS
    assert tuple(ModelKind) == (forms.KIND_NEW, forms.KIND_CONTINUED, forms.KIND_REPLICATED)
    assert tuple(RegisterStatus) == (forms.REGISTER_STATUS_ACTIVE, forms.REGISTER_STATUS_WITHDRAWN)
    assert forms.DEFAULT_LISTS["kinds"] == [m.value for m in ModelKind]
    assert forms.submission_label("PL03", Period.YEAR) == forms.submission_label("PL03", "nam") == "PL03 (Năm)"


def test_members_are_written_to_cells_as_plain_strings():
    value = excel_value(RegisterStatus.WITHDRAWN)
    assert type(value) is str and value == "Đã rút"


def _choices(command: str, option: str) -> list[str]:
    param = next(p for p in main.commands[command].params if p.name == option)
    assert isinstance(param.type, click.Choice)
    return list(param.type.choices)


def test_cli_choices_are_the_enum_values():
    assert _choices("report", "kind") == [k.value for k in ReportKind]
    assert _choices("templates", "period") == [p.value for p in Period]


def test_help_imports_neither_pandas_nor_openpyxl():
    code = ("import sys; from dvk_xl.shells.cli import main\n"
            "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'pandas', 'pandera', 'openpyxl'}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip().endswith("[]")


def _docstrings(tree: ast.AST) -> set[int]:
    nodes = (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
    return {id(n.body[0].value) for n in ast.walk(tree)
            if isinstance(n, nodes) and n.body and isinstance(n.body[0], ast.Expr)
            and isinstance(n.body[0].value, ast.Constant)}


def test_no_module_spells_out_an_enum_value():
    values = {m.value for enum in kinds.ALL for m in enum}
    found = []
    paths = sorted(PACKAGE.glob("**/*.py"))
    assert len(paths) > 40  # every layer's modules, not one folder
    for path in paths:
        if path.name == "kinds.py":
            continue
        where = path.relative_to(PACKAGE).as_posix()
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docs = _docstrings(tree)
        found += [f"{where}:{node.lineno} {node.value!r}" for node in ast.walk(tree)
                  if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in values
                  and id(node) not in docs and (where, node.value) not in ALLOWED]
    assert not found, "use the kinds.py enum instead of the literal:\n" + "\n".join(found)


def test_the_literal_check_can_fail(tmp_path):
    # The check above must see a literal in ordinary code and in an f-string, but not in a docstring.
    source = '"""About "nam"."""\nx = "accepted"\ny = f"{d[\'dang-ky\']}"\n'
    tree = ast.parse(source)
    docs = _docstrings(tree)
    hits = [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and id(n) not in docs
            and n.value in {"accepted", "dang-ky", "nam"}]
    assert sorted(hits) == ["accepted", "dang-ky"]


def test_column_letters_round_trip():
    assert [excel_column(i) for i in (0, 25, 26, 701, 702)] == ["A", "Z", "AA", "ZZ", "AAA"]
    assert all(column_number(excel_column(i)) == i + 1 for i in range(0, 18278, 7))
    assert column_number("xfd") == 16384


def test_no_module_computes_column_letters_itself():
    offenders = [p.name for p in PACKAGE.glob("**/*.py")
                 if p.name != "forms.py" and ("* 26 +" in (t := p.read_text(encoding="utf-8")) or "divmod(index - 1, 26)" in t)]
    assert not offenders


def test_whole_year_reads_like_every_whole_number():
    assert [whole_year(v) for v in (2026, 2026.0, "2026", " 2026 ")] == [2026] * 4
    assert [whole_year(v) for v in (True, 2026.5, "abc", None, "12345", "999", float("nan"), "2.026")] == [None] * 8


def test_as_date_is_lenient_parse_date():
    from datetime import date, datetime

    assert as_date("03/03/2026") == as_date(datetime(2026, 3, 3, 9)) == date(2026, 3, 3)
    assert as_date("31/11/2026") is None and as_date("không rõ") is None and as_date(None) is None
