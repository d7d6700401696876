"""From a host starting to another machine seeing its session on the LAN.

Two network namespaces on a bridge (tests/net/netns.py). A watcher runs in one
for the whole benchmark; each run starts a fresh host process in the other and
times, from just before it is spawned, until the watcher prints the session.
Everything a person would wait for counts: Python start-up and imports, (for
`huddle host`) the certificate and listening, zeroconf's probing (~1.2 s: a
random 150-250 ms wait, then three probes 500 ms apart) and the first
announcement. The host then says goodbye, which must make the watcher drop the
session. Needs root.

Default: `huddle host` watched by `huddle sessions --watch --json`. With
`--library`: the bare Advertiser/Browser (tests/net/discovery_peer.py), which
shows how much of the figure is zeroconf itself.

    sudo .venv/bin/python tests/benchmarks/discovery_latency.py [--runs 10] [--library]
"""

from __future__ import annotations

import argparse
import json
import signal
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.net import netns

PEER = ("-m", "tests.net.discovery_peer")
TIMEOUT = 20.0


def is_event(kind: str, **want: str) -> Callable[[str], bool]:
    def test(line: str) -> bool:
        if not line.startswith("{"):
            return False
        data = json.loads(line)
        return data.get("event") == kind and all(data.get(k) == v for k, v in want.items())

    return test


def start_watcher(host: netns.Host, library: bool) -> netns.Proc:
    if library:
        watcher = host.python(*PEER, "browse")
        watcher.expect(is_event("ready"), TIMEOUT)
    else:
        watcher = host.python("-m", "huddle", "sessions", "--watch", "--json")
        watcher.expect("Watching for sessions", TIMEOUT)
    return watcher


def one_run(lan: netns.Lan, watcher: netns.Proc, index: int, library: bool) -> float:
    """Seconds from starting a host until the watcher shows its session."""
    title = f"Latency run {index}"
    started = time.monotonic()
    if library:
        host = lan.hosts[0].python(*PEER, "advertise", "--title", title)
    else:
        argv = ("host", "--title", title, "--expect", "3", "--no-value", "--json")
        host = lan.hosts[0].python("-m", "huddle", *argv)
    line = watcher.expect(is_event("appeared", title=title), TIMEOUT)
    seen = time.monotonic() - started
    if library:
        host.send("close")
    else:
        host.expect("Announced on the LAN", TIMEOUT)
        host.popen.send_signal(signal.SIGINT)
    watcher.expect(is_event("gone", key=json.loads(line)["key"]), TIMEOUT)
    if library:
        host.stop()
    else:
        host.popen.wait(TIMEOUT)
    return seen


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--library", action="store_true", help="bare zeroconf peers, no CLI")
    args = parser.parse_args()
    reason = netns.unavailable()
    if reason is not None:
        print(f"skipped: {reason}", file=sys.stderr)
        return 2
    with netns.Lan(hosts=2) as lan:
        watcher = start_watcher(lan.hosts[1], args.library)
        times = []
        for index in range(args.runs):
            times.append(one_run(lan, watcher, index, args.library))
            print(f"run {index + 1:2}: seen after {times[-1]:.3f} s", flush=True)
        if not args.library:
            watcher.popen.send_signal(signal.SIGINT)  # `huddle sessions` ends on Ctrl-C
        watcher.stop()
    print(
        f"median {statistics.median(times):.3f} s over {len(times)} runs "
        f"(min {min(times):.3f}, max {max(times):.3f})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
