"""Joining a session: one TLS connection to the host that drives a `ParticipantSession`.

Connecting is two steps, TCP then TLS, so that a failure says which one failed:
nobody at the address, or somebody who is not a Huddle host (a web server, a
printer, another program on that port). The same goes for a peer that completes
TLS but whose first bytes cannot start a Huddle message.
"""

from __future__ import annotations

import asyncio
import enum
import hmac
import logging
import os
import ssl
import struct
from collections.abc import Sequence

from huddle.core.answers import Answer
from huddle.core.codec import MAX_FRAME
from huddle.core.errors import HostMismatchError
from huddle.core.events import Drop, Event, Output, PrivacySpent, Send, SessionEnded
from huddle.core.participant import MaskSource, ParticipantSession
from huddle.net import tls
from huddle.net.link import Link, Timeouts
from huddle.net.preparation import Preparer
from huddle.net.sinks import EventSink, SpendSink, emit_safely, record_spending

log = logging.getLogger(__name__)

_LENGTH = struct.Struct(">I")
_SMALLEST_FRAME = 2
"""A frame's body holds at least its version and type bytes."""


class Origin(enum.Enum):
    """Where the address to join came from; failures are worded for it."""

    TYPED = "typed"
    """Typed or pasted by a person (a bare address or an invite): it may be mistyped."""
    FOUND = "found"
    """Picked from the sessions discovery found: nobody typed it, the session may be gone."""


class JoinEngine:
    """A joined session. All methods run on the engine's event loop.

    ``pin``: the host certificate's SHA-256 fingerprint that must be seen, from
    an invite or a discovery record; any other certificate ends the attempt
    before a byte is sent. ``origin`` decides how failures are worded.
    """

    def __init__(
        self,
        address: str,
        port: int,
        name: str,
        on_event: EventSink,
        *,
        pin: bytes | None = None,
        origin: Origin = Origin.TYPED,
        timeouts: Timeouts | None = None,
        masks: MaskSource | None = None,
        transcript: bool = False,
        on_spend: SpendSink | None = None,
    ) -> None:
        self.address, self.port, self.name, self.pin = address, port, name, pin
        self._on_spend = on_spend
        self.origin = origin
        self.timeouts = timeouts or Timeouts()
        self._on_event = on_event
        self._masks, self._transcript = masks, transcript
        self.session: ParticipantSession | None = None
        self._link: Link | None = None
        self._closing: asyncio.Task[None] | None = None
        self._preparer = Preparer()
        self._head: bytearray | None = bytearray()
        """The host's first bytes until they show a frame length; None once they did."""
        self._ended = False

    @property
    def where(self) -> str:
        """``ADDRESS:PORT`` as people type it (IPv6 in brackets)."""
        return endpoint(self.address, self.port)

    async def run(self) -> None:
        """Connect and take part until the session ends; never raises for network trouble."""
        link = Link(f"host {self.where}", self.timeouts)
        failure = await self._connect(link)
        if failure:
            self._end(failure)
            return
        assert link.transport is not None
        try:
            seen = tls.peer_fingerprint(link.transport.get_extra_info("ssl_object"))
        except HostMismatchError:  # no certificate at all: not a Huddle host
            link.close()
            self._end(_not_huddle(self.where, self.origin))
            return
        if self.pin is not None and not hmac.compare_digest(seen, self.pin):
            link.close()
            self._end(_mismatch(self.where, self.origin))
            return
        self.session = ParticipantSession(
            name=self.name,
            host_fingerprint=seen,
            random_bytes=os.urandom,
            masks=self._masks,
            transcript=self._transcript,
        )
        self._link = link
        reason = await link.run(self._receive)
        log.info("connection to host ended: %s", reason)
        if self._head is not None:  # not even a frame length came: nobody speaking Huddle
            self._not_huddle()
        self._dispatch(self.session.connection_lost())

    async def _connect(self, link: Link) -> str:
        """TCP, then TLS 1.3 over it; "" once secure, else what to tell the person."""
        loop = asyncio.get_running_loop()
        try:
            raw, _ = await asyncio.wait_for(
                loop.create_connection(_Quiet, self.address, self.port),
                timeout=self.timeouts.connect,
            )
        except (TimeoutError, OSError) as exc:
            return _connect_failure(self.where, exc, self.origin)
        try:
            secure = await loop.start_tls(
                raw,
                link,
                tls.client_context(),
                server_hostname=None,
                ssl_handshake_timeout=self.timeouts.connect,
            )
        except OSError as exc:  # ssl.SSLError is an OSError
            raw.abort()
            return _handshake_failure(self.where, exc, self.origin)
        except asyncio.CancelledError:  # left while connecting
            raw.abort()
            raise
        assert secure is not None
        link.connection_made(secure)  # start_tls does not call it
        return ""

    def session_do(self) -> ParticipantSession:
        assert self.session is not None, "not connected yet"
        return self.session

    def submit(self, answer: str | Answer) -> None:
        """Our answer, as typed or read already (InputError if not acceptable; nothing is
        sent then)."""
        self._dispatch(self.session_do().submit(answer))

    def cancel_round(self) -> None:
        self._dispatch(self.session_do().cancel())

    def take_part(self) -> None:
        """Take part in a re-run with the answer given before (the person said so)."""
        self._dispatch(self.session_do().take_part())

    def leave(self) -> None:
        if self.session is not None:
            self._dispatch(self.session.leave())

    def _receive(self, data: bytes) -> None:
        """Bytes from the host, once its first four showed a plausible frame length."""
        if self._head is not None:
            self._head += data
            if len(self._head) < _LENGTH.size:
                return
            data, self._head = bytes(self._head), None
            (length,) = _LENGTH.unpack_from(data)
            if not _SMALLEST_FRAME <= length <= MAX_FRAME:
                # "HTTP" read as a length is 1213486160: a web server, not a host.
                log.info("the first bytes from %s are not a Huddle frame", self.where)
                self._not_huddle()
                return
        self._dispatch(self.session_do().receive_data(data))

    def _not_huddle(self) -> None:
        if self._link is not None:
            self._link.abort()
        self._end(_not_huddle(self.where, self.origin))

    def _end(self, reason: str) -> None:
        self._dispatch([SessionEnded(reason)])

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
            elif isinstance(out, SessionEnded):
                if not self._ended:  # a session ends once, with its first reason
                    self._ended = True
                    emit_safely(self._on_event, out)
            else:
                if isinstance(out, PrivacySpent):
                    record_spending(self._on_spend, out)  # before the Send that follows it
                emit_safely(self._on_event, out)
        self._preparer.check(self.session)


