"""``average``: the exact group average. The vector is [x]."""

from __future__ import annotations

from huddle.core.errors import SettingsError
from huddle.core.kinds.base import Kind, Settings

NAME = "average"


class Average(Kind):
    name = NAME

    def check(self, q: Settings, max_parties: int) -> None:
        if q.bins or q.epsilon:
            raise SettingsError(
                "Bars and a privacy setting ε only apply to a histogram or a noisy average."
            )
