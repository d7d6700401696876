"""Many parties through the sans-IO state machines, in memory."""

import random
from dataclasses import replace
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from huddle.core import crypto
from huddle.core.codec import FrameDecoder, Message, encode
from huddle.core.events import (
    Drop,
    ResultReady,
    RosterChanged,
    RoundAborted,
    RoundStarted,
    Send,
    SessionEnded,
)
from huddle.core.messages import (
    Complaint,
    Hello,
    Lobby,
    Member,
    Partials,
    PartialSum,
    Seen,
    Start,
    Unmask,
    Verify,
    Welcome,
    hello_context,
)
from huddle.core.participant import Phase
from huddle.core.questions import Question

from .harness import PARTIALS_BLOBS, Network, bumped, make_network, slots, with_slots


def run_round(net: Network, values: dict[str, str]) -> dict[str, int]:
    conns = {name: net.join(name) for name in values}
    for name, value in values.items():
        net.party_do(conns[name], net.parties[conns[name]].submit(value))
    net.host_do(net.host.start())
    return conns


def results(net: Network, conns: dict[str, int]) -> list[ResultReady]:
    return [e for c in conns.values() for e in net.events[c] if isinstance(e, ResultReady)]


@pytest.mark.parametrize("n", [3, 4, 5, 10, 30, 100])
def test_n_parties_agree_on_the_exact_average(n: int) -> None:
    rng = random.Random(n)
    values = {f"p{i}": rng.randint(0, 100000) for i in range(n)}
    net = make_network()
    conns = run_round(net, {k: str(v) for k, v in values.items()})
    got = results(net, conns)
    assert len(got) == n
    expected = Decimal(sum(values.values())) / n
    assert {r.outcome.average for r in got} == {expected}
    assert {net.parties[c].code for c in conns.values()} == {net.host.code}


@settings(max_examples=25, deadline=None)
@given(
    st.integers(0, 3).flatmap(
        lambda d: st.tuples(
            st.just(d),
            st.lists(st.decimals(-1000, 1000, places=d, allow_nan=False), min_size=3, max_size=6),
        )
    )
)
def test_random_splits_give_the_exact_sum_for_any_inputs(case: tuple[int, list[Decimal]]) -> None:
    decimals, values = case
    question = Question(title="t", decimals=decimals, lo="-1000", hi="1000")
    net = make_network(question)
    conns = run_round(net, {f"p{i}": str(v) for i, v in enumerate(values)})
    assert {r.outcome.sum for r in results(net, conns)} == {sum(values)}


def test_byte_at_a_time_delivery_changes_nothing() -> None:
    net = make_network(byte_at_a_time=True)
    conns = run_round(net, {"a": "10", "b": "20", "c": "60"})
    assert {r.outcome.average for r in results(net, conns)} == {Decimal(30)}


def test_minimum_is_enforced_and_start_waits_for_it() -> None:
    net = make_network()
    net.join("a")
    net.join("b")
    assert not net.host.can_start
    net.join("c")
    assert net.host.can_start


def test_joining_needs_the_hosts_consent() -> None:
    net = make_network()
    conn = net.join("stranger", admit=False)
    assert net.host.roster == () and net.host.pending == {conn: "stranger"}
    net.host_do(net.host.reject(conn))
    assert net.parties[conn].ended
    assert any(isinstance(e, SessionEnded) for e in net.events[conn])


def test_duplicate_names_are_refused_with_a_clear_reason() -> None:
    net = make_network()
    net.join("Bob")
    conn = net.join("Bob", admit=False)
    ended = [e for e in net.events[conn] if isinstance(e, SessionEnded)]
    assert ended and "already here" in ended[0].reason


def test_leaving_the_lobby_updates_roster_and_code_everywhere() -> None:
    net = make_network()
    a, b, c = net.join("a"), net.join("b"), net.join("c")
    before = net.host.code
    net.disconnect(c)
    assert [m.name for m in net.host.roster] == ["a", "b"]
    assert net.host.code != before
    assert net.parties[a].code == net.host.code == net.parties[b].code
    notes = [e.note for e in net.host_events if isinstance(e, RosterChanged)]
    assert notes[-1] == "c left"


