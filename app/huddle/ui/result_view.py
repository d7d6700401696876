"""What a kind's renderer may touch of the result screen, and what it is told.

The renderers (`result_kinds`, `result_counts`, `result_median`) fill the
result page (`huddle.ui.result.ResultPage`), which imports them to list them;
they name the page by this protocol instead, so neither imports the other back.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import NamedTuple, Protocol

from PySide6.QtWidgets import QLabel, QWidget

from huddle.net.facade import Response
from huddle.ui.chart import HistogramChart


class Shown(NamedTuple):
    """What a renderer shows besides the outcome: for this person's screen only."""

    people: str
    """"5 people", as the page words it."""
    mine: Decimal | None = None
    """This person's own value, if they typed a number."""
    sent: Response | None = None
    """What this person's app sent in a poll."""


class CountsWords(Protocol):
    """Noisy counts' accuracy in words that follow the raw view
    (`huddle.ui.result_counts.NoisyCounts`)."""

    def words(self, *, raw_shown: bool) -> str: ...


class ResultView(Protocol):
    """The parts of the result page a renderer fills."""

    summary: str
    """The one line Copy puts on the clipboard (never this person's own value)."""

    @property
    def caption(self) -> QLabel: ...
    @property
    def average(self) -> QLabel:
        """The headline figure."""
        ...

    @property
    def totals(self) -> QLabel: ...
    @property
    def accuracy(self) -> QLabel: ...
    @property
    def standing(self) -> QLabel: ...
    @property
    def chart(self) -> HistogramChart: ...
    @property
    def raw_toggle(self) -> QWidget: ...
    @property
    def raw_values(self) -> QLabel: ...
    @property
    def bar(self) -> QWidget: ...
    def own_widget(self, name: str, make: Callable[[], QWidget]) -> QWidget:
        """A widget of a kind's own, made by ``make`` the first time, shown now."""
        ...

    def show_interval(self, text: str) -> None:
        """A noisy result's interval as the headline."""
        ...

    def show_counts(self, counts: CountsWords) -> None:
        """Noisy counts' accuracy under the chart."""
        ...
