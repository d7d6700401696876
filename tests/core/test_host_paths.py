"""The host's less travelled paths (found by `make mutants`).

What the host person is told when an action is not possible now, how a member
who misbehaves in a round is dropped and why (the reason is what the engine
logs and the person sees), and what everyone is told when the host closes,
removes, rejects or hears a complaint. Reasons are compared word for word.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest

from huddle.core.codec import FrameDecoder, Message, encode
from huddle.core.errors import LocalProtocolError
from huddle.core.events import (
    Drop,
    Output,
    ProgressChanged,
    ResultReady,
    RosterChanged,
    RoundAborted,
    RoundStarted,
    Send,
    SessionEnded,
)
from huddle.core.field import P
from huddle.core.host import Phase
from huddle.core.messages import (
    Cancel,
    CancelWhy,
    Closed,
    Commit,
    Complaint,
    Confirm,
    Hello,
    Leave,
    Lobby,
    Partials,
    PartialSum,
    Ping,
    Pong,
    Progress,
    Rejected,
    Reveal,
    Seen,
    Start,
    Unmask,
    Verify,
)

from .harness import Network, bumped, make_network


def drops(outs: list[Output]) -> list[str]:
    return [o.reason for o in outs if isinstance(o, Drop)]


def frames(outs: list[Output], conn: int) -> list[Message]:
    return [
        m
        for o in outs
        if isinstance(o, Send) and o.conn == conn
        for m in FrameDecoder().feed(o.data)
    ]


def joined(net: Network, names: str = "ABC", values: bool = True) -> dict[str, int]:
    conns = {n: net.join(n) for n in names}
    if values:
        for conn in conns.values():
            net.party_do(conn, net.parties[conn].submit("5"))
    return conns


# --- what the host person is told -----------------------------------------------------------


def test_actions_that_are_not_possible_now_say_why() -> None:
    net = make_network()
    conns = joined(net, "AB", values=False)
    with pytest.raises(LocalProtocolError, match=r"^At least 3 people must be in the lobby"):
        net.host.start()
    with pytest.raises(LocalProtocolError, match=r"^That person is no longer waiting to join\.$"):
        net.host.admit(conns["A"])  # a member already
    with pytest.raises(LocalProtocolError, match=r"^That person is no longer waiting to join\.$"):
        net.host.admit(999)
    c = net.join("C")
    net.host._epoch.digest = b""  # the new roster's nonces are still being exchanged
    with pytest.raises(LocalProtocolError, match=r"^The security code is not ready yet\.$"):
        net.host.start()
    net.host_do(net.host._roster_update(""))
    net.party_do(c, net.parties[c].submit("5"))
    for conn in conns.values():
        net.party_do(conn, net.parties[conn].submit("5"))
    net.host.question_closed = True
    with pytest.raises(LocalProtocolError, match=r"^This question is closed: a round stopped"):
        net.host.start()
    net.host.question_closed = False
    starting = net.host.start()
    assert [o for o in starting if isinstance(o, RoundStarted)] == [
        RoundStarted(names=("A", "B", "C"), needs_value=False)
    ]
    with pytest.raises(LocalProtocolError, match=r"^People can only be removed between rounds\.$"):
        net.host.remove(1)


def test_start_says_exactly_why_it_cannot_start() -> None:
    net = make_network()
    joined(net, "ABC", values=False)
    net.host._epoch.digest = b""
    with pytest.raises(LocalProtocolError) as info:
        net.host.start()
    assert str(info.value) == "The security code is not ready yet."
    net.host.question_closed = True
    with pytest.raises(LocalProtocolError) as info:
        net.host.start()
    assert str(info.value) == (
        "This question is closed: a round stopped after people's apps had opened their "
        "answers, so another round could reveal a value."
    )
    small = make_network()
    joined(small, "AB", values=False)
    with pytest.raises(LocalProtocolError) as info:
        small.host.start()
    assert str(info.value) == "At least 3 people must be in the lobby to start."


def test_rejecting_removing_and_closing_tell_the_person_concerned() -> None:
    net = make_network()
    conns = joined(net, "ABC", values=False)
    waiting = net.join("D", admit=False)
    outs = net.host.reject(waiting, "Not today.")
    assert frames(outs, waiting) == [Rejected(reason="Not today.")]
    assert drops(outs) == ["rejected by host"] and net.host.reject(waiting) == []
    outs = net.host.remove(net.parties[conns["C"]].me)
    assert drops(outs) == ["removed by the host"]
    (changed,) = [o for o in outs if isinstance(o, RosterChanged)]
    assert changed.names == ("A", "B") and changed.note == "C was removed"
    assert net.host.remove(99) == []
    net.host_do(outs)
    outs = net.host.close("Time to go.")
    for name in "AB":
        assert frames(outs, conns[name]) == [Closed(reason="Time to go.")]
    assert drops(outs) == ["session closed", "session closed"]
    assert [o for o in outs if isinstance(o, SessionEnded)] == [SessionEnded("Time to go.")]
    assert net.host.phase is Phase.CLOSED and net.host.close() == []
    assert net.host.connection_lost(conns["A"]) == []


def test_a_lost_member_between_rounds_changes_the_roster_without_a_drop() -> None:
    net = make_network()
    conns = joined(net, "ABC", values=False)
    outs = net.host.connection_lost(conns["C"], "gone")
    assert drops(outs) == []  # the connection is already gone
    (changed,) = [o for o in outs if isinstance(o, RosterChanged)]
    assert changed.names == ("A", "B") and changed.note == "C left"
    assert [m.name for m in net.host.roster] == ["A", "B"]
    assert len([o for o in outs if isinstance(o, Send)]) == 2  # the new Lobby, to A and B


def test_a_member_silent_in_the_code_exchange_is_dropped_and_the_others_go_on() -> None:
    net = make_network()
    conns = joined(net, "ABC", values=False)
    held: list[int] = []

    def hold_c(direction: str, conn: int, data: bytes) -> bytes | None:
        if direction == "up" and conn == conns["C"]:
            held.append(conn)
            return None
        return data

    net.tap = hold_c
    net.host_do(net.host._roster_update("again"))
    epoch = net.host._epoch.number
    assert net.host.silent_in_code_exchange() == (net.parties[conns["C"]].me,)
    outs = net.host.drop_silent(epoch)
    assert drops(outs) == ["did not take part in the security code"]
    (changed,) = [o for o in outs if isinstance(o, RosterChanged)]
    assert changed.names == ("A", "B") and changed.note == "C left"
    assert net.host.drop_silent(epoch) == []  # that roster is gone


# --- a member that misbehaves in a round is dropped, and says why -------------------------


Sent = dict[str, dict[type, Any]]
"""The last message of each type each member sent the host (held ones too)."""


def _held(net: Network, kind: type = PartialSum, names: str = "ABC") -> tuple[dict[str, int], Sent]:
    """A round waiting on A's message of ``kind``, which is held back; what everyone sent."""
    conns = joined(net, names)
    by_conn = {conn: name for name, conn in conns.items()}
    sent: Sent = {name: {} for name in conns}

    def hold(direction: str, conn: int, data: bytes) -> bytes | None:
        msg = FrameDecoder().feed(data)[0]
        if direction == "up":
            sent[by_conn[conn]][type(msg)] = msg
        if direction == "up" and conn == conns["A"] and isinstance(msg, kind):
            return None
        return data

    net.tap = hold
    net.host_do(net.host.start())
    net.tap = None
    return conns, sent


