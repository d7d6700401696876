"""A finished round's result, decoded for people.

For the noisy kinds (`Question.is_private`) everything here is computed from
the noisy total alone: post-processing (negative counts shown as 0, an average
kept inside the allowed range) never needs the exact values, which exist
nowhere. Error bounds come from the exact distribution of the noise that all
``count`` contributors added (`noise.error_bound`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from huddle.core import kinds, noise, spread
from huddle.core import randomized_response as rr
from huddle.core import tallies as tally
from huddle.core.questions import (
    CHOICE,
    DP_AVERAGE,
    DP_SPREAD,
    DP_VOTE,
    HISTOGRAM,
    POLL,
    SPREAD,
    VOTE,
    VOTE_OUTCOME,
    Question,
)

CONFIDENCE = 0.95
VOTES = (VOTE, DP_VOTE, VOTE_OUTCOME)


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

    # --- votes and choices ---------------------------------------------------------

    @property
    def tallies(self) -> tuple[int, ...]:
        """Votes (or approvals) per option: exact, or noisy and signed."""
        return self.total

    @property
    def leader(self) -> tally.Leader:
        """Who leads the (noisy) tallies, and whether by more than half the votes."""
        return tally.leader(self.total, self.count)

    @property
    def winner(self) -> tally.Winner:
        """A private choice's pick: the largest noisy count (report-noisy-max)."""
        return tally.noisy_winner(self.total, self.question.options)

    @property
    def lead_needed(self) -> int:
        """A true lead over every other option that noise overturns < 5 % of the time."""
        q = self.question
        return noise.lead_needed(
            self.count, q.epsilon_value, q.sensitivity, len(q.options), CONFIDENCE
        )

    # --- poll ------------------------------------------------------------------------

    @property
    def poll_estimate(self) -> float:
        """p̂ = 2N/n − 1/2, the estimated share of true "yes" (may leave 0 … 1)."""
        return rr.estimate(self.total[0], self.count)

    @property
    def poll_interval(self) -> tuple[float, float]:
        """The 95 % interval for the share of true "yes" (at least 95 % coverage)."""
        low, high = rr.interval(self.total[0], self.count, CONFIDENCE)
        return low / self.count, high / self.count

    # --- spread ----------------------------------------------------------------------

    @property
    def moments(self) -> spread.Moments:
        """Average and standard deviation (noisy ones kept within what is possible)."""
        shape = self._layout()
        return spread.moments(self.question.fixed_point, shape, self.total, self.count)

    @property
    def deviation_interval(self) -> tuple[Decimal, Decimal]:
        """Where the true standard deviation lies, at 95 % (a noisy spread only)."""
        q = self.question
        bound = noise.error_bound(self.count, q.epsilon_value, q.sensitivity, 0.975)
        return spread.deviation_interval(
            q.fixed_point, self._layout(), self.total, self.count, bound
        )

    @property
    def mean_error_bound(self) -> Decimal:
        """At 95 %: how far the noisy spread's average may be from the true one."""
        q, shape = self.question, self._layout()
        bound = Decimal(noise.error_bound(self.count, q.epsilon_value, q.sensitivity))
        return bound / shape.factor / self.count / q.fixed_point.scale

    def _layout(self) -> spread.Layout:
        kind = kinds.BY_NAME[self.question.kind]
        assert isinstance(kind, kinds.Spread)
        return kind.layout(self.question)

    def as_dict(self) -> dict[str, Any]:
        q = self.question
        head = {"kind": q.kind, "title": q.title, "unit": q.unit, "participants": self.count}
        if q.kind in _FIELDS:
            return head | _more_dict(self)
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


def _more_dict(o: Outcome) -> dict[str, Any]:
    """The fields of the kinds beyond the averages and the histogram."""
    q = o.question
    noisy = {"epsilon": q.release_epsilon, "tag": q.tag} if q.release_epsilon else {}
    return noisy | _FIELDS[q.kind](o)


def _vote(o: Outcome) -> dict[str, Any]:
    return {"options": list(o.question.options), "tallies": list(o.tallies)} | _lead(o)


def _dp_vote(o: Outcome) -> dict[str, Any]:
    return {
        "options": list(o.question.options),
        "tallies": list(tally.shown(o.tallies)),
        "raw_tallies": list(o.tallies),
        "error_bound": o.noise_bound,
        "confidence": CONFIDENCE,
    }


def _vote_outcome(o: Outcome) -> dict[str, Any]:
    """The leader and majority only: the noisy tallies are left out on purpose."""
    return (
        {"options": list(o.question.options)}
        | _lead(o)
        | {"lead_needed": o.lead_needed, "majority_margin": o.noise_bound, "confidence": CONFIDENCE}
    )


def _choice(o: Outcome) -> dict[str, Any]:
    options, winner = o.question.options, o.winner
    return {
        "options": list(options),
        "winner": options[winner.option],
        "tied_with": [options[i] for i in winner.tied_with],
        "noisy_counts": list(o.tallies),
        "error_bound": o.noise_bound,
        "lead_needed": o.lead_needed,
        "confidence": CONFIDENCE,
    }


def _poll(o: Outcome) -> dict[str, Any]:
    low, high = o.poll_interval
    return {
        "sent_yes": o.total[0],
        "estimate": o.poll_estimate,
        "interval": [low, high],
        "confidence": CONFIDENCE,
    }


def _spread(o: Outcome) -> dict[str, Any]:
    m = o.moments
    fields = {"average": float(m.mean), "standard_deviation": float(m.deviation)}
    if o.question.kind == SPREAD:
        return fields | {"average_exact": str(m.mean), "standard_deviation_exact": str(m.deviation)}
    low, high = o.deviation_interval
    return fields | {
        "average_error_bound": float(o.mean_error_bound),
        "standard_deviation_interval": [float(low), float(high)],
        "confidence": CONFIDENCE,
    }


def _lead(o: Outcome) -> dict[str, Any]:
    lead, options = o.leader, o.question.options
    return {"leaders": [options[i] for i in lead.options], "majority": lead.majority}


_FIELDS: dict[str, Callable[[Outcome], dict[str, Any]]] = {
    VOTE: _vote,
    DP_VOTE: _dp_vote,
    VOTE_OUTCOME: _vote_outcome,
    CHOICE: _choice,
    POLL: _poll,
    SPREAD: _spread,
    DP_SPREAD: _spread,
}
