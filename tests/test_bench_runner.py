"""The ``make bench`` runner: one table from every part present, results as JSON (no timing asserted)."""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "benchmarks"


@pytest.fixture
def modules(monkeypatch):
    monkeypatch.syspath_prepend(str(BENCH))
    for name in ("bench", "bench_consolidate", "generate"):
        sys.modules.pop(name, None)
    bench = importlib.import_module("bench")
    consolidate = importlib.import_module("bench_consolidate")
    yield bench, consolidate
    for name in ("bench", "bench_consolidate", "generate", "bench_fake"):
        sys.modules.pop(name, None)


def test_city_part_runs_consolidate_naive_and_floor_on_a_small_set(modules, tmp_path):
    _, consolidate = modules
    result = consolidate.run(sizes=[2], out=tmp_path)
    (row,) = result["rows"]
    assert row["name"].startswith("city: consolidate 2 files")
    assert row["detail"]["accepted"] == 2 and row["detail"]["rejected"] == 0
    assert row["seconds"] > 0 and row["baseline_seconds"] > 0 and row["floor_seconds"] > 0
    assert row["ratio"] == pytest.approx(row["baseline_seconds"] / [r for r in result["results"]
                                                                    if r["variant"] == "ours"][0]["seconds"], rel=0.02)
    assert list(row["phases"]) == ["imports", "load", "read", "check", "merge", "save"]
    assert row["peak_mb"] > 0 and isinstance(row["met"], bool)
    json.dumps(result)  # JSON-able as the runner writes it


def test_runner_prints_one_table_with_every_part_and_writes_json(modules, tmp_path, monkeypatch, capsys):
    bench, _ = modules
    rows = {"city": [{"name": "city: consolidate 10,000 files", "seconds": 9.5, "baseline_seconds": 300.0,
                      "ratio": 31.6, "floor_ratio": 1.4, "peak_mb": 400, "phases": {"read": 5.0, "save": 1.0},
                      "target": "<= 10 s", "met": True}],
            "compliance": [{"name": "city-compliance", "seconds": 1.5, "baseline_seconds": 9.0, "ratio": 6.0,
                            "target": 2.0, "met": False}]}
    monkeypatch.setattr(bench, "run_part", lambda part, quick: (
        {"benchmark": part, "rows": rows[part]} if part in rows
        else {"benchmark": part, "rows": [], "missing": f"benchmarks/{bench.PARTS[part]}.py is not here"}))
    out = tmp_path / "results.json"
    assert bench.main(["--quick", "--json", str(out)]) == 0
    printed = capsys.readouterr().out
    table = [line for line in printed.splitlines() if line.startswith("|")]
    assert table[0].startswith("| part | case | seconds")
    assert len(table) == 2 + 3  # header, rule, one line per row or missing part
    assert "| city | city: consolidate 10,000 files | 9.500 |" in printed and "31.60×" in printed
    assert "read 5.00 · save 1.00" in printed and "<= 2 s" in printed and "**NO**" in printed
    assert "bench_ward.py is not here" in printed
    document = json.loads(out.read_text(encoding="utf-8"))
    assert [p["benchmark"] for p in document["parts"]] == ["ward", "compliance", "city"]
    assert document["quick"] is True and document["table"] in printed


def test_a_missing_or_failing_part_does_not_stop_the_others(modules, tmp_path, monkeypatch):
    bench, _ = modules
    (tmp_path / "bench_fake.py").write_text("def run(quick=False):\n    raise RuntimeError('broken')\n")
    monkeypatch.setattr(bench, "HERE", tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(bench, "PARTS", {"fake": "bench_fake", "gone": "bench_gone"})
    assert bench.run_part("fake", True)["error"] == "RuntimeError: broken"
    assert "not here" in bench.run_part("gone", True)["missing"]
