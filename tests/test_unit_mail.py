"""E-mails to the units: the form (templates --eml), the feedback (consolidate --eml), reminders (dvk remind).

Every draft is read back with the stdlib ``email`` package: recipient, subject, body, attachment name and bytes.
"""

from __future__ import annotations

import email
import json
from datetime import date, datetime
from email import policy
from pathlib import Path

import pytest
from click.testing import CliRunner

from dvk_xl.core.errors import DvkError
from dvk_xl.master.book import open_master
from dvk_xl.reports.delivery import WEBMAIL_DIR, WEBMAIL_PAGE, mail_mode
from dvk_xl.reports.unit_mail import remind, send_templates, unit_contacts
from dvk_xl.shells.cli import main
from dvk_xl.spec.forms import DEADLINES, SETTINGS, UNITS

from .conftest import model

EMAILS = {"CB01": "chibo1@hongan.gov.vn", "CB02": "chibo2@hongan.gov.vn; bithu.cb2@gmail.com",
          "CB03": "", "CB04": "chibo4 at hongan"}  # the other units: <code>@hongan.gov.vn


def set_emails(master: Path, emails: dict[str, str] | None = None) -> Path:
    emails = EMAILS if emails is None else emails
    wb = open_master(master)
    frame = wb.read_table(UNITS.table)
    codes = frame[UNITS.header_of("unit_code")]
    frame[UNITS.header_of("email")] = [emails.get(c, f"{c.lower()}@hongan.gov.vn") for c in codes]
    wb.write_table(UNITS.table, frame)
    wb.save()
    return master


def set_setting(master: Path, label_start: str, value) -> None:
    wb = open_master(master)
    frame = wb.read_table(SETTINGS.table)
    labels = frame[SETTINGS.header_of("label")].astype(str)
    mask = labels.str.startswith(label_start)
    assert mask.sum() == 1
    frame.loc[mask, SETTINGS.header_of("value")] = value
    wb.write_table(SETTINGS.table, frame)
    wb.save()


def parsed(path: Path) -> email.message.EmailMessage:
    return email.message_from_bytes(path.read_bytes(), policy=policy.default)


def body(message) -> str:
    return message.get_body(("plain",)).get_content()


def attachments(message) -> dict[str, bytes]:
    return {part.get_filename(): part.get_content() for part in message.iter_attachments()}


@pytest.fixture
def mailed_master(ward_master):
    return set_emails(ward_master)


# --- reading the addresses -------------------------------------------------------------------------


def test_contacts_read_several_addresses_and_name_the_cell_of_a_bad_one(mailed_master):
    contacts = unit_contacts(open_master(mailed_master))
    assert contacts["cb02"].addresses == ("chibo2@hongan.gov.vn", "bithu.cb2@gmail.com")
    assert contacts["cb03"].addresses == () and "chưa có địa chỉ" in contacts["cb03"].problem
    bad = contacts["cb04"]
    assert bad.addresses == () and "sheet “Đơn vị”, ô D8" in bad.problem and "chibo4" in bad.problem
    assert contacts["cd01"].addresses == ("cd01@hongan.gov.vn",) and not contacts["cd01"].problem


# --- templates --eml ----------------------------------------------------------------------------------