@pytest.mark.parametrize("phase", ["still typing", "before its partial sum"])
def test_dropout_after_start_aborts_naming_who_and_rerun_works(phase: str) -> None:
    net = make_network()
    conns = {n: net.join(n) for n in ["a", "b", "c", "d"]}
    for name in ["a", "b", "c"]:
        net.party_do(conns[name], net.parties[conns[name]].submit("10"))
    if phase == "before its partial sum":
        net.party_do(conns["d"], net.parties[conns["d"]].submit("99"))
        # The others publish at once; d never hears Start, so its partial sum never comes.
        net.tap = lambda direction, conn, data: (
            None if conn == conns["d"] and direction == "down" else data
        )
    net.host_do(net.host.start())
    net.tap = None
    net.disconnect(conns["d"])
    aborted = [e for e in net.host_events if isinstance(e, RoundAborted)]
    assert aborted and aborted[-1].missing == ("d",) and aborted[-1].can_rerun
    for name in ["a", "b", "c"]:
        got = [e for e in net.events[conns[name]] if isinstance(e, RoundAborted)]
        assert got and got[-1].missing == ("d",)
        assert not results(net, {name: conns[name]})
    net.host_do(net.host.start())  # re-run without d: values kept, but nothing is sent...
    for name in ["a", "b", "c"]:
        party = net.parties[conns[name]]
        started = [e for e in net.events[conns[name]] if isinstance(e, RoundStarted)]
        assert started[-1].rerun and party.awaiting_consent
    assert not results(net, {n: conns[n] for n in ["a", "b", "c"]})
    for name in ["a", "b", "c"]:  # ...until each person says they take part again
        net.party_do(conns[name], net.parties[conns[name]].take_part())
    rerun = results(net, {n: conns[n] for n in ["a", "b", "c"]})
    assert {r.outcome.average for r in rerun} == {Decimal(10)}


def signed_member(party: int, name: str, session_id: bytes, who: crypto.Identity) -> Member:
    """A roster entry for ``who``, signed as a real Hello would be."""
    pub = who.public
    signature = who.sign(hello_context(session_id, name, pub.sign_key, pub.kem_key))
    return Member(
        party=party, name=name, sign_key=pub.sign_key, kem_key=pub.kem_key, signature=signature
    )


@pytest.mark.parametrize("which", ["both keys", "kem key only"])
def test_a_host_substituting_a_key_makes_security_codes_differ(which: str) -> None:
    """A host that swaps b's keys in a's view (a MITM) shows a and b different codes.

    "kem key only": the host keeps b's signing key but pairs it with a key of its
    own; a checks b's Hello signature itself, so it refuses the roster outright.
    """
    net = make_network()
    conns = {n: net.join(n) for n in ["a", "b", "c"]}
    sid = net.host.session_id
    b = net.parties[conns["b"]]
    fake = signed_member(b.me, "b", sid, crypto.Identity())
    if which == "kem key only":
        fake = replace(fake, sign_key=b.identity.public.sign_key)

    def mitm(direction: str, conn: int, data: bytes) -> bytes:
        if direction == "down" and conn == conns["a"]:
            msg = FrameDecoder().feed(data)[0]
            if isinstance(msg, Lobby):
                roster = tuple(fake if x.party == b.me else x for x in msg.roster)
                return encode(replace(msg, roster=roster))
        return data

    net.tap = mitm
    net.host_do(net.host._roster_update(""))
    a = net.parties[conns["a"]]
    if which == "kem key only":
        assert a.ended
        ended = [e for e in net.events[conns["a"]] if isinstance(e, SessionEnded)]
        assert "did not sign" in ended[-1].reason
        return
    assert a.code and a.code != b.code
    assert b.code == net.host.code


def _abort_first_round(net: Network, conns: dict[str, int], sent: dict[int, PartialSum]) -> bytes:
    """Run a round in which c's partial sum never arrives, then cancel it; its id."""
    starts: list[bytes] = []

    def tap(direction: str, conn: int, data: bytes) -> bytes | None:
        msg = FrameDecoder().feed(data)[0]
        if isinstance(msg, Start):
            starts.append(msg.round_id)
        if direction == "up" and isinstance(msg, PartialSum):
            if conn == conns["c"]:
                return None
            sent[conn] = msg
        return data

    net.tap = tap
    for c in conns.values():
        net.party_do(c, net.parties[c].submit("5"))
    net.host_do(net.host.start())
    net.host_do(net.host.cancel())
    net.tap = None
    assert all(p.phase is Phase.ABORTED for p in net.parties.values())
    return starts[0]


