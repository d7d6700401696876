"""``dp_vote``: a vote released as noisy tallies (Δ = 2, as a histogram)."""

from __future__ import annotations

from huddle.core.kinds.base import HISTOGRAM_SENSITIVITY, Settings, check_noise
from huddle.core.kinds.vote import Vote, check_options

NAME = "dp_vote"


class DpVote(Vote):
    name = NAME
    private = True

    def check(self, q: Settings, max_parties: int) -> None:
        check_options(q)
        check_noise(q, HISTOGRAM_SENSITIVITY, 1, max_parties)

    def sensitivity(self, q: Settings) -> int:
        return HISTOGRAM_SENSITIVITY
