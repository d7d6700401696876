"""An in-memory n-party network for the sans-IO state machines.

Bytes move between a `HostSession` and `ParticipantSession`s through plain
queues, optionally one byte at a time, so protocol tests need no sockets,
threads or sleeps. Tests can also intercept or rewrite frames in flight.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from huddle.core import field as gf
from huddle.core.events import Drop, Event, Output, Send
from huddle.core.host import HostSession
from huddle.core.messages import Partials
from huddle.core.participant import ParticipantSession
from huddle.core.questions import Question

FINGERPRINT = bytes(range(32))
Tap = Callable[[str, int, bytes], bytes | None]
"""(direction "up"/"down", conn, frame bytes) -> replacement bytes or None to drop."""


@dataclass
class Network:
    host: HostSession
    parties: dict[int, ParticipantSession] = field(default_factory=dict)
    host_events: list[Event] = field(default_factory=list)
    events: dict[int, list[Event]] = field(default_factory=dict)
    dropped: set[int] = field(default_factory=set)
    byte_at_a_time: bool = False
    tap: Tap | None = None
    _queue: deque[tuple[str, int, bytes]] = field(default_factory=deque)

    def join(self, name: str, *, admit: bool = True, **kwargs: object) -> int:
        conn, outs = self.host.connect()
        party = ParticipantSession(
            name=name,
            host_fingerprint=FINGERPRINT,
            random_bytes=os.urandom,
            **kwargs,  # type: ignore[arg-type]
        )
        self.parties[conn] = party
        self.events[conn] = []
        self._host_out(outs)
        self.run()
        if admit:
            self._host_out(self.host.admit(conn))
            self.run()
        return conn

    def host_do(self, outs: list[Output]) -> None:
        self._host_out(outs)
        self.run()

    def party_do(self, conn: int, outs: list[Output]) -> None:
        self._party_out(conn, outs)
        self.run()

    def disconnect(self, conn: int) -> None:
        self.dropped.add(conn)
        self._host_out(self.host.connection_lost(conn))
        self._party_out(conn, self.parties[conn].connection_lost())
        self.run()

    def run(self) -> None:
        while self._queue:
            direction, conn, data = self._queue.popleft()
            if conn in self.dropped:
                continue
            if direction == "drop":
                self._drop(conn)
                continue
            if self.tap is not None:
                replaced = self.tap(direction, conn, data)
                if replaced is None:
                    continue
                data = replaced
            chunks = [data[i : i + 1] for i in range(len(data))] if self.byte_at_a_time else [data]
            for chunk in chunks:
                if conn in self.dropped:
                    break
                if direction == "down":
                    self._party_out(conn, self.parties[conn].receive_data(chunk))
                else:
                    self._host_out(self.host.receive_data(conn, chunk))

    def _host_out(self, outs: list[Output]) -> None:
        for out in outs:
            if isinstance(out, Send):
                self._queue.append(("down", out.conn, out.data))
            elif isinstance(out, Drop):
                self._queue.append(("drop", out.conn, b""))  # after what was queued for it
            else:
                self.host_events.append(out)

    def _party_out(self, conn: int, outs: list[Output]) -> None:
        for out in outs:
            if isinstance(out, Send):
                self._queue.append(("up", conn, out.data))
            elif isinstance(out, Drop):
                self._queue.append(("drop", conn, b""))
            else:
                self.events[conn].append(out)

    def _drop(self, conn: int) -> None:
        if conn in self.dropped:
            return
        self.dropped.add(conn)
        self._host_out(self.host.connection_lost(conn))
        self._party_out(conn, self.parties[conn].connection_lost())


def make_network(question: Question | None = None, **kwargs: object) -> Network:
    question = question or Question(title="2026 raise", lo="0", hi="100000")
    host = HostSession(
        question=question, host_name="Host", fingerprint=FINGERPRINT, random_bytes=os.urandom
    )
    return Network(host=host, **kwargs)  # type: ignore[arg-type]


PARTIALS_BLOBS = ("vectors", "witnesses", "proofs", "commitments")
"""The blobs of a `Partials`, each holding one slot per member (protocol 4)."""


def slots(msg: Partials, blob: str) -> list[bytes]:
    """One blob of ``msg`` cut into its members' slots, in ``msg.parties`` order."""
    data: bytes = getattr(msg, blob)
    size = len(data) // len(msg.parties)
    return [data[k * size : (k + 1) * size] for k in range(len(msg.parties))]


def with_slots(msg: Partials, **blobs: list[bytes]) -> Partials:
    """``msg`` with the named blobs put back together from (altered) slots."""
    joined: dict[str, Any] = {name: b"".join(parts) for name, parts in blobs.items()}
    return replace(msg, **joined)


def bumped(data: bytes) -> bytes:
    """``data`` with its first field element (8 bytes, little-endian) plus one: still
    a field element, so only the checks that follow can tell."""
    element = (int.from_bytes(data[:8], "little") + 1) % gf.P
    return element.to_bytes(8, "little") + data[8:]
