"""The participant's less travelled paths, as a person sees them (found by `make mutants`).

Leaving, cancelling, progress, a lost connection, a declined round, and what
each kind of stop tells the person. The reasons are compared word for word:
they are what people act on ("this question is now closed for you"), and a
stop must go to the host, name who it was about, and say whether a re-run can
follow.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from dataclasses import replace

import numpy as np
import pytest

from huddle.core import crypto
from huddle.core.codec import FrameDecoder, Message, encode
from huddle.core.errors import LocalProtocolError
from huddle.core.events import (
    Drop,
    Output,
    PrivacySpent,
    ProgressChanged,
    ResultReady,
    RoundAborted,
    RoundStarted,
    Send,
    SessionEnded,
    ShareTranscript,
)
from huddle.core.field import P
from huddle.core.messages import (
    Aborted,
    Cancel,
    CancelWhy,
    Commit,
    Complaint,
    Confirm,
    Confirms,
    Leave,
    Lobby,
    Partials,
    PartialSum,
    Progress,
    Reveal,
    Seen,
    Start,
    Unmask,
    Unmasks,
    Verifies,
)
from huddle.core.noise import noise_share
from huddle.core.participant import HOST, ParticipantSession, Phase
from huddle.core.questions import DP_AVERAGE, POLL, Question
from huddle.core.sharing import fixed_masks

from .harness import (
    FINGERPRINT,
    PARTIALS_BLOBS,
    Network,
    bumped,
    make_network,
    slots,
    with_slots,
)

NOTHING = "Nothing your app sent can be added up, so nobody's value was revealed."
CLOSED_FOR_YOU = "Nobody's value was revealed, and this question is now closed for you."


def sent(outs: list[Output]) -> list[Message]:
    return [m for o in outs if isinstance(o, Send) for m in FrameDecoder().feed(o.data)]


def three(net: Network, *, values: bool = True) -> dict[str, int]:
    conns = {n: net.join(n) for n in ("Ann", "Ben", "Cat")}
    if values:
        for conn in conns.values():
            net.party_do(conn, net.parties[conn].submit("5"))
    return conns


def aborted(net: Network, conn: int) -> RoundAborted:
    events = [e for e in net.events[conn] if isinstance(e, RoundAborted)]
    assert events
    return events[-1]


# --- leaving, cancelling, progress, a lost connection -------------------------------------


def test_leaving_tells_the_host_and_ends_the_session_once() -> None:
    net = make_network()
    conns = three(net, values=False)
    ann = net.parties[conns["Ann"]]
    outs = ann.leave()
    assert [type(m) for m in sent(outs)] == [Leave]
    assert [o.conn for o in outs if isinstance(o, Send | Drop)] == [HOST, HOST]
    assert [o.reason for o in outs if isinstance(o, Drop)] == ["left"]
    assert [o.reason for o in outs if isinstance(o, SessionEnded)] == ["You left."]
    assert ann.ended and ann.leave() == []
    net.party_do(conns["Ann"], outs)
    assert [m.name for m in net.host.roster] == ["Ben", "Cat"]


def test_a_person_cancels_a_running_round_for_everyone_and_only_then() -> None:
    net = make_network()
    conns = three(net, values=False)
    ann = net.parties[conns["Ann"]]
    assert ann.cancel() == []  # no round yet
    net.host_do(net.host.start())
    assert ann.phase is Phase.AWAITING_VALUE
    outs = ann.cancel()
    (cancel,) = sent(outs)
    assert isinstance(cancel, Cancel) and cancel.why == CancelWhy.PERSON
    assert cancel.round_id == (1).to_bytes(16, "big")
    assert [o.conn for o in outs if isinstance(o, Send)] == [HOST]
    net.party_do(conns["Ann"], outs)
    for conn in conns.values():
        assert aborted(net, conn).reason == "Ann cancelled the round."
        assert net.parties[conn].phase is Phase.ABORTED


def test_progress_names_who_has_sent_and_who_is_awaited() -> None:
    net = make_network()
    conns = three(net, values=False)
    net.host_do(net.host.start())
    net.party_do(conns["Ben"], net.parties[conns["Ben"]].submit("7"))
    net.host_do(net.host.progress())
    ann = net.parties[conns["Ann"]]
    (progress,) = [e for e in net.events[conns["Ann"]] if isinstance(e, ProgressChanged)]
    assert progress == ProgressChanged(("Ben",), ("Ann", "Cat"))
    ben = ann.me + 1
    outs = ann.receive_data(encode(Progress(round_id=ann._round_id, summed=(ben, 99))))
    assert outs == [ProgressChanged(("Ben", "participant 99"), ("Ann", "Cat"))]


def test_a_lost_connection_is_explained_except_after_the_result() -> None:
    net = make_network()
    conns = three(net, values=False)
    ann = net.parties[conns["Ann"]]
    assert ann.connection_lost() == [
        SessionEnded("The connection to the host was lost: the host left or the network dropped.")
    ]
    assert ann.ended and ann.connection_lost() == []
    done = make_network()
    conns = three(done)
    done.host_do(done.host.start())
    ben = done.parties[conns["Ben"]]
    assert ben.phase is Phase.DONE and ben.connection_lost() == [] and ben.ended


def test_a_rerun_started_before_the_roster_is_shown_again_still_takes_the_persons_word() -> None:
    """After a stop an honest host shows the roster again (a new code) before a re-run;
    a host that starts one at once, with a fresh round id and the code on the screen,
    gets the same treatment: nothing goes out until the person takes part, and then
    a partial sum made for that round."""
    net = make_network()
    conns = three(net)
    ann = net.parties[conns["Ann"]]
    net.tap = lambda way, conn, data: None if way == "up" and conn == conns["Cat"] else data
    net.host_do(net.host.start())  # Cat's partial sum never arrives

    def no_lobby_for_ann(way: str, conn: int, data: bytes) -> bytes | None:
        shown = way == "down" and conn == conns["Ann"]
        return None if shown and isinstance(FrameDecoder().feed(data)[0], Lobby) else data

    net.tap = no_lobby_for_ann
    net.party_do(conns["Ann"], ann.cancel())
    assert ann.phase is Phase.ABORTED
    start = Start(round_id=(2).to_bytes(16, "big"), roster_digest=ann._code_digest)
    outs = ann.receive_data(encode(start))
    assert outs == [RoundStarted(("Ann", "Ben", "Cat"), needs_value=False, rerun=True)]
    assert [type(m) for m in sent(ann.take_part())] == [PartialSum]


def test_take_part_needs_a_running_round_and_an_answer() -> None:
    net = make_network()
    conns = three(net, values=False)
    ann = net.parties[conns["Ann"]]
    ann.submit("5")
    with pytest.raises(LocalProtocolError, match=r"^There is no round waiting for you to take"):
        ann.take_part()  # an answer, but no round
    net.host_do(net.host.start())
    ben = net.parties[conns["Ben"]]
    with pytest.raises(LocalProtocolError, match=r"^There is no round waiting for you to take"):
        ben.take_part()  # a round, but no answer


# --- a round the participant declines or stops --------------------------------------------


def test_a_declined_round_goes_to_the_host_and_says_no_rerun_follows_by_itself() -> None:
    """A host starting a round with another group than the code on screen: each app
    sends its Cancel to the host, stays out of the round, and can take part later."""
    net = make_network()
    conns = three(net)
    ann = net.parties[conns["Ann"]]
    ann._code_digest = os.urandom(32)  # as if the host had shown Ann another group
    net.host_do(net.host.start())
    event = aborted(net, conns["Ann"])
    assert event.missing == () and event.can_rerun is False and event.closed is False
    assert event.reason.startswith("The round started with a different group or code")
    assert ann.phase is Phase.ABORTED and not ann.closed
    host_stop = [e for e in net.host_events if isinstance(e, RoundAborted)][-1]
    assert host_stop.reason == (
        "Ann's app declined: the round did not match the group and code on its screen."
    )


def test_an_app_that_opened_its_mask_declines_every_later_round_as_closed() -> None:
    net = make_network()
    conns = three(net)

    def keep_unmasks(direction: str, conn: int, data: bytes) -> bytes | None:
        return None if isinstance(FrameDecoder().feed(data)[0], Unmasks) else data

    net.tap = keep_unmasks
    net.host_do(net.host.start())
    ann = net.parties[conns["Ann"]]
    assert ann.phase is Phase.OPENED
    net.host_do(net.host.cancel())  # the host cannot: it is past the point of no return
    net.tap = None
    ann.phase = Phase.LOBBY  # a host that ignored its rules and the question's closing
    outs = ann.receive_data(
        encode(Start(round_id=(2).to_bytes(16, "big"), roster_digest=ann._code_digest))
    )
    (cancel,) = sent(outs)
    assert isinstance(cancel, Cancel) and cancel.why == CancelWhy.CLOSED
    (event,) = [o for o in outs if isinstance(o, RoundAborted)]
    assert event.closed is True and event.can_rerun is False and event.missing == ()
    assert ann.phase is Phase.CLOSED


def test_a_stop_after_the_mask_opened_says_the_question_is_closed() -> None:
    net = make_network()
    conns = three(net)

    def keep_unmasks(direction: str, conn: int, data: bytes) -> bytes | None:
        return None if isinstance(FrameDecoder().feed(data)[0], Unmasks) else data

    net.tap = keep_unmasks
    net.host_do(net.host.start())
    ann = net.parties[conns["Ann"]]
    outs = ann.receive_data(
        encode(Aborted(round_id=ann._round_id, reason="Ben left.", missing=(ann.me + 1,)))
    )
    assert outs == [
        RoundAborted(
            "Ben left. Your app had already opened your answer's last mask, so this question "
            "is now closed for you; nobody's value was revealed.",
            ("Ben",),
            False,
            True,
        )
    ]
    assert ann.phase is Phase.CLOSED


# --- what each complaint sends and says ---------------------------------------------------

COMPLAINTS = {
    "own partial sum": (
        "The round was stopped: your own partial sum came back altered. " + NOTHING,
        Seen.OWN_PARTIAL_ALTERED,
        "Ann",
    ),
    "wrong set": (
        "The round was stopped: the host relayed the wrong set of partial sums. " + NOTHING,
        Seen.WRONG_PARTIALS,
        "",
    ),
    "short tags": (
        "The round was stopped: the host showed people different results (participant 0's "
        "app was shown something other than yours). " + NOTHING,
        Seen.DIFFERENT_TRANSCRIPT,
        "",
    ),
    "a wrong tag": (
        "The round was stopped: the host showed people different results (Cat's app was "
        "shown something other than yours). " + NOTHING,
        Seen.DIFFERENT_TRANSCRIPT,
        "Cat",
    ),
    "short nonces": (
        "The round was stopped: the host showed people different results (participant 0's "
        "app was shown something other than yours). " + NOTHING,
        Seen.DIFFERENT_TRANSCRIPT,
        "",
    ),
    "a wrong nonce": (
        "The round was stopped: the nonce relayed for Cat does not match what Cat "
        "committed. " + NOTHING,
        Seen.BAD_NONCE,
        "Cat",
    ),
    "a wrong piece commitment": (
        "The round was stopped: what was relayed for Cat does not match the keys your app "
        "shares with Cat (either Cat's app is modified or the host altered it). " + NOTHING,
        Seen.BAD_PIECE,
        "Cat",
    ),
    "short checks": (
        "The round was stopped: the host showed people different results (participant 0's "
        "app was shown something other than yours). " + NOTHING,
        Seen.DIFFERENT_TRANSCRIPT,
        "",
    ),
    "altered checks": (
        "The round was stopped: checks relayed for Cat were not signed by Cat's app (the host "
        "or the network altered them). " + NOTHING,
        Seen.UNSIGNED_CHECK,
        "Cat",
    ),
    "a wrong signature": (
        "The round was stopped: checks relayed for Cat were not signed by Cat's app (the host "
        "or the network altered them). " + NOTHING,
        Seen.UNSIGNED_CHECK,
        "Cat",
    ),
    "short pieces": (
        "The round was stopped: the last mask opened for participant 0 does not match what "
        "was committed. " + CLOSED_FOR_YOU,
        Seen.BAD_SEED,
        "",
    ),
    "a wrong piece": (
        "The round was stopped: the last mask opened for Cat does not match what was "
        "committed. " + CLOSED_FOR_YOU,
        Seen.BAD_SEED,
        "Cat",
    ),
}


def _tamper(how: str, msg: Message, ann: ParticipantSession, cat: int) -> Message | None:
    """The host's change to what Ann is sent (None: sent as it is)."""
    if how == "own partial sum" and isinstance(msg, Partials):
        return replace(msg, vectors=bytes([msg.vectors[0] ^ 1]) + msg.vectors[1:])
    if how == "wrong set" and isinstance(msg, Partials):
        two = {name: b"".join(slots(msg, name)[:2]) for name in PARTIALS_BLOBS}
        return replace(msg, parties=msg.parties[:2], **two)
    k = ann._parties.index(cat) if ann._parties else 0
    if how == "a wrong piece commitment" and isinstance(msg, Partials):
        commitments = slots(msg, "commitments")  # Cat's: its nonce's, then Ann's piece's, ...
        commitments[k] = commitments[k][:32] + bytes(32) + commitments[k][64:]
        return with_slots(msg, commitments=commitments)
    if how == "short tags" and isinstance(msg, Confirms):
        return replace(msg, tags=msg.tags[:-16])
    if how == "a wrong tag" and isinstance(msg, Confirms):
        return replace(msg, tags=msg.tags[: 16 * k] + bytes(16) + msg.tags[16 * k + 16 :])
    if how == "short nonces" and isinstance(msg, Confirms):
        return replace(msg, nonces=msg.nonces[:-32])
    if how == "a wrong nonce" and isinstance(msg, Confirms):
        return replace(msg, nonces=msg.nonces[: 32 * k] + bytes(32) + msg.nonces[32 * k + 32 :])
    if how == "short checks" and isinstance(msg, Verifies):
        return replace(msg, messages=msg.messages[:-8])
    size = len(msg.messages) // 3 if isinstance(msg, Verifies) else 0
    if how == "altered checks" and isinstance(msg, Verifies):
        cats = bumped(msg.messages[size * k : size * k + size])
        return replace(
            msg, messages=msg.messages[: size * k] + cats + msg.messages[size * k + size :]
        )
    if how == "a wrong signature" and isinstance(msg, Verifies):
        signatures = msg.signatures[: 64 * k] + bytes(64) + msg.signatures[64 * k + 64 :]
        return replace(msg, signatures=signatures)
    if how == "short pieces" and isinstance(msg, Unmasks):
        return replace(msg, pieces=msg.pieces[:-32])
    if how == "a wrong piece" and isinstance(msg, Unmasks):
        return replace(msg, pieces=msg.pieces[: 64 * k] + bytes(32) + msg.pieces[64 * k + 32 :])
    return None


