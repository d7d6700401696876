"""The one door to the network, for both front ends.

Whatever the command line or the desktop app does with the network goes
through here: host a session (`Hosting`), join one (`Joining`), watch the LAN
for sessions (`Browser`), check that a listed one still answers (`probe`).
Everything runs on one asyncio loop, and events reach the ``on_event``
callback given, on that loop. The command line runs the door on its own loop
(`asyncio.run`); the desktop app runs it on an engine thread of its own
(`huddle.ui.engine`), because Qt's event loop cannot run asyncio sockets or
python-zeroconf.

The front ends take the records the door hands out from here too (the
question, the events, an outcome, an invite, a session found on the LAN), so
neither needs to know which module below defines them. What they only read
about questions (the kinds' registry, setup limits, an answer's problems, a
result's `Summary`) is in the door's other half, `huddle.net.records`.

Discovery loads zeroconf, which a command that does not use it need not pay
for: `Browser` and announcing are imported on first use.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from huddle.core import answers
from huddle.core import randomized_response as rr
from huddle.core.answers import Number
from huddle.core.errors import InputError, LocalProtocolError
from huddle.core.events import (
    Event,
    JoinRequested,
    PrivacySpent,
    ProgressChanged,
    ResultReady,
    RosterChanged,
    RoundAborted,
    RoundStarted,
    SessionEnded,
    ShareTranscript,
    Welcomed,
)
from huddle.core.invite import Invite, InviteError, parse_invite
from huddle.core.noise import error_bound
from huddle.core.outcome import CONFIDENCE, Outcome
from huddle.core.participant import MaskSource
from huddle.core.questions import Question
from huddle.core.randomized_response import Response
from huddle.net import addresses
from huddle.net.found import (
    DiscoveryEvent,
    FoundSession,
    SessionAppeared,
    SessionChanged,
    SessionGone,
)
from huddle.net.host_engine import HostEngine
from huddle.net.join_engine import JoinAttempts, Origin
from huddle.net.link import Timeouts
from huddle.net.probe import answering
from huddle.net.sinks import EventSink, SpendSink

if TYPE_CHECKING:
    from huddle.net.announce import Announcer
    from huddle.net.browser import Browser

__all__ = [
    "ANNOUNCE_ERRORS",
    "CONFIDENCE",
    "Announced",
    "Answer",
    "Browser",
    "DiscoveryEvent",
    "Event",
    "EventSink",
    "FoundSession",
    "Hosting",
    "InputError",
    "Invite",
    "InviteError",
    "JoinRequested",
    "Joining",
    "Listening",
    "LocalProtocolError",
    "MaskSource",
    "Origin",
    "Outcome",
    "PrivacySpent",
    "ProgressChanged",
    "Question",
    "Response",
    "ResultReady",
    "RosterChanged",
    "RoundAborted",
    "RoundStarted",
    "SessionAppeared",
    "SessionChanged",
    "SessionEnded",
    "SessionGone",
    "ShareTranscript",
    "SpendSink",
    "Timeouts",
    "Welcomed",
    "demo_peers",
    "error_bound",
    "join_found",
    "join_invite",
    "lan_addresses",
    "match_sessions",
    "parse_invite",
    "prepare_answer",
    "probe",
]

log = logging.getLogger(__name__)

ANNOUNCE_ERRORS = (OSError, RuntimeError, LocalProtocolError)
"""What announcing or browsing can fail with: OSError when this network cannot do
multicast, RuntimeError when zeroconf finds no interface to use, LocalProtocolError
when the addresses to announce are not IP addresses."""


@dataclass(frozen=True, slots=True)
class Listening(Event):
    """The hosted session accepts connections on ``port``.

    ``fingerprint`` is its certificate's, for the invite the host hands out.
    """

    port: int
    code: str
    fingerprint: bytes


@dataclass(frozen=True, slots=True)
class Announced:
    """A hosted session is on the LAN's list as ``instance``; ``local_only``: only
    this computer can see it (it listens on loopback, or there is no LAN)."""

    instance: str
    local_only: bool


class Hosting:
    """A session this app hosts, and its announcement on the LAN once asked for.

    Every method runs on the loop. Each event goes to ``on_event`` and then
    refreshes the announcement, so the LAN sees the joined count and state change.
    ``masks`` and ``transcript`` are for `huddle demo` only.
    """

    def __init__(
        self,
        question: Question,
        name: str,
        on_event: EventSink,
        *,
        contributes: bool = True,
        timeouts: Timeouts | None = None,
        on_spend: SpendSink | None = None,
        masks: MaskSource | None = None,
        transcript: bool = False,
    ) -> None:
        self._on_event = on_event
        self._announcer: Announcer | None = None
        self.engine = HostEngine(
            question,
            name,
            self._event,
            contributes=contributes,
            timeouts=timeouts,
            on_spend=on_spend,
            masks=masks,
            transcript=transcript,
        )
        """The engine below the door: for tests that play a faulty or hostile host."""
        self._engine = self.engine

    @property
    def question(self) -> Question:
        return self._engine.session.question

    @property
    def contributes(self) -> bool:
        """Whether the host person answers too."""
        return self._engine.local is not None

    @property
    def fingerprint(self) -> bytes:
        """The certificate's fingerprint, which an invite pins."""
        return self._engine.certificate.fingerprint

    @property
    def code(self) -> str:
        """The lobby's security code ("" while its members are still making it)."""
        return self._engine.session.code

    @property
    def joined(self) -> int:
        """People in the roster, the host person included when they answer too."""
        return len(self._engine.session.roster)

    @property
    def can_start(self) -> bool:
        return self._engine.session.can_start

    def pending(self) -> dict[int, str]:
        """Who is waiting to be admitted now (people who gave up are gone from it)."""
        return dict(self._engine.session.pending)

    async def listen(self, bind: str | None = None, port: int = 0) -> Listening:
        """Accept connections (every interface unless ``bind``); OSError if it cannot."""
        port = await self._engine.start(bind, port)
        return Listening(port, self.code, self.fingerprint)

    def admit(self, conn: int) -> None:
        self._engine.admit(conn)

    def admit_all(self) -> None:
        for conn in self.pending():
            self._engine.admit(conn)

    def reject(self, conn: int) -> None:
        self._engine.reject(conn)

    def remove(self, name: str) -> None:
        """Remove the member called ``name`` between rounds (names are unique in a
        roster; a name no longer there does nothing): the roster and code change."""
        for member in self._engine.session.roster:
            if member.name == name:
                self._engine.remove(member.party)
                return

    def start_round(self) -> None:
        """Start now, or as soon as the lobby's new security code is ready."""
        self._engine.start_round()

    def cancel_round(self) -> None:
        self._engine.cancel_round()

    def take_part(self) -> None:
        """The host person takes part in a re-run with the answer they gave before."""
        self._engine.take_part()

    def submit(self, answer: Answer) -> None:
        """The host person's answer, made ready by `prepare_answer` (InputError if not
        acceptable; nothing is sent then)."""
        self._engine.submit(answer.typed)

    def announce(self, addresses: list[str] | None = None) -> Coroutine[Any, Any, Announced]:
        """Put the session on the LAN's list, once it listens (awaiting takes about a second).

        ``addresses`` are where the host listens (default: every LAN address).
        The announcement exists from this call on, so `close` withdraws it even
        while it starts. Awaiting raises one of `ANNOUNCE_ERRORS` when it cannot.
        """
        from huddle.net.announce import Announcer

        self._announcer = Announcer(self._engine)
        return _announced(self._announcer, addresses)

    async def close(self, reason: str = "The host closed the session.") -> None:
        """Withdraw the announcement and tell everyone ``reason``."""
        closing = [self._engine.close(reason)]
        if self._announcer is not None:
            closing.insert(0, self._announcer.close())
        await asyncio.gather(*closing)

    def _event(self, event: Event) -> None:
        self._on_event(event)
        if self._announcer is not None:
            self._announcer.refresh()


