"""The catalogue of finding codes: one severity per code, every emitted code declared, README and CLI agree."""

import ast
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from dvk_xl.core.codes import CATALOGUE, Severity, SeverityMismatch, UnknownFindingCode, check_code
from dvk_xl.core.errors import DvkError
from dvk_xl.core.findings import Finding
from dvk_xl.intake.reading import ReturnedFile, read_returned
from dvk_xl.shells.cli import main
from dvk_xl.spec.forms import METADATA_SHEET

from .conftest import GOOD_MODEL, model
from .test_validation import ROW, findings_of, pairs

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
KEBAB = re.compile(r"[a-z]+(?:-[a-z0-9]+)+")
# Calls whose first argument is a finding code: Finding(...), Finding.of(...), ReturnedFile.add(...),
# criteria's local add(...), validation's _report(files, frame, index, column, code, ...) and CrossRule(...).
CODE_FIRST = {"Finding", "of", "add", "CrossRule"}


def _readme_table() -> list[tuple[str, str]]:
    section = README.split("### Finding codes\n", 1)[1].split("\n#", 1)[0]
    return re.findall(r"^\| `([^`]+)` \| (\w+) \|", section, flags=re.MULTILINE)


def _is_message(node: ast.AST) -> bool:
    """A Vietnamese sentence (not a one-word state such as "invalid")."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str) and " " in node.value
    return isinstance(node, ast.JoinedStr | ast.BinOp)


def _emitted_codes() -> dict[str, list[str]]:
    """Code-looking literals the package passes as finding codes, with where they are."""
    found: dict[str, list[str]] = {}

    def note(node: ast.AST, path: Path) -> None:
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and KEBAB.fullmatch(node.value):
            found.setdefault(node.value, []).append(f"{path.name}:{node.lineno}")

    paths = sorted((ROOT / "dvk_xl").glob("**/*.py"))
    assert len(paths) > 40  # every layer's modules, not one folder
    for path in paths:
        if path.name == "kinds.py":  # enum members are (value, label) pairs, not (code, message)
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)
                if name in CODE_FIRST and node.args:
                    note(node.args[0], path)
                elif name == "_report" and len(node.args) >= 5:
                    note(node.args[4], path)
            # (code, message) pairs returned by helpers: numbers_vi.problem_message, validation.messages_for…
            elif isinstance(node, ast.Tuple) and len(node.elts) == 2 and _is_message(node.elts[1]):
                note(node.elts[0], path)
    return found


def test_the_static_scan_finds_the_codes_it_should():
    emitted = _emitted_codes()
    # one of each way a code is written: Finding(...), file.add(...), criteria's add(...), CrossRule, a pair
    for code in ("model-withdrawn", "cell-not-read", "typical-more-than-one", "date-order", "number-ambiguous",
                 "file-encrypted", "year-out-of-range"):
        assert code in emitted, code


def test_every_code_the_package_emits_is_in_the_catalogue():
    unknown = {code: places for code, places in _emitted_codes().items() if code not in CATALOGUE}
    assert unknown == {}, f"codes missing from dvk_xl/core/codes.py: {unknown}"


def test_every_catalogue_code_is_used_somewhere():
    source = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "dvk_xl").glob("**/*.py") if p.name != "codes.py")
    unused = [code for code in CATALOGUE if f'"{code}"' not in source]
    assert unused == [], f"codes declared but never emitted: {unused}"


def test_every_entry_has_one_severity_and_both_descriptions():
    for code, entry in CATALOGUE.items():
        assert KEBAB.fullmatch(code) and entry.code == code
        assert entry.severity in (Severity.ERROR, Severity.WARNING)
        assert entry.message_vi.strip() and entry.description_en.strip()
        assert entry.message_vi != entry.description_en


def test_severity_compares_as_the_strings_it_replaces():
    assert Severity.ERROR == "error" and Severity.WARNING == "warning"
    assert f"{Severity.WARNING}" == "warning" and json.dumps(Severity.ERROR) == '"error"'
    assert (Severity.ERROR.label_vi, Severity.WARNING.label_vi) == ("Lỗi", "Cảnh báo")


def test_a_finding_takes_its_severity_from_the_catalogue():
    finding = Finding.of("similar-model", "tên gần trùng", "a.xlsx", "Sheet", "B5")
    assert finding.severity == "warning" and not finding.is_error
    assert Finding("date-order", None, "x").is_error
    assert Finding("late-submission", "warning", "x").severity is Severity.WARNING  # old callers still work
    data = finding.as_dict()
    assert data == {"code": "similar-model", "severity": "warning", "message": "tên gần trùng", "sheet": "Sheet",
                    "cell": "B5"}
    assert type(data["severity"]) is str
    assert finding.one_line().startswith("Cảnh báo: a.xlsx")


def test_an_unknown_code_is_refused():
    with pytest.raises(UnknownFindingCode) as caught:
        Finding.of("no-such-code", "x")
    assert isinstance(caught.value, DvkError) and isinstance(caught.value, KeyError)
    assert "no-such-code" in str(caught.value)
    with pytest.raises(UnknownFindingCode):
        check_code("")


@pytest.mark.parametrize(("code", "severity"), [("similar-model", "error"), ("date-order", "warning"),
                                                ("date-order", "Error")])
def test_a_severity_that_disagrees_with_the_catalogue_is_refused(code, severity):
    with pytest.raises(SeverityMismatch):
        Finding(code, severity, "x")


def test_a_returned_file_adds_findings_at_their_codes_severity():
    file = ReturnedFile(path=Path("x.xlsx"))
    file.add("formula-in-cell", "ô chứa công thức", cell="C7")
    file.add("value-required", "chưa nhập")
    assert [f.severity for f in file.findings] == ["warning", "error"]
    assert file.has_errors


def test_readme_table_lists_every_code_with_its_severity():
    table = _readme_table()
    assert len(table) >= 50  # guards the regular expression itself
    assert [code for code, _ in table if code not in CATALOGUE] == []
    assert {code: severity for code, severity in table} == {c: str(e.severity) for c, e in CATALOGUE.items()}
    assert len(table) == len({code for code, _ in table})


def test_dvk_codes_json_lists_every_code_once():
    result = CliRunner().invoke(main, ["codes", "--json"])
    assert result.exit_code == 0, result.output
    entries = json.loads(result.output)
    assert [e["code"] for e in entries] == list(CATALOGUE)
    for entry in entries:
        assert set(entry) == {"code", "severity", "message_vi", "description_en"}
        assert entry["severity"] == CATALOGUE[entry["code"]].severity in ("error", "warning")


def test_dvk_codes_prints_a_table_for_staff():
    result = CliRunner().invoke(main, ["codes"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == ["Mã", "Mức", "độ", "Ý", "nghĩa"]
    row = next(line for line in lines if line.startswith("similar-model "))
    assert row.split(None, 1)[1].startswith("Cảnh báo") and CATALOGUE["similar-model"].message_vi in row
    assert next(line for line in lines if line.startswith("date-order ")).split()[1] == "Lỗi"
    assert len(lines) == len(CATALOGUE) + 2
    assert f"{len(CATALOGUE)} mã" in lines[-1]


def test_dvk_codes_help_is_bilingual():
    result = CliRunner().invoke(main, ["codes", "--help"])
    assert result.exit_code == 0 and "mã phát hiện" in result.output and "finding code" in result.output


# The fixed emitters: one situation, one code, one severity.

def test_a_start_year_out_of_range_has_its_own_code(returned):
    outcome = findings_of(returned, "CB01", [model(GOOD_MODEL, start_year=1985)])
    assert pairs(outcome) == [("year-out-of-range", f"G{ROW}")]
    assert outcome.findings[0].is_error and "1985" in outcome.findings[0].message


def test_a_form_without_its_hidden_metadata_is_a_warning_not_unknown(returned):
    path = returned("CB01", [GOOD_MODEL])
    book = load_workbook(path)
    del book[METADATA_SHEET]
    book.save(path)
    file = read_returned(path)
    assert [(f.code, f.severity) for f in file.findings] == [("template-metadata-missing", "warning")]
    assert not file.has_errors and file.rows
