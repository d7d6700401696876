"""Fixtures for the desktop app: windows with real engines on 127.0.0.1, settings in tmp_path."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from PySide6.QtCore import QLocale, QSettings, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from huddle.core.questions import Question
from huddle.net.link import Timeouts
from huddle.storage import DATA_DIR_ENV
from huddle.ui.app import make_application
from huddle.ui.main_window import MainWindow
from huddle.ui.privacy import PrivacyLedger

WAIT_MS = 15_000
OFFSCREEN_NOISE = r"This plugin does not support propagateSizeHints\(\)"
"""The offscreen platform cannot pass window size limits on; harmless, and not ours."""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/ui/" in item.nodeid:
            item.add_marker(pytest.mark.qt_log_ignore(OFFSCREEN_NOISE))


FAST = Timeouts(heartbeat=0.5, idle=4.0, hello=5.0, connect=3.0)


@pytest.fixture(autouse=True)
def private_settings(
    tmp_path: Path, qapp: QApplication, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    """Never touch the user's real configuration or privacy ledger; numbers formatted
    the same everywhere."""
    monkeypatch.setenv(DATA_DIR_ENV, str(tmp_path / "data"))
    for fmt in (QSettings.Format.IniFormat, QSettings.Format.NativeFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, str(tmp_path / "config"))
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    make_application()
    QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))
    yield


WindowFactory = Callable[..., MainWindow]


@pytest.fixture
def make_window(qtbot: QtBot, tmp_path: Path) -> Iterator[WindowFactory]:
    """Opens Huddle windows, each with its own Engine; all are shut down afterwards."""
    windows: list[MainWindow] = []

    def make(name: str, **options: object) -> MainWindow:
        settings = QSettings(str(tmp_path / f"{name}.ini"), QSettings.Format.IniFormat)
        settings.setValue("name", name)
        options.setdefault("discovery", False)
        options.setdefault("bind", "127.0.0.1")
        options.setdefault("timeouts", FAST)
        options.setdefault("ledger", PrivacyLedger(ledger_path(tmp_path, name)))
        window = MainWindow(settings, **options)  # type: ignore[arg-type]
        qtbot.addWidget(window)
        window.show()
        windows.append(window)
        return window

    yield make
    for window in windows:
        window.shutdown()


def ledger_path(tmp_path: Path, name: str) -> Path:
    """Where the window of ``name`` keeps its privacy ledger in a test."""
    return tmp_path / "data" / name / "ledger.json"


# --- driving the screens the way a person does ---------------------------------------


def on_page(qtbot: QtBot, window: MainWindow, page: QWidget, timeout: int = WAIT_MS) -> None:
    qtbot.waitUntil(lambda: window.current_page() is page, timeout=timeout)


def type_into(qtbot: QtBot, widget: QWidget, text: str) -> None:
    widget.setFocus()
    widget.clear()  # type: ignore[attr-defined]
    qtbot.keyClicks(widget, text)


def host(qtbot: QtBot, window: MainWindow, question: Question, *, contributes: bool = True) -> int:
    """Fill in Host setup from Home, start hosting, and return the port the lobby shows."""
    window.home.host_button.click()
    setup = window.host_setup
    on_page(qtbot, window, setup)
    type_into(qtbot, setup.title_edit, question.title)
    type_into(qtbot, setup.unit, question.unit)
    setup.decimals.setValue(question.decimals)
    type_into(qtbot, setup.lo, question.lo)
    type_into(qtbot, setup.hi, question.hi)
    setup.min_people.setValue(question.min_participants)
    setup.kind.setCurrentIndex(setup.kind.findData(question.kind))
    if question.bins:
        setup.bars.custom.setChecked(True)
        type_into(qtbot, setup.bars.edges, ", ".join(question.bins))
    if question.options:
        setup.options.setPlainText("\n".join(question.options))
    if question.is_private:
        setup.epsilon.set_value(question.epsilon_value)
        setup.robust.setValue(question.robust)
    if question.release_epsilon:
        type_into(qtbot, setup.tag, question.tag)
    setup.contributes.setChecked(contributes)
    assert setup.start_button.isEnabled()
    setup.start_button.click()
    on_page(qtbot, window, window.lobby)
    qtbot.waitUntil(lambda: re.search(r":(\d+)", window.lobby.where.text()) is not None)
    match = re.search(r":(\d+)", window.lobby.where.text())
    assert match is not None
    return int(match.group(1))


def join(qtbot: QtBot, window: MainWindow, port: int) -> None:
    """Join by address from Home and wait for the lobby."""
    type_into(qtbot, window.home.address, f"127.0.0.1:{port}")
    window.home.join_button.click()
    on_page(qtbot, window, window.lobby)


def press(page: QWidget, accessible_name: str) -> None:
    """Click the button a screen reader would announce as ``accessible_name``."""
    for candidate in page.findChildren(QPushButton):
        if candidate.accessibleName() == accessible_name and candidate.isVisible():
            candidate.click()
            return
    raise AssertionError(f"no visible button {accessible_name!r}")


def roster(window: MainWindow) -> list[str]:
    items = window.lobby.roster
    return [items.item(i).text() for i in range(items.count())]


def start_round(qtbot: QtBot, windows: list[MainWindow], question: Question) -> None:
    """Alice (the first window) hosts ``question``; the others join and are admitted;
    the round starts and every window shows the value screen."""
    alice, *others = windows
    port = host(qtbot, alice, question)
    for window in others:
        join(qtbot, window, port)
    qtbot.waitUntil(lambda: len(alice.lobby.pending_names()) == len(others))
    alice.lobby.admit_all_button.click()
    qtbot.waitUntil(lambda: len(roster(alice)) == len(windows))
    qtbot.waitUntil(alice.lobby.start_button.isEnabled)
    alice.lobby.start_button.click()
    for window in windows:
        on_page(qtbot, window, window.value)


def answer_and_wait(qtbot: QtBot, windows: list[MainWindow], values: tuple[str, ...]) -> None:
    """Each window types its value and submits it; then every window shows the result."""
    for window, value in zip(windows, values, strict=False):
        type_into(qtbot, window.value.field, value)
        window.value.submit_button.click()
    for window in windows:
        on_page(qtbot, window, window.result)


@dataclass
class Asked:
    title: str
    text: str
    buttons: list[str]
    icons: list[bool]


def answer_dialogs(yes: bool, seen: list[Asked]) -> QTimer:
    """While the returned timer runs, any message box is noted and answered: with its
    accepting button if ``yes``, else with its escape button."""

    def answer() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, QMessageBox):
            return
        buttons = dialog.buttons()
        seen.append(
            Asked(
                dialog.windowTitle(),
                dialog.text(),
                [b.text() for b in buttons],
                [not b.icon().isNull() for b in buttons],
            )
        )
        accept = QMessageBox.ButtonRole.AcceptRole
        if yes:
            next(b for b in buttons if dialog.buttonRole(b) == accept).click()
        else:
            escape = dialog.escapeButton()
            assert escape is not None
            escape.click()

    timer = QTimer()
    timer.setInterval(20)
    timer.timeout.connect(answer)
    timer.start()
    return timer
