"""Whole sessions through the desktop app, with real engines on 127.0.0.1."""

from __future__ import annotations

import logging

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from huddle.core.questions import Question
from huddle.ui.main_window import MainWindow
from tests.processes import start
from tests.ui.conftest import Asked, WindowFactory, host, join, on_page, press, roster, type_into
from tests.ui.conftest import answer_dialogs as ask_and_refuse

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
    # Each new roster's code is ready once the apps exchanged its nonces (milliseconds).
    qtbot.waitUntil(lambda: bool(alice.flow.current and alice.flow.current.code))
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
        # The result's code is made from the round's transcript: the same everywhere.
        assert window.result.code_hint.text() == alice.result.code_hint.text()
        assert "10" not in window.windowTitle() and "Lunch budget" in window.windowTitle()
    assert alice.result.standing.text() == "Your value is 15 EUR below the average (60.0 %)."
    assert carol.result.standing.text() == "Your value is 5 EUR above the average (20.0 %)."
    cli_result = cli.result()
    assert cli_result["average_exact"] == "25"
    assert cli_result["security_code"] == code
    assert cli_result["result_code"] in alice.result.code_hint.text()

    alice.result.copy_button.click()
    assert QApplication.clipboard().text() == (
        "Lunch budget: average 25 EUR (total 100 EUR, 4 people)"
    )
    bob.result.home_button.click()
    on_page(qtbot, bob, bob.home)


RAISE = Question(title="2026 raise", unit="EUR", lo="0", hi="10000")


def test_lobby_start_button_follows_the_minimum(qtbot: QtBot, make_window: WindowFactory) -> None:
    alice, bob, carol = make_window("Alice"), make_window("Bob"), make_window("Carol")
    port = host(qtbot, alice, LUNCH)
    start_button = alice.lobby.start_button
    assert not start_button.isEnabled()
    assert alice.lobby.status.text() == (
        "1 of at least 3 people are in. Admit colleagues as they ask to join."
    )
    join(qtbot, bob, port)
    qtbot.waitUntil(lambda: alice.lobby.pending_names() == ["Bob"])
    assert not start_button.isEnabled()  # asking is not being in
    press(alice.lobby, "Admit Bob")
    qtbot.waitUntil(lambda: len(roster(alice)) == 2)
    assert not start_button.isEnabled()
    join(qtbot, carol, port)
    qtbot.waitUntil(lambda: alice.lobby.pending_names() == ["Carol"])
    press(alice.lobby, "Admit Carol")
    qtbot.waitUntil(start_button.isEnabled)
    assert alice.lobby.status.text() == "Enough people are in. Compare the code aloud, then start."

    qtbot.keyClick(carol.lobby, Qt.Key.Key_Escape)  # Esc leaves
    on_page(qtbot, carol, carol.home)
    qtbot.waitUntil(lambda: not start_button.isEnabled())
    assert alice.lobby.note.text() == "Carol left. The security code changed: compare it again."
    assert roster(alice) == ["Alice (you)", "Bob"]


def test_error_screen_when_the_host_disappears_mid_round(
    qtbot: QtBot, make_window: WindowFactory
) -> None:
    maria, dana = make_window("Maria"), make_window("Dana")
    port = host(qtbot, maria, RAISE, contributes=False)
    maria.flow.demo = maria.engine.demo_peers(port, 2)
    join(qtbot, dana, port)
    qtbot.waitUntil(lambda: len(maria.lobby.pending_names()) == 3)
    maria.lobby.admit_all_button.click()
    qtbot.waitUntil(maria.lobby.start_button.isEnabled)
    qtbot.waitUntil(lambda: len(roster(maria)) == 3)
    maria.lobby.start_button.click()
    on_page(qtbot, maria, maria.progress)  # a coordinator waits for the others
    on_page(qtbot, dana, dana.value)
    qtbot.waitUntil(lambda: maria.progress.cell("Dana", 1) == "Waiting")
    type_into(qtbot, dana.value.field, "3100")  # typed, not yet submitted

    maria.close()  # the host quits the app mid-round
    on_page(qtbot, dana, dana.notice)
    assert dana.notice.title.text() == "The session has ended"
    assert dana.notice.reason.text() == "The host closed the session."
    assert "nobody's value was revealed" in dana.notice.advice.text()
    assert dana.value.field.text() == ""  # what was typed is gone
    assert dana.notice.button_texts() == ["Back to Home"]
    qtbot.keyClick(dana.notice, Qt.Key.Key_Return)
    on_page(qtbot, dana, dana.home)
    assert dana.windowTitle() == "Huddle"


