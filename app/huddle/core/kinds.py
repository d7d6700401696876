"""What each kind of result does: validate settings, encode answers, size the noise.

`Question` is the record (what the host sets, what travels inside `Welcome`,
what the security code covers); a `Kind` is the behaviour behind its `kind`
field. One small class per kind:

- ``average``: the exact group average. The vector is [x].
- ``histogram``: a noisy count per bar. The vector is one-hot over B bars and
  each participant adds its discrete Laplace noise share (DESIGN.md §6) with
  Δ = 2: replacing one person's answer moves one count down and another up.
- ``dp_average``: a noisy average. The vector is [clamp(x)] plus noise with
  Δ = (hi − lo)·10^d fixed-point units; the number of contributors is public.
- ``vote``, ``dp_vote``, ``vote_outcome``: one option per person, one-hot over
  the options (`huddle.core.options`); exact tallies, noisy tallies (Δ = 2, as
  a histogram), or only who leads the noisy tallies (`huddle.core.tallies`).
- ``poll``: yes/no by randomized response, [sent bit]; no added noise — the
  coins are the mechanism, ε = ln 3 (`huddle.core.randomized_response`).
- ``choice``: approval vote, 0/1 per option, noisy counts and the option with
  the largest (report-noisy-max). Every app sees the whole noisy vector (it
  checks the host's sum), so the noise covers the vector: replacing one
  person's ticks can move every count by one, Δ = number of options.
- ``spread``, ``dp_spread``: [K·u, u²] for the average and the standard
  deviation (`huddle.core.spread`), exact or with noise.

Rules of this file: pure functions of the question they are given; errors are
`SettingsError` (the host's settings) or `InputError` (what a person typed),
written for people, never repeating a typed value.
"""

from __future__ import annotations

import bisect
import itertools
import math
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, ClassVar

from huddle.core import noise, options, spread
from huddle.core import randomized_response as rr
from huddle.core.encoding import FixedPoint
from huddle.core.errors import SettingsError

if TYPE_CHECKING:
    from huddle.core.questions import Question

AVERAGE = "average"
HISTOGRAM = "histogram"
DP_AVERAGE = "dp_average"
VOTE = "vote"
DP_VOTE = "dp_vote"
VOTE_OUTCOME = "vote_outcome"
POLL = "poll"
CHOICE = "choice"
SPREAD = "spread"
DP_SPREAD = "dp_spread"

MIN_BINS = 2
MAX_BINS = 1000
"""More bars than this are refused. Every bar gets its own noise (±6 to 7 people
at 95 % for ε = 1), so once a group of at most 200 people is spread over more than
a thousand bars nearly every bar holds 0 or 1 person and the chart shows little
but noise; meanwhile every partial sum carries 8 bytes per bar and the host
forwards all n of them to each of the n people. A chart people can read has
far fewer bars anyway."""

DEFAULT_EPSILON = "1.0"
HISTOGRAM_SENSITIVITY = 2

NOISE_ROOM_SCALES = 64
"""Ring head-room for noise: |noise| stays below 64 scales Δ/ε except with
probability about e^−64 ≈ 1.6e−28, so a noisy total never wraps around."""


class Kind:
    """The behaviour of one kind of result (stateless; the question is passed in)."""

    name: ClassVar[str]
    private: ClassVar[bool] = False
    """True for kinds released with differential-privacy noise."""
    takes_options: ClassVar[bool] = False
    """True for kinds whose answers are options the host lists."""

    def check(self, q: Question, max_parties: int) -> None:
        """Raise `SettingsError` unless the kind-specific settings make sense."""
        raise NotImplementedError

    def vector_length(self, q: Question) -> int:
        return 1

    def encode(self, q: Question, value: Decimal) -> list[int]:
        """A parsed, in-range value as the signed integers this person will share."""
        return [q.fixed_point.encode(value)]

    def encode_text(self, q: Question, text: str, coin: rr.Coin) -> list[int]:
        """What a person typed as the integers they will share; `InputError` if unusable.

        ``coin`` is a fair coin for kinds whose answers are randomized on the
        person's own computer (the poll); other kinds ignore it.
        """
        return self.encode(q, q.fixed_point.parse(text))

    def sensitivity(self, q: Question) -> int:
        """Δ, the L1 distance one person's answer can move the vector; 0 for exact kinds."""
        return 0

    def release_epsilon(self, q: Question) -> float:
        """The ε one release costs each person who answers (0 for exact kinds)."""
        return q.epsilon_value if self.private else 0.0


class Average(Kind):
    name = AVERAGE

    def check(self, q: Question, max_parties: int) -> None:
        if q.bins or q.epsilon:
            raise SettingsError(
                "Bars and a privacy setting ε only apply to a histogram or a noisy average."
            )


