"""Every key and binding proven necessary: change one input, and the output changes.

A security code, mask or tag that quietly ignores one of its inputs still
passes every honest round: both ends compute the same wrong thing. Issue 18
found such holes (a member's kem_key or the host's fingerprint left out of the
code, a tag not bound to its sender and recipient) that no test noticed. Here
each input of each derivation is changed alone, first on the functions
themselves (the codes differ, the keys differ), then where a cheating host
could use it, on the real state machines (the tags fail, nobody opens a
self-mask, nobody sees a result).

Protocol 4 adds the derivations of the proofs: each direction's key expands,
under one label per purpose, into the mask, the witness share and the proof
share; each self-mask piece is bound to its owner and holder; the joint
randomness covers everything fixed before proving, the query randomness the
transcript and every nonce, and a signed check names its round, its checker,
the transcript and the messages.
"""

from __future__ import annotations

import ast
import os
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from huddle.core import crypto, participant
from huddle.core.codec import FrameDecoder, Message, encode
from huddle.core.crypto import SIGNATURE_BYTES, TAG_BYTES
from huddle.core.errors import IntegrityError
from huddle.core.events import ResultReady, RoundAborted
from huddle.core.masks import (
    PairSecrets,
    confirm_tag,
    joint_seed,
    mask_key,
    nonce_commitment,
    pair_info,
    piece,
    piece_commitment,
    query_nonce_commitment,
    query_seed,
    round_context,
    transcript_digest,
    verify_context,
)
from huddle.core.messages import (
    Confirms,
    Member,
    Partials,
    Unmask,
    Unmasks,
    Verifies,
    hello_context,
)
from huddle.core.participant import ParticipantSession
from huddle.core.questions import Question
from huddle.core.security_code import code_digest, result_code, roster_digest, security_code
from huddle.core.sharing import mask_sum

from .harness import FINGERPRINT, PARTIALS_BLOBS, Network, bumped, make_network, slots, with_slots


def flip(data: bytes, at: int = 0) -> bytes:
    """``data`` with one bit changed."""
    return data[:at] + bytes([data[at] ^ 1]) + data[at + 1 :]


def signed(party: int, name: str, who: crypto.Identity, session_id: bytes) -> Member:
    pub = who.public
    signature = who.sign(hello_context(session_id, name, pub.sign_key, pub.kem_key))
    return Member(
        party=party, name=name, sign_key=pub.sign_key, kem_key=pub.kem_key, signature=signature
    )


# --- the security code ------------------------------------------------------------------

SID = bytes(range(16))
QUESTION = Question(title="2026 raise", lo="0", hi="100000")
OTHER = crypto.Identity()
ROSTER = tuple(
    signed(party, name, crypto.Identity(), SID)
    for party, name in ((2, "Ann"), (4, "Ben"), (6, "Cat"))
)


@dataclass(frozen=True)
class CodeInputs:
    """Everything the security code hashes (docs/PROTOCOL.md, "Code digest")."""

    session_id: bytes = SID
    question: Question = QUESTION
    fingerprint: bytes = FINGERPRINT
    roster: tuple[Member, ...] = ROSTER
    epoch: int = 4
    nonces: tuple[bytes, ...] = (b"\x01" * 32, b"\x02" * 32, b"\x03" * 32)

    @property
    def code(self) -> str:
        base = roster_digest(self.session_id, self.question, self.fingerprint, self.roster)
        return security_code(code_digest(base, self.epoch, b"".join(self.nonces)))

    def member(self, k: int, **changes: object) -> CodeInputs:
        roster = list(self.roster)
        roster[k] = replace(roster[k], **changes)  # type: ignore[arg-type]
        return replace(self, roster=tuple(roster))

    def nonce(self, k: int, nonce: bytes) -> CodeInputs:
        nonces = list(self.nonces)
        nonces[k] = nonce
        return replace(self, nonces=tuple(nonces))


