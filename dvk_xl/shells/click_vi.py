"""click's own words (usage errors, help headings) in Vietnamese, for the ``dvk`` command.

click looks its messages up through the stdlib ``gettext`` functions it imported as ``_`` and
``ngettext``. Installing a gettext catalog would change every program in the process, so
``vietnamese()`` swaps those two names in click's modules for the duration of one ``dvk``
invocation only, and puts them back afterwards. A message missing from the catalog stays English.
"""

from __future__ import annotations

import contextlib
import importlib
from collections.abc import Iterator

# msgid -> Vietnamese; placeholders are kept (an unused one is simply dropped by str.format).
MESSAGES: dict[str, str] = {
    "Usage:": "Cách dùng:",
    "Options": "Tùy chọn",
    "Commands": "Lệnh",
    "Positional arguments": "Đối số",
    "Show this message and exit.": "Hiện hướng dẫn này rồi thoát.",
    "Show the version and exit.": "Hiện phiên bản rồi thoát.",
    "Error: {message}": "Lỗi: {message}",
    "Try '{command} {option}' for help.": "Gõ “{command} {option}” để xem hướng dẫn.",
    "Invalid value for {param_hint}: {message}": "Giá trị không hợp lệ ở {param_hint}: {message}",
    "Invalid value: {message}": "Giá trị không hợp lệ: {message}",
    "Missing argument": "Thiếu đối số",
    "Missing option": "Thiếu tùy chọn",
    "Missing parameter": "Thiếu tham số",
    "Missing {param_type}": "Thiếu {param_type}",
    "Missing parameter: {param_name}": "Thiếu tham số: {param_name}",
    "Missing command.": "Thiếu tên lệnh.",
    "No such command {name!r}.": "Không có lệnh {name!r}.",
    "No such option {name!r}.": "Không có tùy chọn {name!r}.",
    "Option {name!r} does not take a value.": "Tùy chọn {name!r} không nhận giá trị.",
    "Value must be an iterable.": "Giá trị phải là một danh sách.",
    "Choose from:\n\t{choices}": "Chọn một trong:\n\t{choices}",
    "Aborted!": "Đã hủy.",
    "default: {default}": "mặc định: {default}",
    "required": "bắt buộc",
    "env var: {var}": "biến môi trường: {var}",
    "(dynamic)": "(tự tính)",
    "{value!r} is not a valid {number_type}.": "{value!r} không phải là số hợp lệ.",
    "{value} is not in the range {range}.": "{value} nằm ngoài khoảng cho phép {range}.",
    "{name} {filename!r} does not exist.": "không tìm thấy {filename!r}.",
    "{name} {filename!r} is a file.": "{filename!r} là một tệp, cần một thư mục.",
    "{name} {filename!r} is a directory.": "{filename!r} là một thư mục, cần một tệp.",
    "{name} {filename!r} is not readable.": "không có quyền đọc {filename!r}.",
    "{name} {filename!r} is not writable.": "không có quyền ghi {filename!r}.",
    "{name} {filename!r} is not executable.": "không có quyền chạy {filename!r}.",
    "Could not open file {filename!r}: {message}": "Không mở được tệp {filename!r}: {message}",
    "unknown error": "lỗi không rõ",
}

# (singular msgid, plural msgid) -> (Vietnamese singular, Vietnamese plural)
PLURALS: dict[tuple[str, str], tuple[str, str]] = {
    ("Got unexpected extra argument ({args})", "Got unexpected extra arguments ({args})"):
        ("Thừa đối số không dùng đến ({args})", "Thừa các đối số không dùng đến ({args})"),
    ("Did you mean {possibility}?", "(Did you mean one of: {possibilities}?)"):
        ("Có phải ý là {possibility}?", "(Có phải ý là một trong: {possibilities}?)"),
    ("Option {name!r} requires an argument.", "Option {name!r} requires {nargs} arguments."):
        ("Tùy chọn {name!r} cần một giá trị.", "Tùy chọn {name!r} cần {nargs} giá trị."),
    ("{value!r} is not {choice}.", "{value!r} is not one of {choices}."):
        ("{value!r} không phải là {choice}.", "{value!r} không thuộc các giá trị {choices}."),
    ("Takes {nargs} values but 1 was given.", "Takes {nargs} values but {len} were given."):
        ("Cần {nargs} giá trị nhưng chỉ có 1.", "Cần {nargs} giá trị nhưng có {len}."),
}

# Placeholders shown in help for an option's value.
METAVARS = {"TEXT": "CHỮ", "INTEGER": "SỐ", "INTEGER RANGE": "SỐ", "FLOAT": "SỐ", "DIRECTORY": "THƯ_MỤC",
            "FILE": "TỆP", "PATH": "ĐƯỜNG_DẪN"}
OPTIONS_METAVAR = "[TÙY_CHỌN]"
SUBCOMMAND_METAVAR = "LỆNH [ĐỐI_SỐ]..."

CLICK_MODULES = ("core", "exceptions", "types", "formatting", "parser", "decorators", "termui", "utils")


def gettext(message: str) -> str:
    return MESSAGES.get(message, message)


def ngettext(singular: str, plural: str, n: int) -> str:
    pair = PLURALS.get((singular, plural))
    if pair is None:
        return singular if n == 1 else plural
    return pair[0] if n == 1 else pair[1]


@contextlib.contextmanager
def vietnamese() -> Iterator[None]:
    """click speaks Vietnamese inside this block; restored on the way out, even on exit."""
    saved = []
    for name in CLICK_MODULES:
        module = importlib.import_module(f"click.{name}")
        for attr, replacement in (("_", gettext), ("ngettext", ngettext)):
            if hasattr(module, attr):
                saved.append((module, attr, getattr(module, attr)))
                setattr(module, attr, replacement)
    try:
        yield
    finally:
        for module, attr, original in reversed(saved):
            setattr(module, attr, original)