async def _announced(announcer: Announcer, addresses: list[str] | None) -> Announced:
    from huddle.core.advert import SERVICE_TYPE
    from huddle.net.announce import local_only

    name = await announcer.start(addresses)
    return Announced(name.removesuffix(f".{SERVICE_TYPE}"), local_only(addresses))


class Joining:
    """A session this app joins, at the first of ``addresses`` that answers.

    Methods run on the loop; `run` takes part until the session ends. ``pin``:
    the certificate fingerprint the host must show (from an invite or discovery).
    A failure to connect at any address but the last goes to ``on_skip`` (if
    given); ``origin`` words failures for where the address came from.
    """

    def __init__(
        self,
        addresses: Sequence[str],
        port: int,
        name: str,
        on_event: EventSink,
        *,
        pin: bytes | None = None,
        origin: Origin = Origin.TYPED,
        timeouts: Timeouts | None = None,
        on_skip: EventSink | None = None,
        on_spend: SpendSink | None = None,
        masks: MaskSource | None = None,
        transcript: bool = False,
    ) -> None:
        self._attempts = JoinAttempts(
            addresses,
            port,
            name,
            on_event,
            pin=pin,
            origin=origin,
            timeouts=timeouts,
            on_skip=on_skip,
            on_spend=on_spend,
            masks=masks,
            transcript=transcript,
        )
        self._task: asyncio.Task[None] | None = None
        self._left = False

    @property
    def connected(self) -> bool:
        return self._attempts.session is not None

    @property
    def member(self) -> int | None:
        """Our number in the session once the host admitted us (1, 2, ... in order)."""
        session = self._attempts.session
        return None if session is None or session.me < 0 else session.me

    @property
    def code(self) -> str:
        """The security code this app shows now ("" if none yet)."""
        session = self._attempts.session
        return "" if session is None else session.code

    async def run(self) -> None:
        """Connect and take part until the session ends; never raises for network trouble."""
        if self._left:
            return
        self._task = asyncio.current_task()
        await self._attempts.run()

    def submit(self, answer: Answer) -> None:
        """Our answer, made ready by `prepare_answer` (InputError if not acceptable;
        nothing is sent then)."""
        self._attempts.submit(answer.typed)

    def cancel_round(self) -> None:
        self._attempts.cancel_round()

    def take_part(self) -> None:
        """Take part in a re-run with the answer given before (the person said so)."""
        self._attempts.take_part()

    def leave(self) -> None:
        """Say goodbye; while still connecting, stop trying, for good."""
        if self._attempts.session is not None:
            self._attempts.leave()
            return
        self._left = True
        if self._task is not None:
            self._task.cancel()


