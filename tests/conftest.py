"""Small named fixtures shared by the tests."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from dvk_xl.demo import DEMO_COMMITTEE, DEMO_UNITS
from dvk_xl.master import init_master


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
