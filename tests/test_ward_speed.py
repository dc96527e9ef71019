"""A ward's click: each command imports only what it needs; the ward benchmark's rows (no timing asserted)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

from .conftest import GOOD_MODEL, NEW_MODEL

ROOT = Path(__file__).resolve().parent.parent


def fresh_python(code: str, *args: str) -> list[str]:
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, check=True, cwd=ROOT)
    return done.stdout.split()


def test_consolidate_runs_without_openpyxl_and_hypothesis(returned):
    """The fast path reads with calamine and patches the tables' XML: openpyxl is never needed,
    pandera's strategies (hypothesis) are not loaded for a validation, nor a process pool for one file."""
    returned("CB01", [GOOD_MODEL, NEW_MODEL])
    code = ("import sys; from pathlib import Path; from dvk_xl.intake.consolidation import consolidate\n"
            "report = consolidate(Path(sys.argv[1]), Path(sys.argv[2]))\n"
            "print(report.summary()['accepted'], report.master_changed, *(m in sys.modules for m in "
            "('openpyxl', 'hypothesis', 'dvk_xl.reports.writer', 'multiprocessing', 'pandera')))")
    assert fresh_python(code, str(returned.master), str(returned.inbox)) == ["1", "True", "False", "False", "False",
                                                                             "False", "True"]


def test_pandera_without_hypothesis_leaves_hypothesis_importable():
    code = ("import sys; from dvk_xl.intake.pandera_lib import pandera\n"
            "pa = pandera(); import pandas as pd\n"
            "schema = pa.DataFrameSchema({'a': pa.Column(int, pa.Check.isin([1, 2]))})\n"
            "before = 'hypothesis' in sys.modules; schema.validate(pd.DataFrame({'a': [1, 2]}))\n"
            "during = 'hypothesis' in sys.modules\n"
            "import hypothesis\n"
            "print(before, during, hypothesis.__name__, pa is sys.modules['pandera.pandas'])")
    assert fresh_python(code) == ["False", "False", "hypothesis", "True"]


def test_an_absent_geopandas_stays_absent():
    """pandera looks for geopandas in every column check; when it is not installed the answer is kept."""
    code = ("import importlib.util, sys; installed = importlib.util.find_spec('geopandas') is not None\n"
            "from dvk_xl.intake.pandera_lib import pandera; pandera()\n"
            "try:\n    import geopandas; found = True\nexcept ImportError:\n    found = False\n"
            "print(installed == found)")
    assert fresh_python(code) == ["True"]


def test_pandera_after_hypothesis_is_the_ordinary_pandera():
    """A process that already uses hypothesis (the test suite) gets pandera's strategies as usual."""
    code = ("import sys, hypothesis; from dvk_xl.intake.pandera_lib import pandera\n"
            "pa = pandera(); import pandera.strategies.base_strategies as b\n"
            "print(b.HAS_HYPOTHESIS)")
    assert fresh_python(code) == ["True"]


def test_report_and_compliance_modules_do_not_import_pandera():
    code = ("import sys; import dvk_xl.reports.writer, dvk_xl.compliance.check\n"
            "print('pandera' in sys.modules, 'hypothesis' in sys.modules)")
    assert fresh_python(code) == ["False", "False"]


def _bench():
    spec = importlib.util.spec_from_file_location("bench_ward", ROOT / "benchmarks" / "bench_ward.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_bench_rows_pair_each_round_with_its_bare_import():
    bench = _bench()
    cold = {name: {"wall": [1.0, 1.0, 1.0], "cpu": [0.5] * 3} for name in ("python", "help", *bench.ACTIONS)}
    cold["bare"] = {"wall": [1.0, 2.0, 3.0], "cpu": [1.0] * 3}
    cold["python"]["wall"] = [0.02] * 3
    cold["help"]["wall"] = [0.1, 0.3, 0.15]
    cold["consolidate"]["wall"] = [1.2, 2.2, 3.2]  # 0.2 s over the bare import of its round: met
    cold["compliance"]["wall"] = [1.5, 2.5, 3.5]  # 0.5 s over: missed, although its median is below bare's max
    warm = {"first": {a: 1.0 for a in bench.ACTIONS}, "warm": {a: [0.1, 0.3, 0.15] for a in bench.ACTIONS},
            "phases": {a: {"read": 0.05} for a in bench.ACTIONS}, "same": {a: True for a in bench.ACTIONS},
            "unchanged": [0.05], "untouched": True, "warm_cpu": {a: [0.1] * 3 for a in bench.ACTIONS}}
    warm["warm"]["report"] = [0.25, 0.3, 0.21]
    rows = {r["name"]: r for r in bench.build_rows(cold, warm)}
    assert rows["ward cold: dvk --help"]["met"] is True
    assert rows["ward cold: dvk consolidate (whole process)"]["met"] is True
    assert rows["ward cold: dvk consolidate (whole process)"]["gap_seconds"] == 0.2
    assert rows["ward cold: dvk compliance (whole process)"]["met"] is False
    assert rows["ward warm: consolidate (second call)"]["seconds"] == 0.15
    assert rows["ward warm: report (second call)"]["met"] is False
    assert rows["ward warm: consolidate · read"]["met"] is None
    assert rows["ward warm: consolidate again, nothing new (master untouched)"]["met"] is True
    table = bench.render(list(rows.values()))
    assert "NO" in table and "gap +0.500/-0.500 s" in table  # wall and CPU gaps
    assert rows["ward cold: dvk compliance (whole process)"]["met_cpu"] is True
    import json

    json.dumps(list(rows.values()))  # JSON-able for the make bench runner
    before = dict(warm, warm={a: [0.4] * 3 for a in bench.ACTIONS})
    for name in ("help", *bench.ACTIONS):
        cold[f"{name}@before"] = {"wall": [w + 0.5 for w in cold[name]["wall"]], "cpu": cold[name]["cpu"]}
    compared = {r["name"]: r for r in bench.build_rows(cold, warm, before)}
    assert compared["ward cold: dvk consolidate (whole process)"]["before_gap_seconds"] == 0.7
    assert compared["ward warm: report (second call)"]["before_seconds"] == 0.4
    assert "before_seconds" not in compared["ward cold: bare import (import pandas, pandera, openpyxl)"]
    assert "before 0.400" in bench.render(list(compared.values()))
    merged = bench.merge_warm([warm, before])
    assert merged["warm"]["report"] == [0.25, 0.3, 0.21, 0.4, 0.4, 0.4] and merged["untouched"] is True
