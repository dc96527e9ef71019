"""Make DanVanKheo-CaiDat.zip, what staff download: windows/CaiDat.cmd, windows/CaiDat.ps1 and the wheel of
this checkout beside them (CaiDat.ps1 installs a dvk_xl-*.whl it finds beside itself).

    python scripts/make_setup_bundle.py [--out dist] [--wheel dist/dvk_xl-0.1.0-py3-none-any.whl]

Without --wheel the wheel is built here first (pip wheel, no dependencies: pip fetches those on the staff's
machine from the package index, or from other wheels put beside the script).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCRIPTS = ("CaiDat.cmd", "CaiDat.ps1")
FOLDER = "DanVanKheo-CaiDat"


def build_wheel(out: Path) -> Path:
    """The wheel of this checkout, built from a copy (no build/ or .egg-info left in the sources)."""
    with tempfile.TemporaryDirectory() as scratch:
        source = Path(scratch) / "src"
        shutil.copytree(ROOT / "dvk_xl", source / "dvk_xl", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        for name in ("pyproject.toml", "README.md"):
            shutil.copy2(ROOT / name, source / name)
        out.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, "-m", "pip", "wheel", str(source), "--no-deps", "-q", "-w", str(out.resolve())],
                       check=True)
    return max(out.glob("dvk_xl-*.whl"), key=lambda p: p.stat().st_mtime)


def make_bundle(out: Path, wheel: Path | None = None) -> Path:
    """``out``/DanVanKheo-CaiDat.zip: one folder holding the two scripts (bytes as committed) and the wheel."""
    out.mkdir(parents=True, exist_ok=True)
    wheel = wheel or build_wheel(out / "wheel")
    bundle = out / f"{FOLDER}.zip"
    with zipfile.ZipFile(bundle, "w", zipfile.ZIP_DEFLATED) as target:
        for name in SCRIPTS:
            target.write(ROOT / "windows" / name, f"{FOLDER}/{name}")
        target.write(wheel, f"{FOLDER}/{wheel.name}")
    return bundle


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "dist")
    parser.add_argument("--wheel", type=Path)
    args = parser.parse_args()
    print(make_bundle(args.out, args.wheel))


if __name__ == "__main__":
    main()
