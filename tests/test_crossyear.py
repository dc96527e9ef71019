"""Checks across years at Phụ lục 01 intake: “Duy trì” and “Nhân rộng” models against last year's."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from dvk_xl.core.kinds import ModelKind
from dvk_xl.intake.consolidation import check_files, consolidate
from dvk_xl.intake.crossyear import PreviousModel, PreviousYear, check_across_years, load_previous
from dvk_xl.intake.reading import ModelRow, ReturnedFile
from dvk_xl.intake.validation import Campaign
from dvk_xl.master.book import load_units
from dvk_xl.reports.templates import HEADER_ROW
from dvk_xl.shells.cli import main
from dvk_xl.spec.forms import PREVIOUS_MODELS, UNITS
from dvk_xl.workbook.api import FileWorkbook

from .conftest import GOOD_MODEL, NEW_MODEL, model

ROW = HEADER_ROW + 1
CROSS = {"continued-unknown", "replicated-unknown", "continued-start-year-changed", "new-ran-last-year"}

# Last year's register of the ward (2025), as ``dvk init --from`` carries it.
LAST_YEAR = [
    ("CB01", "DVK-2025-CB01-1", "DVK-2024-CB01-1", "Khu dân cư sáng - xanh - sạch - đẹp", 2024),
    ("CB01", "DVK-2025-CB01-2", "DVK-2025-CB01-2", "Câu lạc bộ dưỡng sinh người cao tuổi", 2025),
    ("CB01", "DVK-2025-CB01-3", "DVK-2023-CB01-2", "Tuyến ngõ không rác thải nhựa", 2023),
    ("CB01", "DVK-2025-CB01-4", "DVK-2025-CB01-4", "Dòng họ khuyến học", 2025),
    ("CB03", "DVK-2025-CB03-1", "DVK-2022-CB03-1", "Camera an ninh khu dân cư", 2022),
    ("PN01", "DVK-2025-PN01-1", "DVK-2021-PN01-1", "Phụ nữ giúp nhau phát triển kinh tế", 2021),
]


def previous_rows(models=LAST_YEAR, withdrawn: set[str] = frozenset()) -> list[dict]:
    return [{"year": 2025, "model_id": model_id, "first_id": first_id, "unit_code": unit, "unit_name": unit,
             "name": name, "field": "Văn hóa - xã hội", "subject": "Tập thể", "carried_by": unit, "kind": "Duy trì",
             "start_year": start, "status": "Đã rút" if model_id in withdrawn else "Đang thực hiện",
             "result": "Công nhận"} for unit, model_id, first_id, name, start in models]


def write_previous(master: Path, rows: list[dict]) -> None:
    """Give the master last year's models through the Workbook interface (what ``init --from`` writes)."""
    wb = FileWorkbook(master)
    wb.ensure_table(PREVIOUS_MODELS)
    frame = pd.DataFrame(rows, columns=PREVIOUS_MODELS.keys)
    wb.write_table(PREVIOUS_MODELS.table, frame.rename(columns={c.key: c.header for c in PREVIOUS_MODELS.columns}))
    wb.save()


def check(returned, *files: tuple[str, list[tuple]]):
    paths = [returned(unit, rows) for unit, rows in files]
    return check_files(returned.master, paths).files


def cross(outcome) -> list[tuple[str, str | None]]:
    return [(f.code, f.cell) for f in outcome.findings if f.code in CROSS]


def test_a_clean_continued_model_is_accepted_without_a_finding(returned):
    write_previous(returned.master, previous_rows())
    outcome, = check(returned, ("CB01", [GOOD_MODEL]))
    assert outcome.status == "accepted" and outcome.findings == []


