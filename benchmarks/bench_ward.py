"""The ward case: a ward's 12 returned files (``dvk demo``), consolidate / compliance / report.

    python benchmarks/bench_ward.py            # 7 cold rounds, 5 warm calls of each action
    python benchmarks/bench_ward.py --quick    # 3 and 3 (a smoke run)
    python benchmarks/bench_ward.py --json out.json
    python benchmarks/bench_ward.py --before /path/to/older/checkout   # before/after in the same run

``run(quick=False) -> dict`` gives the same as JSON-able rows (name, seconds, baseline_seconds, ratio,
target, met), for the ``make bench`` runner.

What is measured, on fresh copies of the demo ward's files every time (copying is never timed):
  cold   each command as a whole process (``dvk consolidate|compliance|report``), interleaved in rounds
         with the bare import of pandas + pandera + openpyxl, whose time each round's command is
         compared with (target: within 0.3 s of it); ``dvk --help`` (target: 0.2 s).
  warm   one process that has already run every action once (what the ribbon's kept Python gets):
         each action again on a fresh copy (target: 0.2 s), and consolidate once more on the master it
         just wrote (nothing new: nothing may be written). The phases of each warm call come from
         timers put around the library's steps.
The machine may be shared: the figures are medians, the load average is printed with them.
The package's modules are byte-compiled first (``compileall``), as an installed package is: without
``.pyc`` files (an editable checkout run with PYTHONDONTWRITEBYTECODE) each process compiles them again.

``--before SRC`` (a folder holding an older ``dvk_xl``) runs every case on that version too, interleaved
in the same rounds; both versions are then started the same way (``python -c`` with the version's folder
first on the path), so their figures compare, and each row gains ``before_seconds``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
MASTER_NAME = "SoTongHop_DVK_2026.xlsx"
TODAY = "06/03/2026"  # the demo's day of the compliance check (three days after the registration deadline)
REPORT_DAY = "10/03/2026"
NOW = datetime(2026, 3, 6, 12, 0)
BARE_IMPORT = "import pandas, pandera, openpyxl"
TARGET_WARM = 0.2  # s, a warm call of each action
TARGET_COLD_GAP = 0.3  # s over the bare import measured in the same round
TARGET_HELP = 0.2  # s, ``dvk --help`` as a whole process
ACTIONS = ("consolidate", "compliance", "report")


# --- the ward --------------------------------------------------------------------------------------


def make_ward(folder: Path) -> dict[str, Path]:
    """Run ``dvk demo`` into ``folder`` (in a child process) and pick the files the cases start from.

    ``fresh``: the master as it was before the demo's first consolidation (the oldest version the
    consolidation kept); ``inbox``: the 12 returned files; ``master``: the demo's final master.
    """
    if folder.exists():
        shutil.rmtree(folder)
    code = ("import sys; from dvk_xl.demo.run import run_demo; "
            "run_demo(sys.argv[1], force=True, echo=lambda line: None)")
    subprocess.run([sys.executable, "-c", code, str(folder)], check=True)
    kept = sorted((folder / "LuuTru" / "SoTongHop").glob("*.xlsx"))
    return {"fresh": kept[0], "inbox": folder / "2_TiepNhan", "master": folder / MASTER_NAME}


def fresh_case(ward: dict[str, Path], action: str, root: Path) -> Path:
    """A new folder with the files ``action`` starts from: a master (and an inbox for consolidate)."""
    case = Path(tempfile.mkdtemp(prefix=f"{action}-", dir=root))
    if action == "consolidate":
        shutil.copy2(ward["fresh"], case / MASTER_NAME)
        shutil.copytree(ward["inbox"], case / "inbox")
    else:
        shutil.copy2(ward["master"], case / MASTER_NAME)
    return case


# --- cold: whole processes ---------------------------------------------------------------------------


# Runs ``dvk`` from the version in argv[1] whatever is installed: an editable install's finder is dropped.
FROM_SOURCE = ("import sys; sys.meta_path[:] = [f for f in sys.meta_path if 'editable' not in repr(f)]; "
               "sys.path.insert(0, sys.argv.pop(1)); sys.argv[0] = 'dvk'; "
               "from dvk_xl.shells.cli import main; sys.exit(main())")


def dvk_command(src: Path | None = None) -> list[str]:
    """``dvk`` from the source folder ``src``; without one, the script installed beside this Python (as
    staff run it), else the module."""
    if src is not None:
        return [sys.executable, "-c", FROM_SOURCE, str(src)]
    script = Path(sys.executable).parent / ("dvk.exe" if os.name == "nt" else "dvk")
    return [str(script)] if script.exists() else [sys.executable, "-m", "dvk_xl.shells.cli"]


def byte_compile(src: Path) -> None:
    """Write the ``.pyc`` files of ``src``'s dvk_xl, as ``pip install`` does."""
    import compileall

    compileall.compile_dir(str(src / "dvk_xl"), quiet=1)


