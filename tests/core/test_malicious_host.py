"""Issue 14's seven attacks, played by a cheating host against the real state machines.

Each test is the attack as it worked against protocol 2 (see `issues show 14`);
each asserts what protocol 3 guaranteed instead, and protocol 4 still does
(its partial sums are field elements, and no check of a proof leaves a member
before every confirmation did: issue 15). The host here is either a
`ForgedHost` that writes every frame itself, or the honest `HostSession` with a
tap that rewrites, withholds or records frames in flight — and, where the issue
says so, colluding members whose secrets the host uses.
docs/SECURITY.md maps each claim to these tests.
"""

from __future__ import annotations

import os
from dataclasses import replace
from decimal import Decimal

import pytest

from huddle.core import crypto
from huddle.core.codec import FrameDecoder, Message, encode
from huddle.core.encoding import from_ring, vector_from_bytes
from huddle.core.events import Output, PrivacySpent, ResultReady, RoundAborted, Send
from huddle.core.field import P
from huddle.core.host import Phase as HostPhase
from huddle.core.masks import confirm_tag, nonce_commitment, transcript_digest
from huddle.core.messages import (
    Cancel,
    CancelWhy,
    Commit,
    Commitments,
    Complaint,
    Confirm,
    Hello,
    Lobby,
    Member,
    Partials,
    PartialSum,
    Reveal,
    Reveals,
    Seen,
    Start,
    Unmask,
    Verify,
    Welcome,
    hello_context,
)
from huddle.core.participant import ParticipantSession, Phase
from huddle.core.questions import HISTOGRAM, Question
from huddle.core.security_code import code_digest, roster_digest, security_code
from huddle.core.sharing import combine

from .harness import FINGERPRINT, Network, make_network

QUESTION = Question(title="2026 raise", lo="0", hi="100000")


def decoded(outs: list[Output]) -> list[Message]:
    return [m for o in outs if isinstance(o, Send) for m in FrameDecoder().feed(o.data)]


def signed_member(party: int, name: str, session_id: bytes, who: crypto.Identity) -> Member:
    pub = who.public
    signature = who.sign(hello_context(session_id, name, pub.sign_key, pub.kem_key))
    return Member(
        party=party, name=name, sign_key=pub.sign_key, kem_key=pub.kem_key, signature=signature
    )


class ForgedHost:
    """A host that writes every frame itself, facing one real participant (the victim)."""

    def __init__(self, question: Question = QUESTION) -> None:
        self.question = question
        self.session_id = os.urandom(16)
        self.victim = ParticipantSession(
            name="Vic", host_fingerprint=FINGERPRINT, random_bytes=os.urandom
        )
        self.up: list[Message] = []
        self.outs: list[Output] = []
        self.feed(Welcome(session_id=self.session_id, host_name="Mallory", question=question))
        hello = self.up[-1]
        assert isinstance(hello, Hello)
        self.me = Member(
            party=1,
            name=hello.name,
            sign_key=hello.sign_key,
            kem_key=hello.kem_key,
            signature=hello.signature,
        )
        self.epoch = 0

    def feed(self, msg: Message) -> list[Message]:
        outs = self.victim.receive_data(encode(msg))
        self.outs += outs
        got = decoded(outs)
        self.up += got
        return got

    def fake(self, party: int, name: str) -> Member:
        return signed_member(party, name, self.session_id, crypto.Identity())

    def lobby_with_code(self, roster: tuple[Member, ...]) -> bytes:
        """Show ``roster`` and run the code's commit/reveal with made-up nonces; the digest."""
        self.epoch += 1
        (commit,) = self.feed(Lobby(you=1, epoch=self.epoch, roster=roster))
        assert isinstance(commit, Commit)
        nonces = {m.party: os.urandom(32) for m in roster if m.party != 1}
        commitments = b"".join(
            commit.commitment
            if m.party == 1
            else nonce_commitment(self.session_id, self.epoch, m.party, nonces[m.party])
            for m in roster
        )
        (reveal,) = self.feed(Commitments(epoch=self.epoch, commitments=commitments))
        assert isinstance(reveal, Reveal)
        nonces[1] = reveal.nonce
        blob = b"".join(nonces[m.party] for m in roster)
        self.feed(Reveals(epoch=self.epoch, nonces=blob))
        base = roster_digest(self.session_id, self.question, FINGERPRINT, roster)
        digest = code_digest(base, self.epoch, blob)
        assert self.victim.code == security_code(digest)
        return digest


