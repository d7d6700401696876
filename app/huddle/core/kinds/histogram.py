"""``histogram``: a noisy count per bar.

The vector is one-hot over B bars and each participant adds its discrete
Laplace noise share (`huddle.core.noise`) with Δ = 2: replacing one person's
answer moves one count down and another up.
"""

from __future__ import annotations

import bisect
from decimal import Decimal

from huddle.core.kinds.base import HISTOGRAM_SENSITIVITY, Kind, Settings, check_noise, edges

NAME = "histogram"


class Histogram(Kind):
    name = NAME
    private = True

    def check(self, q: Settings, max_parties: int) -> None:
        edges(q)
        check_noise(q, HISTOGRAM_SENSITIVITY, 1, max_parties)

    def vector_length(self, q: Settings) -> int:
        return len(q.bins) - 1

    def encode(self, q: Settings, value: Decimal) -> list[int]:
        """One-hot: bar i holds lo_i ≤ x < lo_(i+1); the last bar is closed."""
        bounds = edges(q)
        q.fixed_point.encode(value)  # the same range check as every kind
        bar = min(bisect.bisect_right(bounds, value) - 1, len(bounds) - 2)
        vector = [0] * (len(bounds) - 1)
        vector[bar] = 1
        return vector

    def sensitivity(self, q: Settings) -> int:
        return HISTOGRAM_SENSITIVITY
