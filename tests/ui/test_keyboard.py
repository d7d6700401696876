"""Keyboard use on every screen (issue 17, item 3), and the questions asked before
something that stops a round for everyone.

Windows are made active before keys are pressed: shortcuts and Alt+letters only
reach the active window, as for a person at the keyboard.
"""

from __future__ import annotations

from collections import Counter

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QLabel,
    QMessageBox,
    QProxyStyle,
    QStyle,
    QWidget,
)
from pytestqt.qtbot import QtBot

from huddle.core import options
from huddle.core.questions import CHOICE, POLL, VOTE, Question
from huddle.ui.app import make_application
from huddle.ui.main_window import MainWindow
from huddle.ui.widgets import mnemonic_of
from tests.ui.conftest import (
    Asked,
    WindowFactory,
    answer_dialogs,
    host,
    join,
    on_page,
    roster,
    start_round,
)

DAYS = ("Monday", "Tuesday", "Wednesday")
RAISE = Question(title="Raise", unit="EUR", lo="0", hi="10000")


def ballot(kind: str) -> Question:
    lo, hi = options.value_range(len(DAYS))
    epsilon = "1" if kind == CHOICE else ""
    return Question(
        kind=kind,
        title="Team day",
        options=DAYS if kind != POLL else (),
        lo=lo if kind != POLL else "0",
        hi=hi if kind != POLL else "1",
        epsilon=epsilon,
    )


def activate(qtbot: QtBot, window: MainWindow) -> None:
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)


def focused() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None
    return widget


def tab(qtbot: QtBot) -> QWidget:
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    return focused()


# --- Alt+letters --------------------------------------------------------------------------


def mnemonics(page: QWidget) -> Counter[str]:
    widgets = page.findChildren(QLabel) + page.findChildren(QAbstractButton)
    return Counter(m for w in widgets if w.isVisibleTo(page) and (m := mnemonic_of(w.text())))


def test_no_alt_letter_is_used_twice_on_a_page(make_window: WindowFactory) -> None:
    window = make_window("Alice")
    setup = window.host_setup
    for index in range(setup.kind.count()):  # every kind shows its own rows
        setup.kind.setCurrentIndex(index)
        window.show_page(setup)
        twice = [m for m, n in mnemonics(setup).items() if n > 1]
        assert twice == [], f"{setup.kind.currentText()}: Alt+{twice} twice"
    for page in window._pages():
        window.show_page(page)
        assert [m for m, n in mnemonics(page).items() if n > 1] == []


# --- the notice after a session ends ----------------------------------------------------


def ended_for_bob(qtbot: QtBot, make_window: WindowFactory) -> MainWindow:
    """Alice hosts, Bob is admitted, Alice closes: Bob sees "The session has ended"."""
    alice, bob = make_window("Alice"), make_window("Bob")
    port = host(qtbot, alice, RAISE)
    join(qtbot, bob, port)
    qtbot.waitUntil(lambda: len(alice.lobby.pending_names()) == 1)
    alice.lobby.admit_all_button.click()
    qtbot.waitUntil(lambda: len(roster(bob)) == 2)
    alice.flow.go_home()
    on_page(qtbot, bob, bob.notice)
    assert bob.notice.title.text() == "The session has ended"
    activate(qtbot, bob)
    return bob


@pytest.mark.parametrize(
    "keys",
    [
        [(Qt.Key.Key_Return, Qt.KeyboardModifier.NoModifier)],
        [(Qt.Key.Key_H, Qt.KeyboardModifier.AltModifier)],
        [
            (Qt.Key.Key_Tab, Qt.KeyboardModifier.NoModifier),
            (Qt.Key.Key_Return, Qt.KeyboardModifier.NoModifier),
        ],
    ],
    ids=["Enter", "Alt+H", "Tab Enter"],
)
def test_the_session_ended_notice_goes_home_from_the_keyboard(
    qtbot: QtBot, make_window: WindowFactory, keys: list[tuple[Qt.Key, Qt.KeyboardModifier]]
) -> None:
    bob = ended_for_bob(qtbot, make_window)
    assert focused().isVisible() and focused().accessibleName() == "Back to Home"
    assert bob.notice.button_texts() == ["Back to Home"]
    for key, modifier in keys:
        qtbot.keyClick(focused(), key, modifier)
    on_page(qtbot, bob, bob.home, timeout=2000)


