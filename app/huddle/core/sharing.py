"""Additive secret sharing over Z_2^64, with shares that need not travel.

A vector x is split into n shares that add up to x: party i gives each other
party j a uniformly random vector m_ij and keeps x − Σ_j m_ij. Any n − 1 of the
shares are uniform and independent of x.

Huddle's m_ij is a *mask*: a 32-byte key expanded by ChaCha20 into a vector
(DESIGN.md §3), where the key is derived from a secret only i and j hold and
names the round and the direction i → j (see `participant.round_key`). Both
ends can compute it, so nothing has to be sent for j to hold its share, and a
share of a 1000-bar histogram costs what a share of one number costs. What j
publishes, its partial sum, is then its own kept share plus every share it
holds: x_j − Σ_k m_jk + Σ_k m_kj.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms

from huddle.core.encoding import Vector

SEED_BYTES = KEY_BYTES = 32
_NONCE = bytes(16)  # every key is derived for one mask only, so a fixed nonce is safe


def expand_seed(seed: bytes, length: int) -> Vector:
    """Deterministically stretch a 32-byte key into ``length`` uniform ring elements."""
    encryptor = Cipher(algorithms.ChaCha20(seed, _NONCE), mode=None).encryptor()
    stream = encryptor.update(bytes(8 * length))
    return np.frombuffer(stream, dtype="<u8").astype(np.uint64)


def mask_from_key(key: bytes, length: int) -> Vector:
    """A mask from a fresh 32-byte pseudorandom key: the key's own bytes when
    they suffice (a question of up to four numbers), else its ChaCha20 stream."""
    if 8 * length <= KEY_BYTES:
        return np.frombuffer(key, dtype="<u8", count=length).astype(np.uint64)
    return expand_seed(key, length)


def mask_sum(keys: Sequence[bytes], length: int) -> Vector:
    """The ring sum of the masks of several keys, as `mask_from_key` would give them.

    For short questions this is one numpy operation over all keys rather than
    a few per key: in a round of many people that is most of the arithmetic.
    """
    if 8 * length <= KEY_BYTES:
        block = b"".join(key[: 8 * length] for key in keys)
        rows = np.frombuffer(block, dtype="<u8").astype(np.uint64).reshape(len(keys), length)
        total: Vector = rows.sum(axis=0, dtype=np.uint64)  # wraps mod 2^64, as the ring does
        rows.fill(0)
        return total
    return combine([expand_seed(key, length) for key in keys])


def fixed_masks(table: Mapping[int, Mapping[int, int]]) -> Callable[[int, int, int], Vector]:
    """Masks from a given table (the reference article's worked example).

    ``table[i][j]`` is the share party i gives party j (``table[i][i]`` the
    share it keeps); every party of the demo gets the same table, so the giver
    and the receiver agree on each share as they would on a derived mask.
    """

    def masks(sender: int, recipient: int, length: int) -> Vector:
        return np.array([table[sender][recipient]] * length, dtype=np.int64).view(np.uint64)

    return masks


def sum_rows(block: bytes, rows: int, length: int) -> Vector:
    """The ring sum of ``rows`` vectors of ``length`` stored one after another."""
    matrix = np.frombuffer(block, dtype="<u8").astype(np.uint64).reshape(rows, length)
    total: Vector = matrix.sum(axis=0, dtype=np.uint64)  # wraps mod 2^64, as the ring does
    return total


def combine(vectors: Sequence[Vector], length: int | None = None) -> Vector:
    """Add vectors in the ring (wrap-around is intended); zeros if there are none."""
    total = np.zeros(len(vectors[0]) if length is None else length, dtype=np.uint64)
    for v in vectors:
        total += v
    return total
