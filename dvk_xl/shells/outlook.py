"""Drafts put straight into Outlook on Windows, through COM (pywin32, which xlwings installs there).

Each draft becomes an Outlook mail item with its recipients, subject, body and attachments, saved
in Outlook's Drafts folder; when there are only a few, each is also opened on screen for staff to
check and send. ``win32com`` is imported only when Outlook is used, so other systems never need it.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

from ..core.errors import DvkError
from ..reports.delivery import Delivery
from ..reports.mail import Draft

OL_MAIL_ITEM = 0  # Outlook's olMailItem
SHOW_AT_MOST = 10  # more windows than this bury the screen: the rest wait in the Drafts folder
PROG_ID = "Outlook.Application"


def outlook_installed() -> bool:
    """Whether Outlook is registered for COM on this machine (Windows only; never starts it)."""
    if not sys.platform.startswith("win"):
        return False
    try:
        import winreg

        with winreg.OpenKey(winreg.HKEY_CLASSES_ROOT, rf"{PROG_ID}\CLSID"):
            return True
    except OSError:
        return False


def outlook_app() -> Any:
    """The running Outlook (started if needed), or a DvkError saying what to choose instead."""
    try:
        import win32com.client  # type: ignore[import-not-found]  # pywin32: Windows only
    except ImportError:
        raise DvkError("Không mở được Outlook: máy này không có Outlook hoặc gói pywin32 (chỉ có trên Windows); "
                       "chọn cách gửi thư “webmail” hoặc “eml”") from None
    try:
        return win32com.client.Dispatch(PROG_ID)
    except Exception as exc:  # noqa: BLE001 - COM says why in English; staff get one Vietnamese line
        raise DvkError(f"Không mở được Outlook ({exc.__class__.__name__}): kiểm tra Outlook đã cài và đăng nhập hộp thư, "
                       "hoặc nhập “webmail” vào ô “Cách gửi thư” của sheet “Cấu hình”") from None


def open_in_outlook(delivery: Delivery, app: Any = None, show_at_most: int = SHOW_AT_MOST) -> Delivery:
    """Every draft of ``delivery`` into Outlook (``app``: the Outlook COM object; tests pass a fake one)."""
    drafts: Sequence[Draft] = delivery.drafts
    if not drafts:
        return delivery
    app = app if app is not None else outlook_app()
    show = len(drafts) <= show_at_most
    for draft in drafts:
        item = app.CreateItem(OL_MAIL_ITEM)
        item.To = "; ".join(draft.to)
        item.Subject = draft.subject
        item.Body = draft.body
        for attachment in draft.attachments:
            item.Attachments.Add(str(attachment.resolve()))
        item.Save()  # into Drafts: nothing is lost if staff close the window
        if show:
            item.Display(False)
        delivery.opened += 1
    return delivery
