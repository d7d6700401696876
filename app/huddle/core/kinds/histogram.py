"""``histogram``: a noisy count per bar.

The vector is one-hot over B bars and each participant adds its discrete
Laplace noise share (`huddle.core.noise`) with Δ = 2: replacing one person's
answer moves one count down and another up.
"""

from __future__ import annotations

import bisect
from decimal import Decimal
from typing import TYPE_CHECKING

from huddle.core.kinds.base import (
    HISTOGRAM_SENSITIVITY,
    About,
    AnswerForm,
    EpsilonText,
    Flag,
    Kind,
    Takes,
    check_noise,
    edges,
    epsilon_of,
    noisy_words,
    plain_epsilon,
)
from huddle.core.kinds.settings import Settings
from huddle.core.kinds.summary import CONFIDENCE, Accuracy, Chart, Released, Summary, noise_bound

if TYPE_CHECKING:
    from huddle.core import flp

NAME = "histogram"


class Histogram(Kind):
    name = NAME
    private = True
    about = About(
        label="Histogram (private, noised)",
        hint="A bar chart of how many answers fall in each range, with noise.",
        answer=AnswerForm.NUMBER,
        flags=(
            Flag(
                name="--histogram",
                takes=Takes.BARS,
                help="release a noisy histogram with BINS equal bars over the range instead "
                "of the exact average (at most 1000 bars)",
            ),
            Flag(
                name="--bins",
                takes=Takes.EDGES,
                help="release a noisy histogram with these bar edges, LO first and HI last; "
                "a bar holds EDGE ≤ x < next EDGE, the last bar also HI",
            ),
        ),
        bars=True,
    )

    def check(self, q: Settings, max_parties: int) -> None:
        edges(q)
        check_noise(q, HISTOGRAM_SENSITIVITY, 1, max_parties)

    def vector_length(self, q: Settings) -> int:
        return len(q.bins) - 1

    def encode(self, q: Settings, value: Decimal) -> list[int]:
        """One-hot: bar i holds lo_i ≤ x < lo_(i+1); the last bar is closed."""
        bounds = edges(q)
        q.fixed_point.encode(value)  # the same range check as every kind
        bar = min(bisect.bisect_right(bounds, value) - 1, len(bounds) - 2)
        vector = [0] * (len(bounds) - 1)
        vector[bar] = 1
        return vector

    def circuit(self, q: Settings) -> flp.Answer:
        from huddle.core import flp

        return flp.OneHot(self.vector_length(q))

    def sensitivity(self, q: Settings) -> int:
        return HISTOGRAM_SENSITIVITY

    def reveals(
        self,
        q: Settings,
        people: int,
        *,
        at_least: bool = False,
        epsilon_text: EpsilonText = plain_epsilon,
    ) -> str:
        what = (
            f"Everyone learns roughly how many values fall in each of the {len(q.bins) - 1} bars."
        )
        return f"{what} {noisy_words(self.privacy_setting(q, epsilon_text))}"

    def summarize(self, outcome: Released) -> Summary:
        q, raw = outcome.question, outcome.total
        epsilon = epsilon_of(q)
        bound = noise_bound(outcome, epsilon, HISTOGRAM_SENSITIVITY)
        labels = tuple(f"{e:f}" for e in edges(q))
        return Summary(
            kind=self.name,
            title=q.title,
            unit=q.unit,
            people=outcome.count,
            accuracy=(
                Accuracy(of="counts", subject="each bar", within=Decimal(bound), counted="people"),
            ),
            chart=Chart(labels=labels, counts=raw, bound=bound, ceiling=outcome.count),
            reveals=self.reveals(q, outcome.count),
            epsilon=epsilon,
            fields={
                "epsilon": epsilon,
                "tag": q.tag,
                "bin_edges": list(labels),
                "counts": [max(0, c) for c in raw],
                "raw_counts": list(raw),
                "error_bound": bound,
                "confidence": CONFIDENCE,
            },
        )