@pytest.mark.parametrize("how", COMPLAINTS)
def test_each_complaint_goes_to_the_host_and_tells_the_person_what_was_seen(how: str) -> None:
    net = make_network()
    conns = three(net)
    ann, cat = net.parties[conns["Ann"]], net.parties[conns["Cat"]].me
    up: list[Message] = []

    def tap(direction: str, conn: int, data: bytes) -> bytes | None:
        msg = FrameDecoder().feed(data)[0]
        if direction == "up" and conn == conns["Ann"]:
            up.append(msg)
        if direction == "down" and conn == conns["Ann"]:
            changed = _tamper(how, msg, ann, cat)
            return data if changed is None else encode(changed)
        return data

    net.tap = tap
    net.host_do(net.host.start())
    reason, what, about = COMPLAINTS[how]
    event = aborted(net, conns["Ann"])
    assert event.reason == reason
    assert event.missing == ((about,) if about not in ("", "Ann") else ())
    assert event.can_rerun is False and event.closed == (what is Seen.BAD_SEED)
    assert event.suspects == ()  # no check failed: nobody to remove for it
    (complaint,) = [m for m in up if isinstance(m, Complaint)]
    assert complaint.what == what
    expected_about = {"": 0, "Ann": ann.me, "Cat": cat}[about]
    assert complaint.about == expected_about
    assert not [e for e in net.events[conns["Ann"]] if isinstance(e, ResultReady)]
    assert ann.outcome is None
    # Nothing more goes out after the complaint: no check, and no piece unless the
    # complaint came once every check had passed (a bad opened piece).
    after = up[up.index(complaint) + 1 :]
    assert [m for m in after if not isinstance(m, Commit | Reveal)] == []  # the next code's
    assert any(isinstance(m, Unmask) for m in up) == (what is Seen.BAD_SEED)


