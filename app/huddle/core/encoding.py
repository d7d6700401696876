"""Fixed-point values in the ring Z_2^64.

Values are typed by people as decimal text and read by a question's
`FixedPoint` (`huddle.core.fixed_point`, whose names this module also offers);
they become integers scaled by 10^decimals and live in numpy ``uint64``
vectors, where wrap-around is the ring's addition. Totals are read back as
signed (two's complement) integers, so negative values and negative noisy
counts come out right.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

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
    """Signed integers to ring elements (two's complement)."""
    return np.asarray(values, dtype=np.int64).view(np.uint64).copy()


def from_ring(vector: Vector) -> list[int]:
    """Ring elements back to signed Python integers."""
    return [int(v) for v in np.asarray(vector, dtype=np.uint64).view(np.int64)]


def vector_to_bytes(vector: Vector) -> bytes:
    return np.asarray(vector, dtype="<u8").tobytes()


def vector_from_bytes(data: bytes) -> Vector:
    if len(data) % 8:
        raise ValueError("vector bytes must be a multiple of 8")
    return np.frombuffer(data, dtype="<u8").astype(np.uint64)
