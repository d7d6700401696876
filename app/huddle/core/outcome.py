"""A finished round's result, decoded for people.

What a result says is its kind's to decide: `summary` is the kind's
`Summary` (what every front end renders, and ``--json``). The properties below
are the figures the screens of the existing kinds read directly; each is
worked out by the kind's own module.

For the noisy kinds (`Question.is_private`) everything here is computed from
the noisy total alone: post-processing (negative counts shown as 0, an average
kept inside the allowed range) never needs the exact values, which exist
nowhere. Error bounds come from the exact distribution of the noise that all
``count`` contributors added (`noise.error_bound`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from huddle.core import kinds, spread
from huddle.core import tallies as tally
from huddle.core.kinds import choice, poll, vote
from huddle.core.kinds.summary import CONFIDENCE, Summary, holds_words, lead_needed, noise_bound
from huddle.core.questions import DP_AVERAGE, HISTOGRAM, MAX_PARTICIPANTS, Question

__all__ = ["CONFIDENCE", "Outcome"]


@dataclass(frozen=True, slots=True)
class Outcome:
    """What everyone learns: the total over ``count`` contributors."""

    question: Question
    count: int
    total: tuple[int, ...]
    """The signed, still-scaled sum vector."""

    @property
    def summary(self) -> Summary:
        """The result as its kind tells it: figures, accuracy, chart, ``--json`` fields;
        for a noisy kind, what holds if members added no noise (`holds_words`)."""
        told = kinds.BY_NAME[self.question.kind].summarize(self)
        q = self.question
        if not q.is_private:
            return told
        from huddle.core import noise  # numpy: only once there is a noisy result

        people, robust, epsilon = self.count, q.robust, q.epsilon_value
        weaker = math.inf  # a group this small leaves no honest share to count on
        if people > robust + 1:
            honest = people - robust - 1
            weaker = noise.exposed_epsilon(people, epsilon, q.sensitivity, honest, robust=robust)
        holds = holds_words(people, epsilon, robust, weaker)
        delta = noise.truncation_delta(epsilon, MAX_PARTICIPANTS, q.vector_length)
        fields = dict(told.fields) | {
            "withstands": robust,  # how many may add no noise with ε still holding
            "epsilon_if_one_more_adds_none": None if math.isinf(weaker) else weaker,
            "delta": delta,  # from truncating each noise share at the proof's bound
        }
        return replace(told, holds=holds, fields=fields)

    def as_dict(self) -> dict[str, Any]:
        """The ``--json`` object."""
        return self.summary.as_dict()

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
        return tally.shown(self.total)

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
        return noise_bound(self, q.epsilon_value, q.sensitivity)

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
        return vote.leader(self)

    @property
    def winner(self) -> tally.Winner:
        """A private choice's pick: the largest noisy count (report-noisy-max)."""
        return choice.winner(self)

    @property
    def lead_needed(self) -> int:
        """A true lead over every other option that noise overturns < 5 % of the time."""
        return lead_needed(self, self.question.epsilon_value, self.question.sensitivity)

    # --- poll ------------------------------------------------------------------------

    @property
    def poll_estimate(self) -> float:
        """p̂ = 2N/n − 1/2, the estimated share of true "yes" (may leave 0 … 1)."""
        return poll.estimate(self)

    @property
    def poll_interval(self) -> tuple[float, float]:
        """The 95 % interval for the share of true "yes" (at least 95 % coverage)."""
        return poll.interval(self)

    # --- spread ----------------------------------------------------------------------

    @property
    def moments(self) -> spread.Moments:
        """Average and standard deviation (noisy ones kept within what is possible)."""
        return self._spread().moments(self)

    @property
    def deviation_interval(self) -> tuple[Decimal, Decimal]:
        """Where the true standard deviation lies, at 95 % (a noisy spread only)."""
        return kinds.DpSpread().deviation_interval(self)

    @property
    def mean_error_bound(self) -> Decimal:
        """At 95 %: how far the noisy spread's average may be from the true one."""
        return kinds.DpSpread().mean_error_bound(self)

    def _spread(self) -> kinds.Spread:
        kind = kinds.BY_NAME[self.question.kind]
        assert isinstance(kind, kinds.Spread)
        return kind