def test_templates_eml_writes_one_draft_per_unit_with_its_form_and_deadline(mailed_master, tmp_path):
    out = tmp_path / "mau"
    result = CliRunner().invoke(main, ["templates", str(mailed_master), "--out", str(out), "--eml"])
    assert result.exit_code == 0, result.output
    drafts = sorted(out.glob("*.eml"))
    assert len(drafts) == 12 and len(list(out.glob("*.xlsx"))) == 12
    one = parsed(out / "PL01_CB01_Chi_bo_Khu_dan_cu_so_1.eml")
    assert one["X-Unsent"] == "1" and one["To"] == "chibo1@hongan.gov.vn"
    assert one["Subject"] == ("Mẫu Phụ lục 01 (đăng ký mô hình) “Dân vận khéo” năm 2026 — Chi bộ Khu dân cư số 1, "
                              "hạn 03/03/2026")
    text = body(one)
    assert text.startswith("Kính gửi: Chi bộ Khu dân cư số 1.") and "ngày 03/03/2026" in text
    form = out / "PL01_CB01_Chi_bo_Khu_dan_cu_so_1.xlsx"
    assert attachments(one) == {form.name: form.read_bytes()}
    two = parsed(out / "PL01_CB02_Chi_bo_Khu_dan_cu_so_2.eml")
    assert two["To"] == "chibo2@hongan.gov.vn, bithu.cb2@gmail.com"
    # units without a usable address: a draft without recipient, and listed, never skipped silently
    assert parsed(out / "PL01_CB03_Chi_bo_Khu_dan_cu_so_3.eml")["To"] is None
    assert "2 đơn vị chưa có e-mail dùng được" in result.output
    assert "CB03 (Chi bộ Khu dân cư số 3): chưa có địa chỉ" in result.output
    assert "CB04 (Chi bộ Cơ quan Ủy ban nhân dân phường): SoTongHop_DVK_2026.xlsx, sheet “Đơn vị”, ô D8" in result.output


def test_the_deadline_comes_from_tiendo_as_staff_typed_it(mailed_master, tmp_path):
    wb = open_master(mailed_master)
    frame = wb.read_table(DEADLINES.table)
    frame.loc[frame[DEADLINES.header_of("step")] == "dang-ky", DEADLINES.header_of("due")] = datetime(2026, 3, 9)
    wb.write_table(DEADLINES.table, frame)
    wb.save()
    sent = send_templates(mailed_master, tmp_path / "mau", units=["CB01"])
    assert len(sent.drafts) == 1 and sent.drafts[0].subject.endswith("hạn 09/03/2026")
    assert "ngày 09/03/2026" in sent.drafts[0].body and sent.no_email == []


def test_a_missing_deadline_gives_a_draft_without_date_and_a_notice(mailed_master, tmp_path):
    wb = open_master(mailed_master)
    frame = wb.read_table(DEADLINES.table)
    frame.loc[frame[DEADLINES.header_of("step")] == "dang-ky", DEADLINES.header_of("due")] = None
    wb.write_table(DEADLINES.table, frame)
    wb.save()
    sent = send_templates(mailed_master, tmp_path / "mau", units=["CB01"])
    assert "hạn" not in sent.drafts[0].subject and "theo thời hạn của kế hoạch" in sent.drafts[0].body
    assert any("sheet “Tiến độ”, ô C5" in n and "chưa nhập hạn" in n for n in sent.notices)


def test_results_forms_go_only_to_units_with_models(mailed_master, tmp_path, returned):
    from dvk_xl.intake.consolidation import consolidate

    returned("CB01", [model()])
    consolidate(mailed_master, returned.inbox)
    sent = send_templates(mailed_master, tmp_path / "pl03", form="pl03", period="6-thang")
    assert [d.unit_code for d in sent.drafts] == ["CB01"]
    draft = parsed(sent.drafts[0].path)
    assert draft["Subject"].startswith("Mẫu Phụ lục 03 (báo cáo kết quả 6 tháng đầu năm)")
    assert draft["Subject"].endswith("hạn 20/06/2026")
    assert list(attachments(draft)) == ["PL03_6_thang_CB01_Chi_bo_Khu_dan_cu_so_1.xlsx"]


# --- the webmail page ----------------------------------------------------------------------------------