BASE = CodeInputs()
CODE_CHANGES: dict[str, Callable[[CodeInputs], CodeInputs]] = {
    "session id": lambda c: replace(c, session_id=flip(c.session_id)),
    "question title": lambda c: replace(c, question=replace(c.question, title="2025 raise")),
    "question minimum": lambda c: replace(c, question=replace(c.question, min_participants=4)),
    "question range": lambda c: replace(c, question=replace(c.question, hi="100001")),
    "question decimals": lambda c: replace(c, question=replace(c.question, decimals=1)),
    "question unit": lambda c: replace(c, question=replace(c.question, unit="EUR")),
    "host fingerprint": lambda c: replace(c, fingerprint=flip(c.fingerprint, 31)),
    "epoch": lambda c: replace(c, epoch=c.epoch + 1),
    "two members swap kem keys": lambda c: c.member(0, kem_key=c.roster[1].kem_key).member(
        1, kem_key=c.roster[0].kem_key
    ),
    "two members swap names": lambda c: c.member(0, name="Ben").member(1, name="Ann"),
    "two nonces swap": lambda c: c.nonce(0, c.nonces[1]).nonce(1, c.nonces[0]),
    "a member more": lambda c: replace(c, roster=(*c.roster, signed(8, "Dan", OTHER, SID))),
    "a member fewer": lambda c: replace(c, roster=c.roster[:2]),
}


def _per_member(k: int) -> dict[str, Callable[[CodeInputs], CodeInputs]]:
    """Member k's party, name and each key, and the k-th nonce, each changed alone."""
    mine = BASE.roster[k]
    return {
        f"member {k} party": lambda c: c.member(k, party=mine.party + 1),
        f"member {k} name": lambda c: c.member(k, name=mine.name + "e"),
        f"member {k} sign_key": lambda c: c.member(k, sign_key=OTHER.public.sign_key),
        f"member {k} kem_key": lambda c: c.member(k, kem_key=OTHER.public.kem_key),
        f"nonce {k}": lambda c: c.nonce(k, flip(c.nonces[k], 17)),
    }


for _k in range(3):
    CODE_CHANGES |= _per_member(_k)


@pytest.mark.parametrize("change", CODE_CHANGES)
def test_every_input_of_the_security_code_changes_the_code(change: str) -> None:
    changed = CODE_CHANGES[change](BASE)
    assert changed != BASE
    assert changed.code != BASE.code


def test_the_code_does_not_depend_on_the_order_the_roster_is_listed_in() -> None:
    """Both sides sort by party, so an honest host's order is no input of its own."""
    assert replace(BASE, roster=BASE.roster[::-1]).code == BASE.code


def test_a_member_that_sees_another_host_certificate_shows_another_code() -> None:
    """A man in the middle terminating one member's TLS shows it his own certificate:
    that member's code differs from everyone else's (the harness's members otherwise
    all see the same fingerprint)."""
    net = make_network()
    conns = {n: net.join(n) for n in "abc"}
    a, b, c = (net.parties[conns[n]] for n in "abc")
    assert a.code == b.code == c.code == net.host.code
    a.host_fingerprint = flip(FINGERPRINT, 5)
    net.host_do(net.host._roster_update("the same roster again"))
    assert b.code == c.code == net.host.code
    assert a.code and a.code != b.code


# --- keys, masks, commitments, digests and tags -----------------------------------------

PAIR, CONTEXT, SEED = b"p" * 32, round_context(SID, bytes(16), b"d" * 32), b"s" * 32
VECTORS, WITNESSES, PROOFS = bytes(range(24)), bytes(range(24, 56)), bytes(range(56, 80))
COMMITMENTS, NONCES, DIGEST = bytes(range(100, 196)), bytes(range(96)), b"t" * 32
MESSAGES = bytes(range(200, 240))


@dataclass(frozen=True)
class Case:
    """One derivation with its inputs, and the same with one input changed."""

    derive: Callable[..., bytes]
    inputs: tuple[object, ...]
    changed: tuple[object, ...]


def _case(derive: Callable[..., bytes], inputs: tuple[object, ...], at: int, new: object) -> Case:
    changed = list(inputs)
    changed[at] = new
    return Case(derive, inputs, tuple(changed))


