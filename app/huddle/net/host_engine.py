"""Hosting a session: a TLS server that drives a `HostSession`.

If the host person also contributes a value, their own `ParticipantSession`
is wired to the host session through an in-process pipe: it speaks exactly the
same protocol as everyone else, it just skips the socket.
"""

from __future__ import annotations

import asyncio
import logging
import os
import ssl
from collections import Counter, deque
from collections.abc import Callable, Coroutine
from typing import Any

from huddle.core.answers import Answer
from huddle.core.events import (
    Drop,
    Event,
    JoinRequested,
    Output,
    PrivacySpent,
    RoundStarted,
    Send,
    ShareTranscript,
)
from huddle.core.host import HostSession, Phase
from huddle.core.participant import MaskSource, ParticipantSession
from huddle.core.questions import Question
from huddle.net import tls
from huddle.net.link import Link, Timeouts
from huddle.net.preparation import Preparer
from huddle.net.sinks import EventSink, SpendSink, emit_safely, record_spending
from huddle.net.sockets import listening_socket

log = logging.getLogger(__name__)

_ROUTINE_DROPS = frozenset({"left", "rejected by host", "session closed"})

PROGRESS_EVERY = 0.25
"""Seconds between progress updates to members while a round runs."""

MAX_STRANGERS = 128
"""Connections that have not said Hello yet (TLS included); more are refused (floods)."""
MAX_STRANGERS_PER_ADDRESS = 32
"""The same, from one address: one flooding machine cannot crowd out a colleague.
Generous enough for dozens of joiners started at once on one machine (benchmarks)."""


