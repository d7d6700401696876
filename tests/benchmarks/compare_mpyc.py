"""Huddle next to MPyC on the same job, parties as processes on 127.0.0.1.

    python tests/benchmarks/compare_mpyc.py [--parties 3 5 8 12] [--repeat 5] [--bins 1000]
                                            [--start-at-once]

Installs nothing: MPyC runs only when it is importable (`pip install '.[mpyc]'`).
For each party count it runs a secure sum of one number per party, then a
1000-bin histogram at 8 parties, and prints one table: median and min–max
round time for Huddle, for MPyC cold and for MPyC warm, and the ratio of
Huddle's median to warm MPyC's (the fair comparison: Huddle's parties have
rehearsed their round code in the lobby before the round starts).

Round time, per the issue: from everyone being connected with their values in
to the result at every party.
- MPyC cold: a fresh set of parties, timed on their first round: from the last
  party finishing `mpc.start()` (all connected) to the last party holding the
  output. This includes the one-time costs of a first run in a process.
- MPyC warm: another fresh set of parties that, once connected, first run the
  same computation on throwaway inputs, untimed, then synchronise (an
  all-to-all `mpc.transfer` that no party leaves before every party has
  finished that warm-up). Timed from the last party leaving the
  synchronisation to the last party holding the output of the second round,
  on the real inputs. This is the same warm start Huddle's parties get.
- Huddle: from the first party seeing "round started" to the last party
  holding the verified result — over TLS, with the shares' pairwise keys agreed
  by X25519 and every partial sum tagged for every recipient. The host starts
  the round once every party has reported the whole group with its value in
  (the counterpart of MPyC's `mpc.start()`), or, with --start-at-once, the
  moment the host has everyone, while parties are still taking in the last
  join. The host runs in this process (as `huddle host` would, on its own
  machine); the parties are processes.
Launch to exit is the wall time from starting the party processes to the last
exit (for Huddle this includes joining and being admitted; for warm MPyC, the
warm-up round and the synchronisation).

The results of the timed rounds are checked: Huddle's sums and MPyC's (cold
and warm) must equal the true sum, and MPyC's histograms the exact one.
Huddle's histogram is differentially private (noise added inside the protocol,
ε = 1), so its bars are checked against the exact ones within the 95 % error
bound (at least 90 % of bars must be inside it) instead of for equality.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib.util
import json
import os
import select
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the repository, for `tests`

from huddle.core.events import Event, JoinRequested, ResultReady, RosterChanged
from huddle.core.kinds import HISTOGRAM, equal_width_edges
from huddle.core.questions import Question
from huddle.net.host_engine import HostEngine
from tests.benchmarks.mpyc_tls import write_mpyc_certificates

HERE = Path(__file__).resolve().parent
PYTHON = sys.executable


@dataclass
class Runs:
    round_ms: list[float] = field(default_factory=list)
    launch_s: list[float] = field(default_factory=list)

    def cell(self) -> str:
        if not self.round_ms:
            return "-"
        return (
            f"{statistics.median(self.round_ms):8.1f} "
            f"({min(self.round_ms):.1f}-{max(self.round_ms):.1f})"
        )


def collect(procs: list[subprocess.Popen[str]]) -> list[dict[str, object]]:
    rows = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        if proc.returncode != 0:
            raise RuntimeError(f"a party failed: {err.strip()[-500:]}")
        rows.append(json.loads(out.strip().splitlines()[-1]))
    return rows


def run_mpyc(
    n: int, bins: int, warm: bool, tls_dir: Path | None = None
) -> tuple[float, float, list[list[int]]]:
    """Timed from the last party being connected (cold) or past the warm-up (warm).

    With `tls_dir` (certificates from `mpyc_tls`), the parties run there with
    MPyC's ``--ssl``: TLS between every pair, as Huddle's links always are.
    """
    mode = "warm" if warm else "cold"
    tls = ["--ssl"] if tls_dir else []
    started = time.perf_counter()
    procs = [
        subprocess.Popen(
            [PYTHON, str(HERE / "mpyc_party.py"), str(bins), mode, f"-M{n}", f"-I{i}", "--no-log",
             *tls],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tls_dir,
        )
        for i in range(n)
    ]  # fmt: skip
    rows = collect(procs)
    launch = time.perf_counter() - started
    t0 = max(float(r["t0"]) for r in rows)  # type: ignore[arg-type]
    t1 = max(float(r["t1"]) for r in rows)  # type: ignore[arg-type]
    return (t1 - t0) * 1000, launch, [list(r["total"]) for r in rows]  # type: ignore[call-overload]


def run_huddle(n: int, bins: int, at_once: bool) -> tuple[float, float, list[list[int]]]:
    return asyncio.run(_run_huddle(n, bins, at_once))


async def _run_huddle(n: int, bins: int, at_once: bool) -> tuple[float, float, list[list[int]]]:
    """The host runs here (its own engine, as `huddle host` would); the n parties are processes."""
    question = (
        Question(kind=HISTOGRAM, title="bench", lo="0", hi=str(bins), epsilon="1.0",
                 bins=equal_width_edges("0", str(bins), bins, 0))
        if bins
        else Question(title="bench")
    )  # fmt: skip
    everyone_in, host_done = asyncio.Event(), asyncio.Event()
    engine: HostEngine

    def on_event(event: Event) -> None:
        if isinstance(event, JoinRequested):
            engine.admit(event.conn)
        elif isinstance(event, RosterChanged) and len(event.names) == n and event.code:
            everyone_in.set()
        elif isinstance(event, ResultReady):
            host_done.set()

    engine = HostEngine(question, "bench host", on_event, contributes=False)
    port = await engine.start("127.0.0.1")
    started = time.perf_counter()
    procs = [
        subprocess.Popen(
            [PYTHON, str(HERE / "huddle_party.py"), str(port), str(i), str(n)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        )
        for i in range(n)
    ]  # fmt: skip
    pipes = [PartyPipe(proc) for proc in procs]
    try:
        await asyncio.wait_for(everyone_in.wait(), timeout=60)
        # As MPyC's clock starts once every party is through `mpc.start()`,
        # the round starts once every party has the whole group and its value.
        readiness = asyncio.gather(*(p.line() for p in pipes))
        if at_once:  # the worst case: Start lands while parties still take in the last join
            readiness.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await readiness
        else:
            await asyncio.wait_for(readiness, timeout=60)
        engine.start_round()
        await asyncio.wait_for(host_done.wait(), timeout=60)
        # The host has sent everyone the partial sums: its part is over, so
        # this process may now block on the parties' reports.
        rows = [json.loads(p.report()) for p in pipes]
    finally:
        for proc in procs:  # every party has its result (or failed): now they may go
            assert proc.stdin is not None
            proc.stdin.close()
        for proc in procs:
            proc.wait(timeout=60)
    launch = time.perf_counter() - started
    await engine.close()
    t0 = min(float(r["t0"]) for r in rows)
    t1 = max(float(r["t1"]) for r in rows)
    return (t1 - t0) * 1000, launch, [list(r["total"]) for r in rows]


class PartyPipe:
    """A party's stdout, read by line: watched by the event loop only while asked to.

    A party's report must not wake the host's event loop while other parties
    are still in the round, so `blocking_line` (after the host's part is done)
    reads without it.
    """

    def __init__(self, proc: subprocess.Popen[bytes]) -> None:
        assert proc.stdout is not None
        self.fd = proc.stdout.fileno()
        self.buffer = b""

    async def line(self) -> bytes:
        loop = asyncio.get_running_loop()
        got: asyncio.Future[None] = loop.create_future()

        def readable() -> None:
            if self._read_some() and not got.done():
                got.set_result(None)

        while b"\n" not in self.buffer:
            got = loop.create_future()
            loop.add_reader(self.fd, readable)
            try:
                await got
            finally:
                loop.remove_reader(self.fd)
        return self._take_line()

    def blocking_line(self) -> bytes:
        while b"\n" not in self.buffer:
            ready, _, _ = select.select([self.fd], [], [], 60)
            if not ready or not self._read_some():
                raise RuntimeError("a Huddle party failed")
        return self._take_line()

    def report(self) -> bytes:
        """The party's result line (after its "ready", if that was not read yet)."""
        line = self.blocking_line()
        return self.blocking_line() if line == b"ready" else line

    def _read_some(self) -> bool:
        data = os.read(self.fd, 65536)
        if not data:
            raise RuntimeError("a Huddle party failed")
        self.buffer += data
        return True

    def _take_line(self) -> bytes:
        line, _, self.buffer = self.buffer.partition(b"\n")
        return line


def check(n: int, bins: int, huddle: list[list[int]], mpyc: list[list[int]]) -> None:
    """Huddle's totals and MPyC's (empty without MPyC; cold and warm parties together)."""
    if any(t != huddle[0] for t in huddle):
        raise AssertionError("Huddle parties disagree")
    if bins == 0:
        expected = sum(1000 + i for i in range(n))
        if huddle[0] != [expected] or any(t != [expected] for t in mpyc):
            raise AssertionError(f"sums differ from {expected}: {huddle[0]} {mpyc[:1]}")
        return
    from huddle.core.noise import error_bound

    exact = [0] * bins
    for i in range(n):
        exact[(i * 7) % bins] += 1
    if any(t != exact for t in mpyc):
        raise AssertionError("MPyC's histogram is wrong")
    bound = error_bound(n, 1.0, 2)
    inside = sum(abs(h - e) <= bound for h, e in zip(huddle[0], exact, strict=True))
    if inside < 0.9 * bins:
        raise AssertionError(f"only {inside}/{bins} noisy bars within ±{bound}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parties", type=int, nargs="+", default=[3, 5, 8, 12])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--bins", type=int, default=1000, help="histogram bars (at 8 parties; 0 for none)"
    )
    parser.add_argument(
        "--start-at-once",
        action="store_true",
        help="start Huddle's round as soon as the host has everyone, not once every party "
        "reports it has the whole group",
    )
    args = parser.parse_args()
    have_mpyc = importlib.util.find_spec("mpyc") is not None
    if not have_mpyc:
        print("MPyC is not installed (pip install '.[mpyc]'): Huddle only.\n")
    jobs = [(n, 0) for n in args.parties] + ([(8, args.bins)] if args.bins else [])
    tls_dir = Path(tempfile.mkdtemp(prefix="mpyc-tls-"))
    write_mpyc_certificates(tls_dir, max(n for n, _ in jobs))
    print("round ms: median (min-max); ratios: Huddle's median / warm MPyC's (plain TCP, TLS)")
    print(
        f"{'job':<22}{'Huddle ms':>22}{'MPyC cold ms':>22}{'MPyC warm ms':>22}"
        f"{'MPyC warm TLS ms':>22}{'H/warm':>8}{'H/wTLS':>8}{'launch→exit s H/cold/warm':>27}"
    )
    try:
        for n, bins in jobs:
            print(one_row(n, bins, args.repeat, args.start_at_once, have_mpyc, tls_dir), flush=True)
    finally:
        shutil.rmtree(tls_dir, ignore_errors=True)


