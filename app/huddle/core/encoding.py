"""Fixed-point values as elements of the field Field64 (p = 2^64 − 2^32 + 1).

Values are typed by people as decimal text and read by a question's
`FixedPoint` (`huddle.core.fixed_point`, whose names this module also offers);
they become integers scaled by 10^decimals and live in numpy ``uint64``
vectors of field elements (`huddle.core.field`): a negative v is p − |v|.
Totals are read back as signed integers (an element above p/2 stands for
element − p), so negative values and negative noisy counts come out right as
long as every total stays within ±p/2, which the questions' capacity checks
guarantee. (Protocol 3 used the ring Z_2^64; proofs need a field.)
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from huddle.core import field
from huddle.core.fixed_point import (
    MAX_DECIMALS,
    MISPLACED_GROUPING,
    NOT_A_NUMBER,
    RING_BITS,
    FixedPoint,
    ungroup,
)

__all__ = [
    "MAX_DECIMALS",
    "MISPLACED_GROUPING",
    "NOT_A_NUMBER",
    "RING_BITS",
    "FixedPoint",
    "Vector",
    "from_ring",
    "to_ring",
    "ungroup",
    "vector_from_bytes",
    "vector_to_bytes",
]

Vector = npt.NDArray[np.uint64]


def to_ring(values: list[int] | npt.NDArray[np.int64]) -> Vector:
    """Signed integers (each within ±p/2) to field elements."""
    return field.from_signed(np.asarray(values, dtype=np.int64))


def from_ring(vector: Vector) -> list[int]:
    """Field elements back to the signed Python integers they stand for."""
    return [int(v) for v in field.to_signed(np.asarray(vector, dtype=np.uint64))]


def vector_to_bytes(vector: Vector) -> bytes:
    return np.asarray(vector, dtype="<u8").tobytes()


def vector_from_bytes(data: bytes) -> Vector:
    """Eight little-endian bytes per element; `ValueError` for anything not in the field."""
    if len(data) % 8:
        raise ValueError("vector bytes must be a multiple of 8")
    return field.from_bytes(data)
