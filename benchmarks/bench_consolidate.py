"""Time ``consolidate`` end to end beside the naive pipeline and the raw floor, in one run.

    python benchmarks/bench_consolidate.py              # N = 60 and 1,000
    python benchmarks/bench_consolidate.py --n 10000    # one size (repeat --n for more)
    python benchmarks/bench_consolidate.py --full       # 60, 1,000 and 10,000

Variants, each run in its own child process so that its peak memory is its own:
  ours         dvk_xl.intake.consolidation.consolidate(master, inbox) on a fresh copy of the master
  ours-read    dvk_xl.intake.reading.read_returned on every file, one process (the reading part alone)
  calamine     python-calamine: all rows of the data sheet + the metadata sheet, one process
  openpyxl-ro  openpyxl read_only: the same cells, one process
  naive        openpyxl load_workbook + one pandera DataFrameSchema.validate per file, one process
  floor        unzip each file and parse every worksheet's XML (xml.etree), nothing else, one process
Slow variants are timed on an evenly spaced sample when N is large (--sample) and scaled to N;
the table says so. Results also go to benchmarks/out/results.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
OUT = HERE / "out"
VARIANTS = ("ours", "ours-read", "calamine", "openpyxl-ro", "naive", "floor")
SAMPLED = {"naive", "openpyxl-ro"}  # too slow to run on every file of a large set
TARGETS = {"seconds_10000": 10.0, "speedup": 20.0, "read_overhead": 3.0, "peak_mb": 1024.0}


# --- the variants (run inside the child process) -----------------------------------------------


def run_ours(paths: list[Path], bench_dir: Path, work: Path) -> dict[str, Any]:
    imported = time.perf_counter()
    from dvk_xl.core.progress import STEP_CHECK, STEP_MERGE, STEP_SAVE
    from dvk_xl.intake import pipeline
    from dvk_xl.intake.consolidation import consolidate

    imports = time.perf_counter() - imported

    master_src = next((bench_dir / "master").glob("*.xlsx"))
    master = work / "master" / master_src.name
    master.parent.mkdir(parents=True)
    shutil.copy2(master_src, master)
    inbox = work / "inbox"  # hard links: the cached set stays intact whatever consolidate does
    inbox.mkdir()
    for path in paths:
        try:
            os.link(path, inbox / path.name)
        except OSError:
            shutil.copy2(path, inbox / path.name)
    # The phases, from the pipeline's own steps: the master loaded and the inbox scanned (until the
    # byte-identical files are set aside), every file read, the check, the merge (with archiving and
    # the log), the save. Marks are wall-clock times; memory is the process's own RSS at each mark.
    marks: dict[str, tuple[float, float]] = {}
    split = pipeline.split_unchanged

    def split_and_mark(*args: Any, **kwargs: Any) -> Any:
        result = split(*args, **kwargs)
        marks.setdefault("load", (time.perf_counter(), _rss_mb()))
        return result

    def progress(done: int, total: int, label: str) -> None:
        step = {STEP_CHECK: "read", STEP_MERGE: "check", STEP_SAVE: "merge"}.get(label)
        if step:
            marks.setdefault(step, (time.perf_counter(), _rss_mb()))

    pipeline.split_unchanged = split_and_mark
    started = time.perf_counter()
    report = consolidate(master, inbox, progress=progress)
    seconds = time.perf_counter() - started
    marks["save"] = (time.perf_counter(), _rss_mb())
    phases, rss, before = {}, {}, started
    for name in ("load", "read", "check", "merge", "save"):
        if name in marks:
            phases[name], rss[name] = round(marks[name][0] - before, 3), round(marks[name][1])
            before = marks[name][0]
    summary = report.summary() if hasattr(report, "summary") else {}
    keep = ("files", "accepted", "rejected", "unchanged", "superseded", "models", "errors", "warnings")
    return {"seconds": seconds, "imports": imports, "phases": phases, "rss_mb_after": rss,
            "detail": {k: summary[k] for k in keep if k in summary}}


def _rss_mb() -> float:
    try:
        with open("/proc/self/status") as handle:
            return next(int(x.split()[1]) for x in handle if x.startswith("VmRSS:")) / 1024
    except (OSError, StopIteration):
        return 0.0


def run_ours_read(paths: list[Path], bench_dir: Path, work: Path) -> dict[str, Any]:
    from dvk_xl.intake.reading import read_returned

    started = time.perf_counter()
    files = [read_returned(p) for p in paths]
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "detail": {"rows": sum(len(f.rows) for f in files),
                                           "findings": sum(len(f.findings) for f in files)}}


def run_calamine(paths: list[Path], bench_dir: Path, work: Path) -> dict[str, Any]:
    from python_calamine import CalamineWorkbook

    from dvk_xl.spec.forms import METADATA_SHEET, PL01

    started = time.perf_counter()
    cells = 0
    for path in paths:
        book = CalamineWorkbook.from_path(str(path))
        meta = book.get_sheet_by_name(METADATA_SHEET).to_python()
        grid = book.get_sheet_by_name(PL01.sheet).to_python(skip_empty_area=False)
        cells += sum(len(r) for r in grid) + sum(len(r) for r in meta)
    return {"seconds": time.perf_counter() - started, "detail": {"cells": cells}}


def run_openpyxl_ro(paths: list[Path], bench_dir: Path, work: Path) -> dict[str, Any]:
    from openpyxl import load_workbook

    from dvk_xl.spec.forms import METADATA_SHEET, PL01

    started = time.perf_counter()
    cells = 0
    for path in paths:
        book = load_workbook(path, read_only=True)
        for name in (METADATA_SHEET, PL01.sheet):
            cells += sum(len(r) for r in book[name].iter_rows(values_only=True))
        book.close()
    return {"seconds": time.perf_counter() - started, "detail": {"cells": cells}}


def naive_schema() -> Any:
    """One pandera schema over the PL01 columns: required columns, types, allowed lists."""
    import pandera.pandas as pa

    from dvk_xl.spec.forms import DEFAULT_LISTS, PL01

    columns = {}
    for column in PL01.columns:
        checks = [pa.Check.isin(DEFAULT_LISTS[column.choices])] if column.choices else []
        dtype = {"int": "Int64", "number": float, "date": "datetime64[ns]"}.get(column.type, str)
        nullable = not column.required or column.type == "int" and column.key == "stt"
        columns[column.key] = pa.Column(dtype, checks=checks, nullable=nullable, coerce=column.type != "text")
    return pa.DataFrameSchema(columns, strict=True)


def _naive_date(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return datetime.strptime(value.strip(), "%d/%m/%Y")
        except ValueError:
            return None
    return value


def run_naive(paths: list[Path], bench_dir: Path, work: Path) -> dict[str, Any]:
    import pandas as pd
    import pandera.errors
    from openpyxl import load_workbook

    from dvk_xl.spec.forms import METADATA_SHEET, PL01

    schema = naive_schema()
    started = time.perf_counter()
    rows = failures = 0
    for path in paths:
        book = load_workbook(path)
        meta = {r[0]: r[1] for r in book[METADATA_SHEET].iter_rows(values_only=True)}
        ws = book[PL01.sheet]
        header = next(r[0].row for r in ws.iter_rows(max_col=1) if r[0].value == PL01.headers[0])
        records = []
        for values in ws.iter_rows(min_row=header + 1, max_col=len(PL01.columns), values_only=True):
            if not any(v not in (None, "") for v in values[1:]):
                break
            records.append(values)
        frame = pd.DataFrame(records, columns=PL01.keys)
        for column in PL01.columns:
            if column.type == "date":
                frame[column.key] = frame[column.key].map(_naive_date)
            elif column.type == "text":
                frame[column.key] = frame[column.key].map(lambda v: None if v is None else str(v))
        frame.attrs["unit"] = meta.get("unit_code")
        try:
            schema.validate(frame, lazy=True)
        except pandera.errors.SchemaErrors as exc:
            failures += len(exc.failure_cases)
        rows += len(frame)
    return {"seconds": time.perf_counter() - started, "detail": {"rows": rows, "failure_cases": failures}}


def run_floor(paths: list[Path], bench_dir: Path, work: Path) -> dict[str, Any]:
    import xml.etree.ElementTree as ET
    import zipfile

    main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    value_tags = {f"{main}v", f"{main}t"}
    started = time.perf_counter()
    values = 0
    for path in paths:
        with zipfile.ZipFile(path) as archive:
            for name in archive.namelist():
                if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                    root = ET.fromstring(archive.read(name))
                    values += sum(1 for el in root.iter() if el.tag in value_tags and el.text)
    return {"seconds": time.perf_counter() - started, "detail": {"values": values}}


RUNNERS: dict[str, Callable[[list[Path], Path, Path], dict[str, Any]]] = {
    "ours": run_ours, "ours-read": run_ours_read, "calamine": run_calamine, "openpyxl-ro": run_openpyxl_ro,
    "naive": run_naive, "floor": run_floor,
}


def sample(paths: list[Path], limit: int | None) -> list[Path]:
    if not limit or limit >= len(paths):
        return paths
    step = len(paths) / limit
    return [paths[int(i * step)] for i in range(limit)]


def own_peak_mb() -> float:
    """This process's peak RSS. VmHWM belongs to the current address space; ru_maxrss would not do:
    Linux carries it over fork and exec, so a child would report its parent's size."""
    try:
        with open("/proc/self/status") as handle:
            for line in handle:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(variant: str, bench_dir: Path, limit: int | None, work: Path) -> None:
    paths = sample(sorted((bench_dir / "inbox").glob("*.xlsx")), limit)
    result = RUNNERS[variant](paths, bench_dir, work)
    result["files"] = len(paths)
    result["hwm_mb"] = own_peak_mb()
    print("RESULT " + json.dumps(result, default=str))


