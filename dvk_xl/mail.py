"""A draft e-mail to the higher committee with a report attached.

Written as an ``.eml`` file with ``X-Unsent: 1``: Outlook opens it as an unsent draft (Thunderbird
opens it as a message to "Edit as new"); staff check it and press Send. Only the stdlib
``email`` package: UTF-8 body, RFC 2047 encoded Vietnamese headers.
"""

from __future__ import annotations

from email.message import EmailMessage
from email.policy import SMTP
from email.utils import formatdate
from pathlib import Path

from .reportdata import ReportData
from .workbook import atomic_save

XLSX_TYPE = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
WHAT = {
    "dang-ky": "danh sách đăng ký mô hình “Dân vận khéo” năm {year} (Phụ lục 02)",
    "6-thang": "báo cáo kết quả thực hiện phong trào thi đua “Dân vận khéo” 6 tháng đầu năm {year} (Phụ lục 03)",
    "nam": "báo cáo kết quả thực hiện phong trào thi đua “Dân vận khéo” năm {year} (Phụ lục 03)",
}


def draft_message(data: ReportData, attachment: Path) -> EmailMessage:
    s = data.settings
    what = WHAT[data.kind].format(year=s.year)
    message = EmailMessage(policy=SMTP)
    message["X-Unsent"] = "1"
    if s.higher_email:
        message["To"] = s.higher_email
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