def test_webmail_gives_a_page_and_the_attachments_by_unit_instead_of_eml(mailed_master, tmp_path):
    out = tmp_path / "mau"
    result = CliRunner().invoke(main, ["templates", str(mailed_master), "--out", str(out), "--unit", "CB01",
                                       "--unit", "CB03", "--mail", "webmail"])
    assert result.exit_code == 0, result.output
    assert not list(out.glob("*.eml"))
    page = out / WEBMAIL_DIR / WEBMAIL_PAGE
    html = page.read_text(encoding="utf-8")
    assert "chibo1@hongan.gov.vn" in html and "Chi bộ Khu dân cư số 1" in html and '<html lang="vi">' in html
    assert "Mẫu Phụ lục 01 (đăng ký mô hình) “Dân vận khéo” năm 2026 — Chi bộ Khu dân cư số 1, hạn 03/03/2026" \
        in html.replace("&quot;", '"')
    assert "Kính gửi: Chi bộ Khu dân cư số 3." in html and "Chưa có địa chỉ e-mail" in html
    copy = out / WEBMAIL_DIR / "CB01_Chi_bo_Khu_dan_cu_so_1" / "PL01_CB01_Chi_bo_Khu_dan_cu_so_1.xlsx"
    assert copy.read_bytes() == (out / copy.name).read_bytes()
    assert 'href="CB01_Chi_bo_Khu_dan_cu_so_1/PL01_CB01_Chi_bo_Khu_dan_cu_so_1.xlsx"' in html
    assert str(page) in result.output


def test_a_second_webmail_run_replaces_the_stale_list(mailed_master, tmp_path):
    out = tmp_path / "mau"
    send_templates(mailed_master, out, units=["CB01", "CB02"], mail="webmail")
    send_templates(mailed_master, out, units=["CB02"], mail="webmail")
    folders = sorted(p.name for p in (out / WEBMAIL_DIR).iterdir() if p.is_dir())
    assert folders == ["CB02_Chi_bo_Khu_dan_cu_so_2"]
    assert "Chi bộ Khu dân cư số 1" not in (out / WEBMAIL_DIR / WEBMAIL_PAGE).read_text(encoding="utf-8")


def test_html_in_names_is_shown_as_text(ward_master, tmp_path):
    from dvk_xl.reports.delivery import webmail_page
    from dvk_xl.reports.mail import Draft

    page = webmail_page([(Draft(["a@b.vn"], "<b>x</b> & y", "dòng 1\n<script>", [], "C<1>", "Tổ <A>"), "C1", [])], "T")
    assert "<b>x</b>" not in page and "&lt;b&gt;x&lt;/b&gt; &amp; y" in page and "&lt;script&gt;" in page


# --- feedback drafts ---------------------------------------------------------------------------------


def test_feedback_drafts_go_to_units_with_findings_with_their_workbook(mailed_master, tmp_path, returned):
    returned("CB01", [model(name="")])  # an error: rejected
    returned("CB02", [model()], received=datetime(2026, 3, 5, 9))  # late: accepted with a warning
    returned("CB03", [model(name="Mô hình khác của khu 3")])  # no address, an accepted clean file: no draft
    returned("CB04", [model(name="Tổ hòa giải khu 4", field="Kinh te")])  # a bad address, an error
    feedback = tmp_path / "phan-hoi"
    result = CliRunner().invoke(main, ["consolidate", str(mailed_master), str(returned.inbox), "--feedback",
                                       str(feedback), "--eml", "--json"])
    assert result.exit_code == 1, result.output  # files were rejected
    data = json.loads(result.output)
    assert {f["unit"]: f["status"] for f in data["files"]} == {"CB01": "rejected", "CB02": "accepted",
                                                                  "CB03": "accepted", "CB04": "rejected"}
    mail = data["mail"]
    assert [d["unit"] for d in mail["drafts"]] == ["CB01", "CB02", "CB04"]
    assert [u["unit"] for u in mail["units_without_email"]] == ["CB04"]
    rejected = parsed(feedback / "PhanHoi_CB01_Chi_bo_Khu_dan_cu_so_1.eml")
    assert rejected["To"] == "chibo1@hongan.gov.vn"
    assert rejected["Subject"] == "Kết quả kiểm tra tệp “Dân vận khéo” năm 2026 của Chi bộ Khu dân cư số 1: cần sửa và gửi lại"
    workbook = feedback / "PL01_CB01_Chi_bo_Khu_dan_cu_so_1_LoiCanSua.xlsx"
    assert attachments(rejected) == {workbook.name: workbook.read_bytes()}
    assert "1 lỗi, 0 cảnh báo; CHƯA được tiếp nhận" in body(rejected)
    assert "hạn 03/03/2026" in body(rejected)
    accepted = parsed(feedback / "PhanHoi_CB02_Chi_bo_Khu_dan_cu_so_2.eml")
    assert accepted["Subject"].endswith("đã tiếp nhận, có cảnh báo cần xem lại")
    assert "0 lỗi, 1 cảnh báo; đã được tiếp nhận" in body(accepted)
    assert parsed(feedback / "PhanHoi_CB04_Chi_bo_Co_quan_Uy_ban_nhan_dan_phuong.eml")["To"] is None
    assert not (feedback / "PhanHoi_CB03_Chi_bo_Khu_dan_cu_so_3.eml").exists()


