"""The session security code people compare aloud.

It is a hash over everything a man-in-the-middle would have to change: the
session id, the question, the host's certificate fingerprint as each side saw
it, and every roster entry's name and keys. If anyone substituted a key, the
codes on different screens differ.
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


def security_code(digest: bytes) -> str:
    """Four groups of four digits, e.g. ``"4821 0937 5512 7740"`` (about 53 bits)."""
    number = int.from_bytes(digest[:16], "big")
    groups = []
    for _ in range(CODE_GROUPS):
        number, group = divmod(number, 10**_GROUP_DIGITS)
        groups.append(f"{group:0{_GROUP_DIGITS}d}")
    return " ".join(groups)
