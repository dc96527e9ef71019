from click.testing import CliRunner
from openpyxl import load_workbook

from dvk_xl.master.book import open_master, read_form_table
from dvk_xl.reports.templates import HEADER_ROW, write_templates
from dvk_xl.shells.cli import main
from dvk_xl.spec.forms import METADATA_SHEET, PL03, RESULTS

from .reportfixtures import fill_register


def test_pl03_templates_prefill_registered_models_locked(ward_master, tmp_path):
    fill_register(ward_master)
    result = write_templates(ward_master, tmp_path / "out", form="pl03", period="6-thang")
    assert sorted(p.name for p in result.paths) == [
        "PL03_6_thang_CB01_Chi_bo_Khu_dan_cu_so_1.xlsx", "PL03_6_thang_PN01_Hoi_Lien_hiep_Phu_nu_phuong.xlsx"]
    book = load_workbook(next(p for p in result.paths if "PN01" in p.name))
    ws = book[PL03.sheet]
    assert [c.value for c in ws[HEADER_ROW]] == PL03.headers
    assert any(c.value == "BÁO CÁO KẾT QUẢ THỰC HIỆN MÔ HÌNH “DÂN VẬN KHÉO” 6 THÁNG ĐẦU NĂM 2026"
               for row in ws.iter_rows(max_row=9) for c in row)
    # Only the active model: the withdrawn one is not asked about.
    assert [ws.cell(HEADER_ROW + 1, c).value for c in (1, 2, 3)] == [1, "DVK-2026-PN01-1",
                                                                    "Phụ nữ giúp nhau phát triển kinh tế"]
    assert ws.cell(HEADER_ROW + 2, 2).value is None
    assert ws.cell(HEADER_ROW + 1, 2).protection.locked and ws.cell(HEADER_ROW + 1, 3).protection.locked
    assert not ws.cell(HEADER_ROW + 1, 4).protection.locked
    lists = {dv.formula1 for dv in ws.data_validations.dataValidation if dv.type == "list"}
    assert {"=ds_result_statuses", "=ds_yes_no", "=ds_assessments", "=ds_proposals"} <= lists
    meta = {r[0]: r[1] for r in book[METADATA_SHEET].iter_rows(values_only=True)}
    assert meta["form_id"] == "PL03" and meta["period"] == "6-thang" and meta["unit_code"] == "PN01"


def test_pl03_templates_cli_needs_a_period_and_a_register(ward_master, tmp_path):
    runner = CliRunner()
    no_period = runner.invoke(main, ["templates", str(ward_master), "--form", "pl03", "--out", str(tmp_path)])
    assert no_period.exit_code == 2 and "--period" in no_period.output
    empty = runner.invoke(main, ["templates", str(ward_master), "--form", "pl03", "--period", "nam",
                                 "--out", str(tmp_path)])
    assert empty.exit_code == 1 and "chưa có mô hình nào đang thực hiện" in empty.output
    fill_register(ward_master)
    ok = runner.invoke(main, ["templates", str(ward_master), "--form", "pl03", "--period", "nam",
                              "--out", str(tmp_path / "nam")])
    assert ok.exit_code == 0 and "Đã tạo 2 mẫu PL03" in ok.output


def test_results_table_is_created_by_init(ward_master):
    frame = read_form_table(open_master(ward_master), RESULTS)
    assert list(frame.columns) == RESULTS.keys and frame.empty


def fill_results(template, rows, out):
    """Fill a Phụ lục 03 template as a unit would: values from column 4 (status) on, by model row."""
    import os
    from datetime import datetime

    book = load_workbook(template)
    ws = book[PL03.sheet]
    for i, values in enumerate(rows):
        for c, value in enumerate(values, start=2):
            if value is not None:
                ws.cell(HEADER_ROW + 1 + i, c, value)
    out.parent.mkdir(parents=True, exist_ok=True)
    book.save(out)
    when = datetime(2026, 6, 15, 9, 0).timestamp()
    os.utime(out, (when, when))
    return out


def test_results_intake_fills_ketqua_and_refuses_unknown_models(ward_master, tmp_path):
    from dvk_xl.intake.consolidation import consolidate

    fill_register(ward_master, results=[])
    forms = {p.name.split("_")[3]: p for p in write_templates(ward_master, tmp_path / "f", form="pl03",
                                                                period="6-thang").paths}
    inbox = tmp_path / "inbox"
    fill_results(forms["CB01"], [
        ("DVK-2026-CB01-1", None, "Đang thực hiện", "Không", None, "80% hộ phân loại rác", 300, "12.500.000",
         *["Đạt"] * 8, "Đề nghị công nhận"),
        ("DVK-2026-CB01-2", None, "Hoàn thành", "Có", "20/03/2026", "15 hộ hiến đất", 120, 350000000),
    ], inbox / "ket qua khu 1.xlsx")
    fill_results(forms["PN01"], [("DVK-2026-PN01-1", None, "Đang thực hiện", "Không", None, "Đã vay vốn", 25),
                                 ("DVK-2026-XX-9", "Mô hình lạ", "Hoàn thành", "Không", None, "?", 1)],
                 inbox / forms["PN01"].name)
    report = consolidate(ward_master, inbox)
    by_file = {f.path.name: f for f in report.files}
    assert by_file["ket qua khu 1.xlsx"].status == "accepted", by_file["ket qua khu 1.xlsx"].findings
    rejected = by_file[forms["PN01"].name]
    assert rejected.status == "rejected"
    unknown = [f for f in rejected.findings if f.code == "model-unknown"]
    assert len(unknown) == 1 and unknown[0].cell == f"B{HEADER_ROW + 2}" and "DVK-2026-XX-9" in unknown[0].message
    frame = read_form_table(open_master(ward_master), RESULTS)
    assert list(frame["model_id"]) == ["DVK-2026-CB01-1", "DVK-2026-CB01-2"]
    assert set(frame["period"]) == {"6 tháng"} and set(frame["unit_code"]) == {"CB01"}
    first = frame.iloc[0]
    assert (first["result_status"], first["participants"], first["resources"], first["self_c8"], first["proposal"]) == (
        "Đang thực hiện", 300, 12500000, "Đạt", "Đề nghị công nhận")
    assert frame.iloc[1]["resources"] == 350000000 and frame.iloc[1]["source_file"] == "ket qua khu 1.xlsx"
    # The unit resends: its rows of the period are replaced, not added.
    fill_results(forms["CB01"], [("DVK-2026-CB01-1", None, "Hoàn thành", "Không", None, "100% hộ", 310),
                                 ("DVK-2026-CB01-2", None, "Tạm dừng", "Có", None, "Chờ kinh phí")],
                 inbox / "ket qua khu 1 (sua).xlsx")
    import os
    from datetime import datetime
    later = datetime(2026, 6, 18, 9, 0).timestamp()
    os.utime(inbox / "ket qua khu 1 (sua).xlsx", (later, later))
    again = consolidate(ward_master, inbox)
    resent = next(f for f in again.files if f.path.name == "ket qua khu 1 (sua).xlsx")
    assert resent.status == "accepted", resent.findings
    assert [(f.code, f.cell) for f in resent.findings] == [("launched-without-date", f"F{HEADER_ROW + 2}")]
    frame = read_form_table(open_master(ward_master), RESULTS)
    assert list(frame["model_id"]) == ["DVK-2026-CB01-1", "DVK-2026-CB01-2"]
    assert list(frame["result_status"]) == ["Hoàn thành", "Tạm dừng"]