def _running(net: Network) -> tuple[dict[str, int], Sent]:
    return _held(net, PartialSum)


RID = (1).to_bytes(16, "big")
OUTSIDE = P.to_bytes(8, "little")
"""Eight bytes that are no field element."""
CHECKS = Verify(round_id=RID, messages=bytes(8), signature=bytes(64))
"""Checks of no one in particular (only when they come matters)."""


def some_partial(round_id: bytes = RID) -> PartialSum:
    """A partial sum of the right shape for nothing in particular (only its round matters)."""
    return PartialSum(round_id=round_id, vector=bytes(8), witness=b"", proof=b"", commitments=b"")


def forged(what: str, sent: Sent) -> Message:
    """What the misbehaving member of `BREAKS` sends, made from what everyone sent."""
    a, b = sent["A"], sent["B"]
    partial = b[PartialSum]
    forgeries: dict[str, Callable[[], Message]] = {
        "short partial sum": lambda: replace(partial, vector=bytes(4)),
        "short witness": lambda: replace(partial, witness=partial.witness[8:]),
        "long proof": lambda: replace(partial, proof=partial.proof + bytes(8)),
        "a commitment short": lambda: replace(partial, commitments=partial.commitments[32:]),
        "a number outside the field": lambda: replace(partial, vector=OUTSIDE),
        "a proof outside the field": lambda: replace(partial, proof=OUTSIDE + partial.proof[8:]),
        "a witness outside the field": lambda: replace(
            partial, witness=partial.witness[:-8] + OUTSIDE
        ),
        "short confirmation": lambda: replace(b[Confirm], tags=bytes(16)),
        "a nonce that does not match its commitment": lambda: b[Confirm],  # B's, under A's
        "short checks": lambda: replace(a[Verify], messages=a[Verify].messages[8:]),
        "checks altered after signing": lambda: replace(
            a[Verify], messages=bumped(a[Verify].messages)
        ),
        "checks signed by another": lambda: b[Verify],
        "short pieces": lambda: replace(a[Unmask], pieces=a[Unmask].pieces[32:]),
        "wrong pieces": lambda: Unmask(round_id=RID, pieces=bytes(64)),
        "pieces in the wrong order": lambda: replace(
            a[Unmask], pieces=a[Unmask].pieces[32:] + a[Unmask].pieces[:32]
        ),
        "another's pieces": lambda: b[Unmask],
        "another round": lambda: some_partial(bytes(16)),
        "checks while summing": lambda: CHECKS,
        "checks while confirming": lambda: CHECKS,
        "pieces while checking": lambda: Unmask(round_id=RID, pieces=bytes(64)),
        "a confirmation while checking": lambda: b[Confirm],
        "checks while opening": lambda: b[Verify],
    }
    forge = forgeries.get(what)
    if forge is None:  # B repeating its own message
        return sent["B"][BREAKS[what][0]]  # type: ignore[no-any-return]
    return forge()


