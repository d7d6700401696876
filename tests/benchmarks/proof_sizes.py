"""Range proofs per kind: sizes, prover and verifier time, soundness (a measurement, not a test).

For each family of kinds (issue 15), with and without a noise share:

- proof: what the prover publishes besides its masked vector y — the
  witness (bits) and the proof, in field elements and bytes (8 per element);
- message: one verifier's message for one contribution;
- prove: encode + joint randomness + prove (the prover's whole CPU cost);
- query: one verifier's query of one contribution (its own shares);
- decide: judging one contribution from the sum of its messages;
- member at n: what one member spends checking a round of n (protocol 4):
  n − 1 queries, one per colleague's contribution (its own shares, the
  public part folded into one of them), then n decisions, one per
  contribution, each on the sum of n − 1 messages. "single" is n − 1 calls
  of query and n of decide (measured, not multiplied out); "batched" one
  query_many of n − 1 rows and one decide_many of n;
- error: log2 of the soundness error with PROOFS proofs, for an honest draw
  (q = 1) and for a cheat who retries 2^40 contributions offline, and the
  latter with 3 proofs.

Noise bounds: a noise share NB(r, p) − NB(r, p) with r ≤ 1 is dominated by a
difference of geometric variables, so P(|share| > B) ≤ 2·(1 − p)^(B + 1) with
1 − p = exp(−ε/Δ); the bound below makes that at most 2^−40 per entry (ε = 1).

Times are the best of several runs on this machine (other helpers share its
two cores, so the median can be much worse).

    python tests/benchmarks/proof_sizes.py [--repeat 15]
"""

from __future__ import annotations

import argparse
import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from huddle.core import field
from huddle.core.flp import PROOFS, Bits, Contribution, Flp, OneHot, Range, Spread

PARTIES = (3, 8, 12, 30)
EPSILON = 1.0
TAIL_BITS = 40


def noise_bound(sensitivity: int, epsilon: float = EPSILON) -> int:
    """The smallest B with 2·exp(−ε(B + 1)/Δ) ≤ 2^−TAIL_BITS."""
    return max(1, math.ceil((TAIL_BITS + 1) * math.log(2) * sensitivity / epsilon) - 1)


@dataclass(frozen=True)
class Case:
    name: str
    kinds: str
    contribution: Contribution
    answer: list[int]
    noise: list[int]


def cases() -> list[Case]:
    rng = np.random.default_rng(15)
    out: list[Case] = []

    def add(
        name: str, kinds: str, answer_of: Callable[[], tuple[object, list[int]]], delta: int
    ) -> None:
        shape, x = answer_of()
        assert isinstance(shape, (Range, OneHot, Bits, Spread))
        out.append(Case(name, kinds, Contribution(shape), x, []))
        bound = noise_bound(delta)
        noise = rng.integers(-bound, bound + 1, len(x)).tolist()
        out.append(Case(f"{name} + noise (±{bound})", kinds, Contribution(shape, bound), x, noise))

    # average over [0, 100000] with 2 decimals: fixed-point 0 … 10^7
    add(
        "average [0, 1e5], 2 dp",
        "average / dp_average",
        lambda: (Range(0, 10**7), [5_432_100]),
        10**7,
    )
    hist = [0] * 1000
    hist[417] = 1
    add("histogram, 1000 bins", "histogram (noisy) / vote", lambda: (OneHot(1000), hist), 2)
    add("vote, 5 options", "vote / dp_vote / vote_outcome", lambda: (OneHot(5), [0, 0, 1, 0, 0]), 2)
    add("choice, 5 options", "choice", lambda: (Bits(5), [1, 0, 1, 1, 0]), 5)
    add("poll", "poll (no noise in Huddle)", lambda: (Bits(1), [1]), 1)
    # spread over [0, 100000], 0 decimals: u in −50000 … 50000, K = reach²/width
    reach, width = 50_000, 100_000
    factor = round(reach * reach / width)
    add(
        "spread [0, 1e5]",
        "spread / dp_spread",
        lambda: (Spread(-reach, reach, factor), [factor * 1234, 1234 * 1234]),
        factor * width + reach * reach,
    )
    return out


