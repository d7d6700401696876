"""Install footprint: Huddle needs PySide6-Essentials, never the 1 GB of Addons.

Every Qt module the app imports (read from its source, not by importing it) and
every Qt module loaded when it starts (pyqtgraph's too) must be one that PySide6-Essentials ships.
"""

import ast
import subprocess
import sys
import tomllib
from importlib.metadata import files
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "app" / "huddle"


def qt_modules_imported_by(folder: Path) -> set[str]:
    found = set()
    for source in folder.rglob("*.py"):
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            else:
                continue
            found |= {n.split(".")[1] for n in names if n.startswith("PySide6.Qt")}
    return found


def essentials_modules() -> set[str]:
    shipped = files("PySide6_Essentials") or []
    return {
        Path(str(f)).name.split(".")[0]
        for f in shipped
        if str(f).startswith("PySide6/Qt") and ".abi3." in str(f)
    }


def test_the_project_depends_on_essentials_only() -> None:
    with (ROOT / "pyproject.toml").open("rb") as file:
        dependencies = tomllib.load(file)["project"]["dependencies"]
    names = {d.split(">")[0].split("=")[0].split("[")[0].strip().lower() for d in dependencies}
    assert "pyside6-essentials" in names
    assert not names & {"pyside6", "pyside6-addons"}


def test_every_qt_module_the_app_imports_is_in_essentials() -> None:
    used = qt_modules_imported_by(APP)
    assert {"QtCore", "QtGui", "QtWidgets"} <= used
    assert used <= essentials_modules(), used - essentials_modules()


def test_every_qt_module_loaded_at_start_is_in_essentials() -> None:
    """What the app and its libraries (pyqtgraph) really load, in a fresh interpreter."""
    script = (
        # pyqtgraph loads with the first chart (ui/chart.py), so it is imported here too.
        "import sys, huddle.ui.app, huddle.cli.main, pyqtgraph\n"
        "print(' '.join(m.split('.')[1] for m in sys.modules if m.startswith('PySide6.Qt')))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", script], check=True, capture_output=True, text=True, timeout=60
    ).stdout.split()
    assert "QtWidgets" in loaded
    assert set(loaded) <= essentials_modules(), set(loaded) - essentials_modules()