def test_a_continued_model_the_unit_never_ran_is_a_warning_listing_its_closest_names(returned):
    write_previous(returned.master, previous_rows())
    outcome, = check(returned, ("CB01", [GOOD_MODEL, model(name="Câu lạc bộ dưỡng sinh phường", start_year=2025)]))
    assert cross(outcome) == [("continued-unknown", f"B{ROW + 1}")]
    assert outcome.status == "accepted"  # a warning: staff decide
    finding = outcome.findings[0]
    assert finding.severity == "warning" and finding.sheet and finding.file == outcome.path.name
    assert finding.message.startswith(f"Ô B{ROW + 1}: mô hình “Câu lạc bộ dưỡng sinh phường” ghi loại “Duy trì” "
                                      "nhưng không khớp mô hình nào đơn vị CB01 thực hiện năm 2025")
    closest = finding.message.split("gần nhất: ", 1)[1]
    assert closest.startswith("“Câu lạc bộ dưỡng sinh người cao tuổi”")  # the closest first
    assert closest.count("“") <= 3 and "chọn loại “Mới” nếu là mô hình mới" in finding.message
    assert "\n" not in finding.one_line() and outcome.path.name in finding.one_line()


def test_a_continued_model_of_another_unit_suggests_replicated(returned):
    write_previous(returned.master, previous_rows())
    outcome, = check(returned, ("CB02", [model(name="Camera an ninh khu dân cư", carried_by="Chi bộ Khu dân cư số 2",
                                               start_year=2022)]))
    assert cross(outcome) == [("continued-unknown", f"B{ROW}")]
    message = outcome.findings[-1].message
    assert "năm 2025 đơn vị CB02 không có mô hình nào trong sổ năm trước" in message
    assert "trùng mô hình “Camera an ninh khu dân cư” (CB03) năm 2025" in message and "“Nhân rộng”" in message


def test_a_continued_model_kept_with_more_words_or_other_case_still_matches(returned):
    write_previous(returned.master, previous_rows())
    outcome, = check(returned, ("CB01", [
        model(name="Khu dân cư sáng - xanh - sạch - đẹp - an toàn"),
        model(name="TUYẾN NGÕ KHÔNG RÁC THẢI NHỰA", start_year=2023),
        model(name="Mô hình “Dòng họ khuyến học”", start_year=2025),
    ]))
    assert outcome.findings == []


def test_a_continued_model_withdrawn_last_year_is_said_so(returned):
    write_previous(returned.master, previous_rows(withdrawn={"DVK-2025-CB01-4"}))
    outcome, = check(returned, ("CB01", [model(name="Dòng họ khuyến học", start_year=2025)]))
    assert cross(outcome) == [("continued-unknown", f"B{ROW}")]
    assert "mô hình “Dòng họ khuyến học” năm 2025 đã rút" in outcome.findings[0].message


def test_a_changed_start_year_is_a_warning_at_the_start_year(returned):
    write_previous(returned.master, previous_rows())
    outcome, = check(returned, ("CB01", [model(start_year=2023)]))
    assert cross(outcome) == [("continued-start-year-changed", f"G{ROW}")]
    assert outcome.findings[0].message == (
        f"Ô G{ROW}: mô hình duy trì “Khu dân cư sáng - xanh - sạch - đẹp” (mã DVK-2024-CB01-1) năm 2025 ghi "
        "“Năm bắt đầu” 2024, nay ghi 2023; sửa lại 2024 nếu là cùng mô hình, hoặc chọn loại “Mới” nếu là mô hình mới")


def test_a_new_model_the_unit_ran_last_year_suggests_continued(returned):
    write_previous(returned.master, previous_rows())
    ran, fresh = model(NEW_MODEL, name="Dòng họ Khuyến học"), NEW_MODEL
    outcome, = check(returned, ("CB01", [ran, fresh]))
    assert cross(outcome) == [("new-ran-last-year", f"F{ROW}")]  # at the kind; the truly new model is fine
    assert outcome.findings[0].message == (
        f"Ô F{ROW}: mô hình “Dòng họ Khuyến học” ghi loại “Mới” nhưng đơn vị CB01 đã thực hiện mô hình "
        "“Dòng họ khuyến học” năm 2025 (mã DVK-2025-CB01-4); nếu tiếp tục mô hình đó, chọn loại “Duy trì” và năm "
        "bắt đầu 2025")
    other, = check(returned, ("CB02", [model(NEW_MODEL, name="Dòng họ khuyến học")]))  # CB01's, not CB02's
    assert cross(other) == []


