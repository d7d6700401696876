"""One TLS connection: bytes to a callback, heartbeats, idle watchdog, bounded send buffer.

`Link` is an asyncio `Protocol`, not a StreamReader loop: arriving bytes go
straight from the TLS layer to the session (one call, no task wake-up, no
timer re-armed per read). On a busy machine a round is mostly such per-message
overhead, paid by the host once per member.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from collections.abc import Callable
from dataclasses import dataclass

from huddle.core.codec import encode
from huddle.core.messages import Ping

log = logging.getLogger(__name__)

MAX_SEND_BUFFER = 64 * 1024 * 1024
GOODBYE_GRACE = 2.0
"""How long `drain_and_close` lets queued bytes (a goodbye, a rejection) go out."""


@dataclass(frozen=True, slots=True)
class Timeouts:
    """How patient the engine is; tests shorten these."""

    heartbeat: float = 2.0
    """Send a Ping this often so the other side knows we are alive."""
    idle: float = 7.0
    """Give up on a peer that sent nothing (not even a Ping) for this long."""
    hello: float = 10.0
    """A new connection must complete TLS and say Hello within this."""
    connect: float = 5.0
    code: float = 10.0
    """Members must finish a roster's security-code exchange (two round trips) within
    this, or they are removed from the lobby (a silent app cannot stall it)."""


class Link(asyncio.Protocol):
    """The protocol of one connection; the engine reacts to what `run` delivers.

    Bytes that arrive before `run` (right after the TLS handshake) are kept
    and handed over when it starts.
    """

    def __init__(self, label: str, timeouts: Timeouts) -> None:
        self.label = label
        self.timeouts = timeouts
        self.closed = False
        self.transport: asyncio.Transport | None = None
        self._loop = asyncio.get_running_loop()
        self._on_data: Callable[[bytes], None] | None = None
        self._early: list[bytes] = []
        self._ended: asyncio.Future[str] = self._loop.create_future()
        self._lost: asyncio.Future[None] = self._loop.create_future()
        self._last_heard = self._loop.time()
        self._watchdog: asyncio.TimerHandle | None = None

    # --- asyncio.Protocol ---------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        self._last_heard = self._loop.time()
        _no_delay(transport)

    def data_received(self, data: bytes) -> None:
        self._last_heard = self._loop.time()
        if self.closed:
            return
        if self._on_data is None:
            self._early.append(data)
            return
        try:
            self._on_data(data)
        except Exception:  # a bug of ours: end this connection, keep the app alive
            log.exception("internal error while handling data from %s", self.label)
            self.abort()

    def eof_received(self) -> bool:
        self._end("disconnected")
        return False  # close our side too

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True  # nothing more can be sent; writing would only log warnings
        self._end("disconnected" if exc is None else f"connection failed ({type(exc).__name__})")
        if not self._lost.done():
            self._lost.set_result(None)

    # --- what the engine does -------------------------------------------------------

    def send(self, data: bytes) -> bool:
        """Queue bytes; False (and the link closes) if the peer is not reading."""
        if self.closed or self.transport is None:
            return False
        if self.transport.get_write_buffer_size() > MAX_SEND_BUFFER:
            log.warning("%s is not reading its messages; disconnecting", self.label)
            self.close()
            return False
        self.transport.write(data)
        return True

    def close(self) -> None:
        """Stop delivering; the transport still flushes what it holds, then closes."""
        if not self.closed:
            self.closed = True
            if self.transport is not None:
                with contextlib.suppress(Exception):
                    self.transport.close()
            self._end("closed")

    def abort(self) -> None:
        """Reset the connection now; queued bytes are lost (as when a process dies)."""
        self.closed = True
        if self.transport is not None:
            self.transport.abort()
        self._end("closed")

    async def drain_and_close(self) -> None:
        """Let queued bytes (a goodbye, a rejection) go out, then close.

        Waits until the connection is gone, but no longer than `GOODBYE_GRACE`:
        a peer that never reads must not keep the socket open.
        """
        self.close()
        if self.transport is None or self._lost.done():
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.shield(self._lost), GOODBYE_GRACE)
        if not self._lost.done():
            self.transport.abort()

    async def run(self, on_data: Callable[[bytes], None]) -> str:
        """Deliver bytes until the peer goes away; returns why it ended (for logs and users)."""
        self._on_data = on_data
        early, self._early = self._early, []
        for data in early:
            if self.closed:
                break
            on_data(data)
        beat = self._loop.create_task(self._heartbeat())
        self._watchdog = self._loop.call_at(self._last_heard + self.timeouts.idle, self._check_idle)
        try:
            return await self._ended
        finally:
            beat.cancel()
            self._watchdog.cancel()
            self.close()

    # --- internals ------------------------------------------------------------------

    def _check_idle(self) -> None:
        """Re-armed only when it fires: no timer is touched per message."""
        due = self._last_heard + self.timeouts.idle
        if self._loop.time() >= due:
            self._end("stopped answering")
        elif not self._ended.done():
            self._watchdog = self._loop.call_at(due, self._check_idle)

    async def _heartbeat(self) -> None:
        ping = encode(Ping())
        while not self.closed:
            await asyncio.sleep(self.timeouts.heartbeat)
            self.send(ping)

    def _end(self, reason: str) -> None:
        if not self._ended.done():
            self._ended.set_result(reason)


def _no_delay(transport: asyncio.BaseTransport) -> None:
    """Turn off Nagle's algorithm: the protocol's small frames are latency-bound.

    Without this, a frame written right after another waits for the peer's
    delayed ACK (about 40 ms on Linux) — most of a round's time.
    """
    sock = transport.get_extra_info("socket")
    if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