class HostEngine:
    """A hosted session on the network. All methods run on the engine's event loop."""

    def __init__(
        self,
        question: Question,
        host_name: str,
        on_event: EventSink,
        *,
        contributes: bool = True,
        timeouts: Timeouts | None = None,
        masks: MaskSource | None = None,
        transcript: bool = False,
        on_spend: SpendSink | None = None,
    ) -> None:
        self.certificate = tls.make_certificate()
        self._on_spend = on_spend
        self.session = HostSession(
            question=question,
            host_name=host_name,
            fingerprint=self.certificate.fingerprint,
            random_bytes=os.urandom,
        )
        self.timeouts = timeouts or Timeouts()
        self._on_event = on_event
        self._links: dict[int, Link] = {}
        self._addresses: dict[int, str] = {}
        self._handshaking: Counter[str] = Counter()
        self._server: asyncio.Server | None = None
        self._progress_task: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self.local: ParticipantSession | None = None
        self._preparer = Preparer()
        self._local_conn = 0
        self._pipe: deque[tuple[str, bytes]] = deque()
        self._pumping = False
        self._start_when_ready = False
        self._watched_epoch = 0
        if contributes:
            self.local = ParticipantSession(
                name=host_name,
                host_fingerprint=self.certificate.fingerprint,
                random_bytes=os.urandom,
                masks=masks,
                transcript=transcript,
            )

    @property
    def port(self) -> int:
        assert self._server is not None
        return int(self._server.sockets[0].getsockname()[1])

    async def start(self, host: str | None = None, port: int = 0) -> int:
        """Listen (all interfaces by default) and return the port."""
        # TLS starts in `_accept`, so connections still in their handshake count
        # against the stranger limits too (a handshake flood is a flood).
        self._ssl = tls.server_context(self.certificate)
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(
            lambda: _Arrival(self._arrived), sock=listening_socket(host, port)
        )
        if self.local is not None:
            self._local_conn, outs = self.session.connect()
            self._dispatch(outs)
            self._dispatch(self.session.admit(self._local_conn))
        self._progress_task = asyncio.get_running_loop().create_task(self._tell_progress())
        log.info("hosting on port %d", self.port)
        return self.port

    # --- the host person's actions ---------------------------------------------

    def admit(self, conn: int) -> None:
        self._dispatch(self.session.admit(conn))

    def reject(self, conn: int) -> None:
        self._dispatch(self.session.reject(conn))

    def remove(self, party: int) -> None:
        """Remove an admitted member between rounds (the roster and code change)."""
        self._dispatch(self.session.remove(party))

    def start_round(self) -> None:
        """Start now, or as soon as the lobby's new security code is ready.

        Right after a roster change (someone left, a re-run without them) the
        members are still exchanging the nonces of the new code; the round
        starts the moment they are done rather than failing.
        """
        session = self.session
        waiting_for_code = (
            not session.can_start
            and not session.code
            and session.phase in (Phase.LOBBY, Phase.ABORTED)
            and not session.question_closed
            and len(session.roster) >= session.question.min_participants
        )
        if waiting_for_code:
            self._start_when_ready = True
            return
        self._dispatch(session.start())

    def cancel_round(self) -> None:
        self._dispatch(self.session.cancel())

    def take_part(self) -> None:
        """The host person takes part in a re-run with the answer they gave before."""
        assert self.local is not None, "this host does not contribute a value"
        self._local_out(self.local.take_part())

    def submit(self, answer: str | Answer) -> None:
        """The host's own answer, as typed or read already (InputError if not acceptable)."""
        assert self.local is not None, "this host does not contribute a value"
        self._local_out(self.local.submit(answer))

    async def close(self, reason: str = "The host closed the session.") -> None:
        if self._progress_task is not None:
            self._progress_task.cancel()
        self._dispatch(self.session.close(reason))
        if self._server is not None:
            self._server.close()
        await asyncio.gather(*(link.drain_and_close() for link in list(self._links.values())))
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=self.timeouts.connect)

    # --- connections ----------------------------------------------------------------

    def _arrived(self, transport: asyncio.Transport) -> None:
        """A new TCP connection (not reading yet): refuse it, or start its TLS handshake."""
        peer = transport.get_extra_info("peername")
        address, label = (str(peer[0]), f"{peer[0]}:{peer[1]}") if peer else ("?", "peer")
        if refusal := self._refusal(address):
            log.warning("refusing %s: %s", label, refusal)
            transport.abort()
            return
        self._handshaking[address] += 1  # now: the next arrival's check must count this one
        self._background(self._accept(transport, address, label))

    def _refusal(self, address: str) -> str:
        """Why a new connection from ``address`` is refused now ("" if it is not)."""
        if self.session.phase is Phase.CLOSED:
            return "the session is closed"
        strangers = self.session.strangers
        if len(strangers) + self._handshaking.total() >= MAX_STRANGERS:
            return "too many connections that have not introduced themselves"
        mine = sum(1 for c in strangers if self._addresses.get(c) == address)
        if mine + self._handshaking[address] >= MAX_STRANGERS_PER_ADDRESS:
            return "too many connections from that address have not introduced themselves"
        return ""

    async def _accept(self, transport: asyncio.Transport, address: str, label: str) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.timeouts.hello  # TLS and Hello together
        link = Link(label, self.timeouts)
        try:
            secure = await loop.start_tls(
                transport,
                link,
                self._ssl,
                server_side=True,
                ssl_handshake_timeout=self.timeouts.hello,
            )
        except (OSError, ssl.SSLError, TimeoutError) as exc:
            if self.session.phase is Phase.CLOSED:
                pass
            elif isinstance(exc, ConnectionResetError | ssl.SSLEOFError):
                # Joiners' Nearby lists check that the session is alive this way,
                # every few seconds: routine, not worth a warning.
                log.info("%s hung up before TLS (a check that the session is alive?)", label)
            else:
                log.warning("dropped %s: no secure connection (%s)", label, type(exc).__name__)
            transport.abort()
            return
        except asyncio.CancelledError:  # the loop is shutting down mid-handshake
            transport.abort()
            return
        finally:
            self._handshaking[address] -= 1
        assert secure is not None
        link.connection_made(secure)  # start_tls does not call it
        await self._serve(link, address, deadline)

    async def _serve(self, link: Link, address: str, deadline: float) -> None:
        if self.session.phase is Phase.CLOSED:
            link.abort()
            return
        conn, outs = self.session.connect()
        self._links[conn] = link
        self._addresses[conn] = address
        log.info("connection %d from %s", conn, link.label)
        hello_deadline = asyncio.get_running_loop().call_at(deadline, self._hello_timeout, conn)
        try:
            self._dispatch(outs)
            reason = await link.run(
                lambda data: self._dispatch(self.session.receive_data(conn, data))
            )
        finally:
            hello_deadline.cancel()
            self._links.pop(conn, None)
            self._addresses.pop(conn, None)
        log.info("connection %d ended: %s", conn, reason)
        self._dispatch(self.session.connection_lost(conn, reason))

    async def _tell_progress(self) -> None:
        while self.session.phase is not Phase.CLOSED:
            await asyncio.sleep(PROGRESS_EVERY)
            self._dispatch(self.session.progress())

    def _hello_timeout(self, conn: int) -> None:
        if conn in self.session.strangers:
            link = self._links.get(conn)
            who = link.label if link else f"connection {conn}"
            log.warning("dropped %s: did not introduce itself in time", who)
            self._dispatch(self.session.connection_lost(conn, "said nothing"))
            if link:
                link.close()

    # --- routing outputs ------------------------------------------------------------

    def _dispatch(self, outs: list[Output]) -> None:
        for out in outs:
            if isinstance(out, Send):
                if out.conn == self._local_conn and self.local is not None:
                    self._pipe.append(("down", out.data))
                elif (link := self._links.get(out.conn)) is not None:
                    link.send(out.data)
            elif isinstance(out, Drop):
                self._drop(out)
            elif not self._is_local_echo(out):
                emit_safely(self._on_event, out)
        self._pump()
        self._watch_code_exchange()
        if self._start_when_ready and self.session.code:
            self._start_when_ready = False
            if self.session.can_start:
                self._dispatch(self.session.start())

    def _watch_code_exchange(self) -> None:
        """Give each new roster's code exchange `Timeouts.code` seconds, then remove
        whoever has not answered (see `HostSession.drop_silent`)."""
        epoch = self.session.epoch
        if epoch == self._watched_epoch or self.session.code or self.session.phase is Phase.CLOSED:
            return
        self._watched_epoch = epoch
        loop = asyncio.get_running_loop()
        loop.call_later(self.timeouts.code, self._code_deadline, epoch)

    def _code_deadline(self, epoch: int) -> None:
        silent = self.session.silent_in_code_exchange() if self.session.epoch == epoch else ()
        if silent:
            log.warning("removing %d member(s) silent in the security-code exchange", len(silent))
            self._dispatch(self.session.drop_silent(epoch))

    def _is_local_echo(self, event: Event) -> bool:
        """Host events that the host person's own participant reports better itself."""
        if self.local is None:
            return False
        own_join = isinstance(event, JoinRequested) and event.conn == self._local_conn
        return own_join or isinstance(event, RoundStarted)

    def _drop(self, drop: Drop) -> None:
        link = self._links.pop(drop.conn, None)
        who = link.label if link else f"connection {drop.conn}"
        # Anything but a routine goodbye is the peer's fault: one warning naming it.
        level = logging.INFO if drop.reason in _ROUTINE_DROPS else logging.WARNING
        log.log(level, "dropped %s (connection %d): %s", who, drop.conn, drop.reason)
        if link is not None:
            self._background(link.drain_and_close())

    def _background(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    def _local_out(self, outs: list[Output]) -> None:
        for out in outs:
            if isinstance(out, Send):
                self._pipe.append(("up", out.data))
            elif isinstance(out, PrivacySpent):
                record_spending(self._on_spend, out)  # before the Send that follows it
                emit_safely(self._on_event, out)
            elif isinstance(out, RoundStarted | ShareTranscript):
                emit_safely(self._on_event, out)
        self._pump()

    def _pump(self) -> None:
        """Move bytes through the in-process pipe without recursing."""
        if self._pumping:
            return
        self._pumping = True
        try:
            while self._pipe:
                direction, data = self._pipe.popleft()
                assert self.local is not None
                if direction == "down":
                    self._local_out(self.local.receive_data(data))
                else:
                    self._dispatch(self.session.receive_data(self._local_conn, data))
        finally:
            self._pumping = False
        self._preparer.check(self.local)


class _Arrival(asyncio.Protocol):
    """A connection before its TLS handshake: it only hands itself to the engine.

    Reading pauses at once, so not a byte of the client's TLS hello is read
    in the clear before `loop.start_tls` takes the connection over.
    """

    def __init__(self, arrived: Callable[[asyncio.Transport], None]) -> None:
        self._arrived = arrived

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        transport.pause_reading()
        self._arrived(transport)
