"""Draft e-mails: to the higher committee with a report attached, and (``unit_mail``) to the units.

``Draft`` is what a draft says (recipients, subject, body, attachments); ``Draft.message`` is the one
MIME builder. Written as an ``.eml`` file with ``X-Unsent: 1``: Outlook opens it as an unsent draft
(Thunderbird opens it as a message to "Edit as new"); staff check it and press Send. Only the stdlib
``email`` package: UTF-8 body, RFC 2047 encoded Vietnamese headers. ``delivery`` sends the same
drafts another way (a webmail page, Outlook).
"""

from __future__ import annotations

import mimetypes
import re
from dataclasses import dataclass, field
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


@dataclass
class Draft:
    """One e-mail to write: to whom, about what, with which files. ``path``: where it was saved."""

    to: list[str]
    subject: str
    body: str
    attachments: list[Path] = field(default_factory=list)
    unit_code: str = ""  # the unit it goes to ("" for the higher committee)
    unit_name: str = ""  # the addressee's name, for summaries and the webmail page
    path: Path | None = None

    def message(self) -> EmailMessage:
        """The draft as a MIME message: ``X-Unsent: 1``, UTF-8 body, each attachment with its UTF-8 name."""
        message = EmailMessage(policy=DRAFT_POLICY)
        message["X-Unsent"] = "1"
        if self.to:
            message["To"] = ", ".join(self.to)
        message["Subject"] = self.subject
        message["Date"] = formatdate(localtime=True)
        message.set_content(self.body, charset="utf-8")
        for attachment in self.attachments:
            maintype, subtype = attachment_type(attachment)
            message.add_attachment(attachment.read_bytes(), maintype=maintype, subtype=subtype,
                                   filename=attachment.name)
        return message

    def save(self, path: Path) -> Path:
        """The ``.eml`` file, written atomically; remembered in ``path``."""
        payload = self.message().as_bytes()
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_save(path, lambda temp: Path(temp).write_bytes(payload))
        self.path = path
        return path


def attachment_type(path: Path) -> tuple[str, str]:
    if path.suffix.lower() == ".xlsx":
        return XLSX_TYPE
    guessed = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    maintype, subtype = guessed.split("/", 1)
    return maintype, subtype


def report_draft(data: ReportData, attachment: Path) -> Draft:
    """The draft to the higher committee with the report ``attachment``."""
    s = data.settings
    what = WHAT[data.kind].format(year=s.year)
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
    return Draft(higher_addresses(s), f"{s.committee} gửi {what}", "\n".join(lines), [attachment],
                 unit_name=addressee)


def draft_message(data: ReportData, attachment: Path) -> EmailMessage:
    return report_draft(data, attachment).message()


def write_draft(data: ReportData, attachment: Path) -> tuple[Path, list[str]]:
    """The draft beside the workbook, same name with ``.eml``. Returns it and notices for staff."""
    return report_draft(data, attachment).save(attachment.with_suffix(".eml")), draft_notices(data)


def draft_notices(data: ReportData) -> list[str]:
    """What staff should know about the draft upward: no recipient yet."""
    notices = []
    if not data.settings.higher_email:
        notices.append("Chưa nhập “Email cấp trên” ở sheet “Cấu hình”: thư nháp chưa có người nhận, "
                       "nhập địa chỉ khi gửi")
    return notices
