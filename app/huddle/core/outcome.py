"""A finished round's result, decoded for people."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from huddle.core.questions import Question


@dataclass(frozen=True, slots=True)
class Outcome:
    """What everyone learns: the total over ``count`` contributors."""

    question: Question
    count: int
    total: tuple[int, ...]
    """The signed, still-scaled sum vector."""

    @property
    def sum(self) -> Decimal:
        return self.question.fixed_point.decode(self.total[0])

    @property
    def average(self) -> Decimal:
        return self.sum / self.count

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.question.kind,
            "title": self.question.title,
            "unit": self.question.unit,
            "participants": self.count,
            "sum": float(self.sum),
            "average": float(self.average),
            "sum_exact": str(self.sum),
            "average_exact": str(self.average),
        }
