"""Every new kind of question end to end over real TLS sockets, n = 5 (issue 9).

Exact kinds must reproduce hand-computed results. Noisy kinds run many whole
sessions (about 50 ms each) with the real CSPRNG-seeded noise and coins, and
are checked statistically at α = 1e-6; each check is also run against a wrong
expectation to show it can fail.
"""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pytest
from scipy import stats

from huddle.core import noise, options, spread
from huddle.core import randomized_response as rr
from huddle.core.events import ResultReady, RosterChanged
from huddle.core.outcome import Outcome
from huddle.core.questions import (
    CHOICE,
    DP_SPREAD,
    DP_VOTE,
    POLL,
    SPREAD,
    VOTE,
    VOTE_OUTCOME,
    Question,
)

from .engines import FAST, auto_admit_host, joiner

ALPHA = 1e-6
NAMES = ("Ann", "Ben", "Cat", "Dan", "Eve")
DAYS = ("Mon", "Tue", "Wed")


def ballot(kind: str, epsilon: str = "") -> Question:
    lo, hi = options.value_range(len(DAYS))
    return Question(kind=kind, title="Day", options=DAYS, lo=lo, hi=hi, epsilon=epsilon)


async def session(question: Question, answers: list[str]) -> list[Outcome]:
    """One whole session: a coordinating host, five joiners; everyone's outcome."""
    host, host_events = await auto_admit_host(question, contributes=False, timeouts=FAST)
    parties = [joiner(host.port, name, timeouts=FAST) for name in NAMES]
    try:
        for (engine, rec, _), answer in zip(parties, answers, strict=True):
            await rec.wait_for(RosterChanged)
            engine.submit(answer)
        await host_events.wait_for(RosterChanged, test=lambda e: len(e.names) == 5 and e.code)  # type: ignore[attr-defined]
        host.start_round()
        got = [(await rec.wait_for(ResultReady)).outcome for _, rec, _ in parties]  # type: ignore[attr-defined]
        got.append((await host_events.wait_for(ResultReady)).outcome)  # type: ignore[attr-defined]
    finally:
        for engine, _, task in parties:
            engine.leave()
            await task
        await host.close()
    assert len({o.total for o in got}) == 1, "everyone gets the same result"
    return got


async def totals(question: Question, answers: list[str], runs: int) -> np.ndarray:
    return np.array([(await session(question, answers))[0].total for _ in range(runs)])


def noise_p(samples: np.ndarray, parties: int, epsilon: float, delta: int) -> float:
    """χ² of the noise against its exact pmf, over about 8 bins of equal probability
    (per-value bins would expect far too little each for wide noise)."""
    ks, pmf = noise.total_noise_pmf(parties, epsilon, delta, int(40 * delta / epsilon) + 50)
    cdf = np.cumsum(pmf)
    cuts = np.unique(ks[np.searchsorted(cdf, np.linspace(0, 1, 9)[1:-1])])
    index = np.searchsorted(cuts, samples.ravel(), side="left")  # bin i: cuts[i-1] < x ≤ cuts[i]
    observed = np.bincount(index, minlength=len(cuts) + 1)
    upper = np.concatenate([cdf[np.searchsorted(ks, cuts)], [1.0]])
    expected = np.diff(np.concatenate([[0.0], upper])) * samples.size
    return float(stats.chisquare(observed, expected * observed.sum() / expected.sum()).pvalue)


# --- exact kinds ------------------------------------------------------------------


async def test_an_exact_vote_gives_the_hand_counted_tallies() -> None:
    outcomes = await session(ballot(VOTE), ["Tue", "2", "wed", "Mon", "tue"])
    for o in outcomes:
        assert o.tallies == (1, 3, 1)
        assert o.as_dict()["leaders"] == ["Tue"] and o.as_dict()["majority"] is True


async def test_an_exact_spread_gives_the_hand_computed_deviation() -> None:
    q = Question(kind=SPREAD, title="Raise", lo="0", hi="5000", decimals=2, unit="EUR")
    values = ["3800", "2514", "2982", "3390", "1000.50"]
    (o, *_) = await session(q, values)
    # mean 13686.5 / 5; Σx² = 42145620.25; variance = 42145620.25/5 − 2737.3² = 936312.76
    assert o.moments.mean == Decimal("2737.3")
    assert o.moments.raw_variance == Decimal("936312.76")
    assert o.moments.deviation == Decimal("936312.76").sqrt(spread_context())
    assert o.moments.deviation == spread.exact_deviation([Decimal(v) for v in values])


