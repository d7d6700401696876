"""Every message on the wire, one frozen dataclass each (protocol 4).

Direction is in each docstring. Participants keep one TLS connection, to the
host, which relays everything and is trusted for nothing but relaying (see
docs/PROTOCOL.md and docs/SECURITY.md).

- Lobby: each roster the host announces is an *epoch*. Every member commits to
  a fresh nonce (`Commit`), and reveals it (`Reveal`) only once it holds every
  member's commitment (`Commitments`); the security code hashes the question,
  the host's certificate, every member's keys and all nonces (`Reveals`). A
  host impersonating people commits to its fake nonces before it sees a real
  one, so it gets one guess at a matching code, not 2^26.
- Round: `Start`; each member publishes its contribution hidden under
  pairwise masks *and* a self-mask made of pieces its colleagues can each
  derive one of, with a proof that the contribution is valid, split the same
  way, and commitments to the pieces and to a fresh nonce (`PartialSum`); the
  host relays all of them (`Partials`); each member tags a digest of that
  transcript for every other member and reveals its nonce (`Confirm`/
  `Confirms`); the nonces fix the query randomness, and each member checks
  its shares of every other contribution and signs its verifier messages
  (`Verify`/`Verifies`); only when every contribution passed and every member
  confirmed the same transcript does a member open its self-mask pieces
  (`Unmask`/`Unmasks`). A round stopped before that cannot be summed by
  anyone (Bonawitz et al., CCS 2017, double masking), and an invalid
  contribution is never summed (Boneh et al., CRYPTO 2019, fully linear
  proofs on secret-shared data).

Ids: `session_id` is a random 16-byte value, `round_id` a 16-byte counter;
parties are small integers the host hands out on admission and never reuses.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from huddle.core import crypto
from huddle.core.codec import MAX_FRAME, Message, limit, message
from huddle.core.crypto import PUBLIC_KEY_BYTES, SIGNATURE_BYTES, TAG_BYTES
from huddle.core.questions import MAX_PARTICIPANTS, Question

ID_BYTES = 16
NAME_LEN = 64
_KEY = limit(exact_len=PUBLIC_KEY_BYTES)
_SIG = limit(exact_len=SIGNATURE_BYTES)
_ID = limit(exact_len=ID_BYTES)
_PARTY = limit(lo=0, hi=1_000_000)
_PARTIES = limit(max_len=MAX_PARTICIPANTS)
_REASON = limit(max_len=300)
_VECTOR = limit(max_len=MAX_FRAME // 2)
_VECTORS = limit(max_len=MAX_FRAME)
"""Blobs are bounded by the frame; how many people a question's round can hold so
that every frame fits is `proofs.max_group` (the host admits no more)."""
_TAGS = limit(max_len=TAG_BYTES * MAX_PARTICIPANTS)
_EPOCH = limit(lo=1, hi=(1 << 62))
_HASH = limit(exact_len=32)
_HASHES = limit(max_len=32 * MAX_PARTICIPANTS)
_COMMITMENTS = limit(max_len=32 * MAX_PARTICIPANTS * MAX_PARTICIPANTS)
_SIGNATURES = limit(max_len=SIGNATURE_BYTES * MAX_PARTICIPANTS)


def hello_context(session_id: bytes, name: str, sign_key: bytes, kem_key: bytes) -> bytes:
    """What a Hello's signature covers: the session, the name and both public keys."""
    return crypto.context("hello", session_id, name.encode(), sign_key, kem_key)


@dataclass(frozen=True, slots=True, kw_only=True)
class Member:
    """A roster entry: who takes part and the public keys they signed up with."""

    party: int = field(metadata=_PARTY)
    name: str = field(metadata=limit(max_len=NAME_LEN))
    sign_key: bytes = field(metadata=_KEY)
    kem_key: bytes = field(metadata=_KEY)
    signature: bytes = field(metadata=_SIG)
    """The member's own signature over its Hello, which every member checks:
    the host cannot pair someone's signing key with a key of its own."""


