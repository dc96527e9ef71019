"""Validation: one pandera pass over all files, each failure a finding naming its cell."""

from datetime import datetime

from dvk_xl.intake.consolidation import check_files
from dvk_xl.reports.templates import HEADER_ROW

from .conftest import GOOD_MODEL, NEW_MODEL, model

ROW = HEADER_ROW + 1


def findings_of(returned, unit, rows, **kwargs):
    path = returned(unit, rows, **kwargs)
    report = check_files(returned.master, [path])
    return report.files[0]


def pairs(outcome):
    return [(f.code, f.cell) for f in outcome.findings]


def test_a_clean_file_is_accepted(returned):
    outcome = findings_of(returned, "CB01", [GOOD_MODEL, NEW_MODEL])
    assert outcome.status == "accepted" and outcome.findings == [] and outcome.models == 2


def test_value_not_in_list_names_the_cell_and_the_choices(returned):
    outcome = findings_of(returned, "CB01", [model(field="Kinh te")])
    assert pairs(outcome) == [("value-not-in-list", f"C{ROW}")]
    assert outcome.findings[0].message == (
        f"Ô C{ROW}: Lĩnh vực “Kinh te” không có trong danh mục; chọn một trong: Kinh tế; Văn hóa - xã hội; "
        "Quốc phòng - an ninh, dân tộc - tôn giáo; Xây dựng hệ thống chính trị")
    assert outcome.status == "rejected"


def test_old_tone_placement_and_case_are_accepted_as_the_list_value(returned):
    outcome = findings_of(returned, "CB01", [model(field="văn hoá - Xã hội", kind="duy trì")])
    assert outcome.findings == []


def test_required_values(returned):
    outcome = findings_of(returned, "CB01", [model(name=None, person_in_charge="  ")])
    assert pairs(outcome) == [("value-required", f"B{ROW}"), ("value-required", f"N{ROW}")]


def test_impossible_and_garbage_dates(returned):
    outcome = findings_of(returned, "CB01", [model(date_to="31/11/2026"), model(GOOD_MODEL, name="Mô hình B",
                                                                                date_from="sắp tới")])
    assert pairs(outcome) == [("date-invalid", f"L{ROW}"), ("date-invalid", f"K{ROW + 1}")]
    assert "chỉ có 30 ngày" in outcome.findings[0].message


def test_day_first_dates_and_serial_numbers(returned):
    outcome = findings_of(returned, "CB01", [model(date_from=46085, date_to="03/4/2026")])
    assert outcome.findings == []


def test_dates_out_of_plausible_range(returned):
    outcome = findings_of(returned, "CB01", [model(date_to="30/11/2062")])
    assert pairs(outcome) == [("date-out-of-range", f"L{ROW}")]


def test_cross_field_rules(returned):
    outcome = findings_of(returned, "CB01", [
        model(NEW_MODEL, start_year=2024),  # a new model must start in the campaign year
        model(NEW_MODEL, name="Mô hình 2", launch_date=None),  # and hold a launch
        model(GOOD_MODEL, name="Mô hình 3", start_year=2026),  # a continued one started before
        model(GOOD_MODEL, name="Mô hình 4", date_from="01/06/2026", date_to="01/05/2026"),
    ])
    assert pairs(outcome) == [
        ("kind-year-mismatch", f"G{ROW}"),
        ("launch-date-missing", f"M{ROW + 1}"),
        ("kind-year-mismatch", f"G{ROW + 2}"),
        ("date-order", f"L{ROW + 3}"),
    ]


def test_the_same_model_twice_is_an_error_a_similar_one_elsewhere_a_warning(returned):
    twice = findings_of(returned, "CB01", [GOOD_MODEL, model(name=GOOD_MODEL[0].upper())])
    assert pairs(twice) == [("duplicate-model", f"B{ROW + 1}")]
    first = returned("CB01", [GOOD_MODEL])
    second = returned("CB02", [model(name="Mô hình “Khu dân cư sáng xanh sạch đẹp”")])
    report = check_files(returned.master, [first, second])
    assert pairs(report.files[1]) == [("similar-model", f"B{ROW}")]
    assert report.files[1].status == "accepted"


def test_unit_checks(returned, tmp_path):
    renamed = returned("CB02", [GOOD_MODEL], name="PL01_CB01_Chi_bo_Khu_dan_cu_so_1 (2).xlsx")
    outcome = check_files(returned.master, [renamed]).files[0]
    assert [f.code for f in outcome.findings] == ["unit-mismatch"] and outcome.unit == "CB02"


def test_late_submission_is_a_warning(returned):
    outcome = findings_of(returned, "CB01", [GOOD_MODEL], received=datetime(2026, 3, 5, 8, 0))
    assert pairs(outcome) == [("late-submission", None)]
    assert outcome.status == "accepted"


def test_an_empty_form(returned):
    outcome = findings_of(returned, "CB01", [])
    assert [f.code for f in outcome.findings] == ["form-empty"]


def test_one_pandera_pass_for_many_files(returned, monkeypatch):
    import pandera.pandas as pa

    calls = []
    original = pa.DataFrameSchema.validate
    monkeypatch.setattr(pa.DataFrameSchema, "validate", lambda self, *a, **k: calls.append(1) or original(self, *a, **k))
    paths = [returned(unit, [GOOD_MODEL]) for unit in ("CB01", "CB02", "CB03", "CB04")]
    report = check_files(returned.master, paths)
    assert len(calls) == 1
    assert [f.status for f in report.files] == ["accepted"] * 3 + ["accepted"]


def test_a_replicated_model_is_meant_to_resemble_another_units(returned):
    """Declared a replication, not a second registration: neither file is warned."""
    first = returned("CB01", [GOOD_MODEL])
    copied = returned("CB02", [model(name="Mô hình “Khu dân cư sáng xanh sạch đẹp”", kind="Nhân rộng", start_year=2025)])
    report = check_files(returned.master, [first, copied])
    assert [pairs(outcome) for outcome in report.files] == [[], []]
