"""Fault injection over real sockets: n in-process joiners around a real host on 127.0.0.1.

A party can be *killed* (its TCP connection is aborted: the peer sees a reset
at once, as when a process dies) or *frozen* (it stops reading and stops
sending heartbeats while the socket stays open, as when a laptop lid closes:
the peer only notices through its idle timeout). Outgoing frames can be held
back by type, which is how a test stops a party exactly between two phases.

Since protocol 3, the lobby is ready only once its security code is (the members
exchange nonces after every roster change), and a re-run after a stopped round
waits for each person's word (`JoinEngine.take_part`); `takes_part_again`
gives it automatically, for tests that are about something else.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field

from huddle.core.codec import Message
from huddle.core.events import Event, Output, RosterChanged, RoundStarted, Send
from huddle.core.questions import Question
from huddle.net.host_engine import HostEngine
from huddle.net.join_engine import JoinEngine
from huddle.net.link import Link
from tests.net.engines import FAST, Recorder, auto_admit_host, joiner

QUESTION = Question(title="raise", hi="100000")


def frame_type(data: bytes) -> int:
    """The message type byte of one encoded frame (length 4 | version 1 | type 1)."""
    return data[5]


@dataclass
class Party:
    name: str
    value: str
    engine: JoinEngine
    events: Recorder
    task: asyncio.Task[None]
    held: list[bytes] = field(default_factory=list)


@dataclass
class Group:
    host: HostEngine
    host_events: Recorder
    parties: list[Party]

    def named(self, name: str) -> Party:
        return next(p for p in self.parties if p.name == name)

    async def close(self) -> None:
        await self.host.close()
        for p in self.parties:
            if p.engine._link is not None:
                abort(p.engine._link)
        await asyncio.wait([p.task for p in self.parties], timeout=5)


def ready(n: int) -> Callable[[Event], bool]:
    """A lobby of ``n`` whose security code is ready (its nonces all exchanged)."""
    return lambda e: isinstance(e, RosterChanged) and len(e.names) == n and bool(e.code)


async def lobby(n: int, question: Question = QUESTION) -> Group:
    """A host that does not contribute and n admitted joiners, all in the lobby, every
    screen showing the same security code."""
    host, host_events = await auto_admit_host(question, contributes=False, timeouts=FAST)
    parties = []
    for i in range(n):
        name = f"p{i}"
        engine, rec, task = joiner(host.port, name, timeouts=FAST)
        parties.append(Party(name, str(1000 * (i + 1)), engine, rec, task))
    code = await host_events.wait_for(RosterChanged, test=ready(n))
    for p in parties:
        seen = await p.events.wait_for(RosterChanged, test=ready(n))
        assert seen.code == code.code == host.session.code  # type: ignore[attr-defined]
    return Group(host, host_events, parties)


def takes_part_again(engine: JoinEngine) -> None:
    """The person says yes to every re-run as soon as it asks (a test's shortcut, never an
    app's: there the person is asked). Call before the re-run starts."""
    real = engine._on_event

    def agree() -> None:
        session = engine.session
        if session is not None and session.awaiting_consent and session.has_value:
            engine.take_part()

    def on_event(event: Event) -> None:
        real(event)
        if isinstance(event, RoundStarted) and event.rerun:
            asyncio.get_running_loop().call_soon(agree)

    engine._on_event = on_event


def fresh(recorder: Recorder, test: Callable[[Event], bool]) -> Callable[[Event], bool]:
    """``test``, but only for events recorded from now on."""
    seen = {id(e) for e in recorder.events}
    return lambda e: id(e) not in seen and test(e)


def abort(link: Link) -> None:
    """Kill: reset the TCP connection now (queued bytes are lost, like a dying process)."""
    link.abort()


def freeze(link: Link) -> None:
    """Freeze: stop reading and heartbeating, keep the socket open (a sleeping laptop)."""
    link.closed = True


def hold(party: Party, message: type[Message], then: Callable[[Party], None] | None = None) -> None:
    """Keep ``party``'s first frame of type ``message`` from leaving; call ``then`` instead."""
    real = party.engine._dispatch

    def dispatch(outs: list[Output]) -> None:
        passed: list[Output] = []
        for out in outs:
            if not party.held and isinstance(out, Send) and frame_type(out.data) == message.TYPE:
                party.held.append(out.data)
                if then is not None:
                    then(party)
            else:
                passed.append(out)
        real(passed)

    party.engine._dispatch = dispatch  # type: ignore[method-assign]


def host_hold(host: HostEngine, message: type[Message], then: Callable[[], None]) -> None:
    """When the host is about to send a ``message`` frame, call ``then`` instead of sending."""
    real = host._dispatch
    fired = False

    def dispatch(outs: list[Output]) -> None:
        nonlocal fired
        if any(isinstance(o, Send) and frame_type(o.data) == message.TYPE for o in outs):
            if not fired:
                fired = True
                then()
            return
        real(outs)

    host._dispatch = dispatch  # type: ignore[method-assign]