@message(1)
@dataclass(frozen=True, slots=True, kw_only=True)
class Welcome(Message):
    """Host → newcomer, first thing on a new connection."""

    session_id: bytes = field(metadata=_ID)
    host_name: str = field(metadata=limit(max_len=NAME_LEN))
    question: Question


@message(2)
@dataclass(frozen=True, slots=True, kw_only=True)
class Hello(Message):
    """Newcomer → host: who I am, signed over the session id."""

    name: str = field(metadata=limit(max_len=NAME_LEN))
    sign_key: bytes = field(metadata=_KEY)
    kem_key: bytes = field(metadata=_KEY)
    signature: bytes = field(metadata=_SIG)


@message(3)
@dataclass(frozen=True, slots=True, kw_only=True)
class Lobby(Message):
    """Host → members: the roster as it stands now (epoch ``epoch``), and which entry is you.

    Epochs only grow; each one gets its own nonces and so its own security code.
    """

    you: int = field(metadata=_PARTY)
    epoch: int = field(metadata=_EPOCH)
    roster: tuple[Member, ...] = field(metadata=_PARTIES)


@message(4)
@dataclass(frozen=True, slots=True, kw_only=True)
class Rejected(Message):
    """Host → newcomer: not admitted."""

    reason: str = field(metadata=_REASON)


@message(5)
@dataclass(frozen=True, slots=True, kw_only=True)
class Start(Message):
    """Host → members: the round begins for the epoch whose code digest is given."""

    round_id: bytes = field(metadata=_ID)
    roster_digest: bytes = field(metadata=limit(exact_len=32))


# Types 6 and 7 carried shares before protocol 2; they are not reused.


@message(8)
@dataclass(frozen=True, slots=True, kw_only=True)
class PartialSum(Message):
    """Member → host: the masked contribution, its proof's public parts and commitments.

    ``vector`` is S_i = y_i − masks given + masks got + self-mask (field
    elements, 8 bytes each), ``witness`` and ``proof`` the public parts of the
    proof's witness and of the proof (each colleague derives its share of
    both), ``commitments`` the commitment to this round's query nonce followed
    by one commitment per colleague (ascending party) to the self-mask piece
    that colleague can derive (see `masks`).
    """

    round_id: bytes = field(metadata=_ID)
    vector: bytes = field(metadata=_VECTOR)
    witness: bytes = field(metadata=_VECTOR)
    proof: bytes = field(metadata=_VECTOR)
    commitments: bytes = field(metadata=_HASHES)


@message(9)
@dataclass(frozen=True, slots=True, kw_only=True)
class Partials(Message):
    """Host → members: every partial sum, public part and commitment; the same for everyone.

    Each blob holds the members' fields of ``parties`` one after another, in
    that order: blobs rather than many items, so a member decodes each in one
    step.
    """

    round_id: bytes = field(metadata=_ID)
    parties: tuple[int, ...] = field(metadata=_PARTIES)
    vectors: bytes = field(metadata=_VECTORS)
    witnesses: bytes = field(metadata=_VECTORS)
    proofs: bytes = field(metadata=_VECTORS)
    commitments: bytes = field(metadata=_COMMITMENTS)


@message(10)
@dataclass(frozen=True, slots=True, kw_only=True)
class Progress(Message):
    """Host → members: who has published a partial sum so far."""

    round_id: bytes = field(metadata=_ID)
    summed: tuple[int, ...] = field(metadata=_PARTIES)


@message(11)
@dataclass(frozen=True, slots=True, kw_only=True)
class Complaint(Message):
    """Member → host: what I was shown failed a check, so I stopped the round.

    ``about`` names the party whose message failed (0 when no one in
    particular: the transcript as a whole), ``what`` one of the `Seen` codes.
    An honest host stops the round and tells everyone; it expels nobody on a
    complaint, which it cannot verify.
    """

    round_id: bytes = field(metadata=_ID)
    about: int = field(metadata=_PARTY)
    what: int = field(metadata=limit(lo=0, hi=255))


