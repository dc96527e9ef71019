"""Delivery of the drafts from the ribbon: Outlook through COM (a fake Outlook object), the webmail page, .eml;
and the ribbon buttons for the units' e-mails."""

from __future__ import annotations

import email
from email import policy
from pathlib import Path

import pytest

from dvk_xl.core.errors import DvkError
from dvk_xl.master.book import open_master
from dvk_xl.reports.delivery import WEBMAIL_DIR, WEBMAIL_PAGE, Delivery
from dvk_xl.reports.mail import Draft
from dvk_xl.shells import outlook, ribbon

from .conftest import model
from .test_ribbon import Excel
from .test_unit_mail import set_emails, set_setting

MODE_LABEL = "Cách gửi thư"


@pytest.fixture(autouse=True)
def _setup(monkeypatch, tmp_path):
    monkeypatch.setenv("XLWINGS_LICENSE_KEY", "noncommercial")  # xlwings' remote engine, tests only
    monkeypatch.setattr(ribbon, "MEMORY_FILE", tmp_path / "memory" / "thu-muc.json")
    monkeypatch.setattr(outlook, "outlook_installed", lambda: False)  # the machine's Outlook never decides a test


class FakeItem:
    def __init__(self) -> None:
        self.To = self.Subject = self.Body = None
        self.attached: list[str] = []
        self.saved = self.shown = 0
        self.Attachments = self

    def Add(self, path: str) -> None:  # noqa: N802 - Outlook's COM names
        self.attached.append(path)

    def Save(self) -> None:  # noqa: N802
        self.saved += 1

    def Display(self, modal: bool) -> None:  # noqa: N802
        assert modal is False  # a modal window would block Excel until it is closed
        self.shown += 1


class FakeOutlook:
    def __init__(self) -> None:
        self.items: list[FakeItem] = []

    def CreateItem(self, kind: int) -> FakeItem:  # noqa: N802
        assert kind == outlook.OL_MAIL_ITEM
        self.items.append(FakeItem())
        return self.items[-1]


def drafts(tmp_path: Path, count: int) -> list[Draft]:
    out = []
    for i in range(count):
        attachment = tmp_path / f"Mẫu đơn vị {i}.xlsx"
        attachment.write_bytes(b"x" * (i + 1))
        out.append(Draft([f"u{i}@a.vn", "b@a.vn"] if i else [], f"Tiêu đề {i}", f"Kính gửi: đơn vị {i}.", [attachment],
                         f"CB0{i}", f"Chi bộ {i}"))
    return out


def test_each_draft_becomes_an_outlook_item_with_its_attachment(tmp_path):
    fake = FakeOutlook()
    delivery = outlook.open_in_outlook(Delivery("outlook", drafts(tmp_path, 3)), app=fake)
    assert delivery.opened == 3 and len(fake.items) == 3
    first, second = fake.items[0], fake.items[1]
    assert first.To == "" and second.To == "u1@a.vn; b@a.vn"
    assert second.Subject == "Tiêu đề 1" and second.Body == "Kính gửi: đơn vị 1."
    assert second.attached == [str((tmp_path / "Mẫu đơn vị 1.xlsx").resolve())]
    assert all(item.saved == 1 and item.shown == 1 for item in fake.items)
    assert "Đã đưa 3/3 thư nháp vào Outlook" in delivery.lines()[0]


def test_many_drafts_wait_in_the_drafts_folder_instead_of_covering_the_screen(tmp_path):
    fake = FakeOutlook()
    outlook.open_in_outlook(Delivery("outlook", drafts(tmp_path, 3)), app=fake, show_at_most=2)
    assert all(item.saved == 1 and item.shown == 0 for item in fake.items)


def test_without_pywin32_outlook_is_a_vietnamese_error(monkeypatch):
    import builtins

    real = builtins.__import__

    def no_win32(name, *args, **kwargs):
        if name.startswith("win32com"):
            raise ImportError(name)
        return real(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_win32)
    with pytest.raises(DvkError, match="Không mở được Outlook.*webmail"):
        outlook.outlook_app()


@pytest.mark.parametrize(("typed", "installed", "platform", "mode"), [
    ("", True, "win32", "outlook"), ("", False, "win32", "webmail"), ("", False, "linux", "eml"),
    ("webmail", True, "win32", "webmail"), ("eml", True, "win32", "eml"), ("Outlook", False, "linux", "outlook"),
])
def test_the_ribbon_mode_follows_the_setting_then_the_machine(ward_master, monkeypatch, typed, installed, platform, mode):
    monkeypatch.setattr(outlook, "outlook_installed", lambda: installed)
    set_setting(ward_master, MODE_LABEL, typed)
    assert ribbon.mail_mode_of(open_master(ward_master), platform=platform) == mode


def test_the_setting_row_is_in_a_new_master(ward_master):
    from dvk_xl.master.book import load_settings

    settings = load_settings(open_master(ward_master))
    assert settings.mail_via == "" and "ô B20" in settings.places["mail_via"]


# --- the buttons ----------------------------------------------------------------------------------------