def test_a_member_decides_with_the_checks_it_signed_not_the_copy_relayed_back() -> None:
    """Ann keeps the checks she signed: what the host relays in her own slot of
    Verifies is never read, so a copy altered on the way back changes nothing."""
    net = make_network()
    conns = three(net)
    ann = net.parties[conns["Ann"]]

    def tap(direction: str, conn: int, data: bytes) -> bytes | None:
        msg = FrameDecoder().feed(data)[0]
        if direction == "down" and conn == conns["Ann"] and isinstance(msg, Verifies):
            size, k = len(msg.messages) // 3, ann._parties.index(ann.me)
            own = bumped(msg.messages[size * k : size * k + size])
            messages = msg.messages[: size * k] + own + msg.messages[size * k + size :]
            return encode(replace(msg, messages=messages))
        return data

    net.tap = tap
    net.host_do(net.host.start())
    assert not [e for e in net.events[conns["Ann"]] if isinstance(e, RoundAborted)]
    assert ann.outcome is not None and ann.phase is Phase.DONE


@pytest.mark.parametrize("blob", PARTIALS_BLOBS[:3])
def test_a_number_outside_the_field_in_partials_names_the_host_not_the_member(
    blob: str,
) -> None:
    """An honest host refuses a partial sum, witness or proof holding a number outside
    the field (it drops the sender: test_host_paths), so such a number in the Partials
    a member is shown was written or let through by the host. The member must not name
    Cat's app as the cheat for it: docs/PROOFS.md, attack 10, "a rewritten message is
    then 'the host or the network', never A". (Fails on 2f0b778: participant._partials
    complains INVALID_CONTRIBUTION about Cat, and Ann's screen says Cat's answer did not
    pass the check and that Cat's app or a checking app is modified.)"""
    net = make_network()
    conns = three(net)
    ann, cat = net.parties[conns["Ann"]], net.parties[conns["Cat"]].me
    up: list[Message] = []

    def tap(direction: str, conn: int, data: bytes) -> bytes | None:
        msg = FrameDecoder().feed(data)[0]
        if direction == "up" and conn == conns["Ann"]:
            up.append(msg)
        if direction == "down" and conn == conns["Ann"] and isinstance(msg, Partials):
            parts = slots(msg, blob)
            k = msg.parties.index(cat)
            parts[k] = parts[k][:-8] + P.to_bytes(8, "little")
            return encode(with_slots(msg, **{blob: parts}))
        return data

    net.tap = tap
    net.host_do(net.host.start())
    (complaint,) = [m for m in up if isinstance(m, Complaint)]
    assert not [m for m in up if isinstance(m, Confirm)]
    assert ann.outcome is None and not ann.closed
    event = aborted(net, conns["Ann"])
    assert complaint.about != cat and complaint.what != Seen.INVALID_CONTRIBUTION, complaint
    assert event.missing == () and "Cat" not in event.reason, event.reason
    assert (complaint.about, complaint.what) == (0, Seen.WRONG_PARTIALS)  # the relay's doing
    assert event.reason == COMPLAINTS["wrong set"][0]


