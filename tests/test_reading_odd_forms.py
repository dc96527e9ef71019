"""Returned forms as units really send them: totals, notes, column numbers, signatures, text outside
the table, other sheets, forms of another committee or year, and files the tool itself trips on."""

import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import Workbook, load_workbook

from dvk_xl.intake import consolidation, validation
from dvk_xl.intake.consolidation import check_files, consolidate
from dvk_xl.intake.reading import read_returned
from dvk_xl.reports.templates import HEADER_ROW, INPUT_ROWS
from dvk_xl.shells.cli import main
from dvk_xl.spec.forms import METADATA_SHEET, PL01

from .conftest import GOOD_MODEL, NEW_MODEL

SIGNATURE_ROW = HEADER_ROW + INPUT_ROWS + 2  # where the template writes “T/M …”


@pytest.fixture(scope="module")
def campaign(tmp_path_factory) -> tuple[Path, dict[str, Path]]:
    """One ward master and its templates for the whole module (writing them takes seconds)."""
    from dvk_xl.demo.run import DEMO_COMMITTEE, DEMO_UNITS
    from dvk_xl.master.book import init_master
    from dvk_xl.reports.templates import write_templates

    folder = tmp_path_factory.mktemp("ward")
    master = init_master(folder, committee=DEMO_COMMITTEE, preset="phuong", units=DEMO_UNITS).path
    templates = {p.name.split("_")[1]: p for p in write_templates(master, folder / "forms").paths}
    return master, templates


@pytest.fixture
def returned(campaign, tmp_path):
    """Like conftest's ``returned``, on a fresh copy of the module's master: returned(unit, rows, name=None)."""
    from datetime import datetime

    from dvk_xl.demo.run import fill_template

    master = Path(shutil.copy(campaign[0], tmp_path / campaign[0].name))
    inbox = tmp_path / "inbox"
    inbox.mkdir()

    def make(unit: str, rows: list[tuple], name: str | None = None) -> Path:
        template = campaign[1][unit]
        path = fill_template(template, rows, inbox / (name or template.name))
        when = datetime(2026, 3, 1, 10, 0).timestamp()
        os.utime(path, (when, when))
        return path

    make.inbox, make.master = inbox, master
    return make


def edit(path: Path, change) -> Path:
    """Open a returned form with openpyxl, let ``change(book, ws)`` edit it, save it in place (keeping
    the time it was received)."""
    received = path.stat().st_mtime
    book = load_workbook(path)
    ws = book[PL01.sheet]
    ws.protection.sheet = False
    change(book, ws)
    book.save(path)
    os.utime(path, (received, received))
    return path


def only(report):
    [outcome] = report.files
    return outcome


def codes(outcome) -> list[tuple[str, str | None]]:
    return [(f.code, f.cell) for f in outcome.findings]


def test_the_filled_template_gives_no_finding(returned):
    outcome = only(check_files(returned.master, [returned("CB01", [GOOD_MODEL, NEW_MODEL])]))
    assert outcome.status == "accepted" and outcome.models == 2 and outcome.findings == []


def test_an_older_template_without_frame_texts_gives_no_warning(returned):
    def drop_frame(book, ws):
        meta = book[METADATA_SHEET]
        for row in meta.iter_rows():
            if row[0].value == "frame_texts":
                row[1].value = None
                row[0].value = None

    path = edit(returned("CB01", [GOOD_MODEL]), drop_frame)
    assert only(check_files(returned.master, [path])).findings == []


def test_unidentified_copied_form_with_a_similar_name_does_not_stop_the_batch(returned, tmp_path):
    """The crash: a copied form (no hidden sheet, no unit line) whose model resembles another unit's."""
    good = returned("CB01", [GOOD_MODEL])
    book = Workbook()
    ws = book.active
    ws.append(PL01.headers)
    ws.append([1, "Khu dân cư sáng xanh sạch đẹp", *GOOD_MODEL[1:]])
    copied = returned.inbox / "dang ky.xlsx"
    book.save(copied)

    report = check_files(returned.master, [good, copied])
    by_name = {o.path.name: o for o in report.files}
    assert by_name[good.name].status == "accepted"
    assert by_name["dang ky.xlsx"].status == "rejected"
    assert "unit-unknown" in [f.code for f in by_name["dang ky.xlsx"].findings]

    for args in (["validate", str(good), str(copied), "--master", str(returned.master)],
                 ["consolidate", str(returned.master), str(returned.inbox)]):
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 1, result.output
        assert "Lỗi không mong đợi" not in result.output
        assert "dang ky.xlsx" in result.output


