"""How drafts reach the people who send them: ``.eml`` files, a webmail page, or Outlook.

Staff send mail in one of three ways. With a desktop mail client they open ``.eml`` drafts (``eml``).
With the government webmail in a browser there is no draft to open: they get a folder with each
addressee's attachments in its own subfolder and one page (``DanhSachThu.html``) listing recipients,
subjects and bodies to copy (``webmail``). With Outlook on Windows, the ribbon (or ``--mail outlook``)
puts each draft straight into Outlook (``outlook``: nothing is written here; ``shells.outlook`` does it).
"""

from __future__ import annotations

import html
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..core import text
from ..core.errors import DvkError
from .mail import Draft

MAIL_MODES: dict[str, str] = {
    "eml": "thư nháp .eml (mở bằng Outlook, Thunderbird)",
    "webmail": "thư mục tệp đính kèm và trang danh sách thư để gửi bằng hộp thư trên web",
    "outlook": "mở từng thư nháp trong Outlook",
}
WEBMAIL_DIR = "GuiThu"
WEBMAIL_PAGE = "DanhSachThu.html"
# What staff may type in “Cách gửi thư” (compared folded, without accents) -> the mode.
_MODE_WORDS = {
    "outlook": "outlook",
    "webmail": "webmail", "web": "webmail", "thu cong vu": "webmail", "hop thu cong vu": "webmail",
    "eml": "eml", ".eml": "eml", "tep eml": "eml", "tep .eml": "eml", "thu nhap": "eml",
    "": "", "tu chon": "", "tu dong": "",
}


def mail_mode(value: object, place: str = "") -> str:
    """The mode named by ``value`` (an option or the “Cách gửi thư” setting); "" means automatic."""
    key = text.unaccent(text.fold(value)).lower()
    if key in _MODE_WORDS:
        return _MODE_WORDS[key]
    where = f"{place}: " if place else ""
    raise DvkError(f"{where}cách gửi thư “{text.clean(value)}” không rõ; nhập Outlook, webmail hoặc eml "
                   "(để trống: tự chọn Outlook nếu máy có)")


@dataclass
class Delivery:
    """What was made for sending: the mode, the drafts and, by mode, their files or page."""

    mode: str
    drafts: list[Draft] = field(default_factory=list)
    page: Path | None = None  # webmail: the list of e-mails to paste
    folder: Path | None = None  # webmail: the folder of attachments by addressee
    opened: int = 0  # outlook: drafts put into Outlook (set by the shell)

    def lines(self) -> list[str]:
        if not self.drafts:
            return []
        if self.mode == "webmail":
            return [f"Trang danh sách {len(self.drafts)} thư để gửi bằng hộp thư trên web: {self.page}",
                    f"  Tệp đính kèm xếp theo từng nơi nhận trong thư mục: {self.folder}"]
        if self.mode == "outlook":
            return [f"Đã đưa {self.opened}/{len(self.drafts)} thư nháp vào Outlook (thư mục Thư nháp — Drafts)"]
        folders = sorted({str(d.path.parent) for d in self.drafts if d.path})
        return [f"Đã viết {len(self.drafts)} thư nháp (.eml) trong: {', '.join(folders)}"]

    def as_dict(self) -> dict[str, Any]:
        return {"mode": self.mode, "page": str(self.page) if self.page else None,
                "folder": str(self.folder) if self.folder else None,
                "drafts": [str(d.path) for d in self.drafts if d.path]}


def deliver(drafts: Sequence[Draft], mode: str, folder: Path, eml_path: Callable[[Draft], Path],
            title: str = "Thư gửi các đơn vị") -> Delivery:
    """Make ``drafts`` ready to send the ``mode`` way. ``eml``: each draft saved at ``eml_path(draft)``;
    ``webmail``: ``folder/GuiThu`` with the page and the attachments; ``outlook``: nothing written."""
    if mode not in MAIL_MODES:
        raise DvkError(f"Cách gửi thư “{mode}” không có; chọn một trong: {', '.join(MAIL_MODES)}")
    drafts = list(drafts)
    delivery = Delivery(mode, drafts)
    if mode == "eml":
        for draft in drafts:
            draft.save(eml_path(draft))
    elif mode == "webmail" and drafts:
        delivery.folder = Path(folder) / WEBMAIL_DIR
        delivery.page = write_webmail(drafts, delivery.folder, title)
    return delivery


def addressee_folder(draft: Draft) -> str:
    code = text.file_slug(draft.unit_code)
    name = text.file_slug(draft.unit_name) or "NoiNhan"
    return f"{code}_{name}" if code else name