def join_invite(
    invite: Invite,
    name: str,
    on_event: EventSink,
    *,
    timeouts: Timeouts | None = None,
    on_spend: SpendSink | None = None,
) -> Joining:
    """Join at a typed or pasted address; an invite's fingerprint is pinned."""
    return Joining(
        [invite.host],
        invite.port,
        name,
        on_event,
        pin=invite.fingerprint,
        timeouts=timeouts,
        on_spend=on_spend,
    )


def join_found(
    found: FoundSession,
    name: str,
    on_event: EventSink,
    *,
    timeouts: Timeouts | None = None,
    on_skip: EventSink | None = None,
    on_spend: SpendSink | None = None,
) -> Joining:
    """Join a session seen on the LAN at the first of its addresses that answers,
    pinning its advertised certificate."""
    return Joining(
        found.addresses,
        found.port,
        name,
        on_event,
        pin=found.advert.fingerprint,
        origin=Origin.FOUND,
        timeouts=timeouts,
        on_skip=on_skip,
        on_spend=on_spend,
    )


async def probe(found: FoundSession) -> bool:
    """Whether a listed session still accepts connections (one TCP handshake, no byte)."""
    return await answering(found.addresses, found.port)


def lan_addresses() -> list[str]:
    """This computer's addresses that colleagues can join, best first."""
    return addresses.lan_addresses()


