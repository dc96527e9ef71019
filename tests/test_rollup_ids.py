"""Model IDs stay unique through two roll-ups (wards -> city -> province), though every ward numbers
its units from CB01; IDs already issued never change; a model claimed twice is refused."""

import shutil
from datetime import date

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import range_boundaries

from dvk_xl.intake.consolidation import consolidate
from dvk_xl.intake.rollup import rollup
from dvk_xl.master.book import init_master, load_settings, open_master, read_form_table
from dvk_xl.reports.writer import write_report
from dvk_xl.shells.cli import main
from dvk_xl.spec.forms import REGISTER, RESULTS

from .conftest import NEW_MODEL, model
from .reportfixtures import fill_register
from .test_rollup import total_rows

UNITS = [{"unit_code": "CB01", "unit_name": "Chi bộ Khu phố 1", "unit_type": "Chi bộ"},
         {"unit_code": "CB02", "unit_name": "Chi bộ Khu phố 2", "unit_type": "Chi bộ"}]
# Three wards under two committees; all three use the same unit codes, and two are "HA" in their parent's list.
WARDS = {  # key: (committee name, its own "Mã cấp ủy", parent key, code in the parent's DonVi)
    "hong_an": ("Đảng ủy phường Hồng An", "HA", "TP", "HA"),
    "hong_phuc": ("Đảng ủy phường Hồng Phúc", "", "TP", "HP"),
    "hai_an": ("Đảng ủy phường Hải An", "HA", "QK", "HA"),
}
PARENTS = {"TP": ("Ban Tuyên giáo và Dân vận Thành ủy Hải Phòng", "TP"), "QK": ("Đảng ủy Khối cơ quan", "")}
FIELDS = ["Kinh tế", "Văn hóa - xã hội", "Xây dựng hệ thống chính trị"]
KINDS = ["Duy trì", "Mới", "Nhân rộng"]


def ward_models(i: int) -> tuple[list[dict], list[dict]]:
    """The same three unit-level IDs in every ward, with different contents and results."""
    register, results = [], []
    for n, (model_id, unit) in enumerate((("DVK-2026-CB01-1", "CB01"), ("DVK-2026-CB01-2", "CB01"),
                                          ("DVK-2026-CB02-1", "CB02"))):
        kind = KINDS[(i + n) % 3]
        register.append(dict(
            model_id=model_id, unit_code=unit, unit_name=UNITS[int(unit[-1]) - 1]["unit_name"],
            name=f"Mô hình {n + 1} của phường {i}", field=FIELDS[(i * 2 + n) % 3],
            subject="Cá nhân" if (i + n) % 2 else "Tập thể", carried_by="Chi bộ", kind=kind,
            start_year=2026 if kind == "Mới" else 2024, goals="Mục tiêu", date_from=date(2026, 3, 1),
            date_to=date(2026, 11, 30), launch_date=date(2026, 3, 20) if kind == "Mới" else None,
            person_in_charge="Người phụ trách", status="Đang thực hiện"))
        if n != 1:  # the second model has not reported yet
            results.append(dict(period="6 tháng", model_id=model_id, unit_code=unit, name=register[-1]["name"],
                                result_status="Hoàn thành" if n else "Đang thực hiện", launched="Có",
                                results="Kết quả", participants=100 * (i + 1) + n, resources=1000000 * (i + 1),
                                lower_result="Có" if n == 0 else "Không"))
    return register, results


def send(master, kinds, out, inbox):
    """`dvk report` for each kind, copied into the higher committee's inbox; the report paths."""
    inbox.mkdir(parents=True, exist_ok=True)
    paths = {}
    for kind in kinds:
        path = write_report(master, kind, out).path
        shutil.copy2(path, inbox / path.name)
        paths[kind] = path
    return paths


