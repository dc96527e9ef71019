from datetime import date, datetime

from openpyxl import load_workbook

from dvk_xl.compliance.check import check_compliance, run_compliance
from dvk_xl.compliance.criteria import STATUS_GONE
from dvk_xl.master.book import open_master
from dvk_xl.spec.forms import EVALUATION, INTAKE_LOG, RESULTS, excel_column

from .compliancefixtures import edit_evaluation, evaluation, reg, register, write

DAY = date(2026, 7, 1)


def accepted_file(unit: str, name: str) -> dict:
    return dict(received_at=datetime(2026, 2, 27, 16, 30), file=name, unit_code=unit, form="PL01", sha256="ab" * 32,
                status="Chấp nhận", models=1, errors=0, warnings=0, on_time="Đúng hạn",
                archive=f"LuuTru/TepNhan/{unit}.xlsx")


def by_id(master):
    return {r["model_id"]: r for r in evaluation(master)}


def test_one_row_per_model_with_what_the_data_proves(ward_master):
    register(ward_master, [reg("CB01", 1, source_file="cb01.xlsx"), reg("CB01", 2, kind="Mới"),
                           reg("PN01", 1, field="Nông nghiệp", goals=None)])
    write(ward_master, INTAKE_LOG, [accepted_file("CB01", "cb01.xlsx")])
    run_compliance(ward_master, DAY)
    rows = by_id(ward_master)
    assert list(rows) == ["DVK-2026-CB01-1", "DVK-2026-CB01-2", "DVK-2026-PN01-1"]
    continued, new, odd = rows.values()
    assert [continued[f"c{i}"] for i in range(1, 9)] == ["Đạt", "Đạt", None, None, None, None, None, "Đạt"]
    assert continued["auto_marks"] == "1=Đạt; 2=Đạt; 8=Đạt" and "LuuTru/TepNhan/CB01.xlsx" in continued["auto_note"]
    assert (new["c1"], new["c2"], new["c8"]) == ("Đạt", None, "Đạt")  # a new model waits for its launch
    assert "chờ báo cáo ra mắt" in new["auto_note"]
    assert (odd["c1"], odd["c2"], odd["c8"]) == ("Không đạt", None, None)
    assert "lĩnh vực “Nông nghiệp” không thuộc danh mục" in odd["auto_note"]
    assert (continued["status"], continued["unit_name"], continued["kind"]) == ("Đang thực hiện", "Đơn vị CB01", "Duy trì")


def test_a_reported_launch_fills_criterion_2_and_a_refused_one_disproves_it(ward_master):
    register(ward_master, [reg("CB01", 1, kind="Mới"), reg("CB01", 2, kind="Mới")])
    run_compliance(ward_master, DAY)
    write(ward_master, RESULTS, [
        dict(period="6 tháng", model_id="DVK-2026-CB01-1", unit_code="CB01", result_status="Đang thực hiện",
             launched="Có", launched_on=date(2026, 3, 20), results="..."),
        dict(period="Năm", model_id="DVK-2026-CB01-2", unit_code="CB01", result_status="Đang thực hiện",
             launched="Không", results="..."),
    ])
    run_compliance(ward_master, DAY)
    rows = by_id(ward_master)
    assert rows["DVK-2026-CB01-1"]["c2"] == "Đạt" and "ra mắt ngày 20/03/2026" in rows["DVK-2026-CB01-1"]["auto_note"]
    assert rows["DVK-2026-CB01-2"]["c2"] == "Không đạt"


def test_what_the_team_typed_is_never_overwritten(ward_master):
    register(ward_master, [reg("CB01", 1, kind="Mới")])
    run_compliance(ward_master, DAY)
    edit_evaluation(ward_master, {"DVK-2026-CB01-1": {"c1": "Không đạt", "c2": "Đạt", "c3": "Đạt",
                                                      "evidence": "Biên bản kiểm tra 15/6"}})
    run_compliance(ward_master, DAY)
    row = by_id(ward_master)["DVK-2026-CB01-1"]
    assert (row["c1"], row["c2"], row["c3"], row["evidence"]) == ("Không đạt", "Đạt", "Đạt", "Biên bản kiểm tra 15/6")
    assert row["auto_marks"] is None and "đoàn thẩm định ghi “Không đạt”, giữ nguyên" in row["auto_note"]


