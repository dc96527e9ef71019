"""Fuzzing the intake: a real Phụ lục 01 filled as in the demo, mutated at random (cell values of any
type in any cell, deleted and inserted rows, shuffled columns, the hidden sheet removed, extra
sheets, truncated or flipped bytes, random bytes), checked in batches by ``check_files``.

Whatever the file, no exception may escape and every file gets a status.
"""

from __future__ import annotations

import copy
import io
import itertools
import random
from datetime import date, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from dvk_xl.intake.consolidation import check_files
from dvk_xl.reports.templates import HEADER_ROW
from dvk_xl.spec.forms import METADATA_SHEET, PL01

FORMS_PER_BATCH = 10
BATCHES = 30  # 300 mutated forms in all
STATUSES = {"accepted", "rejected"}

WORDS = ["Tổng cộng", "Tổng cộng: 3 mô hình", "Cộng", "Ghi chú: …", "T/M BAN CHẤP HÀNH", "BÍ THƯ",
         "(Ký, ghi rõ họ tên)", "Nguyễn Văn Hùng", "Kinh tế", "Kinh te", "Mới", "Duy trì", "Tập thể",
         "31/11/2026", "01/03/2026", "2026", "=SUM(A1:A3)", "+84912", "-", "@x", "(1)", "", " ", "PL01", "CB02",
         "Đơn vị: Chi bộ (mã đơn vị: CB03)", "STT", "Tên mô hình", "x" * 5000]

values = st.one_of(
    st.none(), st.sampled_from(WORDS), st.text(max_size=30), st.integers(-10**12, 10**12),
    st.floats(allow_nan=True, allow_infinity=False), st.booleans(),
    st.dates(min_value=date(1900, 3, 1), max_value=date(2100, 1, 1)),
    st.datetimes(min_value=datetime(1900, 3, 1), max_value=datetime(2100, 1, 1)),
)
cells = st.tuples(st.integers(1, 60), st.integers(1, 22))
sheet_ops = st.one_of(
    st.tuples(st.just("set"), cells, values),
    st.tuples(st.just("delete_rows"), st.integers(1, 50), st.integers(1, 8)),
    st.tuples(st.just("insert_rows"), st.integers(1, 50), st.integers(1, 4)),
    st.tuples(st.just("shuffle_columns"), st.permutations(list(range(1, len(PL01.columns) + 1)))),
    st.tuples(st.just("drop_metadata")),
    st.tuples(st.just("meta"), st.sampled_from(["committee", "year", "unit_code", "form_id", "form_version",
                                                "frame_texts"]), values),
    st.tuples(st.just("other_sheet"), st.lists(st.tuples(cells, values), max_size=5)),
    st.tuples(st.just("rename_sheet"), st.sampled_from(["Sheet1", "Phụ lục 1", "_dvk2"])),
    st.tuples(st.just("copy_table"), st.integers(0, 12)),
)
byte_ops = st.one_of(
    st.tuples(st.just("truncate"), st.floats(0.0, 1.0)),
    st.tuples(st.just("flip"), st.floats(0.0, 1.0), st.integers(0, 255)),
    st.tuples(st.just("random"), st.binary(max_size=2000)),
)
names = st.sampled_from(["PL01_CB01_Chi_bo_Khu_dan_cu_so_1.xlsx", "dang ky.xlsx", "PL01_CB02_ban sao.xlsx",
                         "CB01 CB03.xlsx", "mau.xls", "mau.ods", "mau.xlsm"])
form = st.tuples(st.lists(sheet_ops, max_size=6), st.lists(byte_ops, max_size=1), names)


@pytest.fixture(scope="module")
def demo_form(tmp_path_factory) -> tuple[Path, bytes]:
    """A ward master and CB01's Phụ lục 01 filled with the demo's models."""
    from dvk_xl.demo.run import DEMO_COMMITTEE, DEMO_MODELS, DEMO_UNITS, fill_template
    from dvk_xl.master.book import init_master
    from dvk_xl.reports.templates import write_templates

    folder = tmp_path_factory.mktemp("fuzz")
    master = init_master(folder, committee=DEMO_COMMITTEE, preset="phuong", units=DEMO_UNITS).path
    template = write_templates(master, folder / "forms", units=["CB01"]).paths[0]
    filled = fill_template(template, DEMO_MODELS["CB01"], folder / "filled.xlsx")
    return master, filled.read_bytes()