class Histogram(Kind):
    name = HISTOGRAM
    private = True

    def check(self, q: Question, max_parties: int) -> None:
        edges(q)
        check_noise(q, HISTOGRAM_SENSITIVITY, 1, max_parties)

    def vector_length(self, q: Question) -> int:
        return len(q.bins) - 1

    def encode(self, q: Question, value: Decimal) -> list[int]:
        """One-hot: bar i holds lo_i ≤ x < lo_(i+1); the last bar is closed."""
        bounds = edges(q)
        q.fixed_point.encode(value)  # the same range check as every kind
        bar = min(bisect.bisect_right(bounds, value) - 1, len(bounds) - 2)
        vector = [0] * (len(bounds) - 1)
        vector[bar] = 1
        return vector

    def sensitivity(self, q: Question) -> int:
        return HISTOGRAM_SENSITIVITY


class DpAverage(Kind):
    name = DP_AVERAGE
    private = True

    def check(self, q: Question, max_parties: int) -> None:
        if q.bins:
            raise SettingsError("Bars only apply to a histogram, not to an average.")
        fp = q.fixed_point
        largest = max(abs(fp.lo), abs(fp.hi)) * fp.scale
        check_noise(q, self.sensitivity(q), largest, max_parties)

    def encode(self, q: Question, value: Decimal) -> list[int]:
        # People are refused out-of-range input before this (FixedPoint.parse);
        # the clamp is the mechanism's own guarantee that Δ bounds any change.
        fp = q.fixed_point
        return [fp.encode(fp.clamp(value))]

    def sensitivity(self, q: Question) -> int:
        fp = q.fixed_point
        return math.ceil((fp.hi - fp.lo) * fp.scale)


class Vote(Kind):
    name = VOTE
    takes_options = True

    def check(self, q: Question, max_parties: int) -> None:
        check_options(q)
        if q.epsilon:
            raise SettingsError("A privacy setting ε only applies to noisy tallies.")

    def vector_length(self, q: Question) -> int:
        return len(q.options)

    def encode_text(self, q: Question, text: str, coin: rr.Coin) -> list[int]:
        return options.one_hot(len(q.options), options.pick(q.options, text))


class DpVote(Vote):
    name = DP_VOTE
    private = True

    def check(self, q: Question, max_parties: int) -> None:
        check_options(q)
        check_noise(q, HISTOGRAM_SENSITIVITY, 1, max_parties)

    def sensitivity(self, q: Question) -> int:
        return HISTOGRAM_SENSITIVITY


class VoteOutcome(DpVote):
    """Noisy tallies, of which people are shown only who leads and whether by a majority."""

    name = VOTE_OUTCOME


class Choice(Vote):
    name = CHOICE
    private = True

    def check(self, q: Question, max_parties: int) -> None:
        check_options(q)
        check_noise(q, self.sensitivity(q), 1, max_parties)

    def encode_text(self, q: Question, text: str, coin: rr.Coin) -> list[int]:
        return options.approvals(len(q.options), options.picks(q.options, text))

    def sensitivity(self, q: Question) -> int:
        return len(q.options)


class Poll(Kind):
    name = POLL

    def check(self, q: Question, max_parties: int) -> None:
        if q.bins or q.epsilon:
            raise SettingsError(
                "A yes/no poll takes no bars and no ε: its coins set the privacy (ε = ln 3)."
            )
        fp = q.fixed_point
        if q.decimals or fp.lo != 0 or fp.hi != 1:
            raise SettingsError("A yes/no poll's answers are 0 (no) and 1 (yes).")

    def encode_text(self, q: Question, text: str, coin: rr.Coin) -> list[int]:
        return [rr.bit(text, coin)]

    def release_epsilon(self, q: Question) -> float:
        return rr.EPSILON


class Spread(Kind):
    name = SPREAD

    def check(self, q: Question, max_parties: int) -> None:
        if q.bins or q.epsilon:
            raise SettingsError(
                "Bars and a privacy setting ε only apply to a histogram or a noisy result."
            )
        spread.check_capacity(q.fixed_point, max_parties)

    def vector_length(self, q: Question) -> int:
        return 2

    def layout(self, q: Question) -> spread.Layout:
        return spread.layout(q.fixed_point, noisy=self.private)

    def encode(self, q: Question, value: Decimal) -> list[int]:
        fp = q.fixed_point
        return spread.encode(fp, fp.clamp(value), self.layout(q))


class DpSpread(Spread):
    name = DP_SPREAD
    private = True

    def check(self, q: Question, max_parties: int) -> None:
        if q.bins:
            raise SettingsError("Bars only apply to a histogram.")
        shape = self.layout(q)
        check_noise(q, shape.sensitivity, shape.largest, max_parties)

    def sensitivity(self, q: Question) -> int:
        return self.layout(q).sensitivity


