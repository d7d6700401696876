"""The discovery CLI between network namespaces: `huddle host` announces, `huddle
sessions` lists, `huddle join --session` finds, pins and joins, and a lying
announcement is caught by the certificate pin.

Every process is the real `huddle` command; tests wait on the lines it prints.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from decimal import Decimal
from typing import Any

import pytest

from tests.net.netns import REPO, Host, Lan, Proc

pytestmark = pytest.mark.netns

HUDDLE = ("-m", "huddle")
PEER = ("-m", "tests.net.discovery_peer")
WAIT = 15.0  # process start-up plus ~1.2 s of mDNS probing, on a loaded 2-core machine


def huddle(host: Host, *args: str) -> Proc:
    return host.python(*HUDDLE, *args)


def huddle_once(host: Host, *args: str) -> subprocess.CompletedProcess[str]:
    """Run `huddle ARGS` in `host`'s namespace to the end; stdout and stderr apart."""
    return subprocess.run(
        host.command(sys.executable, *HUDDLE, *args),
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=WAIT + 15,
        check=False,
    )


def listed(host: Host) -> list[dict[str, Any]]:
    """What `huddle sessions --json` shows from `host`."""
    proc = huddle_once(host, "sessions", "--json", "--timeout", "1.5")
    assert "Traceback" not in proc.stderr
    sessions: list[dict[str, Any]] = json.loads(proc.stdout)
    assert proc.returncode == (0 if sessions else 1), proc.stderr
    return sessions


def json_line(proc: Proc, timeout: float = WAIT, **want: Any) -> dict[str, Any]:
    """The next JSON object `proc` prints whose fields match `want`."""

    def matches(line: str) -> bool:
        if not line.startswith("{"):
            return False
        data = json.loads(line)
        return all(data.get(k) == v for k, v in want.items())

    return dict(json.loads(proc.expect(matches, timeout)))


def finish(proc: Proc, timeout: float = WAIT) -> int:
    return proc.popen.wait(timeout=timeout)


@pytest.fixture
def title() -> str:
    return f"Raise {os.urandom(3).hex()}"


def test_host_is_listed_joined_by_session_and_gone_after_close(lan3: Lan, title: str) -> None:
    alice, bob, carlos = lan3.hosts
    watcher = huddle(bob, "sessions", "--watch", "--json")
    watcher.expect("Watching for sessions", WAIT)
    host = huddle(
        alice, "host", "--title", title, "--expect", "3", "--value", "3800",
        "--name", "Alice", "--range", "0", "100000", "--json",
    )  # fmt: skip
    port = int(host.expect("Hosting", WAIT).split(" on port ")[1].split(".")[0])
    assert "huddle join --session" in host.expect("Announced on the LAN as", WAIT)

    # A one-shot listing from another machine, and the live one, both show it.
    (seen,) = [s for s in listed(carlos) if s["title"] == title]
    assert (seen["host"], seen["joined"], seen["state"]) == ("Alice", 1, "open")
    assert seen["address"] == f"{alice.address}:{port}"
    appeared = json_line(watcher, event="appeared", title=title)
    assert appeared["joined"] == 1

    # Bob joins by title; the announcement follows the lobby.
    bob_join = huddle(bob, "join", "--session", title.upper(), "--value", "2514",
                      "--name", "Bob", "--json")  # fmt: skip
    host.expect("Lobby: Alice, Bob —", WAIT)
    assert json_line(watcher, event="changed", title=title, joined=2)["state"] == "open"

    # Carlos joins by the start of the session id; the round starts with three.
    carlos_join = huddle(carlos, "join", "--session", seen["session_id"][:8],
                         "--value", "2986", "--name", "Carlos", "--json")  # fmt: skip
    results = [json_line(proc, kind="average") for proc in (host, bob_join, carlos_join)]
    assert {Decimal(r["average_exact"]) for r in results} == {Decimal(3100)}
    assert len({r["security_code"] for r in results}) == 1
    assert {tuple(r["names"]) for r in results} == {("Alice", "Bob", "Carlos")}
    assert [finish(proc) for proc in (host, bob_join, carlos_join)] == [0, 0, 0]

    # Closing said goodbye: the live list drops it, and a fresh look finds nothing.
    json_line(watcher, event="gone", key=appeared["key"])
    assert not [s for s in listed(carlos) if s["title"] == title]

    watcher.popen.send_signal(signal.SIGINT)  # Ctrl-C ends --watch, quietly
    assert finish(watcher) == 0
    procs = (watcher, host, bob_join, carlos_join)
    assert not any("Traceback" in line for proc in procs for line in proc.lines)


def test_lying_or_ambiguous_announcements_do_not_connect(lan3: Lan, title: str) -> None:
    alice, bob, carlos = lan3.hosts
    host = huddle(alice, "host", "--title", title, "--expect", "3", "--value", "1",
                  "--name", "Alice", "--no-advertise")  # fmt: skip
    port = host.expect("Hosting", WAIT).split(" on port ")[1].split(".")[0]
    # Someone announces Alice's address and port under her title, with another
    # certificate fingerprint: a stale or forged record.
    liar = alice.python(*PEER, "advertise", "--title", title, "--host-name", "Alice",
                        "--port", port)  # fmt: skip
    json_line(liar, event="registered")

    fooled = huddle_once(bob, "join", "--session", title, "--value", "5", "--name", "Bob")
    assert fooled.returncode == 1, fooled.stderr
    assert "This is not the host that was advertised" in fooled.stderr
    assert "Traceback" not in fooled.stderr

    # A second session with the same title elsewhere: the choice is refused, listed.
    other = carlos.python(*PEER, "advertise", "--title", title, "--host-name", "Carol")
    json_line(other, event="registered")
    ambiguous = huddle_once(bob, "join", "--session", title, "--value", "5")
    assert ambiguous.returncode == 2, ambiguous.stderr
    assert f"“{title}” matches 2 sessions" in ambiguous.stderr
    assert "Alice" in ambiguous.stderr and "Carol" in ambiguous.stderr

    missing = huddle_once(bob, "join", "--session", "No such session", "--timeout", "1")
    assert missing.returncode == 1, missing.stderr
    assert "No session called “No such session” was found" in missing.stderr

    host.popen.send_signal(signal.SIGINT)
    assert finish(host) == 130
