"""``choice``: an approval vote, 0/1 per option, released as noisy counts.

The winner is the option with the largest noisy count (report-noisy-max). Every
app sees the whole noisy vector (it checks the host's sum), so the noise covers
the vector: replacing one person's ticks can move every count by one,
Δ = number of options.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from huddle.core import options, tallies
from huddle.core.answers import Answer, Picks
from huddle.core.kinds.base import (
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
from huddle.core.kinds.summary import (
    CONFIDENCE,
    Figure,
    Released,
    Summary,
    lead_needed,
    noise_bound,
)
from huddle.core.kinds.vote import Vote, check_options

if TYPE_CHECKING:
    from huddle.core import flp
    from huddle.core import randomized_response as rr

NAME = "choice"


class Choice(Vote):
    name = NAME
    private = True
    about = About(
        label="Private choice: tick any options",
        hint="Everyone ticks any options they would be happy with; the winner is picked "
        "with noise: very likely, not certainly, the most approved.",
        answer=AnswerForm.SOME_OPTIONS,
        flags=(
            Flag(
                name="--choice",
                takes=Takes.OPTIONS,
                help="a private choice: everyone ticks any options they approve; the winner "
                "is picked with noise (very likely, not certainly, the most approved)",
            ),
        ),
    )

    def check(self, q: Settings, max_parties: int) -> None:
        check_options(q)
        check_noise(q, self.sensitivity(q), 1, max_parties)

    def encode_answer(self, q: Settings, answer: Answer, coin: rr.Coin) -> list[int]:
        if not isinstance(answer, Picks):
            raise TypeError("a private choice is answered with ticked options")
        return options.approvals(len(q.options), answer.indexes)

    def circuit(self, q: Settings) -> flp.Answer:
        """0 or 1 per option. An app could send no tick at all, which the app itself
        refuses; that changes the counts no more than any other ticks (Δ holds)."""
        from huddle.core import flp

        return flp.Bits(len(q.options))

    def sensitivity(self, q: Settings) -> int:
        return len(q.options)

    def reveals(
        self,
        q: Settings,
        people: int,
        *,
        at_least: bool = False,
        epsilon_text: EpsilonText = plain_epsilon,
    ) -> str:
        setting = self.privacy_setting(q, epsilon_text)
        return (
            "Tick every option you would be happy with. The winner is picked from approval "
            f"counts with random noise ({setting}): very likely, not "
            "certainly, the most approved, and nobody can tell what you ticked."
        )

    def summarize(self, outcome: Released) -> Summary:
        q = outcome.question
        epsilon, sensitivity = epsilon_of(q), self.sensitivity(q)
        pick = winner(outcome)
        lead = lead_needed(outcome, epsilon, sensitivity)
        return Summary(
            kind=self.name,
            title=q.title,
            unit=q.unit,
            people=outcome.count,
            headline=Figure(key="winner", label="chosen", option=q.options[pick.option]),
            reveals=self.reveals(q, outcome.count),
            epsilon=epsilon,
            fields={
                "epsilon": epsilon,
                "tag": q.tag,
                "options": list(q.options),
                "winner": q.options[pick.option],
                "tied_with": [q.options[i] for i in pick.tied_with],
                "noisy_counts": list(outcome.total),
                "error_bound": noise_bound(outcome, epsilon, sensitivity),
                "lead_needed": lead,
                "confidence": CONFIDENCE,
            },
        )


def winner(outcome: Released) -> tallies.Winner:
    """The pick: the largest noisy count (report-noisy-max), ties drawn by a public lot."""
    return tallies.noisy_winner(outcome.total, outcome.question.options)
