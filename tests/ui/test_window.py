"""The window as a whole: settings, keyboard-only use, demo mode, start-up."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import QSettings, QSize, Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from huddle.ui.main_window import MainWindow
from huddle.ui.refcount_guard import guard_refcounts, has_refcount_bug
from tests.ui.conftest import FAST, WindowFactory, on_page, roster


def test_name_and_window_size_are_remembered(qtbot: QtBot, tmp_path: Path) -> None:
    path = str(tmp_path / "remember.ini")
    first = MainWindow(QSettings(path, QSettings.Format.IniFormat), discovery=False)
    qtbot.addWidget(first)
    first.show()
    first.home.name.setText("Zoë Λ. Okafor")
    first.resize(QSize(640, 600))
    first.close()

    again = MainWindow(QSettings(path, QSettings.Format.IniFormat), discovery=False)
    qtbot.addWidget(again)
    again.show()
    assert again.home.name.text() == "Zoë Λ. Okafor"
    assert again.size() == QSize(640, 600)
    again.close()
    assert not (Path.home() / ".config" / "Huddle" / "remember.ini").exists()


def focus(qtbot: QtBot, window: MainWindow) -> None:
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)


def test_hosting_with_the_keyboard_only(qtbot: QtBot, make_window: WindowFactory) -> None:
    window = make_window("Keyboard")
    focus(qtbot, window)
    assert QApplication.focusWidget() is window.home.name
    tabbed = []
    for _ in range(3):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        tabbed.append(QApplication.focusWidget())
    home = window.home
    # The empty list is not shown and "Join selected session" is disabled: both skipped.
    assert tabbed == [home.address, home.join_button, home.host_button]

    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_H, Qt.KeyboardModifier.AltModifier)
    on_page(qtbot, window, window.host_setup)
    assert QApplication.focusWidget() is window.host_setup.title_edit
    qtbot.keyClick(window.host_setup.title_edit, Qt.Key.Key_Escape)  # Esc goes back
    on_page(qtbot, window, home)
    home.host_button.setFocus()
    qtbot.keyClick(home.host_button, Qt.Key.Key_Space)
    on_page(qtbot, window, window.host_setup)
    qtbot.keyClicks(window.host_setup.title_edit, "Minutes of commute")
    qtbot.keyClick(window.host_setup.title_edit, Qt.Key.Key_Return)  # Enter starts hosting
    on_page(qtbot, window, window.lobby)
    assert window.windowTitle() == "Minutes of commute — Huddle"
    qtbot.waitUntil(lambda: roster(window) == ["Keyboard (you)"])
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Escape)  # alone: leaves at once
    on_page(qtbot, window, home)
    assert window.windowTitle() == "Huddle"


def test_demo_mode_walks_through_a_whole_session(qtbot: QtBot, make_window: WindowFactory) -> None:
    window = make_window("Maria", demo_peers=3)
    assert window.current_page() is window.host_setup
    assert window.host_setup.title_edit.text() == "What was your 2026 raise?"
    window.host_setup.start_button.click()
    on_page(qtbot, window, window.lobby)
    qtbot.waitUntil(lambda: window.lobby.note.text().startswith("Demo: 3 sample colleagues"))
    qtbot.waitUntil(lambda: sorted(window.lobby.pending_names()) == ["Alice", "Bob", "Carlos"])
    window.lobby.admit_all_button.click()
    qtbot.waitUntil(window.lobby.start_button.isEnabled)
    qtbot.waitUntil(lambda: len(roster(window)) == 4)
    window.lobby.start_button.click()
    on_page(qtbot, window, window.value)
    window.value.field.setText("3000")
    window.value.submit_button.click()
    on_page(qtbot, window, window.result)
    assert window.result.average.text() == "3,074 EUR"  # (3000 + 3800 + 2514 + 2982) / 4
    assert window.result.totals.text() == "Total 12,296 EUR · 4 people"


def test_self_check_opens_and_closes(tmp_path: Path) -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_CONFIG_HOME=str(tmp_path))
    done = subprocess.run(
        [sys.executable, "-m", "huddle", "--self-check"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "opened and closed cleanly" in done.stderr


def test_opening_the_window_leaves_the_chart_library_unloaded(tmp_path: Path) -> None:
    """pyqtgraph takes about a quarter of a second to load: only a result with a
    chart needs it, so the window opens without it."""
    script = (
        "import sys\n"
        "from PySide6.QtCore import QSettings\n"
        "from huddle.ui.app import make_application\n"
        "from huddle.ui.main_window import MainWindow\n"
        "app = make_application()\n"
        "window = MainWindow(QSettings(), discovery=False)\n"
        "window.show()\n"
        "app.processEvents()\n"
        "print('pyqtgraph' in sys.modules)\n"
        "window.shutdown()\n"
    )
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_CONFIG_HOME=str(tmp_path))
    done = subprocess.run(
        [sys.executable, "-c", script],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert done.stdout.split() == ["False"], done.stderr


def test_refcount_guard_keeps_none_alive() -> None:
    guard_refcounts()
    if has_refcount_bug():  # this PySide6 drops references: the guard must be on
        assert sys.getrefcount(None) > 1 << 39


def test_window_uses_fast_timeouts_in_tests() -> None:
    assert FAST.idle < 5  # keeps the failure tests quick