def cold_argv(action: str, case: Path, src: Path | None = None) -> list[str]:
    master = str(case / MASTER_NAME)
    if action == "consolidate":
        return [*dvk_command(src), "consolidate", master, str(case / "inbox"), "--json"]
    if action == "compliance":
        return [*dvk_command(src), "compliance", master, "--today", TODAY, "--json"]
    if action == "report":
        return [*dvk_command(src), "report", master, "--kind", "dang-ky", "--out", str(case / "out"), "--date", REPORT_DAY]
    if action == "help":
        return [*dvk_command(src), "--help"]
    if action == "bare":
        return [sys.executable, "-c", BARE_IMPORT]
    if action == "python":
        return [sys.executable, "-c", "pass"]
    raise ValueError(action)


def timed_process(argv: list[str], prints: bool = True) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of one child process; exit codes 0 and 1 (findings) are fine.

    ``prints``: the command must print something (a dvk command that printed nothing failed).
    """
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(argv, capture_output=True, text=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in (0, 1) or prints and not done.stdout.strip():
        raise RuntimeError(f"{' '.join(argv)} failed ({done.returncode}): {done.stderr[-2000:]}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def cold_rounds(ward: dict[str, Path], rounds: int, root: Path, versions: dict[str, Path | None],
                ) -> dict[str, dict[str, list[float]]]:
    """Each round: python, the bare import, then --help and the three commands of each version.

    ``versions``: "" (this version) and, when compared, "before" -> the source folder (None: as installed).
    """
    order = [("python", ""), ("bare", "")] + [(name, v) for name in ("help", *ACTIONS) for v in versions]
    times: dict[str, dict[str, list[float]]] = {key(n, v): {"wall": [], "cpu": []} for n, v in order}
    for _ in range(rounds):
        for name, version in order:
            case = fresh_case(ward, name, root) if name in ACTIONS else root
            argv = cold_argv(name, case, versions.get(version))
            wall, cpu = timed_process(argv, prints=name not in ("python", "bare"))
            times[key(name, version)]["wall"].append(wall)
            times[key(name, version)]["cpu"].append(cpu)
            if name in ACTIONS:
                shutil.rmtree(case)
    return times


def key(name: str, version: str) -> str:
    return f"{name}@{version}" if version else name


# --- warm: one process, the library called as the ribbon calls it ----------------------------------

# The steps timed inside a warm call: (phase name, module, attribute); a class attribute as "Class.name".
PHASES: dict[str, list[tuple[str, str, str]]] = {
    "consolidate": [
        ("open master", "dvk_xl.intake.pipeline", "open_master"),
        ("load state (settings, units, lists, register, log)", "dvk_xl.intake.pipeline", "load_state"),
        ("scan inbox", "dvk_xl.intake.pipeline", "scan_inbox"),
        ("unchanged files (sha256)", "dvk_xl.intake.pipeline", "split_unchanged"),
        ("read files", "dvk_xl.intake.pipeline", "read_all"),
        ("check files", "dvk_xl.intake.handlers", "validate_files"),
        ("  of which the pandera pass", "dvk_xl.intake.validation", "_validate_rows"),
        ("write tables + save", "dvk_xl.intake.pipeline", "finish"),
        ("  of which save", "dvk_xl.workbook.api", "FileWorkbook.save"),
    ],
    "compliance": [
        ("open master", "dvk_xl.compliance.check", "open_master"),
        ("check (read tables)", "dvk_xl.compliance.check", "check_compliance"),
        ("write sheets", "dvk_xl.compliance.check", "write_compliance"),
        ("save", "dvk_xl.workbook.api", "FileWorkbook.save"),
    ],
    "report": [
        ("open master", "dvk_xl.reports.writer", "open_master"),
        ("load report data", "dvk_xl.reports.writer", "load_report_data"),
        ("write workbook", "dvk_xl.reports.writer", "write_pl02"),
        ("  of which save", "dvk_xl.workbook.excel", "save_book"),
    ],
}


@contextmanager
def phase_timers(action: str) -> Iterator[dict[str, float]]:
    """Time the steps of ``action`` (inclusive seconds per phase) by wrapping them for the duration."""
    import importlib

    spent: dict[str, float] = {name: 0.0 for name, _, _ in PHASES[action]}
    undo: list[Callable[[], None]] = []

    def timer(name: str, real: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return real(*args, **kwargs)
            finally:
                spent[name] += time.perf_counter() - started
        return timed

    for name, module_name, attribute in PHASES[action]:
        owner: Any = importlib.import_module(module_name)
        if "." in attribute:
            class_name, attribute = attribute.split(".")
            owner = getattr(owner, class_name)
        real = owner.__dict__.get(attribute) if isinstance(owner, type) else getattr(owner, attribute, None)
        if real is None:  # an older version without this step
            continue
        setattr(owner, attribute, timer(name, real))
        undo.append(lambda owner=owner, attribute=attribute, real=real: setattr(owner, attribute, real))
    try:
        yield spent
    finally:
        for restore in reversed(undo):
            restore()


def call(action: str, case: Path) -> dict[str, Any]:
    """One action through the library, as the ribbon calls it; a summary to compare calls by."""
    from dvk_xl.compliance.check import run_compliance
    from dvk_xl.core.dates import parse_date
    from dvk_xl.core.kinds import ReportKind
    from dvk_xl.intake.consolidation import consolidate
    from dvk_xl.reports.writer import write_report

    master = case / MASTER_NAME
    if action == "consolidate":
        summary = consolidate(master, case / "inbox", now=NOW).summary()
        return {k: summary[k] for k in ("files", "accepted", "rejected", "unchanged", "models", "master_changed")}
    if action == "compliance":
        report = run_compliance(master, today=parse_date(TODAY))
        return {"exit_code": report.exit_code, "lines": len(report.lines())}
    result = write_report(master, ReportKind.REGISTRATION, case / "out", day=parse_date(REPORT_DAY))
    return {"models": result.models, "units": result.units}


def warm_child(ward: dict[str, Path], repeat: int, root: Path) -> dict[str, Any]:
    """Inside the warm child: every action once (the process warms up), then ``repeat`` timed calls of each."""
    started = time.perf_counter()
    import dvk_xl.compliance.check  # noqa: F401 - what the ribbon's kept Python has imported
    import dvk_xl.intake.consolidation  # noqa: F401
    import dvk_xl.reports.writer  # noqa: F401

    imported = time.perf_counter() - started
    out: dict[str, Any] = {"import": imported, "first": {}, "warm": {}, "phases": {}, "same": {}}
    for action in ACTIONS:
        case = fresh_case(ward, action, root)
        started = time.perf_counter()
        first = call(action, case)
        out["first"][action] = time.perf_counter() - started
        shutil.rmtree(case)
        seconds, cpus, phases = [], [], []
        for _ in range(repeat):
            case = fresh_case(ward, action, root)
            with phase_timers(action) as spent:
                started = time.perf_counter()
                cpu = time.process_time()
                again = call(action, case)
                seconds.append(time.perf_counter() - started)
                cpus.append(time.process_time() - cpu)
            phases.append(spent)
            out["same"][action] = out["same"].get(action, True) and again == first
            if action == "consolidate":  # once more on the master just written: nothing new arrived
                master = case / MASTER_NAME
                stamp = (master.stat().st_mtime_ns, master.read_bytes())
                started = time.perf_counter()
                unchanged = call(action, case)
                out.setdefault("unchanged", []).append(time.perf_counter() - started)
                out["untouched"] = (out.get("untouched", True) and not unchanged["master_changed"]
                                    and stamp == (master.stat().st_mtime_ns, master.read_bytes()))
            shutil.rmtree(case)
        out["warm"][action] = seconds
        out.setdefault("warm_cpu", {})[action] = cpus
        out["phases"][action] = {name: statistics.median(p[name] for p in phases) for name in phases[0]}
    return out


def warm_process(ward: dict[str, Path], repeat: int, root: Path, src: Path | None = None) -> dict[str, Any]:
    argv = [sys.executable, str(Path(__file__).resolve()), "--child", json.dumps({k: str(v) for k, v in ward.items()}),
            "--repeat", str(repeat), "--root", str(root)]
    if src is not None:
        argv += ["--src", str(src)]
    done = subprocess.run(argv, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"warm child failed: {done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def warm_processes(ward: dict[str, Path], repeat: int, root: Path, versions: dict[str, Path | None],
                   pairs: int) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """The warm child of each version, ``pairs`` times, alternating (a change of load hits both alike);
    the calls of all runs of a version are merged."""
    runs: dict[str, list[dict[str, Any]]] = {version: [] for version in versions}
    for _ in range(pairs):
        for version, src in versions.items():
            runs[version].append(warm_process(ward, repeat, root, src))
    merged = {version: merge_warm(results) for version, results in runs.items()}
    return merged[""], merged.get("before")


def merge_warm(results: list[dict[str, Any]]) -> dict[str, Any]:
    """One warm result from several runs: every call's time kept, first calls and phases by their median."""
    if len(results) == 1:
        return results[0]
    median = statistics.median
    out: dict[str, Any] = {"import": median(r.get("import", 0.0) for r in results)}
    for key in ("warm", "warm_cpu"):
        out[key] = {a: [x for r in results for x in r[key][a]] for a in results[0][key]}
    out["first"] = {a: median(r["first"][a] for r in results) for a in results[0]["first"]}
    out["phases"] = {a: {name: median(r["phases"][a][name] for r in results) for name in results[0]["phases"][a]}
                     for a in results[0]["phases"]}
    out["same"] = {a: all(r["same"][a] for r in results) for a in results[0]["same"]}
    out["unchanged"] = [x for r in results for x in r["unchanged"]]
    out["untouched"] = all(r["untouched"] for r in results)
    return out