@message(12)
@dataclass(frozen=True, slots=True, kw_only=True)
class Cancel(Message):
    """Member → host: I stop this round (the others are told who, and ``why``: a `CancelWhy`)."""

    round_id: bytes = field(metadata=_ID)
    why: int = field(metadata=limit(lo=0, hi=255))


@message(13)
@dataclass(frozen=True, slots=True, kw_only=True)
class Aborted(Message):
    """Host → members: the round stopped; ``missing`` names who caused it."""

    round_id: bytes = field(metadata=_ID)
    reason: str = field(metadata=_REASON)
    missing: tuple[int, ...] = field(metadata=_PARTIES)


@message(14)
@dataclass(frozen=True, slots=True, kw_only=True)
class Closed(Message):
    """Host → everyone: the session is over."""

    reason: str = field(metadata=_REASON)


@message(15)
@dataclass(frozen=True, slots=True, kw_only=True)
class Leave(Message):
    """Member → host: I am leaving the session."""


@message(16)
@dataclass(frozen=True, slots=True, kw_only=True)
class Ping(Message):
    """Either way: are you still there? Answered with `Pong`."""


@message(17)
@dataclass(frozen=True, slots=True, kw_only=True)
class Pong(Message):
    """Either way: yes, still here."""


@message(18)
@dataclass(frozen=True, slots=True, kw_only=True)
class Commit(Message):
    """Member → host: my commitment to a fresh nonce for the security code of ``epoch``."""

    epoch: int = field(metadata=_EPOCH)
    commitment: bytes = field(metadata=_HASH)


@message(19)
@dataclass(frozen=True, slots=True, kw_only=True)
class Commitments(Message):
    """Host → members: every member's nonce commitment for ``epoch``, in roster order."""

    epoch: int = field(metadata=_EPOCH)
    commitments: bytes = field(metadata=_HASHES)


@message(20)
@dataclass(frozen=True, slots=True, kw_only=True)
class Reveal(Message):
    """Member → host: my nonce for ``epoch``, sent only once I hold every commitment."""

    epoch: int = field(metadata=_EPOCH)
    nonce: bytes = field(metadata=_HASH)


@message(21)
@dataclass(frozen=True, slots=True, kw_only=True)
class Reveals(Message):
    """Host → members: every member's nonce for ``epoch``, in roster order."""

    epoch: int = field(metadata=_EPOCH)
    nonces: bytes = field(metadata=_HASHES)


@message(22)
@dataclass(frozen=True, slots=True, kw_only=True)
class Confirm(Message):
    """Member → host: one tag per other member (ascending party order) over the
    transcript, and this round's query nonce.

    Each tag is HMAC under the secret this member shares with that recipient,
    over the digest of the roster, round and everything in `Partials`
    (`masks.transcript_digest`): it tells the recipient "I saw exactly what
    you saw". The nonce, committed in `PartialSum`, is revealed only now that
    every proof is fixed: the nonces together make the query randomness.
    """

    round_id: bytes = field(metadata=_ID)
    tags: bytes = field(metadata=_TAGS)
    nonce: bytes = field(metadata=_HASH)


@message(23)
@dataclass(frozen=True, slots=True, kw_only=True)
class Confirms(Message):
    """Host → member: every member's confirmation tag for you (zeros for you) and
    every member's nonce, in roster order."""

    round_id: bytes = field(metadata=_ID)
    tags: bytes = field(metadata=_TAGS)
    nonces: bytes = field(metadata=_HASHES)


@message(24)
@dataclass(frozen=True, slots=True, kw_only=True)
class Unmask(Message):
    """Member → host: my self-mask's pieces, one per colleague (ascending party),
    opened only once every contribution passed its check."""

    round_id: bytes = field(metadata=_ID)
    pieces: bytes = field(metadata=_HASHES)


