"""Joining a session: one TLS connection to the host that drives a `ParticipantSession`."""

from __future__ import annotations

import asyncio
import logging
import os
import ssl
from collections.abc import Callable

from huddle.core.errors import HostMismatchError
from huddle.core.events import Drop, Event, Output, Send, SessionEnded
from huddle.core.participant import ParticipantSession, Splitter
from huddle.net import tls
from huddle.net.link import Link, Timeouts

log = logging.getLogger(__name__)

EventSink = Callable[[Event], None]


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
        splitter: Splitter | None = None,
        transcript: bool = False,
    ) -> None:
        self.address, self.port, self.name, self.pin = address, port, name, pin
        self.timeouts = timeouts or Timeouts()
        self._on_event = on_event
        self._splitter, self._transcript = splitter, transcript
        self.session: ParticipantSession | None = None
        self._link: Link | None = None

    async def run(self) -> None:
        """Connect and take part until the session ends; never raises for network trouble."""
        try:
            reader, writer = await asyncio.wait_for(
                asyncio.open_connection(
                    self.address, self.port, ssl=tls.client_context(), server_hostname=None
                ),
                timeout=self.timeouts.connect,
            )
        except (TimeoutError, OSError, ssl.SSLError) as exc:
            self._on_event(SessionEnded(_connect_failure(self.address, self.port, exc)))
            return
        try:
            fingerprint = tls.peer_fingerprint(writer.get_extra_info("ssl_object"), self.pin)
        except HostMismatchError as exc:
            writer.close()
            self._on_event(SessionEnded(str(exc)))
            return
        self.session = ParticipantSession(
            name=self.name,
            host_fingerprint=fingerprint,
            random_bytes=os.urandom,
            splitter=self._splitter,
            transcript=self._transcript,
        )
        self._link = Link(reader, writer, f"host {self.address}:{self.port}", self.timeouts)
        reason = await self._link.run(
            lambda data: self._dispatch(self.session_do().receive_data(data))
        )
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

    def _emit(self, event: Event) -> None:
        """Hand an event to the app; a failing handler must not kill the connection."""
        try:
            self._on_event(event)
        except Exception as exc:
            log.error("handling %s failed: %s", type(event).__name__, type(exc).__name__)
            log.debug("handler failure details", exc_info=True)

    def _dispatch(self, outs: list[Output]) -> None:
        for out in outs:
            if isinstance(out, Send):
                if self._link is not None:
                    self._link.send(out.data)
            elif isinstance(out, Drop):
                log.info("closing the connection to the host: %s", out.reason)
                if self._link is not None:
                    asyncio.get_running_loop().create_task(self._link.drain_and_close())
            else:
                self._emit(out)


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
