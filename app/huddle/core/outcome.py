"""A finished round's result, decoded for people.

For the noisy kinds (`Question.is_private`) everything here is computed from
the noisy total alone: post-processing (negative counts shown as 0, an average
kept inside the allowed range) never needs the exact values, which exist
nowhere. Error bounds come from the exact distribution of the noise that all
``count`` contributors added (`noise.error_bound`).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from huddle.core import noise
from huddle.core.questions import DP_AVERAGE, HISTOGRAM, Question

CONFIDENCE = 0.95


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
        """The average; for a noisy average, kept inside the allowed range."""
        raw = self.raw_average
        if self.question.kind == DP_AVERAGE:
            return self.question.fixed_point.clamp(raw)
        return raw

    @property
    def raw_average(self) -> Decimal:
        """The (noisy) sum over the count, before any post-processing."""
        return self.sum / self.count

    # --- noisy kinds -------------------------------------------------------------

    @property
    def raw_counts(self) -> tuple[int, ...]:
        """A histogram's noisy counts, signed: negative where noise outweighed a bar."""
        return self.total

    @property
    def counts(self) -> tuple[int, ...]:
        """The noisy counts for display: negatives shown as 0 (pure post-processing)."""
        return tuple(max(0, c) for c in self.total)

    @property
    def bin_edges(self) -> tuple[Decimal, ...]:
        return self.question.edges

    @property
    def epsilon(self) -> float:
        return self.question.epsilon_value

    @property
    def noise_bound(self) -> int:
        """Ring units within which the noise of each element stays at 95 %."""
        q = self.question
        return noise.error_bound(self.count, q.epsilon_value, q.sensitivity, CONFIDENCE)

    @property
    def error_bound(self) -> Decimal:
        """At 95 %: people per bar (histogram) or value units of the sum (average)."""
        if self.question.kind == HISTOGRAM:
            return Decimal(self.noise_bound)
        return self.question.fixed_point.decode(self.noise_bound)

    @property
    def average_error_bound(self) -> Decimal:
        return self.error_bound / self.count

    def as_dict(self) -> dict[str, Any]:
        q = self.question
        head = {"kind": q.kind, "title": q.title, "unit": q.unit, "participants": self.count}
        if q.kind == HISTOGRAM:
            return head | {
                "epsilon": self.epsilon,
                "tag": q.tag,
                "bin_edges": [f"{e:f}" for e in self.bin_edges],
                "counts": list(self.counts),
                "raw_counts": list(self.raw_counts),
                "error_bound": self.noise_bound,
                "confidence": CONFIDENCE,
            }
        if q.kind == DP_AVERAGE:
            return head | {
                "epsilon": self.epsilon,
                "tag": q.tag,
                "sum": float(self.sum),
                "average": float(self.average),
                "raw_average": float(self.raw_average),
                "sum_decimal": str(self.sum),  # noisy, never "exact"
                "average_decimal": str(self.average),
                "error_bound": float(self.error_bound),
                "average_error_bound": float(self.average_error_bound),
                "confidence": CONFIDENCE,
            }
        return head | {
            "sum": float(self.sum),
            "average": float(self.average),
            "sum_exact": str(self.sum),
            "average_exact": str(self.average),
        }
