"""The session's stage on screen moves only with the door's events, as the table says."""

from __future__ import annotations

import pytest

from huddle.net.facade import (
    Event,
    JoinRequested,
    Outcome,
    ProgressChanged,
    Question,
    ResultReady,
    RosterChanged,
    RoundAborted,
    RoundStarted,
    SessionEnded,
    Welcomed,
)
from huddle.ui import texts
from huddle.ui.session_state import Stage, next_stage

Q = Question(title="Raise", lo="0", hi="100")
NAMES = ("Ann", "Ben", "Cat")


def admitted(you: int | None) -> RosterChanged:
    return RosterChanged(NAMES, "1234 5678", you)


@pytest.mark.parametrize(
    ("before", "event", "after"),
    [
        (Stage.CONNECTING, Welcomed(Q, "Ann"), Stage.WAITING),
        (Stage.WAITING, admitted(None), Stage.WAITING),  # someone else came in
        (Stage.WAITING, admitted(2), Stage.LOBBY),
        (Stage.LOBBY, admitted(2), Stage.LOBBY),
        (Stage.STOPPED, admitted(2), Stage.STOPPED),  # a roster after a stop is no re-entry
        (Stage.LOBBY, RoundStarted(NAMES, needs_value=True), Stage.ROUND),
        (Stage.STOPPED, RoundStarted(NAMES, needs_value=False, rerun=True), Stage.ROUND),
        (Stage.ROUND, RoundAborted("Cat left.", ("Cat",), can_rerun=False), Stage.STOPPED),
        (Stage.ROUND, ResultReady(Outcome(Q, 3, (150,))), Stage.DONE),
        (Stage.ROUND, ProgressChanged(("Ann",), ("Ben", "Cat")), Stage.ROUND),
        (Stage.LOBBY, JoinRequested(4, "Dan"), Stage.LOBBY),
        (Stage.WAITING, SessionEnded("The host did not admit you."), Stage.WAITING),
    ],
)
def test_each_event_moves_the_stage_as_the_table_says(
    before: Stage, event: Event, after: Stage
) -> None:
    assert next_stage(before, event) is after


def test_the_screens_read_the_stage_as_the_words_they_choose() -> None:
    """`texts.leave_ask` picks its question by stage name: a joiner leaving a round is
    asked, one in the lobby is not."""
    assert texts.leave_ask(hosting=False, stage=Stage.ROUND, people=3) is not None
    assert texts.leave_ask(hosting=False, stage=Stage.LOBBY, people=3) is None
    assert texts.leave_ask(hosting=True, stage=Stage.DONE, people=3) is None