@pytest.mark.parametrize("column", [2, 5])
def test_a_totals_row_is_not_a_model_whatever_its_column(returned, column):
    path = edit(returned("CB01", [GOOD_MODEL, NEW_MODEL]),
                lambda book, ws: ws.cell(HEADER_ROW + 3, column, "Tổng cộng: 3 mô hình"))
    outcome = only(check_files(returned.master, [path]))
    assert outcome.models == 2 and outcome.findings == []


@pytest.mark.parametrize("label", ["Cộng", "TỔNG", "Tổng số: 2 mô hình"])
def test_other_totals_labels_with_sums(returned, label):
    def totals(book, ws):
        ws.cell(HEADER_ROW + 2, 2, label)
        ws.cell(HEADER_ROW + 2, 7, 2)  # a sum under “Năm bắt đầu” is still a totals line

    outcome = only(check_files(returned.master, [edit(returned("CB01", [GOOD_MODEL]), totals)]))
    assert outcome.models == 1 and outcome.findings == []


def test_a_model_whose_name_starts_like_a_total_is_read(returned):
    path = returned("CB01", [GOOD_MODEL[:0] + ("Tổng vệ sinh môi trường mỗi tháng",) + GOOD_MODEL[1:]])
    outcome = only(check_files(returned.master, [path]))
    assert outcome.models == 1 and outcome.findings == []


def test_a_note_under_the_table_is_not_a_model(returned):
    def note(book, ws):
        ws.cell(HEADER_ROW + 3, 1, "Ghi chú: mô hình số 2 phối hợp với Đoàn Thanh niên")
        ws.cell(HEADER_ROW + 4, 1, "- Kinh phí do Nhân dân đóng góp")
        ws.cell(HEADER_ROW + 6, 2, "* Ghi chú")
        ws.cell(HEADER_ROW + 7, 2, "Lưu ý: số liệu tạm tính")

    outcome = only(check_files(returned.master, [edit(returned("CB01", [GOOD_MODEL, NEW_MODEL]), note)]))
    assert outcome.models == 2 and outcome.findings == []


@pytest.mark.parametrize("style", ["plain", "brackets"])
def test_a_line_of_column_numbers_under_the_header(returned, style):
    def numbers(book, ws):
        ws.insert_rows(HEADER_ROW + 1)
        for c in range(1, len(PL01.columns) + 1):
            ws.cell(HEADER_ROW + 1, c, c if style == "plain" else f"({c})")

    outcome = only(check_files(returned.master, [edit(returned("CB01", [GOOD_MODEL]), numbers)]))
    assert outcome.models == 1 and outcome.findings == []


def test_the_signature_block_with_names_is_not_data(returned):
    def sign(book, ws):
        ws.cell(SIGNATURE_ROW, 2, "Người lập biểu")
        ws.cell(SIGNATURE_ROW + 5, 2, "Lê Thị Hoa")
        ws.cell(SIGNATURE_ROW + 5, 7, "Nguyễn Văn Hùng")
        ws.cell(2, 7, "Hải Phòng, ngày 25 tháng 02 năm 2026")

    outcome = only(check_files(returned.master, [edit(returned("CB01", [GOOD_MODEL]), sign)]))
    assert outcome.models == 1 and outcome.findings == []


def test_a_model_typed_below_the_signature_is_a_warning_naming_its_cell(returned):
    row = SIGNATURE_ROW + 8

    def below(book, ws):
        for c, value in enumerate((2, *NEW_MODEL), start=1):
            ws.cell(row, c, value)

    outcome = only(check_files(returned.master, [edit(returned("CB01", [GOOD_MODEL]), below)]))
    assert outcome.models == 1 and outcome.status == "accepted"
    assert codes(outcome) == [("cell-not-read", f"A{row}")]
    assert f"A{row}" in outcome.findings[0].message and "14 ô khác" in outcome.findings[0].message


def test_text_right_of_the_table_is_a_warning(returned):
    path = edit(returned("CB01", [GOOD_MODEL]), lambda book, ws: ws.cell(HEADER_ROW + 1, 20, "thêm 2 hộ"))
    outcome = only(check_files(returned.master, [path]))
    assert codes(outcome) == [("cell-not-read", f"T{HEADER_ROW + 1}")]