# --- 1. Tiny roster ---------------------------------------------------------------


@pytest.mark.parametrize("others", [0, 1])
def test_1_a_roster_below_the_minimum_gets_no_partial_sum(others: int) -> None:
    """Roster = the victim alone (no masks at all), or host + victim (the result gives it away)."""
    host = ForgedHost()
    host.victim.submit("41000")
    roster = (host.me, *(host.fake(2 + k, f"Fake{k}") for k in range(others)))
    digest = host.lobby_with_code(roster)
    sent = host.feed(Start(round_id=(1).to_bytes(16, "big"), roster_digest=digest))
    assert not any(isinstance(m, PartialSum) for m in host.up)
    assert [type(m) for m in sent] == [Cancel]
    assert isinstance(sent[0], Cancel) and sent[0].why == CancelWhy.TOO_FEW
    aborted = [o for o in host.outs if isinstance(o, RoundAborted)]
    assert "below this question's minimum of 3" in aborted[-1].reason


def test_1_the_minimum_is_part_of_the_security_code() -> None:
    """A host that lowers the minimum for one side shows that side a different code."""
    roster = (signed_member(1, "a", bytes(16), crypto.Identity()),)
    codes = {
        roster_digest(bytes(16), replace(QUESTION, min_participants=k), FINGERPRINT, roster)
        for k in (3, 4, 5)
    }
    assert len(codes) == 3


# --- 2. Stop, then re-run -------------------------------------------------------------


def _four(net: Network) -> dict[str, int]:
    conns = {n: net.join(n) for n in "ABCD"}
    for value, conn in zip(("30000", "52000", "61000", "74000"), conns.values(), strict=True):
        net.party_do(conn, net.parties[conn].submit(value))
    return conns


@pytest.mark.parametrize("how", ["D leaves after publishing", "host withholds and cancels"])
def test_2_a_stopped_round_cannot_be_summed_and_differenced_with_the_rerun(how: str) -> None:
    """Protocol 2 gave S1 − S2 = D's value (74000). Now S1 is hidden under self-masks
    that nobody opens, because nobody saw everyone confirm the round."""
    net = make_network()
    conns = _four(net)
    d = conns["D"]
    seen: list[Message] = []

    def record(direction: str, conn: int, data: bytes) -> bytes | None:
        msg = FrameDecoder().feed(data)[0]
        if direction == "up":
            seen.append(msg)
        # The host keeps every partial sum but lets no member see the full set.
        if direction == "down" and isinstance(msg, Partials):
            return None
        return data

    net.tap = record
    net.host_do(net.host.start())
    round_one = [m for m in seen if isinstance(m, PartialSum)]
    assert len(round_one) == 4  # the host holds all four partial sums of round 1
    if how == "D leaves after publishing":
        net.disconnect(d)
    else:
        net.host_do(net.host.cancel())
        net.host_do(net.host.remove(net.parties[d].me))
    assert not any(isinstance(m, Confirm | Verify | Unmask) for m in seen), "no self-mask may open"
    s1 = from_ring(combine([vector_from_bytes(m.vector) for m in round_one]))[0]
    # The re-run is not automatic: each person says they take part again.
    net.tap = None
    net.host_do(net.host.start())
    assert not net.host.outcome
    for name in "ABC":
        net.party_do(conns[name], net.parties[conns[name]].take_part())
    assert net.host.outcome is not None
    s2 = net.host.outcome.total[0]
    assert s2 == 30000 + 52000 + 61000
    assert (s1 - s2) % P != 74000  # the difference is uniformly random now


