"""Known answers of protocol 4: every derivation, byte for byte.

Two Huddles of protocol 4 interoperate only if they derive the same contexts,
keys, pieces, masks, commitments, seeds, digests, tags and codes. The vectors
in data/protocol4_vectors.json were computed by this implementation when
protocol 4 landed (``python -m tests.core.test_known_answers`` prints them,
the way protocol 3's were made); a change to any label, any input or its
order shows up here (and needs a new protocol version), where a test with both
ends in one process would pass.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from huddle.core import field, flp, masks, proofs, sharing
from huddle.core import security_code as sc
from huddle.core.encoding import from_ring, to_ring, vector_to_bytes
from huddle.core.messages import Member
from huddle.core.questions import Question

DATA = Path(__file__).parent / "data" / "protocol4_vectors.json"
VECTORS = json.loads(DATA.read_text())
SID, RID = bytes(range(16)), (1).to_bytes(16, "big")
PAIR, SEED = bytes(range(32, 64)), bytes(range(64, 96))
MEMBERS = [
    Member(party=p, name=n, sign_key=bytes([p]) * 32, kem_key=bytes([p + 100]) * 32,
           signature=bytes(64))
    for p, n in ((1, "Ann"), (2, "Ben"), (3, "Cat"))
]  # fmt: skip
QUESTION = Question(title="2026 raise", lo="0", hi="100000")
CIRCUIT = flp.Flp(flp.Contribution(flp.Range(0, 100)))
"""A fixed circuit (not a kind's, which may grow): the randomness the proofs draw
from their seeds, at that circuit's lengths."""


def _hex(vector: field.Vec) -> str:
    return vector_to_bytes(vector).hex()


def derived() -> dict[str, str]:
    roster = sc.roster_digest(SID, QUESTION, bytes(range(200, 232)), MEMBERS)
    code = sc.code_digest(roster, 4, bytes(range(96)))
    ctx = masks.round_context(SID, RID, code)
    blobs = (bytes(range(24)), bytes(range(24, 40)), bytes(range(40, 64)), bytes(range(96)))
    digest = masks.transcript_digest(ctx, (1, 2, 3), *blobs)
    return {
        "pair_info": masks.pair_info(SID, MEMBERS[1], MEMBERS[0]).hex(),
        "roster_digest": roster.hex(),
        "code_digest": code.hex(),
        "security_code": sc.security_code(code),
        "round_context": ctx.hex(),
        "mask_key": masks.mask_key(PAIR, ctx, 1, 2).hex(),
        "piece": masks.piece(PAIR, ctx, 1, 2).hex(),
        "piece_commitment": masks.piece_commitment(ctx, 1, 2, SEED).hex(),
        "query_nonce_commitment": masks.query_nonce_commitment(ctx, 2, SEED).hex(),
        "nonce_commitment": masks.nonce_commitment(SID, 4, 2, SEED).hex(),
        "joint_seed": masks.joint_seed(ctx, 2, *blobs[:2], blobs[3]).hex(),
        "query_seed": masks.query_seed(ctx, bytes(32), bytes(range(96))).hex(),
        "transcript_digest": digest.hex(),
        "confirm_tag": masks.confirm_tag(PAIR, ctx, 1, 2, bytes(32)).hex(),
        "verify_context": masks.verify_context(ctx, 2, bytes(32), bytes(range(16))).hex(),
        "result_code": sc.result_code(bytes(32)),
        "mask_1": _hex(sharing.mask_sum([PAIR], 1)),
        "mask_5": _hex(sharing.mask_sum([PAIR], 5)),
        "mask_1000_sha256": hashlib.sha256(vector_to_bytes(sharing.mask_sum([PAIR], 1000)))
        .digest()
        .hex(),
        "mask_sum_of_two_3": _hex(sharing.mask_sum([PAIR, SEED], 3)),
        "witness_share_3": _hex(proofs.witness_share(PAIR, 3)),
        "proof_share_3": _hex(proofs.proof_share(PAIR, 3)),
        "self_mask_piece_3": _hex(proofs.piece_vector(SEED, 3)),
        "self_mask_of_two_3": _hex(proofs.self_mask([PAIR, SEED], 3)),
        "field_minus_one": _hex(to_ring([-1, 1, -(2**62)])),
        "flp_prove_rand": _hex(CIRCUIT.prove_rand(SEED)),
        "flp_joint_rand": _hex(CIRCUIT.joint_rand(SEED)),
        "flp_query_rand": _hex(CIRCUIT.query_rand(SEED)),
    }


@pytest.mark.parametrize("name", sorted(VECTORS))
def test_each_derivation_gives_its_known_answer(name: str) -> None:
    assert derived()[name] == VECTORS[name]


def test_every_derivation_has_a_known_answer() -> None:
    """A derivation added to `derived` without regenerating the file is pinned by nothing."""
    assert sorted(derived()) == sorted(VECTORS)


def test_the_known_answers_are_of_the_field_not_the_ring() -> None:
    """−1 is p − 1 (the ring's two's complement would be 2^64 − 1), and every mask
    entry is a field element below p."""
    assert VECTORS["field_minus_one"][:16] == (field.P - 1).to_bytes(8, "little").hex()
    assert from_ring(to_ring([-1])) == [-1]
    for name in ("mask_5", "witness_share_3", "proof_share_3", "self_mask_piece_3"):
        field.from_bytes(bytes.fromhex(VECTORS[name]))  # raises for anything ≥ p


LABELS = [b"mask", b"witness", b"proof", b"self-mask"]


@pytest.mark.parametrize("length", [1, 2, 4, 5, 33, 1000])
@pytest.mark.parametrize("label", LABELS)
def test_a_single_mask_is_the_one_mask_sum_gives(length: int, label: bytes) -> None:
    """`mask_from_key` (one share) and `mask_sum` (the round's sums) agree on every
    length and label, and the proofs' helpers are those labels."""
    one = sharing.mask_from_key(PAIR, length, label)
    assert (one == sharing.mask_sum([PAIR], length, label)).all()
    assert len(one) == length and int(one.max()) < field.P
    helper = {
        b"mask": sharing.mask_from_key,
        b"witness": proofs.witness_share,
        b"proof": proofs.proof_share,
        b"self-mask": proofs.piece_vector,
    }[label]
    assert (helper(PAIR, length) == one).all()
    two = field.add(one, sharing.mask_from_key(SEED, length, label))
    assert (sharing.mask_sum([PAIR, SEED], length, label) == two).all()


def test_each_label_gives_another_mask() -> None:
    """The same key expands to unrelated vectors per purpose: a colleague's share of a
    witness tells nothing of the partial sum's mask under the same key."""
    expansions = {bytes(vector_to_bytes(sharing.mask_from_key(PAIR, 4, lab))) for lab in LABELS}
    assert len(expansions) == len(LABELS)


if __name__ == "__main__":  # regenerate, only with a new protocol version
    print(json.dumps(derived(), indent=1))


def test_each_verifier_message_is_the_query_protocol_4_describes() -> None:
    """docs/PROTOCOL.md: j's message for prover i is `Flp.query` of j's shares (n − 1
    in all), and the colleague after i in the roster, cyclically, adds the public part
    first. Recomputed here from the round's messages and the pair secrets alone, for
    every member's signed checks of a real round of four: a build that let another
    colleague add the public part would pass with itself, and fail with this one."""
    from huddle.core.codec import FrameDecoder
    from huddle.core.messages import Confirms, Partials, Start, Verify

    from .harness import make_network, slots

    net = make_network(QUESTION)
    conns = [net.join(name) for name in ("Ann", "Ben", "Cat", "Dan")]
    seen: dict[tuple[str, int], object] = {}

    def tap(direction: str, conn: int, data: bytes) -> bytes:
        msg = FrameDecoder().feed(data)[0]
        if isinstance(msg, Start | Partials | Confirms | Verify):
            seen[(type(msg).__name__, conn)] = msg
        return data

    net.tap = tap
    for k, conn in enumerate(conns):
        net.party_do(conn, net.parties[conn].submit(str(1000 * k)))
    net.host_do(net.host.start())
    members = [net.parties[conn] for conn in conns]
    assert all(m.outcome is not None for m in members)
    start, partials, confirms = (
        seen[(kind, conns[0])] for kind in ("Start", "Partials", "Confirms")
    )
    assert isinstance(start, Start) and isinstance(partials, Partials)
    assert isinstance(confirms, Confirms)
    s, parties, n = proofs.shape(QUESTION), partials.parties, len(partials.parties)
    ctx = masks.round_context(net.host.session_id, start.round_id, start.roster_digest)
    blobs = {
        name: slots(partials, name) for name in ("vectors", "witnesses", "proofs", "commitments")
    }
    transcript = masks.transcript_digest(
        ctx, parties, partials.vectors, partials.witnesses, partials.proofs, partials.commitments
    )
    query = s.flp.query_rand(masks.query_seed(ctx, transcript, confirms.nonces))
    for c, checker in zip(parties, members, strict=True):
        verify = seen[("Verify", conns[parties.index(c)])]
        assert isinstance(verify, Verify)
        rows = field.from_bytes(verify.messages).reshape(n - 1, s.message)
        for row, i in zip(rows, [p for p in parties if p != c], strict=True):
            k, pair = parties.index(i), checker._pairs.secret(i)
            key = masks.mask_key(pair, ctx, i, c)
            given = sharing.mask_from_key(key, s.length)
            got = sharing.mask_from_key(masks.mask_key(pair, ctx, c, i), s.length)
            meas, proof = proofs.colleague_share(s, given, got, masks.piece(pair, ctx, i, c), key)
            if c == parties[(k + 1) % n]:  # the colleague after the prover
                public = proofs.public_measurement(
                    s,
                    field.from_bytes(blobs["vectors"][k]),
                    field.from_bytes(blobs["witnesses"][k]),
                )
                meas = field.add(meas, public)
                proof = field.add(proof, field.from_bytes(blobs["proofs"][k]))
            joint = s.flp.joint_rand(
                masks.joint_seed(
                    ctx, i, blobs["vectors"][k], blobs["witnesses"][k], blobs["commitments"][k]
                )
            )
            expected = proofs.query(
                s, meas, proof, query_rand=query, joint_rand=joint, shares=n - 1
            )
            assert field.to_bytes(row) == field.to_bytes(expected), (c, i)
