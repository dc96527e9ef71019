"""The benchmark's generator: patched files read back exactly like files filled in with openpyxl."""

from __future__ import annotations

import importlib.util
import sys
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from dvk_xl.demo.run import fill_template
from dvk_xl.master.book import load_units, open_master
from dvk_xl.reports.templates import UnitInfo, template_file_name, write_templates
from dvk_xl.spec.forms import METADATA_SHEET, PL01

GENERATE = Path(__file__).resolve().parents[1] / "benchmarks" / "generate.py"


@pytest.fixture(scope="module")
def generate():
    spec = importlib.util.spec_from_file_location("bench_generate", GENERATE)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the file executes
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def bench(generate, tmp_path_factory):
    return generate.generate(3, tmp_path_factory.mktemp("bench"), workers=1)


def test_three_files_read_back_with_their_units_and_rows(generate, bench):
    assert sorted(p.name for p in bench.inbox.glob("*.xlsx")) == sorted(f["file"] for f in bench.files)
    units = generate.make_units(3)
    assert [f["unit_code"] for f in bench.files] == [u["unit_code"] for u in units]
    assert all(3 <= f["rows"] <= 7 for f in bench.files)
    for entry, unit in zip(bench.files, units, strict=True):
        meta, rows = generate.read_back_calamine(bench.inbox / entry["file"])
        assert (meta["unit_code"], meta["unit_name"], meta["form_id"]) == (unit["unit_code"], unit["unit_name"], "PL01")
        assert len(rows) == entry["rows"]
    generate.check(bench, 3)  # every value, with python-calamine and with openpyxl
    registered = load_units(open_master(bench.master))
    assert list(registered["unit_code"]) == [u["unit_code"] for u in units]


def test_patched_file_equals_the_template_filled_with_openpyxl(generate, bench, tmp_path):
    unit = generate.make_units(3)[1]
    info = UnitInfo(unit["unit_code"], unit["unit_name"], unit["unit_type"])
    template = write_templates(bench.master, tmp_path, units=[unit["unit_code"]]).paths[0]
    expected = load_workbook(fill_template(template, generate.unit_models(unit, 1), tmp_path / "filled.xlsx"))
    got = load_workbook(bench.inbox / template_file_name(PL01, info))
    assert got.sheetnames == expected.sheetnames
    assert got[METADATA_SHEET].sheet_state == "veryHidden"
    for name in expected.sheetnames:
        want_rows = list(expected[name].iter_rows(values_only=True))
        got_rows = list(got[name].iter_rows(values_only=True))
        assert len(got_rows) == len(want_rows), name
        for number, (row, want) in enumerate(zip(got_rows, want_rows, strict=True), start=1):
            if name == METADATA_SHEET and want[0] == "generated_at":
                continue  # the minute each template was written
            assert row == want, (name, number)
    dates = [v for r in got[PL01.sheet].iter_rows(min_row=11, values_only=True) for v in r[10:13]]
    assert any(isinstance(v, datetime) for v in dates)  # date cells ...
    assert any(isinstance(v, str) and v.count("/") == 2 for v in dates)  # ... and dates typed as text


def test_a_current_set_comes_from_the_cache(generate, bench):
    again = generate.generate(3, bench.directory.parent, workers=1)
    assert again.cached and again.files == bench.files
