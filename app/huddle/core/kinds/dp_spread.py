"""``dp_spread``: the average and standard deviation with noise.

[K·u, u²] as for a spread, with K chosen so both elements are equally
sensitive (`huddle.core.spread`), and noise of scale Δ/ε on each.
"""

from __future__ import annotations

from huddle.core.errors import SettingsError
from huddle.core.kinds.base import Settings, check_noise
from huddle.core.kinds.spread import Spread

NAME = "dp_spread"


class DpSpread(Spread):
    name = NAME
    private = True

    def check(self, q: Settings, max_parties: int) -> None:
        if q.bins:
            raise SettingsError("Bars only apply to a histogram.")
        shape = self.layout(q)
        check_noise(q, shape.sensitivity, shape.largest, max_parties)

    def sensitivity(self, q: Settings) -> int:
        return self.layout(q).sensitivity
