"""The keys of a round: pairwise secrets, masks, self-masks, commitments and tags.

Every member agrees a secret with every other member as they join (see
`crypto.Identity.pair_key`). In a round, the share i gives j is a mask derived
from their secret and bound to the session, the round id, the exact roster and
the direction i → j. On top, each member adds a *self-mask*, the sum of one
piece per colleague, which it commits to and opens only after every member
has confirmed the same transcript and every contribution passed its check
(double masking, Bonawitz et al., "Practical Secure Aggregation for
Privacy-Preserving Machine Learning", CCS 2017): until then the sum of all
partial sums is itself hidden, so a round the host stops cannot be finished
by anyone. Each piece is one its colleague can derive too, so colleagues hold
shares of the whole contribution and can check its proof (`proofs`).
Confirmations are tags under the pair's secret over a digest of the whole
transcript. Domain-separated labels ("mask", "self-mask", "confirm", ...) and
directions keep every use apart. Commitments are SHA-256 over a 32-byte
pseudorandom piece or random nonce: hiding and binding in the random-oracle
model.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import struct
from collections.abc import Sequence

from huddle.core import crypto
from huddle.core.errors import IntegrityError, RemoteProtocolError
from huddle.core.messages import (
    Member,
)

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


def _directed(pair: bytes, context: bytes, label: bytes, sender: int, recipient: int) -> bytes:
    return hmac.digest(pair, context + label + _DIRECTION.pack(sender, recipient), "sha256")


def mask_key(pair: bytes, context: bytes, sender: int, recipient: int) -> bytes:
    """The key of everything ``sender`` shares with ``recipient`` in the round named by ``context``.

    HMAC-SHA256 of the pair's secret over the round and the direction: 32
    pseudorandom bytes that `sharing.mask_from_key` expands, under a label per
    purpose, into the mask of the partial sum ("mask"), and the recipient's
    shares of the sender's witness ("witness") and proof ("proof"). Every
    derivation names its direction: shares in the two directions of a pair are
    independent, so two members' verifier messages never cancel each other's
    pads (docs/PROOFS.md, attack 5).
    """
    return _directed(pair, context, _MASK, sender, recipient)


def piece(pair: bytes, context: bytes, owner: int, holder: int) -> bytes:
    """The piece of ``owner``'s self-mask that ``holder`` can derive too.

    A self-mask is the sum of one piece per colleague, so each colleague can
    compute its share of the owner's contribution (and check the owner's
    proof) before the self-mask is opened; the owner alone opens its pieces,
    and only after every contribution passed (docs/PROOFS.md, attacks 3–4).
    """
    return _directed(pair, context, _SELF_MASK, owner, holder)


def piece_commitment(context: bytes, owner: int, holder: int, seed: bytes) -> bytes:
    """What the owner publishes for one piece: the holder checks it before confirming.

    SHA-256 over `crypto.context("piece", context)`, then the two parties (4 bytes
    each) and the 32-byte piece: fixed lengths after an unambiguous prefix. Every
    member checks n(n − 1) of these per round, so the prefix is built once.
    """
    return hashlib.sha256(_piece_prefix(context) + _DIRECTION.pack(owner, holder) + seed).digest()


@functools.lru_cache(maxsize=4)
def _piece_prefix(context: bytes) -> bytes:
    return crypto.context("piece", context)


def query_nonce_commitment(context: bytes, party: int, nonce: bytes) -> bytes:
    """A member's commitment to its query nonce of one round (revealed in Confirm)."""
    return hashlib.sha256(crypto.context("query nonce", context, party, nonce)).digest()


def nonce_commitment(session_id: bytes, epoch: int, party: int, nonce: bytes) -> bytes:
    """A member's commitment to its security-code nonce for one roster epoch."""
    return hashlib.sha256(crypto.context("nonce", session_id, epoch, party, nonce)).digest()


def joint_seed(
    context: bytes, party: int, vector: bytes, witness: bytes, commitments: bytes
) -> bytes:
    """The seed of a contribution's joint randomness: a hash of what the member
    committed to before proving (never of the proof itself, which depends on it)."""
    digest = hashlib.sha256(crypto.context("joint", context, party))
    for part in (vector, witness, commitments):
        digest.update(struct.pack(">Q", len(part)))
        digest.update(part)
    return digest.digest()


def query_seed(context: bytes, transcript: bytes, nonces: bytes) -> bytes:
    """The seed of the round's query randomness: fixed by every member's nonce,
    each committed before any proof was seen and revealed after every proof was."""
    return hashlib.sha256(crypto.context("query", context, transcript, nonces)).digest()


def transcript_digest(context: bytes, parties: Sequence[int], *blobs: bytes) -> bytes:
    """What every member confirms: the round (via ``context``) and everything published in it.

    ``context`` already names the session, round id and code digest (question,
    host certificate, roster, nonces); here come the parties and every blob of
    `Partials` (partial sums, witnesses, proofs, commitments), each with its
    length. Equal digests mean equal results.
    """
    digest = hashlib.sha256(crypto.context("transcript", context, *parties))
    for blob in blobs:
        digest.update(struct.pack(">Q", len(blob)))
        digest.update(blob)
    return digest.digest()


def confirm_tag(pair: bytes, context: bytes, sender: int, recipient: int, digest: bytes) -> bytes:
    """The tag by which ``recipient`` knows ``sender`` saw the transcript with ``digest``."""
    return crypto.tag(pair, context + _CONFIRM + _DIRECTION.pack(sender, recipient) + digest)


def verify_context(context: bytes, party: int, transcript: bytes, messages: bytes) -> bytes:
    """What a member signs with its verifier messages: the round, itself, the
    transcript they are about, and the messages."""
    return crypto.context("verify", context, party, transcript) + messages
