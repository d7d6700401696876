"""Discovery without root: address choice, and real zeroconf confined to 127.0.0.1.

Every zeroconf instance here is given ``interfaces=LOOPBACK`` so no packet
leaves the machine; titles carry a random suffix so parallel runs (or other
tests hosting on loopback) do not see each other's sessions.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import ipaddress
import logging
import os
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, TypeVar

import ifaddr
import pytest
from zeroconf.asyncio import AsyncServiceInfo, AsyncZeroconf

from huddle.core.advert import SERVICE_TYPE, Advert, encode_txt
from huddle.core.codec import PROTOCOL_VERSION
from huddle.net.addresses import lan_addresses, local_networks, order_addresses
from huddle.net.browser import Browser, find_sessions, match_sessions
from huddle.net.discovery import (
    Advertiser,
    DiscoveryEvent,
    FoundSession,
    SessionAppeared,
    SessionChanged,
    SessionGone,
)

LOOPBACK = ["127.0.0.1"]
WAIT = 10.0  # probing alone takes ~1.2 s
T = TypeVar("T")


def run(main: Callable[[], Awaitable[T]]) -> T:
    async def bounded() -> T:
        async with asyncio.timeout(60):
            return await main()

    return asyncio.run(bounded())


def advert(title: str, **changes: Any) -> Advert:
    base = Advert(PROTOCOL_VERSION, os.urandom(16), title, "Alice", "open", 0, bytes(32))
    return dataclasses.replace(base, **changes)


@pytest.fixture
def title() -> str:
    return f"Raise {os.urandom(3).hex()}"


def key_of(event: DiscoveryEvent) -> str:
    return event.key if isinstance(event, SessionGone) else event.found.key


async def next_event(events: AsyncIterator[DiscoveryEvent], title: str) -> DiscoveryEvent:
    """The next event about a session whose key starts with `title`."""
    async with asyncio.timeout(WAIT):
        async for event in events:
            if key_of(event).startswith(title):
                return event
    raise AssertionError("the browser closed")


# --- choosing addresses -----------------------------------------------------------


def adapter(name: str, *ips: str) -> ifaddr.Adapter:
    parsed = []
    for ip in ips:
        address, prefix = ip.split("/")
        value: Any = (address, 0, 0) if ":" in address else address
        parsed.append(ifaddr.IP(value, int(prefix), name))
    return ifaddr.Adapter(name, name, parsed)


LAPTOP = [
    adapter("lo", "127.0.0.1/8", "::1/128"),
    adapter("docker0", "172.17.0.1/16"),
    adapter("br-5f2a", "172.18.0.1/16"),
    adapter("veth12ab", "fe80::1/64"),
    adapter("virbr0", "192.168.122.1/24"),
    adapter("wlan0", "192.168.1.23/24", "2001:db8::23/64", "fe80::23/64"),
    adapter("tun0", "10.8.0.5/24"),
]


def test_lan_addresses_skip_loopback_bridges_and_link_local() -> None:
    assert lan_addresses(adapters=LAPTOP) == ["192.168.1.23", "10.8.0.5"]
    assert lan_addresses(ipv6=True, adapters=LAPTOP) == ["192.168.1.23", "10.8.0.5", "2001:db8::23"]


def test_lan_addresses_fall_back_to_bridges_and_then_to_nothing() -> None:
    only_docker = [adapter("lo", "127.0.0.1/8"), adapter("docker0", "172.17.0.1/16")]
    assert lan_addresses(adapters=only_docker) == ["172.17.0.1"]
    assert lan_addresses(adapters=[adapter("lo", "127.0.0.1/8", "::1/128")]) == []


def test_lan_addresses_of_this_machine_are_never_loopback() -> None:
    for address in lan_addresses(ipv6=True):
        ip = ipaddress.ip_address(address)
        assert not ip.is_loopback and not ip.is_link_local


def test_joiners_try_addresses_on_their_own_subnet_first() -> None:
    networks = local_networks(LAPTOP)
    offered = [
        "127.0.0.1",
        "fe80::9%3",
        "fe80::8",  # link-local without a scope: unusable
        "2001:db8::99",
        "203.0.113.7",
        "192.168.1.40",
        "224.0.0.251",  # multicast: a lie
        "0.0.0.0",
        "not an address",
        "2001:db8:ffff::1",
    ]
    assert order_addresses(offered, networks) == (
        "192.168.1.40",
        "203.0.113.7",
        "2001:db8::99",
        "2001:db8:ffff::1",
        "fe80::9%3",
        "127.0.0.1",
    )


# --- real zeroconf on loopback -----------------------------------------------------


def test_session_appears_changes_and_goes(title: str) -> None:
    async def main() -> list[DiscoveryEvent]:
        seen = []
        async with Browser(interfaces=LOOPBACK) as browser:
            events = browser.events()
            async with Advertiser() as advertiser:
                name = await advertiser.start(advert(title), 4433, ["127.0.0.1"])
                seen.append(await next_event(events, title))
                await advertiser.update(advert(title, joined=2, state="started"))
                seen.append(await next_event(events, title))
                assert [f.key for f in browser.snapshot() if f.key.startswith(title)] == [name]
            seen.append(await next_event(events, title))
            return seen

    appeared, changed, gone = run(main)

    assert isinstance(appeared, SessionAppeared)
    assert appeared.found.key == f"{title}.{SERVICE_TYPE}"
    assert appeared.found.instance == title
    assert appeared.found.addresses == ("127.0.0.1",)
    assert appeared.found.port == 4433
    assert (appeared.found.advert.title, appeared.found.advert.joined) == (title, 0)
    assert isinstance(changed, SessionChanged)
    assert (changed.found.advert.joined, changed.found.advert.state) == (2, "started")
    assert gone == SessionGone(appeared.found.key)


def test_loopback_is_not_announced_next_to_a_lan_address(title: str) -> None:
    async def main() -> FoundSession:
        async with Browser(interfaces=LOOPBACK) as browser, Advertiser(interfaces=LOOPBACK) as adv:
            await adv.start(advert(title), 4433, ["127.0.0.1", "198.18.7.7", "fe80::1"])
            event = await next_event(browser.events(), title)
            assert isinstance(event, SessionAppeared)
            return event.found

    assert run(main).addresses == ("198.18.7.7",)


def test_same_title_twice_gets_two_names(title: str) -> None:
    async def main() -> tuple[list[str], set[str]]:
        async with (
            Browser(interfaces=LOOPBACK) as browser,
            AsyncZeroconf(interfaces=LOOPBACK) as shared,
            contextlib.AsyncExitStack() as stack,
        ):
            events = browser.events()
            names = []
            # Another machine (its own zeroconf), then twice through one zeroconf,
            # which refuses a name it holds instead of renaming.
            for zc in (None, shared, shared):
                adv = await stack.enter_async_context(Advertiser(zeroconf=zc))
                names.append(await adv.start(advert(title), 4433, ["127.0.0.1"]))
            seen: set[str] = set()
            while len(seen) < 3:
                event = await next_event(events, title)
                assert isinstance(event, SessionAppeared)
                seen.add(event.found.key)
            return names, seen

    names, seen = run(main)

    assert len(set(names)) == 3
    assert names[0] == f"{title}.{SERVICE_TYPE}"
    assert set(names) == seen
    assert all(n.startswith(title) for n in names)


def test_hostile_adverts_are_ignored_with_one_warning_each(
    title: str, caplog: pytest.LogCaptureFixture
) -> None:
    def hostile(text: bytes) -> AsyncServiceInfo:
        return AsyncServiceInfo(
            SERVICE_TYPE,
            f"{title} evil.{SERVICE_TYPE}",
            port=4433,
            properties=text,
            server="evil.local.",
            parsed_addresses=["127.0.0.1"],
        )

    async def main() -> list[DiscoveryEvent]:
        events: list[DiscoveryEvent] = []
        async with (
            Browser(events.append, interfaces=LOOPBACK) as browser,
            AsyncZeroconf(interfaces=LOOPBACK) as evil,
            Advertiser(interfaces=LOOPBACK) as good,
        ):
            await evil.async_register_service(hostile(b"\x05v=999\xffgarbage\x00"))
            await evil.async_update_service(hostile(b"\x03v=9"))
            await evil.async_update_service(
                hostile(b"".join(bytes([len(kv)]) + kv for kv in txt_with(title=b"\x1b[2J")))
            )
            # A valid session announced after the hostile ones: once it shows, the
            # browser has had the hostile records for a good while.
            await good.start(advert(title), 4434, ["127.0.0.1"])
            await next_event(browser.events(), title)
            assert [f.port for f in browser.snapshot() if f.key.startswith(title)] == [4434]
        return events

    with caplog.at_level(logging.WARNING, logger="huddle.net.discovery"):
        events = run(main)

    assert not [e for e in events if key_of(e).startswith(f"{title} evil")]
    ours = [e for e in events if key_of(e).startswith(title)]  # other runs may share loopback
    assert isinstance(ours[0], SessionAppeared) and ours[0].found.port == 4434
    warnings = [r for r in caplog.records if f"{title} evil" in r.getMessage()]
    assert 1 <= len(warnings) <= 3  # one per distinct bad record the browser got to see
    assert all(r.levelno == logging.WARNING and "\n" not in r.getMessage() for r in warnings)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def txt_with(**changes: bytes) -> list[bytes]:
    props = {**{k: v for k, v in encode_txt(advert("x")).items()}, **changes}
    return [k.encode() + b"=" + v for k, v in props.items()]


def test_a_failing_subscriber_does_not_stop_the_others(
    title: str, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(event: DiscoveryEvent) -> None:
        raise RuntimeError("subscriber bug")

    async def main() -> DiscoveryEvent:
        async with Browser(broken, interfaces=LOOPBACK) as browser, Advertiser() as adv:
            events = browser.events()
            await adv.start(advert(title), 4433, ["127.0.0.1"])
            return await next_event(events, title)

    with caplog.at_level(logging.ERROR, logger="huddle.net.discovery"):
        assert isinstance(run(main), SessionAppeared)
    assert "subscriber failed" in caplog.text


def test_find_sessions_returns_as_soon_as_the_wanted_one_shows(title: str) -> None:
    async def main() -> list[FoundSession]:
        async with Advertiser() as adv:
            await adv.start(advert(title), 4433, ["127.0.0.1"])
            loop = asyncio.get_running_loop()
            started = loop.time()
            found = await find_sessions(
                30.0,
                until=lambda sessions: bool(match_sessions(sessions, title)),
                interfaces=LOOPBACK,
            )
            assert loop.time() - started < 10.0
            return found

    assert [f.advert.title for f in match_sessions(run(main), title)] == [title]


# --- choosing a session by what a person typed -------------------------------------


def test_match_sessions_by_title_instance_or_id_prefix() -> None:
    def found(title: str, instance: str, sid: str) -> FoundSession:
        a = advert(title, session_id=bytes.fromhex(sid))
        return FoundSession(f"{instance}.{SERVICE_TYPE}", a, ("198.18.0.1",), 4433)

    lunch = found("Team lunch", "Team lunch", "ab" * 16)
    lunch2 = found("Team lunch", "Team lunch-2", "cd" * 16)
    raise_ = found("What was your 2026 raise? " + "x" * 150, "What was your", "ef" * 16)
    sessions = [lunch, lunch2, raise_]

    assert match_sessions(sessions, "team LUNCH") == [lunch, lunch2]
    assert match_sessions(sessions, "Team lunch-2") == [lunch2]
    assert match_sessions(sessions, "cdcd") == [lunch2]
    assert match_sessions(sessions, "what was your 2026") == [raise_]
    assert match_sessions(sessions, "abc") == []
    assert match_sessions(sessions, "") == []
