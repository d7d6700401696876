"""What the host asks: the question's settings and how answers become vectors.

`Question` is both the domain object and its wire record: the host creates it,
the codec carries it inside `Welcome`, and every participant validates it again
on arrival (a hostile host gets the same checks as a careless one). What each
kind of result does with the settings lives in `huddle.core.kinds`.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

import numpy as np

from huddle.core import flp, kinds, noise, round_size
from huddle.core import randomized_response as rr
from huddle.core.answers import Answer, AnswerError
from huddle.core.codec import limit
from huddle.core.encoding import FixedPoint, Vector, to_ring
from huddle.core.epsilon import Epsilon
from huddle.core.errors import LocalProtocolError, SettingsError
from huddle.core.kinds import (
    AVERAGE,
    CHOICE,
    DP_AVERAGE,
    DP_SPREAD,
    DP_VOTE,
    HISTOGRAM,
    KINDS,
    MAX_BINS,
    MAX_PARTICIPANTS,
    POLL,
    SPREAD,
    VOTE,
    VOTE_OUTCOME,
)
from huddle.core.options import MAX_OPTIONS

__all__ = [
    "AVERAGE",
    "CHOICE",
    "DP_AVERAGE",
    "DP_SPREAD",
    "DP_VOTE",
    "HISTOGRAM",
    "KINDS",
    "MAX_BINS",
    "MAX_PARTICIPANTS",
    "MIN_PARTICIPANTS",
    "POLL",
    "SPREAD",
    "VOTE",
    "VOTE_OUTCOME",
    "Question",
]

MIN_PARTICIPANTS = 3
MAX_MAGNITUDE = 40
"""Decimal exponent above which a range end is refused outright (10^40 ≫ p/2 ≈ 9.2·10^18)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Question:
    """The settings of one session, fixed when it is created."""

    kind: str = field(default=AVERAGE, metadata=limit(max_len=32))
    title: str = field(metadata=limit(max_len=120))
    unit: str = field(default="", metadata=limit(max_len=24))
    decimals: int = field(default=0, metadata=limit(lo=0, hi=6))
    lo: str = field(default="0", metadata=limit(max_len=40))
    hi: str = field(default="1000000", metadata=limit(max_len=40))
    min_participants: int = field(
        default=MIN_PARTICIPANTS, metadata=limit(lo=0, hi=MAX_PARTICIPANTS)
    )
    bins: tuple[str, ...] = field(default=(), metadata=limit(max_len=MAX_BINS + 1))
    """Histogram bar edges, lo first and hi last (B bars have B + 1 edges)."""
    epsilon: str = field(default="", metadata=limit(max_len=20))
    """The privacy setting ε of a noisy kind as the host set it, "" for an exact result.
    The wire and the security code carry this text as it is; read it as `privacy`."""
    tag: str = field(default="", metadata=limit(max_len=64))
    """The subject ("salary"): ε spent on one tag adds up in each person's ledger."""
    options: tuple[str, ...] = field(default=(), metadata=limit(max_len=MAX_OPTIONS))
    """The options of a vote or a private choice, in the order people see them."""
    robust: int = field(default=0, metadata=limit(lo=0, hi=MAX_PARTICIPANTS, optional=True))
    """k, how many members may add no noise (a noisy kind): any n − k honest noise shares
    make the full noise (`huddle.core.noise`). 0 when creating a question asks for the
    default (`noise.default_robust`); an exact kind has 0 and leaves the field off the
    wire, so its encoding (and security code) is what it was before the field existed."""

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise SettingsError(f"This Huddle does not know the result kind “{self.kind}”.")
        if not self.title.strip():
            raise SettingsError("Give the question a title.")
        if self.min_participants < MIN_PARTICIPANTS:
            raise SettingsError(
                f"At least {MIN_PARTICIPANTS} people are needed: with two, each would "
                "learn the other's value from the result."
            )
        self.fixed_point.check_capacity(MAX_PARTICIPANTS)
        kind = kinds.BY_NAME[self.kind]
        if self.options and not kind.takes_options:
            raise SettingsError("Options only apply to a vote or a private choice.")
        kind.check(self, MAX_PARTICIPANTS)
        self._check_robust(kind.private)
        # Every accepted question's answers can be proven valid, by a group as large
        # as its minimum (the proofs' frames grow with the group: `round_size`).
        largest = round_size.max_group(self.contribution(), MAX_PARTICIPANTS, MIN_PARTICIPANTS)
        if self.min_participants > largest:
            raise SettingsError(
                f"A round of this question can hold at most {largest} people (the apps check "
                f"each other's answers, and that grows with the group): ask for at most "
                f"{largest}, or fewer bars."
            )

    def _check_robust(self, private: bool) -> None:
        if not private:
            if self.robust:
                raise SettingsError("Only a result with noise has people who may add no noise.")
            return
        if self.robust == 0:  # frozen: the default is filled in once, here
            object.__setattr__(self, "robust", noise.default_robust(self.min_participants))
        most = noise.max_robust(self.min_participants)
        if not 1 <= self.robust <= most:
            raise SettingsError(
                f"With a minimum of {self.min_participants} people, between 1 and {most} of "
                "them may add no noise: at least two must always carry it. Ask for more "
                "people or allow fewer who add none."
            )

    def contribution(self) -> flp.Contribution:
        """What every member proves its contribution to be (issue 15): a valid answer
        of this kind (`kinds.Kind.circuit`) plus, for a noisy kind, a noise share
        within ±`noise.noise_bound` per element. The same for every member's app,
        since it depends on nothing but the question's fields. Built once per question."""
        return _contribution(self)

    @property
    def fixed_point(self) -> FixedPoint:
        return FixedPoint(self.decimals, _decimal(self.lo, "lowest"), _decimal(self.hi, "highest"))

    @property
    def is_private(self) -> bool:
        """True if the result is released with differential-privacy noise."""
        return kinds.BY_NAME[self.kind].private

    @property
    def takes_options(self) -> bool:
        """True if people answer by picking from the host's options."""
        return kinds.BY_NAME[self.kind].takes_options

    @property
    def release_epsilon(self) -> float:
        """The ε taking part costs each person (ln 3 for a poll; 0 for exact results)."""
        return kinds.BY_NAME[self.kind].release_epsilon(self)

    @property
    def privacy(self) -> Epsilon | None:
        """The privacy setting ε, typed; None for a result without noise."""
        return Epsilon.parse(self.epsilon) if self.epsilon else None

    @property
    def epsilon_value(self) -> float:
        """ε as a number (a `SettingsError` for an exact kind, which has none)."""
        return kinds.epsilon_of(self)

    @property
    def sensitivity(self) -> int:
        """Δ in ring units: how far one person's answer can move one element."""
        return kinds.BY_NAME[self.kind].sensitivity(self)

    @property
    def edges(self) -> tuple[Decimal, ...]:
        """A histogram's bar edges as numbers."""
        return kinds.edges(self)

    @property
    def vector_length(self) -> int:
        return kinds.BY_NAME[self.kind].vector_length(self)

    def parse_answer(self, text: str) -> Answer:
        """What a person typed, read once into a typed answer (`AnswerError` if unusable)."""
        return kinds.BY_NAME[self.kind].parse(self, text)

    def randomize(self, answer: Answer, coin: rr.Coin) -> tuple[Answer, rr.Response | None]:
        """For a poll, the answer to send after this app's coins (``coin``, passed in: the
        core reads no global random source) and how they fell; else the answer as is."""
        return kinds.BY_NAME[self.kind].randomize(self, answer, coin)

    def privacy_cost(self, *, published_before: bool) -> float:
        """The ε this person's next partial sum costs (`kinds.Kind.privacy_cost`)."""
        return kinds.BY_NAME[self.kind].privacy_cost(self, published_before=published_before)

    def encode_answer(self, answer: Answer | str, coin: rr.Coin | None = None) -> Vector:
        """An answer (or what a person typed) as the vector they will secret-share.

        A poll's true answer is randomized here with ``coin``; without one, only an
        answer randomized already (`randomize`) can be encoded, so a poll's truth
        never reaches the protocol as typed.
        """
        if isinstance(answer, str):
            answer = self.parse_answer(answer)
        encoded = kinds.BY_NAME[self.kind].encode_answer(self, answer, coin or _no_coin)
        return to_ring(np.array(encoded, dtype=np.int64))

    def answer_problem(self, text: str) -> AnswerError | None:
        """Why ``text`` cannot be an answer (a `Problem` and its figures), or None."""
        try:
            self.parse_answer(text)
        except AnswerError as exc:
            return exc
        return None

    def check_answer(self, text: str) -> str | None:
        """A message explaining why ``text`` is not acceptable, or None (flips no coin)."""
        problem = self.answer_problem(text)
        return None if problem is None else str(problem)


@functools.lru_cache(maxsize=64)
def _contribution(q: Question) -> flp.Contribution:
    kind = kinds.BY_NAME[q.kind]
    bound = noise.noise_bound(kinds.privacy_of(q), kind.sensitivity(q)) if kind.private else None
    try:
        return flp.Contribution(kind.circuit(q), bound)
    except ValueError:  # the capacity checks refuse these first; a safety net
        raise SettingsError(
            "The allowed range is too wide for the apps to check each other's answers: "
            "narrow the range or use fewer decimals."
        ) from None


def _no_coin() -> bool:
    raise LocalProtocolError("A poll's answer is randomized with this app's own coins first.")


def _decimal(text: str, which: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise SettingsError(f"The {which} allowed value is not a number.") from None
    if not value.is_finite():
        raise SettingsError(f"The {which} allowed value is not a number.")
    if value and value.adjusted() > MAX_MAGNITUDE:
        # Far beyond any ring capacity; refused before Decimal arithmetic overflows.
        raise SettingsError("The allowed range is too wide: narrow the range.")
    return value
