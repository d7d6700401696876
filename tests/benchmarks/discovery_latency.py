"""How long from starting a host process until another machine sees its session?

Two network namespaces on a bridge (tests/net/netns.py). A browser runs in one;
each run starts a fresh advertiser process in the other and times, from just
before it is spawned, until the browser prints the session. Process start-up
(Python, imports), zeroconf's probing (~1.2 s: a random 150-250 ms wait, then
three probes 500 ms apart) and the first announcement all count. Needs root.

    sudo .venv/bin/python tests/benchmarks/discovery_latency.py [--runs 10]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.net import netns

PEER = ("-m", "tests.net.discovery_peer")
TIMEOUT = 20.0


def is_event(kind: str, key: str | None = None) -> Callable[[str], bool]:
    def test(line: str) -> bool:
        if not line.startswith("{"):
            return False
        data = json.loads(line)
        return bool(data["event"] == kind and (key is None or data.get("key") == key))

    return test


def one_run(lan: netns.Lan, browser: netns.Proc, index: int) -> float:
    host = lan.hosts[0]
    started = time.monotonic()
    advertiser = host.python(*PEER, "advertise", "--title", f"Latency run {index}")
    line = browser.expect(is_event("appeared"), TIMEOUT)
    elapsed = time.monotonic() - started
    key = json.loads(line)["key"]
    advertiser.send("close")
    browser.expect(is_event("gone", key), TIMEOUT)
    advertiser.stop()
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    reason = netns.unavailable()
    if reason is not None:
        print(f"skipped: {reason}", file=sys.stderr)
        return 2
    with netns.Lan(hosts=2) as lan:
        browser = lan.hosts[1].python(*PEER, "browse")
        browser.expect(is_event("ready"), TIMEOUT)
        times = []
        for index in range(args.runs):
            times.append(one_run(lan, browser, index))
            print(f"run {index + 1:2}: {times[-1]:.3f} s", flush=True)
    print(
        f"median {statistics.median(times):.3f} s over {len(times)} runs "
        f"(min {min(times):.3f}, max {max(times):.3f})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