BREAKS: dict[str, tuple[type, str, str]] = {
    # what: the message of A's held back (the round waits on it), who misbehaves, why dropped
    "partial sum twice": (PartialSum, "B", "Partial sum sent twice."),
    "short partial sum": (PartialSum, "A", "Partial sum is malformed."),
    "short witness": (PartialSum, "A", "Partial sum is malformed."),
    "long proof": (PartialSum, "A", "Partial sum is malformed."),
    "a commitment short": (PartialSum, "A", "Partial sum is malformed."),
    "a number outside the field": (PartialSum, "A", "Partial sum holds numbers outside the field."),
    "a proof outside the field": (PartialSum, "A", "Partial sum holds numbers outside the field."),
    "a witness outside the field": (
        PartialSum,
        "A",
        "Partial sum holds numbers outside the field.",
    ),
    "confirmation twice": (Confirm, "B", "Confirmation sent twice."),
    "short confirmation": (Confirm, "A", "Confirmation is malformed."),
    "a nonce that does not match its commitment": (
        Confirm,
        "A",
        "A round's nonce does not match its commitment.",
    ),
    "checks twice": (Verify, "B", "Checks sent twice."),
    "short checks": (Verify, "A", "Checks are malformed."),
    "checks altered after signing": (Verify, "A", "A signature did not check out."),
    "checks signed by another": (Verify, "A", "A signature did not check out."),
    "pieces twice": (Unmask, "B", "Self-mask opened twice."),
    "short pieces": (Unmask, "A", "Opened self-mask is malformed."),
    "wrong pieces": (Unmask, "A", "An opened self-mask does not match its commitment."),
    "pieces in the wrong order": (
        Unmask,
        "A",
        "An opened self-mask does not match its commitment.",
    ),
    "another's pieces": (Unmask, "A", "An opened self-mask does not match its commitment."),
    "another round": (PartialSum, "B", "PartialSum that belongs to no running round."),
    "checks while summing": (PartialSum, "B", "Verify that belongs to no running round."),
    "checks while confirming": (Confirm, "A", "Verify that belongs to no running round."),
    "pieces while checking": (Verify, "B", "Unmask that belongs to no running round."),
    "a confirmation while checking": (Verify, "B", "Confirm that belongs to no running round."),
    "checks while opening": (Unmask, "B", "Verify that belongs to no running round."),
}


