"""The draft e-mail: long Vietnamese subjects read back exactly, several recipients, a bad address refused."""

import email
import random
from email import policy

import pytest
from click.testing import CliRunner

from dvk_xl.core.errors import DvkError
from dvk_xl.master.book import open_master
from dvk_xl.reports.mail import DRAFT_POLICY, parse_addresses
from dvk_xl.reports.writer import write_report
from dvk_xl.shells.cli import main
from dvk_xl.spec.forms import SETTINGS

from .reportfixtures import fill_register


def set_setting(master, label, value):
    wb = open_master(master)
    frame = wb.read_table(SETTINGS.table)
    labels = frame[SETTINGS.header_of("label")]
    assert (labels == label).sum() == 1
    frame.loc[labels == label, SETTINGS.header_of("value")] = value
    wb.write_table(SETTINGS.table, frame)
    wb.save()


def parsed(path):
    return email.message_from_bytes(path.read_bytes(), policy=policy.default)


@pytest.fixture
def register(ward_master):
    return fill_register(ward_master)


@pytest.mark.parametrize("kind", ["dang-ky", "6-thang", "nam"])
def test_the_subject_reads_back_exactly(register, tmp_path, kind):
    set_setting(register, "Tên cấp ủy", "Đảng ủy Viện kiểm sát nhân dân thành phố Hải Phòng và các đơn vị trực thuộc")
    result = write_report(register, kind, tmp_path, eml=True)
    subject = parsed(result.eml)["Subject"]
    assert subject.startswith("Đảng ủy Viện kiểm sát nhân dân thành phố Hải Phòng và các đơn vị trực thuộc gửi ")
    assert "thiđua" not in subject and "  " not in subject
    if kind != "dang-ky":
        assert "phong trào thi đua “Dân vận khéo”" in subject
    encoded = [line for line in result.eml.read_bytes().split(b"\r\n") if b"=?utf-8?" in line]
    assert len(encoded) > 1 and all(len(line) <= 78 for line in encoded)  # folded, within the line limit


WORDS = ["thi", "đua", "Dân", "vận", "khéo", "“Phụ", "lục", "03”", "năm", "2026", "Đảng", "ủy", "phường", "Hồng",
         "An", "a", "(x)", "", "Nghệ", "Ứng"]


@pytest.mark.parametrize("seed", range(200))
def test_any_vietnamese_subject_keeps_its_spaces(seed):
    from email.message import EmailMessage

    pick = random.Random(seed)
    subject = " ".join(pick.choice(WORDS) for _ in range(pick.randint(1, 40))).strip() or "x"
    message = EmailMessage(policy=DRAFT_POLICY)
    message["Subject"] = subject
    message.set_content("x")
    assert email.message_from_bytes(message.as_bytes(), policy=policy.default)["Subject"] == subject


@pytest.mark.parametrize("value", ["a@x.vn; b@y.vn", "a@x.vn, b@y.vn", "a@x.vn;b@y.vn\nc@z.vn", "a@x.vn ; ; b@y.vn"])
def test_several_addresses_are_all_recipients(register, tmp_path, value):
    set_setting(register, "Email cấp trên", value)
    result = write_report(register, "dang-ky", tmp_path, eml=True)
    to = parsed(result.eml)["To"]
    expected = [a for a in ("a@x.vn", "b@y.vn", "c@z.vn") if a in value]
    assert [a.addr_spec for a in to.addresses] == expected


def test_a_non_address_is_refused_with_its_cell(register, tmp_path):
    set_setting(register, "Email cấp trên", "không có email")
    with pytest.raises(DvkError) as caught:
        write_report(register, "nam", tmp_path / "out", eml=True)
    message = caught.value.message
    assert "sheet “Cấu hình”, ô B" in message and "Email cấp trên" in message and "“không”" in message
    assert "\n" not in message
    assert not (tmp_path / "out").exists()  # refused before anything is written
    assert write_report(register, "nam", tmp_path / "out").eml is None  # without --eml the address is not needed
    run = CliRunner().invoke(main, ["report", str(register), "--kind", "nam", "--out", str(tmp_path / "o2"), "--eml"])
    assert run.exit_code == 1 and run.output.startswith("Lỗi: ") and "Lỗi không mong đợi" not in run.output


def test_parse_addresses():
    assert parse_addresses("", "p", "Email") == []
    assert parse_addresses("<a@x.vn>, A@x.vn", "p", "Email") == ["a@x.vn"]
    for bad in ("a@", "a@b", "ten đơn vị@x.vn", "a@x.vn; khong"):
        with pytest.raises(DvkError):
            parse_addresses(bad, "p", "Email")