# --- a demo that shows its shares uses the derived masks too ------------------------------


def test_a_member_showing_its_shares_sends_the_same_masked_sums_with_noise() -> None:
    """transcript=True (the demo's view of the shares) builds the partial sum from
    `_derived_mask`, noise included for a noisy question; the round still adds up,
    to the values plus exactly the three noise shares."""
    question = Question(kind=DP_AVERAGE, title="t", hi="100", epsilon="1")
    net = make_network(question)

    def seeded(seed: int) -> Callable[[], np.random.Generator]:
        return lambda: np.random.Generator(np.random.PCG64(seed))

    conns = {
        n: net.join(n, transcript=True, noise_rng=seeded(k))
        for k, n in enumerate(("Ann", "Ben", "Cat"))
    }
    for conn in conns.values():
        net.party_do(conn, net.parties[conn].submit("50"))
    net.host_do(net.host.start())
    assert net.host.outcome is not None
    shares = [noise_share(3, 1.0, question.sensitivity, 1, seeded(k)())[0] for k in range(3)]
    assert net.host.outcome.total[0] == 150 + sum(int(s) for s in shares)
    for conn in conns.values():
        (shown,) = [e for e in net.events[conn] if isinstance(e, ShareTranscript)]
        assert len(shown.sent) == 2
    assert net.parties[conns["Ann"]].epsilon_spent == 1.0