def spread_context() -> object:
    from decimal import Context

    return Context(prec=40)


# --- noisy kinds, statistically ----------------------------------------------------------


@pytest.mark.parametrize("kind", [DP_VOTE, VOTE_OUTCOME])
async def test_noisy_tallies_carry_exactly_the_promised_noise(kind: str) -> None:
    exact = np.array([1, 3, 1])
    answers = ["Mon", "Tue", "Tue", "Wed", "Tue"]
    noisy = await totals(ballot(kind, "1"), answers, 40)
    samples = noisy - exact
    assert noise_p(samples, 5, 1.0, 2) > ALPHA
    assert noise_p(samples, 5, 3.0, 2) < ALPHA, "the same check rejects noise 3 times narrower"
    if kind == VOTE_OUTCOME:
        o = (await session(ballot(kind, "1"), answers))[0]
        assert "tallies" not in o.as_dict() and "raw_tallies" not in o.as_dict()
        assert o.leader.options == tuple(i for i, c in enumerate(o.total) if c == max(o.total))


async def test_a_private_choice_noises_every_count_for_the_whole_ballot() -> None:
    q = ballot(CHOICE, "2")
    answers = ["1,2", "2", "2,3", "1", "Tue"]
    exact = np.array([2, 4, 1])
    runs = 30
    samples, wins = [], 0
    for _ in range(runs):
        outcomes = await session(q, answers)
        assert len({o.winner for o in outcomes}) == 1, "every screen names the same winner"
        o = outcomes[0]
        samples.append(np.array(o.total) - exact)
        assert o.total[o.winner.option] == max(o.total)
        wins += o.winner.option == 1
    assert q.sensitivity == 3
    assert noise_p(np.array(samples), 5, 2.0, 3) > ALPHA
    assert noise_p(np.array(samples), 5, 2.0, 1) < ALPHA, "rejects noise sized for Δ = 1"
    assert wins > runs / 3  # the most approved wins more often than by chance


def pooled_chi2(counts: np.ndarray, probs: np.ndarray) -> float:
    """χ² with neighbouring values pooled until each bin expects at least 5."""
    expected = probs * counts.sum()
    obs_bins: list[float] = []
    exp_bins: list[float] = []
    o_acc = e_acc = 0.0
    for o, e in zip(counts, expected, strict=True):
        o_acc, e_acc = o_acc + o, e_acc + e
        if e_acc >= 5:
            obs_bins.append(o_acc)
            exp_bins.append(e_acc)
            o_acc = e_acc = 0.0
    obs_bins[-1] += o_acc
    exp_bins[-1] += e_acc
    return float(stats.chisquare(obs_bins, exp_bins).pvalue)


async def test_a_poll_sends_randomized_answers_whose_sum_has_the_exact_distribution() -> None:
    q = Question(kind=POLL, title="Leave", lo="0", hi="1")
    answers = ["yes", "yes", "yes", "no", "no"]  # three true yes
    runs = 60
    sent = (await totals(q, answers, runs))[:, 0]
    counts = np.bincount(sent, minlength=6)
    assert pooled_chi2(counts, rr.sent_pmf(5, 3)) > ALPHA
    truthful = np.full(runs, 3)  # an app that sent the true answers
    assert pooled_chi2(np.bincount(truthful, minlength=6), rr.sent_pmf(5, 3)) < ALPHA
    estimates = 2 * sent / 5 - 0.5
    z = (estimates.mean() - 0.6) / (estimates.std(ddof=1) / np.sqrt(runs))
    assert 2 * stats.norm.sf(abs(z)) > ALPHA, "the estimate is unbiased"
    (o, *_) = await session(q, answers)
    low, high = o.poll_interval
    assert 0 <= low <= high <= 1 and o.as_dict()["epsilon"] == pytest.approx(rr.EPSILON)


async def test_a_noisy_spread_noises_both_sums_with_one_scale() -> None:
    q = Question(kind=DP_SPREAD, title="Score", lo="0", hi="100", epsilon="2")
    answers = ["20", "40", "55", "70", "90"]
    exact = sum(
        np.array(spread.encode(q.fixed_point, Decimal(a), spread.layout(q.fixed_point, noisy=True)))
        for a in answers
    )
    samples = await totals(q, answers, 40) - exact
    assert noise_p(samples, 5, 2.0, q.sensitivity) > ALPHA
    assert noise_p(samples, 5, 2.0, q.sensitivity // 8) < ALPHA, "rejects noise 8 times narrower"
