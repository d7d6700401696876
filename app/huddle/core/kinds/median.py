"""``median``: the median and quartiles, read from a noisy histogram over the range.

Everyone's answer is one-hot over B bars, noised exactly as a histogram's (Δ =
2), so nobody — not even every app, which sees the noisy counts to check the
host's sum — learns the exact distribution. The median and the quartiles are
then read from those counts alone: post-processing, no further privacy spent.

How they are read. With n people (public), the count below edge k is the sum of
the first k bars, so its noise is the sum of k bars' noise, S_k. Those are
partial sums of independent, symmetric noises, so by Lévy's inequality
P(max_k |S_k| > t) ≤ 2·P(|S_{B−1}| > t): with t the 97.5 % bound of |S_{B−1}|
(`noise.sum_bound`), every count below every edge is within ±t of the truth at
once, at least 95 % of the time. Then the value of rank r lies in a bar whose
lower edge has a noisy count below it of at most r − 1 + t and whose upper edge
at least r − t: the 95 % interval runs from the first such lower edge to the
last such upper edge, rounded out to whole bars, and holds for the median and
both quartiles together. The figure shown is read off the counts (negatives as
0, scaled to n, linear within a bar), kept inside its interval, and "within
±X" is the farther end of the interval from it — so that claim holds whenever
the interval does.

A quantile here is any value between the two ranks the usual definitions use
(for the median of an even group, the two middle values); the interval covers
them all.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from huddle.core import tallies
from huddle.core.kinds.base import (
    HISTOGRAM_SENSITIVITY,
    About,
    AnswerForm,
    EpsilonText,
    Flag,
    Preview,
    Takes,
    edges,
    epsilon_of,
    noisy_words,
    plain_epsilon,
)
from huddle.core.kinds.histogram import Histogram
from huddle.core.kinds.settings import Settings
from huddle.core.kinds.summary import (
    CONFIDENCE,
    Accuracy,
    Chart,
    Figure,
    Released,
    Summary,
    noise_bound,
)

NAME = "median"
DEFAULT_BARS = 10
QUANTILES = (
    (Fraction(1, 4), "lower_quartile"),
    (Fraction(1, 2), "median"),
    (Fraction(3, 4), "upper_quartile"),
)


class Median(Histogram):
    name = NAME
    about = About(
        label="Median and quartiles (private, noised)",
        hint="The median and the quartiles, read from a histogram with noise, so nobody "
        "sees the exact distribution.",
        answer=AnswerForm.NUMBER,
        flags=(
            Flag(
                name="--median",
                takes=Takes.SOME_BARS,
                bars=DEFAULT_BARS,
                help=f"the median and quartiles, read from a noisy histogram of BARS equal "
                f"bars over the range (default {DEFAULT_BARS}); nobody sees the exact "
                "distribution",
            ),
        ),
        bars=True,
    )

    def reveals(
        self,
        q: Settings,
        people: int,
        *,
        at_least: bool = False,
        epsilon_text: EpsilonText = plain_epsilon,
    ) -> str:
        what = (
            "Everyone learns a rough median and quartiles, read from roughly how many "
            f"values fall in each of the {len(q.bins) - 1} bars."
        )
        return f"{what} {noisy_words(self.privacy_setting(q, epsilon_text))}"

    def preview(self, q: Settings, people: int) -> Preview:
        shift = rank_bound(q, people)
        text = (
            f"With {people} people, the median's {round(CONFIDENCE * 100)} % interval will "
            f"reach from the value {shift} places below the middle to the one {shift} above, "
            "rounded out to whole bars."
        )
        if 2 * shift < people:
            return Preview(text)
        warning = (
            "That is half the group or more: the interval would span most of the range. "
            "Choose a larger ε, fewer bars, or wait for more people."
        )
        return Preview(f"{text} {warning}", too_noisy=True)

    def summarize(self, outcome: Released) -> Summary:
        q = outcome.question
        epsilon, read = epsilon_of(q), quartiles(outcome)
        figures = {
            key: Figure(
                key=key,
                label=key.replace("_", " "),
                value=r.value,
                interval=r.interval,
                extra_places=0,  # read off bars: more digits would claim more than is known
            )
            for key, r in read.items()
        }
        bound = noise_bound(outcome, epsilon, HISTOGRAM_SENSITIVITY)
        labels = tuple(f"{e:f}" for e in edges(q))
        return Summary(
            kind=self.name,
            title=q.title,
            unit=q.unit,
            people=outcome.count,
            headline=figures["median"],
            figures=(figures["lower_quartile"], figures["upper_quartile"]),
            accuracy=tuple(
                Accuracy(of=key, subject=f"the {key.replace('_', ' ')}", within=r.within)
                for key, r in read.items()
            ),
            chart=Chart(labels=labels, counts=outcome.total, bound=bound, ceiling=outcome.count),
            reveals=self.reveals(q, outcome.count),
            epsilon=epsilon,
            fields={
                "epsilon": epsilon,
                "tag": q.tag,
                "median": float(read["median"].value),
                "quartiles": [
                    float(read["lower_quartile"].value),
                    float(read["upper_quartile"].value),
                ],
                "median_interval": [float(v) for v in read["median"].interval],
                "quartile_intervals": [
                    [float(v) for v in read[key].interval]
                    for key in ("lower_quartile", "upper_quartile")
                ],
                "median_error_bound": float(read["median"].within),
                "rank_error": rank_bound(q, outcome.count),
                "bin_edges": list(labels),
                "counts": list(tallies.shown(outcome.total)),
                "raw_counts": list(outcome.total),
                "error_bound": bound,
                "confidence": CONFIDENCE,
            },
        )


@dataclass(frozen=True, slots=True)
class Read:
    """A quantile as read from noisy counts: the figure, and where the truth lies."""

    value: Decimal
    interval: tuple[Decimal, Decimal]
    """At `CONFIDENCE`, for the median and both quartiles together."""

    @property
    def within(self) -> Decimal:
        """± around ``value`` that holds whenever the interval does."""
        low, high = self.interval
        return max(self.value - low, high - self.value)


def rank_bound(q: Settings, people: int) -> int:
    """t: every count below an edge is within ±t people of the truth, all at once, at 95 %."""
    from huddle.core import noise

    terms = max(1, len(q.bins) - 2)  # the B − 1 inner edges' counts
    confidence = 1.0 - (1.0 - CONFIDENCE) / 2.0  # Lévy's inequality doubles the tail
    return noise.sum_bound(
        people, epsilon_of(q), HISTOGRAM_SENSITIVITY, terms, confidence, robust=q.robust
    )


def quartiles(outcome: Released) -> dict[str, Read]:
    """The lower quartile, the median and the upper quartile, each with its interval."""
    q, people = outcome.question, outcome.count
    bounds = edges(q)
    below = _noisy_below(outcome.total, people)
    shift = rank_bound(q, people)
    read = {}
    for share, key in QUANTILES:
        low_rank, high_rank = _ranks(share, people)
        interval = (
            _lowest_edge(bounds, below, low_rank - shift),
            _highest_edge(bounds, below, high_rank + shift - 1),
        )
        value = min(max(_estimate(bounds, outcome.total, share), interval[0]), interval[1])
        read[key] = Read(value, interval)
    return read


def _ranks(share: Fraction, people: int) -> tuple[int, int]:
    """The lowest and highest rank (1-based) a share's quantile may be taken at: between
    ⌈share·n⌉ and ⌊share·n⌋ + 1, and the two ranks linear interpolation uses."""
    position = share * (people - 1) + 1
    low = min(math.ceil(share * people), math.floor(position))
    high = max(math.floor(share * people) + 1, math.ceil(position))
    return max(1, low), min(people, high)


def _noisy_below(counts: tuple[int, ...], people: int) -> list[int]:
    """The noisy count below each edge: 0 below the first, exactly n below the last."""
    below = [0]
    for count in counts[:-1]:
        below.append(below[-1] + count)
    return [*below, people]


def _lowest_edge(bounds: tuple[Decimal, ...], below: list[int], least: int) -> Decimal:
    """The lower edge of the first bar whose upper edge has at least ``least`` below it."""
    bar = next(j for j in range(len(bounds) - 1) if below[j + 1] >= least)
    return bounds[bar]


def _highest_edge(bounds: tuple[Decimal, ...], below: list[int], most: int) -> Decimal:
    """The upper edge of the last bar whose lower edge has at most ``most`` below it."""
    bar = max(j for j in range(len(bounds) - 1) if below[j] <= most)
    return bounds[bar + 1]


def _estimate(bounds: tuple[Decimal, ...], counts: tuple[int, ...], share: Fraction) -> Decimal:
    """The quantile read off the counts: negatives as 0, scaled to add up to n, and the
    values of a bar spread evenly across it."""
    shown = tallies.shown(counts)
    total = sum(shown)
    if total == 0:  # noise wiped out every bar: nothing to go on but the range
        shown, total = tuple(1 for _ in counts), len(counts)
    target = Fraction(share) * total
    reached = Fraction(0)
    for bar, count in enumerate(shown):
        if count and reached + count >= target:
            inside = (target - reached) / count
            width = bounds[bar + 1] - bounds[bar]
            return bounds[bar] + width * Decimal(inside.numerator) / Decimal(inside.denominator)
        reached += count
    return bounds[-1]
