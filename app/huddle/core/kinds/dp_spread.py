"""``dp_spread``: the average and standard deviation with noise.

[K·u, u²] as for a spread, with K chosen so both elements are equally
sensitive (`huddle.core.spread`), and noise of scale Δ/ε on each.
"""

from __future__ import annotations

from decimal import Decimal

from huddle.core import spread
from huddle.core.errors import SettingsError
from huddle.core.kinds.base import (
    About,
    AnswerForm,
    EpsilonText,
    Flag,
    check_noise,
    epsilon_of,
    plain_epsilon,
)
from huddle.core.kinds.settings import Settings
from huddle.core.kinds.spread import Spread
from huddle.core.kinds.summary import (
    CONFIDENCE,
    Accuracy,
    Figure,
    Released,
    Summary,
    noise_bound,
)

NAME = "dp_spread"


class DpSpread(Spread):
    name = NAME
    private = True
    about = About(
        label="Average and spread (private, noised)",
        hint="The average and standard deviation with noise added.",
        answer=AnswerForm.NUMBER,
        flags=(Flag(name="--dp-spread", help="a noisy average and standard deviation"),),
    )

    def check(self, q: Settings, max_parties: int) -> None:
        if q.bins:
            raise SettingsError("Bars only apply to a histogram.")
        shape = self.layout(q)
        check_noise(q, shape.sensitivity, shape.largest, max_parties)

    def sensitivity(self, q: Settings) -> int:
        return self.layout(q).sensitivity

    def deviation_interval(self, outcome: Released) -> tuple[Decimal, Decimal]:
        """Where the true standard deviation lies, at 95 %."""
        q = outcome.question
        # Each of the two sums within its 97.5 % bound: both hold at least 95 % of the time.
        bound = noise_bound(outcome, epsilon_of(q), self.sensitivity(q), 0.975)
        shape = self.layout(q)
        return spread.deviation_interval(q.fixed_point, shape, outcome.total, outcome.count, bound)

    def mean_error_bound(self, outcome: Released) -> Decimal:
        """At 95 %: how far the noisy average may be from the true one."""
        q, shape = outcome.question, self.layout(outcome.question)
        bound = Decimal(noise_bound(outcome, epsilon_of(q), self.sensitivity(q)))
        return bound / shape.factor / outcome.count / q.fixed_point.scale

    def reveals(
        self,
        q: Settings,
        people: int,
        *,
        at_least: bool = False,
        epsilon_text: EpsilonText = plain_epsilon,
    ) -> str:
        return (
            "Everyone learns a rough average and a rough spread (standard deviation). Random "
            f"noise is added inside the protocol ({self.privacy_setting(q, epsilon_text)}), "
            "so nobody can tell any one person's "
            "value, and the exact figures exist nowhere."
        )

    def summarize(self, outcome: Released) -> Summary:
        q, m = outcome.question, self.moments(outcome)
        epsilon = epsilon_of(q)
        error = self.mean_error_bound(outcome)
        low, high = self.deviation_interval(outcome)
        return Summary(
            kind=self.name,
            title=q.title,
            unit=q.unit,
            people=outcome.count,
            headline=Figure(
                key="average",
                label="average",
                value=m.mean,
                interval=(m.mean - error, m.mean + error),
            ),
            figures=(
                Figure(
                    key="deviation",
                    label="standard deviation",
                    value=m.deviation,
                    interval=(low, high),
                ),
            ),
            accuracy=(Accuracy(of="average", subject="the average", within=error),),
            reveals=self.reveals(q, outcome.count),
            epsilon=epsilon,
            fields={
                "epsilon": epsilon,
                "tag": q.tag,
                "average": float(m.mean),
                "standard_deviation": float(m.deviation),
                "average_error_bound": float(error),
                "standard_deviation_interval": [float(low), float(high)],
                "confidence": CONFIDENCE,
            },
        )