def mutate(base: bytes, loaded, ops: list[tuple], raw: list[tuple]) -> bytes:
    """The form's bytes after the sheet operations (on a copy of the loaded ``base``) and the byte ones."""
    data = base
    if ops:
        book = copy.deepcopy(loaded)  # faster than parsing the workbook again
        ws = book[PL01.sheet]
        for op in ops:
            try:
                book, ws = apply(book, ws, op)
            except Exception:  # noqa: BLE001 - openpyxl refuses some values (control characters): skip the op
                continue
        out = io.BytesIO()
        try:
            book.save(out)
            data = out.getvalue()
        except Exception:  # noqa: BLE001 - a value openpyxl cannot write: keep the form unmutated
            data = base
    for op in raw:
        if op[0] == "truncate":
            data = data[: int(len(data) * op[1])]
        elif op[0] == "flip" and data:
            at = min(len(data) - 1, int(len(data) * op[1]))
            data = data[:at] + bytes([op[2]]) + data[at + 1:]
        elif op[0] == "random":
            data = op[1]
    return data


def apply(book, ws, op: tuple):
    """One operation on the form; returns the (possibly new) workbook and data sheet."""
    kind = op[0]
    if kind == "set":
        (row, column), value = op[1], op[2]
        for merged in [r for r in ws.merged_cells.ranges if (row, column) in list(r.cells)]:
            ws.unmerge_cells(str(merged))
        ws.cell(row, column).value = value
    elif kind == "delete_rows":
        ws.delete_rows(op[1], op[2])
    elif kind == "insert_rows":
        ws.insert_rows(op[1], op[2])
    elif kind == "shuffle_columns":
        for merged in list(ws.merged_cells.ranges):
            ws.unmerge_cells(str(merged))
        order = op[1]
        grid = [[ws.cell(r, c).value for c in range(1, len(order) + 1)] for r in range(1, ws.max_row + 1)]
        for r, row in enumerate(grid, start=1):
            for c, source in enumerate(order, start=1):
                ws.cell(r, c).value = row[source - 1]
    elif kind == "drop_metadata" and METADATA_SHEET in book.sheetnames:
        del book[METADATA_SHEET]
    elif kind == "meta" and METADATA_SHEET in book.sheetnames:
        for row in book[METADATA_SHEET].iter_rows():
            if row[0].value == op[1]:
                row[1].value = op[2]
    elif kind == "other_sheet":
        other = book.create_sheet()
        for (row, column), value in op[1]:
            other.cell(row, column).value = value
    elif kind == "rename_sheet":
        ws.title = op[1]
    elif kind == "copy_table":  # the unit copied the table into a workbook of its own: no hidden sheet
        copied = Workbook()
        for row in ws.iter_rows(min_row=max(1, HEADER_ROW - op[1]), values_only=True):
            copied.active.append(row)
        return copied, copied.active
    return book, ws


def test_no_mutated_form_stops_the_batch(demo_form, tmp_path):
    master, base = demo_form
    loaded = load_workbook(io.BytesIO(base))
    checked = []
    batches = itertools.count()

    @settings(max_examples=BATCHES, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(batch=st.lists(form, min_size=FORMS_PER_BATCH, max_size=FORMS_PER_BATCH), seed=st.integers(0, 2**16))
    def check(batch, seed):
        folder = tmp_path / f"batch{next(batches)}"
        folder.mkdir()
        good = folder / "PL01_CB01_dung.xlsx"
        good.write_bytes(base)
        paths = [good]
        for i, (ops, raw, name) in enumerate(batch):
            path = folder / f"{i:02d}_{name}"
            path.write_bytes(mutate(base, loaded, ops, raw))
            paths.append(path)
        random.Random(seed).shuffle(paths)
        report = check_files(master, paths, workers=1)  # must not raise, whatever the files
        assert [o.path for o in report.files] == paths
        assert all(o.status in STATUSES for o in report.files)
        by_path = {o.path: o for o in report.files}
        assert by_path[good].status == "accepted", by_path[good].findings  # the others never spoil a good file
        for outcome in report.files:
            assert all(f.code != "internal-error" for f in outcome.findings), (outcome.path, outcome.findings)
        checked.extend(paths[1:] if paths[0] == good else [p for p in paths if p != good])

    check()
    assert len(checked) >= FORMS_PER_BATCH * BATCHES