def test_a_new_identity_per_session() -> None:
    one = ParticipantSession(name="a", host_fingerprint=FINGERPRINT, random_bytes=os.urandom)
    two = ParticipantSession(name="a", host_fingerprint=FINGERPRINT, random_bytes=os.urandom)
    assert one.identity.public != two.identity.public
    mine = crypto.Identity()
    three_ = ParticipantSession(
        name="a", host_fingerprint=FINGERPRINT, random_bytes=os.urandom, identity=mine
    )
    assert three_.identity is mine


# --- Start, and what goes out with the partial sum ------------------------------------------

INVALID = "The host sent something invalid. "


def test_answering_is_refused_once_the_partial_sum_is_out() -> None:
    net = make_network()
    conns = three(net)
    net.host_do(net.host.start())
    ann = net.parties[conns["Ann"]]
    with pytest.raises(LocalProtocolError, match=r"^There is no question to answer right now\.$"):
        ann.submit("6")
    fresh = ParticipantSession(name="x", host_fingerprint=FINGERPRINT, random_bytes=os.urandom)
    with pytest.raises(LocalProtocolError, match=r"^There is no question to answer right now\.$"):
        fresh.submit("6")


def test_a_start_says_who_takes_part_and_sends_the_partial_sum_with_it() -> None:
    net = make_network()
    conns = three(net, values=False)
    ann = net.parties[conns["Ann"]]
    ann.submit("5")
    start = FrameDecoder().feed(
        next(o.data for o in net.host.start() if isinstance(o, Send) and o.conn == conns["Ann"])
    )[0]
    outs = ann.receive_data(encode(start))
    assert outs[0] == RoundStarted(("Ann", "Ben", "Cat"), needs_value=False, rerun=False)
    assert [type(m) for m in sent(outs)] == [PartialSum]
    assert len(outs) == 2  # and nothing else (an average spends no ε)
    assert [o.conn for o in outs if isinstance(o, Send)] == [HOST]
    ben = net.parties[conns["Ben"]]
    assert ben.receive_data(encode(start)) == [
        RoundStarted(("Ann", "Ben", "Cat"), needs_value=True, rerun=False)
    ]


