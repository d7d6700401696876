"""``poll``: yes/no by randomized response; the vector is [sent bit].

No noise is added: the coins are the mechanism, ε = ln 3
(`huddle.core.randomized_response`).
"""

from __future__ import annotations

from huddle.core import randomized_response as rr
from huddle.core.errors import SettingsError
from huddle.core.kinds.base import Kind, Settings

NAME = "poll"


class Poll(Kind):
    name = NAME

    def check(self, q: Settings, max_parties: int) -> None:
        if q.bins or q.epsilon:
            raise SettingsError(
                "A yes/no poll takes no bars and no ε: its coins set the privacy (ε = ln 3)."
            )
        fp = q.fixed_point
        if q.decimals or fp.lo != 0 or fp.hi != 1:
            raise SettingsError("A yes/no poll's answers are 0 (no) and 1 (yes).")

    def encode_text(self, q: Settings, text: str, coin: rr.Coin) -> list[int]:
        return [rr.bit(text, coin)]

    def release_epsilon(self, q: Settings) -> float:
        return rr.EPSILON
