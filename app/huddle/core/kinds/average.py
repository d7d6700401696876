"""``average``: the exact group average. The vector is [x]."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from huddle.core.errors import SettingsError
from huddle.core.kinds.base import (
    About,
    AnswerForm,
    EpsilonText,
    Kind,
    number_circuit,
    plain_epsilon,
)
from huddle.core.kinds.settings import Settings
from huddle.core.kinds.summary import Figure, Released, Summary

if TYPE_CHECKING:
    from huddle.core import flp

NAME = "average"


class Average(Kind):
    name = NAME
    about = About(
        label="Group average",
        hint="Everyone learns the exact average, the total and how many took part.",
        answer=AnswerForm.NUMBER,
        flags=(),
    )

    def check(self, q: Settings, max_parties: int) -> None:
        if q.bins or q.epsilon:
            raise SettingsError(
                "Bars and a privacy setting ε only apply to a histogram or a noisy average."
            )

    def circuit(self, q: Settings) -> flp.Answer:
        return number_circuit(q)

    def reveals(
        self,
        q: Settings,
        people: int,
        *,
        at_least: bool = False,
        epsilon_text: EpsilonText = plain_epsilon,
    ) -> str:
        least = "at least " if at_least else ""
        intro = f"With {least}{people} people, everyone learns the average and the total."
        if people == 3:
            pooling = (
                "Any two of them together can work out the third's value from the average: "
                "they subtract their own two from the total."
            )
        else:
            pooling = (
                f"Any {people - 1} of them together can work out the remaining person's value "
                "from the average, by subtracting their own values from the total."
            )
        nobody = "Short of that, nobody — not even the host — learns anyone's value."
        return f"{intro} {pooling} {nobody}"

    def summarize(self, outcome: Released) -> Summary:
        q = outcome.question
        total = total_of(outcome)
        average = total / outcome.count
        return Summary(
            kind=self.name,
            title=q.title,
            unit=q.unit,
            people=outcome.count,
            headline=Figure(key="average", label="average", value=average),
            figures=(Figure(key="sum", label="total", value=total, extra_places=0),),
            reveals=self.reveals(q, outcome.count),
            fields={
                "sum": float(total),
                "average": float(average),
                "sum_exact": str(total),
                "average_exact": str(average),
            },
        )


def total_of(outcome: Released) -> Decimal:
    """The (noisy) sum of a one-number result, in the question's unit."""
    return outcome.question.fixed_point.decode(outcome.total[0])
