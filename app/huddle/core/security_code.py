"""The session security code people compare aloud, and the result code.

The security code is a hash over everything a man-in-the-middle would have to
change: the session id, the question (its minimum group size included), the
host's certificate fingerprint as each side saw it, every roster entry's name
and keys, the roster's epoch, and one fresh nonce per member. Each member
commits to its nonce before it sees anyone else's and reveals it only once it
holds every commitment (the hash commitment of ZRTP, RFC 6189 §4.4.1.1, and
Bluetooth's numeric comparison). A host that shows each side fake keys must
fix its fake nonces before the real ones are known, so it cannot search for
fake keys that give matching codes: each roster it shows gets one guess at a
~53-bit code. If anyone substituted a key, the codes on different screens
differ.

The result code is a hash of the round's transcript (`masks.transcript_digest`):
equal codes mean equal partial sums, commitments and so equal results.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence

from huddle.core.codec import _encoder_for
from huddle.core.crypto import context
from huddle.core.messages import Member
from huddle.core.questions import Question

CODE_GROUPS = 4
_GROUP_DIGITS = 4


def roster_digest(
    session_id: bytes, question: Question, host_fingerprint: bytes, roster: Sequence[Member]
) -> bytes:
    question_bytes = json.dumps(_encoder_for(Question)(question), sort_keys=True).encode()
    parts: list[bytes | int] = [session_id, question_bytes, host_fingerprint, len(roster)]
    for member in sorted(roster, key=lambda m: m.party):
        parts += [member.party, member.name.encode(), member.sign_key, member.kem_key]
    return hashlib.sha256(context("security-code", *parts)).digest()


def code_digest(roster_part: bytes, epoch: int, nonces: bytes) -> bytes:
    """The digest behind the security code: `roster_digest` plus the epoch and every nonce."""
    return hashlib.sha256(context("code", roster_part, epoch, nonces)).digest()


def result_code(transcript: bytes) -> str:
    """The code on the result screen, from the transcript every member confirmed."""
    return security_code(hashlib.sha256(context("result-code", transcript)).digest())


def security_code(digest: bytes) -> str:
    """Four groups of four digits, e.g. ``"4821 0937 5512 7740"`` (about 53 bits)."""
    number = int.from_bytes(digest[:16], "big")
    groups = []
    for _ in range(CODE_GROUPS):
        number, group = divmod(number, 10**_GROUP_DIGITS)
        groups.append(f"{group:0{_GROUP_DIGITS}d}")
    return " ".join(groups)
