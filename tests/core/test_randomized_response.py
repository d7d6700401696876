"""Randomized response: the coins, the estimator and its interval (issue 9).

Tests that draw from the OS CSPRNG use a fixed significance α = 1e-6, so a
correct mechanism fails them about once in a million runs; each such test is
paired with a broken mechanism the same check rejects, to show it can fail.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable

import numpy as np
import pytest
from scipy import stats

from huddle.core import randomized_response as rr
from huddle.core.encoding import from_ring
from huddle.core.errors import InputError
from huddle.core.questions import POLL, Question

ALPHA = 1e-6
DRAWS = 20_000
POLL_Q = Question(kind=POLL, title="Did you take all your leave?", lo="0", hi="1")


def coins(*flips: bool) -> Callable[[], bool]:
    it = iter(flips)
    return lambda: next(it)


@pytest.mark.parametrize(
    ("truth", "first", "second", "sent"),
    [
        (True, False, False, True),  # tails: the truth
        (False, False, True, False),
        (True, True, False, False),  # heads: the second coin
        (False, True, True, True),
    ],
)
def test_the_article_s_two_coins(truth: bool, first: bool, second: bool, sent: bool) -> None:
    response = rr.respond(truth, coins(first, second))
    assert response.sent is sent
    assert rr.sent_text(response) == ("randomized:yes" if sent else "randomized:no")
    assert from_ring(POLL_Q.encode_answer(rr.sent_text(response))) == [int(sent)]


def test_a_true_answer_is_randomized_inside_encode_answer_with_the_coins_given() -> None:
    assert from_ring(POLL_Q.encode_answer("yes", coins(True, False))) == [0]
    assert from_ring(POLL_Q.encode_answer("No", coins(True, True))) == [1]
    assert from_ring(POLL_Q.encode_answer(" 1 ", coins(False, True))) == [1]
    assert POLL_Q.check_answer("maybe") == "Answer yes or no."
    assert POLL_Q.check_answer("randomized:maybe") == "Answer yes or no."
    with pytest.raises(InputError):
        POLL_Q.encode_answer("")


def sent_yes_rate(mechanism: Callable[[bool], bool], truth: bool) -> int:
    return sum(mechanism(truth) for _ in range(DRAWS))


def binomial_p(successes: int, p: float) -> float:
    return float(stats.binomtest(successes, DRAWS, p).pvalue)


@pytest.mark.parametrize(("truth", "rate"), [(True, 0.75), (False, 0.25)])
def test_sent_yes_frequencies_are_three_quarters_and_one_quarter(truth: bool, rate: float) -> None:
    def app(t: bool) -> bool:
        return rr.respond(t, rr.csprng_coin).sent

    assert binomial_p(sent_yes_rate(app, truth), rate) > ALPHA


def test_the_frequency_test_rejects_a_mechanism_with_a_biased_first_coin() -> None:
    rng = random.Random(9)  # a broken app: its first coin lands heads only 40 % of the time

    def broken(t: bool) -> bool:
        return rr.respond(t, coins(rng.random() < 0.4, rng.random() < 0.5)).sent

    assert binomial_p(sent_yes_rate(broken, True), 0.75) < ALPHA


def test_csprng_coins_are_fair_and_not_seeded() -> None:
    flips = [rr.csprng_coin() for _ in range(DRAWS)]
    assert binomial_p(sum(flips), 0.5) > ALPHA
    again = [rr.csprng_coin() for _ in range(64)]
    assert again != flips[:64]


@pytest.mark.parametrize("people", [3, 5, 20, 200])
def test_the_estimator_is_exactly_unbiased(people: int) -> None:
    """E[p̂] = k/n for every k, from the exact distribution of N."""
    n_values = np.arange(people + 1)
    for yes in range(people + 1):
        pmf = rr.sent_pmf(people, yes)
        assert pmf.sum() == pytest.approx(1.0)
        expected = float((pmf * (2 * n_values / people - 0.5)).sum())
        assert expected == pytest.approx(yes / people, abs=1e-12)


def simulate(people: int, yes: int, runs: int) -> np.ndarray:
    """N over ``runs`` polls of a population with ``yes`` true yes, CSPRNG coins."""
    truths = [True] * yes + [False] * (people - yes)
    return np.array([sum(rr.respond(t, rr.csprng_coin).sent for t in truths) for _ in range(runs)])


@pytest.mark.parametrize(("people", "yes"), [(5, 2), (30, 21), (100, 10)])
def test_the_estimator_is_unbiased_on_simulated_populations(people: int, yes: int) -> None:
    runs = 2000
    estimates = np.array([rr.estimate(int(n), people) for n in simulate(people, yes, runs)])
    z = (estimates.mean() - yes / people) / (estimates.std(ddof=1) / np.sqrt(runs))
    assert 2 * stats.norm.sf(abs(z)) > ALPHA


@pytest.mark.parametrize("people", [3, 5, 10, 50, 200])
def test_the_interval_covers_every_truth_at_least_95_percent_exactly(people: int) -> None:
    intervals = [rr.interval(n, people) for n in range(people + 1)]
    coverage = []
    for yes in range(people + 1):
        inside = [low <= yes <= high for low, high in intervals]
        coverage.append(float(rr.sent_pmf(people, yes)[inside].sum()))
    assert min(coverage) >= 0.95
    if people >= 50:  # not needlessly wide once the group is big enough
        assert float(np.mean(coverage)) <= 0.975


def test_simulated_coverage_is_about_the_stated_rate() -> None:
    people, runs = 40, 1500
    hits = 0
    for yes in (4, 20, 33):
        for n in simulate(people, yes, runs):
            low, high = rr.interval(int(n), people)
            hits += low <= yes <= high
    rate = hits / (3 * runs)
    assert float(stats.binomtest(hits, 3 * runs, 0.95, alternative="less").pvalue) > ALPHA
    assert rate < 0.99, f"coverage {rate:.3f}: the interval is far wider than it needs to be"


def test_a_naive_interval_would_fail_the_same_coverage_check() -> None:
    """The check can fail: p̂ ± one standard error covers about 68 %, not 95 %."""
    people, runs, yes = 40, 1500, 20
    hits = 0
    for n in simulate(people, yes, runs):
        q = min(max(int(n) / people, 1e-9), 1 - 1e-9)
        half = 2 * np.sqrt(q * (1 - q) / people)
        hits += abs(rr.estimate(int(n), people) - yes / people) <= half
    assert float(stats.binomtest(hits, runs, 0.95, alternative="less").pvalue) < ALPHA


def test_interval_ends_and_an_impossible_count() -> None:
    assert rr.interval(0, 3) == (0, 2)  # two of three true "yes" send none 4.7 % of the time
    assert rr.interval(3, 3) == (1, 3)
    assert rr.interval(0, 200) == (0, 0)  # no k explains it: the nearest end
    for people, n in itertools.product((5, 9), range(10)):
        low, high = rr.interval(min(n, people), people)
        assert 0 <= low <= high <= people
    assert pytest.approx(np.log(3)) == rr.EPSILON
    assert POLL_Q.release_epsilon == rr.EPSILON and not POLL_Q.is_private
