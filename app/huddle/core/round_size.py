"""How many people one round of a question can hold: every frame must fit.

A round's largest frames grow with the group: Partials as n (everyone's
published parts: partial sum, witness, proof, commitments), Verifies and
Unmasks as n(n − 1) (every member's checks of, and self-mask pieces for,
every other). Frames are at most `codec.MAX_FRAME` and their blobs travel as
base64 (4 bytes per 3), so a heavy question (a noisy 1000-bar histogram's
noise bits) holds fewer people than the app's maximum. The question refuses
a minimum above this, and the host admits nobody beyond it.
"""

from __future__ import annotations

import functools

from huddle.core.codec import MAX_FRAME
from huddle.core.flp import Contribution, Flp

ELEMENT_BYTES = 8
HASH_BYTES = 32
SIGNATURE_BYTES = 64
FRAME_ROOM = 4096
"""Bytes of a frame that are not blobs: JSON keys, ids, party numbers."""


@functools.lru_cache(maxsize=64)
def max_group(contribution: Contribution, most: int, least: int) -> int:
    """The largest n in ``least`` … ``most`` whose every frame fits (``least`` if none)."""
    flp = Flp(contribution)
    published = ELEMENT_BYTES * (flp.meas_length + flp.proof_length)
    check = ELEMENT_BYTES * flp.verifier_length

    def fits(n: int) -> bool:
        partials = n * (published + HASH_BYTES * n)
        verifies = n * ((n - 1) * check + SIGNATURE_BYTES)
        unmasks = n * (n - 1) * HASH_BYTES
        largest = max(partials, verifies, unmasks)
        return 4 * -(-largest // 3) + FRAME_ROOM <= MAX_FRAME

    n = most
    while n > least and not fits(n):
        n -= 1
    return n
