"""``vote_outcome``: noisy tallies of which people see only who leads.

The tallies carry the same noise as a noisy vote's (every app computes them to
check the host's sum); the screens show only the leader and whether it has a
majority (`huddle.core.tallies`), and ``--json`` leaves the tallies out too.
"""

from __future__ import annotations

from huddle.core.kinds.base import (
    HISTOGRAM_SENSITIVITY,
    About,
    AnswerForm,
    EpsilonText,
    Flag,
    Takes,
    epsilon_of,
    plain_epsilon,
)
from huddle.core.kinds.dp_vote import DpVote
from huddle.core.kinds.settings import Settings
from huddle.core.kinds.summary import (
    CONFIDENCE,
    Released,
    Summary,
    lead_needed,
    noise_bound,
)
from huddle.core.kinds.vote import lead_fields, leader_figure

NAME = "vote_outcome"


class VoteOutcome(DpVote):
    """Noisy tallies, of which people are shown only who leads and whether by a majority."""

    name = NAME
    about = About(
        label="Vote, outcome only (private)",
        hint="One option each; everyone sees only which option leads and whether it has "
        "a majority, worked out from tallies with noise.",
        answer=AnswerForm.ONE_OPTION,
        flags=(
            Flag(
                name="--vote-outcome",
                takes=Takes.OPTIONS,
                help="a vote of which only the leader and whether it has a majority are "
                "shown, worked out from noisy tallies",
            ),
        ),
    )

    def reveals(
        self,
        q: Settings,
        people: int,
        *,
        at_least: bool = False,
        epsilon_text: EpsilonText = plain_epsilon,
    ) -> str:
        return (
            "Everyone learns only which option leads and whether it has a majority — worked "
            "out from tallies with random noise "
            f"({self.privacy_setting(q, epsilon_text)}), so the exact counts exist nowhere "
            "and no one's vote can be told from the outcome."
        )

    def summarize(self, outcome: Released) -> Summary:
        q = outcome.question
        epsilon = epsilon_of(q)
        margin = noise_bound(outcome, epsilon, HISTOGRAM_SENSITIVITY)
        lead = lead_needed(outcome, epsilon, HISTOGRAM_SENSITIVITY)
        return Summary(
            kind=self.name,
            title=q.title,
            unit=q.unit,
            people=outcome.count,
            headline=leader_figure(outcome),
            reveals=self.reveals(q, outcome.count),
            epsilon=epsilon,
            fields={"epsilon": epsilon, "tag": q.tag, "options": list(q.options)}
            | lead_fields(outcome)
            | {"lead_needed": lead, "majority_margin": margin, "confidence": CONFIDENCE},
        )