@pytest.mark.parametrize("replayed", ["everything", "the sums only"])
def test_partial_sums_replayed_from_an_aborted_round_are_caught(replayed: str) -> None:
    """Everything in a round is bound to it, so an old partial sum passed off as new fails.

    "everything": b's old partial sum, witness, proof and commitments; c derives
    its piece of b's self-mask for this round and finds b's commitment to it is
    not one (so does the host's screen). "the sums only": the old partial sum,
    witness and proof under this round's commitments; nobody confirms the
    altered transcript. Either way nobody sends a check or opens a piece, and
    nothing of either round can be summed.
    """
    net = make_network()
    conns = {n: net.join(n) for n in ["a", "b", "c"]}
    old: dict[int, PartialSum] = {}
    _abort_first_round(net, conns, old)
    b_party = net.parties[conns["b"]].me
    b_old = old[conns["b"]]
    after_confirm: list[Message] = []
    complaints: list[Complaint] = []

    def replay(direction: str, conn: int, data: bytes) -> bytes:
        msg = FrameDecoder().feed(data)[0]
        if isinstance(msg, Verify | Unmask):
            after_confirm.append(msg)
        if direction == "up" and conn == conns["c"] and isinstance(msg, Complaint):
            complaints.append(msg)
        if conn == conns["c"] and isinstance(msg, Partials):
            i = msg.parties.index(b_party)
            blobs = {name: slots(msg, name) for name in PARTIALS_BLOBS}
            blobs["vectors"][i] = b_old.vector
            blobs["witnesses"][i] = b_old.witness
            blobs["proofs"][i] = b_old.proof
            if replayed == "everything":
                blobs["commitments"][i] = b_old.commitments
            altered = with_slots(msg, **blobs)
            assert altered != msg, "the old round's parts differ from this round's"
            return encode(altered)
        return data

    net.tap = replay
    net.host_do(net.host.start())
    for c in conns.values():
        net.party_do(c, net.parties[c].take_part())
    assert not results(net, conns) and not after_confirm
    for c in conns.values():
        assert not net.parties[c].closed
    aborted = [e for e in net.events[conns["a"]] if isinstance(e, RoundAborted)]
    if replayed == "everything":
        assert complaints == [
            Complaint(round_id=(2).to_bytes(16, "big"), about=b_party, what=Seen.BAD_PIECE)
        ]
        assert aborted and aborted[-1].reason == (
            "The round was stopped: c's app found that what was relayed for b does not add up."
        )
    else:
        assert aborted and "showed people different results" in aborted[-1].reason


def test_a_round_id_used_before_is_refused() -> None:
    """Masks are fresh only if the round id is: a host repeating one is not followed."""
    net = make_network()
    conns = {n: net.join(n) for n in ["a", "b", "c"]}
    first = _abort_first_round(net, conns, {})
    assert first == (1).to_bytes(16, "big")
    net.host._rounds_started = 0  # the next round gets the same id again
    net.host_do(net.host.start())
    for c in conns.values():
        ended = [e for e in net.events[c] if isinstance(e, SessionEnded)]
        assert ended and "used round id" in ended[-1].reason
        assert net.parties[c].outcome is None


ALTERED = {
    # attack: what the victim (a) complains of, and about whom
    "vector": (Seen.DIFFERENT_TRANSCRIPT, "b"),
    "witness": (Seen.DIFFERENT_TRANSCRIPT, "b"),
    "proof": (Seen.DIFFERENT_TRANSCRIPT, "b"),
    "nonce commitment": (Seen.DIFFERENT_TRANSCRIPT, "b"),
    "piece commitment for another": (Seen.DIFFERENT_TRANSCRIPT, "b"),
    "piece commitment for the victim": (Seen.BAD_PIECE, "b"),
    "swap sums": (Seen.DIFFERENT_TRANSCRIPT, "b"),
    "swap": (Seen.BAD_PIECE, "b"),
    "own": (Seen.OWN_PARTIAL_ALTERED, "a"),
    "own proof": (Seen.OWN_PARTIAL_ALTERED, "a"),
    "own commitments": (Seen.OWN_PARTIAL_ALTERED, "a"),
}


