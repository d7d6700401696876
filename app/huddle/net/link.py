"""One framed TLS connection: a read loop with heartbeats and a bounded send buffer."""

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

READ_CHUNK = 256 * 1024
MAX_SEND_BUFFER = 64 * 1024 * 1024


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


class Link:
    """Owns a reader/writer pair; the engine reacts to its callbacks."""

    def __init__(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        label: str,
        timeouts: Timeouts,
    ) -> None:
        self.reader = reader
        self.writer = writer
        self.label = label
        self.timeouts = timeouts
        self.closed = False
        _no_delay(writer)

    def send(self, data: bytes) -> bool:
        """Queue bytes; False (and the link closes) if the peer is not reading."""
        if self.closed:
            return False
        if self.writer.transport.get_write_buffer_size() > MAX_SEND_BUFFER:
            log.warning("%s is not reading its messages; disconnecting", self.label)
            self.close()
            return False
        self.writer.write(data)
        return True

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            with contextlib.suppress(Exception):
                self.writer.close()
            self.reader.feed_eof()  # wake a pending read now, not at the idle timeout

    async def drain_and_close(self) -> None:
        """Let queued bytes (a goodbye, a rejection) go out, then close."""
        with contextlib.suppress(TimeoutError, ConnectionError, OSError):
            await asyncio.wait_for(self.writer.drain(), timeout=2.0)
        self.close()

    async def run(self, on_data: Callable[[bytes], None]) -> str:
        """Read until the peer goes away; returns why it ended (for logs and users)."""
        beat = asyncio.create_task(self._heartbeat())
        try:
            while not self.closed:
                try:
                    # asyncio.timeout, not wait_for: no extra task per read.
                    async with asyncio.timeout(self.timeouts.idle):
                        data = await self.reader.read(READ_CHUNK)
                except TimeoutError:
                    return "stopped answering"
                except (ConnectionError, OSError) as exc:
                    return f"connection failed ({type(exc).__name__})"
                if not data:
                    return "disconnected"
                on_data(data)
            return "closed"
        finally:
            beat.cancel()
            self.close()

    async def _heartbeat(self) -> None:
        ping = encode(Ping())
        while not self.closed:
            await asyncio.sleep(self.timeouts.heartbeat)
            self.send(ping)


def _no_delay(writer: asyncio.StreamWriter) -> None:
    """Turn off Nagle's algorithm: the protocol's small frames are latency-bound.

    Without this, a frame written right after another waits for the peer's
    delayed ACK (about 40 ms on Linux) — most of a round's time.
    """
    sock = writer.get_extra_info("socket")
    if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