BY_NAME: dict[str, Kind] = {
    k.name: k
    for k in (
        Average(),
        Histogram(),
        DpAverage(),
        Vote(),
        DpVote(),
        VoteOutcome(),
        Poll(),
        Choice(),
        Spread(),
        DpSpread(),
    )
}
KINDS = tuple(BY_NAME)


def parse_epsilon(text: str) -> float:
    """The privacy setting ε of a noisy result, validated (noise.py sets the limits)."""
    if not text.strip():
        raise SettingsError(
            "Choose the privacy setting ε for a noisy result: 1.0 is usual; "
            "smaller is more private and less accurate."
        )
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        raise SettingsError("The privacy setting ε must be a number, for example 1.0.") from None
    if not value.is_finite() or value <= 0:
        raise SettingsError("The privacy setting ε must be a positive number, for example 1.0.")
    epsilon = float(value)
    noise.noise_scale(epsilon, 1)  # refuses ε = 0 after rounding, and ε that is absurdly big
    return epsilon


def check_noise(q: Question, sensitivity: int, largest: Decimal | int, parties: int) -> None:
    """ε is sane, the noise is not absurdly wide, and the noisy total fits the ring.

    ``largest`` is the biggest magnitude one person's element can have, in
    ring units (1 for a histogram bar); ``parties`` the most contributors.
    """
    scale = noise.noise_scale(parse_epsilon(q.epsilon), sensitivity)
    room = NOISE_ROOM_SCALES * scale / (parties * float(largest))
    bits = math.ceil(math.log2(1.0 + room))
    FixedPoint(0, Decimal(0), Decimal(largest)).check_capacity(parties, extra_bits=bits)


def check_options(q: Question) -> None:
    """The options of a vote or choice are sound and its range is 1 … their number."""
    options.check(q.options)
    if q.bins:
        raise SettingsError("Bars only apply to a histogram, not to a vote.")
    fp = q.fixed_point
    if q.decimals or fp.lo != 1 or fp.hi != len(q.options):
        raise SettingsError("The answers to a vote are its options, numbered from 1.")


def edges(q: Question) -> tuple[Decimal, ...]:
    """The bar edges of a histogram question, validated against its range."""
    check_bin_count(len(q.bins) - 1)
    values = tuple(_edge(text) for text in q.bins)
    if any(a >= b for a, b in itertools.pairwise(values)):
        raise SettingsError("The bar edges must go up strictly from left to right.")
    fp = q.fixed_point
    if values[0] < fp.lo or values[-1] > fp.hi:
        raise SettingsError(f"Every bar edge must lie within the allowed range {fp.lo} to {fp.hi}.")
    if values[0] != fp.lo or values[-1] != fp.hi:
        raise SettingsError(
            f"The bars must cover the whole allowed range: the first edge must be {fp.lo} "
            f"and the last {fp.hi}, so that every allowed answer falls in a bar."
        )
    return values


def check_bin_count(count: int) -> None:
    if count < MIN_BINS:
        raise SettingsError(f"A histogram needs at least {MIN_BINS} bars.")
    if count > MAX_BINS:
        raise SettingsError(
            f"At most {MAX_BINS} bars: each bar carries its own noise, so with more bars "
            "than that nearly every bar holds one person or none and the chart shows "
            "mostly noise."
        )


def equal_width_edges(lo: str, hi: str, count: int, decimals: int) -> tuple[str, ...]:
    """Edges of ``count`` equal bars over [lo, hi], rounded to the answers' decimals.

    Rounding keeps every edge a value someone could type, so "lo ≤ x < edge"
    reads naturally; bars may then differ in width by one step.
    """
    check_bin_count(count)
    fp = FixedPoint(decimals, _edge(lo), _edge(hi))
    quantum = Decimal(1).scaleb(-decimals)
    try:
        step = (fp.hi - fp.lo) / count
        inner = [(fp.lo + step * i).quantize(quantum) for i in range(1, count)]
    except ArithmeticError:  # decimal's InvalidOperation and Overflow
        raise SettingsError("The allowed range is too wide for these decimals.") from None
    values = [fp.lo, *inner, fp.hi]
    if any(a >= b for a, b in itertools.pairwise(values)):
        room = math.floor((fp.hi - fp.lo) * fp.scale)
        raise SettingsError(
            f"With {decimals} decimal places, {fp.lo} to {fp.hi} has room for at most "
            f"{room} bars; choose fewer bars or more decimals."
        )
    return tuple(f"{v:f}" for v in values)


def _edge(text: str) -> Decimal:
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        raise SettingsError("A bar edge is not a number.") from None
    if not value.is_finite():
        raise SettingsError("A bar edge is not a number.")
    return value
