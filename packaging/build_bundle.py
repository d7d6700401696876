#!/usr/bin/env python3
"""Build Huddle's one-folder bundle with PyInstaller: dist/huddle/huddle.

    python packaging/build_bundle.py [--dist DIR] [--work DIR]    # `make bundle`

PyInstaller comes from the project's `bundle` extra (pyproject.toml). When it is
missing from the running environment it is installed there first, so a fresh
clone needs nothing beyond `make bundle`.
"""

from __future__ import annotations

import argparse
import importlib.util
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "packaging" / "huddle.spec"


def bundle_requirements() -> list[str]:
    """The `bundle` extra, read from pyproject.toml so the version pin lives in one place."""
    with (ROOT / "pyproject.toml").open("rb") as file:
        project = tomllib.load(file)["project"]
    requirements: list[str] = project["optional-dependencies"]["bundle"]
    return requirements


def ensure_pyinstaller() -> None:
    if importlib.util.find_spec("PyInstaller") is not None:
        return
    print("build_bundle: installing the bundle extra (PyInstaller)…", file=sys.stderr)
    pip = [sys.executable, "-m", "pip", "install", "--quiet", *bundle_requirements()]
    subprocess.run(pip, check=True)  # noqa: S603 - our own interpreter and pin


def build(dist: Path, work: Path) -> Path:
    """Run PyInstaller on the spec and return the frozen executable."""
    ensure_pyinstaller()
    command = [sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level=WARN"]
    command += ["--distpath", str(dist), "--workpath", str(work), str(SPEC)]
    subprocess.run(command, check=True, cwd=ROOT)  # noqa: S603 - fixed command
    return dist / "huddle" / ("huddle.exe" if sys.platform == "win32" else "huddle")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dist", type=Path, default=ROOT / "dist", help="default: dist/")
    parser.add_argument("--work", type=Path, default=ROOT / "build" / "pyinstaller")
    args = parser.parse_args()
    executable = build(args.dist.resolve(), args.work.resolve())
    print(f"build_bundle: built {executable}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
