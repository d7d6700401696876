"""packaging/linux/install.sh puts the bundle, its menu entry and icons under ~/.local."""

import configparser
import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "packaging" / "linux" / "install.sh"
APP_ID = "io.github.huddle.Huddle"
pytestmark = pytest.mark.skipif(shutil.which("sh") is None, reason="needs a POSIX shell")


def run(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "XDG_DATA_HOME"}
    env["HOME"] = str(home)
    return subprocess.run(
        ["sh", str(SCRIPT), *args], env=env, capture_output=True, text=True, check=False
    )


@pytest.fixture
def fake_bundle(tmp_path: Path) -> Path:
    bundle = tmp_path / "my bundle" / "huddle"
    bundle.mkdir(parents=True)
    (bundle / "huddle").write_text("#!/bin/sh\necho frozen huddle\n")
    (bundle / "huddle").chmod(0o755)
    return bundle


def test_install_then_uninstall(tmp_path: Path, fake_bundle: Path) -> None:
    home = tmp_path / "home dir"
    done = run(home, str(fake_bundle))
    assert done.returncode == 0, done.stderr
    data = home / ".local" / "share"

    entry = configparser.ConfigParser(interpolation=None)
    entry.read(data / "applications" / f"{APP_ID}.desktop", encoding="utf-8")
    assert entry["Desktop Entry"]["exec"] == f'"{home}/.local/lib/huddle/huddle"'
    assert entry["Desktop Entry"]["icon"] == "huddle"

    for size in (16, 24, 32, 48, 64, 128, 256, 512):
        assert (data / f"icons/hicolor/{size}x{size}/apps/huddle.png").is_file()
    assert (data / "icons/hicolor/scalable/apps/huddle.svg").is_file()
    assert (data / f"metainfo/{APP_ID}.metainfo.xml").is_file()
    launched = subprocess.run(
        [home / ".local" / "bin" / "huddle"], capture_output=True, text=True, check=True
    )
    assert launched.stdout == "frozen huddle\n"

    assert run(home, "--uninstall").returncode == 0
    assert not (home / ".local" / "lib" / "huddle").exists()
    assert not (data / "applications" / f"{APP_ID}.desktop").exists()
    assert not list(data.glob("icons/hicolor/*/apps/huddle*"))


def test_without_a_bundle_it_says_how_to_build_one(tmp_path: Path) -> None:
    done = run(tmp_path, str(tmp_path / "nothing"))
    assert done.returncode == 1
    assert "make bundle" in done.stderr
