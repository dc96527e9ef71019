"""The README is the users' manual: every command and every ribbon button must stay documented in it."""

import re
from pathlib import Path

import pytest

from dvk_xl.shells.cli import main

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
RIBBON = (ROOT / "dvk_xl" / "shells" / "macros" / "customUI14.xml").read_text(encoding="utf-8")


def _labels() -> list[str]:
    return re.findall(r'<(?:button|menu)\b[^>]*?\blabel="([^"]+)"', RIBBON)


def test_the_ribbon_has_buttons_to_check():
    assert len(_labels()) >= 15  # guards the regular expression itself


@pytest.mark.parametrize("command", sorted(main.commands))
def test_every_command_is_in_the_readme(command):
    assert f"dvk {command}" in README, f"README.md does not document `dvk {command}`"


@pytest.mark.parametrize("label", _labels())
def test_every_ribbon_button_is_in_the_readme(label):
    assert label in README, f"README.md does not name the ribbon button “{label}”"


def test_the_ribbon_section_keeps_its_install_steps_and_check_list():
    for heading in ("## Thanh công cụ “Dân vận khéo” trong Excel (Windows)", "### Cài đặt từng bước",
                    "### Kiểm tra trên máy Windows (việc không chạy được trên Linux)"):
        assert heading + "\n" in README
    assert "dvk install-addin" in README and "Trusted Locations" in README