def test_send_forms_button_puts_each_units_draft_into_outlook(ward_master, tmp_path, monkeypatch):
    set_emails(ward_master)
    set_setting(ward_master, MODE_LABEL, "Outlook")
    fake = FakeOutlook()
    monkeypatch.setattr(outlook, "outlook_app", lambda: fake)
    out = tmp_path / "mau"
    message = Excel(ward_master).press("thu-mau-pl01", out)
    assert len(fake.items) == 12 and not list(out.glob("*.eml"))
    item = next(i for i in fake.items if i.To == "chibo1@hongan.gov.vn")
    assert item.attached == [str((out / "PL01_CB01_Chi_bo_Khu_dan_cu_so_1.xlsx").resolve())]
    assert "hạn 03/03/2026" in item.Subject
    assert "Đã tạo 12 mẫu Phụ lục 01" in message and "Đã đưa 12/12 thư nháp vào Outlook" in message
    assert "2 đơn vị chưa có e-mail dùng được" in message


def test_remind_button_writes_the_webmail_page_beside_the_master(ward_master, returned):
    set_emails(ward_master)
    set_setting(ward_master, MODE_LABEL, "webmail")
    returned("CB01", [model()])
    from dvk_xl.intake.consolidation import consolidate

    consolidate(ward_master, returned.inbox)
    excel = Excel(ward_master)
    forms = returned.inbox.parent / "forms"
    message = excel.press("nhac-nop", forms)  # as of today: after 03/03/2026, eleven units owe their Phụ lục 01
    folder = ward_master.parent / ribbon.REMIND_DIR / WEBMAIL_DIR
    page = (folder / WEBMAIL_PAGE).read_text(encoding="utf-8")
    assert page.count("Phụ lục 01 (đăng ký mô hình): hạn 03/03/2026, đã trễ") == 11
    assert (folder / "CB05_Chi_bo_Cong_an_phuong" / "PL01_CB05_Chi_bo_Cong_an_phuong.xlsx").read_bytes() == \
        (forms / "PL01_CB05_Chi_bo_Cong_an_phuong.xlsx").read_bytes()
    assert "Thư gửi đơn vị — nhắc nộp mẫu:" in message and "Mở trang danh sách thư" in message


def test_consolidate_and_mail_button_writes_feedback_drafts(ward_master, returned):
    set_emails(ward_master)
    set_setting(ward_master, MODE_LABEL, "eml")
    returned("CB01", [model(name="")])
    excel = Excel(ward_master)
    message = excel.press("tong-hop-thu", returned.inbox)
    draft = ward_master.parent / ribbon.FEEDBACK_DIR / "PhanHoi_CB01_Chi_bo_Khu_dan_cu_so_1.eml"
    parsed = email.message_from_bytes(draft.read_bytes(), policy=policy.default)
    assert parsed["To"] == "chibo1@hongan.gov.vn" and parsed["Subject"].endswith("cần sửa và gửi lại")
    assert "[TỪ CHỐI]" in message and "Thư gửi đơn vị — phản hồi kết quả kiểm tra tệp: 1 thư" in message
    assert len(excel.table("TiepNhan")) == 1  # consolidated like “Tổng hợp từ thư mục”


def test_a_bad_mode_setting_stops_before_consolidating(ward_master, returned):
    set_setting(ward_master, MODE_LABEL, "Zalo")
    returned("CB01", [model()])
    excel = Excel(ward_master)
    message = excel.press("tong-hop-thu", returned.inbox)
    assert "cách gửi thư “Zalo” không rõ" in message and "ô B20" in message
    assert excel.alerts()[-1][3] == "critical"
    assert not (ward_master.parent / "LuuTru").exists()


def test_upward_mail_button_can_go_through_outlook(ward_master, tmp_path, monkeypatch):
    set_setting(ward_master, MODE_LABEL, "Outlook")
    fake = FakeOutlook()
    monkeypatch.setattr(outlook, "outlook_app", lambda: fake)
    message = Excel(ward_master).press("thu-pl02", tmp_path / "bc")
    (item,) = fake.items
    assert item.To == "bantuyengiaodanvan@haiphong.gov.vn" and item.Subject.startswith("Đảng ủy phường Hồng An gửi")
    assert item.attached[0].endswith(".xlsx") and not list((tmp_path / "bc").glob("*.eml"))
    assert "Đã đưa 1/1 thư nháp vào Outlook" in message


def test_remind_from_the_cli_through_outlook(ward_master, returned, tmp_path, monkeypatch):
    from click.testing import CliRunner

    from dvk_xl.shells.cli import main

    set_emails(ward_master)
    fake = FakeOutlook()
    monkeypatch.setattr(outlook, "outlook_app", lambda: fake)
    forms = returned.inbox.parent / "forms"
    result = CliRunner().invoke(main, ["remind", str(ward_master), "--out", str(tmp_path / "nhac"), "--today",
                                       "04/03/2026", "--templates", str(forms), "--mail", "outlook"])
    assert result.exit_code == 0, result.output
    assert len(fake.items) == 12 and not (tmp_path / "nhac").exists()
    item = next(i for i in fake.items if i.To == "cb05@hongan.gov.vn")
    assert "đã trễ 1 ngày" in item.Body and item.attached == [str((forms / "PL01_CB05_Chi_bo_Cong_an_phuong.xlsx").resolve())]
    assert "Đã đưa 12/12 thư nháp vào Outlook" in result.output