# --- value screens ---------------------------------------------------------------------


def ask(qtbot: QtBot, window: MainWindow, question: Question) -> None:
    window.value.ask(question, ("Alice", "Bob", "Carol"), "Bob", "1234 5678 9012 3456")
    window.show_page(window.value)
    activate(qtbot, window)


@pytest.mark.parametrize("kind", [VOTE, CHOICE, POLL])
def test_a_ballot_is_answered_with_the_keyboard(
    qtbot: QtBot, make_window: WindowFactory, kind: str
) -> None:
    window = make_window("Bob")
    ask(qtbot, window, ballot(kind))
    page = window.value
    first, second = page.group.button(0), page.group.button(1)
    assert focused() is first and first.isVisible()  # something visible has the focus
    # ...and shows it: Qt draws the focus ring only while this is set.
    qtbot.waitUntil(lambda: window.testAttribute(Qt.WidgetAttribute.WA_KeyboardFocusChange))
    if kind == CHOICE:  # check boxes: a Tab stop each
        assert [tab(qtbot) for _ in DAYS[1:]] == page.group.buttons()[1:]
    assert tab(qtbot) is page.cancel_button  # nothing ticked: Submit is off, and skipped

    caption = mnemonic_of(page.caption.text())
    qtbot.keyClick(focused(), Qt.Key(ord(caption.upper())), Qt.KeyboardModifier.AltModifier)
    assert focused() is first
    assert not any(b.isChecked() for b in page.group.buttons()), "Alt+letter ticked an option"

    if kind == CHOICE:  # check boxes: a Tab stop each
        qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    else:  # radio buttons: one Tab stop, and the arrow keys move between them
        qtbot.keyClick(focused(), Qt.Key.Key_Down)
    assert focused() is second
    qtbot.keyClick(focused(), Qt.Key.Key_Space)
    assert second.isChecked()
    if kind == CHOICE:
        assert [tab(qtbot) for _ in DAYS[2:]] == page.group.buttons()[2:]
    assert tab(qtbot) is page.submit_button  # inputs, then the primary, then the rest
    assert tab(qtbot) is page.cancel_button
    page.group.button(1).setFocus()
    with qtbot.waitSignal(page.submitted, timeout=1000) as submitted:
        qtbot.keyClick(focused(), Qt.Key.Key_Return)  # Enter submits, as on a number
    assert submitted.args == ["no" if kind == POLL else "2"]


def test_tab_goes_from_the_inputs_to_the_primary_button_first(
    qtbot: QtBot, make_window: WindowFactory
) -> None:
    window = make_window("Bob")
    ask(qtbot, window, RAISE)
    assert focused() is window.value.field
    qtbot.keyClicks(window.value.field, "1,200")
    assert tab(qtbot) is window.value.submit_button
    assert tab(qtbot) is window.value.cancel_button

    window.show_page(window.host_setup)
    setup = window.host_setup
    assert focused() is setup.title_edit
    setup.title_edit.setText("Hours of sleep")
    setup.contributes.setFocus()  # the last input
    assert tab(qtbot) is setup.start_button
    assert tab(qtbot) is setup.back_button


