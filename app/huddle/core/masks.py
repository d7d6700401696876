"""The keys of a round: pairwise secrets, the masks they give, the tags they make.

Every member agrees a secret with every other member as they join (see
`crypto.Identity.pair_key`). In a round, the share i gives j is a mask derived
from their secret and bound to the session, the round id, the exact roster and
the direction i → j; each partial sum carries, for each other member, a tag
under the same secret. Domain-separated labels ("mask", "partial") keep the
two uses apart.
"""

from __future__ import annotations

import hmac
import struct
from collections.abc import Sequence

from huddle.core import codec, crypto
from huddle.core.encoding import from_ring, to_ring, vector_to_bytes
from huddle.core.errors import IntegrityError, RemoteProtocolError
from huddle.core.messages import Member, Partials, PartialSum, Progress, Start
from huddle.core.sharing import mask_sum, sum_rows

_MASK = crypto.context("mask")
_PARTIAL = crypto.context("partial")
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


def partial_tag(pair: bytes, context: bytes, sender: int, recipient: int, vector: bytes) -> bytes:
    """The tag by which ``recipient`` knows ``vector`` is the partial sum ``sender`` published."""
    return crypto.tag(pair, context + _PARTIAL + _DIRECTION.pack(sender, recipient) + vector)


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
    vector = vector_to_bytes(partial)
    tag = partial_tag(key, b"", 1, 2, vector)
    hmac.compare_digest(tag, tag)
    from_ring(sum_rows(vector * 2, 2, length))
    rid = bytes(16)
    for msg in (
        Start(round_id=rid, roster_digest=key),
        PartialSum(round_id=rid, vector=vector, tags=tag),
        Partials(round_id=rid, parties=(1, 2), vectors=vector * 2, tags=tag * 2),
        Progress(round_id=rid, summed=(1,)),
    ):
        codec.FrameDecoder().feed(codec.encode(msg))