def test_a_replicated_model_matching_no_other_unit_names_what_it_might_replicate(returned):
    write_previous(returned.master, previous_rows())
    outcome, = check(returned, ("CB02", [model(name="Tuyến phố sáng - xanh - sạch", kind="Nhân rộng", start_year=2025,
                                               carried_by="Chi bộ Khu dân cư số 2")]))
    assert cross(outcome) == [("replicated-unknown", f"B{ROW}")]
    message = outcome.findings[0].message
    assert "ghi loại “Nhân rộng” nhưng không khớp mô hình nào của đơn vị khác (năm 2026 hoặc năm 2025)" in message
    assert "có thể nhân rộng từ: “Khu dân cư sáng - xanh - sạch - đẹp” (CB01)" in message
    assert outcome.status == "accepted"


def test_a_replicated_model_of_another_unit_this_year_or_last_is_known(returned):
    write_previous(returned.master, previous_rows())
    last_year = model(name="Camera an ninh khu dân cư", kind="Nhân rộng", start_year=2022)
    this_year = model(name="Thư viện sách cộng đồng", kind="Nhân rộng", start_year=2025)
    lead = model(name="Thư viện sách cộng đồng", kind="Mới", start_year=2026, launch_date="20/03/2026")
    files = check(returned, ("CB02", [last_year, this_year]), ("CB04", [lead]))
    assert [cross(f) for f in files] == [[], []]


def test_a_replicated_model_in_this_years_register_is_known(returned, tmp_path):
    write_previous(returned.master, previous_rows())
    returned("CB04", [model(name="Thư viện sách cộng đồng", kind="Mới", start_year=2026, launch_date="20/03/2026")])
    consolidate(returned.master, returned.inbox)
    outcome, = check(returned, ("CB02", [model(name="Thư viện sách cộng đồng", kind="Nhân rộng", start_year=2025)]))
    assert cross(outcome) == []
    wb = FileWorkbook(returned.master)  # the intake wrote the register and left last year's models as they were
    assert [k.name for k in load_previous(wb, load_units(wb), 2026).models_of("CB01")] == [m[3] for m in LAST_YEAR[:4]]


def test_a_cell_with_an_error_gets_no_warning_across_years(returned):
    write_previous(returned.master, previous_rows())
    unknown = model(name="Tuyến phố xanh", kind="Nhân rộng", start_year=2025)
    outcome, = check(returned, ("CB01", [unknown, unknown, model(start_year=2026)]))
    assert [(f.code, f.cell) for f in outcome.findings] == [
        ("replicated-unknown", f"B{ROW}"), ("duplicate-model", f"B{ROW + 1}"), ("kind-year-mismatch", f"G{ROW + 2}")]


def test_a_replicated_model_that_is_the_units_own_suggests_continued(returned):
    write_previous(returned.master, previous_rows())
    outcome, = check(returned, ("CB01", [model(name="Dòng họ khuyến học", kind="Nhân rộng", start_year=2025)]))
    assert cross(outcome) == [("replicated-unknown", f"B{ROW}")]
    message = outcome.findings[0].message
    assert "trùng mô hình đơn vị đã thực hiện năm 2025" in message and "chọn loại “Duy trì”" in message
    assert "không có mô hình nào của đơn vị khác có tên gần giống" in message


