"""``dp_average``: a noisy average.

The vector is [clamp(x)] plus noise with Δ = (hi − lo)·10^d fixed-point units;
the number of contributors is public.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from huddle.core.errors import SettingsError
from huddle.core.kinds.average import total_of
from huddle.core.kinds.base import (
    About,
    AnswerForm,
    EpsilonText,
    Flag,
    Kind,
    check_noise,
    epsilon_of,
    noisy_words,
    number_circuit,
    plain_epsilon,
)
from huddle.core.kinds.settings import Settings
from huddle.core.kinds.summary import (
    CONFIDENCE,
    Accuracy,
    Figure,
    Released,
    Summary,
    noise_bound,
)

if TYPE_CHECKING:
    from huddle.core import flp

NAME = "dp_average"


class DpAverage(Kind):
    name = NAME
    private = True
    about = About(
        label="Average (private, noised)",
        hint="The average with noise added, so no exact figure exists.",
        answer=AnswerForm.NUMBER,
        flags=(
            Flag(
                name="--dp-average",
                help="release a noisy average: the total of the values (kept within the "
                "range) gets noise; the number of people is exact",
            ),
        ),
    )

    def check(self, q: Settings, max_parties: int) -> None:
        if q.bins:
            raise SettingsError("Bars only apply to a histogram, not to an average.")
        fp = q.fixed_point
        largest = max(abs(fp.lo), abs(fp.hi)) * fp.scale
        check_noise(q, self.sensitivity(q), largest, max_parties)

    def encode(self, q: Settings, value: Decimal) -> list[int]:
        # People are refused out-of-range input before this (FixedPoint.parse);
        # the clamp is the mechanism's own guarantee that Δ bounds any change.
        fp = q.fixed_point
        return [fp.encode(fp.clamp(value))]

    def circuit(self, q: Settings) -> flp.Answer:
        return number_circuit(q)

    def sensitivity(self, q: Settings) -> int:
        fp = q.fixed_point
        return math.ceil((fp.hi - fp.lo) * fp.scale)

    def reveals(
        self,
        q: Settings,
        people: int,
        *,
        at_least: bool = False,
        epsilon_text: EpsilonText = plain_epsilon,
    ) -> str:
        what = "Everyone learns a rough average; values are kept within the allowed range."
        return f"{what} {noisy_words(self.privacy_setting(q, epsilon_text))}"

    def summarize(self, outcome: Released) -> Summary:
        q, noisy = outcome.question, noisy_average(outcome)
        within = noisy.average_error_bound
        return Summary(
            kind=self.name,
            title=q.title,
            unit=q.unit,
            people=outcome.count,
            headline=Figure(
                key="average",
                label="average",
                value=noisy.average,
                interval=(noisy.average - within, noisy.average + within),
            ),
            figures=(Figure(key="sum", label="total", value=noisy.sum, extra_places=0),),
            accuracy=(
                Accuracy(of="average", subject="the average", within=within),
                Accuracy(of="sum", subject="the total", within=noisy.error_bound),
            ),
            reveals=self.reveals(q, outcome.count),
            epsilon=noisy.epsilon,
            fields={
                "epsilon": noisy.epsilon,
                "tag": q.tag,
                "sum": float(noisy.sum),
                "average": float(noisy.average),
                "raw_average": float(noisy.raw_average),
                "sum_decimal": str(noisy.sum),  # noisy, never "exact"
                "average_decimal": str(noisy.average),
                "error_bound": float(noisy.error_bound),
                "average_error_bound": float(within),
                "confidence": CONFIDENCE,
            },
        )


@dataclass(frozen=True, slots=True)
class NoisyAverage:
    """A noisy average and how far its noise may reach, at `CONFIDENCE`."""

    epsilon: float
    people: int
    sum: Decimal
    raw_average: Decimal
    """The noisy sum over the count, before any post-processing."""
    average: Decimal
    """Kept inside the allowed range (post-processing)."""
    noise_bound: int
    """Ring units."""
    error_bound: Decimal
    """Of the sum, in the question's unit."""

    @property
    def average_error_bound(self) -> Decimal:
        return self.error_bound / self.people


def noisy_average(outcome: Released) -> NoisyAverage:
    q = outcome.question
    fp, epsilon = q.fixed_point, epsilon_of(q)
    total = total_of(outcome)
    raw = total / outcome.count
    bound = noise_bound(outcome, epsilon, DpAverage().sensitivity(q))
    people = outcome.count
    return NoisyAverage(epsilon, people, total, raw, fp.clamp(raw), bound, fp.decode(bound))
