"""Every message on the wire, one frozen dataclass each.

Direction is in the name's docstring. Participants keep one TLS connection, to
the host. A round is Start, then one PartialSum from each member, then
Partials to each member: two trips through the host. The host sees only
masked partial sums and cannot forge the tags that vouch for them. Ids: `session_id` and
`round_id` are random 16-byte values; parties are small integers the host hands
out on admission and never reuses within a session.
"""

from __future__ import annotations

from dataclasses import dataclass, field

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
_VECTOR = limit(max_len=MAX_FRAME // (2 * MAX_PARTICIPANTS))
_VECTORS = limit(max_len=MAX_FRAME // 2)
_TAGS = limit(max_len=TAG_BYTES * MAX_PARTICIPANTS)


@dataclass(frozen=True, slots=True, kw_only=True)
class Member:
    """A roster entry: who takes part and the public keys they signed up with."""

    party: int = field(metadata=_PARTY)
    name: str = field(metadata=limit(max_len=NAME_LEN))
    sign_key: bytes = field(metadata=_KEY)
    kem_key: bytes = field(metadata=_KEY)


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
    """Host → members: the roster as it stands now, and which entry is you."""

    you: int = field(metadata=_PARTY)
    roster: tuple[Member, ...] = field(metadata=_PARTIES)


@message(4)
@dataclass(frozen=True, slots=True, kw_only=True)
class Rejected(Message):
    """Host → newcomer: not admitted."""

    reason: str = field(metadata=_REASON)


@message(5)
@dataclass(frozen=True, slots=True, kw_only=True)
class Start(Message):
    """Host → members: the round begins with the roster whose digest is given."""

    round_id: bytes = field(metadata=_ID)
    roster_digest: bytes = field(metadata=limit(exact_len=32))


# Types 6 and 7 carried shares before protocol 2; they are not reused.


@message(8)
@dataclass(frozen=True, slots=True, kw_only=True)
class PartialSum(Message):
    """Member → host: my partial sum (value − masks given + masks got), tagged.

    ``tags`` holds one 16-byte tag per other member, in ascending party order;
    each proves to one of them that the vector is the one this member published.
    """

    round_id: bytes = field(metadata=_ID)
    vector: bytes = field(metadata=_VECTOR)
    tags: bytes = field(metadata=_TAGS)


@message(9)
@dataclass(frozen=True, slots=True, kw_only=True)
class Partials(Message):
    """Host → member: every partial sum, so each member adds them up itself.

    ``vectors`` is the partial sums of ``parties``, one after another, and
    ``tags`` their 16-byte tags for you in the same order (zeros in your own
    slot). Everyone gets the same vectors; only the tags differ. Two blobs
    rather than 2n items: a member decodes them in two steps, not 2n.
    """

    round_id: bytes = field(metadata=_ID)
    parties: tuple[int, ...] = field(metadata=_PARTIES)
    vectors: bytes = field(metadata=_VECTORS)
    tags: bytes = field(metadata=_TAGS)


@message(10)
@dataclass(frozen=True, slots=True, kw_only=True)
class Progress(Message):
    """Host → members: who has published a partial sum so far."""

    round_id: bytes = field(metadata=_ID)
    summed: tuple[int, ...] = field(metadata=_PARTIES)


@message(11)
@dataclass(frozen=True, slots=True, kw_only=True)
class Complaint(Message):
    """Member → host: a message from ``accused`` failed its checks."""

    round_id: bytes = field(metadata=_ID)
    accused: int = field(metadata=_PARTY)


@message(12)
@dataclass(frozen=True, slots=True, kw_only=True)
class Cancel(Message):
    """Member → host: I stop this round (the others are told who cancelled)."""

    round_id: bytes = field(metadata=_ID)


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