@pytest.mark.parametrize("attack", ALTERED)
def test_a_partial_sum_altered_by_the_host_stops_the_round_before_anything_opens(
    attack: str,
) -> None:
    """The host cannot change a partial sum, its proof's public parts or its commitments
    (or pass one member's off as another's) unseen.

    Every member tags a digest of the whole transcript for every other member
    under a key only the two of them hold: one altered view makes those tags
    fail (DIFFERENT_TRANSCRIPT, b named by whoever's tag failed first, here
    the first other member). A commitment to the piece of b's self-mask that
    the victim can derive itself is checked at once (BAD_PIECE, about b).
    "own": the victim's own parts are altered in its view; it sees that itself.
    Nobody sends a check, opens a piece or gets a (wrong) result.
    """
    net = make_network()
    conns = {n: net.join(n) for n in ["a", "b", "c"]}
    victim = conns["a"]
    party = {name: net.parties[conn].me for name, conn in conns.items()}
    published: list[Partials] = []
    after_confirm: list[Message] = []
    complaints: list[Complaint] = []

    def tap(direction: str, conn: int, data: bytes) -> bytes:
        msg = FrameDecoder().feed(data)[0]
        if isinstance(msg, Verify | Unmask):
            after_confirm.append(msg)
        if direction == "up" and conn == victim and isinstance(msg, Complaint):
            complaints.append(msg)
        if direction != "down" or conn != victim or not isinstance(msg, Partials):
            return data
        published.append(msg)
        i = msg.parties.index(party["a" if attack.startswith("own") else "b"])
        blobs = {name: slots(msg, name) for name in PARTIALS_BLOBS}
        # b's commitments: its query nonce's, then one per colleague (a, then c)
        commitments = [blobs["commitments"][i][k : k + 32] for k in range(0, 96, 32)]
        if attack in ("vector", "own"):
            blobs["vectors"][i] = bumped(blobs["vectors"][i])
        elif attack == "witness":
            blobs["witnesses"][i] = bumped(blobs["witnesses"][i])
        elif attack in ("proof", "own proof"):
            blobs["proofs"][i] = bumped(blobs["proofs"][i])
        elif attack in ("nonce commitment", "own commitments"):
            commitments[0] = bytes(32)
        elif attack == "piece commitment for the victim":
            commitments[1] = bytes(32)
        elif attack == "piece commitment for another":
            commitments[2] = bytes(32)
        else:  # b's slots get c's partial sum, witness and proof (and commitments)
            j = msg.parties.index(party["c"])
            swapped = PARTIALS_BLOBS if attack == "swap" else PARTIALS_BLOBS[:3]
            for name in swapped:
                blobs[name][i] = blobs[name][j]
        if attack != "swap":
            blobs["commitments"][i] = b"".join(commitments)
        return encode(with_slots(msg, **blobs))

    net.tap = tap
    for c in conns.values():
        net.party_do(c, net.parties[c].submit("5"))
    net.host_do(net.host.start())
    assert published, "the round reached the partial sums"
    assert not results(net, conns) and not after_confirm
    for c in conns.values():
        assert net.parties[c].outcome is None and not net.parties[c].closed
    what, about = ALTERED[attack]
    assert complaints == [
        Complaint(round_id=(1).to_bytes(16, "big"), about=party[about], what=what)
    ]
    reason = [e for e in net.events[victim] if isinstance(e, RoundAborted)][-1].reason
    assert ("own partial sum" in reason) == attack.startswith("own")
    assert not net.host.question_closed and net.host.can_start  # a re-run can follow


def test_a_hello_with_an_unusable_encryption_key_is_refused() -> None:
    """A low-order X25519 key would give every pairwise key a known value."""
    net = make_network()
    conn, outs = net.host.connect()
    welcome = FrameDecoder().feed(next(o.data for o in outs if isinstance(o, Send)))[0]
    assert isinstance(welcome, Welcome)
    who = crypto.Identity()
    bad_kem = bytes(32)  # the all-zero point: Diffie-Hellman with it yields zero
    signed = crypto.context("hello", welcome.session_id, b"Eve", who.public.sign_key, bad_kem)
    hello = Hello(
        name="Eve", sign_key=who.public.sign_key, kem_key=bad_kem, signature=who.sign(signed)
    )
    outs = net.host.receive_data(conn, encode(hello))
    assert [o.reason for o in outs if isinstance(o, Drop)] == [
        "Hello with an encryption key that cannot be used."
    ]
    assert not net.host.pending