@message(25)
@dataclass(frozen=True, slots=True, kw_only=True)
class Unmasks(Message):
    """Host → members: every member's self-mask pieces, in roster order."""

    round_id: bytes = field(metadata=_ID)
    pieces: bytes = field(metadata=_COMMITMENTS)


@message(26)
@dataclass(frozen=True, slots=True, kw_only=True)
class Verify(Message):
    """Member → host: my verifier message for each other member's contribution
    (ascending party), signed with my Hello key over the round and the
    transcript digest (`masks.verify_context`), so nobody can alter or forge
    them and a lying checker is held to what it signed."""

    round_id: bytes = field(metadata=_ID)
    messages: bytes = field(metadata=_VECTORS)
    signature: bytes = field(metadata=_SIG)


@message(27)
@dataclass(frozen=True, slots=True, kw_only=True)
class Verifies(Message):
    """Host → members: every member's verifier messages and signature, in roster order."""

    round_id: bytes = field(metadata=_ID)
    messages: bytes = field(metadata=_VECTORS)
    signatures: bytes = field(metadata=_SIGNATURES)


class Seen(enum.IntEnum):
    """What a member saw fail, in a `Complaint` (the host words it for everyone)."""

    OWN_PARTIAL_ALTERED = 1
    WRONG_PARTIALS = 2
    DIFFERENT_TRANSCRIPT = 3
    BAD_SEED = 4
    """An opened self-mask piece does not match its commitment."""
    INVALID_CONTRIBUTION = 5
    """``about``'s contribution did not pass the check: nothing is summed."""
    BAD_PIECE = 6
    """``about`` committed to a self-mask piece other than the one we derive."""
    BAD_NONCE = 7
    """``about``'s query nonce does not match its commitment."""
    BAD_CHECK = 8
    """``about``'s signed verifier message is not what the checked contribution gives."""
    UNSIGNED_CHECK = 9
    """``about``'s verifier messages came without its valid signature."""


SEEN_TEXT = {
    Seen.OWN_PARTIAL_ALTERED: "{who}'s app found its own partial sum altered on the way",
    Seen.WRONG_PARTIALS: "{who}'s app was shown the wrong set of partial sums",
    Seen.DIFFERENT_TRANSCRIPT: "{who}'s app found that the host showed people different results",
    Seen.BAD_SEED: "{who}'s app was sent a self-mask that does not match its commitment",
    Seen.INVALID_CONTRIBUTION: (
        "{who}'s app found that {about}'s answer did not pass the check, so nothing was summed"
    ),
    Seen.BAD_PIECE: "{who}'s app found that what was relayed for {about} does not add up",
    Seen.BAD_NONCE: "{who}'s app was sent a nonce of {about} that does not match its commitment",
    Seen.BAD_CHECK: (
        "{who}'s app found that {about}'s app checked {who}'s answer falsely, so nothing was summed"
    ),
    Seen.UNSIGNED_CHECK: "{who}'s app was sent checks of {about} that {about} did not sign",
}


class CancelWhy(enum.IntEnum):
    """Why a member's app stopped a round, in a `Cancel`."""

    PERSON = 0
    """The person pressed Cancel."""
    CLOSED = 1
    """The app opened a self-mask of this question before: it answers no other round."""
    TOO_FEW = 2
    """The round's roster was below the question's minimum."""
    WRONG_GROUP = 3
    """The Start did not match the code on the member's screen."""


CANCEL_TEXT = {
    CancelWhy.PERSON: "{who} cancelled the round.",
    CancelWhy.CLOSED: (
        "{who}'s app declined: it already opened its answer in a round of this question "
        "that did not finish for everyone, so this question is closed."
    ),
    CancelWhy.TOO_FEW: "{who}'s app declined: the round had fewer people than the minimum.",
    CancelWhy.WRONG_GROUP: (
        "{who}'s app declined: the round did not match the group and code on its screen."
    ),
}
