"""Small named fixtures shared by the tests."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from dvk_xl.demo.run import DEMO_COMMITTEE, DEMO_UNITS
from dvk_xl.master.book import init_master


@pytest.fixture
def ward_master(tmp_path: Path) -> Path:
    """A fresh master from the ward preset with the 12 demo units."""
    return init_master(tmp_path / "phuong", committee=DEMO_COMMITTEE, preset="phuong", units=DEMO_UNITS).path


@pytest.fixture
def procuracy_master(tmp_path: Path) -> Path:
    return init_master(tmp_path / "vksnd", preset="vksnd").path


def soffice_to_pdf(path: Path, out_dir: Path) -> Path:
    """Open a workbook in LibreOffice headless and print it to PDF (skips when LibreOffice is missing)."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        pytest.skip("LibreOffice (soffice) is not installed")
    out_dir.mkdir(parents=True, exist_ok=True)
    profile = out_dir / "lo-profile"
    subprocess.run(
        [soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
         "--outdir", str(out_dir), str(path)],
        check=True, capture_output=True, timeout=180,
    )
    pdf = out_dir / (path.stem + ".pdf")
    assert pdf.exists(), f"LibreOffice did not print {path.name}"
    return pdf


def pdf_text(pdf: Path, first: int = 1, last: int = 1) -> str:
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed")
    return subprocess.run(["pdftotext", "-f", str(first), "-l", str(last), "-layout", str(pdf), "-"],
                          check=True, capture_output=True, text=True).stdout


def pdf_pages(pdf: Path) -> int:
    if not shutil.which("pdfinfo"):
        pytest.skip("pdfinfo (poppler-utils) is not installed")
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


GOOD_MODEL = ("Khu dân cư sáng - xanh - sạch - đẹp", "Văn hóa - xã hội", "Tập thể", "Chi bộ Khu dân cư số 1", "Duy trì",
              2024, "Chi hội Phụ nữ", "100% hộ phân loại rác", "Tổ tự quản", "01/03/2026", "30/11/2026", None,
              "Nguyễn Văn Hùng", "0912345601")
NEW_MODEL = ("Vận động hiến đất mở rộng ngõ 12", "Kinh tế", "Tập thể", "Chi bộ Khu dân cư số 1", "Mới", 2026,
             "Tổ dân phố", "Mở rộng ngõ lên 4 m", "Đảng viên gương mẫu", "15/03/2026", "30/10/2026", "20/03/2026",
             "Trần Thị Lan", "0912345602")


def model(base: tuple = GOOD_MODEL, **changes) -> tuple:
    """A model row for a PL01 form, with some columns changed by key."""
    from dvk_xl.spec.forms import PL01

    keys = [k for k in PL01.keys if k != "stt"]
    values = dict(zip(keys, base, strict=False))
    values.update(changes)
    return tuple(values.get(k) for k in keys)


@pytest.fixture
def returned(ward_master, tmp_path):
    """Make a returned PL01 file: returned(unit, rows, name=None, received=None) -> Path in tmp inbox."""
    import os
    from datetime import datetime

    from dvk_xl.demo.run import fill_template
    from dvk_xl.reports.templates import write_templates

    forms = tmp_path / "forms"
    made = {p.name.split("_")[1]: p for p in write_templates(ward_master, forms).paths}
    inbox = tmp_path / "inbox"
    inbox.mkdir(exist_ok=True)

    def make(unit: str, rows: list[tuple], name: str | None = None, received: datetime | None = None) -> Path:
        template = made[unit]
        path = fill_template(template, rows, inbox / (name or template.name))
        when = (received or datetime(2026, 3, 1, 10, 0)).timestamp()
        os.utime(path, (when, when))
        return path

    make.inbox = inbox
    make.master = ward_master
    return make
