from datetime import date

import pytest

from dvk_xl.compliance.check import check_compliance, run_compliance
from dvk_xl.compliance.quotas import UNIT_MINIMUM_RULE, load_quota_rules, percent
from dvk_xl.core.errors import DvkError
from dvk_xl.master.book import load_lists, load_units, open_master
from dvk_xl.spec.forms import MEASURE_UNIT_SHARE, SCOPE_EACH_UNIT

from .compliancefixtures import WARD_UNITS, edit_evaluation, quotas, reg, register, set_unit_minimum

DAY = date(2026, 3, 6)


def results(master):
    return {q.rule.rule_id: q for q in check_compliance(open_master(master), DAY).quotas}


def rules(master):
    wb = open_master(master)
    return load_quota_rules(wb, load_units(wb), load_lists(wb))


def test_ward_preset_rules_are_read_from_chitieu(ward_master):
    loaded = rules(ward_master)
    assert [(r.rule_id, r.scope, r.measure, r.minimum, r.parameter) for r in loaded] == [
        ("CT1", "Toàn cấp ủy", "Số mô hình", 5, ""), ("CT2", "Toàn cấp ủy", "Số mô hình mới", 1, ""),
        ("CT3", "Toàn cấp ủy", "Số mô hình nhân rộng", 1, ""),
        ("CT4", SCOPE_EACH_UNIT, MEASURE_UNIT_SHARE, 1.0, "1")]
    assert loaded[3].units == tuple(WARD_UNITS)  # the units' own minimum 1 is already CT4: no extra rule


def test_procuracy_preset_rules_name_their_units(procuracy_master):
    loaded = rules(procuracy_master)
    assert [(r.rule_id, r.scope, r.units) for r in loaded] == [
        ("CT1", "Toàn cấp ủy", ("CB-P9", "CB-KV10")), ("CT2", "Đơn vị", ("CB-P9",)), ("CT3", "Đơn vị", ("CB-KV10",))]


def ward_register(models: int = 12, new: int = 1, replicated: int = 1, units: int = 12) -> list[dict]:
    """``models`` active models spread over the first ``units`` units, with a withdrawn one that never counts."""
    rows = []
    for i in range(models):
        unit = WARD_UNITS[i % units]
        kind = "Mới" if i < new else "Nhân rộng" if i < new + replicated else "Duy trì"
        rows.append(reg(unit, i + 1, kind=kind))
    rows.append(reg("CD01", 99, kind="Mới", status="Đã rút"))
    return rows


@pytest.mark.parametrize(("rule", "meets", "misses"), [
    ("CT1", dict(models=5, units=5), dict(models=4, units=4)),
    ("CT2", dict(new=1), dict(new=0)),
    ("CT3", dict(replicated=1), dict(replicated=0)),
    ("CT4", dict(units=12), dict(units=11)),
])
def test_ward_rules_just_met_and_just_missed(ward_master, rule, meets, misses):
    assert results(register(ward_master, ward_register(**meets)))[rule].met
    missed = results(register(ward_master, ward_register(**misses)))[rule]
    assert not missed.met
    if rule == "CT4":  # CD01's only model is withdrawn: it is the unit short, 11/12 = 91,7%
        assert [u.code for u in missed.short] == ["CD01"] and missed.actual_text == "11/12 đơn vị (91,7%)"
    if rule == "CT1":
        assert (missed.required, missed.actual, missed.actual_text) == (5, 4, "4")


@pytest.mark.parametrize(("rule", "meets", "misses"), [
    ("CT1", ["CB-KV10"], []),
    ("CT2", ["CB-P9"], ["CB-KV10"]),
    ("CT3", ["CB-KV10"], ["CB-P9"]),
])
def test_procuracy_rules_just_met_and_just_missed(procuracy_master, rule, meets, misses):
    assert results(register(procuracy_master, [reg(u) for u in meets]))[rule].met
    missed = results(register(procuracy_master, [reg(u) for u in misses]))[rule]
    assert not missed.met
    if rule != "CT1":
        assert len(missed.short) == 1 and missed.short[0].actual == 0 and missed.actual_text == "0/1 đơn vị đạt"


def test_an_empty_status_counts_and_a_withdrawn_model_does_not(procuracy_master):
    register(procuracy_master, [reg("CB-P9", status=None), reg("CB-KV10", status="Đã rút")])
    got = results(procuracy_master)
    assert got["CT2"].met and not got["CT3"].met


def test_a_units_own_minimum_counts_as_a_rule(ward_master):
    set_unit_minimum(ward_master, "CB01", 2)
    own = next(r for r in rules(ward_master) if r.rule_id == UNIT_MINIMUM_RULE)
    assert own.unit_minimums == (("CB01", 2),)  # the others' minimum 1 is CT4's already
    register(ward_master, [reg("CB01", 1)])
    short = results(ward_master)[UNIT_MINIMUM_RULE]
    assert not short.met and [(u.code, u.actual, u.required) for u in short.short] == [("CB01", 1, 2)]
    register(ward_master, [reg("CB01", 1), reg("CB01", 2)])
    assert results(ward_master)[UNIT_MINIMUM_RULE].met