def best(fn: Callable[[], object], repeat: int) -> float:
    """The best wall time of ``repeat`` calls, in milliseconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times) * 1e3


def measure(case: Case, repeat: int) -> list[str]:
    contribution = case.contribution
    flp = Flp(contribution)
    seed = bytes(32)

    def prove() -> field.Vec:
        meas = contribution.encode(case.answer, case.noise)
        return flp.prove(meas, flp.prove_rand(seed), flp.joint_rand(seed))

    meas = contribution.encode(case.answer, case.noise)
    joint, query_rand = flp.joint_rand(seed), flp.query_rand(seed)
    proof = prove()
    message = flp.query(meas, proof, query_rand, joint, 1)
    assert flp.decide(message, joint)
    prove_ms = best(prove, repeat)
    query_ms = best(lambda: flp.query(meas, proof, query_rand, joint, 8), repeat)
    decide_ms = best(lambda: flp.decide(message, joint), repeat)
    published = (flp.meas_length - contribution.output_length) + flp.proof_length
    member = [member_ms(flp, case, n, repeat) for n in PARTIES]
    three = Flp(contribution, proofs=3)
    errors = (
        math.log2(flp.soundness_error()),
        math.log2(flp.soundness_error(2**40)),
        math.log2(three.soundness_error(2**40)),
    )
    return [
        case.name,
        f"{flp.meas_length - contribution.output_length}+{flp.proof_length}",
        f"{8 * published / 1024:.1f}",
        f"{flp.verifier_length}",
        f"{prove_ms:.2f}",
        f"{query_ms:.2f}",
        f"{decide_ms:.3f}",
        *(f"{single:.1f} / {batched:.1f}" for single, batched in member),
        f"{errors[0]:.0f} / {errors[1]:.0f} / {errors[2]:.0f}",
    ]


def member_ms(flp: Flp, case: Case, n: int, repeat: int) -> tuple[float, float]:
    """One member's checking in a round of n: (n − 1 queries and n decisions one
    call each, the same as one query_many and one decide_many), in ms.

    Every contribution has its own joint randomness and proof, and each
    decision sums n − 1 messages that add up to a valid one, so no check stops
    early. The shares queried are whole measurements: their values do not
    change the work.
    """
    meas = case.contribution.encode(case.answer, case.noise)
    joints = np.stack([flp.joint_rand(b"joint %d" % i) for i in range(n)])
    query_rand = flp.query_rand(b"query")
    proofs = np.stack([flp.prove(meas, flp.prove_rand(b"prove"), joint) for joint in joints])
    measurements = np.stack([meas] * n)
    rows = np.zeros((n, n - 1, flp.verifier_length), dtype=np.uint64)
    rows[:, 0] = flp.query_many(measurements, proofs, query_rand, joints, 1)

    def single() -> None:
        for i in range(n - 1):
            flp.query(measurements[i], proofs[i], query_rand, joints[i], n - 1)
        for i in range(n):
            assert flp.decide(field.total(rows[i], axis=0), joints[i])

    def batched() -> None:
        flp.query_many(measurements[1:], proofs[1:], query_rand, joints[1:], n - 1)
        assert all(flp.decide_many(field.total(rows, axis=1), joints))

    return best(single, max(3, repeat // 3)), best(batched, repeat)


def tradeoff(case: Case, repeat: int, n: int = 8) -> None:
    """Proof against message length for one case: `Flp`'s message_weight."""
    contribution = case.contribution
    meas = contribution.encode(case.answer, case.noise)
    witness = contribution.meas_length - contribution.output_length
    print(f"\n{case.name}: layouts by message weight (round traffic at n = {n}: each")
    print("witness and proof once to its designated verifier, every message to every member)")
    for weight in (1, 4, 8):
        flp = Flp(contribution, message_weight=weight)
        seed = bytes(32)
        joint, query_rand = flp.joint_rand(seed), flp.query_rand(seed)
        prove_rand = flp.prove_rand(seed)
        proof = flp.prove(meas, prove_rand, joint)
        prove_ms = best(lambda: flp.prove(meas, prove_rand, joint), repeat)  # noqa: B023
        query_ms = best(lambda: flp.query(meas, proof, query_rand, joint, n), repeat)  # noqa: B023
        traffic = 8 * (n * (witness + flp.proof_length) + n * (n - 1) * n * flp.verifier_length)
        print(
            f"  weight {weight}: proof {flp.proof_length}, message {flp.verifier_length}, "
            f"prove {prove_ms:.2f} ms, query {query_ms:.2f} ms, traffic {traffic / 1024:.0f} KiB"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    header = [
        "kind",
        "witness+proof (elements)",
        "KiB",
        "message",
        "prove ms",
        "query ms",
        "decide ms",
        *(f"member n={n} ms" for n in PARTIES),
        "log2 error q=1 / 2^40 / 3 proofs 2^40",
    ]
    rows = [header] + [measure(case, args.repeat) for case in cases()]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    print(f"PROOFS = {PROOFS}, Field64 (p = 2^64 − 2^32 + 1), ε = {EPSILON} for the noise bounds")
    for k, row in enumerate(rows):
        print(
            "  ".join(
                cell.rjust(w) if i else cell.ljust(w)
                for i, (cell, w) in enumerate(zip(row, widths, strict=True))
            )
        )
        if k == 0:
            print("  ".join("-" * w for w in widths))
    print("\nmember: single calls / batched (query_many and decide_many), in ms")
    print("\nkinds per row:")
    for case in cases()[::2]:
        print(f"  {case.name}: {case.kinds}")
    tradeoff(cases()[3], args.repeat)


if __name__ == "__main__":
    main()
