"""``make bench``: every benchmark of the project in ONE table, and the same as JSON.

    python benchmarks/bench.py            # the full run (the city sets are generated once, then cached)
    python benchmarks/bench.py --quick    # a smoke run of the same code on small sets (seconds, not minutes)
    python benchmarks/bench.py --only city,ward

Parts, each a module beside this file exposing ``run(quick: bool = False) -> dict`` with JSON-able
``rows`` (name, seconds, baseline_seconds, ratio, target, met; optionally cpu_seconds, baseline,
peak_mb, phases, note); a part whose module is absent is listed as such:
  ward        benchmarks/bench_ward.py        a ward's 12 files, warm (second call) and cold (whole process)
  compliance  benchmarks/bench_compliance.py  ``dvk compliance`` on a large master and on a ward's
  city        benchmarks/bench_consolidate.py consolidate 1,000 and 10,000 files against naive and the floor
Every ratio is against a baseline measured in the same run: the machine may be shared, so seconds
move with its load (printed before and after) and ratios much less. Results go to
benchmarks/out/results.json (or --json).
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import platform
import sys
import time
import traceback
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
PARTS = {"ward": "bench_ward", "compliance": "bench_compliance", "city": "bench_consolidate"}


def run_part(part: str, quick: bool) -> dict[str, Any]:
    """One part's result; a missing module or a failure is a row saying so, and the run goes on."""
    module_name = PARTS[part]
    if not (HERE / f"{module_name}.py").exists():
        return {"benchmark": part, "rows": [], "missing": f"benchmarks/{module_name}.py is not here"}
    if str(HERE) not in sys.path:
        sys.path.insert(0, str(HERE))  # the parts import their helpers (generate.py) by name
    started = time.perf_counter()
    try:
        module = importlib.import_module(module_name)
        result = module.run(quick=quick)
    except Exception as exc:  # noqa: BLE001 - one broken part must not hide the others
        traceback.print_exc()
        return {"benchmark": part, "rows": [], "error": f"{exc.__class__.__name__}: {exc}"}
    result = dict(result) if isinstance(result, dict) else {"rows": list(result)}
    result.setdefault("benchmark", part)
    result["part_seconds"] = round(time.perf_counter() - started, 1)
    return result


def _number(value: Any, digits: int = 2) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return f"{value:,.{digits}f}"
    return str(value)


def _phases(row: dict[str, Any]) -> str:
    phases = row.get("phases")
    if not isinstance(phases, dict) or not phases:
        return ""
    return " · ".join(f"{k} {v:.2f}" if isinstance(v, int | float) else f"{k} {v}" for k, v in phases.items())


def render(parts: list[dict[str, Any]]) -> str:
    """The one table (Markdown, so the README can show it as it is printed)."""
    lines = ["| part | case | seconds | CPU s | baseline | baseline s | ratio | vs floor | peak MB | phases (s) "
             "| target | met |",
             "|---|---|---:|---:|---|---:|---:|---:|---:|---|---|---|"]
    for part in parts:
        name = part.get("benchmark", "?")
        problem = part.get("missing") or part.get("error")
        if problem:
            lines.append(f"| {name} | — | | | | | | | | | | {problem} |")
            continue
        for row in part.get("rows", []):
            met = row.get("met")
            shown = "" if met is None else ("yes" if met else "**NO**")
            if isinstance(row.get("met_each"), dict) and not met:
                missed = [t for t, ok in row["met_each"].items() if not ok]
                shown += f" (missed: {'; '.join(missed)})" if missed else ""
            ratio = row.get("ratio")
            ratio_text = f"{ratio:.2f}×" if isinstance(ratio, int | float) else ""
            floor = row.get("floor_ratio")
            target = row.get("target")
            target_text = f"<= {target:g} s" if isinstance(target, int | float) else str(target or "")
            note = f" — {row['note']}" if row.get("note") else ""
            lines.append(
                f"| {name} | {row.get('name', '')}{note} | {_number(row.get('seconds'), 3)} | "
                f"{_number(row.get('cpu_seconds'), 2)} | {row.get('baseline', '') or ''} | "
                f"{_number(row.get('baseline_seconds'), 3)} | {ratio_text} | "
                f"{f'{floor:.2f}×' if isinstance(floor, int | float) else ''} | {_number(row.get('peak_mb'), 0)} | "
                f"{_phases(row)} | {target_text} | {shown} |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Every benchmark of dvk_xl in one table (make bench).")
    parser.add_argument("--quick", action="store_true", help="a smoke run on small sets: checks the code, not the speed")
    parser.add_argument("--only", help=f"comma-separated subset of {','.join(PARTS)}")
    parser.add_argument("--json", type=Path, default=OUT / "results.json", help="where to write the results")
    args = parser.parse_args(argv)
    chosen = [p.strip() for p in (args.only or ",".join(PARTS)).split(",") if p.strip()]
    unknown = [p for p in chosen if p not in PARTS]
    if unknown:
        parser.error(f"unknown part(s): {', '.join(unknown)}")
    load_before = os.getloadavg()
    started = datetime.now()
    print(f"Benchmark{' (quick)' if args.quick else ''} on {os.cpu_count()} CPU(s), Python {platform.python_version()}, "
          f"load average {load_before[0]:.1f} at the start", flush=True)
    parts = []
    for part in chosen:
        print(f"\n== {part} ==", flush=True)
        parts.append(run_part(part, args.quick))
    load_after = os.getloadavg()
    table = render(parts)
    print(f"\n{table}\n")
    print(f"Load average (1 min) {load_before[0]:.1f} at the start, {load_after[0]:.1f} at the end, on "
          f"{os.cpu_count()} CPU(s): seconds move with it; ratios are against baselines measured in the same run.")
    document = {"date": started.isoformat(timespec="seconds"), "quick": args.quick, "cpus": os.cpu_count(),
                "python": platform.python_version(), "platform": platform.platform(),
                "load_average_before": [round(x, 2) for x in load_before],
                "load_average_after": [round(x, 2) for x in load_after],
                "parts": parts, "table": table}
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(document, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    print(f"Results written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