def test_run_again_without_the_one_who_left(
    qtbot: QtBot, make_window: WindowFactory, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    maria, dana = make_window("Maria"), make_window("Dana")
    port = host(qtbot, maria, RAISE)
    maria.flow.demo = maria.engine.demo_peers(port, 2)  # Alice 3800, Bob 2514
    qtbot.waitUntil(lambda: len(maria.lobby.pending_names()) == 2)
    join(qtbot, dana, port)
    qtbot.waitUntil(lambda: len(maria.lobby.pending_names()) == 3)
    maria.lobby.admit_all_button.click()
    qtbot.waitUntil(lambda: len(roster(maria)) == 4)
    maria.lobby.start_button.click()
    on_page(qtbot, maria, maria.value)
    type_into(qtbot, maria.value.field, "1987")
    maria.value.submit_button.click()
    on_page(qtbot, maria, maria.progress)
    on_page(qtbot, dana, dana.value)

    dana.close()  # Dana quits before sending anything
    on_page(qtbot, maria, maria.notice)
    assert maria.notice.reason.text() == "Dana left during the round."
    assert "Run again without Dana" in maria.notice.button_texts()
    assert "Still here: Maria, Alice, Bob." in maria.notice.advice.text()
    maria.notice.click("Run again without Dana")
    # Maria's value was kept, but her app sends it only when she says so.
    qtbot.waitUntil(lambda: "Take part again" in maria.notice.button_texts())
    maria.notice.click("Take part again")
    on_page(qtbot, maria, maria.result)  # fresh shares
    assert maria.result.totals.text() == "Total 8,301 EUR · 3 people"
    assert maria.result.average.text() == "2,767 EUR"
    assert maria.result.standing.text() == "Your value is 780 EUR below the average (28.2 %)."
    assert "1987" not in caplog.text and "1987" not in maria.windowTitle()


def answer_dialogs(button: QMessageBox.StandardButton, seen: list[str]) -> QTimer:
    """While the returned timer runs, any message box is noted and answered with ``button``."""

    def answer() -> None:
        dialog = QApplication.activeModalWidget()
        if isinstance(dialog, QMessageBox):
            seen.append(dialog.text())
            dialog.button(button).click()

    timer = QTimer()
    timer.setInterval(20)
    timer.timeout.connect(answer)
    timer.start()
    return timer


def lobby_of_two(qtbot: QtBot, make_window: WindowFactory) -> tuple[MainWindow, MainWindow]:
    """Alice hosts; Bob joins and is admitted; both are in the lobby."""
    alice, bob = make_window("Alice"), make_window("Bob")
    port = host(qtbot, alice, Question(title="Raise", hi="10000"))
    join(qtbot, bob, port)
    qtbot.waitUntil(lambda: len(alice.lobby.pending_names()) == 1)
    alice.lobby.admit_all_button.click()
    qtbot.waitUntil(lambda: len(roster(alice)) == 2)
    return alice, bob


def test_a_host_is_asked_before_sending_people_home(
    qtbot: QtBot, make_window: WindowFactory
) -> None:
    alice, bob = lobby_of_two(qtbot, make_window)
    assert bob.flow.may_end_session(), "a joiner just leaves"

    seen: list[str] = []
    answering = answer_dialogs(QMessageBox.StandardButton.Cancel, seen)
    assert not alice.flow.may_end_session()
    answering.stop()
    assert seen == ["Close the session? Everyone in the lobby will be sent home."]
    assert alice.current_page() is alice.lobby and bob.current_page() is bob.lobby

    answering = answer_dialogs(QMessageBox.StandardButton.Close, seen)
    assert alice.flow.may_end_session()
    answering.stop()
    assert len(seen) == 2


def test_closing_the_window_from_code_does_not_ask(
    qtbot: QtBot, make_window: WindowFactory
) -> None:
    """A close from a signal (logout) or from code must never wait on a dialog."""
    alice, bob = lobby_of_two(qtbot, make_window)
    asked: list[str] = []
    answering = answer_dialogs(QMessageBox.StandardButton.Close, asked)  # a wrong ask cannot hang
    alice.close()
    answering.stop()
    assert asked == []
    assert not alice.isVisible()
    qtbot.waitUntil(lambda: bob.current_page() is not bob.lobby)


def test_a_joiner_is_asked_before_its_kept_answer_goes_out_again(
    qtbot: QtBot, make_window: WindowFactory
) -> None:
    """Protocol 3: a re-run is never automatic. A desktop-app joiner whose round
    stopped is asked, with the new code to compare, before its answer is sent."""
    maria, dana, eve = make_window("Maria"), make_window("Dana"), make_window("Eve")
    port = host(qtbot, maria, RAISE, contributes=False)
    maria.flow.demo = maria.engine.demo_peers(port, 2)  # Alice 3800, Bob 2514
    join(qtbot, dana, port)
    join(qtbot, eve, port)
    qtbot.waitUntil(lambda: len(maria.lobby.pending_names()) == 4)
    maria.lobby.admit_all_button.click()
    qtbot.waitUntil(lambda: len(roster(maria)) == 4)
    maria.lobby.start_button.click()
    on_page(qtbot, dana, dana.value)
    type_into(qtbot, dana.value.field, "3000")
    dana.value.submit_button.click()
    on_page(qtbot, dana, dana.progress)
    on_page(qtbot, eve, eve.value)
    eve.flow.current.handle.leave()  # type: ignore[union-attr]  # Eve goes before answering
    on_page(qtbot, dana, dana.notice)
    assert dana.notice.reason.text() == "Eve left during the round."
    on_page(qtbot, maria, maria.notice)
    maria.notice.click("Run again without Eve")
    qtbot.waitUntil(lambda: "Take part again" in dana.notice.button_texts())
    assert dana.notice.title.text() == "The round is running again"
    code = dana.flow.current.code  # type: ignore[union-attr]
    assert code and code in dana.notice.advice.text()
    assert dana.current_page() is dana.notice  # nothing went out yet: no result can come
    asked: list[Asked] = []
    answering = ask_and_refuse(False, asked)  # "Cancel round" here stops it for all: asks
    dana.notice.click("Cancel round")
    qtbot.waitUntil(lambda: bool(asked))
    answering.stop()
    assert asked[0].title == "Cancel the round?" and dana.current_page() is dana.notice
    dana.notice.click("Take part again")
    on_page(qtbot, dana, dana.result)
    on_page(qtbot, maria, maria.result)
    assert dana.result.totals.text() == maria.result.totals.text() == ("Total 9,314 EUR · 3 people")


def test_a_stop_after_the_masks_opened_closes_the_question_on_every_screen(
    qtbot: QtBot, make_window: WindowFactory
) -> None:
    """Someone leaving while the apps open their masks closes the question: no screen
    offers a re-run or says the host can run it again."""
    maria, dana = make_window("Maria"), make_window("Dana")
    port = host(qtbot, maria, RAISE, contributes=False)
    maria.flow.demo = maria.engine.demo_peers(port, 2)  # Alice 3800, Bob 2514
    join(qtbot, dana, port)
    qtbot.waitUntil(lambda: len(maria.lobby.pending_names()) == 3)
    maria.lobby.admit_all_button.click()
    qtbot.waitUntil(lambda: len(roster(maria)) == 3)
    handle = maria.flow.current.handle  # type: ignore[union-attr]
    session = handle.engine.session  # type: ignore[union-attr]
    real_unmask = session._unmask

    def alice_leaves_while_masks_open(rnd, member, msg):  # type: ignore[no-untyped-def]
        out = real_unmask(rnd, member, msg)
        alice = next(
            cid for cid, c in session._conns.items() if c.member and c.member.name == "Alice"
        )
        return out + session.connection_lost(alice, "gone")

    session._unmask = alice_leaves_while_masks_open  # type: ignore[method-assign]
    maria.lobby.start_button.click()
    on_page(qtbot, dana, dana.value)
    type_into(qtbot, dana.value.field, "3000")
    dana.value.submit_button.click()
    for window in (maria, dana):
        on_page(qtbot, window, window.notice)
        assert "closed" in window.notice.advice.text()
        assert not any(t.startswith("Run again") for t in window.notice.button_texts())
        assert "can run the round again" not in window.notice.advice.text()
    assert "Close session" in maria.notice.button_texts()
