"""Accuracy and cost of the noisy histogram (a measurement, not a test).

1. Mean absolute error per bar of the released counts, for ε = 0.5, 1, 2 and
   n = 5, 20 contributors: complete rounds through the sans-IO state machines
   in memory (tests/core/harness.py), each with fresh CSPRNG noise, compared
   with the exact counts (known here, nowhere in the protocol). Shown next to
   the exact expectation E|noise| from the noise's pmf, and the 95 % bound.
   "clipped" is the error after the display's post-processing (negative
   counts shown as 0).
2. Protocol time of one round for B = 10 and B = 1000 bars, with the noise and
   with the noise share replaced by zeros (same code path otherwise), plus the
   time one participant spends drawing its noise share.

    python tests/benchmarks/dp_accuracy.py [--runs 200] [--timing-runs 5]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))  # the repository, for `tests`

from huddle.core import kinds, noise, participant
from huddle.core.questions import HISTOGRAM, Question
from tests.core.harness import make_network

BARS = 10


def histogram(bars: int, epsilon: float) -> Question:
    edges = kinds.equal_width_edges("0", str(10 * bars), bars, 0)
    return Question(
        kind=HISTOGRAM, title="bench", hi=str(10 * bars), bins=edges, epsilon=f"{epsilon:g}"
    )


def one_round(question: Question, values: list[int]) -> tuple[int, ...]:
    net = make_network(question)
    conns = [net.join(f"p{i}") for i in range(len(values))]
    for conn, value in zip(conns, values, strict=True):
        net.party_do(conn, net.parties[conn].submit(str(value)))
    net.host_do(net.host.start())
    assert net.host.outcome is not None
    return net.host.outcome.total


def exact_counts(values: list[int], bars: int) -> np.ndarray[Any, np.dtype[np.int64]]:
    return np.bincount(np.minimum(np.array(values) // 10, bars - 1), minlength=bars)


def expected_abs_noise(n: int, epsilon: float) -> float:
    ks, pmf = noise.total_noise_pmf(n, epsilon, 2, 400)
    return float(np.sum(np.abs(ks) * pmf))


def accuracy(runs: int, rng: random.Random) -> None:
    print(f"Mean absolute error per bar, B = {BARS}, {runs} rounds each (people per bar)")
    print(f"{'n':>4} {'ε':>5} {'MAE raw':>9} {'E|noise|':>9} {'clipped':>8} {'±95 %':>6}")
    for n in (5, 20):
        for epsilon in (0.5, 1.0, 2.0):
            q = histogram(BARS, epsilon)
            raw_err, clipped_err = [], []
            for _ in range(runs):
                values = [rng.randrange(0, 10 * BARS + 1) for _ in range(n)]
                got = np.array(one_round(q, values))
                truth = exact_counts(values, BARS)
                raw_err.append(np.abs(got - truth).mean())
                clipped_err.append(np.abs(np.maximum(got, 0) - truth).mean())
            print(
                f"{n:>4} {epsilon:>5g} {statistics.fmean(raw_err):>9.2f} "
                f"{expected_abs_noise(n, epsilon):>9.2f} {statistics.fmean(clipped_err):>8.2f} "
                f"{noise.error_bound(n, epsilon, 2):>6}"
            )


@contextmanager
def zero_noise() -> Iterator[None]:
    """Replace the noise share by zeros: the same protocol, without the draws."""

    def zeros(parties: int, epsilon: float, sensitivity: int, size: int, rng: Any) -> Any:
        return np.zeros(size, dtype=np.int64)

    setattr(participant, "noise_share", zeros)  # noqa: B010 - the module re-exports nothing
    try:
        yield
    finally:
        setattr(participant, "noise_share", noise.noise_share)  # noqa: B010


def timed(fn: Callable[[], object], repeat: int) -> float:
    """Median wall time of ``fn`` in milliseconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


def timing(repeat: int, rng: random.Random) -> None:
    print(f"\nOne round in memory, all parties on one core (median of {repeat}, ms)")
    print(f"{'n':>4} {'B':>5} {'with noise':>11} {'no noise':>9} {'noise share':>12}")
    for n in (5, 20):
        for bars in (10, 1000):
            q = histogram(bars, 1.0)
            values = [rng.randrange(0, 10 * bars + 1) for _ in range(n)]
            noisy = timed(lambda q=q, v=values: one_round(q, v), repeat)  # type: ignore[misc]
            with zero_noise():
                plain = timed(lambda q=q, v=values: one_round(q, v), repeat)  # type: ignore[misc]
            draw = timed(
                lambda bars=bars, n=n: noise.noise_share(  # type: ignore[misc]
                    n, 1.0, 2, bars, noise.csprng_generator()
                ),
                50,
            )
            print(f"{n:>4} {bars:>5} {noisy:>11.1f} {plain:>9.1f} {draw:>12.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--runs", type=int, default=200, help="rounds per (n, ε) for accuracy (0: timing only)"
    )
    parser.add_argument("--timing-runs", type=int, default=5, help="rounds per timing figure")
    args = parser.parse_args()
    rng = random.Random(2026)  # the answers only; the noise is always fresh CSPRNG noise
    if args.runs > 0:
        accuracy(args.runs, rng)
    timing(args.timing_runs, rng)


if __name__ == "__main__":
    main()
