"""What a finished round says, as data: the record every front end renders.

Each kind's `summarize` turns the released total into a `Summary`: the figure
people read first, the others, how accurate each noisy one is, what the result
reveals, the counts a chart draws, and the kind's own ``--json`` fields. The
numbers stay numbers (`Decimal`, shares as floats): wording and the reader's
number format are the front ends' business. The English ``label`` of each
figure is there for a front end with no words of its own for a kind.

Everything here is computed from the released total alone, so for the noisy
kinds it is post-processing and costs no further privacy.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Protocol

from huddle.core.kinds.settings import Settings

CONFIDENCE = 0.95
"""The confidence of every interval and error bound shown to people."""


class Released(Protocol):
    """A finished round as a kind sees it (`huddle.core.outcome.Outcome` is one)."""

    @property
    def question(self) -> Settings: ...
    @property
    def count(self) -> int:
        """How many people's answers the total holds."""
        ...

    @property
    def total(self) -> tuple[int, ...]:
        """The signed, still-scaled sum vector (noisy for a noisy kind)."""
        ...


@dataclass(frozen=True, slots=True, kw_only=True)
class Figure:
    """One figure of a result: a number in the question's unit, a share, or an option."""

    key: str
    """Its name in ``--json`` and for renderers, e.g. "median"."""
    label: str
    """What it is, in English, e.g. "median"."""
    value: Decimal | None = None
    """A number in the question's unit (None for an option or a share)."""
    share: float | None = None
    """A share of the people, 0 … 1 (a poll's estimate)."""
    share_interval: tuple[float, float] | None = None
    """Where the true share lies at `CONFIDENCE`."""
    option: str = ""
    """An option's name (the winner of a choice)."""
    interval: tuple[Decimal, Decimal] | None = None
    """Where the true figure lies at `CONFIDENCE`, for a noisy number."""
    extra_places: int = 2
    """Decimals to show beyond the question's own (an average has more than a value)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Accuracy:
    """How far a noisy figure can be from the truth: within ±``within`` at ``confidence``."""

    of: str
    """The key of the figure it is about ("counts" for every count of a chart)."""
    subject: str
    """What is that accurate, in English: "the median", "each bar"."""
    within: Decimal
    """In the figure's unit (people, votes, or the question's unit)."""
    counted: str = ""
    """What ``within`` counts when it is not the question's unit: "people", "votes"."""
    confidence: float = CONFIDENCE


@dataclass(frozen=True, slots=True, kw_only=True)
class Chart:
    """Counts a chart draws: bars over ranges (a histogram) or one per option."""

    labels: tuple[str, ...]
    """The B + 1 edges as typed (ranges), or the B option names (categories)."""
    counts: tuple[int, ...]
    """As released: noisy counts may be negative or above ``ceiling``."""
    bound: int = 0
    """Each count is within ±bound of the truth at `CONFIDENCE` (0: exact)."""
    ceiling: int | None = None
    """The most any count can truly be (the number of people), if noise can pass it."""
    categories: bool = False
    counting: str = "people"


@dataclass(frozen=True, slots=True, kw_only=True)
class Summary:
    """A finished round, for people and for ``--json``."""

    kind: str
    title: str
    unit: str
    people: int
    headline: Figure | None = None
    """The figure people read first (None when the chart is the result)."""
    figures: tuple[Figure, ...] = ()
    accuracy: tuple[Accuracy, ...] = ()
    chart: Chart | None = None
    reveals: str = ""
    """What this kind of result gives away, as said before anyone answered."""
    epsilon: float = 0.0
    """The ε this release cost each person (0 for an exact result)."""
    holds: str = ""
    """A noisy result: when its ε holds, and what holds if more people added no noise."""
    fields: Mapping[str, Any] = field(default_factory=dict)
    """The kind's own ``--json`` fields, after kind, title, unit and participants."""

    def figure(self, key: str) -> Figure:
        """The figure called ``key`` (the headline included); `KeyError` if none."""
        for figure in (self.headline, *self.figures):
            if figure is not None and figure.key == key:
                return figure
        raise KeyError(key)

    def accuracy_of(self, key: str) -> Accuracy | None:
        return next((a for a in self.accuracy if a.of == key), None)

    def as_dict(self) -> dict[str, Any]:
        """The ``--json`` object: the same keys for every kind first, then its own."""
        head = {"kind": self.kind, "title": self.title, "unit": self.unit}
        return head | {"participants": self.people} | dict(self.fields)


def noise_bound(
    outcome: Released, epsilon: float, sensitivity: int, confidence: float = CONFIDENCE
) -> int:
    """Ring units within which the noise of each released element stays at ``confidence``.

    For the noise actually added when all ``count`` contributors were honest
    (`huddle.core.noise.error_bound`).
    """
    from huddle.core import noise  # numpy: only once there is a noisy result

    robust = outcome.question.robust
    return noise.error_bound(outcome.count, epsilon, sensitivity, confidence, robust=robust)


def holds_words(people: int, epsilon: float, robust: int, weaker: float) -> str:
    """When a noisy result's ε holds, and the ε left (``weaker``) if one more added no noise.

    Adding no noise is what a modified app does, and what colleagues do in effect
    when they pool their own noise shares to subtract them from the result.
    """
    head = (
        f"Private at ε = {epsilon:.3g} as long as no more than {robust} of the {people} "
        "people added no noise (a modified app, or people who pooled their own noise "
        "to take it out)"
    )
    if weaker == float("inf"):
        return f"{head}; if {robust + 1} added none, it is weaker, by more than this app can bound."
    return f"{head}; if {robust + 1} added none, ε rises to at most {weaker:.3g}."


def lead_needed(outcome: Released, epsilon: float, sensitivity: int) -> int:
    """A true lead over every other option that noise overturns < 5 % of the time."""
    from huddle.core import noise

    options = len(outcome.question.options)
    robust = outcome.question.robust
    return noise.lead_needed(
        outcome.count, epsilon, sensitivity, options, CONFIDENCE, robust=robust
    )