def test_2_a_member_that_opened_its_self_mask_takes_part_in_no_rerun() -> None:
    """If the host gathered every confirmation and then stopped the round, members who
    opened their self-masks refuse any other round of the question (it is closed)."""
    net = make_network()
    conns = _four(net)
    unmasked: list[int] = []

    def stop_after_first_unmask(direction: str, conn: int, data: bytes) -> bytes | None:
        msg = FrameDecoder().feed(data)[0]
        if direction == "up" and isinstance(msg, Unmask):
            unmasked.append(conn)
            return None  # the host keeps the seeds to itself
        return data

    net.tap = stop_after_first_unmask
    net.host_do(net.host.start())
    assert len(unmasked) == 4
    net.tap = None
    net.disconnect(conns["D"])  # "D left": the round stops while people have opened
    assert net.host.question_closed and not net.host.can_start
    for name in "ABC":
        party = net.parties[conns[name]]
        assert party.phase is Phase.CLOSED and party.closed
        aborted = [e for e in net.events[conns[name]] if isinstance(e, RoundAborted)]
        assert aborted[-1].closed and "closed for you" in aborted[-1].reason
    # A host that ignores its own rule and starts anyway meets three refusals.
    net.host.question_closed = False
    sent: list[Message] = []
    net.tap = lambda d, c, data: sent.append(FrameDecoder().feed(data)[0]) or data  # type: ignore[func-returns-value]
    net.host_do(net.host.start())
    assert not any(isinstance(m, PartialSum) for m in sent)
    assert any(isinstance(m, Cancel) and m.why == CancelWhy.CLOSED for m in sent)


# --- 3. Complaint after the result ---------------------------------------------------


@pytest.mark.parametrize("late", ["complaint", "cancel"])
def test_3_finished_is_final(late: str) -> None:
    """A member (modified app) complains about A after the result: protocol 2's host
    reopened the round and expelled A. Now that is a protocol error of the sender."""
    net = make_network()
    conns = {n: net.join(n) for n in "ABCD"}
    for conn in conns.values():
        net.party_do(conn, net.parties[conn].submit("50000"))
    net.host_do(net.host.start())
    assert net.host.phase is HostPhase.DONE
    a, d = net.parties[conns["A"]].me, conns["D"]
    round_id = (1).to_bytes(16, "big")
    msg: Message = (
        Complaint(round_id=round_id, about=a, what=Seen.DIFFERENT_TRANSCRIPT)
        if late == "complaint"
        else Cancel(round_id=round_id, why=CancelWhy.PERSON)
    )
    net.host_do(net.host.receive_data(d, encode(msg)))
    assert net.host.phase is HostPhase.DONE and not net.host.can_start
    names = [m.name for m in net.host.roster]
    assert "A" in names and "D" not in names  # the accuser is dropped, not the accused
    for name in "ABC":  # results stand; nobody's round was reopened
        assert net.parties[conns[name]].phase is Phase.DONE


# --- 4. Different results for different people --------------------------------------