def _cases(
    what: str, derive: Callable[..., bytes], inputs: tuple[object, ...], **changes: object
) -> dict[str, Case]:
    """A case ``what: name`` per input, each changed alone (``changes`` in argument order)."""
    assert len(changes) == len(inputs)
    return {
        f"{what}: {name}": _case(derive, inputs, at, new)
        for at, (name, new) in enumerate(changes.items())
    }


_MASK = (PAIR, CONTEXT, 1, 2)
_TAG = (PAIR, CONTEXT, 1, 2, DIGEST)
_TRANSCRIPT = (CONTEXT, (1, 2, 3), VECTORS, WITNESSES, PROOFS, COMMITMENTS)
_JOINT = (CONTEXT, 2, VECTORS, WITNESSES, COMMITMENTS)
_QUERY = (CONTEXT, DIGEST, NONCES)
_VERIFY = (CONTEXT, 2, DIGEST, MESSAGES)
_PIECE_COMMITMENT = (CONTEXT, 1, 2, SEED)
CASES = {
    "round context: session": _case(round_context, (SID, bytes(16), b"d" * 32), 0, flip(SID)),
    "round context: round id": _case(
        round_context, (SID, bytes(16), b"d" * 32), 1, (1).to_bytes(16, "big")
    ),
    "round context: code digest": _case(round_context, (SID, bytes(16), b"d" * 32), 2, b"e" * 32),
    **_cases(
        "pairwise mask", mask_key, _MASK,
        pair=flip(PAIR), context=flip(CONTEXT, 40), sender=3, recipient=3,
    ),
    "pairwise mask: direction": Case(mask_key, _MASK, (PAIR, CONTEXT, 2, 1)),
    **_cases(
        "self-mask piece", piece, _MASK,
        pair=flip(PAIR), context=flip(CONTEXT, 40), owner=3, holder=3,
    ),
    "self-mask piece: direction": Case(piece, _MASK, (PAIR, CONTEXT, 2, 1)),
    **_cases(
        "piece commitment", piece_commitment, _PIECE_COMMITMENT,
        context=flip(CONTEXT, 40), owner=3, holder=3, seed=flip(SEED),
    ),
    "piece commitment: direction": Case(piece_commitment, _PIECE_COMMITMENT, (CONTEXT, 2, 1, SEED)),
    **_cases(
        "query nonce commitment", query_nonce_commitment, (CONTEXT, 1, SEED),
        context=flip(CONTEXT, 40), party=2, nonce=flip(SEED),
    ),
    **_cases(
        "nonce commitment", nonce_commitment, (SID, 1, 2, SEED),
        session=flip(SID), epoch=2, party=3, nonce=flip(SEED),
    ),
    **_cases(
        "joint seed", joint_seed, _JOINT,
        context=flip(CONTEXT, 40), party=3, partial_sum=flip(VECTORS, 9),
        witness=flip(WITNESSES, 9), commitments=flip(COMMITMENTS, 50),
    ),
    "joint seed: where the partial sum ends": Case(
        joint_seed, _JOINT, (CONTEXT, 2, VECTORS[:16], VECTORS[16:] + WITNESSES, COMMITMENTS)
    ),
    "joint seed: where the witness ends": Case(
        joint_seed, _JOINT, (CONTEXT, 2, VECTORS, WITNESSES[:8], WITNESSES[8:] + COMMITMENTS)
    ),
    **_cases(
        "query seed", query_seed, _QUERY,
        context=flip(CONTEXT, 40), transcript=flip(DIGEST), nonces=flip(NONCES, 40),
    ),
    "query seed: nonce order": _case(
        query_seed, _QUERY, 2, NONCES[32:64] + NONCES[:32] + NONCES[64:]
    ),
    **_cases(
        "transcript", transcript_digest, _TRANSCRIPT,
        context=flip(CONTEXT, 40), a_party=(1, 2, 4), partial_sums=flip(VECTORS, 9),
        witnesses=flip(WITNESSES, 9), proofs=flip(PROOFS, 9), commitments=flip(COMMITMENTS, 50),
    ),
    "transcript: party order": _case(transcript_digest, _TRANSCRIPT, 1, (1, 3, 2)),
    "transcript: where the sums end": Case(
        transcript_digest,
        _TRANSCRIPT,
        (CONTEXT, (1, 2, 3), VECTORS[:16], VECTORS[16:] + WITNESSES, PROOFS, COMMITMENTS),
    ),
    "transcript: where the proofs end": Case(
        transcript_digest,
        _TRANSCRIPT,
        (CONTEXT, (1, 2, 3), VECTORS, WITNESSES, PROOFS + COMMITMENTS[:32], COMMITMENTS[32:]),
    ),
    "transcript: witnesses and proofs swapped": Case(
        transcript_digest,
        _TRANSCRIPT,
        (CONTEXT, (1, 2, 3), VECTORS, PROOFS, WITNESSES, COMMITMENTS),
    ),
    **_cases(
        "tag", confirm_tag, _TAG,
        pair=flip(PAIR), context=flip(CONTEXT, 40), sender=3, recipient=3, digest=b"u" * 32,
    ),
    "tag: direction": Case(confirm_tag, _TAG, (PAIR, CONTEXT, 2, 1, DIGEST)),
    **_cases(
        "signed check", verify_context, _VERIFY,
        context=flip(CONTEXT, 40), party=3, transcript=flip(DIGEST), messages=flip(MESSAGES, 30),
    ),
    "signed check: where the transcript ends": Case(
        verify_context, _VERIFY, (CONTEXT, 2, DIGEST[:31], DIGEST[31:] + MESSAGES)
    ),
    "pair info: session": _case(pair_info, (SID, ROSTER[0], ROSTER[1]), 0, flip(SID)),
}  # fmt: skip
for _at, _who in ((1, "lower"), (2, "higher")):
    for _field in ("party", "sign_key", "kem_key"):
        _member = (None, ROSTER[0], ROSTER[1])[_at]
        assert _member is not None
        _value: object = 5 if _field == "party" else getattr(OTHER.public, _field)
        CASES[f"pair info: {_who} party's {_field}"] = _case(
            pair_info,
            (SID, ROSTER[0], ROSTER[1]),
            _at,
            replace(_member, **{_field: _value}),  # type: ignore[arg-type]
        )