@pytest.fixture(scope="module")
def chain(tmp_path_factory):
    """Three wards -> city TP and committee QK -> province, each level rolled up with `dvk rollup`."""
    root = tmp_path_factory.mktemp("chain")
    kinds = ("dang-ky", "6-thang")
    parents = {key: init_master(root / key, committee=name, code=code,
                                units=[{"unit_code": w[3], "unit_name": w[0], "unit_type": "Đảng bộ trực thuộc"}
                                       for w in WARDS.values() if w[2] == key]).path
               for key, (name, code) in PARENTS.items()}
    wards, ward_reports, ward_data = {}, {}, {}
    for i, (key, (name, code, parent, _)) in enumerate(WARDS.items()):
        wards[key] = init_master(root / key, committee=name, code=code or None, units=UNITS).path
        ward_data[key] = ward_models(i)
        fill_register(wards[key], *ward_data[key])
        ward_reports[key] = send(wards[key], kinds, root / "out" / key, root / f"inbox_{parent}")
    province = init_master(root / "province", committee="Ban Tuyên giáo Tỉnh ủy",
                           units=[{"unit_code": key, "unit_name": name, "unit_type": "Đảng bộ trực thuộc"}
                                  for key, (name, _) in PARENTS.items()]).path
    outcomes = {}
    for key, master in parents.items():
        outcomes[key] = rollup(master, root / f"inbox_{key}")
        send(master, kinds, root / "out" / key, root / "inbox_province")
    outcomes["province"] = rollup(province, root / "inbox_province")
    return dict(root=root, wards=wards, ward_reports=ward_reports, ward_data=ward_data, parents=parents,
                province=province, outcomes=outcomes)


def registers(master):
    wb = open_master(master)
    return read_form_table(wb, REGISTER), read_form_table(wb, RESULTS)


def test_every_level_accepts_everything(chain):
    for key, result in chain["outcomes"].items():
        assert {f.status for f in result.files} == {"accepted"}, (key, [f.findings for f in result.files])
        assert not [f for o in result.files for f in o.findings if f.severity == "error"]


def test_ids_are_unique_and_namespaced_at_city_and_province(chain):
    city, _ = registers(chain["parents"]["TP"])
    assert sorted(city["model_id"]) == sorted(f"{code}/DVK-2026-{m}" for code in ("HA", "HP")
                                              for m in ("CB01-1", "CB01-2", "CB02-1"))
    assert {(r["model_id"], r["source_id"]) for r in city.to_dict("records")} == {
        (f"{code}/{m}", m) for code in ("HA", "HP") for m in ("DVK-2026-CB01-1", "DVK-2026-CB01-2", "DVK-2026-CB02-1")}
    province, _ = registers(chain["province"])
    ids = list(province["model_id"])
    assert len(ids) == len(set(ids)) == 9
    assert {i.rsplit("/", 1)[0] for i in ids} == {"TP/HA", "TP/HP", "QK/HA"}  # two wards are "HA", under two parents
    row = province[province["model_id"] == "TP/HA/DVK-2026-CB01-1"].iloc[0]
    assert row["source_id"] == "HA/DVK-2026-CB01-1" and row["unit_code"] == "TP"
    assert row["origin"] == "DVK-2026-CB01-1 (Đảng ủy phường Hồng An)"  # where the ward can be asked about it
    other = province[province["model_id"] == "QK/HA/DVK-2026-CB01-1"].iloc[0]
    assert other["origin"] == "DVK-2026-CB01-1 (Đảng ủy phường Hải An)"
    assert other["name"] == "Mô hình 1 của phường 2"


def test_every_result_lands_on_its_own_model(chain):
    path = {"hong_an": ("TP/HA/", "HA/"), "hong_phuc": ("TP/HP/", "HP/"), "hai_an": ("QK/HA/", "HA/")}
    _, province = registers(chain["province"])
    for key, (at_province, at_parent) in path.items():
        parent = chain["parents"][WARDS[key][2]]
        _, results = registers(parent)
        register, reported = chain["ward_data"][key]
        expected = {r["model_id"]: None for r in register}  # a model not reported yet still has its row
        expected.update({r["model_id"]: r["participants"] for r in reported})
        for prefix, table in ((at_parent, results), (at_province, province)):
            mine = table[table["model_id"].str.startswith(prefix)]
            assert sorted(mine["model_id"]) == sorted(prefix + m for m in expected)  # one row per model
            got = {m[len(prefix):]: (p if p == p else None) for m, p in zip(mine["model_id"], mine["participants"],
                                                                              strict=True)}
            assert got == expected
    assert len(province) == 9


