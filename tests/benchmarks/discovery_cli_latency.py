"""From `huddle host` starting to `huddle sessions --watch` showing it on another machine.

Two network namespaces on a bridge (tests/net/netns.py). `huddle sessions --watch
--json` runs in one for the whole benchmark; each run starts a fresh
`huddle host` process in the other and times, from just before it is spawned,
until the watcher prints the session. Everything a person would wait for
counts: Python start-up and imports, the certificate, listening, zeroconf's
probing (~1.2 s) and the first announcement. Ctrl-C (SIGINT) then ends the
host, whose goodbye must make the watcher drop the session. Needs root.

    sudo .venv/bin/python tests/benchmarks/discovery_cli_latency.py [--runs 10]
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

TIMEOUT = 20.0


def is_event(kind: str, **want: str) -> Callable[[str], bool]:
    def test(line: str) -> bool:
        if not line.startswith("{"):
            return False
        data = json.loads(line)
        return data.get("event") == kind and all(data.get(k) == v for k, v in want.items())

    return test


def one_run(lan: netns.Lan, watcher: netns.Proc, index: int) -> float:
    """Seconds from starting a host until the watcher shows its session."""
    title = f"Latency run {index}"
    started = time.monotonic()
    host = lan.hosts[0].python(
        "-m", "huddle", "host", "--title", title, "--expect", "3", "--no-value", "--json"
    )
    line = watcher.expect(is_event("appeared", title=title), TIMEOUT)
    seen = time.monotonic() - started
    host.expect("Announced on the LAN", TIMEOUT)
    host.popen.send_signal(signal.SIGINT)
    watcher.expect(is_event("gone", key=json.loads(line)["key"]), TIMEOUT)
    host.popen.wait(TIMEOUT)
    return seen


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    reason = netns.unavailable()
    if reason is not None:
        print(f"skipped: {reason}", file=sys.stderr)
        return 2
    with netns.Lan(hosts=2) as lan:
        watcher = lan.hosts[1].python("-m", "huddle", "sessions", "--watch", "--json")
        watcher.expect("Watching for sessions", TIMEOUT)
        times = []
        for index in range(args.runs):
            times.append(one_run(lan, watcher, index))
            print(f"run {index + 1:2}: seen after {times[-1]:.3f} s", flush=True)
        watcher.popen.send_signal(signal.SIGINT)
        watcher.popen.wait(TIMEOUT)
    print(
        f"median {statistics.median(times):.3f} s over {len(times)} runs "
        f"(min {min(times):.3f}, max {max(times):.3f})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