@pytest.mark.parametrize("name", CASES)
def test_every_input_of_every_key_and_tag_changes_it(name: str) -> None:
    case = CASES[name]
    assert case.derive(*case.inputs) != case.derive(*case.changed)


LABELS = [b"mask", b"witness", b"proof", b"self-mask"]
"""What one 32-byte key expands into: the partial sum's mask, the recipient's
shares of the witness and of the proof (a direction's key), a self-mask piece."""


@pytest.mark.parametrize("length", [1, 4, 5, 40])
@pytest.mark.parametrize("label", LABELS)
@pytest.mark.parametrize(
    "name", [n for n in CASES if n.startswith(("pairwise mask", "self-mask piece"))]
)
def test_a_changed_key_gives_a_different_mask_of_every_length(
    name: str, label: bytes, length: int
) -> None:
    """Every expansion (mask, witness share, proof share, piece) follows every input of
    its key, the direction included, in every element: the shares of the two
    directions of a pair are independent, so two members' checks never cancel."""
    case = CASES[name]
    one = mask_sum([case.derive(*case.inputs)], length, label)
    other = mask_sum([case.derive(*case.changed)], length, label)
    assert all(one != other)


@pytest.mark.parametrize("length", [1, 4, 40])
def test_one_key_expands_to_unrelated_vectors_per_purpose(length: int) -> None:
    """The witness and proof shares come from the key of the partial sum's mask: only
    the label sets them apart, in every element."""
    key = mask_key(*_MASK)
    expanded = [mask_sum([key], length, label) for label in LABELS]
    for i, one in enumerate(expanded):
        for other in expanded[i + 1 :]:
            assert all(one != other)