def one_row(n: int, bins: int, repeat: int, at_once: bool, have_mpyc: bool, tls_dir: Path) -> str:
    """Run one job `repeat` times, Huddle and each MPyC variant in turn, and format its row."""
    huddle, cold, warm, warm_tls = Runs(), Runs(), Runs(), Runs()
    for _ in range(repeat):
        ms, launch, h_totals = run_huddle(n, bins, at_once)
        huddle.round_ms.append(ms)
        huddle.launch_s.append(launch)
        m_totals: list[list[int]] = []
        if have_mpyc:
            variants = ((cold, False, None), (warm, True, None), (warm_tls, True, tls_dir))
            for runs, is_warm, tls in variants:
                ms, launch, totals = run_mpyc(n, bins, is_warm, tls)
                runs.round_ms.append(ms)
                runs.launch_s.append(launch)
                m_totals += totals
        check(n, bins, h_totals, m_totals)
    ratios = "".join(
        f"{statistics.median(huddle.round_ms) / statistics.median(runs.round_ms):>8.2f}"
        if runs.round_ms
        else f"{'-':>8}"
        for runs in (warm, warm_tls)
    )
    launches = "/".join(
        f"{statistics.median(runs.launch_s):.2f}" if runs.launch_s else "-"
        for runs in (huddle, cold, warm)
    )
    job = f"sum, {n} parties" if bins == 0 else f"{bins}-bin histogram, {n}"
    return (
        f"{job:<22}{huddle.cell():>22}{cold.cell():>22}{warm.cell():>22}{warm_tls.cell():>22}"
        f"{ratios}{launches:>27}"
    )


if __name__ == "__main__":
    main()
