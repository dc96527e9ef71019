"""Time the checks across years (dvk_xl/intake/crossyear.py) at ward and city scale.

    python benchmarks/bench_crossyear.py            # 100 units × 10 and × 1,000 previous models each
    python benchmarks/bench_crossyear.py --naive    # also the pairwise difflib way, at the small size

For each size: indexing last year's models, then one check over a batch of 10 rows per unit (1,000
rows): 60% continued under last year's name, 10% continued with a word added (containment), 10%
continued unknown, 10% replicated from another unit, 10% replicated unknown; this year's register
holds one model per unit. Also: ``load_previous`` reading the table from a real master of 1,000 rows.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

WORDS = tuple(" ".join((  # the words model names are made of
    "khu dân cư sáng xanh sạch đẹp an toàn tổ phố văn minh hạnh phúc camera an ninh dòng họ khuyến học "
    "câu lạc bộ dưỡng sinh người cao tuổi tuyến ngõ không rác thải nhựa phụ nữ giúp nhau phát triển kinh tế "
    "thanh niên tình nguyện chuyển đổi số chính quyền thân thiện vì nhân dân phục vụ đoàn kết lương giáo "
    "tốt đời đẹp đạo vườn rau sạch bếp ăn bán trú nhà văn hóa thư viện cộng đồng hiến đất mở rộng đường",
)).split())


def model_name(rng: random.Random) -> str:
    return " ".join(rng.sample(WORDS, rng.randint(4, 8))).capitalize()


def build(units: int, per_unit: int, seed: int = 7):
    from dvk_xl.core.kinds import ModelKind
    from dvk_xl.intake.crossyear import PreviousModel

    rng = random.Random(seed)
    models = [PreviousModel(f"U{u:03d}", f"DVK-2025-U{u:03d}-{n}", f"DVK-2020-U{u:03d}-{n}", model_name(rng),
                            rng.randint(2015, 2025), withdrawn=False) for u in range(units) for n in range(per_unit)]
    mine: dict[str, list] = {}
    for model in models:
        mine.setdefault(model.unit, []).append(model)
    rows = []
    for u in range(units):
        unit = f"U{u:03d}"
        for n in range(10):
            kind, start = ModelKind.CONTINUED.value, 2024
            own = mine[unit][n % per_unit]
            if n < 6:
                name, start = own.name, own.start_year
            elif n == 6:
                name, start = own.name + " gắn biển", own.start_year
            elif n == 7:
                name = model_name(rng) + " mới lạ"
            elif n == 8:
                kind, name = ModelKind.REPLICATED.value, rng.choice(models).name
            else:
                kind, name = ModelKind.REPLICATED.value, model_name(rng) + " độc đáo"
            rows.append({"name": name, "kind": kind, "start_year": start, "_file": u, "_row": 8 + n, "_unit": unit})
    register = {}
    for u in range(units):
        name = model_name(rng)
        register.setdefault(name, []).append((f"U{u:03d}", name))
    return models, rows, register


def time_check(units: int, per_unit: int) -> dict[str, float]:
    import pandas as pd

    from dvk_xl.intake.crossyear import PreviousYear, check_across_years
    from dvk_xl.intake.reading import ReturnedFile
    from dvk_xl.intake.validation import Campaign

    models, rows, register = build(units, per_unit)
    started = time.perf_counter()
    previous = PreviousYear(2025)
    for model in models:
        previous.add(model)
    indexed = time.perf_counter() - started
    files = [ReturnedFile(Path(f"PL01_U{u:03d}.xlsx"), sheet="Phụ lục 01", columns={"name": 1, "start_year": 6})
             for u in range(units)]
    campaign = Campaign(year=2026, units={}, lists={}, existing_models=register, previous=previous)
    frame = pd.DataFrame(rows)
    started = time.perf_counter()
    check_across_years(frame, files, campaign)
    checked = time.perf_counter() - started
    codes: dict[str, int] = {}
    for file in files:
        for finding in file.findings:
            codes[finding.code] = codes.get(finding.code, 0) + 1
    return {"models": len(models), "rows": len(rows), "index_s": indexed, "check_s": checked, **codes}


def time_naive(units: int, per_unit: int) -> float:
    """Every row against every previous name with difflib: what an unindexed check would cost."""
    import difflib

    from dvk_xl.core import text

    models, rows, _ = build(units, per_unit)
    keys = [text.similarity_key(m.name) for m in models]
    started = time.perf_counter()
    for row in rows:
        key = text.similarity_key(row["name"])
        sorted(keys, key=lambda k: -difflib.SequenceMatcher(None, key, k).ratio())[:3]
    return time.perf_counter() - started


def time_load(models_count: int = 1000) -> float:
    import pandas as pd

    from dvk_xl.demo.run import DEMO_COMMITTEE, DEMO_UNITS
    from dvk_xl.intake.crossyear import load_previous
    from dvk_xl.master.book import init_master, load_units
    from dvk_xl.spec.forms import PREVIOUS_MODELS
    from dvk_xl.workbook.api import FileWorkbook

    rng = random.Random(3)
    with tempfile.TemporaryDirectory() as tmp:
        master = init_master(Path(tmp) / "m", committee=DEMO_COMMITTEE, preset="phuong", units=DEMO_UNITS).path
        wb = FileWorkbook(master)
        wb.ensure_table(PREVIOUS_MODELS)
        codes = [u["unit_code"] for u in DEMO_UNITS]
        frame = pd.DataFrame([{"year": 2025, "model_id": f"DVK-2025-X-{i}", "first_id": f"DVK-2020-X-{i}",
                               "unit_code": codes[i % len(codes)], "name": model_name(rng), "start_year": 2020}
                              for i in range(models_count)], columns=PREVIOUS_MODELS.keys)
        wb.write_table(PREVIOUS_MODELS.table, frame.rename(columns={c.key: c.header for c in PREVIOUS_MODELS.columns}))
        wb.save()
        started = time.perf_counter()
        wb = FileWorkbook(master)
        load_previous(wb, load_units(wb), 2026)
        return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--naive", action="store_true", help="also time the pairwise difflib way (small size)")
    args = parser.parse_args()
    for units, per_unit in ((100, 10), (100, 1000)):
        result = time_check(units, per_unit)
        rest = ", ".join(f"{k} {v}" for k, v in result.items() if k not in ("models", "rows", "index_s", "check_s"))
        print(f"{units} đơn vị × {per_unit} mô hình năm trước ({result['models']:,}), {result['rows']:,} dòng: "
              f"lập chỉ mục {result['index_s']:.3f} s, kiểm tra {result['check_s']:.3f} s ({rest})")
    if args.naive:
        print(f"cách so từng cặp (difflib), 100 × 10: {time_naive(100, 10):.2f} s")
    print(f"load_previous từ sổ thật, 1.000 mô hình năm trước: {time_load():.3f} s")


if __name__ == "__main__":
    main()
