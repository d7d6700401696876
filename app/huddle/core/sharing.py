"""Additive secret sharing over the field Field64, with shares that need not travel.

A vector x is split into n shares that add up to x: party i gives each other
party j a uniformly random vector m_ij and keeps x − Σ_j m_ij. Any n − 1 of the
shares are uniform and independent of x.

Huddle's m_ij is a *mask*: a 32-byte key expanded by SHAKE128 into a vector
of field elements (`field.sample`, rejection of words ≥ p, so uniform), where
the key is derived from a secret only i and j hold and names the round, the
purpose and the direction i → j (see `masks.mask_key`). Both ends can compute
it, so nothing has to be sent for j to hold its share, and a share of a
1000-bar histogram costs what a share of one number costs. What j publishes,
its partial sum, is then its own kept share plus every share it holds:
x_j − Σ_k m_jk + Σ_k m_kj.

The field rather than the ring Z_2^64 (protocol 3): the proofs that a
contribution is valid (`huddle.core.flp`) need a prime field, and they must
be about the very vectors that are summed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np

from huddle.core import field
from huddle.core.encoding import Vector

SEED_BYTES = KEY_BYTES = 32
_MASK_LABEL = b"mask"


def mask_from_key(key: bytes, length: int, label: bytes = _MASK_LABEL) -> Vector:
    """The ``length`` uniform field elements a fresh 32-byte pseudorandom key stands for."""
    return field.sample(key, length, label)


def mask_sum(keys: Sequence[bytes], length: int, label: bytes = _MASK_LABEL) -> Vector:
    """The field sum of the masks of several keys, as `mask_from_key` would give them."""
    return field.sample_total(keys, length, label)


def fixed_masks(table: Mapping[int, Mapping[int, int]]) -> Callable[[int, int, int], Vector]:
    """Masks from a given table (the reference article's worked example).

    ``table[i][j]`` is the share party i gives party j (``table[i][i]`` the
    share it keeps); every party of the demo gets the same table, so the giver
    and the receiver agree on each share as they would on a derived mask.
    """

    def masks(sender: int, recipient: int, length: int) -> Vector:
        return field.from_signed([table[sender][recipient]] * length)

    return masks


def sum_rows(block: bytes, rows: int, length: int) -> Vector:
    """The field sum of ``rows`` vectors of ``length`` stored one after another."""
    matrix = field.from_bytes(block).reshape(rows, length)
    total: Vector = field.total(matrix, axis=0)
    return total


def combine(vectors: Sequence[Vector], length: int | None = None) -> Vector:
    """Add vectors in the field; zeros if there are none."""
    if not vectors:
        return field.zeros(0 if length is None else length)
    total: Vector = field.total(np.stack(list(vectors)), axis=0)
    return total