def test_a_start_for_a_code_not_ready_yet_is_declined() -> None:
    """A new roster was shown and its nonces are still being exchanged: a Start with
    the previous code's digest is for a group that is no longer on screen."""
    net = make_network()
    conns = three(net)
    ann = net.parties[conns["Ann"]]
    old = ann._code_digest
    net.tap = lambda d, c, data: None if d == "up" else data  # the nonces never get through
    net.host_do(net.host._roster_update("again"))
    net.tap = None
    assert ann.code == ""
    outs = ann.receive_data(encode(Start(round_id=(1).to_bytes(16, "big"), roster_digest=old)))
    (cancel,) = sent(outs)
    assert isinstance(cancel, Cancel) and cancel.why == CancelWhy.WRONG_GROUP
    (event,) = [o for o in outs if isinstance(o, RoundAborted)]
    assert event.reason == (
        "The round started with a different group or code than the one on your screen, so "
        "your app did not take part. Compare security codes again."
    )


def test_a_round_id_used_before_ends_the_session_with_the_reason() -> None:
    net = make_network()
    conns = three(net, values=False)
    ann = net.parties[conns["Ann"]]
    start = Start(round_id=(1).to_bytes(16, "big"), roster_digest=ann._code_digest)
    ann.receive_data(encode(start))
    ann.phase = Phase.ABORTED
    outs = ann.receive_data(encode(start))
    assert [o for o in outs if isinstance(o, SessionEnded)] == [
        SessionEnded(INVALID + "The host started a round with a used round id.")
    ]