def test_feedback_eml_needs_a_feedback_folder(mailed_master, returned):
    returned("CB01", [model()])
    result = CliRunner().invoke(main, ["consolidate", str(mailed_master), str(returned.inbox), "--eml"])
    assert result.exit_code == 2 and "--feedback" in result.output


def test_feedback_summary_lists_units_without_email(mailed_master, tmp_path, returned):
    returned("CB04", [model(field="Kinh te")])
    result = CliRunner().invoke(main, ["consolidate", str(mailed_master), str(returned.inbox), "--feedback",
                                       str(tmp_path / "ph"), "--eml"])
    assert result.exit_code == 1
    assert "Thư gửi đơn vị — phản hồi kết quả kiểm tra tệp: 1 thư" in result.output
    assert "1 đơn vị chưa có e-mail dùng được" in result.output and "ô D8" in result.output


# --- reminders ------------------------------------------------------------------------------------------


@pytest.fixture
def half_received(mailed_master, returned):
    """CB01 and CB02 sent their Phụ lục 01; the ten other units did not."""
    from dvk_xl.intake.consolidation import consolidate

    returned("CB01", [model()])
    returned("CB02", [model(name="Mô hình của khu 2")])
    consolidate(mailed_master, returned.inbox)
    return mailed_master


def test_nothing_is_due_yet_so_nobody_is_reminded(half_received, tmp_path):
    sent = remind(half_received, tmp_path / "nhac", today=date(2026, 2, 20))  # 03/03 is 11 days away
    assert sent.drafts == [] and sent.up_to_date == 12
    assert not (tmp_path / "nhac").exists() or not list((tmp_path / "nhac").glob("*.eml"))


def test_a_step_due_within_the_window_reminds_the_units_that_owe_it(half_received, tmp_path):
    sent = remind(half_received, tmp_path / "nhac", today=date(2026, 2, 26), within=7)
    assert len(sent.drafts) == 10 and "CB01" not in [d.unit_code for d in sent.drafts]
    draft = parsed(tmp_path / "nhac" / "NhacNop_CB05_Chi_bo_Cong_an_phuong.eml")
    assert draft["To"] == "cb05@hongan.gov.vn"
    assert draft["Subject"] == "Nhắc gửi Phụ lục 01 “Dân vận khéo” năm 2026 — Chi bộ Công an phường (hạn 03/03/2026)"
    assert "Phụ lục 01 (đăng ký mô hình): hạn 03/03/2026, còn 5 ngày." in body(draft)
    assert remind(half_received, tmp_path / "nhac2", today=date(2026, 2, 26), within=4).drafts == []


