"""Desktop app entry point: the QApplication, its icon, stylesheet and the main window."""

from __future__ import annotations

import signal
import sys
from collections.abc import Sequence

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QSettings, QTimer, QTranslator
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

from huddle import __version__
from huddle.ui.main_window import MainWindow
from huddle.ui.refcount_guard import guard_refcounts
from huddle.ui.resources import app_icon, stylesheet

ORGANIZATION = APPLICATION = "Huddle"
DESKTOP_FILE = "io.github.huddle.Huddle"
"""Wayland and docks match the window to the installed ``io.github.huddle.Huddle.desktop``
(packaging/linux) by this name, which is also the AppStream id."""


def make_application(argv: Sequence[str] = ()) -> QApplication:
    """The QApplication, configured once (tests reuse pytest-qt's instance)."""
    guard_refcounts()
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication([sys.argv[0], *argv])
    QCoreApplication.setOrganizationName(ORGANIZATION)
    QCoreApplication.setApplicationName(APPLICATION)
    QCoreApplication.setApplicationVersion(__version__)
    QGuiApplication.setApplicationDisplayName(APPLICATION)
    QGuiApplication.setDesktopFileName(DESKTOP_FILE)
    app.setWindowIcon(app_icon())
    app.setStyleSheet(stylesheet())
    _install_translations(app)
    return app


def _install_translations(app: QApplication) -> None:
    """Qt's own strings (standard buttons) in the user's language, when available."""
    translator = QTranslator(app)
    path = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if translator.load(QLocale(), "qtbase", "_", path):
        app.installTranslator(translator)


def main(*, demo_peers: int = 0, self_check: bool = False) -> int:
    """Open Huddle. ``self_check`` opens the window, loads resources and exits 0."""
    app = make_application()
    window = MainWindow(QSettings(), demo_peers=demo_peers, discovery=not self_check)
    window.show()
    if not self_check:
        _close_on_signals(window)
        return app.exec()
    QTimer.singleShot(0, window.close)
    status = app.exec()
    if app_icon().isNull() or not stylesheet():
        print("huddle: the app's icon or stylesheet was not found.", file=sys.stderr)
        return 1
    print("huddle: the desktop app opened and closed cleanly.", file=sys.stderr)
    return status


def _close_on_signals(window: MainWindow) -> None:
    """Ctrl+C in the terminal, or SIGTERM at logout, closes the window properly: the
    others are told and the session's announcement is withdrawn."""
    for number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(number, lambda *_: QTimer.singleShot(0, window.close))
    # Python runs signal handlers between bytecodes only; a timer gives it the chance.
    heartbeat = QTimer(window)
    heartbeat.timeout.connect(lambda: None)
    heartbeat.start(300)