def test_province_totals_equal_the_sum_of_the_wards(chain, tmp_path):
    for kind, sheet in (("dang-ky", "Phụ lục 02"), ("6-thang", "Phụ lục 03")):
        province = total_rows(write_report(chain["province"], kind, tmp_path).path, sheet)
        wards = [total_rows(reports[kind], sheet) for reports in chain["ward_reports"].values()]
        summed = [[sum(values) for values in zip(*tables, strict=True)] for tables in zip(*wards, strict=True)]
        assert province == summed and any(any(row) for row in summed)


def strip_new_columns(master):
    """Make a master look as the previous version wrote it: DangKy without its two roll-up columns (nor
    “Mã đăng ký lần đầu”, added after them)."""
    book = load_workbook(master)
    ws = book[REGISTER.sheet]
    table = ws.tables[REGISTER.table]
    min_col, min_row, max_col, max_row = range_boundaries(table.ref)
    newer = len(REGISTER.keys) - REGISTER.position("source_id")
    assert ws.cell(min_row, max_col - newer + 1).value == REGISTER.header_of("source_id")
    ws.delete_cols(max_col - newer + 1, newer)
    table.ref = f"{get_column_letter(min_col)}{min_row}:{get_column_letter(max_col - newer)}{max_row}"
    table.autoFilter.ref = table.ref
    del table.tableColumns[-newer:]
    book.save(master)


def test_a_master_from_the_previous_version_keeps_its_ids(chain, tmp_path):
    """A city register as the previous version rolled it up (the ward's IDs as they are) keeps them."""
    city = init_master(tmp_path / "city", committee=PARENTS["TP"][0],
                       units=[{"unit_code": "HA", "unit_name": WARDS["hong_an"][0]},
                              {"unit_code": "HP", "unit_name": WARDS["hong_phuc"][0]}]).path
    register, results = ward_models(0)
    legacy = [{**r, "unit_code": "HA", "unit_name": WARDS["hong_an"][0]} for r in register]
    fill_register(city, legacy, [{**r, "unit_code": "HA", "unit_name": WARDS["hong_an"][0]} for r in results])
    strip_new_columns(city)
    assert REGISTER.header_of("source_id") not in open_master(city).read_table(REGISTER.table).columns
    # The ward has added a model since; Hồng Phúc, with the same unit codes, reports for the first time.
    ward = chain["wards"]["hong_an"]
    ward_register, ward_results = ward_models(0)
    fill_register(ward, [*ward_register, {**ward_register[0], "model_id": "DVK-2026-CB02-2", "name": "Mô hình mới"}],
                  ward_results)
    inbox = tmp_path / "inbox"
    send(ward, ("dang-ky", "6-thang"), tmp_path / "out", inbox)
    for path in chain["ward_reports"]["hong_phuc"].values():
        shutil.copy2(path, inbox)
    result = rollup(city, inbox)
    assert {f.status for f in result.files} == {"accepted"}, [f.findings for f in result.files]
    after, kept_results = registers(city)
    by_sender = {code: sorted(after[after["unit_code"] == code]["model_id"]) for code in ("HA", "HP")}
    assert by_sender["HA"] == ["DVK-2026-CB01-1", "DVK-2026-CB01-2", "DVK-2026-CB02-1", "HA/DVK-2026-CB02-2"]
    assert by_sender["HP"] == ["HP/DVK-2026-CB01-1", "HP/DVK-2026-CB01-2", "HP/DVK-2026-CB02-1"]
    assert set(after["source_id"]) == {"DVK-2026-CB01-1", "DVK-2026-CB01-2", "DVK-2026-CB02-1", "DVK-2026-CB02-2"}
    ha_results = kept_results[kept_results["unit_code"] == "HA"]
    assert sorted(ha_results["model_id"]) == by_sender["HA"]  # one row per model, on the IDs already issued
    assert {m: p for m, p in zip(ha_results["model_id"], ha_results["participants"], strict=True) if p} == {
        r["model_id"]: r["participants"] for r in ward_results}
    # Rolling up the same files again changes nothing.
    assert {f.status for f in rollup(city, inbox).files} == {"unchanged"}
    assert sorted(registers(city)[0]["model_id"]) == sorted(after["model_id"])