def test_without_last_years_models_there_is_no_check_across_years(returned):
    rows = [model(name="Câu lạc bộ dưỡng sinh phường"), model(name="Tuyến phố xanh", kind="Nhân rộng", start_year=2025)]
    outcome, = check(returned, ("CB01", rows))
    assert outcome.findings == []
    write_previous(returned.master, [])  # the table, empty: a previous year without models checks nothing either
    assert load_previous(FileWorkbook(returned.master), pd.DataFrame(columns=UNITS.keys), 2026) is None
    outcome, = check(returned, ("CB01", rows))
    assert outcome.findings == []
    write_previous(returned.master, previous_rows())
    outcome, = check(returned, ("CB01", rows))
    assert [code for code, _ in cross(outcome)] == ["continued-unknown", "replicated-unknown"]


def test_a_unit_recoded_since_last_year_is_matched_under_its_new_code(returned):
    write_previous(returned.master, previous_rows([("KDC1", "DVK-2025-KDC1-1", "DVK-2024-KDC1-1",
                                                    "Khu dân cư sáng - xanh - sạch - đẹp", 2024)]))
    wb = FileWorkbook(returned.master)
    units = wb.read_table(UNITS.table)
    units.loc[units[UNITS.header_of("unit_code")] == "CB01", UNITS.header_of("old_code")] = "KDC 1"
    wb.write_table(UNITS.table, units)
    wb.save()
    wb = FileWorkbook(returned.master)
    previous = load_previous(wb, load_units(wb), 2026)
    assert previous is not None and [k.name for k in previous.models_of("CB01")] == [LAST_YEAR[0][3]]
    outcome, = check(returned, ("CB01", [GOOD_MODEL]))
    assert outcome.findings == []


def test_the_check_reports_through_the_cli(returned):
    write_previous(returned.master, previous_rows())
    path = returned("CB01", [model(name="Câu lạc bộ dưỡng sinh phường", start_year=2025)])
    result = CliRunner().invoke(main, ["validate", str(path), "--master", str(returned.master)])
    assert result.exit_code == 0, result.output  # warnings only: the file is accepted
    assert "Cảnh báo: Ô B" in result.output and "ghi loại “Duy trì” nhưng không khớp" in result.output


# --- the first registration's ID (the “Mã đăng ký lần đầu” column of a pre-filled form) -----------


def _previous() -> PreviousYear:
    previous = PreviousYear(2025)
    for unit, model_id, first_id, name, start in LAST_YEAR:
        previous.add(PreviousModel(unit, model_id, first_id, name, start, withdrawn=False))
    return previous


def _batch(rows: list[dict]) -> tuple[pd.DataFrame, ReturnedFile]:
    """A PL01 batch of one CB01 file whose form has the column ``first_id`` (column P)."""
    file = ReturnedFile(Path("PL01_CB01.xlsx"), form_id="PL01", unit_code="CB01", sheet="Phụ lục 01",
                        columns={"name": 1, "kind": 5, "start_year": 6, "first_id": 15},
                        rows=[ModelRow(ROW + i, row) for i, row in enumerate(rows)])
    frame = pd.DataFrame([{**row, "_file": 0, "_row": ROW + i, "_unit": "CB01"} for i, row in enumerate(rows)])
    return frame, file


def test_the_first_id_when_given_decides_the_match():
    campaign = Campaign(year=2026, units={}, lists={}, previous=_previous())
    continued = ModelKind.CONTINUED.value
    frame, file = _batch([
        {"name": "Khu dân cư xanh (đổi tên)", "kind": continued, "start_year": 2024, "first_id": "DVK-2024-CB01-1"},
        {"name": "Tuyến ngõ không rác thải nhựa", "kind": continued, "start_year": 2023, "first_id": "DVK-2020-CB01-9"},
        {"name": "Camera an ninh khu dân cư", "kind": continued, "start_year": 2022, "first_id": "dvk-2022-cb03-1"},
        {"name": "Dòng họ khuyến học", "kind": continued, "start_year": 2024, "first_id": "DVK-2025-CB01-4"},
        {"name": "Dòng họ khuyến học", "kind": continued, "start_year": 2025, "first_id": None},
    ])
    check_across_years(frame, [file], campaign)
    assert [(f.code, f.cell) for f in file.findings] == [
        ("continued-unknown", f"P{ROW + 1}"), ("continued-unknown", f"P{ROW + 2}"),
        ("continued-start-year-changed", f"G{ROW + 3}")]
    unknown, other, _ = (f.message for f in file.findings)
    assert "“Mã đăng ký lần đầu” “DVK-2020-CB01-9” nhưng mã này không có trong các mô hình đơn vị CB01" in unknown
    assert "giữ đúng mã được điền sẵn trong mẫu" in unknown
    assert "đó là mã của mô hình “Camera an ninh khu dân cư” của đơn vị CB03, không phải của đơn vị CB01" in other