def test_a_piece_is_not_the_key_of_the_same_direction() -> None:
    """Both are HMACs of the pair's secret over the round and the direction; only their
    labels tell them apart. Were they equal, opening a piece would open the key of
    the mask, the witness share and the proof share of that direction."""
    assert piece(*_MASK) != mask_key(*_MASK)
    assert piece(PAIR, CONTEXT, 1, 2) != mask_key(PAIR, CONTEXT, 2, 1)
    assert query_nonce_commitment(CONTEXT, 1, SEED) != piece_commitment(CONTEXT, 1, 1, SEED)


def test_the_result_code_follows_the_transcript() -> None:
    assert result_code(b"t" * 32) != result_code(b"u" * 32)
    assert result_code(b"t" * 32) != security_code(b"t" * 32)


def test_both_ends_of_a_pair_agree_one_secret_bound_to_both_identities() -> None:
    """The pair secret is the same from either side, and differs for another session,
    another pairing, or the same party number with other keys (someone else)."""
    ann, ben, cat = crypto.Identity(), crypto.Identity(), crypto.Identity()
    members = [
        signed(p, n, who, SID) for p, n, who in ((1, "a", ann), (2, "b", ben), (3, "c", cat))
    ]
    a_side, b_side = PairSecrets(ann), PairSecrets(ben)
    a_side.agree(SID, members[0], members)
    b_side.agree(SID, members[1], members)
    assert len(a_side) == len(b_side) == 2
    assert a_side.secret(2) == b_side.secret(1)
    assert a_side.secret(2) != a_side.secret(3)
    assert pair_info(SID, members[0], members[1]) == pair_info(SID, members[1], members[0])
    elsewhere = PairSecrets(ann)
    elsewhere.agree(flip(SID), members[0], members)
    assert elsewhere.secret(2) != a_side.secret(2)
    kept = a_side.secret(3)
    rejoined = signed(2, "b", crypto.Identity(), SID)  # party 2 now with other keys
    a_side.agree(SID, members[0], [members[0], rejoined, members[2]])
    assert a_side.secret(2) != b_side.secret(1) and a_side.secret(3) == kept
    a_side.agree(SID, members[0], [members[0], members[2]])
    with pytest.raises(IntegrityError, match=r"^No key was agreed with this participant\.$"):
        a_side.secret(2)


# --- what a cheating host could do with a missing binding ---------------------------------


def _four_with_values(net: Network) -> dict[str, ParticipantSession]:
    conns = {n: net.join(n) for n in "ABCM"}
    for k, conn in enumerate(conns.values()):
        net.party_do(conn, net.parties[conn].submit(str(1000 * (k + 1))))
    return {n: net.parties[c] for n, c in conns.items()}


def _run_with(net: Network, rewrite: Callable[[int, Message], Message | None]) -> list[int]:
    """Run a round with ``rewrite`` applied to frames going down; who opened a self-mask."""
    opened: list[int] = []

    def tap(direction: str, conn: int, data: bytes) -> bytes | None:
        msg = FrameDecoder().feed(data)[0]
        if direction == "up":
            if isinstance(msg, Unmask):
                opened.append(conn)
            return data
        changed = rewrite(conn, msg)
        return data if changed is None else encode(changed)

    net.tap = tap
    net.host_do(net.host.start())
    return opened


def _complaints(net: Network, conn: int) -> list[RoundAborted]:
    return [e for e in net.events[conn] if isinstance(e, RoundAborted)]


TAG_FORGERIES = ["none", "sender", "recipient", "pair secret", "context", "digest"]


