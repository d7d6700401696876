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
from huddle.core.answers import YesNo
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
    typed, how = POLL_Q.randomize(YesNo(truth), coins(first, second))
    assert typed == YesNo(sent, randomized=True) and how == response
    assert from_ring(POLL_Q.encode_answer(typed)) == [int(sent)]  # no coin: sent as it is


def test_a_true_answer_is_randomized_inside_encode_answer_with_the_coins_given() -> None:
    assert from_ring(POLL_Q.encode_answer("yes", coins(True, False))) == [0]
    assert from_ring(POLL_Q.encode_answer("No", coins(True, True))) == [1]
    assert from_ring(POLL_Q.encode_answer(" 1 ", coins(False, True))) == [1]
    assert POLL_Q.check_answer("maybe") == "Answer yes or no."
    # No text says "randomized already": whatever is typed goes through the coins.
    assert POLL_Q.check_answer("randomized:yes") == "Answer yes or no."
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


# --- who flips: the poll kind, with coins its caller passes in -----------------------


def test_the_poll_kind_flips_with_the_coins_passed_in_and_says_how_they_fell() -> None:
    from huddle.core.answers import YesNo

    sent, response = POLL_Q.randomize(POLL_Q.parse_answer("yes"), coins(True, False))
    assert sent == YesNo(False, randomized=True)
    assert response == rr.Response(truth=True, first_heads=True, second_heads=False)
    assert from_ring(POLL_Q.encode_answer(sent)) == [0]  # no coin needed any more
    again, none = POLL_Q.randomize(sent, coins())  # randomized already: no flip
    assert again is sent and none is None


def test_without_coins_a_true_poll_answer_cannot_be_encoded() -> None:
    from huddle.core.errors import LocalProtocolError

    with pytest.raises(LocalProtocolError, match="randomized with this app's own coins"):
        POLL_Q.encode_answer("yes")


def test_a_coin_from_random_bytes_is_their_lowest_bit() -> None:
    source = iter([b"\x00", b"\x01", b"\xfe", b"\xff"])
    coin = rr.coin_from(lambda n: next(source))
    assert [coin() for _ in range(4)] == [False, True, False, True]


def test_each_participant_sends_what_its_own_coins_made_of_its_answer() -> None:
    from tests.core.harness import make_network

    net = make_network(POLL_Q)
    conns = [net.join(f"p{i}") for i in range(6)]
    responses = []
    for conn in conns:
        net.party_do(conn, net.parties[conn].submit("yes"))
        response = net.parties[conn].randomized
        assert response is not None and response.truth is True
        responses.append(response)
    net.host_do(net.host.start())
    assert net.host.outcome is not None
    assert net.host.outcome.total == (sum(r.sent for r in responses),)
    assert all(net.parties[c].randomized is None for c in conns)  # wiped with the answer
    assert all(net.parties[c].epsilon_spent == rr.EPSILON for c in conns)


def test_a_poll_costs_its_epsilon_once_a_noisy_kind_every_round() -> None:
    from huddle.core.kinds import equal_width_edges

    noisy = Question(
        kind="histogram", title="t", hi="10", bins=equal_width_edges("0", "10", 2, 0), epsilon="0.5"
    )
    assert POLL_Q.privacy_cost(published_before=False) == rr.EPSILON
    assert POLL_Q.privacy_cost(published_before=True) == 0.0
    assert noisy.privacy_cost(published_before=False) == 0.5
    assert noisy.privacy_cost(published_before=True) == 0.5
    assert Question(title="t").privacy_cost(published_before=False) == 0.0
