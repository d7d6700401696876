"""Whole sessions through the desktop app, with real engines on 127.0.0.1."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from huddle.core.questions import Question
from tests.processes import start
from tests.ui.conftest import WindowFactory, host, join, on_page, press, roster, type_into

LUNCH = Question(title="Lunch budget", unit="EUR", lo="0", hi="100")


def test_gui_host_two_gui_joiners_and_a_cli_joiner_agree(
    qtbot: QtBot, make_window: WindowFactory
) -> None:
    alice, bob, carol = make_window("Alice"), make_window("Bob"), make_window("Carol")
    port = host(qtbot, alice, LUNCH)
    cli = start("join", f"127.0.0.1:{port}", "--name", "Cli", "--value", "40", "--json")
    join(qtbot, bob, port)
    join(qtbot, carol, port)
    assert "Waiting for Alice to let you in" in bob.lobby.status.text()

    qtbot.waitUntil(lambda: len(alice.lobby.pending_names()) == 3, timeout=15_000)
    assert sorted(alice.lobby.pending_names()) == ["Bob", "Carol", "Cli"]
    press(alice.lobby, "Admit Bob")
    qtbot.waitUntil(lambda: roster(alice) == ["Alice (you)", "Bob"])
    assert not alice.lobby.start_button.isEnabled()
    alice.lobby.admit_all_button.click()
    qtbot.waitUntil(lambda: len(roster(alice)) == 4)
    qtbot.waitUntil(lambda: "You're in" in carol.lobby.status.text())
    qtbot.waitUntil(lambda: sorted(roster(carol)) == ["Alice (host)", "Bob", "Carol (you)", "Cli"])
    code = alice.lobby.code.code.text()
    qtbot.waitUntil(lambda: bob.lobby.code.code.text() == code == carol.lobby.code.code.text())

    alice.lobby.start_button.click()
    for window, value in ((alice, "10"), (bob, "20"), (carol, "30")):
        on_page(qtbot, window, window.value)
        assert "With 4 people" in window.value.reveals.text()
        type_into(qtbot, window.value.field, value)
        qtbot.keyClick(window.value.field, Qt.Key.Key_Return)

    for window in (alice, bob, carol):
        on_page(qtbot, window, window.result)
        assert window.result.average.text() == "25 EUR"
        assert window.result.totals.text() == "Total 100 EUR · 4 people"
        assert code in window.result.code_hint.text()
        assert "10" not in window.windowTitle() and "Lunch budget" in window.windowTitle()
    assert alice.result.standing.text() == "Your value is 15 EUR below the average (60.0 %)."
    assert carol.result.standing.text() == "Your value is 5 EUR above the average (20.0 %)."
    cli_result = cli.result()
    assert cli_result["average_exact"] == "25"
    assert cli_result["security_code"] == code

    alice.result.copy_button.click()
    assert QApplication.clipboard().text() == (
        "Lunch budget: average 25 EUR (total 100 EUR, 4 people)"
    )
    bob.result.home_button.click()
    on_page(qtbot, bob, bob.home)
