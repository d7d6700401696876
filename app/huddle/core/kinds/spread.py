"""``spread``: the exact average and standard deviation.

The vector is [K·u, u²] (`huddle.core.spread`), u the value centred on the
middle of the range; K = 1 for the exact kind.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from huddle.core import spread
from huddle.core.errors import SettingsError
from huddle.core.kinds.base import (
    About,
    AnswerForm,
    EpsilonText,
    Flag,
    Kind,
    plain_epsilon,
    scaled_range,
)
from huddle.core.kinds.settings import Settings
from huddle.core.kinds.summary import Figure, Released, Summary

if TYPE_CHECKING:
    from huddle.core import flp

NAME = "spread"


class Spread(Kind):
    name = NAME
    about = About(
        label="Average and spread",
        hint="The exact average and standard deviation.",
        answer=AnswerForm.NUMBER,
        flags=(Flag(name="--spread", help="the exact average and standard deviation"),),
    )

    def check(self, q: Settings, max_parties: int) -> None:
        if q.bins or q.epsilon:
            raise SettingsError(
                "Bars and a privacy setting ε only apply to a histogram or a noisy result."
            )
        spread.check_capacity(q.fixed_point, max_parties)

    def vector_length(self, q: Settings) -> int:
        return 2

    def layout(self, q: Settings) -> spread.Layout:
        return spread.layout(q.fixed_point, noisy=self.private)

    def encode(self, q: Settings, value: Decimal) -> list[int]:
        fp = q.fixed_point
        return spread.encode(fp, fp.clamp(value), self.layout(q))

    def circuit(self, q: Settings) -> flp.Answer:
        """[K·u, u²] with u = x·10^d − c for an x in the range (`huddle.core.spread`)."""
        from huddle.core import flp

        shape = self.layout(q)
        lo, hi = scaled_range(q)
        return flp.Spread(lo - shape.centre, hi - shape.centre, shape.factor)

    def moments(self, outcome: Released) -> spread.Moments:
        """Average and standard deviation (noisy ones kept within what is possible)."""
        q = outcome.question
        return spread.moments(q.fixed_point, self.layout(q), outcome.total, outcome.count)

    def reveals(
        self,
        q: Settings,
        people: int,
        *,
        at_least: bool = False,
        epsilon_text: EpsilonText = plain_epsilon,
    ) -> str:
        return (
            f"With {people} people, everyone learns the average and the spread (standard "
            "deviation). All but one of them together can work out the last person's value, "
            "and a spread of 0 reveals that everyone gave the same value. Short of that, "
            "nobody — not even the host — learns anyone's value."
        )

    def summarize(self, outcome: Released) -> Summary:
        q, m = outcome.question, self.moments(outcome)
        return Summary(
            kind=self.name,
            title=q.title,
            unit=q.unit,
            people=outcome.count,
            headline=Figure(key="average", label="average", value=m.mean),
            figures=(Figure(key="deviation", label="standard deviation", value=m.deviation),),
            reveals=self.reveals(q, outcome.count),
            fields={
                "average": float(m.mean),
                "standard_deviation": float(m.deviation),
                "average_exact": str(m.mean),
                "standard_deviation_exact": str(m.deviation),
            },
        )