@pytest.mark.parametrize("what", BREAKS)
def test_a_member_that_breaks_the_round_is_dropped_with_the_reason(what: str) -> None:
    net = make_network()
    kind, who, reason = BREAKS[what]
    conns, sent = _held(net, kind)
    assert kind in sent["A"], "A's own message was made, only held back"
    outs = net.host.receive_data(conns[who], encode(forged(what, sent)))
    assert drops(outs) == [reason]
    assert who not in [m.name for m in net.host.roster]
    (stop,) = [o for o in outs if isinstance(o, RoundAborted)]
    assert stop.missing == (who,)
    # Until the checks are all in, no member can have opened a piece: a re-run can follow.
    assert stop.closed is (kind is Unmask) and net.host.question_closed is (kind is Unmask)


def test_a_round_message_from_someone_outside_the_round_drops_them() -> None:
    net = make_network()
    joined(net)
    late = net.join("Z", admit=False)
    net.host.start()
    z = net.host._conns[late]
    z.stage = next(c.stage for c in net.host._conns.values() if c is not z)  # a member now
    outs = net.host.receive_data(late, encode(some_partial()))
    assert drops(outs) == ["PartialSum from someone not in the round."]


def test_the_last_message_of_each_step_moves_the_round_on() -> None:
    """The host cannot tell whose a well-formed partial sum is (the members can: their
    tags and piece checks); it only needs one from each member to move on."""
    net = make_network()
    conns, sent = _running(net)
    before = net.host.phase
    outs = net.host.receive_data(conns["A"], encode(sent["B"][PartialSum]))
    assert (before, net.host.phase) == (Phase.SUMMING, Phase.CONFIRMING) and not drops(outs)
    steps = [(Confirm, Phase.CONFIRMING, Phase.VERIFYING), (Verify, Phase.VERIFYING,
             Phase.UNMASKING), (Unmask, Phase.UNMASKING, Phase.DONE)]  # fmt: skip
    for kind, before, after in steps:
        net = make_network()
        conns, sent = _held(net, kind)
        assert net.host.phase is before
        outs = net.host.receive_data(conns["A"], encode(sent["A"][kind]))
        assert net.host.phase is after and not drops(outs)


@pytest.mark.parametrize("how", ["host cancels", "a member cancels", "a member leaves"])
def test_a_stop_while_checking_is_a_rerunnable_abort_not_a_close(how: str) -> None:
    """Until every member's checks are in, nobody has them all, so nobody opened a piece:
    a stop in VERIFYING keeps the question open and a re-run follows."""
    net = make_network()
    conns, _ = _held(net, Verify, "ABCD")
    before = net.host.phase
    assert before is Phase.VERIFYING
    if how == "host cancels":
        outs = net.host.cancel()
    elif how == "a member cancels":
        outs = net.host.receive_data(conns["D"], encode(Cancel(round_id=RID, why=0)))
    else:
        outs = net.host.connection_lost(conns["D"])
    (stop,) = [o for o in outs if isinstance(o, RoundAborted)]
    assert stop.closed is False and "closed" not in stop.reason
    assert net.host.phase is Phase.ABORTED and not net.host.question_closed
    net.host_do(outs)
    assert net.host.can_start
    for conn in conns.values():
        assert not net.parties[conn].closed
    net.host_do(net.host.start())
    for name, conn in conns.items():
        if how != "a member leaves" or name != "D":
            net.party_do(conn, net.parties[conn].take_part())
    assert net.host.outcome is not None