def test_4_a_host_colluding_with_a_member_cannot_show_people_different_results() -> None:
    """Protocol 2: A and C saw 52000, B saw 62000, every tag verified. Now the host
    rewrites B's view and uses the colluder M's pair secrets to forge M's confirmation
    for B's view too — the honest members' tags still disagree, nobody opens a
    self-mask, nobody sees a result, and the stop says why."""
    net = make_network()
    conns = {n: net.join(n) for n in ["A", "B", "C", "M"]}
    for name, value in zip("ABCM", ("40000", "50000", "60000", "58000"), strict=True):
        net.party_do(conns[name], net.parties[conns[name]].submit(value))
    b, m = net.parties[conns["B"]], net.parties[conns["M"]]
    opened: list[int] = []
    state: dict[str, bytes] = {}

    def equivocate(direction: str, conn: int, data: bytes) -> bytes | None:
        msg = FrameDecoder().feed(data)[0]
        if direction == "up" and isinstance(msg, Verify | Unmask):
            opened.append(conn)  # a check or a piece: neither may go out
        if direction == "down" and conn == conns["B"] and isinstance(msg, Partials):
            k = msg.parties.index(m.me)  # the colluder's partial sum grows by 40000 for B
            vectors = bytearray(msg.vectors)
            v = int.from_bytes(vectors[8 * k : 8 * k + 8], "little") + 40000
            vectors[8 * k : 8 * k + 8] = (v % P).to_bytes(8, "little")
            altered = replace(msg, vectors=bytes(vectors))
            state["b view"] = transcript_digest(
                b._context,
                msg.parties,
                altered.vectors,
                msg.witnesses,
                msg.proofs,
                msg.commitments,
            )
            return encode(altered)
        if direction == "up" and conn == conns["M"] and isinstance(msg, Confirm):
            # M's tag for B, redone over B's view with M's own secret.
            others = [p for p in m._parties if p != m.me]
            tags = bytearray(msg.tags)
            i = others.index(b.me)
            secret = m._pairs.secret(b.me)
            tags[16 * i : 16 * i + 16] = confirm_tag(
                secret, m._context, m.me, b.me, state["b view"]
            )
            return encode(replace(msg, tags=bytes(tags)))
        return data

    net.tap = equivocate
    net.host_do(net.host.start())
    assert "b view" in state
    assert not opened
    for name in "ABC":
        events = net.events[conns[name]]
        assert not [e for e in events if isinstance(e, ResultReady)]
        aborted = [e for e in events if isinstance(e, RoundAborted)]
        assert "showed people different results" in aborted[-1].reason


def test_4_every_member_that_sees_a_result_shows_the_same_result_code() -> None:
    net = make_network()
    conns = {n: net.join(n) for n in "ABC"}
    for conn in conns.values():
        net.party_do(conn, net.parties[conn].submit("7"))
    net.host_do(net.host.start())
    got = [e for c in conns.values() for e in net.events[c] if isinstance(e, ResultReady)]
    assert len(got) == 3 and len({e.code for e in got}) == 1 and got[0].code
    assert got[0].code == net.host.result_code
    assert {e.outcome.average for e in got} == {Decimal(7)}


# --- 5. A code that cannot be ground ---------------------------------------------------


def test_5_a_member_reveals_its_nonce_only_after_every_commitment() -> None:
    """The host sees the victim's nonce only after fixing its fake members' nonces."""
    host = ForgedHost()
    roster = (host.me, host.fake(2, "B"), host.fake(3, "C"))
    host.epoch = 1
    first = host.feed(Lobby(you=1, epoch=1, roster=roster))
    assert [type(m) for m in first] == [Commit]  # a commitment only; no nonce yet
    assert not any(isinstance(m, Reveal) for m in host.up)


def test_5_changing_a_fake_nonce_after_seeing_the_real_one_is_caught() -> None:
    """Grinding needs the host to pick its fake nonce after it sees ours: refused."""
    host = ForgedHost()
    roster = (host.me, host.fake(2, "B"), host.fake(3, "C"))
    (commit,) = host.feed(Lobby(you=1, epoch=1, roster=roster))
    assert isinstance(commit, Commit)
    fakes = {2: os.urandom(32), 3: os.urandom(32)}
    commitments = commit.commitment + b"".join(
        nonce_commitment(host.session_id, 1, p, n) for p, n in fakes.items()
    )
    (reveal,) = host.feed(Commitments(epoch=1, commitments=commitments))
    assert isinstance(reveal, Reveal)
    ground = os.urandom(32)  # "found" after seeing reveal.nonce
    host.feed(Reveals(epoch=1, nonces=reveal.nonce + ground + fakes[3]))
    assert host.victim.ended and host.victim.code == ""


