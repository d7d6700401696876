"""``dp_average``: a noisy average.

The vector is [clamp(x)] plus noise with Δ = (hi − lo)·10^d fixed-point units;
the number of contributors is public.
"""

from __future__ import annotations

import math
from decimal import Decimal

from huddle.core.errors import SettingsError
from huddle.core.kinds.base import Kind, Settings, check_noise

NAME = "dp_average"


class DpAverage(Kind):
    name = NAME
    private = True

    def check(self, q: Settings, max_parties: int) -> None:
        if q.bins:
            raise SettingsError("Bars only apply to a histogram, not to an average.")
        fp = q.fixed_point
        largest = max(abs(fp.lo), abs(fp.hi)) * fp.scale
        check_noise(q, self.sensitivity(q), largest, max_parties)

    def encode(self, q: Settings, value: Decimal) -> list[int]:
        # People are refused out-of-range input before this (FixedPoint.parse);
        # the clamp is the mechanism's own guarantee that Δ bounds any change.
        fp = q.fixed_point
        return [fp.encode(fp.clamp(value))]

    def sensitivity(self, q: Settings) -> int:
        fp = q.fixed_point
        return math.ceil((fp.hi - fp.lo) * fp.scale)
