"""The keys of a round: pairwise secrets, masks, self-masks, commitments and tags.

Every member agrees a secret with every other member as they join (see
`crypto.Identity.pair_key`). In a round, the share i gives j is a mask derived
from their secret and bound to the session, the round id, the exact roster and
the direction i → j. On top, each member adds a *self-mask* expanded from a
fresh seed it commits to and opens only after every member has confirmed the
same transcript (double masking, Bonawitz et al., "Practical Secure
Aggregation for Privacy-Preserving Machine Learning", CCS 2017): until then
the sum of all partial sums is itself hidden, so a round the host stops
cannot be finished by anyone. Confirmations are tags under the pair's secret
over a digest of the whole transcript. Domain-separated labels ("mask",
"self-mask", "confirm", ...) keep every use apart. Commitments are SHA-256
over a 32-byte random seed or nonce: hiding and binding in the random-oracle
model.
"""

from __future__ import annotations

import hashlib
import hmac
import struct
from collections.abc import Sequence

from huddle.core import codec, crypto
from huddle.core.encoding import from_ring, to_ring, vector_to_bytes
from huddle.core.errors import IntegrityError, RemoteProtocolError
from huddle.core.messages import (
    Commit,
    Commitments,
    Confirm,
    Confirms,
    Member,
    Partials,
    PartialSum,
    Progress,
    Reveal,
    Reveals,
    Start,
    Unmask,
    Unmasks,
)
from huddle.core.sharing import mask_sum, sum_rows

_MASK = crypto.context("mask")
_SELF_MASK = crypto.context("self-mask")
_CONFIRM = crypto.context("confirm")
HASH_BYTES = 32
_DIRECTION = struct.Struct(">II")


def pair_info(session_id: bytes, a: Member, b: Member) -> bytes:
    """What a pairwise secret is bound to: the session and both members' identities."""
    low, high = sorted((a, b), key=lambda m: m.party)
    return crypto.context(
        "pair", session_id,
        low.party, low.sign_key, low.kem_key, high.party, high.sign_key, high.kem_key,
    )  # fmt: skip


class PairSecrets:
    """The secret one member shares with each other member, by party.

    Agreed (X25519, HKDF over `pair_info`) in the lobby as people join, so
    Start finds every key ready. A secret is kept only while its member stays
    the same: someone who rejoins with new keys gets a new one.
    """

    def __init__(self, identity: crypto.Identity) -> None:
        self._identity = identity
        self._by_party: dict[int, tuple[Member, bytes]] = {}

    def agree(self, session_id: bytes, me: Member, roster: Sequence[Member]) -> None:
        """Keep the secrets with members still on ``roster``; agree one with each newcomer."""
        agreed: dict[int, tuple[Member, bytes]] = {}
        for peer in roster:
            if peer.party == me.party:
                continue
            known = self._by_party.get(peer.party)
            if known is not None and known[0] == peer:  # same member, same keys
                agreed[peer.party] = known
                continue
            try:
                secret = self._identity.pair_key(peer.kem_key, pair_info(session_id, me, peer))
            except IntegrityError:
                raise RemoteProtocolError(
                    f"The host admitted {peer.name} with a key that cannot be used."
                ) from None
            agreed[peer.party] = (peer, secret)
        self._by_party = agreed

    def secret(self, party: int) -> bytes:
        agreed = self._by_party.get(party)
        if agreed is None:
            raise IntegrityError("No key was agreed with this participant.")
        return agreed[1]

    def clear(self) -> None:
        self._by_party.clear()

    def __len__(self) -> int:
        return len(self._by_party)


def round_context(session_id: bytes, round_id: bytes, roster_digest: bytes) -> bytes:
    """What every key of one round is bound to: session, round id and exact roster."""
    return crypto.context("round", session_id, round_id, roster_digest)