class JoinAttempts:
    """Joins at the first of several addresses that answers (a found host has several).

    Failing to connect at any address but the last goes to ``on_skip`` (if
    given) rather than to ``on_event``; once connected, everything goes to
    ``on_event``. The submit/cancel/leave calls go to the current attempt.
    ``masks`` and ``transcript`` are for `huddle demo` (see `JoinEngine`).
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
        if not addresses:
            raise ValueError("JoinAttempts needs at least one address")
        last = len(addresses) - 1
        self._on_event, self._on_skip = on_event, on_skip
        self._attempts = [
            JoinEngine(
                a,
                port,
                name,
                self._sink(k == last),
                pin=pin,
                origin=origin,
                timeouts=timeouts,
                on_spend=on_spend,
                masks=masks,
                transcript=transcript,
            )
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

    def submit(self, answer: str | Answer) -> None:
        self.engine.submit(answer)

    def cancel_round(self) -> None:
        self.engine.cancel_round()

    def take_part(self) -> None:
        self.engine.take_part()

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


def endpoint(address: str, port: int) -> str:
    """``ADDRESS:PORT`` as people type it, an IPv6 address in brackets."""
    return f"[{address}]:{port}" if ":" in address else f"{address}:{port}"


class _Quiet(asyncio.Protocol):
    """Holds a new TCP connection until TLS takes it over, reading nothing.

    A peer that speaks first (an SSH banner, say) then reaches the TLS layer,
    which refuses it at once, instead of being swallowed here.
    """

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        transport.pause_reading()


_CHECK_ADDRESS = "Check the address and port with the host."


def _connect_failure(where: str, exc: BaseException, origin: Origin) -> str:
    """Nobody took the TCP connection. A listed session was not typed by anyone, so
    it is not the address that is wrong: the session has most likely gone."""
    found = origin is Origin.FOUND
    if isinstance(exc, TimeoutError):
        if found:
            return (
                f"No answer from {where}. The host may have left the network, "
                "or a firewall is blocking Huddle."
            )
        return (
            f"No answer from {where}. A firewall may be blocking Huddle, or the host is on "
            "another network. Check the address with the host."
        )
    if isinstance(exc, ConnectionRefusedError):
        if found:
            return (
                f"This session is no longer there: nothing is listening at {where} any more. "
                "Its host has probably closed it."
            )
        return (
            f"Nothing is listening at {where}. The session may have closed; "
            "check the address and port with the host."
        )
    return f"Could not connect to {where}: {getattr(exc, 'strerror', None) or 'network error'}."


def _handshake_failure(where: str, exc: BaseException, origin: Origin) -> str:
    """Something took the TCP connection but did not complete TLS 1.3 as a host does."""
    if isinstance(exc, ConnectionResetError | BrokenPipeError | ssl.SSLEOFError):
        # A Huddle host that is closing, or full of strangers, hangs up like this too.
        advice = "" if origin is Origin.FOUND else f" {_CHECK_ADDRESS}"
        return (
            f"{where} hung up before the connection was secure: the session may be closing, "
            f"or that address is not a Huddle session.{advice}"
        )
    log.info("TLS with %s failed: %s", where, type(exc).__name__)
    return _not_huddle(where, origin)


def _not_huddle(where: str, origin: Origin) -> str:
    if origin is Origin.FOUND:
        return (
            f"That address ({where}) answered, but not as a Huddle session: the session has "
            "probably ended, and another program now uses its port."
        )
    return f"That address ({where}) answered, but not as a Huddle session. {_CHECK_ADDRESS}"


def _mismatch(where: str, origin: Origin) -> str:
    """The certificate is not the pinned one. Nothing has been sent yet."""
    if origin is Origin.FOUND:
        return (
            "This is not the host that was advertised: its certificate does not match. "
            "The session may have been restarted, or another machine is impersonating it. "
            "Refresh the list of sessions and try again."
        )
    return (
        f"The session at {where} is not the one you were invited to: its certificate does "
        "not match the invite. Someone may be intercepting the connection, so nothing was "
        "sent. If the host has restarted the session, ask them for the new invite."
    )
