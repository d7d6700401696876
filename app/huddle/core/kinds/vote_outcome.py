"""``vote_outcome``: noisy tallies of which people see only who leads.

The tallies carry the same noise as a noisy vote's (every app computes them to
check the host's sum); the screens show only the leader and whether it has a
majority (`huddle.core.tallies`).
"""

from __future__ import annotations

from huddle.core.kinds.dp_vote import DpVote

NAME = "vote_outcome"


class VoteOutcome(DpVote):
    """Noisy tallies, of which people are shown only who leads and whether by a majority."""

    name = NAME
