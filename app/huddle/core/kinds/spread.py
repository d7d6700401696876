"""``spread``: the exact average and standard deviation.

The vector is [K·u, u²] (`huddle.core.spread`), u the value centred on the
middle of the range; K = 1 for the exact kind.
"""

from __future__ import annotations

from decimal import Decimal

from huddle.core import spread
from huddle.core.errors import SettingsError
from huddle.core.kinds.base import Kind, Settings

NAME = "spread"


class Spread(Kind):
    name = NAME

    def check(self, q: Settings, max_parties: int) -> None:
        if q.bins or q.epsilon:
            raise SettingsError(
                "Bars and a privacy setting ε only apply to a histogram or a noisy result."
            )
        spread.check_capacity(q.fixed_point, max_parties)

    def vector_length(self, q: Settings) -> int:
        return 2

    def layout(self, q: Settings) -> spread.Layout:
        return spread.layout(q.fixed_point, noisy=self.private)

    def encode(self, q: Settings, value: Decimal) -> list[int]:
        fp = q.fixed_point
        return spread.encode(fp, fp.clamp(value), self.layout(q))
