"""A draft e-mail to the higher committee with a report attached.

Written as an ``.eml`` file with ``X-Unsent: 1``: Outlook opens it as an unsent draft (Thunderbird
opens it as a message to "Edit as new"); staff check it and press Send. Only the stdlib
``email`` package: UTF-8 body, RFC 2047 encoded Vietnamese headers.
"""

from __future__ import annotations

import re
from email.header import Header
from email.message import EmailMessage
from email.policy import SMTP, EmailPolicy
from email.utils import formatdate
from pathlib import Path

from ..core.errors import DvkError
from ..core.kinds import ReportKind
from ..master.book import Settings
from ..workbook.api import atomic_save
from .reportdata import ReportData

# One address: a local part and a domain with a dot, no spaces; several are separated by ; or ,
_ADDRESS = re.compile(r"^[^@\s<>(),;:\"]+@[^@\s<>(),;:\"]+\.[^@\s<>(),;:\"]+$")
_SEPARATORS = re.compile(r"[;,\s]+")

XLSX_TYPE = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
WHAT = {
    ReportKind.REGISTRATION: "danh sách đăng ký mô hình “Dân vận khéo” năm {year} (Phụ lục 02)",
    ReportKind.HALF_YEAR: "báo cáo kết quả thực hiện phong trào thi đua “Dân vận khéo” 6 tháng đầu năm {year} (Phụ lục 03)",
    ReportKind.YEAR: "báo cáo kết quả thực hiện phong trào thi đua “Dân vận khéo” năm {year} (Phụ lục 03)",
}


class DraftPolicy(EmailPolicy):
    """SMTP policy, but a Vietnamese subject is folded by ``email.header.Header``.

    The default folder splits encoded words so that the space between two of them is lost when
    read back (“thi đua” came back as “thiđua”); ``Header`` keeps every space inside the encoded words.
    """

    def _subject(self, name: str, value: object) -> str | None:
        shown = str(value)
        if name.lower() != "subject" or shown.isascii():
            return None
        header = Header(shown, "utf-8", maxlinelen=self.max_line_length or 78, header_name=name)
        return f"{name}: {header.encode(linesep=self.linesep)}{self.linesep}"

    def fold(self, name: str, value: str) -> str:
        return self._subject(name, value) or super().fold(name, value)

    def fold_binary(self, name: str, value: str) -> bytes:
        folded = self._subject(name, value)
        return folded.encode("ascii") if folded else super().fold_binary(name, value)


DRAFT_POLICY = DraftPolicy() + SMTP


def parse_addresses(value: str, place: str, label: str) -> list[str]:
    """The e-mail addresses in a cell (separated by ``;``, ``,``, spaces or line breaks), or a DvkError."""
    found = []
    for part in _SEPARATORS.split(value.strip()):
        if not part:
            continue
        bare = part.strip("<>")
        if not _ADDRESS.match(bare):
            raise DvkError(f"{place}: “{label}” có “{part[:60]}” không phải địa chỉ e-mail; nhập địa chỉ dạng "
                           "ten@donvi.vn (nhiều địa chỉ cách nhau bởi dấu ; ) hoặc để trống")
        if bare.lower() not in {a.lower() for a in found}:
            found.append(bare)
    return found


def higher_addresses(settings: Settings) -> list[str]:
    """The higher committee's e-mail addresses from the “Email cấp trên” setting, checked."""
    place = settings.places.get("higher_email", "sheet “Cấu hình”")
    return parse_addresses(settings.higher_email or "", place, "Email cấp trên")


def draft_message(data: ReportData, attachment: Path) -> EmailMessage:
    s = data.settings
    what = WHAT[data.kind].format(year=s.year)
    message = EmailMessage(policy=DRAFT_POLICY)
    message["X-Unsent"] = "1"
    addresses = higher_addresses(s)
    if addresses:
        message["To"] = ", ".join(addresses)
    message["Subject"] = f"{s.committee} gửi {what}"
    message["Date"] = formatdate(localtime=True)
    addressee = s.higher_committee or "Cấp ủy cấp trên"
    lines = [
        f"Kính gửi: {addressee}.",
        "",
        f"{s.committee} trân trọng gửi {what}.",
        f"Số mô hình: {len(data.models)}, của {data.units_with_models()}/{len(data.units)} đơn vị.",
        f"Tệp đính kèm: {attachment.name}",
        "",
        "Tệp được lập bằng công cụ dvk (Dân vận khéo); có thể tổng hợp lại bằng lệnh “dvk rollup”.",
        "",
        "Trân trọng.",
    ]
    if s.contact:
        lines += ["", f"Cán bộ đầu mối: {s.contact}"]
    message.set_content("\n".join(lines), charset="utf-8")
    message.add_attachment(attachment.read_bytes(), maintype=XLSX_TYPE[0], subtype=XLSX_TYPE[1],
                           filename=attachment.name)
    return message


def write_draft(data: ReportData, attachment: Path) -> tuple[Path, list[str]]:
    """The draft beside the workbook, same name with ``.eml``. Returns it and notices for staff."""
    notices = []
    if not data.settings.higher_email:
        notices.append("Chưa nhập “Email cấp trên” ở sheet “Cấu hình”: thư nháp chưa có người nhận, "
                       "nhập địa chỉ khi gửi")
    path = attachment.with_suffix(".eml")
    payload = draft_message(data, attachment).as_bytes()
    atomic_save(path, lambda temp: Path(temp).write_bytes(payload))
    return path, notices
