"""Round time and host memory for n headless parties on loopback (a benchmark, not a test).

The host runs as its own process (`huddle host --no-value`), so its peak
memory (VmHWM) is its own. The n contributors are in-process `JoinEngine`s on
one asyncio loop in this process: 100 Python processes do not fit on a 2-core
machine, and one loop gives a conservative figure (all parties' cryptography
runs on a single core, one after another).

Round time: from the first party seeing "round started" to the last party
holding the verified result.

    python tests/benchmarks/round_times.py [--parties 3 10 30 100] [--repeat 3]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import statistics
import subprocess
import sys
import threading
import time

from huddle.core.events import Event, ResultReady, RoundStarted, SessionEnded
from huddle.net.join_engine import JoinEngine


def wait_peak_rss_mb(pid: int) -> float:
    """Reap the child and return its peak resident memory (ru_maxrss, in kB on Linux)."""
    _, _, usage = os.wait4(pid, 0)
    return usage.ru_maxrss / 1024


async def one_round(n: int) -> tuple[float, float]:
    host = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "huddle",
            "host",
            "--title",
            "bench",
            "--no-value",
            "--expect",
            str(n),
            "--json",
            "--range",
            "0",
            "1000000",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert host.stderr is not None
    port = 0
    for line in host.stderr:
        if m := re.search(r"on port (\d+)", line):
            port = int(m.group(1))
            break
    threading.Thread(target=host.stderr.read, daemon=True).start()  # keep the pipe drained
    started: list[float] = []
    finished: list[float] = []
    done = asyncio.Event()
    failures: list[str] = []

    def on_event(event: Event) -> None:
        if isinstance(event, RoundStarted):
            started.append(time.perf_counter())
        elif isinstance(event, ResultReady):
            finished.append(time.perf_counter())
            if len(finished) == n:
                done.set()
        elif isinstance(event, SessionEnded):
            failures.append(event.reason)
            done.set()

    engines = [JoinEngine("127.0.0.1", port, f"p{i}", on_event) for i in range(n)]
    tasks = []
    for batch in range(0, n, 16):  # the host refuses floods of unidentified connections
        tasks += [asyncio.create_task(e.run()) for e in engines[batch : batch + 16]]
        while not failures and any(
            e.session is None or e.session.question is None for e in engines[: batch + 16]
        ):
            await asyncio.sleep(0.005)  # benchmark set-up only; not part of the measured round
    if failures:
        raise RuntimeError(failures[0])
    for i, engine in enumerate(engines):
        engine.submit(str(1000 + i))
    await asyncio.wait_for(done.wait(), timeout=300)
    if failures:
        raise RuntimeError(failures[0])
    memory = wait_peak_rss_mb(host.pid)
    for engine in engines:
        engine.leave()
    await asyncio.gather(*tasks, return_exceptions=True)
    return (max(finished) - min(started)) * 1000, memory


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--parties", type=int, nargs="+", default=[3, 10, 30, 100])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"{'parties':>8} {'round ms (median)':>18} {'min-max ms':>16} {'host peak MB':>13}")
    for n in args.parties:
        runs = [asyncio.run(one_round(n)) for _ in range(args.repeat)]
        times = [t for t, _ in runs]
        mem = max(m for _, m in runs)
        spread = f"{min(times):.1f}-{max(times):.1f}"
        print(f"{n:>8} {statistics.median(times):>18.1f} {spread:>16} {mem:>13.1f}")


if __name__ == "__main__":
    main()