def write_webmail(drafts: Sequence[Draft], folder: Path, title: str) -> Path:
    """The attachments copied into one subfolder per addressee, and the page listing every e-mail.

    A folder left by an earlier run (it has the page) is replaced: it holds only copies, and a unit
    that has since sent its file must not be mailed from a stale list.
    """
    if (folder / WEBMAIL_PAGE).exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True, exist_ok=True)
    entries = []
    used: set[str] = set()
    for draft in drafts:
        name = addressee_folder(draft)
        while name.lower() in used:
            name += "_"
        used.add(name.lower())
        copies = []
        if draft.attachments:
            (folder / name).mkdir(exist_ok=True)
            for attachment in draft.attachments:
                copies.append(Path(shutil.copy2(attachment, folder / name / attachment.name)))
        entries.append((draft, name, copies))
    page = folder / WEBMAIL_PAGE
    page.write_text(webmail_page(entries, title), encoding="utf-8")
    return page


_SCRIPT = """
function chep(id, nut) {
  var o = document.getElementById(id), t = o.innerText;
  function xong() { nut.textContent = "Đã chép ✓"; setTimeout(function () { nut.textContent = "Chép"; }, 1500); }
  if (navigator.clipboard && window.isSecureContext) { navigator.clipboard.writeText(t).then(xong, function () { chon(o); }); }
  else { chon(o); try { document.execCommand("copy"); xong(); } catch (e) {} }
}
function chon(o) { var r = document.createRange(); r.selectNodeContents(o);
  var s = window.getSelection(); s.removeAllRanges(); s.addRange(r); }
"""
_STYLE = """
body { font-family: "Times New Roman", serif; max-width: 60em; margin: 1em auto; padding: 0 1em; }
h1 { font-size: 1.4em; } .thu { border: 1px solid #999; margin: 1em 0; padding: .5em 1em; }
.thu h2 { font-size: 1.1em; margin: .3em 0; } dt { font-weight: bold; margin-top: .5em; }
pre { white-space: pre-wrap; font-family: inherit; background: #f6f6f6; padding: .5em; margin: .2em 0; }
.chua { color: #b00; font-weight: bold; } button { margin-left: .5em; }
@media print { button { display: none; } .thu { break-inside: avoid; } }
"""


def webmail_page(entries: Sequence[tuple[Draft, str, list[Path]]], title: str) -> str:
    """One printable page: for each e-mail, the recipients, subject and body with a copy button, and its files."""
    e = html.escape
    parts = [
        "<!DOCTYPE html>", '<html lang="vi"><head><meta charset="utf-8">', f"<title>{e(title)}</title>",
        f"<style>{_STYLE}</style><script>{_SCRIPT}</script></head><body>",
        f"<h1>{e(title)}</h1>",
        f"<p>{len(entries)} thư. Với mỗi thư: mở hộp thư trên trình duyệt, bấm “Soạn thư”, chép người nhận, tiêu đề và "
        "nội dung (nút “Chép”, rồi dán vào ô tương ứng), đính kèm các tệp trong thư mục của nơi nhận (cùng thư mục "
        "với trang này), kiểm tra lại rồi gửi.</p>",
    ]
    for number, (draft, folder, copies) in enumerate(entries, start=1):
        name = draft.unit_name + (f" (mã {draft.unit_code})" if draft.unit_code else "")
        to = (f'<pre id="to{number}">{e("; ".join(draft.to))}</pre>'
              f'<button onclick="chep(\'to{number}\', this)">Chép</button>' if draft.to else
              '<span class="chua">Chưa có địa chỉ e-mail: nhập địa chỉ của nơi nhận khi gửi '
              '(và bổ sung vào cột “Email” của sheet “Đơn vị”).</span>')
        files = "".join(f'<li><a href="{e(folder)}/{e(c.name)}">{e(c.name)}</a></li>' for c in copies)
        parts += [
            f'<div class="thu"><h2>{number}. {e(name)}</h2><dl>',
            f"<dt>Người nhận</dt><dd>{to}</dd>",
            f'<dt>Tiêu đề<button onclick="chep(\'sub{number}\', this)">Chép</button></dt>'
            f'<dd><pre id="sub{number}">{e(draft.subject)}</pre></dd>',
            f'<dt>Nội dung<button onclick="chep(\'body{number}\', this)">Chép</button></dt>'
            f'<dd><pre id="body{number}">{e(draft.body)}</pre></dd>',
            (f'<dt>Tệp đính kèm (thư mục <a href="{e(folder)}/">{e(folder)}</a>)</dt><dd><ul>{files}</ul></dd>'
             if copies else "<dt>Tệp đính kèm</dt><dd>không có</dd>"),
            "</dl></div>",
        ]
    parts.append("</body></html>")
    return "\n".join(parts)
