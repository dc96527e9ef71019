"""Summaries count from the master's state after the run; TinhHinhNop for units without a model."""

import shutil
from datetime import datetime

from dvk_xl.intake.consolidation import check_files, consolidate
from dvk_xl.master.book import open_master, read_form_table
from dvk_xl.spec.forms import SUBMISSIONS

from .conftest import GOOD_MODEL, model


def test_a_second_folder_counts_the_units_already_received(returned, tmp_path):
    returned("CB01", [GOOD_MODEL])
    first = consolidate(returned.master, returned.inbox)
    assert first.summary()["units_received"] == 1
    second_inbox = tmp_path / "dot2"
    second_inbox.mkdir()
    shutil.move(returned("CB02", [model(name="Tổ dân phố văn minh")]), second_inbox)
    second = consolidate(returned.master, second_inbox)
    assert second.summary()["units_received"] == 2
    assert "CB01" not in second.summary()["units_missing"]
    assert any(line.startswith("Đơn vị đã có mẫu hợp lệ: 2/12;") for line in second.lines())
    checked = check_files(returned.master, [])  # validate sees the master's state too
    assert checked.summary()["units_received"] == 2


def test_a_rejected_file_does_not_count(returned, tmp_path):
    returned("CB01", [model(field="Kinh te")])
    report = consolidate(returned.master, returned.inbox)
    assert report.summary()["units_received"] == 0


def test_units_without_a_model_owe_no_results_report(ward_master, tmp_path):
    from dvk_xl.reports.templates import write_templates
    from dvk_xl.spec.forms import PL03, submission_label

    from .reportfixtures import fill_register
    from .test_results import fill_results

    fill_register(ward_master, results=[])  # models of CB01 and PN01 only
    forms = {p.name.split("_")[3]: p for p in write_templates(ward_master, tmp_path / "f", form="pl03",
                                                                period="6-thang").paths}
    inbox = tmp_path / "inbox"
    fill_results(forms["CB01"], [("DVK-2026-CB01-1", None, "Đang thực hiện", "Không", None, "80% hộ", 300),
                                 ("DVK-2026-CB01-2", None, "Hoàn thành", "Có", "20/03/2026", "15 hộ", 120)],
                 inbox / "kq.xlsx")
    report = consolidate(ward_master, inbox, now=datetime(2026, 7, 1, 9, 0))
    assert [f.status for f in report.files] == ["accepted"], report.files[0].findings
    table = read_form_table(open_master(ward_master), SUBMISSIONS)
    table = table[table["form"] == submission_label(PL03.id, "6-thang")]
    by_unit = {code: (state, on_time) for code, state, on_time in zip(table["unit_code"], table["state"],
                                                                      table["on_time"], strict=True)}
    assert by_unit["CB01"][0] == "Đã nộp"
    assert by_unit["PN01"][0] == "Chưa nộp"  # it has a model: its report is due
    for code in ("CB02", "CB03", "MT01"):
        state, on_time = by_unit[code]
        assert state == "Không có mô hình" and on_time in ("", None), (code, state, on_time)
