"""``vote``: one option per person, exact tallies.

The vector is one-hot over the options (`huddle.core.options`), so the sum
over everyone is the tally of each option.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from huddle.core import options, tallies
from huddle.core.answers import Answer, Pick
from huddle.core.errors import SettingsError
from huddle.core.kinds.base import (
    About,
    AnswerForm,
    EpsilonText,
    Flag,
    Kind,
    Takes,
    plain_epsilon,
)
from huddle.core.kinds.settings import Settings
from huddle.core.kinds.summary import Chart, Figure, Released, Summary

if TYPE_CHECKING:
    from huddle.core import flp
    from huddle.core import randomized_response as rr

NAME = "vote"


class Vote(Kind):
    name = NAME
    about = About(
        label="Vote, exact tallies",
        hint="One option each; everyone sees the exact number of votes per option.",
        answer=AnswerForm.ONE_OPTION,
        flags=(
            Flag(
                name="--vote",
                takes=Takes.OPTIONS,
                help="a vote, one option per person; everyone sees the exact tallies "
                "(a unanimous result reveals every vote)",
            ),
        ),
    )

    def check(self, q: Settings, max_parties: int) -> None:
        check_options(q)
        if q.epsilon:
            raise SettingsError("A privacy setting ε only applies to noisy tallies.")

    def vector_length(self, q: Settings) -> int:
        return len(q.options)

    def encode_answer(self, q: Settings, answer: Answer, coin: rr.Coin) -> list[int]:
        if not isinstance(answer, Pick):
            raise TypeError("a vote is answered with one option")
        return options.one_hot(len(q.options), answer.index)

    def circuit(self, q: Settings) -> flp.Answer:
        from huddle.core import flp

        return flp.OneHot(len(q.options))

    def reveals(
        self,
        q: Settings,
        people: int,
        *,
        at_least: bool = False,
        epsilon_text: EpsilonText = plain_epsilon,
    ) -> str:
        return (
            "Everyone learns exactly how many votes each option got, and nobody learns who "
            "voted for what. But exact tallies can give votes away: a unanimous result "
            "reveals every vote, and all the others together can work out yours."
        )

    def summarize(self, outcome: Released) -> Summary:
        q = outcome.question
        return Summary(
            kind=self.name,
            title=q.title,
            unit=q.unit,
            people=outcome.count,
            headline=leader_figure(outcome),
            chart=Chart(labels=q.options, counts=outcome.total, categories=True, counting="votes"),
            reveals=self.reveals(q, outcome.count),
            fields={"options": list(q.options), "tallies": list(outcome.total)}
            | lead_fields(outcome),
        )


def check_options(q: Settings) -> None:
    """The options of a vote or choice are sound and its range is 1 … their number."""
    options.check(q.options)
    if q.bins:
        raise SettingsError("Bars only apply to a histogram, not to a vote.")
    fp = q.fixed_point
    if q.decimals or fp.lo != 1 or fp.hi != len(q.options):
        raise SettingsError("The answers to a vote are its options, numbered from 1.")


def leader(outcome: Released) -> tallies.Leader:
    """Who leads the (noisy) tallies, and whether by more than half the votes."""
    return tallies.leader(outcome.total, outcome.count)


def leader_figure(outcome: Released) -> Figure:
    names = [outcome.question.options[i] for i in leader(outcome).options]
    return Figure(key="leader", label="leading", option=" and ".join(names))


def lead_fields(outcome: Released) -> dict[str, Any]:
    lead, names = leader(outcome), outcome.question.options
    return {"leaders": [names[i] for i in lead.options], "majority": lead.majority}