def test_unit_ids_of_a_previous_master_stay_on_consolidation(returned):
    first = returned("CB01", [model(), model(NEW_MODEL)], received=None)
    consolidate(returned.master, returned.inbox)
    strip_new_columns(returned.master)
    before = sorted(read_form_table(open_master(returned.master), REGISTER)["model_id"])
    assert before == ["DVK-2026-CB01-1", "DVK-2026-CB01-2"]
    first.unlink()
    returned("CB01", [model(NEW_MODEL), model(name="Mô hình thứ ba"), model()], name="lan2.xlsx")
    consolidate(returned.master, returned.inbox)
    after = read_form_table(open_master(returned.master), REGISTER)
    assert sorted(after["model_id"]) == ["DVK-2026-CB01-1", "DVK-2026-CB01-2", "DVK-2026-CB01-3"]
    assert after["source_id"].isna().all()  # a unit's model has no ID below it


def province_with_ward(chain, tmp_path):
    """A copy of the province that also lists ward Hồng An directly (as the ward moved up a level)."""
    province = tmp_path / "province.xlsx"
    shutil.copy2(chain["province"], province)
    wb = open_master(province)
    from dvk_xl.spec.forms import UNITS

    units = read_form_table(wb, UNITS)
    units.loc[len(units)] = {"unit_code": "HAN", "unit_name": WARDS["hong_an"][0]}
    wb.write_table(UNITS.table, units.rename(columns={c.key: c.header for c in UNITS.columns}))
    wb.save()
    return province


def test_a_model_claimed_by_two_senders_is_a_conflict(chain, tmp_path):
    province = province_with_ward(chain, tmp_path)
    inbox = tmp_path / "direct"
    inbox.mkdir()
    shutil.copy2(chain["ward_reports"]["hong_an"]["dang-ky"], inbox)
    result = rollup(province, inbox)
    outcome = result.files[0]
    assert outcome.status == "rejected" and outcome.unit == "HAN"
    assert [f.code for f in outcome.findings] == ["model-id-conflict"] * 3
    assert "TP/HA/DVK-2026-CB01-1" in outcome.findings[0].message and outcome.findings[0].cell == "A2"
    # The same in one batch: both the ward's list and its city's list claim the ward's models.
    fresh = init_master(tmp_path / "p2", committee="Ban Tuyên giáo Tỉnh ủy",
                        units=[{"unit_code": "TP", "unit_name": PARENTS["TP"][0]},
                               {"unit_code": "HAN", "unit_name": WARDS["hong_an"][0]}]).path
    batch = tmp_path / "batch"
    batch.mkdir()
    shutil.copy2(chain["ward_reports"]["hong_an"]["dang-ky"], batch)
    city_list = write_report(chain["parents"]["TP"], "dang-ky", tmp_path / "city").path
    shutil.copy2(city_list, batch)
    result = rollup(fresh, batch)
    assert [f.status for f in result.files] == ["rejected", "rejected"]
    codes = {f.unit: [x.code for x in f.findings] for f in result.files}
    assert codes == {"HAN": ["model-id-conflict"] * 3, "TP": ["model-id-conflict"] * 3}  # only Hồng An's models
    messages = {f.unit: f.findings[0].message for f in result.files}
    assert "“TP”" in messages["HAN"] and "“HAN”" in messages["TP"]
    assert read_form_table(open_master(fresh), REGISTER).empty