def test_declines_say_why_word_for_word() -> None:
    """Too few people, and a question this app already opened its answer in."""
    net = make_network(Question(title="t", hi="100", min_participants=4))
    conns = {n: net.join(n) for n in ("Ann", "Ben", "Cat")}
    ann = net.parties[conns["Ann"]]
    outs = ann.receive_data(
        encode(Start(round_id=(1).to_bytes(16, "big"), roster_digest=ann._code_digest))
    )
    (event,) = [o for o in outs if isinstance(o, RoundAborted)]
    assert event.reason == (
        "The host started a round with 3 people, below this question's minimum of 4, so your "
        "app did not take part."
    )
    ann._opened = True
    outs = ann.receive_data(
        encode(Start(round_id=(2).to_bytes(16, "big"), roster_digest=ann._code_digest))
    )
    (event,) = [o for o in outs if isinstance(o, RoundAborted)]
    assert event.reason == (
        "Your app already opened your answer's last mask in a round of this question that did "
        "not finish for everyone, so it takes part in no other round of it: comparing two "
        "rounds could reveal someone's value. Nobody's value was revealed."
    )


@pytest.mark.parametrize("cut", PARTIALS_BLOBS)
def test_partial_sums_of_the_wrong_size_are_the_wrong_set(cut: str) -> None:
    net = make_network()
    conns = three(net)
    up: list[Message] = []

    def tap(direction: str, conn: int, data: bytes) -> bytes | None:
        msg = FrameDecoder().feed(data)[0]
        if direction == "up" and conn == conns["Ann"]:
            up.append(msg)
        if direction == "down" and conn == conns["Ann"] and isinstance(msg, Partials):
            return encode(replace(msg, **{cut: getattr(msg, cut) + bytes(8)}))
        return data

    net.tap = tap
    net.host_do(net.host.start())
    (complaint,) = [m for m in up if isinstance(m, Complaint)]
    assert complaint.what == Seen.WRONG_PARTIALS and complaint.about == 0
    assert not [m for m in up if isinstance(m, Confirm)]


def test_a_confirm_goes_to_the_host() -> None:
    net = make_network()
    conns = three(net)
    ann = net.parties[conns["Ann"]]
    partials: list[bytes] = []

    def keep_anns_partials(direction: str, conn: int, data: bytes) -> bytes | None:
        if direction == "down" and conn == conns["Ann"]:
            if isinstance(FrameDecoder().feed(data)[0], Partials):
                partials.append(data)
            if partials:
                return None
        return data

    net.tap = keep_anns_partials
    net.host_do(net.host.start())
    outs = ann.receive_data(partials[0])
    assert [type(m) for m in sent(outs)] == [Confirm]
    assert [o.conn for o in outs if isinstance(o, Send)] == [HOST]


def test_a_poll_spends_its_epsilon_once_however_often_it_is_run() -> None:
    """The answer is randomized once and a re-run resends the same bit: ln 3 once. The
    spending is announced before the partial sum leaves, with its question."""
    question = Question(kind=POLL, title="t", lo="0", hi="1")
    net = make_network(question)
    conns = three(net, values=False)
    for conn in conns.values():
        net.party_do(conn, net.parties[conn].submit("yes"))

    def lose_partials(direction: str, conn: int, data: bytes) -> bytes | None:
        return None if isinstance(FrameDecoder().feed(data)[0], Partials) else data

    net.tap = lose_partials
    net.host_do(net.host.start())
    ann = net.parties[conns["Ann"]]
    assert ann.epsilon_spent == pytest.approx(math.log(3))
    net.host_do(net.host.cancel())
    net.tap = None
    net.host_do(net.host.start())
    for conn in conns.values():
        net.party_do(conn, net.parties[conn].take_part())
    assert ann.outcome is not None
    assert ann.epsilon_spent == pytest.approx(math.log(3))
    spent = [e for e in net.events[conns["Ann"]] if isinstance(e, PrivacySpent)]
    assert spent == [PrivacySpent(question.release_epsilon, question)]


