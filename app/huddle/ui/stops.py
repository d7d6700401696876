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
        _title(event),
        event.reason,
        advice,
        (Action(close, leave, primary=True),),
        escape=leave,
    )


def _title(event: RoundAborted) -> str:
    """A stop whose check of the answers failed says so; any other is just a stop."""
    return tr("An answer did not pass the check") if event.suspects else tr("The round stopped")


def joiner_round_stopped(event: RoundAborted, *, leave: Do) -> Notice:
    """A joiner's stopped round. After a failed check the reason names whose answer (or
    whose false check) it was; the joiner is not asked to judge it, only told that a
    re-run shows who is in it and waits for their word."""
    if event.suspects:
        advice = tr(
            "If the host runs the round again, your app shows who is in it and asks you "
            "before your answer goes out again. Stay here, or leave."
        )
    else:
        advice = (
            _nothing_revealed() + " " + tr("The host can run the round again; stay here, or leave.")
        )
    return Notice(_title(event), event.reason, advice, (Action(tr("Leave"), leave),), escape=leave)


Remove = Callable[[tuple[str, ...]], None]


@dataclass(frozen=True, slots=True)
class HostChoices:
    """What a host can do after a stop: close, go back to the lobby, run it again, or
    (after a failed check) remove whom it points at, then run again or admit more."""

    close: Do
    back_to_lobby: Do
    run_again: Do
    remove_and_run_again: Remove
    """Remove these people, then run again once the new security code is ready."""
    remove: Remove
    """Remove these people and go back to the lobby (too few would be left to run)."""


def host_round_stopped(
    event: RoundAborted,
    still_here: tuple[str, ...],
    needed: int,
    choices: HostChoices,
    *,
    me: str = "",
) -> Notice:
    """A host's stopped round: who is left, and whether it can run again without the rest.

    After a failed check (``event.suspects``) whoever it points at and is still here
    is offered for removal first: a re-run with the same modified app would only stop
    again. ``me`` is the host person, who cannot remove themselves.
    """
    here = tuple(name for name in event.suspects if name in still_here and name != me)
    if here:
        return _remove_suspects(event, here, still_here, needed, choices)
    if me in event.suspects:
        return _own_app_suspected(event, choices)
    advice = _nothing_revealed()
    gone = [n for n in dict.fromkeys((*event.missing, *event.suspects)) if n not in still_here]
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
        advice += " " + _too_few(needed)
        actions += [Action(tr("Back to lobby"), choices.back_to_lobby, primary=True)]
    return Notice(_title(event), event.reason, advice, tuple(actions), escape=choices.back_to_lobby)


def _too_few(needed: int) -> str:
    return tr(
        "Fewer than {needed} people are left: admit more in the lobby, then start again."
    ).format(needed=needed)


def _nothing_summed() -> str:
    return tr("Nothing was summed and nobody's value was revealed.")


def _remove_suspects(
    event: RoundAborted,
    here: tuple[str, ...],
    still_here: tuple[str, ...],
    needed: int,
    choices: HostChoices,
) -> Notice:
    """A failed check that points at someone still here: remove them, never run again
    with them as the first choice (the same app would fail the check again)."""
    names = ", ".join(here)
    left = tuple(name for name in still_here if name not in here)
    # Three short paragraphs, not one block: what it means, whom it points at, what next.
    advice = (
        _nothing_summed()
        + "\n\n"
        + tr(
            "The check points at {names}'s app, though the app that reported it could be "
            "the modified one instead: Huddle cannot tell which. With {names} in it, a "
            "re-run would most likely stop the same way."
        ).format(names=names)
        + "\n\n"
    )
    actions = [
        Action(tr("Close session"), choices.close),
        Action(tr("Back to lobby"), choices.back_to_lobby),
    ]
    if event.can_rerun and len(left) >= needed:
        advice += tr(
            "Without {names}: {left}. A re-run asks each of them before their answer goes "
            "out again."
        ).format(names=names, left=", ".join(left))
        remove_and_run = Action(
            tr("Remove {names} and run again").format(names=names),
            lambda: choices.remove_and_run_again(here),
            primary=True,
        )
        actions.append(remove_and_run)
    else:
        advice += tr(
            "Without {names}, fewer than {needed} people would be left: remove {names}, "
            "admit more in the lobby, then start again."
        ).format(names=names, needed=needed)
        remove = Action(
            tr("Remove {names}").format(names=names), lambda: choices.remove(here), primary=True
        )
        actions.append(remove)
    return Notice(_title(event), event.reason, advice, tuple(actions), escape=choices.back_to_lobby)


def _own_app_suspected(event: RoundAborted, choices: HostChoices) -> Notice:
    """The failed check points at the host person's own app: nothing to remove, and no
    re-run offered first (it would run with the same app)."""
    advice = (
        _nothing_summed()
        + "\n\n"
        + tr(
            "The check points at your own app, though the app that reported it could be "
            "the modified one instead: Huddle cannot tell which. If your copy of Huddle "
            "may be damaged, close the session and reinstall it."
        )
    )
    actions = (
        Action(tr("Close session"), choices.close),
        Action(tr("Back to lobby"), choices.back_to_lobby, primary=True),
    )
    return Notice(_title(event), event.reason, advice, actions, escape=choices.back_to_lobby)


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