@pytest.mark.parametrize(
    ("what", "pieces_in", "closes"),
    [
        (Seen.INVALID_CONTRIBUTION, 0, False),
        (Seen.BAD_CHECK, 0, False),
        (Seen.UNSIGNED_CHECK, 0, False),
        (Seen.INVALID_CONTRIBUTION, 1, True),
        (Seen.BAD_SEED, 2, True),
    ],
)
def test_a_complaint_about_the_checks_closes_the_question_only_once_a_piece_is_in(
    what: Seen, pieces_in: int, closes: bool
) -> None:
    """Every member decides from the same signed checks: a complaint about them that
    comes before any piece means nobody opened (a re-run can follow); once a piece is
    in, someone did, and the question closes."""
    net = make_network()
    conns = joined(net)
    by_conn = {conn: name for name, conn in conns.items()}
    held: dict[str, bytes] = {}

    def hold_pieces(direction: str, conn: int, data: bytes) -> bytes | None:
        if direction == "up" and isinstance(FrameDecoder().feed(data)[0], Unmask):
            held[by_conn[conn]] = data
            return None
        return data

    net.tap = hold_pieces
    net.host_do(net.host.start())
    net.tap = None
    assert net.host.phase is Phase.UNMASKING and set(held) == set("ABC")
    for name in "AB"[:pieces_in]:
        assert not drops(net.host.receive_data(conns[name], held[name]))
    about = net.parties[conns["B"]].me
    outs = net.host.receive_data(
        conns["C"], encode(Complaint(round_id=RID, about=about, what=what))
    )
    (stop,) = [o for o in outs if isinstance(o, RoundAborted)]
    assert stop.closed is closes and net.host.question_closed is closes
    assert stop.can_rerun is not closes and not drops(outs)


def test_someone_waiting_to_be_admitted_is_sent_no_roster() -> None:
    """A roster goes to members only: someone still waiting for the host person's word
    is not on it, and their app would end its session over a roster without them."""
    net = make_network()
    conns = joined(net)
    waiting = net.join("D", admit=False)
    outs = net.host.remove(net.parties[conns["C"]].me)  # the roster changes meanwhile
    assert waiting not in {o.conn for o in outs if isinstance(o, Send)}
    net.host_do(outs)
    net.host_do(net.host.admit(waiting))
    assert [m.name for m in net.host.roster] == ["A", "B", "D"]
    assert not net.parties[waiting].ended and net.parties[waiting].code == net.host.code


def test_progress_goes_out_only_while_summing_and_only_when_it_changed() -> None:
    net = make_network()
    conns = joined(net, values=False)
    assert net.host.progress() == []  # no round
    net.host_do(net.host.start())
    assert net.host.progress() == []  # nobody has sent anything yet
    net.party_do(conns["B"], net.parties[conns["B"]].submit("5"))
    outs = net.host.progress()
    b = net.parties[conns["B"]].me
    assert {c: frames(outs, c) for c in conns.values()} == {
        c: [Progress(round_id=(1).to_bytes(16, "big"), summed=(b,))] for c in conns.values()
    }
    assert net.host.progress() == []  # nothing new
    shown = [e for e in net.host_events if isinstance(e, ProgressChanged)]
    assert shown[-1] == ProgressChanged(("B",), ("A", "C"))
    for name in "AC":
        net.party_do(conns[name], net.parties[conns[name]].submit("5"))
    assert net.host.phase is Phase.DONE and net.host.progress() == []


# --- stops: cancels and complaints ------------------------------------------------------------


@pytest.mark.parametrize(
    ("why", "text"),
    [
        (CancelWhy.PERSON, "B cancelled the round."),
        (CancelWhy.TOO_FEW, "B's app declined: the round had fewer people than the minimum."),
        (99, "B cancelled the round."),  # a reason this version does not know
    ],
)
def test_a_cancel_stops_the_round_naming_who(why: int, text: str) -> None:
    net = make_network()
    conns, _ = _running(net)
    b = net.parties[conns["B"]].me
    outs = net.host.receive_data(
        conns["B"], encode(Cancel(round_id=(1).to_bytes(16, "big"), why=why))
    )
    (stop,) = [o for o in outs if isinstance(o, RoundAborted)]
    assert stop.reason == text and stop.missing == ("B",) and stop.closed is False
    assert net.host.phase is Phase.ABORTED and b in {m.party for m in net.host.roster}