@pytest.mark.parametrize("forged", TAG_FORGERIES)
def test_a_confirmation_counts_only_from_its_sender_to_its_recipient_for_this_round(
    forged: str,
) -> None:
    """The host replaces M's tag for B with a tag it could get hold of otherwise: B's own
    tag for M reflected ("sender"), M's tag for C ("recipient"), one under another
    pair's secret, another round's context or another transcript. B must refuse each
    and open nothing; "none" puts back M's real tag, which B accepts."""
    net = make_network()
    people = _four_with_values(net)
    b, m, c = people["B"], people["M"], people["C"]
    b_conn = next(conn for conn, p in net.parties.items() if p is b)

    def forge(conn: int, msg: Message) -> Message | None:
        if conn != b_conn or not isinstance(msg, Confirms):
            return None
        secret, ctx, digest = m._pairs.secret(b.me), m._context, m._transcript_digest
        sender, recipient = m.me, b.me
        if forged == "sender":
            sender, recipient = b.me, m.me
        elif forged == "recipient":
            secret, recipient = m._pairs.secret(c.me), c.me
        elif forged == "pair secret":
            secret = m._pairs.secret(c.me)
        elif forged == "context":
            ctx = round_context(net.host.session_id, (99).to_bytes(16, "big"), b._code_digest)
        elif forged == "digest":
            digest = flip(digest)
        k = b._parties.index(m.me)
        tags = bytearray(msg.tags)
        tags[TAG_BYTES * k : TAG_BYTES * (k + 1)] = confirm_tag(
            secret, ctx, sender, recipient, digest
        )
        return replace(msg, tags=bytes(tags))

    opened = _run_with(net, forge)
    if forged == "none":
        assert b_conn in opened and b.outcome is not None
        return
    assert b_conn not in opened and b.outcome is None and not b.closed
    aborted = _complaints(net, b_conn)
    assert aborted and aborted[-1].missing == ("M",) and "different" in aborted[-1].reason


@pytest.mark.parametrize("blob", PARTIALS_BLOBS)
def test_a_partial_sum_altered_in_everyones_view_is_caught_by_its_sender(blob: str) -> None:
    """Altered the same way for everyone, every transcript digest agrees and every tag
    verifies: only A can tell that its own partial sum (or public witness, public
    proof or commitments) is not what it sent, and it stops the round before anyone
    opens a self-mask."""
    net = make_network()
    people = _four_with_values(net)
    a = people["A"]

    def alter(conn: int, msg: Message) -> Message | None:
        if not isinstance(msg, Partials):
            return None
        parts = slots(msg, blob)
        k = msg.parties.index(a.me)
        parts[k] = bumped(parts[k])
        return with_slots(msg, **{blob: parts})

    opened = _run_with(net, alter)
    assert not opened and all(p.outcome is None for p in people.values())
    assert net.host.outcome is None
    a_conn = next(conn for conn, p in net.parties.items() if p is a)
    assert "your own partial sum came back altered" in _complaints(net, a_conn)[-1].reason


CHECK_FORGERIES = ["none", "messages", "context", "party", "transcript", "another checker"]


@pytest.mark.parametrize("forged", CHECK_FORGERIES)
def test_a_check_counts_only_as_signed_by_its_checker_for_this_transcript(forged: str) -> None:
    """The host replaces M's signed checks for B with something M's app signed, or could
    have signed, for another purpose: M's messages altered under M's real signature,
    M's signature over its messages in another round ("context"), as another party,
    over another transcript, or C's signed checks put in M's slot. B must refuse each
    and open nothing (a check not bound to all of these could be replayed into a
    round where it makes a cheat's contribution pass); "none" re-signs M's real
    checks, which B accepts."""
    net = make_network()
    people = _four_with_values(net)
    b, m, c = people["B"], people["M"], people["C"]
    b_conn = next(conn for conn, p in net.parties.items() if p is b)

    def forge(conn: int, msg: Message) -> Message | None:
        if conn != b_conn or not isinstance(msg, Verifies):
            return None
        n = len(b._parties)
        size = len(msg.messages) // n
        k, j = b._parties.index(m.me), b._parties.index(c.me)
        checks = [msg.messages[size * i : size * (i + 1)] for i in range(n)]
        signatures = [
            msg.signatures[SIGNATURE_BYTES * i : SIGNATURE_BYTES * (i + 1)] for i in range(n)
        ]
        ctx, party, digest, mine = b._context, m.me, b._transcript_digest, checks[k]
        if forged == "context":
            ctx = round_context(net.host.session_id, (99).to_bytes(16, "big"), b._code_digest)
        elif forged == "party":
            party = c.me
        elif forged == "transcript":
            digest = flip(digest)
        if forged == "another checker":
            checks[k], signatures[k] = checks[j], signatures[j]
        else:
            signatures[k] = m.identity.sign(verify_context(ctx, party, digest, mine))
        if forged == "messages":
            checks[k] = bumped(mine)
        return replace(msg, messages=b"".join(checks), signatures=b"".join(signatures))

    opened = _run_with(net, forge)
    if forged == "none":
        assert b_conn in opened and b.outcome is not None
        return
    assert b_conn not in opened and b.outcome is None and not b.closed
    assert all(p.outcome is None for p in people.values())
    aborted = _complaints(net, b_conn)
    assert aborted and aborted[-1].missing == ("M",)
    assert "were not signed by M's app" in aborted[-1].reason