def rule(rule_id="X1", scope="Toàn cấp ủy", measure="Số mô hình", minimum=1, target=None, parameter=None):
    return dict(rule_id=rule_id, description=f"Chỉ tiêu {rule_id}", scope=scope, target=target, measure=measure,
                parameter=parameter, minimum=minimum)


def test_other_measures_and_scopes(ward_master):
    quotas(ward_master, [
        rule("F1", measure="Số mô hình theo lĩnh vực", parameter="van hoá - xã hội", minimum=1),
        rule("S1", measure="Số mô hình cá nhân", minimum=1),
        rule("S2", measure="số mô hình tập thể", minimum=2),
        rule("T1", scope="Loại đơn vị", target="Mặt trận Tổ quốc; Đảng bộ trực thuộc", minimum=1),
        rule("U1", scope="Đơn vị", target="cb01; Chi bộ Khu dân cư số 2", minimum=1),
        rule("K1", measure="Số mô hình duy trì", minimum=4),
        rule("P1", scope="Toàn cấp ủy", measure="Tỷ lệ đơn vị có ít nhất 1 mô hình", minimum="25%"),
        rule("R1", measure="Số mô hình được công nhận", minimum=1),
        rule("R2", measure="Số mô hình tiêu biểu", minimum=1),
    ])
    register(ward_master, [reg("CB01", 1, field="Văn hóa - xã hội"), reg("CB02", 1, subject="Cá nhân"),
                           reg("MT01", 1), reg("DB01", 1, kind="Mới")])
    got = results(ward_master)
    assert got["F1"].met and got["S1"].met and got["S2"].met and got["T1"].met and got["U1"].met
    assert not got["K1"].met and got["K1"].actual == 3  # CB01, CB02, MT01 continue; DB01's is new
    assert got["P1"].met and got["P1"].actual_text == "4/12 đơn vị (33,3%)"
    assert not got["R1"].met and not got["R2"].met
    run_compliance(ward_master, DAY)  # writes the evaluation rows the team then fills
    edit_evaluation(ward_master, {"DVK-2026-CB01-1": {"result": "Công nhận", "typical": "Có"}})
    got = results(ward_master)
    assert got["R1"].met and got["R2"].met


def test_co_running_a_model_counts_for_the_share_of_units(ward_master):
    register(ward_master, [reg(u) for u in WARD_UNITS[:11]]
             + [reg("CB01", 2, partners="Công đoàn cơ sở phường, Chi hội Phụ nữ")])
    assert results(ward_master)["CT4"].met


@pytest.mark.parametrize(("row", "cell", "words"), [
    (rule(scope="Toàn đơn vị"), "C5", "không hiểu phạm vi “Toàn đơn vị”"),
    (rule(measure="Số hộ dân"), "E5", "không hiểu chỉ số “Số hộ dân”"),
    (rule(minimum="nhiều"), "G5", "không phải là số"),
    (rule(minimum=1.5), "G5", "số nguyên không âm"),
    (rule(minimum=None), "G5", "chưa có mức tối thiểu"),
    (rule(scope="Đơn vị", target="Chi bộ Phòng 99"), "D5", "không tìm thấy đơn vị “Chi bộ Phòng 99”"),
    (rule(scope="Loại đơn vị", target="Doanh nghiệp"), "D5", "không có đơn vị nào thuộc loại “Doanh nghiệp”"),
    (rule(scope="Đơn vị"), "D5", "chưa ghi áp dụng cho"),
    (rule(measure="Số mô hình theo lĩnh vực", parameter="Nông nghiệp"), "F5", "“Nông nghiệp” không phải lĩnh vực"),
    (rule(measure=MEASURE_UNIT_SHARE, parameter="0"), "F5", "tham số N"),
    (rule(measure=MEASURE_UNIT_SHARE, minimum="120%"), "G5", "từ trên 0% đến 100%"),
    (rule(rule_id=None), "A5", "chưa có mã"),
])
def test_a_rule_that_cannot_be_understood_is_refused_naming_its_cell(ward_master, row, cell, words):
    quotas(ward_master, [row])
    with pytest.raises(DvkError) as info:
        rules(ward_master)
    assert f"sheet “Chỉ tiêu”, ô {cell}" in info.value.message and words in info.value.message


def test_duplicate_rule_ids_are_refused(ward_master):
    quotas(ward_master, [rule("A"), rule("a")])
    with pytest.raises(DvkError, match="ô A6: mã chỉ tiêu “a” bị trùng"):
        rules(ward_master)


@pytest.mark.parametrize(("typed", "share"), [("100%", 1.0), (1, 1.0), (100, 1.0), ("80 %", 0.8), (0.8, 0.8),
                                              ("90,5%", 0.905)])
def test_a_share_minimum_is_read_as_staff_type_it(ward_master, typed, share):
    quotas(ward_master, [rule(measure=MEASURE_UNIT_SHARE, minimum=typed, parameter=1)])
    assert rules(ward_master)[0].minimum == pytest.approx(share)


def test_percent_is_written_the_vietnamese_way():
    assert [percent(x) for x in (1.0, 11 / 12, 0.5, 0.905)] == ["100%", "91,7%", "50%", "90,5%"]