def test_late_units_are_told_how_late_and_get_their_blank_form(half_received, tmp_path, returned):
    forms = tmp_path / "forms"  # where the ``returned`` fixture wrote the templates
    result = CliRunner().invoke(main, ["remind", str(half_received), "--out", str(tmp_path / "nhac"), "--today",
                                       "08/03/2026", "--templates", str(forms), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert [d["unit"] for d in data["drafts"]] == ["CB03", "CB04", "CB05", "CB06", "DB01", "MT01", "DTN01", "PN01",
                                                   "CCB01", "CD01"]
    assert data["up_to_date"] == 2
    assert data["owed"]["CB05"] == [{"step": "dang-ky", "form": "PL01", "period": None, "due": "2026-03-03",
                                     "state": "late", "days": 5, "description": data["owed"]["CB05"][0]["description"]}]
    assert [u["unit"] for u in data["units_without_email"]] == ["CB03", "CB04"]
    assert data["templates_dir"] == str(forms)
    draft = parsed(tmp_path / "nhac" / "NhacNop_CB05_Chi_bo_Cong_an_phuong.eml")
    assert draft["Subject"].endswith("(đã trễ hạn 5 ngày)")
    assert "hạn 03/03/2026, đã trễ 5 ngày" in body(draft) and "đến ngày 08/03/2026" in body(draft)
    form = forms / "PL01_CB05_Chi_bo_Cong_an_phuong.xlsx"
    assert attachments(draft) == {form.name: form.read_bytes()}


def test_remind_says_where_it_looked_for_the_forms(half_received, tmp_path):
    result = CliRunner().invoke(main, ["remind", str(half_received), "--out", str(tmp_path / "nhac"), "--today",
                                       "08/03/2026"])
    assert result.exit_code == 0, result.output
    default = half_received.parent / "MauGuiDonVi"
    assert f"Mẫu đính kèm tìm trong thư mục {default}: có cho 0/10 đơn vị (thư mục không tồn tại" in result.output
    assert "2 đơn vị không còn nợ mẫu nào đến hạn" in result.output
    assert "CB05 (Chi bộ Công an phường) → cb05@hongan.gov.vn" in result.output
    assert "Phụ lục 01 (đăng ký mô hình): hạn 03/03/2026, đã trễ 5 ngày" in result.output
    assert not list(parsed(tmp_path / "nhac" / "NhacNop_CB05_Chi_bo_Cong_an_phuong.eml").iter_attachments())


def test_results_reminders_go_only_to_units_with_models_that_have_not_reported(half_received, tmp_path):
    sent = remind(half_received, tmp_path / "nhac", today=date(2026, 6, 18), within=7)
    by_unit = {d.unit_code: d for d in sent.drafts}
    assert "Phụ lục 03 (báo cáo kết quả 6 tháng đầu năm): hạn 20/06/2026, còn 2 ngày." in by_unit["CB01"].body
    assert "Phụ lục 01" not in by_unit["CB01"].body  # CB01 registered
    assert "Phụ lục 03" not in by_unit["CB05"].body and "Phụ lục 01" in by_unit["CB05"].body  # no model: no results


def test_a_negative_window_is_refused(half_received, tmp_path):
    with pytest.raises(DvkError, match="Số ngày nhắc"):
        remind(half_received, tmp_path, within=-1)
    result = CliRunner().invoke(main, ["remind", str(half_received), "--out", str(tmp_path), "--within", "-1"])
    assert result.exit_code == 2


# --- the upward draft, delivered the same ways -------------------------------------------------------------


def test_the_upward_draft_as_a_webmail_page(ward_master, tmp_path):
    out = tmp_path / "bc"
    result = CliRunner().invoke(main, ["report", str(ward_master), "--kind", "dang-ky", "--out", str(out),
                                       "--mail", "webmail"])
    assert result.exit_code == 0, result.output
    assert not list(out.glob("*.eml"))
    html = (out / WEBMAIL_DIR / WEBMAIL_PAGE).read_text(encoding="utf-8")
    assert "bantuyengiaodanvan@haiphong.gov.vn" in html and "Ban Tuyên giáo và Dân vận Thành ủy" in html
    report = next(out.glob("PL02_*.xlsx"))
    copies = list((out / WEBMAIL_DIR).glob("*/PL02_*.xlsx"))
    assert len(copies) == 1 and copies[0].read_bytes() == report.read_bytes()


# --- the mode -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("typed", "mode"), [("Outlook", "outlook"), ("  WEBMAIL ", "webmail"), ("eml", "eml"),
                                             ("Tệp .eml", "eml"), ("", ""), (None, ""), ("Tự chọn", ""),
                                             ("Hộp thư công vụ", "webmail")])
