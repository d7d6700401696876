"""The session on screen: where it stands, and what the app remembers of it.

The stage is moved only by the door's events (`next_stage`), so it cannot
drift from what the engine reported; the screens read it to choose their
words (leaving a round, a session that ended before or after the result).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from decimal import Decimal

from huddle.net.facade import (
    Event,
    Question,
    Response,
    ResultReady,
    RosterChanged,
    RoundAborted,
    RoundStarted,
    Welcomed,
)
from huddle.ui.engine import HostHandle, JoinHandle


class Stage(enum.StrEnum):
    """Where the session on screen stands (a `str`, for `texts.leave_ask`)."""

    CONNECTING = "connecting"
    """Joining: the host has not answered yet."""
    WAITING = "waiting"
    """Joined: the question is known; the host has not admitted us yet."""
    LOBBY = "lobby"
    """In the roster (a host starts here), comparing the security code."""
    ROUND = "round"
    STOPPED = "stopped"
    """A round stopped; the host may run it again."""
    DONE = "done"
    """The result is on screen."""


_AFTER: dict[type[Event], Stage] = {
    Welcomed: Stage.WAITING,
    RoundStarted: Stage.ROUND,
    RoundAborted: Stage.STOPPED,
    ResultReady: Stage.DONE,
}


def next_stage(stage: Stage, event: Event) -> Stage:
    """The stage after ``event``: a roster that names us admits us from the waiting
    room; the other events above move any stage; everything else leaves it be."""
    if isinstance(event, RosterChanged):
        admitted = stage is Stage.WAITING and event.you is not None
        return Stage.LOBBY if admitted else stage
    return _AFTER.get(type(event), stage)


@dataclass
class Current:
    """The session on screen. ``mine`` (your own value) lives only until you leave."""

    handle: HostHandle | JoinHandle
    me: str
    question: Question | None = None
    host_name: str = ""
    stage: Stage = Stage.CONNECTING
    names: tuple[str, ...] = ()
    code: str = ""
    mine: Decimal | None = None
    progress: tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]] = ((), (), ())
    ledger_note: str = ""
    """What the privacy ledger said when ε was last written to it (before sending)."""
    sent: Response | None = None
    """A poll: what this person's app did with their answer (their screen only)."""
    pinned: bool = True
    """False when joined by a bare address: only the security code vouches for the host."""

    @property
    def hosting(self) -> bool:
        return isinstance(self.handle, HostHandle)