def test_a_demo_with_a_fixed_table_shows_each_share_and_only_when_asked() -> None:
    table = {1: {1: 10, 2: 20, 3: 30}, 2: {1: 1, 2: 2, 3: 3}, 3: {1: 4, 2: 5, 3: 6}}
    for transcript in (True, False):
        net = make_network(Question(title="t", lo="-1000", hi="1000"))
        conns = {
            n: net.join(n, masks=fixed_masks(table), transcript=transcript)
            for n in ("Ann", "Ben", "Cat")
        }
        for conn in conns.values():
            net.party_do(conn, net.parties[conn].submit("100"))
        net.host_do(net.host.start())
        assert net.host.outcome is not None and net.host.outcome.total == (300,)
        shown = [e for e in net.events[conns["Ann"]] if isinstance(e, ShareTranscript)]
        if not transcript:
            assert shown == []
            continue
        assert shown == [ShareTranscript("Ann", (50,), (("Ben", (20,)), ("Cat", (30,))), (55,))]


@pytest.mark.parametrize(
    ("held", "phase"), [(Confirms, Phase.CONFIRMED), (Verifies, Phase.VERIFIED)]
)
def test_a_person_who_cancelled_never_opens_even_if_every_confirmation_arrives(
    held: type[Message], phase: Phase
) -> None:
    """The Cancel and the last confirmations (or the checks) can cross on the way: once
    the person asked to stop, the app sends no check, keeps its self-mask shut and
    says the round was cancelled."""
    net = make_network()
    conns = three(net)
    ann = net.parties[conns["Ann"]]
    kept: list[bytes] = []

    def hold_anns(direction: str, conn: int, data: bytes) -> bytes | None:
        msg = FrameDecoder().feed(data)[0]
        if direction == "down" and conn == conns["Ann"] and isinstance(msg, held):
            kept.append(data)
            return None
        return data

    net.tap = hold_anns
    net.host_do(net.host.start())
    assert ann.phase is phase and kept
    assert [type(m) for m in sent(ann.cancel())] == [Cancel]  # lost on the way: not delivered
    outs = ann.receive_data(kept[0])
    assert outs == [
        RoundAborted("You cancelled the round. Nobody's value was revealed.", (), False)
    ]
    assert not ann.closed and ann.phase is Phase.ABORTED


# --- the answer itself (found by `make mutants` after answers became typed) ------------------


def test_an_answer_read_already_is_taken_as_it_is_and_counts_like_the_typed_text() -> None:
    net = make_network()
    conns = [net.join(f"p{i}") for i in range(3)]
    question = net.parties[conns[0]].question
    assert question is not None
    for conn, text in zip(conns, ("41000", "52000", "63000"), strict=True):
        answer = question.parse_answer(text) if conn == conns[0] else text
        net.party_do(conn, net.parties[conn].submit(answer))
    net.host_do(net.host.start())
    assert net.host.outcome is not None
    assert net.host.outcome.total == (156000,)


def test_a_new_answer_wipes_the_old_one_in_memory() -> None:
    net = make_network()
    party = net.parties[net.join("p0")]
    party.submit("41000")
    old = party._value
    assert old is not None and old.any()
    party.submit("52000")
    assert not old.any()  # the replaced value is zeroed, not just dropped


def test_nothing_was_randomized_before_a_poll_is_answered() -> None:
    net = make_network(Question(kind=POLL, title="Happy?", lo="0", hi="1"))
    party = net.parties[net.join("p0")]
    assert party.randomized is None