@pytest.mark.parametrize(
    ("what", "about", "text"),
    [
        (Seen.WRONG_PARTIALS, "", "B's app was shown the wrong set of partial sums"),
        (
            Seen.DIFFERENT_TRANSCRIPT,
            "C",
            "B's app found that the host showed people different results (about C)",
        ),
        (Seen.OWN_PARTIAL_ALTERED, "B", "B's app found its own partial sum altered on the way"),
        (
            Seen.BAD_SEED,
            "C",
            "B's app was sent a self-mask that does not match its commitment (about C)",
        ),
        (
            Seen.INVALID_CONTRIBUTION,
            "C",
            "B's app found that C's answer did not pass the check, so nothing was summed",
        ),
        (
            Seen.INVALID_CONTRIBUTION,
            "nobody known",
            "B's app found that someone's answer did not pass the check, so nothing was summed",
        ),
        (Seen.BAD_PIECE, "C", "B's app found that what was relayed for C does not add up"),
        (Seen.BAD_NONCE, "C", "B's app was sent a nonce of C that does not match its commitment"),
        (
            Seen.BAD_CHECK,
            "C",
            "B's app found that C's app checked B's answer falsely, so nothing was summed",
        ),
        (Seen.UNSIGNED_CHECK, "C", "B's app was sent checks of C that C did not sign"),
        (99, "", "B's app found something wrong"),
    ],
)
def test_a_complaint_stops_the_round_says_what_was_seen_and_expels_nobody(
    what: int, about: str, text: str
) -> None:
    net = make_network()
    conns, _ = _running(net)
    party = {"": 0, "nobody known": 99, **{n: net.parties[c].me for n, c in conns.items()}}[about]
    complaint = Complaint(round_id=(1).to_bytes(16, "big"), about=party, what=what)
    outs = net.host.receive_data(conns["B"], encode(complaint))
    (stop,) = [o for o in outs if isinstance(o, RoundAborted)]
    assert stop.reason == f"The round was stopped: {text}."
    assert stop.missing == () and not drops(outs)
    assert [m.name for m in net.host.roster] == ["A", "B", "C"]
    # Offered for removal: only whom a failed check points at, and only a member.
    checked = what in (Seen.INVALID_CONTRIBUTION, Seen.BAD_CHECK) and about in conns
    assert stop.suspects == ((about,) if checked else ())


def test_a_member_lost_while_seeds_open_closes_the_question_for_everyone() -> None:
    net = make_network()
    conns = joined(net)

    def keep_a_seed(direction: str, conn: int, data: bytes) -> bytes | None:
        msg = FrameDecoder().feed(data)[0]
        return (
            None if direction == "up" and conn == conns["A"] and isinstance(msg, Unmask) else data
        )

    net.tap = keep_a_seed
    net.host_do(net.host.start())
    assert net.host.phase is Phase.UNMASKING
    outs = net.host.connection_lost(conns["A"])
    (stop,) = [o for o in outs if isinstance(o, RoundAborted)]
    assert stop.reason == (
        "A left during the round. People's apps had already begun to open their answers, "
        "so this question is closed."
    )
    assert stop.missing == ("A",) and stop.closed is True and stop.can_rerun is False
    assert net.host.question_closed and not net.host.can_start


def test_the_result_event_carries_the_outcome_and_its_code() -> None:
    net = make_network()
    joined(net)
    net.host_do(net.host.start())
    (result,) = [e for e in net.host_events if isinstance(e, ResultReady)]
    assert result.outcome == net.host.outcome and result.code == net.host.result_code
    assert result.outcome is not None and result.outcome.total == (15,)
    assert [e for e in net.host_events if isinstance(e, Partials)] == []


# --- leaving, stragglers, strangers ---------------------------------------------------------


def test_a_member_leaving_is_dropped_and_the_roster_or_round_says_so() -> None:
    net = make_network()
    conns = joined(net, "ABCD", values=False)
    outs = net.host.receive_data(conns["D"], encode(Leave()))
    assert drops(outs) == ["left"]
    assert [o.note for o in outs if isinstance(o, RosterChanged)] == ["D left"]
    net.host_do(outs)
    net.host_do(net.host.start())
    outs = net.host.receive_data(conns["C"], encode(Leave()))
    assert drops(outs) == ["left"]
    (stop,) = [o for o in outs if isinstance(o, RoundAborted)]
    assert stop.reason == "C left during the round." and stop.missing == ("C",)


def test_someone_waiting_to_be_admitted_leaves_no_trace_in_the_roster() -> None:
    net = make_network()
    joined(net, "ABC", values=False)
    waiting = net.join("D", admit=False)
    outs = net.host.connection_lost(waiting)
    assert outs == [] and [m.name for m in net.host.roster] == ["A", "B", "C"]


def test_a_member_repeating_its_hello_is_dropped() -> None:
    net = make_network()
    conns = joined(net, "ABC", values=False)
    hello = Hello(name="A", sign_key=bytes(32), kem_key=bytes(32), signature=bytes(64))
    outs = net.host.receive_data(conns["A"], encode(hello))
    assert drops(outs) == ["Hello that belongs to no running round."]


