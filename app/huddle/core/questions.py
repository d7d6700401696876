"""What the host asks: the question's settings and how answers become vectors.

`Question` is both the domain object and its wire record: the host creates it,
the codec carries it inside `Welcome`, and every participant validates it again
on arrival (a hostile host gets the same checks as a careless one).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

import numpy as np

from huddle.core.codec import limit
from huddle.core.encoding import FixedPoint, Vector, to_ring
from huddle.core.errors import InputError, SettingsError

MIN_PARTICIPANTS = 3
MAX_PARTICIPANTS = 200
MAX_BINS = 4096

AVERAGE = "average"
KINDS = (AVERAGE,)


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
    epsilon: str = field(default="", metadata=limit(max_len=20))
    tag: str = field(default="", metadata=limit(max_len=64))

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

    @property
    def fixed_point(self) -> FixedPoint:
        return FixedPoint(self.decimals, _decimal(self.lo, "lowest"), _decimal(self.hi, "highest"))

    @property
    def vector_length(self) -> int:
        return 1

    def encode_answer(self, text: str) -> Vector:
        """What a person typed, as the vector they will secret-share."""
        fp = self.fixed_point
        return to_ring(np.array([fp.encode(fp.parse(text))], dtype=np.int64))

    def check_answer(self, text: str) -> str | None:
        """A message explaining why ``text`` is not acceptable, or None."""
        try:
            self.encode_answer(text)
        except InputError as exc:
            return str(exc)
        return None


def _decimal(text: str, which: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise SettingsError(f"The {which} allowed value is not a number.") from None
    if not value.is_finite():
        raise SettingsError(f"The {which} allowed value is not a number.")
    return value