# --- the parent: run each variant in a child, watch its memory ------------------------------


def _descendants(root: int) -> set[int]:
    """``root`` and every process below it, from the parent pids in /proc."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", "rb") as handle:
                    parents[int(entry)] = int(handle.read().rsplit(b")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
    tree, frontier = {root}, [root]
    while frontier:
        pid = frontier.pop()
        for child_pid, parent in parents.items():
            if parent == pid and child_pid not in tree:
                tree.add(child_pid)
                frontier.append(child_pid)
    return tree


def _memory_mb(pids: set[int]) -> float:
    """Proportional set size (Pss) of ``pids``: pages workers share with their parent after fork count once."""
    kilobytes = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/smaps_rollup") as handle:
                kilobytes += next(int(x.split()[1]) for x in handle if x.startswith("Pss:"))
        except (OSError, StopIteration, IndexError, ValueError):
            continue
    return kilobytes / 1024


def measure(variant: str, bench_dir: Path, limit: int | None, timeout: float | None = None) -> dict[str, Any]:
    work = OUT / "run" / variant
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    command = [sys.executable, str(Path(__file__).resolve()), "--child", variant, "--dir", str(bench_dir),
               "--work", str(work)] + (["--limit", str(limit)] if limit else [])
    started = time.perf_counter()
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    # Its own session, so a run past the time limit is stopped with its workers and nothing else.
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               start_new_session=True)
    peak = {"mb": 0.0, "procs": 1}
    watching = os.path.isdir("/proc")

    def watch() -> None:
        # Light sampling (the watcher shares the cores it measures): memory every 0.1 s, the process
        # tree every 0.5 s; a short spike of the main process is still caught by its own VmHWM.
        pids, tick = {process.pid}, 0
        while watching and process.poll() is None:
            if tick % 5 == 0:
                pids = _descendants(process.pid)
                peak["procs"] = max(peak["procs"], len(pids))
            peak["mb"] = max(peak["mb"], _memory_mb(pids))
            tick += 1
            time.sleep(0.1)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        watcher.join()
        shutil.rmtree(work, ignore_errors=True)
        return {"variant": variant, "error": f"stopped after the {timeout:.0f} s time limit (--timeout)"}
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)  # the child and the workers it waited for
    cpu = (after.ru_utime - usage.ru_utime) + (after.ru_stime - usage.ru_stime)
    watcher.join()
    shutil.rmtree(work, ignore_errors=True)
    line = next((x for x in reversed(stdout.splitlines()) if x.startswith("RESULT ")), None)
    if process.returncode or not line:
        tail = (stderr.strip().splitlines() or ["no output"])[-1]
        return {"variant": variant, "error": f"exit {process.returncode}: {tail}"}
    result = json.loads(line[len("RESULT "):])
    result.update(variant=variant, wall=wall, cpu=cpu, procs=peak["procs"],
                  peak_mb=max(peak["mb"], result["hwm_mb"]))
    return result


def available(variant: str) -> str | None:
    """Why a variant cannot run yet (the library may still be being written), or None."""
    import importlib

    needs = {"ours": ("dvk_xl.intake.consolidation", "consolidate"), "ours-read": ("dvk_xl.intake.reading", "read_returned")}
    if variant not in needs:
        return None
    module, name = needs[variant]
    try:
        if not hasattr(importlib.import_module(module), name):
            return f"{module}.{name} does not exist yet"
    except ImportError as exc:
        return f"{module} cannot be imported yet ({exc})"
    return None


def bench_size(n: int, variants: Sequence[str], sample_size: int, repeat: int | None = None,
               timeout: float | None = None, out: Path | None = None) -> list[dict[str, Any]]:
    from generate import generate

    bench = generate(n, out or OUT)
    state = "cached" if bench.cached else f"generated in {bench.seconds:.1f} s"
    print(f"\nN={n}: {len(bench.files)} files, {bench.rows} models ({state}: {bench.directory})", flush=True)
    results = []
    for variant in variants:
        missing = available(variant)
        if missing:
            print(f"  {variant:<12} skipped: {missing}", flush=True)
            results.append({"variant": variant, "n": n, "skipped": missing})
            continue
        limit = sample_size if variant in SAMPLED and n > max(sample_size, 1000) else None
        # Small sets take a fraction of a second, so noise from other processes matters: best of several.
        runs = [measure(variant, bench.directory, limit, timeout) for _ in range(repeat or (3 if n <= 100 else 1))]
        timed = [r for r in runs if "error" not in r]
        result = min(timed, key=lambda r: r["seconds"]) if timed else runs[0]
        if timed:
            result["peak_mb"] = max(r["peak_mb"] for r in timed)
            result["runs"] = len(timed)
        result["n"] = n
        if "error" in result:
            print(f"  {variant:<12} FAILED: {result['error']}", flush=True)
        else:
            result["ms_per_file"] = 1000 * result["seconds"] / result["files"]
            result["estimated"] = result["files"] < n
            result["seconds_n"] = result["seconds"] * n / result["files"]
            note = f" (from a {result['files']}-file sample)" if result["estimated"] else ""
            print(f"  {variant:<12} {result['seconds_n']:8.2f} s  {result['ms_per_file']:7.2f} ms/file  "
                  f"{result['peak_mb']:7.0f} MB{note}", flush=True)
            accepted = result.get("detail", {}).get("accepted")
            if variant == "ours" and accepted is not None and accepted != n:
                # Every generated file is valid and from a different unit: all must be accepted.
                result["warning"] = f"consolidate accepted {accepted} of {n} valid files: {result['detail']}"
                print(f"  WARNING: {result['warning']}", flush=True)
        results.append(result)
    return results


def ratios(results: list[dict[str, Any]]) -> dict[int, dict[str, float]]:
    by = {(r["n"], r["variant"]): r for r in results if "seconds" in r}
    out: dict[int, dict[str, float]] = {}
    for n in sorted({r["n"] for r in results}):
        ours, naive, floor, read = (by.get((n, v)) for v in ("ours", "naive", "floor", "ours-read"))
        calamine, openpyxl_ro = by.get((n, "calamine")), by.get((n, "openpyxl-ro"))
        entry: dict[str, float] = {}
        if ours and naive:
            entry["speedup_vs_naive"] = naive["seconds_n"] / ours["seconds_n"]
        if ours and floor:
            entry["ours_vs_floor"] = ours["seconds_n"] / floor["seconds_n"]
        if read and floor:
            entry["read_vs_floor"] = read["seconds_n"] / floor["seconds_n"]
        if calamine and openpyxl_ro:
            entry["openpyxl_ro_vs_calamine"] = openpyxl_ro["ms_per_file"] / calamine["ms_per_file"]
        out[n] = entry
    return out


def render(results: list[dict[str, Any]], ratio: dict[int, dict[str, float]]) -> str:
    lines = ["", "| variant | N | seconds | ms/file | process wall s | peak MB | processes | note |",
             "|---|---:|---:|---:|---:|---:|---:|---|"]
    for r in results:
        if "seconds" not in r:
            lines.append(f"| {r['variant']} | {r['n']} | | | | | | {r.get('skipped') or r.get('error')} |")
            continue
        note = f"estimated from {r['files']} files" if r["estimated"] else ""
        wall = "" if r["estimated"] else f"{r['wall']:.2f}"
        lines.append(f"| {r['variant']} | {r['n']:,} | {r['seconds_n']:.2f} | {r['ms_per_file']:.2f} | {wall} | "
                     f"{r['peak_mb']:.0f} | {r['procs']} | {note} |")
    lines.append("")
    names = {"speedup_vs_naive": "ours vs naive (speed-up)", "ours_vs_floor": "ours vs floor (overhead)",
             "read_vs_floor": "ours-read vs floor (reading overhead)",
             "openpyxl_ro_vs_calamine": "openpyxl read_only vs calamine"}
    for n, entry in ratio.items():
        parts = [f"{names[k]} {v:.1f}×" for k, v in entry.items()]
        lines.append(f"N={n:,}: " + ("; ".join(parts) if parts else "no ratios (variants missing)"))
    return "\n".join(lines)


def verdicts(results: list[dict[str, Any]], ratio: dict[int, dict[str, float]]) -> list[str]:
    """The issue's targets, checked on the largest N measured."""
    done = [r for r in results if "seconds" in r]
    if not done:
        return []
    n = max(r["n"] for r in done)
    by = {r["variant"]: r for r in done if r["n"] == n}
    out = [f"Targets (checked at N={n:,}; the 10 s target is for N=10,000):"]

    def line(ok: bool | None, text: str) -> None:
        out.append(f"  [{'ok' if ok else 'MISSED' if ok is not None else 'n/a'}] {text}")

    ours = by.get("ours")
    if ours:
        scaled = ours["wall"] * 10_000 / n
        target = TARGETS["seconds_10000"]
        line(scaled <= target if n >= 1000 else None,
             f"10,000 files ≤ {target:.0f} s end to end: {ours['wall']:.2f} s for {n:,} files"
             f" (process wall incl. imports){'' if n == 10_000 else f', ~{scaled:.1f} s for 10,000 if linear'}")
        line(ours["peak_mb"] < TARGETS["peak_mb"], f"peak memory < 1 GB: {ours['peak_mb']:.0f} MB")
    else:
        line(None, "consolidate not measured")
    speedup = ratio.get(n, {}).get("speedup_vs_naive")
    line(None if speedup is None else speedup >= TARGETS["speedup"],
         f"≥ {TARGETS['speedup']:.0f}× faster than naive: " + (f"{speedup:.1f}×" if speedup else "n/a"))
    overhead = ratio.get(n, {}).get("read_vs_floor")
    line(None if overhead is None else overhead <= TARGETS["read_overhead"],
         f"reading within {TARGETS['read_overhead']:.0f}× of the floor: " + (f"{overhead:.1f}×" if overhead else "n/a"))
    return out


