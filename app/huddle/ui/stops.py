"""What the notice screen says when a round runs again, stops, or the session ends.

Each function words one situation and offers its choices; `session.SessionFlow`
decides when, and what each choice does.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication

from huddle.net.facade import RoundAborted
from huddle.ui.notice import Action, Notice
from huddle.ui.session_state import Stage

Do = Callable[[], None]


def tr(text: str) -> str:
    return QCoreApplication.translate("SessionFlow", text)


def rerun_question(
    names: tuple[str, ...], code: str, *, take_part: Do, change: Do, cancel: Do
) -> Notice:
    """A re-run: the app kept the answer, but sends it only if the person says so."""
    return Notice(
        tr("The round is running again"),
        tr("The host started the round again with {names}.").format(names=", ".join(names)),
        tr(
            "Your app kept your answer from the round that stopped, and sends it "
            "only if you say so. Check that the security code on everyone's screen "
            "is {code} before you take part."
        ).format(code=code),
        (
            Action(tr("Cancel round"), cancel),
            Action(tr("Change my answer"), change),
            Action(tr("Take part again"), take_part, primary=True),
        ),
        escape=cancel,
        icon="shield",
    )


def _nothing_revealed() -> str:
    return tr("Nobody's value was revealed: the result only exists once everyone is done.")


def question_closed(event: RoundAborted, *, hosting: bool, leave: Do) -> Notice:
    """A stop after the apps began to open their answers: the question cannot run again."""
    advice = (
        _nothing_revealed()
        + " "
        + tr(
            "This question is now closed: the apps had begun to open their answers, so "
            "another round of it could be compared with this one. Ask a new question in "
            "a new session."
        )
    )
    close = tr("Close session") if hosting else tr("Leave")
    return Notice(
        tr("The round stopped"),
        event.reason,
        advice,
        (Action(close, leave, primary=True),),
        escape=leave,
    )


def joiner_round_stopped(event: RoundAborted, *, leave: Do) -> Notice:
    advice = (
        _nothing_revealed() + " " + tr("The host can run the round again; stay here, or leave.")
    )
    return Notice(
        tr("The round stopped"), event.reason, advice, (Action(tr("Leave"), leave),), escape=leave
    )


@dataclass(frozen=True, slots=True)
class HostChoices:
    """What a host can do after a stop: close, go back to the lobby, or run it again."""

    close: Do
    back_to_lobby: Do
    run_again: Do


def host_round_stopped(
    event: RoundAborted, still_here: tuple[str, ...], needed: int, choices: HostChoices
) -> Notice:
    """A host's stopped round: who is left, and whether it can run again without the rest."""
    advice = _nothing_revealed()
    gone = [name for name in event.missing if name not in still_here]
    rerun = (
        tr("Run again without {names}").format(names=", ".join(gone)) if gone else tr("Run again")
    )
    actions = [Action(tr("Close session"), choices.close)]
    if event.can_rerun:
        advice += " " + tr(
            "Still here: {names}. A re-run asks each of them before their answer goes out again."
        ).format(names=", ".join(still_here))
        actions += [Action(tr("Back to lobby"), choices.back_to_lobby)]
        actions += [Action(rerun, choices.run_again, primary=True)]
    else:
        advice += " " + tr(
            "Fewer than {needed} people are left: admit more in the lobby, then start again."
        ).format(needed=needed)
        actions += [Action(tr("Back to lobby"), choices.back_to_lobby, primary=True)]
    return Notice(
        tr("The round stopped"),
        event.reason,
        advice,
        tuple(actions),
        escape=choices.back_to_lobby,
    )


def session_ended(stage: Stage, reason: str, *, home: Do) -> Notice:
    """The session ended at ``stage`` (not while connecting, nor after the result)."""
    if stage is Stage.WAITING:
        title = tr("You could not join")
        advice = tr("Check with the host, then join again from Home.")
    else:
        title = tr("The session has ended")
        advice = tr("Ask the host to open a new session, then join it from Home.")
        if stage in (Stage.ROUND, Stage.STOPPED):
            advice = (
                tr("The round stopped before the result, so nobody's value was revealed.")
                + " "
                + advice
            )
    back = Action(tr("Back to Home"), home, primary=True)
    return Notice(title, reason, advice, (back,), escape=home, icon="stopped")
