"""Values as people type them, and the fixed-point numbers the protocol adds up.

People type decimal text; a question's `FixedPoint` reads it (refusing rather
than rounding or clipping) and scales it by 10^decimals into an integer, which
`huddle.core.encoding` then places in the field Field64. Pure Python: the kinds
and the command line's options use this without loading numpy.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from huddle.core.answers import AnswerError, Problem, words
from huddle.core.errors import SettingsError

RING_BITS = 64
"""Bits of one element on the wire."""
FIELD_MODULUS = 2**64 - 2**32 + 1
"""p of Field64 (`huddle.core.field.P`, restated here so this module needs no numpy)."""
CAPACITY = (FIELD_MODULUS - 1) // 2
"""The largest magnitude a total may reach: elements decode to −CAPACITY … CAPACITY."""
MAX_DECIMALS = 6
NOT_A_NUMBER = words(Problem.NOT_A_NUMBER)
MISPLACED_GROUPING = words(Problem.GROUPING, separator="{separator}")
_PLAIN = re.compile(r"-?(?:\d+(?:\.\d*)?|\.\d+)")
"""What the hint promises and nothing more: digits, an optional minus, a dot for
decimals. Not "3e3", "+5", "1_000", "inf" or "NaN", which Decimal would take."""
_SPACES = frozenset("\u00a0\u202f\u2009 ")
"""Spaces some locales group digits with; people type an ordinary space for them."""


def _minus(text: str) -> str:
    return text.strip().replace("\u2212", "-")


def ungroup(text: str, separator: str) -> str:
    """``text`` with the digit grouping of the reader's locale taken out ("1,000" ->
    "1000"); `AnswerError` (`Problem.GROUPING`) if a separator is misplaced ("1,00",
    "1.000,5").

    ``separator`` is the locale's group separator; a dot never is one here, since
    the dot always marks decimals. Text without the separator comes back trimmed
    (a Unicode minus as "-") for `FixedPoint.parse` to judge.
    """
    text = _minus(text)
    if not separator or separator in "-.0123456789":
        return text
    separators = _SPACES if separator in _SPACES else frozenset(separator)
    if not any(mark in text for mark in separators):
        return text
    sign, rest = ("-", text[1:]) if text.startswith("-") else ("", text)
    whole, dot, fraction = rest.partition(".")
    groups = re.split("|".join(re.escape(mark) for mark in separators), whole)
    if not (
        1 <= len(groups[0]) <= 3
        and all(len(group) == 3 for group in groups[1:])
        and all(group.isdecimal() for group in groups)
        and not any(mark in fraction for mark in separators)
    ):
        shown = " " if separator in _SPACES else separator
        raise AnswerError(Problem.GROUPING, separator=shown)
    return sign + "".join(groups) + dot + fraction


@dataclass(frozen=True, slots=True)
class FixedPoint:
    """A scale and an allowed range for the values of one question."""

    decimals: int
    lo: Decimal
    hi: Decimal

    def __post_init__(self) -> None:
        if not 0 <= self.decimals <= MAX_DECIMALS:
            raise SettingsError(f"Decimals must be between 0 and {MAX_DECIMALS}.")
        if self.lo >= self.hi:
            raise SettingsError("The lowest allowed value must be below the highest.")

    @property
    def scale(self) -> int:
        return int(10**self.decimals)

    def check_capacity(self, parties: int, noise_bound: int = 0) -> None:
        """Refuse ranges whose sum over ``parties`` could wrap around the field.

        ``noise_bound``: each person's noise share, per element, lies within
        ±noise_bound (it is proven to), so the noisy total lies within
        ±parties·(largest value + noise_bound) — an exact bound, no probability
        — and that must stay within ±(p − 1)/2, where totals decode.
        """
        biggest = max(abs(self.lo), abs(self.hi)) * self.scale
        if parties * (biggest + noise_bound) > CAPACITY:
            raise SettingsError(
                "The allowed range is too wide for this many people: "
                "narrow the range or use fewer decimals."
            )

    def parse(self, text: str) -> Decimal:
        """Parse what a person typed; reject rather than round or clip.

        Only plain numbers (`_PLAIN`; a Unicode minus counts as one); digit
        grouping is the caller's to take out first, with `ungroup`. `AnswerError`
        says why not: not a number, too many decimals, out of range.
        """
        # The typed text is itself secret: error messages never repeat it.
        cleaned = _minus(text)
        if not _PLAIN.fullmatch(cleaned):
            raise AnswerError(Problem.NOT_A_NUMBER)
        try:
            value = Decimal(cleaned)
        except InvalidOperation:  # not expected after the pattern; refused all the same
            raise AnswerError(Problem.NOT_A_NUMBER) from None
        if value != value.quantize(Decimal(1).scaleb(-self.decimals)):
            raise AnswerError(Problem.DECIMALS, decimals=self.decimals)
        if not self.lo <= value <= self.hi:
            raise AnswerError(Problem.RANGE, lo=self.lo, hi=self.hi)
        return value

    def encode(self, value: Decimal) -> int:
        """A parsed, in-range value as a scaled integer."""
        if not self.lo <= value <= self.hi:
            raise AnswerError(Problem.RANGE, lo=self.lo, hi=self.hi)
        scaled = value * self.scale
        if scaled != scaled.to_integral_value():
            raise AnswerError(Problem.DECIMALS, decimals=self.decimals)
        return int(scaled)

    def decode(self, scaled: int) -> Decimal:
        return Decimal(scaled).scaleb(-self.decimals)

    def clamp(self, value: Decimal) -> Decimal:
        return min(max(value, self.lo), self.hi)
