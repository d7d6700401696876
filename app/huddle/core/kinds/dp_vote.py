"""``dp_vote``: a vote released as noisy tallies (Δ = 2, as a histogram)."""

from __future__ import annotations

from decimal import Decimal

from huddle.core import tallies
from huddle.core.kinds.base import (
    HISTOGRAM_SENSITIVITY,
    About,
    AnswerForm,
    EpsilonText,
    Flag,
    Takes,
    check_noise,
    epsilon_of,
    plain_epsilon,
)
from huddle.core.kinds.settings import Settings
from huddle.core.kinds.summary import CONFIDENCE, Accuracy, Chart, Released, Summary, noise_bound
from huddle.core.kinds.vote import Vote, check_options, leader_figure

NAME = "dp_vote"


class DpVote(Vote):
    name = NAME
    private = True
    about = About(
        label="Vote (private, noised tallies)",
        hint="One option each; the number of votes per option, with noise.",
        answer=AnswerForm.ONE_OPTION,
        flags=(
            Flag(name="--dp-vote", takes=Takes.OPTIONS, help="a vote released as noisy tallies"),
        ),
    )

    def check(self, q: Settings, max_parties: int) -> None:
        check_options(q)
        check_noise(q, HISTOGRAM_SENSITIVITY, 1, max_parties)

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
        return (
            "Everyone learns roughly how many votes each option got. Random noise is added "
            f"inside the protocol ({self.privacy_setting(q, epsilon_text)}),"
            " so not even a unanimous vote gives anyone's vote away, and the exact tallies "
            "exist nowhere."
        )

    def summarize(self, outcome: Released) -> Summary:
        q, raw = outcome.question, outcome.total
        epsilon = epsilon_of(q)
        bound = noise_bound(outcome, epsilon, HISTOGRAM_SENSITIVITY)
        return Summary(
            kind=self.name,
            title=q.title,
            unit=q.unit,
            people=outcome.count,
            headline=leader_figure(outcome),
            accuracy=(
                Accuracy(of="counts", subject="each tally", within=Decimal(bound), counted="votes"),
            ),
            chart=Chart(
                labels=q.options,
                counts=raw,
                bound=bound,
                ceiling=outcome.count,
                categories=True,
                counting="votes",
            ),
            reveals=self.reveals(q, outcome.count),
            epsilon=epsilon,
            fields={
                "epsilon": epsilon,
                "tag": q.tag,
                "options": list(q.options),
                "tallies": list(tallies.shown(raw)),
                "raw_tallies": list(raw),
                "error_bound": bound,
                "confidence": CONFIDENCE,
            },
        )