def test_enter_in_the_lobby_starts_the_round_once_it_can(
    qtbot: QtBot, make_window: WindowFactory
) -> None:
    alice, bob, carol = make_window("Alice"), make_window("Bob"), make_window("Carol")
    port = host(qtbot, alice, RAISE)
    activate(qtbot, alice)
    qtbot.keyClick(focused(), Qt.Key.Key_Return)  # alone: Start is off, nothing happens
    assert alice.current_page() is alice.lobby
    for window in (bob, carol):
        join(qtbot, window, port)
    qtbot.waitUntil(lambda: len(alice.lobby.pending_names()) == 2)
    alice.lobby.admit_all_button.click()
    qtbot.waitUntil(alice.lobby.start_button.isEnabled)
    activate(qtbot, alice)
    alice.lobby.roster.setFocus()
    qtbot.keyClick(focused(), Qt.Key.Key_Return)
    for window in (alice, bob, carol):
        on_page(qtbot, window, window.value)


# --- asking before a round stops for everyone ------------------------------------------


def test_cancelling_a_round_asks_first(qtbot: QtBot, make_window: WindowFactory) -> None:
    window = make_window("Bob")
    ask(qtbot, window, RAISE)
    page, seen = window.value, list[Asked]()
    answering = answer_dialogs(False, seen)
    with qtbot.assertNotEmitted(page.cancel, wait=100):
        page.cancel_button.click()
        activate(qtbot, window)  # the question box was the active window
        qtbot.keyClick(page.field, Qt.Key.Key_Escape)
    answering.stop()
    assert [a.title for a in seen] == ["Cancel the round?"] * 2
    assert seen[0].buttons == ["Cancel round", "Keep going"]
    assert seen[0].icons == [False, False]

    answering = answer_dialogs(True, seen)
    with qtbot.waitSignal(page.cancel, timeout=2000):
        page.cancel_button.click()
    window.show_page(window.progress)
    activate(qtbot, window)
    with qtbot.waitSignal(window.progress.cancel, timeout=2000):
        qtbot.keyClick(window.progress.cancel_button, Qt.Key.Key_Escape)
    answering.stop()
    assert len(seen) == 4


def test_leaving_mid_round_asks_the_host_and_the_others(
    qtbot: QtBot, make_window: WindowFactory
) -> None:
    alice, bob, carol = make_window("Alice"), make_window("Bob"), make_window("Carol")
    start_round(qtbot, [alice, bob, carol], RAISE)
    seen: list[Asked] = []
    answering = answer_dialogs(False, seen)
    assert not alice.may_close()
    assert not bob.may_close()
    answering.stop()
    host_ask, joiner_ask = seen
    assert host_ask.title == "Close the session?"
    assert "lobby" not in host_ask.text and "The round stops" in host_ask.text
    assert host_ask.buttons == ["Close session", "Keep hosting"]
    assert joiner_ask.title == "Leave the round?"
    assert joiner_ask.buttons == ["Leave", "Stay"]
    assert not any(host_ask.icons + joiner_ask.icons)
    assert all(w.current_page() is w.value for w in (alice, bob, carol))

    answering = answer_dialogs(True, seen)
    assert bob.may_close()
    answering.stop()


class _IconButtons(QProxyStyle):
    """A theme that puts icons on dialog buttons (an X on both Close and Cancel)."""

    def styleHint(self, hint: QStyle.StyleHint, *args: object) -> int:
        if hint == QStyle.StyleHint.SH_DialogButtonBox_ButtonsHaveIcons:
            return 1
        return int(super().styleHint(hint, *args))  # type: ignore[arg-type]


def test_question_buttons_have_words_and_no_icons_in_any_theme(qapp: QApplication) -> None:
    """The lobby's Close session / Cancel question uses Qt's standard buttons; some
    themes draw the same X icon on both, which the stylesheet turns off."""
    original = qapp.style().name()
    qapp.setStyle(_IconButtons(original))
    try:
        make_application()  # the stylesheet, over the theme
        box = QMessageBox()
        box.setStandardButtons(QMessageBox.StandardButton.Close | QMessageBox.StandardButton.Cancel)
        assert [b.icon().isNull() for b in box.buttons()] == [True, True]
    finally:
        qapp.setStyle(original)
        make_application()
