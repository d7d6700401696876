"""Real multicast mDNS between network namespaces: appear, update, goodbye, age out."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.net.netns import Host, Lan, Proc

pytestmark = pytest.mark.netns

PEER = ("-m", "tests.net.discovery_peer")
WAIT = 10.0  # probing takes ~1.2 s; generous for a loaded 2-core CI machine


def event(proc: Proc, kind: str, timeout: float = WAIT, **want: Any) -> dict[str, Any]:
    """The next JSON line of `kind` whose fields match `want`."""

    def matches(line: str) -> bool:
        if not line.startswith("{"):
            return False
        data = json.loads(line)
        return data["event"] == kind and all(data.get(k) == v for k, v in want.items())

    return dict(json.loads(proc.expect(matches, timeout)))


def browser(host: Host) -> Proc:
    proc = host.python(*PEER, "browse")
    event(proc, "ready")
    return proc


def advertiser(host: Host, title: str, *extra: str) -> tuple[Proc, str]:
    proc = host.python(*PEER, "advertise", "--title", title, "--host-name", host.netns, *extra)
    return proc, event(proc, "registered")["name"]


def test_session_appears_updates_and_goes(lan3: Lan) -> None:
    alice, bob, carol = lan3.hosts
    watchers = [browser(bob), browser(carol)]
    host, name = advertiser(alice, "Raise 2026")

    for watcher in watchers:
        seen = event(watcher, "appeared", key=name)
        assert seen["title"] == "Raise 2026"
        assert seen["joined"] == 0
        # Only the LAN address is announced: never loopback, never link-local.
        assert seen["addresses"] == [alice.address]

    host.send("joined 2")
    event(host, "updated")
    for watcher in watchers:
        assert event(watcher, "changed", key=name)["joined"] == 2

    host.send("close")
    event(host, "closed")
    for watcher in watchers:
        event(watcher, "gone", key=name)


def test_same_title_on_two_machines_gets_two_names(lan3: Lan) -> None:
    alice, bob, carol = lan3.hosts
    watcher = browser(carol)
    _, first = advertiser(alice, "Team lunch")
    _, second = advertiser(bob, "Team lunch")

    assert first == "Team lunch._huddle._tcp.local."
    assert second == "Team lunch-2._huddle._tcp.local."
    seen = {event(watcher, "appeared")["key"] for _ in range(2)}
    assert seen == {first, second}


def test_live_host_stays_and_crashed_host_ages_out(lan3: Lan) -> None:
    alice, bob, _ = lan3.hosts
    watcher = browser(bob)
    host, name = advertiser(alice, "Short lived", "--ttl", "2")
    event(watcher, "appeared", key=name)

    # Two full TTLs: the browser must refresh the records of a live host.
    with pytest.raises(TimeoutError):
        event(watcher, "gone", timeout=5.0)

    host.kill()  # no goodbye packet
    event(watcher, "gone", timeout=WAIT, key=name)