def test_stragglers_of_a_stopped_round_are_ignored_and_others_are_not() -> None:
    net = make_network()
    conns, _ = _held(net, PartialSum)
    net.host_do(net.host.cancel())
    assert net.host.phase is Phase.ABORTED
    late = some_partial()
    assert net.host.receive_data(conns["A"], encode(late)) == []  # the round it was for stopped
    other = replace(late, round_id=(7).to_bytes(16, "big"))
    assert drops(net.host.receive_data(conns["A"], encode(other))) == [
        "PartialSum that belongs to no running round."
    ]


def test_the_hosts_own_actions_have_default_words() -> None:
    net = make_network()
    conns = joined(net, "ABC")
    waiting = net.join("D", admit=False)
    assert frames(net.host.reject(waiting), waiting) == [
        Rejected(reason="The host did not admit you.")
    ]
    host = make_network()
    joined(host, "ABC", values=False)
    host.host_do(host.host.start())
    outs = host.host.cancel()
    (stop,) = [o for o in outs if isinstance(o, RoundAborted)]
    assert stop.reason == "The host cancelled the round." and stop.missing == ()
    (after,) = [o for o in outs if isinstance(o, RosterChanged)]
    assert after.note == "" and after.names == ("A", "B", "C")
    outs = net.host.close()
    assert frames(outs, conns["A"]) == [Closed(reason="The host closed the session.")]


def test_everyone_silent_in_the_code_exchange_is_dropped_at_once() -> None:
    net = make_network()
    conns = joined(net, "ABCD", values=False)

    def hold_c_and_d(direction: str, conn: int, data: bytes) -> bytes | None:
        return None if direction == "up" and conn in (conns["C"], conns["D"]) else data

    net.tap = hold_c_and_d
    net.host_do(net.host._roster_update("again"))
    outs = net.host.drop_silent(net.host._epoch.number)
    assert drops(outs) == ["did not take part in the security code"] * 2
    assert [m.name for m in net.host.roster] == ["A", "B"]


# --- the code's epochs ------------------------------------------------------------------------


def test_a_fresh_host_has_no_round_code_or_result() -> None:
    net = make_network()
    host = net.host
    assert host.result_code == "" and host.code == "" and host.outcome is None
    assert host.silent_in_code_exchange() == () and host.progress() == []
    conns = joined(net, "AB", values=False)
    early = some_partial()
    assert drops(host.receive_data(conns["A"], encode(early))) == [
        "PartialSum that belongs to no running round."
    ]


def test_rosters_are_numbered_one_two_three_and_each_new_code_is_flagged() -> None:
    net = make_network()
    epochs: list[int] = []

    def record(direction: str, conn: int, data: bytes) -> bytes | None:
        msg = FrameDecoder().feed(data)[0]
        if isinstance(msg, Lobby):
            epochs.append(msg.epoch)
        return data

    net.tap = record
    joined(net, "ABC", values=False)
    assert sorted(set(epochs)) == [1, 2, 3]
    shown = [e for e in net.host_events if isinstance(e, RosterChanged)]
    assert [e.code for e in shown if not e.code] == ["", "", ""]  # each roster, code to come
    assert [e.changed for e in shown if e.code] == [False, True, True]
    assert [e.note for e in shown if e.code] == ["A joined", "B joined", "C joined"]


def test_admitting_during_a_round_is_refused() -> None:
    net = make_network()
    joined(net, "ABC", values=False)
    waiting = net.join("D", admit=False)
    net.host_do(net.host.start())
    with pytest.raises(LocalProtocolError) as info:
        net.host.admit(waiting)
    assert str(info.value) == "People can only be admitted before the round starts."


