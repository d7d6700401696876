"""What the state machines tell their driver: things to send and things that happened.

`Send` and `Drop` are instructions for the engine. Everything else is an event
for the person at the screen (GUI or CLI). Events carry names and public facts
only — never a value, a share or a key.
"""

from __future__ import annotations

from dataclasses import dataclass

from huddle.core.outcome import Outcome
from huddle.core.questions import Question


@dataclass(frozen=True, slots=True)
class Send:
    conn: int
    data: bytes


@dataclass(frozen=True, slots=True)
class Drop:
    """Close this connection; ``reason`` is for the log."""

    conn: int
    reason: str


class Event:
    """Base class of the events a person may want to see."""


@dataclass(frozen=True, slots=True)
class JoinRequested(Event):
    """Host side: someone wants in and waits for the host's decision."""

    conn: int
    name: str


@dataclass(frozen=True, slots=True)
class Welcomed(Event):
    """Joiner side: connected; this is the question; waiting to be admitted."""

    question: Question
    host_name: str


@dataclass(frozen=True, slots=True)
class RosterChanged(Event):
    """The lobby changed, or its security code is ready; ``note`` says why when worth telling.

    ``code`` is "" while the members are still exchanging the nonces it is
    made of. ``changed`` is true when a code is ready and a different one had
    been shown before: people must compare again.
    """

    names: tuple[str, ...]
    code: str
    you: int | None = None
    note: str = ""
    changed: bool = False


@dataclass(frozen=True, slots=True)
class RoundStarted(Event):
    """A round began. ``rerun`` means an earlier round of this question stopped:
    the person must say again that they take part (`ParticipantSession.take_part`)."""

    names: tuple[str, ...]
    needs_value: bool
    rerun: bool = False


@dataclass(frozen=True, slots=True)
class ProgressChanged(Event):
    """Who has published a partial sum in the running round, and who not yet."""

    summed: tuple[str, ...]
    waiting_for: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ResultReady(Event):
    """The result, and the code of the transcript every member confirmed."""

    outcome: Outcome
    code: str = ""


@dataclass(frozen=True, slots=True)
class RoundAborted(Event):
    """The round stopped. ``closed``: this person's app opened its answer's self-mask
    before the stop, so it takes part in no further round of this question."""

    reason: str
    missing: tuple[str, ...]
    can_rerun: bool
    closed: bool = False
    suspects: tuple[str, ...] = ()
    """Whose app a failed check points at: the member whose answer did not pass,
    or a checker that signed a false check. The host cannot tell an invalid
    answer from a lying checker, so a front end offers to remove them before a
    re-run and never re-runs with them on its own."""


@dataclass(frozen=True, slots=True)
class PrivacySpent(Event):
    """Participant side: a noisy partial sum is about to leave; record ε first.

    Emitted before the `Send` that carries it; engines write it to the ledger
    synchronously before they send anything that follows, so a host that
    collects partial sums and aborts still leaves the spending recorded.
    """

    epsilon: float
    question: Question


@dataclass(frozen=True, slots=True)
class SessionEnded(Event):
    """The session is over for us: closed, rejected, or broken."""

    reason: str


@dataclass(frozen=True, slots=True)
class ShareTranscript(Event):
    """Demo only: the shares this party kept and sent, and its partial sum.

    Emitted solely when a participant is created with ``transcript=True`` (the
    `huddle demo` walkthrough); real sessions never produce it.
    """

    party: str
    kept: tuple[int, ...]
    sent: tuple[tuple[str, tuple[int, ...]], ...]
    partial: tuple[int, ...] = ()


Output = Send | Drop | Event
