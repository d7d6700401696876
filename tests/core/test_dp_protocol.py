"""Noisy results computed inside the protocol, in memory (DESIGN.md §6).

Statistical tests draw noise from seeded generators (one fresh child of a
fixed `SeedSequence` per round, as the real CSPRNG-seeded generator is fresh
per round), so they are deterministic: they fail only if the code changes. One
test runs with the default CSPRNG to show that real runs differ.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from decimal import Decimal

import numpy as np
import pytest

from huddle.core import field, kinds, noise, proofs
from huddle.core.codec import FrameDecoder
from huddle.core.encoding import from_ring, vector_from_bytes, vector_to_bytes
from huddle.core.events import ResultReady
from huddle.core.messages import Partials, PartialSum, Unmask, Verify
from huddle.core.outcome import Outcome
from huddle.core.questions import DP_AVERAGE, HISTOGRAM, Question
from huddle.core.sharing import combine

from .harness import Network, make_network

RngFactory = Callable[[], np.random.Generator]

EDGES = kinds.equal_width_edges("0", "100", 10, 0)
HIST = Question(kind=HISTOGRAM, title="Commute", hi="100", bins=EDGES, epsilon="1.0")
VALUES = ["5", "15", "15", "55", "95"]  # n = 5
EXACT = [1, 2, 0, 0, 0, 1, 0, 0, 0, 1]


def seeded(seed: int) -> RngFactory:
    """A generator factory like `csprng_generator`, but reproducible."""
    root = np.random.SeedSequence(seed)
    return lambda: np.random.Generator(np.random.PCG64DXSM(root.spawn(1)[0]))


def play(
    question: Question,
    values: list[str],
    rngs: list[RngFactory] | None = None,
    tap: Callable[[str, int, bytes], bytes | None] | None = None,
) -> tuple[Network, list[int]]:
    net = make_network(question)
    conns = [
        net.join(f"p{i}", noise_rng=rngs[i]) if rngs else net.join(f"p{i}")
        for i in range(len(values))
    ]
    net.tap = tap
    for conn, value in zip(conns, values, strict=True):
        net.party_do(conn, net.parties[conn].submit(value))
    net.host_do(net.host.start())
    return net, conns


def outcomes(net: Network, conns: list[int]) -> list[Outcome]:
    return [e.outcome for c in conns for e in net.events[c] if isinstance(e, ResultReady)]


def test_n5_histogram_counts_are_noisy_and_sum_near_n() -> None:
    runs, n, bars = 40, len(VALUES), len(EXACT)
    raw: list[tuple[int, ...]] = []
    for run in range(runs):
        rngs = [seeded(1000 * run + i) for i in range(n)]
        net, conns = play(HIST, VALUES, rngs)
        got = outcomes(net, conns)
        assert len(got) == n and {o.raw_counts for o in got} == {net.host.outcome.raw_counts}  # type: ignore[union-attr]
        raw.append(got[0].raw_counts)
    counts = np.array(raw, dtype=np.float64)
    # The sum over the bars carries the noise of all bars: Var = bars · σ².
    sigma = noise.noise_std(n, 1.0, 2)
    mean_excess = float(counts.sum(axis=1).mean()) - n
    assert abs(mean_excess) <= 5 * sigma * math.sqrt(bars / runs)
    # The announced 95 % bound holds for (about) 95 % of the bars.
    bound = got[0].noise_bound
    assert bound == noise.error_bound(n, 1.0, 2) == 7
    inside = np.abs(counts - np.array(EXACT)) <= bound
    assert inside.mean() >= 0.92
    assert len(set(raw)) == runs  # every run is different
    assert tuple(EXACT) not in raw


def upward_into(frames: list[bytes]) -> Callable[[str, int, bytes], bytes]:
    """A tap recording every frame that reaches the host."""

    def spy(direction: str, conn: int, data: bytes) -> bytes:
        if direction == "up":
            frames.append(data)
        return data

    return spy


def test_real_runs_use_fresh_csprng_noise_and_the_host_holds_only_noisy_totals() -> None:
    totals = []
    for _ in range(3):
        received: list[bytes] = []
        net, conns = play(HIST, VALUES, tap=upward_into(received))
        host_outcome = net.host.outcome
        assert host_outcome is not None
        # Everything the host was sent: Hellos, code nonces, masked partial sums
        # with their proofs' public parts, the checks and, once every check
        # passed, the self-masks' pieces. Their total (the most it can compute)
        # is the noisy histogram everyone gets.
        messages = [m for frame in received for m in FrameDecoder().feed(frame)]
        partials = [vector_from_bytes(m.vector) for m in messages if isinstance(m, PartialSum)]
        opened = [m.pieces for m in messages if isinstance(m, Unmask)]
        assert len(partials) == len(opened) == len(VALUES)
        pieces = [blob[k : k + 32] for blob in opened for k in range(0, len(blob), 32)]
        assert len(pieces) == len(VALUES) * (len(VALUES) - 1)  # one per colleague each
        masked_total = combine(partials)
        assert from_ring(masked_total) != list(host_outcome.total)  # self-masked until opened
        unmasked = field.sub(masked_total, proofs.self_mask(pieces, len(EXACT)))
        assert from_ring(unmasked) == list(host_outcome.total)
        assert {o.raw_counts for o in outcomes(net, conns)} == {host_outcome.raw_counts}
        exact_bytes = vector_to_bytes(np.array(EXACT, dtype=np.uint64))
        assert not any(exact_bytes in frame for frame in received)
        totals.append(host_outcome.total)
    assert len(set(totals)) == 3, "three runs with the same answers gave equal noisy results"
    assert sum(t != tuple(EXACT) for t in totals) >= 2


def test_the_host_state_never_contains_the_exact_counts() -> None:
    net, _ = play(HIST, VALUES, [seeded(7 + i) for i in range(5)])
    exact = vector_to_bytes(np.array(EXACT, dtype=np.uint64))
    seen: list[object] = []

    def walk(obj: object, depth: int = 0) -> None:
        if depth > 6:
            return
        seen.append(obj)
        if isinstance(obj, dict):
            for v in obj.values():
                walk(v, depth + 1)
        elif isinstance(obj, list | tuple | set):
            for v in obj:
                walk(v, depth + 1)
        elif dataclasses.is_dataclass(obj) and not isinstance(obj, type):
            for f in dataclasses.fields(obj):
                walk(getattr(obj, f.name), depth + 1)
        elif hasattr(obj, "__dict__") and not isinstance(obj, type):
            walk(vars(obj), depth + 1)

    walk(net.host)
    partials = [o for o in seen if isinstance(o, PartialSum)]
    assert len(partials) == len(VALUES), "the walk must reach the stored partial sums"
    assert all(p.vector in seen and p.witness in seen and p.proof in seen for p in partials)
    assert [o for o in seen if isinstance(o, Verify)], "and the stored checks"
    for obj in seen:
        if isinstance(obj, bytes):
            assert exact not in obj
        if isinstance(obj, tuple) and obj and all(isinstance(x, int) for x in obj):
            assert list(obj) != EXACT
        if isinstance(obj, np.ndarray):
            assert list(obj.astype(np.int64)) != EXACT


def test_each_participant_adds_one_fresh_share_per_round_sized_for_the_round(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[tuple[int, object, int, int]] = []
    real = noise.noise_share

    def spy(
        parties: int,
        epsilon: float,
        sensitivity: int,
        size: int,
        rng: np.random.Generator,
        *,
        robust: int,
    ):  # type: ignore[no-untyped-def]
        calls.append((parties, epsilon, sensitivity, size))
        return real(parties, epsilon, sensitivity, size, rng, robust=robust)

    monkeypatch.setattr("huddle.core.participant.noise_share", spy)
    made: list[int] = []

    def counting() -> np.random.Generator:
        made.append(1)
        return noise.csprng_generator()

    q = Question(kind=HISTOGRAM, title="t", hi="100", bins=EDGES, epsilon="0.5")
    net, conns = play(q, [*VALUES, "75"], [counting] * 6)
    assert calls == [(6, q.privacy, 2, 10)] * 6 and len(made) == 6
    assert len(outcomes(net, conns)) == 6


def test_a_rerun_after_partial_sums_were_published_costs_epsilon_again() -> None:
    """A host could collect every partial sum, claim an abort and re-run: two releases.

    It cannot sum the stopped round (no self-mask was opened), but each
    noisy partial sum that left counts against the ledger anyway.
    """
    held: list[bytes] = []

    def withhold_results(direction: str, conn: int, data: bytes) -> bytes | None:
        if direction == "down" and isinstance(FrameDecoder().feed(data)[0], Partials):
            held.append(data)
            return None
        return data

    net, conns = play(HIST, VALUES, tap=withhold_results)
    assert held and not outcomes(net, conns)
    assert net.host.outcome is None
    assert all(net.parties[c].epsilon_spent == 1.0 for c in conns)
    # The host pretends the round failed and starts again; people agree to take part.
    net.tap = None
    net.host_do(net.host._abort("pretend", ()))
    net.host_do(net.host.start())
    for c in conns:
        net.party_do(c, net.parties[c].take_part())
    assert net.host.outcome is not None
    assert all(net.parties[c].epsilon_spent == 2.0 for c in conns)
    for c in conns:  # the second result arrived and the value was wiped
        assert net.parties[c].outcome is not None and not net.parties[c].has_value


def test_exact_average_draws_no_noise(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("huddle.core.participant.noise_share", lambda *a: pytest.fail("noise"))
    net, conns = play(Question(title="t", hi="100"), ["10", "20", "30"])
    assert {o.average for o in outcomes(net, conns)} == {Decimal(20)}
    assert all(net.parties[c].epsilon_spent == 0 for c in conns)


def test_the_value_kept_for_a_rerun_stays_noise_free() -> None:
    lost: list[int] = []

    def lose_one_partial(direction: str, conn: int, data: bytes) -> bytes | None:
        if direction == "up" and data[5] == PartialSum.TYPE and not lost:
            lost.append(conn)  # lost on the way, so the round cannot finish
            return None
        return data

    net, conns = play(HIST, VALUES, tap=lose_one_partial)
    net.host_do(net.host.cancel())
    assert lost
    for conn, value in zip(conns, VALUES, strict=True):
        kept = net.parties[conn]._value
        assert kept is not None and list(kept) == list(HIST.encode_answer(value))
        # ε counts for each round in which a partial sum (with our noise in it) went out.
        assert net.parties[conn].epsilon_spent == HIST.epsilon_value


# --- dp average -------------------------------------------------------------------

AVG = Question(kind=DP_AVERAGE, title="Raise", hi="5000", decimals=2, epsilon="1.0")
RAISES = ["3800", "2514", "2982", "3390", "5000"]


def test_dp_average_is_noisy_around_the_true_sum_with_a_public_count() -> None:
    runs, n = 30, len(RAISES)
    true_sum = sum(Decimal(v) for v in RAISES)
    sums: list[Decimal] = []
    for run in range(runs):
        net, conns = play(AVG, RAISES, [seeded(50_000 + 10 * run + i) for i in range(n)])
        got = outcomes(net, conns)
        assert {o.count for o in got} == {n} and len({o.sum for o in got}) == 1
        sums.append(got[0].sum)
    assert len(set(sums)) == runs
    sigma = noise.noise_std(n, 1.0, AVG.sensitivity) / 100  # value units
    mean = sum(sums, Decimal(0)) / runs
    assert abs(float(mean - true_sum)) <= 5 * sigma / math.sqrt(runs)
    bound = got[0].error_bound
    assert bound == Decimal(noise.error_bound(n, 1.0, 500_000)) / 100
    assert sum(abs(s - true_sum) <= bound for s in sums) >= 0.85 * runs
    assert got[0].average_error_bound == bound / n


def test_dp_average_post_processing_keeps_the_average_in_range() -> None:
    low = Outcome(AVG, 5, (-1_000_000,))
    assert low.raw_average == Decimal("-2000") and low.average == 0
    high = Outcome(AVG, 5, (5_000_000,))
    assert high.raw_average == Decimal("10000") and high.average == 5000
    d = high.as_dict()
    assert d["average"] == 5000.0 and d["raw_average"] == 10000.0 and d["epsilon"] == 1.0
    assert "sum_exact" not in d and "average_exact" not in d


def test_histogram_outcome_post_processing_and_dict() -> None:
    q = Question(kind=HISTOGRAM, title="t", hi="100", bins=("0", "50", "100"), epsilon="2")
    o = Outcome(q, 4, (-2, 7))
    assert o.counts == (0, 7) and o.raw_counts == (-2, 7)
    assert o.bin_edges == (Decimal(0), Decimal(50), Decimal(100))
    assert o.as_dict() == {
        "kind": "histogram",
        "title": "t",
        "unit": "",
        "participants": 4,
        "epsilon": 2.0,
        "tag": "",
        "bin_edges": ["0", "50", "100"],
        "counts": [0, 7],
        "raw_counts": [-2, 7],
        "error_bound": noise.error_bound(4, 2.0, 2),
        "confidence": 0.95,
        "withstands": 1,
        "epsilon_if_one_more_adds_none": noise.exposed_epsilon(4, 2.0, 2, 2, robust=1),
        "delta": noise.truncation_delta(2.0, 200, 2),
    }