def test_an_id_listed_twice_is_a_duplicate_not_a_conflict(chain, tmp_path):
    book = load_workbook(chain["ward_reports"]["hong_phuc"]["dang-ky"])
    data, meta = book["_dvk_data"], book["_dvk"]
    data.append([c.value for c in data[2]])
    for row in meta.iter_rows():
        if row[0].value == "models":
            row[1].value = data.max_row - 1
    inbox = tmp_path / "dup"
    inbox.mkdir()
    book.save(inbox / "PL02_lap.xlsx")
    city = tmp_path / "city.xlsx"
    shutil.copy2(chain["parents"]["TP"], city)
    outcome = rollup(city, inbox).files[0]
    assert outcome.status == "rejected" and [f.code for f in outcome.findings] == ["duplicate-model"]


def test_an_id_given_to_another_senders_model_is_a_conflict(chain, tmp_path):
    """A legacy row of Hồng An already holds the ID that Hồng Phúc's model would get."""
    city = init_master(tmp_path / "city", committee=PARENTS["TP"][0],
                       units=[{"unit_code": "HA", "unit_name": WARDS["hong_an"][0]},
                              {"unit_code": "HP", "unit_name": WARDS["hong_phuc"][0]}]).path
    register, _ = ward_models(0)
    fill_register(city, [{**register[0], "model_id": "HP/DVK-2026-CB01-1", "unit_code": "HA"}], [])
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy2(chain["ward_reports"]["hong_phuc"]["dang-ky"], inbox)
    outcome = rollup(city, inbox).files[0]
    assert outcome.status == "rejected"
    assert [(f.code, f.cell) for f in outcome.findings] == [("model-id-conflict", "A2")]


def test_init_code_and_the_notice_before_reporting_up(tmp_path):
    runner = CliRunner()
    units = tmp_path / "units.csv"
    units.write_text("Mã đơn vị,Tên đơn vị\nCB01,Chi bộ Khu dân cư số 1\nPN01,Hội Liên hiệp Phụ nữ phường\n",
                     encoding="utf-8")
    run = runner.invoke(main, ["init", str(tmp_path / "a"), "--committee", "Đảng ủy phường Hồng An", "--code", "HA",
                               "--units", str(units)])
    assert run.exit_code == 0, run.output
    coded = tmp_path / "a" / "SoTongHop_DVK_2026.xlsx"
    assert load_settings(open_master(coded)).committee_code == "HA"
    assert runner.invoke(main, ["init", str(tmp_path / "b"), "--units", str(units)]).exit_code == 0
    plain = tmp_path / "b" / "SoTongHop_DVK_2026.xlsx"
    assert load_settings(open_master(plain)).committee_code == ""
    for master, noticed in ((plain, True), (coded, False)):
        fill_register(master)
        run = runner.invoke(main, ["report", str(master), "--kind", "dang-ky", "--out", str(tmp_path / "out")])
        assert run.exit_code == 0, run.output
        assert ("Chưa nhập “Mã cấp ủy”" in run.output) is noticed
        if noticed:
            assert "nhận biết báo cáo theo tên cấp ủy “Đảng ủy phường Hồng An”" in run.output


def test_a_code_that_names_another_committee_is_refused(chain, tmp_path):
    """Hồng Phúc typed Hồng An's code: its report would replace Hồng An's models in the city's register."""
    book = load_workbook(chain["ward_reports"]["hong_phuc"]["dang-ky"])
    for row in book["_dvk"].iter_rows():
        if row[0].value == "unit_code":
            row[1].value = "HA"
    inbox = tmp_path / "typo"
    inbox.mkdir()
    book.save(inbox / "PL02_HongPhuc.xlsx")
    city = tmp_path / "city.xlsx"
    shutil.copy2(chain["parents"]["TP"], city)
    outcome = rollup(city, inbox).files[0]
    assert outcome.status == "rejected"
    # and its models are Hồng Phúc's, already held under HP
    assert [f.code for f in outcome.findings] == ["committee-mismatch"] + ["model-id-conflict"] * 3
    assert "“HA”" in outcome.findings[0].message and "“HP”" in outcome.findings[0].message
    assert sorted(read_form_table(open_master(city), REGISTER)["model_id"]) == sorted(
        registers(chain["parents"]["TP"])[0]["model_id"])
