"""The PyInstaller bundle builds, holds what the app reads, and passes its self-check.

Slow (about half a minute on two cores): PyInstaller is installed from the
project's `bundle` extra first when the venv lacks it, then the real build
command, packaging/build_bundle.py (what `make bundle` runs), builds into a
temporary folder and the frozen app is launched headless from outside the repo.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]
# Qt libraries that come only with PySide6-Addons.
ADDONS_LIBRARIES = ("Qt6WebEngine", "Qt6Charts", "Qt6Graphs", "Qt6Multimedia", "Qt63D")


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("bundle")
    command = [sys.executable, str(ROOT / "packaging" / "build_bundle.py")]
    command += ["--dist", str(out / "dist"), "--work", str(out / "work")]
    subprocess.run(command, check=True, cwd=out, timeout=540)
    return out / "dist" / "huddle"


def test_frozen_app_opens_its_window_and_exits_cleanly(bundle: Path, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    env["QT_QPA_PLATFORM"] = "offscreen"
    check = subprocess.run(
        [bundle / "huddle", "--self-check"],
        check=False,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert check.returncode == 0, check.stderr
    assert "huddle: the desktop app opened and closed cleanly." in check.stderr


def test_bundle_carries_the_runtime_files(bundle: Path) -> None:
    packaged = bundle / "_internal" / "huddle"
    for svg in (ROOT / "resources" / "icons").glob("*.svg"):
        assert (packaged / "resources" / "icons" / svg.name).is_file(), svg.name
    assert (packaged / "resources" / "huddle.qss").is_file()
    assert (packaged / "icons" / "huddle.svg").is_file()
    assert len(list(packaged.glob("icons/hicolor/*/apps/huddle.png"))) == 8


def test_bundle_leaves_out_addons_and_the_gtk_stack(bundle: Path) -> None:
    names = [p.name for p in bundle.rglob("*") if ".so" in p.name]
    assert not [n for n in names if any(lib in n for lib in ADDONS_LIBRARIES)]
    assert not [n for n in names if n.startswith(("libgtk", "libqgtk3", "libcairo", "libpango"))]
    assert not [n for n in names if n.startswith(("libqeglfs", "libqvnc", "libqlinuxfb"))]


def test_frozen_command_line_runs_the_article_demo(bundle: Path, tmp_path: Path) -> None:
    """numpy and cryptography work frozen: the article's four raises average 3171.5."""
    demo = subprocess.run(
        [bundle / "huddle", "demo"],
        check=False,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert demo.returncode == 0, demo.stderr
    assert "average 3171.5" in demo.stdout