# --- rows ---------------------------------------------------------------------------------------------


def row(name: str, seconds: float, baseline: float | None = None, target: str = "", met: bool | None = None,
        **extra: Any) -> dict[str, Any]:
    ratio = round(seconds / baseline, 3) if baseline else None
    return {"name": name, "seconds": round(seconds, 4),
            "baseline_seconds": round(baseline, 4) if baseline is not None else None,
            "ratio": ratio, "target": target, "met": met, **extra}


def build_rows(cold: dict[str, dict[str, list[float]]], warm: dict[str, Any],
               before: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """The table's rows; with ``before`` (the older version's warm results; its cold ones are in ``cold``
    under "<name>@before") each row of a measured case also gets ``before_seconds``."""
    rows = _rows(cold, warm)
    if before is not None:
        old = {r["name"]: r for r in _rows({k.removesuffix("@before"): v for k, v in cold.items()
                                            if k.endswith("@before") or k in ("python", "bare")}, before)}
        for r in rows:
            if r["name"] in old and not r["name"].startswith(("ward cold: python", "ward cold: bare")):
                r["before_seconds"] = old[r["name"]]["seconds"]
                if old[r["name"]].get("cpu_seconds") is not None:
                    r["before_cpu_seconds"] = old[r["name"]]["cpu_seconds"]
                if "gap_seconds" in old[r["name"]]:
                    r["before_gap_seconds"] = old[r["name"]]["gap_seconds"]
                    r["before_cpu_gap_seconds"] = old[r["name"]]["cpu_gap_seconds"]
    return rows


def _rows(cold: dict[str, dict[str, list[float]]], warm: dict[str, Any]) -> list[dict[str, Any]]:
    median = statistics.median
    bare = median(cold["bare"]["wall"])
    rows = [row("ward cold: python -c pass", median(cold["python"]["wall"]), cpu_seconds=median(cold["python"]["cpu"])),
            row(f"ward cold: bare import ({BARE_IMPORT})", bare, cpu_seconds=median(cold["bare"]["cpu"]))]
    help_wall = median(cold["help"]["wall"])
    help_cpu = median(cold["help"]["cpu"])
    rows.append(row("ward cold: dvk --help", help_wall, target=f"<= {TARGET_HELP} s", met=help_wall <= TARGET_HELP,
                    cpu_seconds=help_cpu, met_cpu=help_cpu <= TARGET_HELP))
    for action in ACTIONS:
        walls = cold[action]["wall"]
        gap = median([w - b for w, b in zip(walls, cold["bare"]["wall"], strict=True)])  # paired per round
        cpu_gap = median([c - b for c, b in zip(cold[action]["cpu"], cold["bare"]["cpu"], strict=True)])
        rows.append(row(f"ward cold: dvk {action} (whole process)", median(walls), bare,
                        target=f"<= bare import + {TARGET_COLD_GAP} s", met=gap <= TARGET_COLD_GAP,
                        gap_seconds=round(gap, 4), cpu_seconds=median(cold[action]["cpu"]),
                        bare_cpu_seconds=median(cold["bare"]["cpu"]), cpu_gap_seconds=round(cpu_gap, 4),
                        met_cpu=cpu_gap <= TARGET_COLD_GAP))
    for action in ACTIONS:
        first = warm["first"][action]
        seconds = median(warm["warm"][action])
        rows.append(row(f"ward warm: {action} (second call)", seconds, first, target=f"<= {TARGET_WARM} s",
                        met=seconds <= TARGET_WARM, baseline_is="the first call in the same process",
                        cpu_seconds=median(warm["warm_cpu"][action]),
                        met_cpu=median(warm["warm_cpu"][action]) <= TARGET_WARM,
                        same_result=warm["same"][action]))
        for phase, spent in warm["phases"][action].items():
            rows.append(row(f"ward warm: {action} · {phase}", spent))
    unchanged = median(warm["unchanged"])
    rows.append(row("ward warm: consolidate again, nothing new (master untouched)", unchanged,
                    target=f"<= {TARGET_WARM} s, master not rewritten",
                    met=unchanged <= TARGET_WARM and warm["untouched"]))
    return rows


def render(rows: list[dict[str, Any]]) -> str:
    """The rows as a table: met is given for wall seconds and, after the slash, for CPU seconds (the
    figure an idle machine would show; on a shared machine waiting for a core inflates wall time)."""
    def cell(value: Any, fmt: str) -> str:
        return "" if value is None else format(value, fmt)

    lines = [f"{'case':<70} {'seconds':>8} {'baseline':>9} {'ratio':>6} {'cpu s':>6}  {'target':<30} "
             f"{'met':<8} notes (wall/cpu)", "-" * 160]
    for r in rows:
        met = "" if r["met"] is None else ("yes" if r["met"] else "NO")
        if "met_cpu" in r:
            met += "/" + ("yes" if r["met_cpu"] else "NO")
        notes = []
        if "gap_seconds" in r:
            notes.append(f"gap {r['gap_seconds']:+.3f}/{r['cpu_gap_seconds']:+.3f} s")
        if "before_seconds" in r:
            before = f"before {r['before_seconds']:.3f}"
            if "before_cpu_seconds" in r:
                before += f"/{r['before_cpu_seconds']:.3f}"
            if "before_gap_seconds" in r:
                before += f" (gap {r['before_gap_seconds']:+.3f}/{r['before_cpu_gap_seconds']:+.3f} s)"
            notes.append(before)
        lines.append(f"{r['name']:<70} {cell(r['seconds'], '8.3f')} {cell(r['baseline_seconds'], '9.3f')} "
                     f"{cell(r['ratio'], '6.2f')} {cell(r.get('cpu_seconds'), '6.3f')}  {r['target']:<30} "
                     f"{met:<8} {'; '.join(notes)}".rstrip())
    return "\n".join(lines)


def run(quick: bool = False, before: Path | None = None) -> dict[str, Any]:
    """Build the demo ward, measure, and return {"rows": [...], "machine": {...}} (JSON-able).

    ``before``: a source folder of an older dvk_xl, measured in the same run (see the module's doc).
    """
    rounds, repeat = (3, 3) if quick else (7, 5)
    OUT.mkdir(parents=True, exist_ok=True)
    root = Path(tempfile.mkdtemp(prefix="bench-ward-", dir=OUT))
    here = HERE.parent
    versions: dict[str, Path | None] = {"": here if before else None}
    if before:
        versions["before"] = Path(before).resolve()
    for src in {here, *(v for v in versions.values() if v)}:
        byte_compile(src)
    try:
        ward = make_ward(root / "ward")
        load_before = os.getloadavg()
        warm, warm_before = warm_processes(ward, repeat, root, versions, pairs=1 if quick else 2)
        cold = cold_rounds(ward, rounds, root, versions)
        load_after = os.getloadavg()
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return {
        "benchmark": "ward",
        "rows": build_rows(cold, warm, warm_before),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform(),
                    "load_average_before": [round(x, 2) for x in load_before],
                    "load_average_after": [round(x, 2) for x in load_after]},
        "settings": {"quick": quick, "cold_rounds": rounds, "warm_calls": repeat, "files": 12,
                     "before": str(before) if before else None,
                     "date": date.today().isoformat()},
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="3 cold rounds and 3 warm calls (a smoke run)")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--before", type=Path, help="a folder holding an older dvk_xl, measured in the same run")
    parser.add_argument("--src", type=Path, help=argparse.SUPPRESS)  # the warm child: dvk_xl from this folder
    parser.add_argument("--child", help=argparse.SUPPRESS)  # the warm process: the ward's files as JSON
    parser.add_argument("--repeat", type=int, default=5, help=argparse.SUPPRESS)
    parser.add_argument("--root", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        if args.src:
            sys.meta_path[:] = [f for f in sys.meta_path if "editable" not in repr(f)]
            sys.path.insert(0, str(args.src))
        ward = {k: Path(v) for k, v in json.loads(args.child).items()}
        print(json.dumps(warm_child(ward, args.repeat, args.root)))
        return 0
    results = run(quick=args.quick, before=args.before)
    print(render(results["rows"]))
    machine = results["machine"]
    print(f"\n{machine['cpus']} cores, Python {machine['python']}; load average before "
          f"{machine['load_average_before'][0]}, after {machine['load_average_after'][0]}; medians of "
          f"{results['settings']['cold_rounds']} cold rounds and {results['settings']['warm_calls']} warm calls")
    target = args.json or OUT / "ward.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"JSON: {target}")
    missed = [r["name"] for r in results["rows"] if r["met"] is False]
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
