"""A contribution that fails the check, on the desktop app's screens (issue 15).

Real sessions on 127.0.0.1. Mallory is a modified Huddle (`tests.cheats`): either
the real command line with a forged answer of 10^15 on [0, 10000], or, in this
process, a member whose app signs false checks about everyone's answer. Every
screen must say whose it was and that nothing was summed; the host is offered to
remove Mallory before running again (never a plain re-run with her first), and
that re-run, with each person's word, gives a result without her.
"""

from __future__ import annotations

import subprocess
import sys

import pytest
from pytestqt.qtbot import QtBot

from huddle.core.participant import ParticipantSession
from huddle.core.questions import Question
from huddle.net import join_engine
from huddle.net.facade import RoundAborted
from huddle.ui import stops
from huddle.ui.main_window import MainWindow
from tests.cheats import Cheat
from tests.processes import Proc, watched
from tests.ui.conftest import WindowFactory, host, join, on_page, roster, type_into

RAISE = Question(title="2026 raise", unit="EUR", lo="0", hi="10000")
REJECTED = "An answer did not pass the check"


def cheat_process(attack: str, *args: str) -> Proc:
    """The real `huddle` command line with its member replaced by the cheat ``attack``."""
    popen = subprocess.Popen(
        [sys.executable, "-m", "tests.cheats", attack, *args],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    return watched(popen)


def gather(qtbot: QtBot, maria: MainWindow, dana: MainWindow, mallory: object) -> int:
    """Maria hosts RAISE and answers too; Alice (a demo colleague, 3800), Dana and
    Mallory join and are admitted. Returns the port. ``mallory`` is a window to
    join from, or a callable given the port (a process)."""
    port = host(qtbot, maria, RAISE)
    maria.flow.demo = maria.engine.demo_peers(port, 1)
    qtbot.waitUntil(lambda: maria.lobby.pending_names() == ["Alice"])  # roster: Maria, Alice…
    join(qtbot, dana, port)
    qtbot.waitUntil(lambda: len(maria.lobby.pending_names()) == 2)  # … Dana, Mallory
    if isinstance(mallory, MainWindow):
        join(qtbot, mallory, port)
    else:
        assert callable(mallory)
        mallory(port)
    qtbot.waitUntil(lambda: len(maria.lobby.pending_names()) == 3, timeout=20_000)
    maria.lobby.admit_all_button.click()
    qtbot.waitUntil(lambda: len(roster(maria)) == 4)
    qtbot.waitUntil(maria.lobby.start_button.isEnabled)
    return port


def answer(qtbot: QtBot, window: MainWindow, value: str) -> None:
    on_page(qtbot, window, window.value)
    type_into(qtbot, window.value.field, value)
    window.value.submit_button.click()


def test_the_host_removes_the_cheat_and_the_round_runs_again_without_her(
    qtbot: QtBot, make_window: WindowFactory
) -> None:
    maria, dana = make_window("Maria"), make_window("Dana")
    processes: list[Proc] = []

    def mallory_joins(port: int) -> None:
        # --take-part-again: the cheat stays after the stop, so the host must remove her.
        args = ("--name", "Mallory", "--value", "5", "--take-part-again")
        processes.append(cheat_process("forged-answer", "join", f"127.0.0.1:{port}", *args))

    gather(qtbot, maria, dana, mallory_joins)
    (mallory,) = processes
    maria.lobby.start_button.click()
    answer(qtbot, maria, "1987")
    answer(qtbot, dana, "3000")

    on_page(qtbot, maria, maria.notice)
    notice = maria.notice
    assert notice.title.text() == REJECTED
    assert notice.reason.text() == (
        "The round was stopped: Maria's app found that Mallory's answer did not pass the "
        "check, so nothing was summed."
    )
    assert notice.advice.text() == (
        "Nothing was summed and nobody's value was revealed.\n\n"
        "The check points at Mallory's app, though the app that reported it could be the "
        "modified one instead: Huddle cannot tell which. With Mallory in it, a re-run would "
        "most likely stop the same way.\n\n"
        "Without Mallory: Maria, Alice, Dana. A re-run asks each of them before their "
        "answer goes out again."
    )
    # Never a plain "Run again" with Mallory in it; removing her comes first, on Enter.
    assert notice.button_texts() == [
        "Close session",
        "Back to lobby",
        "Remove Mallory and run again",
    ]

    on_page(qtbot, dana, dana.notice)
    assert dana.notice.title.text() == REJECTED
    assert dana.notice.reason.text() == (
        "Mallory's answer did not pass the check, so nothing was summed and nobody's value "
        "was revealed. Either Mallory's app is modified or one of the checking apps is; "
        "Huddle cannot tell which."
    )
    assert dana.notice.button_texts() == ["Leave"]

    maria.notice.click("Remove Mallory and run again")
    qtbot.waitUntil(lambda: mallory.popen.poll() is not None, timeout=20_000)
    code, out, err = mallory.finish()
    assert code == 1 and "Result" not in out, err  # removed, without a result
    qtbot.waitUntil(lambda: "Mallory" not in roster(maria))
    assert "Mallory was removed" in maria.lobby.note.text()
    # The re-run follows protocol 3: the new code, and each person's word first.
    for window in (maria, dana):
        qtbot.waitUntil(lambda w=window: "Take part again" in w.notice.button_texts())
        assert window.notice.reason.text() == (
            "The host started the round again with Maria, Alice, Dana."
        )
        code_now = window.flow.current.code  # type: ignore[union-attr]
        assert code_now and code_now in window.notice.advice.text()
        window.notice.click("Take part again")
    for window in (maria, dana):
        on_page(qtbot, window, window.result)
        assert window.result.totals.text() == "Total 8,787 EUR · 3 people"


def test_a_member_whose_answer_was_checked_falsely_is_told_who_lied(
    qtbot: QtBot, make_window: WindowFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Mallory's app (in this process) signs a false check about every answer: each
    honest app sees its own answer checked falsely and names Mallory."""

    def member(**kwargs: object) -> ParticipantSession:
        if kwargs["name"] == "Mallory":
            return Cheat(lie_about=tuple(range(256)), **kwargs)
        return ParticipantSession(**kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(join_engine, "ParticipantSession", member)
    maria, dana, mallory = make_window("Maria"), make_window("Dana"), make_window("Mallory")
    gather(qtbot, maria, dana, mallory)
    maria.lobby.start_button.click()
    for window, value in ((maria, "1987"), (dana, "3000"), (mallory, "5")):
        answer(qtbot, window, value)

    on_page(qtbot, dana, dana.notice)
    assert dana.notice.title.text() == REJECTED
    assert dana.notice.reason.text() == (
        "Mallory's app checked your answer falsely: it signed a check that your answer "
        "does not give, so Mallory's app is modified. Nothing was summed and nobody's "
        "value was revealed."
    )
    assert "asks you before your answer goes out again" in dana.notice.advice.text()
    assert dana.notice.button_texts() == ["Leave"]
    # The host's own app found the same about Maria's answer, first (in process).
    on_page(qtbot, maria, maria.notice)
    assert maria.notice.title.text() == REJECTED
    assert maria.notice.reason.text() == (
        "The round was stopped: Maria's app found that Mallory's app checked Maria's "
        "answer falsely, so nothing was summed."
    )
    assert maria.notice.button_texts()[-1] == "Remove Mallory and run again"


# --- the host's notice in the cases a session rarely reaches ---------------------------


def _choices(done: list[str]) -> stops.HostChoices:
    return stops.HostChoices(
        close=lambda: done.append("close"),
        back_to_lobby=lambda: done.append("lobby"),
        run_again=lambda: done.append("run"),
        remove_and_run_again=lambda names: done.append(f"remove {names} and run"),
        remove=lambda names: done.append(f"remove {names}"),
    )


REASON = "The round was stopped: Ann's app found that Mallory's answer did not pass the check."


def test_removing_the_suspect_would_leave_too_few_so_the_host_removes_her_and_admits_more(
    qapp: object,
) -> None:
    done: list[str] = []
    event = RoundAborted(REASON, (), True, suspects=("Mallory",))
    notice = stops.host_round_stopped(event, ("Ann", "Bo", "Mallory"), 3, _choices(done), me="Ann")
    assert notice.title == REJECTED
    assert [a.text for a in notice.actions] == ["Close session", "Back to lobby", "Remove Mallory"]
    assert notice.advice.endswith(
        "Without Mallory, fewer than 3 people would be left: remove Mallory, admit more in "
        "the lobby, then start again."
    )
    (primary,) = [a for a in notice.actions if a.primary]
    primary.slot()
    assert done == ["remove ('Mallory',)"]


def test_a_suspect_who_left_already_is_simply_left_out(qapp: object) -> None:
    event = RoundAborted(REASON, (), True, suspects=("Mallory",))
    notice = stops.host_round_stopped(event, ("Ann", "Bo", "Cy"), 3, _choices([]), me="Ann")
    assert notice.title == REJECTED
    assert notice.actions[-1].text == "Run again without Mallory" and notice.actions[-1].primary


def test_when_the_check_points_at_the_host_persons_own_app_no_re_run_is_offered_first(
    qapp: object,
) -> None:
    event = RoundAborted("The round was stopped: Bo's app found that Ann's answer…", (), True,
                         suspects=("Ann",))  # fmt: skip
    notice = stops.host_round_stopped(event, ("Ann", "Bo", "Cy"), 3, _choices([]), me="Ann")
    assert [a.text for a in notice.actions] == ["Close session", "Back to lobby"]
    assert notice.actions[-1].primary
    assert "points at your own app" in notice.advice


def test_a_stop_without_suspects_keeps_its_usual_words(qapp: object) -> None:
    event = RoundAborted("Dana left during the round.", ("Dana",), True)
    notice = stops.host_round_stopped(event, ("Ann", "Bo", "Cy"), 3, _choices([]), me="Ann")
    assert notice.title == "The round stopped"
    assert notice.actions[-1].text == "Run again without Dana"
    joiner = stops.joiner_round_stopped(event, leave=lambda: None)
    assert joiner.title == "The round stopped"