def mask_key(pair: bytes, context: bytes, sender: int, recipient: int) -> bytes:
    """The key of the mask ``sender`` gives ``recipient`` in the round named by ``context``.

    HMAC-SHA256 of the pair's secret over the round and direction: 32
    pseudorandom bytes, which are the mask itself for up to four numbers and
    otherwise the key ChaCha20 expands (`sharing.mask_from_key`).
    """
    return hmac.digest(pair, context + _MASK + _DIRECTION.pack(sender, recipient), "sha256")


def self_mask_key(seed: bytes, context: bytes) -> bytes:
    """The key of a member's self-mask in one round, from the seed it opens at the end."""
    return hmac.digest(seed, context + _SELF_MASK, "sha256")


def seed_commitment(context: bytes, party: int, seed: bytes) -> bytes:
    """What a member publishes with its partial sum, binding it to its self-mask's seed."""
    return hashlib.sha256(crypto.context("seed", context, party, seed)).digest()


def nonce_commitment(session_id: bytes, epoch: int, party: int, nonce: bytes) -> bytes:
    """A member's commitment to its security-code nonce for one roster epoch."""
    return hashlib.sha256(crypto.context("nonce", session_id, epoch, party, nonce)).digest()


def transcript_digest(
    context: bytes, parties: Sequence[int], vectors: bytes, commitments: bytes
) -> bytes:
    """What every member confirms: the round (via ``context``) and everything published in it.

    ``context`` already names the session, round id and code digest (question,
    host certificate, roster, nonces); here come the parties, every partial
    sum and every self-mask commitment. Equal digests mean equal results.
    """
    digest = hashlib.sha256(crypto.context("transcript", context, *parties))
    digest.update(struct.pack(">I", len(vectors)))
    digest.update(vectors)
    digest.update(commitments)
    return digest.digest()


def confirm_tag(pair: bytes, context: bytes, sender: int, recipient: int, digest: bytes) -> bytes:
    """The tag by which ``recipient`` knows ``sender`` saw the transcript with ``digest``."""
    return crypto.tag(pair, context + _CONFIRM + _DIRECTION.pack(sender, recipient) + digest)


def rehearse(length: int) -> None:
    """Run a round's code once on throwaway data, while people are still joining.

    The first use of each piece costs far more than the next (OpenSSL looks an
    algorithm up, numpy and the codec set themselves up): measured in a fresh
    process, about 0.1 ms each for HMAC-SHA256, a mask sum and a frame, and
    0.8 ms for ChaCha20 — most of a small round if paid inside it.
    """
    codec.prepare()
    key = mask_key(bytes(crypto.KEY_BYTES), b"", 1, 2)
    partial = to_ring([0] * length)
    partial -= mask_sum([key, key], length)
    partial += mask_sum([key, key], max(length, 8))[:length]  # the long-vector path too
    partial += mask_sum([self_mask_key(key, b"")], length)
    vector = vector_to_bytes(partial)
    commitment = seed_commitment(b"", 1, key)
    digest = transcript_digest(b"", (1, 2), vector * 2, commitment * 2)
    tag = confirm_tag(key, b"", 1, 2, digest)
    hmac.compare_digest(tag, tag)
    total = sum_rows(vector * 2, 2, length)
    total -= mask_sum([self_mask_key(key, b""), self_mask_key(key, b"")], length)
    from_ring(total)
    rid = bytes(16)
    for msg in (
        Start(round_id=rid, roster_digest=key),
        PartialSum(round_id=rid, vector=vector, commitment=commitment),
        Partials(round_id=rid, parties=(1, 2), vectors=vector * 2, commitments=commitment * 2),
        Confirm(round_id=rid, tags=tag),
        Confirms(round_id=rid, tags=tag * 2),
        Unmask(round_id=rid, seed=key),
        Unmasks(round_id=rid, seeds=key * 2),
        Progress(round_id=rid, summed=(1,)),
        Commit(epoch=1, commitment=key),
        Commitments(epoch=1, commitments=key * 2),
        Reveal(epoch=1, nonce=key),
        Reveals(epoch=1, nonces=key * 2),
    ):
        codec.FrameDecoder().feed(codec.encode(msg))
