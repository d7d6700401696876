"""A round's code run once on throwaway data, while people are still joining.

The first use of each piece costs far more than the next: OpenSSL looks an
algorithm up, numpy and the codec set themselves up, and the proof system
builds its tables for the question's sizes (up to a few milliseconds each).
Paid inside the first round, that would be most of a small round.
"""

from __future__ import annotations

import hmac

import numpy as np

from huddle.core import codec, crypto, field, proofs
from huddle.core.masks import (
    confirm_tag,
    joint_seed,
    mask_key,
    piece,
    piece_commitment,
    query_seed,
    transcript_digest,
)
from huddle.core.messages import (
    Commit,
    Commitments,
    Confirm,
    Confirms,
    Partials,
    PartialSum,
    Progress,
    Reveal,
    Reveals,
    Start,
    Unmask,
    Unmasks,
    Verifies,
    Verify,
)
from huddle.core.questions import Question
from huddle.core.sharing import mask_sum


def rehearse(question: Question) -> None:
    """Prove, check and sum one made-up contribution of ``question`` among three."""
    codec.prepare()
    s = proofs.shape(question)
    key = mask_key(bytes(crypto.KEY_BYTES), b"", 1, 2)
    seed = piece(key, b"", 1, 2)
    meas = field.zeros(s.flp.meas_length)
    vector = field.to_bytes(field.add(meas[: s.length], mask_sum([key, key], s.length)))
    witness = field.to_bytes(proofs.public_witness(s, meas[s.length :], [key, key]))
    commitments = piece_commitment(b"", 1, 2, seed) * 3
    joint = s.flp.joint_rand(joint_seed(b"", 1, vector, witness, commitments))
    proof = s.flp.prove(meas, s.flp.prove_rand(key), joint)
    public = proofs.public_proof(s, proof, [key, key])
    digest = transcript_digest(b"", (1, 2, 3), vector, witness, field.to_bytes(public))
    query = s.flp.query_rand(query_seed(b"", digest, key))
    share, proof_share = proofs.colleague_share(s, meas[: s.length], meas[: s.length], seed, key)
    message = proofs.query(s, share, proof_share, query_rand=query, joint_rand=joint, shares=3)
    proofs.decide(s, [message, message], joint)
    rows = proofs.query_many(  # what a round runs: every colleague at once
        s,
        np.stack([share] * 3),
        np.stack([proof_share] * 3),
        query_rand=query,
        joint_rands=np.stack([joint] * 3),
        shares=3,
    )
    proofs.decide_many(s, np.stack([rows[:2]] * 3), np.stack([joint] * 3))
    proofs.self_mask([seed, seed], s.length)
    tag = confirm_tag(key, b"", 1, 2, digest)
    hmac.compare_digest(tag, tag)
    checks = field.to_bytes(message)
    rid = bytes(16)
    for msg in (
        Start(round_id=rid, roster_digest=key),
        PartialSum(
            round_id=rid, vector=vector, witness=witness, proof=checks, commitments=commitments
        ),
        Partials(
            round_id=rid,
            parties=(1, 2),
            vectors=vector * 2,
            witnesses=witness * 2,
            proofs=checks * 2,
            commitments=commitments * 2,
        ),
        Confirm(round_id=rid, tags=tag, nonce=key),
        Confirms(round_id=rid, tags=tag * 2, nonces=key * 2),
        Verify(round_id=rid, messages=checks, signature=key * 2),
        Verifies(round_id=rid, messages=checks * 2, signatures=key * 4),
        Unmask(round_id=rid, pieces=seed),
        Unmasks(round_id=rid, pieces=seed * 2),
        Progress(round_id=rid, summed=(1,)),
        Commit(epoch=1, commitment=key),
        Commitments(epoch=1, commitments=key * 2),
        Reveal(epoch=1, nonce=key),
        Reveals(epoch=1, nonces=key * 2),
    ):
        codec.FrameDecoder().feed(codec.encode(msg))
