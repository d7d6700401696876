"""One build step on top of pyproject.toml: the app's runtime files go into the package.

In the repository they live at the top, in ``resources/`` (stylesheet, UI icons)
and ``icons/`` (the app icon). A wheel carries them inside the package, as
``huddle/resources/`` and ``huddle/icons/``, where ``huddle.ui.resources`` finds
them with importlib.resources. The PyInstaller spec (packaging/huddle.spec)
collects the same files to the same places. Editable installs and plain source
runs skip this and read the checkout directly.
"""

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
RUNTIME_FILES = {
    "resources": ("huddle.qss", "icons/*.svg"),
    "icons": ("huddle.svg", "hicolor/*/apps/huddle.png"),
}
"""Top-level folder -> the globs under it that the app reads at run time."""


class BuildWithRuntimeFiles(build_py):
    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        for folder, patterns in RUNTIME_FILES.items():
            for pattern in patterns:
                sources = sorted((ROOT / folder).glob(pattern))
                if not sources:
                    raise SystemExit(f"setup.py: nothing matches {folder}/{pattern}")
                for source in sources:
                    relative = source.relative_to(ROOT / folder)
                    target = Path(self.build_lib, "huddle", folder, relative)
                    self.mkpath(str(target.parent))
                    self.copy_file(str(source), str(target))


setup(cmdclass={"build_py": BuildWithRuntimeFiles})
