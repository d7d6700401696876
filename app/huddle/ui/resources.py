"""Finding the UI's files: stylesheet, symbolic icons and the app icon.

In the repository they live at the top, in ``resources/`` and ``icons/``. A wheel
(setup.py copies them at build time) and the PyInstaller bundle carry the same
folders inside the package, as ``huddle/resources/`` and ``huddle/icons/``, found
here with importlib.resources. An editable install or a plain source run has no
such copies and reads the checkout. Without either the app still runs, with Qt's
defaults, and ``huddle --self-check`` says so.

Symbolic icons are single-colour SVGs drawn with ``currentColor``; they are
tinted with the palette's text colour when loaded, so they follow light and
dark themes, and rendered at the screen's device pixel ratio, so they stay crisp.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from pathlib import Path

from PySide6.QtCore import QByteArray, QSize, Qt
from PySide6.QtGui import QGuiApplication, QIcon, QPainter, QPalette, QPixmap
from PySide6.QtSvg import QSvgRenderer

_CHECKOUT = Path(__file__).resolve().parents[3]
ICON_SIZES = (16, 24, 32, 48, 64)


def checkout_path(*parts: str) -> Path | None:
    """A file of the source checkout, or None when it is not there."""
    path = _CHECKOUT.joinpath(*parts)
    return path if path.exists() else None


def runtime_path(*parts: str) -> Path | None:
    """A runtime file, e.g. ``("resources", "huddle.qss")``: the package's copy, else
    the checkout's, else None.

    A path on disk, because Qt opens files by name: wheels install unzipped and
    PyInstaller unpacks data files, so the package's copy is always a real file.
    """
    packaged = files("huddle").joinpath(*parts)
    if isinstance(packaged, Path) and packaged.exists():
        return packaged
    return checkout_path(*parts)


def stylesheet() -> str:
    path = runtime_path("resources", "huddle.qss")
    return path.read_text(encoding="utf-8") if path else ""


@cache
def app_icon() -> QIcon:
    """Huddle's own icon: the scalable SVG plus the rendered PNG sizes."""
    icon = QIcon()
    hicolor = runtime_path("icons", "hicolor")
    if hicolor is not None:
        for png in sorted(hicolor.glob("*/apps/huddle.png")):
            icon.addFile(str(png))
    svg = runtime_path("icons", "huddle.svg")
    if svg is not None:
        icon.addFile(str(svg))
    return icon


def symbolic_icon(name: str, palette: QPalette, role: QPalette.ColorRole | None = None) -> QIcon:
    """A UI icon from ``resources/icons/<name>.svg`` drawn in a palette colour."""
    colour = palette.color(role or QPalette.ColorRole.WindowText)
    return _tinted(name, colour.name(), colour.alphaF())


@cache
def _tinted(name: str, colour: str, opacity: float) -> QIcon:
    path = runtime_path("resources", "icons", f"{name}.svg")
    if path is None:
        return QIcon()
    svg = path.read_text(encoding="utf-8").replace("currentColor", colour)
    renderer = QSvgRenderer(QByteArray(svg.encode("utf-8")))
    icon = QIcon()
    for size in ICON_SIZES:
        for ratio in _ratios():
            icon.addPixmap(_render(renderer, size, ratio, opacity))
    return icon


def _ratios() -> tuple[float, ...]:
    """The device pixel ratios to draw for: 1, and 2 only when a screen is that sharp.

    Each icon is drawn at every size for each ratio when the window is built; the
    ratio-2 copies, half of that start-up work, are of no use on ordinary screens (a
    sharp screen plugged in later shows the icons scaled up until the app restarts).
    """
    sharp = any(screen.devicePixelRatio() > 1.0 for screen in QGuiApplication.screens())
    return (1.0, 2.0) if sharp else (1.0,)


def _render(renderer: QSvgRenderer, size: int, ratio: float, opacity: float) -> QPixmap:
    pixels = round(size * ratio)
    pixmap = QPixmap(QSize(pixels, pixels))
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setOpacity(opacity)  # e.g. the placeholder colour is the text colour, half see-through
    renderer.render(painter)
    painter.end()
    pixmap.setDevicePixelRatio(ratio)
    return pixmap
