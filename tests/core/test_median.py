"""The median and quartiles kind: read from a noisy histogram, with an interval that holds
at least 95 % of the time and a "within ±X" that holds whenever the interval does.

Coverage is checked by drawing the noise the protocol adds (every bar's total noise
NB(r, p) − NB(r, p), r = n/(n−1)) on groups of different shapes; the same check
rejects an interval built without the noise's reach, so it can fail.
"""

from __future__ import annotations

import bisect
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest

from huddle.core import kinds, noise
from huddle.core.encoding import from_ring
from huddle.core.errors import SettingsError
from huddle.core.kinds import equal_width_edges, median
from huddle.core.outcome import Outcome
from huddle.core.questions import Question

KEYS = ("lower_quartile", "median", "upper_quartile")


def question(bars: int = 5, epsilon: str = "1", lo: str = "0", hi: str = "100") -> Question:
    edges = equal_width_edges(lo, hi, bars, 0)
    return Question(
        kind="median", title="Pay", unit="EUR", lo=lo, hi=hi, bins=edges, epsilon=epsilon
    )


def counts_of(q: Question, values: list[int]) -> list[int]:
    edges = q.edges
    counts = [0] * (len(edges) - 1)
    for v in values:
        counts[min(bisect.bisect_right(edges, Decimal(v)) - 1, len(counts) - 1)] += 1
    return counts


def truth(values: list[int], share: Fraction) -> tuple[Decimal, Decimal]:
    """The lowest and highest value any usual definition takes for this quantile."""
    ordered = sorted(values)
    low, high = median._ranks(share, len(values))
    return Decimal(ordered[low - 1]), Decimal(ordered[high - 1])


def coverage(q: Question, people: int, draw: str, runs: int, seed: int) -> tuple[float, float]:
    """How often all three intervals hold together, and how often the median's ±X does."""
    rng = np.random.default_rng(seed)
    p, r = noise.noise_probability(q.epsilon_value, 2), people / (people - 1)
    held = within = 0
    for _ in range(runs):
        if draw == "normal":
            values = [int(v) for v in np.clip(np.round(rng.normal(55, 15, people)), 0, 100)]
        else:
            values = [int(v) for v in np.clip(np.round(rng.exponential(12, people)), 0, 100)]
        counts = counts_of(q, values)
        drawn = rng.negative_binomial(r, p, len(counts)) - rng.negative_binomial(r, p, len(counts))
        read = median.quartiles(Outcome(q, people, tuple(int(c) for c in counts + drawn)))
        ok = True
        for share, key in median.QUANTILES:
            low, high = truth(values, share)
            ok &= read[key].interval[0] <= low and high <= read[key].interval[1]
        held += ok
        m, (low, high) = read["median"], truth(values, Fraction(1, 2))
        within += abs(low - m.value) <= m.within and abs(high - m.value) <= m.within
    return held / runs, within / runs


@pytest.mark.parametrize(
    ("people", "bars", "epsilon", "draw"),
    [
        (10, 5, "1", "normal"),
        (30, 10, "1", "skewed"),
        (100, 10, "1", "normal"),
        (60, 8, "4", "skewed"),
    ],
)
def test_the_intervals_hold_together_at_least_95_percent_of_the_time(
    people: int, bars: int, epsilon: str, draw: str
) -> None:
    held, within = coverage(question(bars, epsilon), people, draw, runs=400, seed=people)
    # At least 95 % is guaranteed (Lévy's inequality); rounding out to whole bars
    # makes it more. 400 draws at a true 95 % fall below 92.5 % about once in 100.
    assert held >= 0.925 and within >= held


def test_an_interval_without_the_noises_reach_is_caught_by_the_same_check(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(median, "rank_bound", lambda q, people: 0)
    held, _ = coverage(question(10, "1"), 30, "normal", runs=400, seed=3)
    assert held < 0.9


def test_without_noise_the_figures_are_the_groups_own() -> None:
    q = question(10, "10")
    values = [12, 25, 31, 44, 47, 52, 58, 63, 77, 95, 99]
    read = median.quartiles(Outcome(q, len(values), tuple(counts_of(q, values))))
    assert read["median"].interval[0] <= Decimal(52) <= read["median"].interval[1]
    # 5.5 of 11: half of one of the two people in 50-60, spread evenly over it: 52.5
    assert read["median"].value == Decimal("52.5")
    assert read["lower_quartile"].value <= read["median"].value <= read["upper_quartile"].value


def test_the_figure_stays_in_its_interval_and_within_is_its_farther_end() -> None:
    q = question(5, "1")
    read = median.quartiles(Outcome(q, 12, (0, -3, 9, 14, -1)))
    for key in KEYS:
        figure = read[key]
        low, high = figure.interval
        assert low <= figure.value <= high
        assert figure.within == max(figure.value - low, high - figure.value)
        assert low in q.edges and high in q.edges  # rounded out to whole bars


def test_noise_that_wipes_out_every_bar_still_gives_the_range() -> None:
    q = question(4, "1")
    read = median.quartiles(Outcome(q, 5, (-2, -1, -3, -1)))
    assert read["median"].interval == (Decimal(0), Decimal(100))
    assert read["median"].value == Decimal(50)


def test_the_summary_and_json_of_a_median() -> None:
    q = question(5, "1")
    outcome = Outcome(q, 40, (4, 12, 15, 6, 3))
    summary = outcome.summary
    assert summary.headline is not None and summary.headline.key == "median"
    assert [f.key for f in summary.figures] == ["lower_quartile", "upper_quartile"]
    assert [a.subject for a in summary.accuracy] == [
        "the lower quartile",
        "the median",
        "the upper quartile",
    ]
    assert summary.chart is not None and summary.chart.counts == (4, 12, 15, 6, 3)
    found = outcome.as_dict()
    read = median.quartiles(outcome)
    assert found["median"] == float(read["median"].value)
    assert found["median_interval"] == [float(v) for v in read["median"].interval]
    assert found["median_error_bound"] == float(read["median"].within)
    assert found["rank_error"] == median.rank_bound(q, 40) == noise.sum_bound(40, 1.0, 2, 4, 0.975)
    assert found["error_bound"] == noise.error_bound(40, 1.0, 2)
    assert found["epsilon"] == 1.0 and found["confidence"] == 0.95


def test_a_median_is_answered_and_noised_as_a_histogram() -> None:
    q = question(5, "0.5")
    assert q.is_private and q.sensitivity == 2 and q.vector_length == 5
    assert from_ring(q.encode_answer("45")) == [0, 0, 1, 0, 0]
    assert q.release_epsilon == 0.5 and kinds.BY_NAME["median"].about.bars
    with pytest.raises(SettingsError, match="at least 2 bars"):
        Question(kind="median", title="t", hi="100", bins=("0", "100"), epsilon="1")
    with pytest.raises(SettingsError, match="Choose the privacy setting"):
        Question(kind="median", title="t", hi="100", bins=("0", "50", "100"))


def test_the_preview_says_how_far_the_interval_reaches_and_warns_small_groups() -> None:
    kind = kinds.BY_NAME["median"]
    small = kind.preview(question(10, "1"), 10)
    assert small is not None and small.too_noisy and "20 places below the middle" in small.text
    large = kind.preview(question(5, "4"), 200)
    assert large is not None and not large.too_noisy
    assert large.text.startswith("With 200 people, the median's 95 % interval will reach")
