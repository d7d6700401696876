"""``choice``: an approval vote, 0/1 per option, released as noisy counts.

The winner is the option with the largest noisy count (report-noisy-max). Every
app sees the whole noisy vector (it checks the host's sum), so the noise covers
the vector: replacing one person's ticks can move every count by one,
Δ = number of options.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from huddle.core import options
from huddle.core.kinds.base import Settings, check_noise
from huddle.core.kinds.vote import Vote, check_options

if TYPE_CHECKING:
    from huddle.core import randomized_response as rr

NAME = "choice"


class Choice(Vote):
    name = NAME
    private = True

    def check(self, q: Settings, max_parties: int) -> None:
        check_options(q)
        check_noise(q, self.sensitivity(q), 1, max_parties)

    def encode_text(self, q: Settings, text: str, coin: rr.Coin) -> list[int]:
        return options.approvals(len(q.options), options.picks(q.options, text))

    def sensitivity(self, q: Settings) -> int:
        return len(q.options)