def test_the_evaluation_survives_adds_replacements_and_withdrawals(ward_master):
    register(ward_master, [reg("CB01", 1), reg("CB01", 2), reg("CB02", 1)])
    run_compliance(ward_master, DAY)
    typed = {"c3": "Đạt", "c4": "Không đạt", "evidence": "Đã xem hồ sơ", "result": "Không công nhận",
             "commendation": "Giấy khen", "note": "Kiểm tra lại tháng 9"}
    edit_evaluation(ward_master, {m: typed for m in ("DVK-2026-CB01-1", "DVK-2026-CB01-2", "DVK-2026-CB02-1")})
    # Re-consolidation: CB01-2 replaced by CB01-3 (the old one withdrawn), CB02-1 gone from the register, CB03-1 added.
    register(ward_master, [reg("CB01", 1), reg("CB01", 2, status="Đã rút"), reg("CB01", 3), reg("CB03", 1)])
    report = run_compliance(ward_master, DAY)
    rows = by_id(ward_master)
    assert list(rows) == ["DVK-2026-CB01-1", "DVK-2026-CB01-2", "DVK-2026-CB01-3", "DVK-2026-CB03-1",
                          "DVK-2026-CB02-1"]
    for model in ("DVK-2026-CB01-1", "DVK-2026-CB01-2", "DVK-2026-CB02-1"):
        assert {k: rows[model][k] for k in typed} == typed, model
    assert rows["DVK-2026-CB01-2"]["status"] == "Đã rút" and rows["DVK-2026-CB02-1"]["status"] == STATUS_GONE
    assert rows["DVK-2026-CB01-3"]["c3"] is None and rows["DVK-2026-CB01-3"]["c1"] == "Đạt"
    assert (report.evaluation.added, report.evaluation.withdrawn, report.evaluation.gone) == (
        ["DVK-2026-CB01-3", "DVK-2026-CB03-1"], ["DVK-2026-CB01-2"], ["DVK-2026-CB02-1"])
    again = run_compliance(ward_master, DAY).evaluation  # nothing new the second time
    assert (again.added, again.withdrawn, again.gone) == ([], [], [])
    assert by_id(ward_master) == rows


ALL_MET = {f"c{i}": "Đạt" for i in range(1, 9)} | {"result": "Công nhận", "typical": "Có"}


def findings_after(master, changes):
    run_compliance(master, DAY)
    edit_evaluation(master, changes)
    return check_compliance(open_master(master), DAY).evaluation.findings


def cell(model_position: int, key: str) -> str:
    return f"{excel_column(EVALUATION.position(key))}{5 + model_position}"


def test_a_typical_collective_needs_all_eight_and_a_good_unit_rating(ward_master):
    register(ward_master, [reg("CB01", 1), reg("CB02", 1), reg("CB03", 1), reg("CB04", 1)])
    found = findings_after(ward_master, {
        "DVK-2026-CB01-1": ALL_MET | {"unit_rating": "Hoàn thành tốt nhiệm vụ"},  # fine
        "DVK-2026-CB02-1": ALL_MET | {"c5": "Không đạt", "unit_rating": "Hoàn thành xuất sắc nhiệm vụ"},
        "DVK-2026-CB03-1": ALL_MET | {"unit_rating": "Hoàn thành nhiệm vụ"},
        "DVK-2026-CB04-1": ALL_MET,
    })
    got = {(f.code, f.cell) for f in found}
    assert got == {("typical-criteria-not-met", cell(1, "typical")), ("recognised-criteria-not-met", cell(1, "result")),
                   ("typical-unit-rating", cell(2, "unit_rating")),
                   ("typical-unit-rating-missing", cell(3, "unit_rating"))}
    assert all(f.sheet == "Thẩm định" and f.message.startswith(f"ô {f.cell}: ") for f in found)


def test_one_typical_per_unit_and_individuals_need_their_own_criteria(ward_master):
    register(ward_master, [reg("CB01", 1), reg("CB01", 2), reg("PN01", 1, subject="Cá nhân")])
    found = findings_after(ward_master, {
        "DVK-2026-CB01-1": ALL_MET | {"unit_rating": "Hoàn thành tốt nhiệm vụ"},
        "DVK-2026-CB01-2": ALL_MET,  # the unit's rating comes from its other row
        "DVK-2026-PN01-1": ALL_MET | {"typical": "Có", "result": "Không công nhận", "c3": "Tốt"},
    })
    got = {(f.code, f.cell) for f in found}
    assert got == {("typical-more-than-one", cell(1, "typical")), ("typical-not-recognised", cell(2, "result")),
                   ("typical-criteria-not-met", cell(2, "typical")), ("typical-individual-criteria", cell(2, "personal")),
                   ("evaluation-value-unknown", cell(2, "c3"))}
    edit_evaluation(ward_master, {"DVK-2026-CB01-2": {"typical": "Không"},
                                  "DVK-2026-PN01-1": ALL_MET | {"personal": "Có"}})
    assert check_compliance(open_master(ward_master), DAY).evaluation.findings == []


def test_evaluation_sheet_has_dropdowns_on_every_choice_column(ward_master):
    register(ward_master, [reg("CB01", 1)])
    run_compliance(ward_master, DAY)
    ws = load_workbook(ward_master)[EVALUATION.sheet]
    lists = {str(dv.sqref).split(":")[0]: dv.formula1 for dv in ws.data_validations.dataValidation}
    choice_columns = [(i, c) for i, c in enumerate(EVALUATION.columns) if c.choices]
    assert len(choice_columns) == 15
    for position, column in choice_columns:
        assert "'Danh mục'!" in lists[f"{excel_column(position)}5"], column.header


def test_an_older_master_without_the_sheet_gets_it(ward_master):
    book = load_workbook(ward_master)
    del book[EVALUATION.sheet]
    book.save(ward_master)
    register(ward_master, [reg("CB01", 1)])
    run_compliance(ward_master, DAY)
    assert [r["model_id"] for r in evaluation(ward_master)] == ["DVK-2026-CB01-1"]
    ws = load_workbook(ward_master)[EVALUATION.sheet]
    assert [c.value for c in ws[4]] == EVALUATION.headers and EVALUATION.table in ws.tables