PIECE_SWAPS = ["random", "another member's", "for another holder", "from another round"]


@pytest.mark.parametrize("swap", PIECE_SWAPS)
def test_an_opened_piece_counts_only_if_it_is_the_one_its_member_committed_to(swap: str) -> None:
    """The host hands B a self-mask piece of M other than the one M committed to for
    that holder in this round: a random one, C's piece for the same slot, M's piece
    for another holder, or one of another round. B complains instead of computing a
    result (it would be off by the difference of the two pieces' expansions)."""
    net = make_network()
    people = _four_with_values(net)
    b, m, c = people["B"], people["M"], people["C"]
    b_conn = next(conn for conn, p in net.parties.items() if p is b)

    def change(conn: int, msg: Message) -> Message | None:
        if conn != b_conn or not isinstance(msg, Unmasks):
            return None
        n = len(b._parties)
        size = len(msg.pieces) // n
        assert size == 32 * (n - 1)
        k, j = b._parties.index(m.me), b._parties.index(c.me)
        pieces = [
            [msg.pieces[size * i + 32 * h : size * i + 32 * (h + 1)] for h in range(n - 1)]
            for i in range(n)
        ]
        if swap == "random":
            pieces[k][0] = os.urandom(32)
        elif swap == "another member's":
            pieces[k][0] = pieces[j][0]
        elif swap == "for another holder":
            pieces[k][0], pieces[k][1] = pieces[k][1], pieces[k][0]
        else:
            holder = next(p for p in b._parties if p != m.me)
            other = round_context(net.host.session_id, (99).to_bytes(16, "big"), b._code_digest)
            pieces[k][0] = piece(m._pairs.secret(holder), other, m.me, holder)
        return replace(msg, pieces=b"".join(b"".join(row) for row in pieces))

    _run_with(net, change)
    assert b.outcome is None and net.host.outcome is not None
    assert not [e for e in net.events[b_conn] if isinstance(e, ResultReady)]
    assert "the last mask opened for M does not match" in _complaints(net, b_conn)[-1].reason
    assert b.closed  # it had opened its own: this question is over for it


# --- what a behaviour test cannot see ---------------------------------------------------------


def test_tags_are_compared_in_constant_time() -> None:
    """`==` on a tag leaks, through timing, how many leading bytes were right, which
    lets a forger find a tag byte by byte; no behaviour test sees the difference. So
    read the source: where the participant checks tags, seeds, pieces and nonces
    against what was committed, it uses `hmac.compare_digest` and no `==` or `!=`."""
    source = Path(participant.__file__).read_text()
    functions = {
        node.name: node for node in ast.walk(ast.parse(source)) if isinstance(node, ast.FunctionDef)
    }
    for name in ("_partials", "_confirms", "_unmasks", "_reveals"):
        body = functions[name]
        calls = [ast.unparse(n.func) for n in ast.walk(body) if isinstance(n, ast.Call)]
        assert "hmac.compare_digest" in calls, name
        compared = [
            ast.unparse(n)
            for n in ast.walk(body)
            if isinstance(n, ast.Compare)
            and any(isinstance(op, ast.Eq | ast.NotEq) for op in n.ops)
        ]
        secret = ("tag", "expected", "commitment", "seed", "nonce")
        flagged = [c for c in compared if "len(" not in c and any(w in c for w in secret)]
        assert not flagged, (name, flagged)
