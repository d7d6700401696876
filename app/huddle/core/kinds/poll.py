"""``poll``: yes/no by randomized response; the vector is [sent bit].

No noise is added: the coins are the mechanism, ε = ln 3
(`huddle.core.randomized_response`).
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from huddle.core import randomized_response as rr
from huddle.core.answers import Answer, YesNo
from huddle.core.errors import SettingsError
from huddle.core.kinds.base import (
    About,
    AnswerForm,
    EpsilonText,
    Flag,
    Kind,
    plain_epsilon,
)
from huddle.core.kinds.settings import Settings
from huddle.core.kinds.summary import CONFIDENCE, Figure, Released, Summary

if TYPE_CHECKING:
    from huddle.core import flp

NAME = "poll"


class Poll(Kind):
    name = NAME
    randomized = True
    about = About(
        label="Yes/no poll (randomized response)",
        hint="Each app flips coins before sending a yes or no (ε = ln 3 ≈ 1.1, set by the "
        "coins); everyone sees an estimate of how many said yes.",
        answer=AnswerForm.YES_NO,
        flags=(
            Flag(
                name="--poll",
                help="a yes/no poll by randomized response: each app flips coins before "
                "sending (ε = ln 3); the share of yes is estimated",
            ),
        ),
    )

    def check(self, q: Settings, max_parties: int) -> None:
        if q.bins or q.epsilon:
            raise SettingsError(
                "A yes/no poll takes no bars and no ε: its coins set the privacy (ε = ln 3)."
            )
        fp = q.fixed_point
        if q.decimals or fp.lo != 0 or fp.hi != 1:
            raise SettingsError("A yes/no poll's answers are 0 (no) and 1 (yes).")

    def randomize(
        self, q: Settings, answer: Answer, coin: rr.Coin
    ) -> tuple[Answer, rr.Response | None]:
        """Flip the two coins for a true answer: what to send, and how it came about."""
        if not isinstance(answer, YesNo):
            raise TypeError("a poll is answered with yes or no")
        if answer.randomized:
            return answer, None
        response = rr.respond(answer.yes, coin)
        return YesNo(response.sent, randomized=True), response

    def encode_answer(self, q: Settings, answer: Answer, coin: rr.Coin) -> list[int]:
        sent, _ = self.randomize(q, answer, coin)
        assert isinstance(sent, YesNo)
        return [int(sent.yes)]

    def circuit(self, q: Settings) -> flp.Answer:
        """The sent bit, 0 or 1 (whether the coins were flipped honestly no proof can tell)."""
        from huddle.core import flp

        return flp.Bits(1)

    def release_epsilon(self, q: Settings) -> float:
        return rr.EPSILON

    def reveals(
        self,
        q: Settings,
        people: int,
        *,
        at_least: bool = False,
        epsilon_text: EpsilonText = plain_epsilon,
    ) -> str:
        return (
            "Your app flips a coin. Tails: it sends your true answer. Heads: it flips a second "
            "coin and sends that instead. So nobody — not even everyone else together — can "
            "tell what you answered (privacy setting ε = ln 3 ≈ 1.1), and even these "
            "randomized answers are only ever added up. Everyone learns an estimate of how "
            "many said yes."
        )

    def summarize(self, outcome: Released) -> Summary:
        q, sent_yes = outcome.question, outcome.total[0]
        found = estimate(outcome)
        low, high = interval(outcome)
        return Summary(
            kind=self.name,
            title=q.title,
            unit=q.unit,
            people=outcome.count,
            headline=Figure(
                key="yes",
                label="answered yes",
                share=min(max(found, 0.0), 1.0),
                share_interval=(low, high),
            ),
            figures=(
                Figure(
                    key="sent_yes", label="apps sent yes", value=Decimal(sent_yes), extra_places=0
                ),
            ),
            reveals=self.reveals(q, outcome.count),
            epsilon=rr.EPSILON,
            fields={
                "epsilon": rr.EPSILON,
                "tag": q.tag,
                "sent_yes": sent_yes,
                "estimate": found,
                "interval": [low, high],
                "confidence": CONFIDENCE,
            },
        )


def estimate(outcome: Released) -> float:
    """p̂ = 2N/n − 1/2, the estimated share of true "yes" (may leave 0 … 1)."""
    return rr.estimate(outcome.total[0], outcome.count)


def interval(outcome: Released) -> tuple[float, float]:
    """The 95 % interval for the share of true "yes" (at least 95 % coverage)."""
    low, high = rr.interval(outcome.total[0], outcome.count, CONFIDENCE)
    return low / outcome.count, high / outcome.count
