"""An installed wheel finds its runtime files without the source checkout.

Builds the wheel with `pip wheel --no-deps`, installs it alone into a fresh venv
that borrows the project venv's dependencies (so PySide6 is not downloaded again)
and runs `huddle --self-check` from a folder outside the repository.
"""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RUNTIME_GLOBS = {
    "resources": ("huddle.qss", "icons/*.svg"),
    "icons": ("huddle.svg", "hicolor/*/apps/huddle.png"),
}
pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]
WHERE_ARE_THE_FILES = """
import huddle
from huddle.ui.resources import runtime_path
print(huddle.__file__)
print(runtime_path("resources", "icons", "lock.svg"))
print(runtime_path("icons", "huddle.svg"))
"""


def expected_runtime_files() -> set[str]:
    names = set()
    for folder, patterns in RUNTIME_GLOBS.items():
        for pattern in patterns:
            matches = sorted((ROOT / folder).glob(pattern))
            assert matches, f"nothing in the checkout matches {folder}/{pattern}"
            names |= {f"huddle/{p.relative_to(ROOT).as_posix()}" for p in matches}
    return names


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(ROOT)]
    subprocess.run(command, check=True, cwd=out, timeout=240)
    (built,) = out.glob("huddle-*.whl")
    return built


def test_wheel_carries_the_runtime_files_and_no_screenshots(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert expected_runtime_files() <= names
    assert not [n for n in names if "screenshots" in n]


def test_installed_wheel_passes_the_self_check_outside_the_repo(
    wheel: Path, tmp_path: Path
) -> None:
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=False)
    python = env_dir / "bin" / "python"
    site = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    # Dependencies from the project venv, as a plain path: its .pth files (the
    # editable install of the checkout among them) are not processed this way.
    Path(site, "borrowed-deps.pth").write_text(sysconfig.get_path("purelib") + "\n")
    install = [sys.executable, "-m", "pip", "--python", str(python), "install", "-q"]
    subprocess.run([*install, "--no-deps", str(wheel)], check=True, timeout=120)

    where = subprocess.run(
        [python, "-c", WHERE_ARE_THE_FILES],
        cwd=tmp_path,
        check=True,
        capture_output=True,
        text=True,
        env=clean_env(),
    ).stdout.split()
    assert len(where) == 3, where
    assert all(path.startswith(site) for path in where), where

    check = subprocess.run(
        [env_dir / "bin" / "huddle", "--self-check"],
        check=False,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        env=clean_env(),
    )
    assert check.returncode == 0, check.stderr
    assert "opened and closed cleanly" in check.stderr


def clean_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    env["QT_QPA_PLATFORM"] = "offscreen"
    return env
