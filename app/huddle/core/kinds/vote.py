"""``vote``: one option per person, exact tallies.

The vector is one-hot over the options (`huddle.core.options`), so the sum
over everyone is the tally of each option.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from huddle.core import options
from huddle.core.errors import SettingsError
from huddle.core.kinds.base import Kind, Settings

if TYPE_CHECKING:
    from huddle.core import randomized_response as rr

NAME = "vote"


class Vote(Kind):
    name = NAME
    takes_options = True

    def check(self, q: Settings, max_parties: int) -> None:
        check_options(q)
        if q.epsilon:
            raise SettingsError("A privacy setting ε only applies to noisy tallies.")

    def vector_length(self, q: Settings) -> int:
        return len(q.options)

    def encode_text(self, q: Settings, text: str, coin: rr.Coin) -> list[int]:
        return options.one_hot(len(q.options), options.pick(q.options, text))


def check_options(q: Settings) -> None:
    """The options of a vote or choice are sound and its range is 1 … their number."""
    options.check(q.options)
    if q.bins:
        raise SettingsError("Bars only apply to a histogram, not to a vote.")
    fp = q.fixed_point
    if q.decimals or fp.lo != 1 or fp.hi != len(q.options):
        raise SettingsError("The answers to a vote are its options, numbered from 1.")
