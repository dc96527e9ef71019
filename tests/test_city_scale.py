"""The city-scale fast paths give exactly what the per-cell code they replace gave."""

from __future__ import annotations

import io
import random
import zipfile
from collections import defaultdict
from datetime import date, datetime
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from dvk_xl.core import text
from dvk_xl.core.kinds import ModelKind
from dvk_xl.intake import reading, validation, xlsx_parts
from dvk_xl.intake.inbox import REASON_MASTER, scan_inbox
from dvk_xl.intake.reading import ReturnedFile
from dvk_xl.spec.forms import PL01
from dvk_xl.workbook.cells import excel_value, frame_cells
from dvk_xl.workbook.xlsx_patch import _cell, _CellMemo


def test_frame_cells_are_excel_value_of_every_cell():
    frame = pd.DataFrame({
        "text": ["a", None, ModelKind.NEW, float("nan")],
        "number": [1.5, float("nan"), 3.0, -0.0],
        "count": np.array([1, 2, 3, 4], dtype="int64"),
        "when": pd.to_datetime(["2026-01-02", None, "2026-03-04", "2026-05-06"]),
        "day": [date(2026, 1, 2), datetime(2026, 1, 2, 3, 4), None, np.int64(7)],
    })
    expected = [[excel_value(v) for v in row] for row in frame.itertuples(index=False, name=None)]
    got = list(frame_cells(frame))
    assert _same_cells(got, expected)
    assert [[type(v) for v in row] for row in got] == [[type(v) for v in row] for row in expected]
    assert len(frame_cells(frame)) == 4 and list(frame_cells(frame.iloc[:, :0])) == [[]] * 4


def _same_cells(got, expected):
    return all(g == e or (g != g and e != e) for gr, er in zip(got, expected, strict=True)
               for g, e in zip(gr, er, strict=True))


def test_cell_memo_writes_what_cell_writes_even_past_its_limit():
    memo = _CellMemo()
    memo.DISTINCT = 8
    values = ["abc", "", None, 5, True, False, 0, 1, date(2026, 1, 2), datetime(2026, 1, 2, 3, 4), "x" * 100,
              1.5, -0.0, 0.0, "a<b&\"", "\x01", "=SUM(A1)", *[f"DVK-2026-CB{i}" for i in range(30)]]
    for style in (None, "3", "12"):
        for value in values * 2:
            for row in (7, 123456):
                assert memo("AB", row, value, style) == _cell(f"AB{row}", value, style), (value, style, row)
    assert memo.tails["AB"] is None  # more distinct values than the limit: no longer memoised


def _zip(parts: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize("method", [zipfile.ZIP_DEFLATED, zipfile.ZIP_STORED])
def test_zip_parts_read_from_the_bytes_equal_zipfile(method):
    parts = {"small.xml": b"<?xml version='1.0'?><a/>", "big.xml": b"<r>" + b"<c>x</c>" * 5000 + b"</r>",
             "xl/workbook.xml": "<t>Đơn vị</t>".encode()}
    data = _zip(parts, method)
    archive = zipfile.ZipFile(io.BytesIO(data))
    for info in archive.infolist():
        assert xlsx_parts.part_bytes(archive, data, info) == archive.read(info)
        with archive.open(info) as part:
            assert xlsx_parts.part_bytes(archive, data, info, 512) == part.read(512)
        assert xlsx_parts.read_part(archive, data, info.filename) == archive.read(info)


def test_a_broken_zip_part_raises_what_zipfile_raises():
    data = bytearray(_zip({"a.xml": b"<?xml version='1.0'?><a>" + b"y" * 100 + b"</a>"}, zipfile.ZIP_STORED))
    at = data.index(b"yyyy")
    data[at] = ord("z")  # the stored bytes no longer match their CRC
    data = bytes(data)
    archive = zipfile.ZipFile(io.BytesIO(data))
    info = archive.infolist()[0]
    with pytest.raises(zipfile.BadZipFile):
        archive.read(info)
    with pytest.raises(zipfile.BadZipFile):
        xlsx_parts.part_bytes(archive, data, info)
    assert xlsx_parts.part_bytes(None, data, info) is None


def _similar_reference(frame, campaign):
    """The check as it was (every row against every earlier one): the expected warnings."""
    by_key = defaultdict(list)
    for key, entries in campaign.existing_models.items():
        by_key[key].extend(entries)
    similarity = frame["name"].map(lambda v: text.similarity_key(v) if v else "")
    units = [text.clean(u) for u in frame["_unit"]]
    for unit, name, key in zip(units, frame["name"], similarity, strict=True):
        if key and unit:
            by_key[key].append((unit, name))
    out = []
    for index, unit, key in zip(frame.index, units, similarity, strict=True):
        others = sorted({text.clean(u) for u, _ in by_key.get(key, []) if text.clean(u) and u != unit}) \
            if key and unit else []
        if others:
            out.append((int(frame["_file"].iat[index]), int(frame["_row"].iat[index]), ", ".join(others[:3])))
    return out


@pytest.mark.parametrize("seed", range(5))
def test_similar_models_are_found_as_by_the_pairwise_check(seed):
    rng = random.Random(seed)
    names = ["Mô hình Dân vận khéo xanh", "Dân vận khéo: xanh", "Tuyến phố văn minh", "tuyến phố  văn minh",
             "Chợ an toàn", "", None, "Nhà nhân ái"]
    units = ["CB01", "CB02", " CB03", "CB04", "", None, "MT01"]
    files = [ReturnedFile(path=reading.Path(f"f{i}.xlsx"), sheet=PL01.sheet, columns={"name": 1}) for i in range(6)]
    rows = [{"name": rng.choice(names), "_file": rng.randrange(6), "_row": 5 + i, "_unit": rng.choice(units)}
            for i in range(60)]
    frame = pd.DataFrame(rows)
    existing = defaultdict(list)
    for _ in range(6):
        name = rng.choice([n for n in names if n])
        existing[text.similarity_key(name)].append((rng.choice(["CB01", "CB09", "CB 09"]), name))
    campaign = SimpleNamespace(existing_models=dict(existing))
    validation.check_duplicates(frame, files, PL01, campaign)
    got = [(i, int(f.cell.removeprefix("B")), f.message.split("mô hình của đơn vị ")[1].split(";")[0])
           for i, file in enumerate(files) for f in file.findings]
    assert sorted(got) == sorted(_similar_reference(frame, campaign))
    assert all(f.code == "similar-model" and f.severity == "warning" for file in files for f in file.findings)


def test_a_link_to_the_master_in_the_inbox_is_still_the_master(returned, tmp_path):
    inbox = tmp_path / "hop_thu"
    inbox.mkdir()
    (inbox / "so_tong_hop_ban_sao.xlsx").symlink_to(returned.master)
    (inbox / "PL01_CB01.xlsx").write_bytes(b"a unit's file")
    scan = scan_inbox(inbox, returned.master)
    assert {s.path.name: s.reason for s in scan.skipped} == {"so_tong_hop_ban_sao.xlsx": REASON_MASTER}
    assert [p.name for p in scan.paths] == ["PL01_CB01.xlsx"]