def test_models_on_a_second_sheet_are_a_warning(returned):
    def second(book, ws):
        more = book.create_sheet("Phụ lục 01 (2)")
        more.append(PL01.headers)
        more.append([3, *NEW_MODEL])

    outcome = only(check_files(returned.master, [edit(returned("CB01", [GOOD_MODEL]), second)]))
    assert outcome.models == 1
    [finding] = outcome.findings
    assert (finding.code, finding.severity, finding.sheet, finding.cell) == ("cell-not-read", "warning",
                                                                             "Phụ lục 01 (2)", "A1")
    assert "Phụ lục 01 (2)" in finding.message and "Phụ lục 01" in finding.message


def _meta(key: str, value):
    def change(book, ws):
        for row in book[METADATA_SHEET].iter_rows():
            if row[0].value == key:
                row[1].value = value
    return change


def test_a_form_of_another_committee_is_refused(returned):
    path = edit(returned("CB01", [GOOD_MODEL]), _meta("committee", "Đảng ủy phường Lê Chân"))
    outcome = only(check_files(returned.master, [path]))
    assert outcome.status == "rejected"
    [finding] = outcome.findings
    assert finding.code == "committee-mismatch" and finding.is_error
    assert "Đảng ủy phường Lê Chân" in finding.message and "Đảng ủy phường Hồng An" in finding.message


def test_the_committee_name_is_compared_without_case_or_tone_placement(returned):
    path = edit(returned("CB01", [GOOD_MODEL]), _meta("committee", "ĐẢNG UỶ PHƯỜNG HỒNG AN"))
    assert only(check_files(returned.master, [path])).findings == []


def test_a_form_of_another_year_is_refused(returned):
    path = edit(returned("CB01", [GOOD_MODEL]), _meta("year", 2025))
    outcome = only(check_files(returned.master, [path]))
    assert outcome.status == "rejected"
    assert [(f.code, f.is_error) for f in outcome.findings] == [("year-mismatch", True)]
    assert "2025" in outcome.findings[0].message


def test_an_unexpected_failure_while_reading_is_a_finding(returned, monkeypatch):
    from dvk_xl.intake import reading

    def broken(*args):
        raise KeyError("boom")

    monkeypatch.setattr(reading, "_report_unread", broken)
    file = read_returned(returned("CB01", [GOOD_MODEL]))
    assert [(f.code, f.severity) for f in file.findings] == [("internal-error", "error")]
    assert "KeyError" in file.findings[0].message and "giữ lại" in file.findings[0].message


def test_an_unexpected_failure_in_the_row_checks_hits_only_that_file(returned, monkeypatch):
    original = validation.check_duplicates

    def fragile(frame, files, form, campaign):
        if (frame["name"] == NEW_MODEL[0]).any():
            raise ValueError("boom")
        original(frame, files, form, campaign)

    monkeypatch.setattr(validation, "check_duplicates", fragile)
    good = returned("CB01", [GOOD_MODEL])
    bad = returned("CB02", [NEW_MODEL])
    wrong = returned("CB03", [GOOD_MODEL[:1] + ("Kinh te",) + GOOD_MODEL[2:]])
    report = check_files(returned.master, [good, bad, wrong])
    by_name = {o.path.name: o for o in report.files}
    assert by_name[good.name].status == "accepted" and by_name[good.name].findings == []
    assert [f.code for f in by_name[bad.name].findings] == ["internal-error"]
    assert [f.code for f in by_name[wrong.name].findings] == ["value-not-in-list"]  # still checked, once


def test_an_unexpected_failure_while_merging_keeps_the_others(returned, monkeypatch):
    handler = consolidation.HANDLERS["PL01"]
    original = handler.merge

    def fragile(state, file, rows, received):
        if file.unit_code == "CB02":
            state.models["cb02"] = [{"half": "written"}]
            raise RuntimeError("boom")
        return original(state, file, rows, received)

    monkeypatch.setitem(consolidation.HANDLERS, "PL01", consolidation.FormHandler(
        handler.form, fragile, handler.deadline_steps))
    returned("CB01", [GOOD_MODEL])
    returned("CB02", [NEW_MODEL])
    report = consolidate(returned.master, returned.inbox)
    statuses = {o.unit: (o.status, [f.code for f in o.findings]) for o in report.files}
    assert statuses == {"CB01": ("accepted", []), "CB02": ("rejected", ["internal-error"])}
    from dvk_xl.master.book import open_master, read_form_table
    from dvk_xl.spec.forms import REGISTER

    register = read_form_table(open_master(returned.master), REGISTER)
    assert list(register["unit_code"]) == ["CB01"]
