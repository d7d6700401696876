"""Joining a session: one TLS connection to the host that drives a `ParticipantSession`."""

from __future__ import annotations

import asyncio
import logging
import os
import ssl
from collections.abc import Sequence

from huddle.core.errors import HostMismatchError
from huddle.core.events import Drop, Event, Output, Send, SessionEnded
from huddle.core.participant import MaskSource, ParticipantSession
from huddle.net import tls
from huddle.net.link import Link, Timeouts
from huddle.net.preparation import Preparer
from huddle.net.sinks import EventSink, emit_safely

log = logging.getLogger(__name__)


class JoinEngine:
    """A joined session. All methods run on the engine's event loop."""

    def __init__(
        self,
        address: str,
        port: int,
        name: str,
        on_event: EventSink,
        *,
        pin: bytes | None = None,
        timeouts: Timeouts | None = None,
        masks: MaskSource | None = None,
        transcript: bool = False,
    ) -> None:
        self.address, self.port, self.name, self.pin = address, port, name, pin
        self.timeouts = timeouts or Timeouts()
        self._on_event = on_event
        self._masks, self._transcript = masks, transcript
        self.session: ParticipantSession | None = None
        self._link: Link | None = None
        self._closing: asyncio.Task[None] | None = None
        self._preparer = Preparer()

    async def run(self) -> None:
        """Connect and take part until the session ends; never raises for network trouble."""
        link = Link(f"host {self.address}:{self.port}", self.timeouts)
        try:
            await asyncio.wait_for(
                asyncio.get_running_loop().create_connection(
                    lambda: link,
                    self.address,
                    self.port,
                    ssl=tls.client_context(),
                    server_hostname=None,
                ),
                timeout=self.timeouts.connect,
            )
        except (TimeoutError, OSError, ssl.SSLError) as exc:
            emit_safely(
                self._on_event, SessionEnded(_connect_failure(self.address, self.port, exc))
            )
            return
        assert link.transport is not None
        try:
            fingerprint = tls.peer_fingerprint(
                link.transport.get_extra_info("ssl_object"), self.pin
            )
        except HostMismatchError as exc:
            link.close()
            emit_safely(self._on_event, SessionEnded(str(exc)))
            return
        self.session = ParticipantSession(
            name=self.name,
            host_fingerprint=fingerprint,
            random_bytes=os.urandom,
            masks=self._masks,
            transcript=self._transcript,
        )
        self._link = link
        reason = await link.run(lambda data: self._dispatch(self.session_do().receive_data(data)))
        log.info("connection to host ended: %s", reason)
        self._dispatch(self.session.connection_lost())

    def session_do(self) -> ParticipantSession:
        assert self.session is not None, "not connected yet"
        return self.session

    def submit(self, text: str) -> None:
        """Our value (raises InputError if not acceptable; nothing is sent then)."""
        self._dispatch(self.session_do().submit(text))

    def cancel_round(self) -> None:
        self._dispatch(self.session_do().cancel())

    def leave(self) -> None:
        if self.session is not None:
            self._dispatch(self.session.leave())

    def _dispatch(self, outs: list[Output]) -> None:
        for out in outs:
            if isinstance(out, Send):
                if self._link is not None:
                    self._link.send(out.data)
            elif isinstance(out, Drop):
                log.info("closing the connection to the host: %s", out.reason)
                if self._link is not None and self._closing is None:
                    self._closing = asyncio.get_running_loop().create_task(
                        self._link.drain_and_close()
                    )
            else:
                emit_safely(self._on_event, out)
        self._preparer.check(self.session)


class JoinAttempts:
    """Joins at the first of several addresses that answers (a found host has several).

    Failing to connect at any address but the last goes to ``on_skip`` (if
    given) rather than to ``on_event``; once connected, everything goes to
    ``on_event``. The submit/cancel/leave calls go to the current attempt.
    """

    def __init__(
        self,
        addresses: Sequence[str],
        port: int,
        name: str,
        on_event: EventSink,
        *,
        pin: bytes | None = None,
        timeouts: Timeouts | None = None,
        on_skip: EventSink | None = None,
    ) -> None:
        if not addresses:
            raise ValueError("JoinAttempts needs at least one address")
        last = len(addresses) - 1
        self._on_event, self._on_skip = on_event, on_skip
        self._attempts = [
            JoinEngine(a, port, name, self._sink(k == last), pin=pin, timeouts=timeouts)
            for k, a in enumerate(addresses)
        ]
        self.engine = self._attempts[0]
        self._skipped = False

    @property
    def session(self) -> ParticipantSession | None:
        return self.engine.session

    async def run(self) -> None:
        for engine in self._attempts:
            self.engine, self._skipped = engine, False
            await engine.run()
            if not self._skipped:
                return

    def submit(self, text: str) -> None:
        self.engine.submit(text)

    def cancel_round(self) -> None:
        self.engine.cancel_round()

    def leave(self) -> None:
        self.engine.leave()

    def _sink(self, last: bool) -> EventSink:
        def sink(event: Event) -> None:
            if not last and self.engine.session is None and isinstance(event, SessionEnded):
                self._skipped = True  # could not connect there: the next address is tried
                if self._on_skip is not None:
                    emit_safely(self._on_skip, event)
            else:
                emit_safely(self._on_event, event)

        return sink


def _connect_failure(address: str, port: int, exc: BaseException) -> str:
    where = f"{address}:{port}"
    if isinstance(exc, TimeoutError):
        return (
            f"No answer from {where}. A firewall may be blocking Huddle, or the host is on "
            "another network. Check the address with the host."
        )
    if isinstance(exc, ConnectionRefusedError):
        return (
            f"Nothing is listening at {where}. The session may have closed; "
            "check the address and port with the host."
        )
    if isinstance(exc, ssl.SSLError):
        return f"A secure connection to {where} could not be set up. Is that really a Huddle host?"
    return f"Could not connect to {where}: {getattr(exc, 'strerror', None) or 'network error'}."