# --- rows for the one ``make bench`` table (benchmarks/bench.py) --------------------------------

CITY_TARGETS = {"seconds_10000": 10.0, "speedup": 20.0, "peak_mb": 500.0}
RUN_VARIANTS = ("ours", "naive", "floor")


def city_rows(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per N: ours end to end against naive and the floor measured in the same run."""
    by = {(r["n"], r["variant"]): r for r in results if "seconds" in r}
    rows = []
    for n in sorted({r["n"] for r in results}):
        ours, naive, floor = (by.get((n, v)) for v in RUN_VARIANTS)
        if not ours:
            failed = next((r for r in results if r["n"] == n and r["variant"] == "ours"), {})
            rows.append({"name": f"city: consolidate {n:,} files", "seconds": None, "baseline_seconds": None,
                         "ratio": None, "target": "", "met": None,
                         "note": failed.get("error") or failed.get("skipped") or "not measured"})
            continue
        end_to_end = ours["seconds"] + ours.get("imports", 0.0)
        speedup = naive["seconds_n"] / ours["seconds"] if naive else None
        over_floor = ours["seconds"] / floor["seconds_n"] if floor else None
        targets, met = [f">= {CITY_TARGETS['speedup']:.0f}x naive", f"peak <= {CITY_TARGETS['peak_mb']:.0f} MB"], [
            speedup is not None and speedup >= CITY_TARGETS["speedup"], ours["peak_mb"] <= CITY_TARGETS["peak_mb"]]
        if n == 10_000:
            targets.insert(0, f"<= {CITY_TARGETS['seconds_10000']:.0f} s")
            met.insert(0, end_to_end <= CITY_TARGETS["seconds_10000"])
        models = ours.get("detail", {}).get("models")
        rows.append({
            "name": f"city: consolidate {n:,} files" + (f" ({models:,} models)" if models else ""),
            "seconds": round(end_to_end, 3), "cpu_seconds": round(ours.get("cpu", 0.0), 3),
            "baseline": "naive: openpyxl + pandera per file" + (" (sample, scaled)" if naive and naive["estimated"] else ""),
            "baseline_seconds": round(naive["seconds_n"], 3) if naive else None,
            "ratio": round(speedup, 2) if speedup else None,
            "ratio_is": "naive / ours, both without start-up and imports (ours: consolidate(); naive: its loop)",
            "floor_seconds": round(floor["seconds_n"], 3) if floor else None,
            "floor_ratio": round(over_floor, 2) if over_floor else None,
            "peak_mb": round(ours["peak_mb"]), "phases": {"imports": round(ours.get("imports", 0.0), 3),
                                                          **ours.get("phases", {})},
            "rss_mb_after": ours.get("rss_mb_after", {}),
            "target": ", ".join(targets), "met": all(met), "met_each": dict(zip(targets, met, strict=True)),
            "detail": ours.get("detail", {}),
        })
    return rows


def run(quick: bool = False, sizes: Sequence[int] | None = None, sample_size: int = 500,
        timeout: float | None = 1800, out: Path | None = None) -> dict[str, Any]:
    """Consolidate at city scale beside the naive pipeline and the floor, as rows for ``benchmarks/bench.py``.

    Full: N = 1,000 and 10,000 (naive on a ``sample_size``-file sample when N is larger, scaled);
    quick: N = 60, a smoke run of the same code.
    """
    sizes = list(sizes or ((60,) if quick else (1000, 10_000)))
    load_before = os.getloadavg()
    results = []
    for n in sizes:
        results.extend(bench_size(n, RUN_VARIANTS, sample_size, 1, timeout, out))
    return {"benchmark": "city", "rows": city_rows(results), "results": results,
            "load_average_before": [round(x, 2) for x in load_before],
            "load_average_after": [round(x, 2) for x in os.getloadavg()]}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Benchmark dvk consolidate against a naive pipeline and the raw floor.")
    parser.add_argument("--n", type=int, action="append", help="number of files (repeatable); default 60 and 1000")
    parser.add_argument("--full", action="store_true", help="N = 60, 1,000 and 10,000")
    parser.add_argument("--variants", default=",".join(VARIANTS), help=f"comma-separated subset of {','.join(VARIANTS)}")
    parser.add_argument("--sample", type=int, default=500,
                        help="files timed for naive and openpyxl-ro when N is above 1,000 (scaled to N)")
    parser.add_argument("--repeat", type=int, help="runs per variant, the fastest kept (default: 3 for N ≤ 100, else 1)")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds before a variant's run is stopped")
    parser.add_argument("--json", type=Path, default=OUT / "results.json", help="where to write the results")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--dir", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--work", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--limit", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child, args.dir, args.limit, args.work)
        return 0
    sizes = [60, 1000, 10_000] if args.full else (args.n or [60, 1000])
    variants = [v.strip() for v in args.variants.split(",") if v.strip()]
    unknown = [v for v in variants if v not in RUNNERS]
    if unknown:
        parser.error(f"unknown variant(s): {', '.join(unknown)}")
    print(f"Benchmark on {os.cpu_count()} CPU(s), Python {platform.python_version()}, {platform.platform()}")
    results = []
    for n in sizes:
        results.extend(bench_size(n, variants, args.sample, args.repeat, args.timeout))
    ratio = ratios(results)
    print(render(results, ratio))
    checks = verdicts(results, ratio)
    print("\n".join(checks))
    args.json.parent.mkdir(parents=True, exist_ok=True)
    document = {"date": date.today().isoformat(), "cpus": os.cpu_count(), "python": platform.python_version(),
                "platform": platform.platform(), "targets": TARGETS, "results": results,
                "ratios": {str(n): v for n, v in ratio.items()}, "verdicts": checks}
    args.json.write_text(json.dumps(document, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    print(f"\nResults written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