def __getattr__(name: str) -> object:
    """`Browser` and `match_sessions`, loading zeroconf only when first asked for."""
    if name in ("Browser", "match_sessions"):
        from huddle.net import browser

        return getattr(browser, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


if TYPE_CHECKING:
    from huddle.net.browser import match_sessions


# --- answers --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Answer:
    """A typed answer made ready to submit.

    ``typed`` goes to `submit`, read already (for a poll: randomized already, so
    the truth never reaches the protocol); ``value`` is the number typed, for
    the person's own screen; ``sent`` is, for a poll, how this app's coins fell
    (their screen only, never sent or logged).
    """

    typed: answers.Answer = field(repr=False)
    value: Decimal | None = field(default=None, repr=False)
    sent: Response | None = field(default=None, repr=False)


def prepare_answer(question: Question, text: str) -> Answer:
    """Read what the person typed, once, and flip a poll's coins here, so the person
    can be shown what their app sent.

    Raises InputError (an `AnswerError`; nothing sent) for an answer the question
    cannot take.
    """
    typed = question.parse_answer(text)  # read once; AnswerError says why not
    # The poll kind flips the coins (the core reads no random source of its own: the
    # OS CSPRNG is passed in here).
    sent, response = question.randomize(typed, rr.csprng_coin)
    return Answer(sent, value=typed.value if isinstance(typed, Number) else None, sent=response)


# --- demo colleagues ----------------------------------------------------------------

DEMO_NAMES = ("Alice", "Bob", "Carlos", "David", "Erin", "Frank", "Grace", "Heidi")
DEMO_VALUES = (3800, 2514, 2982, 3390)
"""The reference article's raises: used when they fit the question."""


def demo_peers(
    address: str, port: int, count: int, *, timeouts: Timeouts | None = None
) -> list[Joining]:
    """Headless colleagues for `huddle --demo-peers N`: each joins the session at
    ``address:port`` and answers with a sample value as soon as it sees the question.
    Run each one's `Joining.run` on the loop."""
    peers: list[Joining] = []
    for index in range(count):
        peer = _DemoPeer(index)
        peers.append(peer.join(address, port, timeouts))
    return peers


def demo_name(index: int) -> str:
    base = DEMO_NAMES[index % len(DEMO_NAMES)]
    return base if index < len(DEMO_NAMES) else f"{base} {index // len(DEMO_NAMES) + 1}"


def demo_value(question: Question, index: int) -> str:
    """A plausible sample answer: the article's raises if they fit, else inside the range."""
    if index < len(DEMO_VALUES) and question.check_answer(str(DEMO_VALUES[index])) is None:
        return str(DEMO_VALUES[index])
    fp = question.fixed_point
    steps = int((fp.hi - fp.lo) * fp.scale)
    # Spread the peers over the middle half of the range, a little apart.
    offset = steps // 4 + (steps // 2) * ((index * 7) % 11) // 10
    return str(fp.decode(int(fp.lo * fp.scale) + offset))


class _DemoPeer:
    """A demo colleague's reactions (on the loop): answer when welcomed."""

    def __init__(self, index: int) -> None:
        self.index = index
        self.joining: Joining | None = None

    def join(self, address: str, port: int, timeouts: Timeouts | None) -> Joining:
        name = demo_name(self.index)
        self.joining = Joining([address], port, name, self.react, timeouts=timeouts)
        return self.joining

    def react(self, event: Event) -> None:
        joining = self.joining
        if joining is None:
            return
        if isinstance(event, Welcomed):
            # The value is kept until the host starts the round.
            joining.submit(prepare_answer(event.question, demo_value(event.question, self.index)))
        elif isinstance(event, RoundStarted) and event.rerun:
            joining.take_part()  # a demo colleague always agrees to a re-run
        elif isinstance(event, SessionEnded):
            log.info("demo peer %s: %s", demo_name(self.index), event.reason)
