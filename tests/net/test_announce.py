"""`Announcer`: a hosted session's announcement follows its lobby (no multicast here:
the advertiser is a recording fake; the host engine listens on 127.0.0.1)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from huddle.core.advert import Advert
from huddle.core.host import Phase
from huddle.core.questions import Question
from huddle.net.announce import Announcer, advert_of, local_only
from huddle.net.discovery import Advertiser
from huddle.net.host_engine import HostEngine


class FakeAdvertiser(Advertiser):
    """Records what would be announced; `start` waits for `probed` (mDNS probing)."""

    def __init__(self) -> None:
        super().__init__()
        self.probed = asyncio.Event()
        self.adverts: list[Advert] = []
        self.updated = asyncio.Event()
        self.closed = False
        self._name: str | None = None

    @property
    def name(self) -> str | None:
        return self._name

    async def start(self, advert: Advert, port: int, addresses: list[str] | None = None) -> str:
        self.adverts.append(advert)
        await self.probed.wait()
        self._name = f"{advert.title}._huddle._tcp.local."
        return self._name

    async def update(self, advert: Advert) -> None:
        await asyncio.sleep(0)  # a real update awaits its broadcast
        self.adverts.append(advert)
        self.updated.set()

    async def close(self) -> None:
        self.closed = True


@pytest.fixture
async def engine() -> AsyncIterator[HostEngine]:
    question = Question(title="Team lunch", unit="", decimals=0, lo="0", hi="100")
    host = HostEngine(question, "Alice", lambda event: None, contributes=False)
    await host.start("127.0.0.1", 0)
    yield host
    await host.close()


async def next_update(fake: FakeAdvertiser) -> Advert:
    await asyncio.wait_for(fake.updated.wait(), 5)
    fake.updated.clear()
    return fake.adverts[-1]


def test_the_advert_describes_the_session(engine: HostEngine) -> None:
    advert = advert_of(engine)
    assert (advert.title, advert.host_name, advert.state, advert.joined) == (
        "Team lunch",
        "Alice",
        "open",
        0,
    )
    assert advert.session_id == engine.session.session_id
    assert advert.fingerprint == engine.certificate.fingerprint
    engine.session.phase = Phase.SUMMING
    assert advert_of(engine).state == "started"
    engine.session.phase = Phase.ABORTED  # a cancelled round reopens the lobby
    assert advert_of(engine).state == "open"


async def test_changes_while_probing_are_announced_once_started(engine: HostEngine) -> None:
    fake = FakeAdvertiser()
    announcer = Announcer(engine, advertiser=fake)
    starting = asyncio.create_task(announcer.start())
    await asyncio.sleep(0)
    engine.session.phase = Phase.SUMMING
    announcer.refresh()  # still probing: nothing to update yet
    fake.probed.set()
    assert await starting == "Team lunch._huddle._tcp.local."
    assert fake.adverts[0].state == "open"
    assert (await next_update(fake)).state == "started"
    await announcer.close()
    assert fake.closed


async def test_refreshes_coalesce_and_unchanged_state_is_not_reannounced(
    engine: HostEngine,
) -> None:
    fake = FakeAdvertiser()
    fake.probed.set()
    announcer = Announcer(engine, advertiser=fake)
    await announcer.start()
    announcer.refresh()
    engine.session.phase = Phase.SUMMING
    for _ in range(5):
        announcer.refresh()
    assert (await next_update(fake)).state == "started"
    announcer.refresh()
    for _ in range(5):  # let a (wrong) extra update run its course
        await asyncio.sleep(0)
    assert len(fake.adverts) == 2  # the start and one update
    await announcer.close()


async def test_close_while_probing_cancels_the_start(engine: HostEngine) -> None:
    fake = FakeAdvertiser()
    announcer = Announcer(engine, advertiser=fake)
    starting = asyncio.create_task(announcer.start())
    await asyncio.sleep(0)
    await announcer.close()
    assert starting.cancelled() and fake.closed
    announcer.refresh()  # after close: nothing, no error


def test_local_only_when_listening_on_loopback() -> None:
    assert local_only(["127.0.0.1"]) and local_only(["::1"])
    assert not local_only(["198.18.0.1"])
    assert not local_only(["127.0.0.1", "198.18.0.1"])
