"""Additive secret sharing over Z_2^64.

A vector x is split into n shares that add up to x. Shares sent to others are
32-byte seeds expanded by ChaCha20 into uniformly random vectors, so a share of
a 1000-bin histogram costs as little on the wire as a share of one number; the
share a party keeps is x minus everything it sent. Any n−1 shares are uniform
and independent of x.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms

from huddle.core.encoding import Vector, vector_from_bytes, vector_to_bytes
from huddle.core.errors import RemoteProtocolError

RandomBytes = Callable[[int], bytes]
"""A source of cryptographically strong random bytes, normally ``os.urandom``."""

SEED_BYTES = 32
_NONCE = bytes(16)  # every seed is fresh and used once, so a fixed nonce is safe
_TAG_VECTOR = 0
_TAG_SEED = 1


@dataclass(frozen=True, slots=True)
class Share:
    """One party's share for another: either a seed or an explicit vector."""

    seed: bytes | None = None
    vector: Vector | None = None

    def expand(self, length: int) -> Vector:
        if self.seed is not None:
            return expand_seed(self.seed, length)
        assert self.vector is not None
        if len(self.vector) != length:
            raise RemoteProtocolError("A share has the wrong length for this question.")
        return self.vector

    def to_bytes(self) -> bytes:
        if self.seed is not None:
            return bytes([_TAG_SEED]) + self.seed
        assert self.vector is not None
        return bytes([_TAG_VECTOR]) + vector_to_bytes(self.vector)

    @classmethod
    def from_bytes(cls, data: bytes) -> Share:
        if data[:1] == bytes([_TAG_SEED]) and len(data) == 1 + SEED_BYTES:
            return cls(seed=data[1:])
        if data[:1] == bytes([_TAG_VECTOR]) and len(data) > 1 and (len(data) - 1) % 8 == 0:
            return cls(vector=vector_from_bytes(data[1:]))
        raise RemoteProtocolError("A share is not in a format this Huddle understands.")


def expand_seed(seed: bytes, length: int) -> Vector:
    """Deterministically stretch a 32-byte seed into ``length`` ring elements."""
    encryptor = Cipher(algorithms.ChaCha20(seed, _NONCE), mode=None).encryptor()
    stream = encryptor.update(bytes(8 * length))
    return np.frombuffer(stream, dtype="<u8").astype(np.uint64)


def split(
    vector: Vector, recipients: Sequence[int], random_bytes: RandomBytes
) -> tuple[Vector, dict[int, Share]]:
    """Split ``vector`` into a kept share and one seed share per recipient."""
    sent = {j: Share(seed=random_bytes(SEED_BYTES)) for j in recipients}
    kept = np.array(vector, dtype=np.uint64, copy=True)
    for share in sent.values():
        kept -= share.expand(len(vector))
    return kept, sent


def fixed_splitter(
    table: Mapping[int, Vector],
) -> Callable[[Vector, Sequence[int]], tuple[Vector, dict[int, Share]]]:
    """A splitter that uses given shares (the reference article's worked example).

    ``table`` maps every party id, including the splitter's own, to the share it
    gets. The shares must add up to the value, which is checked.
    """

    def splitter(vector: Vector, recipients: Sequence[int]) -> tuple[Vector, dict[int, Share]]:
        own = [p for p in table if p not in recipients]
        if len(own) != 1 or set(recipients) - set(table):
            raise ValueError("the fixed table must cover exactly the roster")
        total = combine(list(table.values()))
        if not np.array_equal(total, vector):
            raise ValueError("the fixed shares do not add up to the value")
        return table[own[0]], {j: Share(vector=table[j]) for j in recipients}

    return splitter


def combine(vectors: Sequence[Vector]) -> Vector:
    """Add vectors in the ring (wrap-around is intended)."""
    total = np.zeros(len(vectors[0]), dtype=np.uint64)
    for v in vectors:
        total += v
    return total
