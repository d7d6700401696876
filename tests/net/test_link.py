"""`Link` on real loopback TCP connections: delivery, idle detection, closing."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import pytest

from huddle.net import link as link_module
from huddle.net.link import Link, Timeouts

QUIET = Timeouts(heartbeat=30.0, idle=30.0)


class Arrivals(Link):
    """A Link that also signals each arrival, so a test can wait for one."""

    def __init__(self, label: str, timeouts: Timeouts) -> None:
        super().__init__(label, timeouts)
        self.arrived = asyncio.Event()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        self.arrived.set()


class Peer:
    """The far end: a plain asyncio stream on a server socket."""

    def __init__(self) -> None:
        self.connected: asyncio.Future[tuple[asyncio.StreamReader, asyncio.StreamWriter]]
        self.connected = asyncio.get_running_loop().create_future()

    async def serve(self) -> int:
        async def accept(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            self.connected.set_result((reader, writer))

        self.server = await asyncio.start_server(accept, "127.0.0.1", 0)
        return int(self.server.sockets[0].getsockname()[1])


@pytest.fixture
async def peer() -> AsyncIterator[Peer]:
    p = Peer()
    yield p
    if p.connected.done():
        p.connected.result()[1].transport.abort()
    p.server.close()


async def connect(peer: Peer, link: Link) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    port = await peer.serve()
    await asyncio.get_running_loop().create_connection(lambda: link, "127.0.0.1", port)
    return await peer.connected


async def test_bytes_that_arrive_before_run_are_delivered_first_and_in_order(peer: Peer) -> None:
    link = Arrivals("peer", QUIET)
    _, writer = await connect(peer, link)
    writer.write(b"early")
    await link.arrived.wait()  # arrived, and nobody is consuming yet
    got: list[bytes] = []
    later = asyncio.Event()

    def on_data(data: bytes) -> None:
        got.append(data)
        if data == b"late":
            later.set()

    run = asyncio.create_task(link.run(on_data))
    writer.write(b"late")
    await asyncio.wait_for(later.wait(), 5)
    assert got == [b"early", b"late"]
    writer.close()
    assert await asyncio.wait_for(run, 5) == "disconnected"


async def test_a_silent_peer_is_reported_once_the_idle_time_has_passed(peer: Peer) -> None:
    link = Link("peer", Timeouts(heartbeat=30.0, idle=0.3))
    await connect(peer, link)
    started = time.monotonic()
    assert await asyncio.wait_for(link.run(lambda data: None), 5) == "stopped answering"
    assert time.monotonic() - started >= 0.3


async def test_a_peer_that_keeps_talking_is_kept_past_the_idle_time(peer: Peer) -> None:
    link = Link("peer", Timeouts(heartbeat=30.0, idle=1.0))
    _, writer = await connect(peer, link)
    run = asyncio.create_task(link.run(lambda data: None))
    talking_until = time.monotonic() + 2.5  # 2.5 idle times
    while time.monotonic() < talking_until:  # the peer's behaviour, not synchronisation
        writer.write(b".")
        await asyncio.sleep(0.1)
        assert not run.done(), "dropped while the peer was talking"
    assert await asyncio.wait_for(run, 5) == "stopped answering"


async def test_after_the_peer_leaves_sending_is_refused_quietly(peer: Peer) -> None:
    link = Link("peer", QUIET)
    _, writer = await connect(peer, link)
    run = asyncio.create_task(link.run(lambda data: None))
    writer.transport.abort()
    assert await asyncio.wait_for(run, 5) in (
        "disconnected",
        "connection failed (ConnectionResetError)",
    )
    assert link.closed
    assert link.send(b"too late") is False


async def test_drain_and_close_gives_up_on_a_peer_that_never_reads(
    peer: Peer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(link_module, "GOODBYE_GRACE", 0.3)
    link = Link("peer", QUIET)
    await connect(peer, link)  # the peer never reads
    run = asyncio.create_task(link.run(lambda data: None))
    assert link.send(bytes(32 * 1024 * 1024))  # far more than the socket buffers hold
    started = time.monotonic()
    await asyncio.wait_for(link.drain_and_close(), 5)
    assert time.monotonic() - started >= 0.3
    assert await asyncio.wait_for(run, 5) == "closed"
    # Gone for good: a flush that could never finish was cut off, not left pending.
    await asyncio.wait_for(link._lost, 5)