def test_5_each_roster_change_means_a_fresh_nonce_and_a_new_code() -> None:
    """So a host cannot collect a victim's nonce once and grind against it later."""
    host = ForgedHost()
    roster = (host.me, host.fake(2, "B"), host.fake(3, "C"))
    host.lobby_with_code(roster)
    first_nonce = next(m for m in host.up if isinstance(m, Reveal)).nonce
    first_code = host.victim.code
    host.lobby_with_code(roster)
    second_nonce = [m for m in host.up if isinstance(m, Reveal)][-1].nonce
    assert second_nonce != first_nonce and host.victim.code != first_code


def test_5_the_code_changed_notice_comes_with_every_new_code() -> None:
    net = make_network()
    a = net.join("a")
    for name in "bcd":
        net.join(name)
    codes = [e for e in net.events[a] if getattr(e, "code", "")]
    assert len({e.code for e in codes}) == len(codes) == 4  # type: ignore[attr-defined]
    assert [e.changed for e in codes] == [False, True, True, True]  # type: ignore[attr-defined]


# --- 7. Ledger first -----------------------------------------------------------------------


def test_7_epsilon_is_spent_before_the_noisy_partial_sum_leaves() -> None:
    """A host that collects the partial sums and aborts still leaves the ε recorded:
    the participant emits `PrivacySpent` ahead of the Send that carries its sum."""
    edges = ("0", "50", "100")
    q = Question(kind=HISTOGRAM, title="t", hi="100", bins=edges, epsilon="1")
    net = make_network(q)
    conns = [net.join(n) for n in "abc"]
    for conn in conns:
        net.party_do(conn, net.parties[conn].submit("10"))
    party = net.parties[conns[0]]
    outs = party.receive_data(encode(Start(round_id=(1).to_bytes(16, "big"),
                                           roster_digest=party._code_digest)))  # fmt: skip
    kinds = [
        "spent" if isinstance(o, PrivacySpent) else type(FrameDecoder().feed(o.data)[0]).__name__
        for o in outs
        if isinstance(o, PrivacySpent | Send)
    ]
    assert kinds == ["spent", "PartialSum"]


def test_5_every_nonce_and_the_epoch_change_the_code() -> None:
    """The code covers each member's nonce: change any one and the code changes."""
    base = roster_digest(bytes(16), QUESTION, FINGERPRINT, ())
    nonces = [os.urandom(32) for _ in range(3)]
    reference = code_digest(base, 1, b"".join(nonces))
    for k in range(3):
        changed = list(nonces)
        changed[k] = os.urandom(32)
        assert code_digest(base, 1, b"".join(changed)) != reference
    assert code_digest(base, 2, b"".join(nonces)) != reference


# --- a member that stalls the code -----------------------------------------------------


@pytest.mark.parametrize("withheld", [Commit, Reveal])
def test_a_member_silent_in_the_code_exchange_is_named_and_can_be_removed(
    withheld: type[Message],
) -> None:
    """A modified app that never commits (or never reveals) cannot stall the lobby: the
    host sees who holds the code up and, when the engine's deadline passes, removes them."""
    net = make_network()
    conns = {n: net.join(n) for n in "abc"}
    mute = conns["c"]
    net.tap = lambda d, c, data: (  # type: ignore[assignment]
        None
        if d == "up" and c == mute and isinstance(FrameDecoder().feed(data)[0], withheld)
        else data
    )
    d = net.join("d")
    assert net.host.code == "" and not net.host.can_start
    assert net.host.silent_in_code_exchange() == (net.parties[mute].me,)
    assert net.host.drop_silent(net.host.epoch - 1) == []  # an old deadline does nothing
    net.host_do(net.host.drop_silent(net.host.epoch))
    assert [m.name for m in net.host.roster] == ["a", "b", "d"]
    assert net.host.code and net.host.can_start
    assert net.parties[conns["a"]].code == net.host.code == net.parties[d].code