def test_the_mail_mode_as_staff_type_it(typed, mode):
    assert mail_mode(typed) == mode


def test_an_unknown_mode_names_its_cell():
    with pytest.raises(DvkError, match="Cấu hình”, ô C20: cách gửi thư “Zalo” không rõ"):
        mail_mode("Zalo", "SoTongHop.xlsx, sheet “Cấu hình”, ô C20")


def test_a_rejected_file_replaced_by_an_accepted_one_is_not_owed_again(mailed_master, tmp_path, returned):
    returned("CB01", [model(name="")], name="lan1.xlsx", received=datetime(2026, 3, 1, 9))
    returned("CB01", [model(field="Kinh te")], name="lan2.xlsx", received=datetime(2026, 3, 1, 10))
    returned("CB01", [model()], name="lan3.xlsx", received=datetime(2026, 3, 5, 10))  # late: a warning
    feedback = tmp_path / "ph"
    CliRunner().invoke(main, ["consolidate", str(mailed_master), str(returned.inbox), "--feedback", str(feedback), "--eml"])
    draft = parsed(feedback / "PhanHoi_CB01_Chi_bo_Khu_dan_cu_so_1.eml")
    assert draft["Subject"].endswith("đã tiếp nhận, có cảnh báo cần xem lại")
    assert sorted(attachments(draft)) == ["lan1_LoiCanSua.xlsx", "lan2_LoiCanSua.xlsx", "lan3_LoiCanSua.xlsx"]
    text = body(draft)
    assert "“lan1.xlsx”: 1 lỗi, 0 cảnh báo; CHƯA được tiếp nhận" in text
    assert "“lan3.xlsx”: 0 lỗi, 1 cảnh báo; đã được tiếp nhận" in text and "gửi lại (" not in text


def test_outlook_from_the_cli_where_there_is_none_stops_before_anything_is_done(mailed_master, tmp_path, returned,
                                                                                 monkeypatch):
    from dvk_xl.shells import outlook

    def no_outlook():
        raise DvkError("Không mở được Outlook: máy này không có Outlook")

    monkeypatch.setattr(outlook, "outlook_app", no_outlook)
    before = mailed_master.read_bytes()
    returned("CB01", [model()])
    for args in (["templates", str(mailed_master), "--out", str(tmp_path / "mau"), "--mail", "outlook"],
                 ["consolidate", str(mailed_master), str(returned.inbox), "--feedback", str(tmp_path / "ph"), "--eml",
                  "--mail", "outlook"],
                 ["remind", str(mailed_master), "--out", str(tmp_path / "nhac"), "--mail", "outlook"]):
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 1 and "Lỗi: Không mở được Outlook" in result.output, args
    assert not (tmp_path / "mau").exists() and not (tmp_path / "ph").exists() and not (tmp_path / "nhac").exists()
    assert mailed_master.read_bytes() == before


def test_templates_json_lists_the_drafts_and_the_units_without_email(mailed_master, tmp_path):
    result = CliRunner().invoke(main, ["templates", str(mailed_master), "--out", str(tmp_path / "mau"), "--eml",
                                       "--json", "--unit", "CB01", "--unit", "CB03"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["form"] == "PL01" and len(data["paths"]) == 2
    assert [(d["unit"], d["to"]) for d in data["mail"]["drafts"]] == [("CB01", ["chibo1@hongan.gov.vn"]), ("CB03", [])]
    assert data["mail"]["units_without_email"][0]["unit"] == "CB03"
    plain = CliRunner().invoke(main, ["templates", str(mailed_master), "--out", str(tmp_path / "m2"), "--json"])
    assert plain.exit_code == 0 and len(json.loads(plain.output)["paths"]) == 12