@pytest.mark.parametrize(
    ("what", "reason"),
    [
        ("commit twice", "Commit sent twice."),
        ("reveal too early", "Reveal out of turn."),
        ("reveal twice", "Reveal out of turn."),
        ("wrong nonce", "A security-code nonce does not match its commitment."),
        ("future epoch", "Commit for a roster that was never shown."),
    ],
)
def test_a_member_that_breaks_the_code_exchange_is_dropped_with_the_reason(
    what: str, reason: str
) -> None:
    net = make_network()
    conns = joined(net, "ABC", values=False)
    a, c = conns["A"], conns["C"]
    sent_up: dict[int, list[Message]] = {}

    holding = [c]

    def hold_c(direction: str, conn: int, data: bytes) -> bytes | None:
        if direction == "up":
            sent_up.setdefault(conn, []).append(FrameDecoder().feed(data)[0])
            if conn in holding:
                return None
        return data

    net.tap = hold_c
    net.host_do(net.host._roster_update("again"))  # epoch 4; C's Commit is held back
    epoch = net.host._epoch.number
    commit = next(m for m in sent_up[a] if isinstance(m, Commit) and m.epoch == epoch)
    message: Message = {
        "commit twice": commit,
        "reveal too early": Reveal(epoch=epoch, nonce=bytes(32)),
        "future epoch": replace(commit, epoch=epoch + 1),
    }.get(what, commit)
    if what in ("reveal twice", "wrong nonce"):
        held = next(m for m in sent_up[c] if isinstance(m, Commit) and m.epoch == epoch)
        holding[:] = [] if what == "reveal twice" else [a]  # A's own Reveal is held back
        net.host_do(net.host.receive_data(c, encode(held)))  # the commitments go out
        reveal = next(m for m in sent_up[a] if isinstance(m, Reveal) and m.epoch == epoch)
        message = reveal if what == "reveal twice" else replace(reveal, nonce=bytes(32))
    outs = net.host.receive_data(a, encode(message))
    assert drops(outs) == [reason]


def test_pings_are_answered_and_a_stranger_must_say_hello_first() -> None:
    net = make_network()
    conns = joined(net, "AB", values=False)
    outs = net.host.receive_data(conns["A"], encode(Ping()) + encode(Ping()))
    assert frames(outs, conns["A"]) == [Pong(), Pong()]  # both frames of one chunk answered
    outs = net.host.receive_data(conns["B"], encode(Ping()) + encode(Start(round_id=RID,
                                 roster_digest=bytes(32))))  # fmt: skip
    assert frames(outs, conns["B"]) == [Pong()] and drops(outs) == [
        "Start that belongs to no running round."
    ]
    stranger, _ = net.host.connect()
    assert drops(net.host.receive_data(stranger, encode(Ping()) + encode(Leave()))) == [
        "Expected Hello first."
    ]


def test_the_host_admits_no_more_people_than_every_frame_of_a_round_can_carry() -> None:
    """A noisy 1000-bar histogram's Verifies grows as n(n − 1): past `proofs.max_group`
    an honest round's frames would exceed the codec's limit, so the host turns the next
    person away with a reason instead of admitting a round that cannot run."""
    from huddle.core import crypto, proofs
    from huddle.core.codec import encode
    from huddle.core.messages import Hello, Rejected, hello_context
    from huddle.core.questions import Question

    bars = tuple(str(k) for k in range(1001))
    question = Question(kind="histogram", title="t", hi="1000", bins=bars, epsilon="1")
    largest = proofs.max_group(question)
    assert largest < 100
    host = make_network(question).host

    def hello(name: str) -> tuple[int, list[object]]:
        who = crypto.Identity()
        pub = who.public
        signed = hello_context(host.session_id, name, pub.sign_key, pub.kem_key)
        frame = Hello(name=name, sign_key=pub.sign_key, kem_key=pub.kem_key,
                      signature=who.sign(signed))  # fmt: skip
        conn, _ = host.connect()
        return conn, list(host.receive_data(conn, encode(frame)))

    for k in range(largest - 1):
        conn, _ = hello(f"p{k}")
        host.admit(conn)
    # Two say Hello while there is room for one: the host person can admit only one.
    last, extra = hello("last")[0], hello("extra")[0]
    host.admit(last)
    with pytest.raises(LocalProtocolError) as refused:
        host.admit(extra)
    assert str(refused.value) == (
        f"A round of this question can hold at most {largest} people: the session is full."
    )
    assert len(host.roster) == largest
    _, outs = hello("late")
    (rejected,) = [m for o in outs if isinstance(o, Send) for m in FrameDecoder().feed(o.data)]
    assert isinstance(rejected, Rejected)
    assert f"at most {largest} people" in rejected.reason
    assert len(host.roster) == largest
