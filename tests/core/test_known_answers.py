"""Known answers of protocol 3: every derivation, byte for byte.

Two Huddles of protocol 3 interoperate only if they derive the same contexts,
masks, commitments, digests, tags and codes. The vectors in
data/protocol3_vectors.json were computed by this implementation when protocol
3 landed; a change to any label, any input or its order shows up here (and
needs a new protocol version), where a test with both ends in one process
would pass.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from huddle.core import masks, sharing
from huddle.core import security_code as sc
from huddle.core.encoding import vector_to_bytes
from huddle.core.messages import Member
from huddle.core.questions import Question

VECTORS = json.loads((Path(__file__).parent / "data" / "protocol3_vectors.json").read_text())
SID, RID = bytes(range(16)), (1).to_bytes(16, "big")
PAIR, SEED = bytes(range(32, 64)), bytes(range(64, 96))
MEMBERS = [
    Member(party=p, name=n, sign_key=bytes([p]) * 32, kem_key=bytes([p + 100]) * 32,
           signature=bytes(64))
    for p, n in ((1, "Ann"), (2, "Ben"), (3, "Cat"))
]  # fmt: skip
QUESTION = Question(title="2026 raise", lo="0", hi="100000")


def derived() -> dict[str, str]:
    roster = sc.roster_digest(SID, QUESTION, bytes(range(200, 232)), MEMBERS)
    code = sc.code_digest(roster, 4, bytes(range(96)))
    ctx = masks.round_context(SID, RID, code)
    digest = masks.transcript_digest(ctx, (1, 2, 3), bytes(range(24)), bytes(range(96)))
    return {
        "pair_info": masks.pair_info(SID, MEMBERS[1], MEMBERS[0]).hex(),
        "roster_digest": roster.hex(),
        "code_digest": code.hex(),
        "security_code": sc.security_code(code),
        "round_context": ctx.hex(),
        "mask_key": masks.mask_key(PAIR, ctx, 1, 2).hex(),
        "self_mask_key": masks.self_mask_key(SEED, ctx).hex(),
        "seed_commitment": masks.seed_commitment(ctx, 2, SEED).hex(),
        "nonce_commitment": masks.nonce_commitment(SID, 4, 2, SEED).hex(),
        "transcript_digest": digest.hex(),
        "confirm_tag": masks.confirm_tag(PAIR, ctx, 1, 2, bytes(32)).hex(),
        "result_code": sc.result_code(bytes(32)),
        "mask_1": vector_to_bytes(sharing.mask_sum([PAIR], 1)).hex(),
        "mask_5": vector_to_bytes(sharing.mask_sum([PAIR], 5)).hex(),
    }


@pytest.mark.parametrize("name", sorted(VECTORS))
def test_each_derivation_gives_its_known_answer(name: str) -> None:
    assert derived()[name] == VECTORS[name]


@pytest.mark.parametrize("length", range(1, 10))
def test_a_single_mask_is_the_one_mask_sum_gives(length: int) -> None:
    """`mask_from_key` (the demo's path) and `mask_sum` (the round's) agree on every
    length, on both sides of the switch from the key's bytes to ChaCha20."""
    assert (sharing.mask_from_key(PAIR, length) == sharing.mask_sum([PAIR], length)).all()
    stream = sharing.expand_seed(PAIR, length)
    if length > 4:
        assert (sharing.mask_from_key(PAIR, length) == stream).all()
    else:
        assert vector_to_bytes(sharing.mask_from_key(PAIR, length)) == PAIR[: 8 * length]