def test_a_form_without_the_first_id_column_reports_at_the_name():
    campaign = Campaign(year=2026, units={}, lists={}, previous=_previous())
    frame, file = _batch([{"name": "Vườn rau sạch", "kind": ModelKind.CONTINUED.value, "start_year": 2024}])
    file.columns.pop("first_id")
    check_across_years(frame, [file], campaign)
    assert [(f.code, f.cell) for f in file.findings] == [("continued-unknown", f"B{ROW}")]


def test_matching_is_indexed_not_pairwise():
    """100 units × 10 models last year, 1,000 rows this year: well under a second (measured: benchmarks)."""
    import time

    previous = PreviousYear(2025)
    for unit in range(100):
        for number in range(10):
            previous.add(PreviousModel(f"U{unit}", f"DVK-2025-U{unit}-{number}", "", f"Mô hình số {number} của tổ {unit} "
                                       f"xóm {unit % 7} thôn {number % 3}", 2024, withdrawn=False))
    campaign = Campaign(year=2026, units={}, lists={}, previous=previous)
    rows = [{"name": f"Mô hình số {n % 10} của tổ {n // 10} xóm {(n // 10) % 7} thôn {(n % 10) % 3}"
             + (" mới lạ" if n % 50 == 0 else ""), "kind": ModelKind.CONTINUED.value if n % 4 else ModelKind.REPLICATED.value,
             "start_year": 2024, "_file": 0, "_row": ROW + n, "_unit": f"U{n // 10}"} for n in range(1000)]
    file = ReturnedFile(Path("batch.xlsx"), sheet="Phụ lục 01", columns={"name": 1, "start_year": 6})
    started = time.perf_counter()
    check_across_years(pd.DataFrame(rows), [file], campaign)
    assert time.perf_counter() - started < 2.0
    assert not [f for f in file.findings if f.code == "continued-start-year-changed"]


# --- the index itself ---------------------------------------------------------------------------

_WORDS = ["khu", "dân", "cư", "sáng", "xanh", "sạch", "đẹp", "hoá", "thuỷ", "lợi", "an", "ninh", "camera", "phụ",
          "nữ", "kinh", "tế", "dòng", "họ", "khuyến", "học", "tuyến", "phố", "văn", "minh"]


@settings(max_examples=200, deadline=None)
@given(names=st.lists(st.lists(st.sampled_from(_WORDS), min_size=1, max_size=7).map(" ".join), min_size=1, max_size=12),
       pick=st.integers(min_value=0), upper=st.booleans())
def test_a_name_of_the_index_is_always_found_however_it_is_typed(names, pick, upper):
    from dvk_xl.intake.crossyear import Known, NameIndex, name_words

    index = NameIndex(Known(f"U{i % 3}", name, name_words(name)) for i, name in enumerate(names))
    wanted = names[pick % len(names)]
    typed = wanted.upper() if upper else wanted.replace("hoá", "hóa").replace("thuỷ", "thủy")
    matched, closest = index.search(name_words(f"Mô hình “{typed}”"))
    words = name_words(wanted)
    assert any(k.words == words for k in matched) if words else matched == []
    others, _ = index.search(name_words(wanted), other_than=f"U{pick % len(names) % 3}")
    assert all(k.unit != f"U{pick % len(names) % 3}" for k in others)
    assert closest == [] if matched else len(closest) <= 3
