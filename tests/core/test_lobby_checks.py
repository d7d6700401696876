"""What a member checks in the lobby, and what it says (found by `make mutants`).

A host that shows a member a roster without it, changes who it is, lists
someone twice or out of order, or tampers with the code's commitments and
nonces ends that member's session; the reason, word for word, is what the
person reads. And the host's own checks of a newcomer's Hello.
"""

from __future__ import annotations

import os
from dataclasses import replace

import pytest

from huddle.core import crypto
from huddle.core.codec import FrameDecoder, Message, encode
from huddle.core.events import Drop, JoinRequested, RosterChanged, Send, SessionEnded, Welcomed
from huddle.core.messages import (
    Closed,
    Commit,
    Commitments,
    Confirms,
    Hello,
    Lobby,
    Member,
    Partials,
    Ping,
    Pong,
    Rejected,
    Reveal,
    Reveals,
    Unmasks,
    Verifies,
    Welcome,
    hello_context,
)
from huddle.core.participant import HOST, ParticipantSession, Phase

from .harness import FINGERPRINT, make_network
from .test_malicious_host import ForgedHost

INVALID = "The host sent something invalid. "


def ended(host: ForgedHost) -> str:
    reasons = [o.reason for o in host.outs if isinstance(o, SessionEnded)]
    assert reasons and host.victim.ended
    return reasons[-1]


def roster_of(host: ForgedHost) -> tuple[Member, ...]:
    return (host.me, host.fake(2, "B"), host.fake(3, "C"))


def lobby(host: ForgedHost, roster: tuple[Member, ...], you: int = 1, epoch: int = 1) -> None:
    host.feed(Lobby(you=you, epoch=epoch, roster=roster))


@pytest.mark.parametrize(
    ("how", "reason"),
    [
        ("without me", "The roster does not contain you as you joined."),
        ("me twice", "The roster does not contain you as you joined."),
        ("my signing key swapped", "The roster does not contain you as you joined."),
        ("my key swapped", "The roster does not contain you as you joined."),
        ("my name changed", "The roster does not contain you as you joined."),
        ("someone twice", "The roster lists someone twice."),
        ("out of order", "The roster is out of order."),
    ],
)
def test_a_roster_that_misrepresents_the_group_ends_the_session(how: str, reason: str) -> None:
    host = ForgedHost()
    me, b, c = roster_of(host)
    other = crypto.Identity().public
    roster = {
        "without me": (b, c),
        "me twice": (me, replace(me, name="Vic2"), c),
        "my signing key swapped": (replace(me, sign_key=other.sign_key), b, c),
        "my key swapped": (replace(me, kem_key=other.kem_key), b, c),
        "my name changed": (replace(me, name="Vicky"), b, c),
        "someone twice": (me, b, replace(b, name="B2")),
        "out of order": (me, c, b),
    }[how]
    lobby(host, roster)
    assert ended(host) == INVALID + reason


def test_the_host_cannot_change_who_a_member_is() -> None:
    host = ForgedHost()
    me, b, c = roster_of(host)
    lobby(host, (me, b, c))
    moved = replace(me, party=4)
    lobby(host, (b, c, moved), you=4, epoch=2)
    assert ended(host) == INVALID + "The host changed who you are in the roster."


def _committed(host: ForgedHost) -> tuple[tuple[Member, ...], bytes, dict[int, bytes]]:
    roster = roster_of(host)
    (commit,) = host.feed(Lobby(you=1, epoch=1, roster=roster))
    assert isinstance(commit, Commit)
    nonces = {2: os.urandom(32), 3: os.urandom(32)}
    from huddle.core.masks import nonce_commitment

    others = b"".join(nonce_commitment(host.session_id, 1, p, n) for p, n in nonces.items())
    return roster, commit.commitment + others, nonces


@pytest.mark.parametrize(
    ("how", "reason"),
    [
        ("commitments twice", "The host sent the code's commitments twice."),
        ("my commitment altered", "The host altered the security code's commitments."),
        ("one commitment too many", "The host altered the security code's commitments."),
        ("nonces before commitments", "The host sent the code's nonces out of turn."),
        ("a nonce short", "The host sent the wrong number of nonces."),
        ("a nonce changed", "The security code's nonce of B does not match its commitment."),
    ],
)
def test_a_tampered_code_exchange_ends_the_session(how: str, reason: str) -> None:
    host = ForgedHost()
    _, commitments, nonces = _committed(host)
    if how == "nonces before commitments":
        host.feed(Reveals(epoch=1, nonces=bytes(96)))
        assert ended(host) == INVALID + reason
        return
    if how == "my commitment altered":
        commitments = bytes(32) + commitments[32:]
    if how == "one commitment too many":
        commitments += bytes(32)
    replies = host.feed(Commitments(epoch=1, commitments=commitments))
    if how in ("my commitment altered", "one commitment too many"):
        assert ended(host) == INVALID + reason
        return
    if how == "commitments twice":
        host.feed(Commitments(epoch=1, commitments=commitments))
        assert ended(host) == INVALID + reason
        return
    mine = next(m.nonce for m in replies if isinstance(m, Reveal))
    short, changed = mine + nonces[2], mine + os.urandom(32) + nonces[3]
    blob = short if how == "a nonce short" else changed
    host.feed(Reveals(epoch=1, nonces=blob))
    assert ended(host) == INVALID + reason


def test_the_code_on_screen_comes_with_the_group_it_is_for() -> None:
    host = ForgedHost()
    roster = roster_of(host)
    host.lobby_with_code(roster)
    (shown,) = [o for o in host.outs if isinstance(o, RosterChanged) and o.code]
    assert shown == RosterChanged(("Vic", "B", "C"), host.victim.code, 1, "", False)
    assert host.victim.phase is Phase.LOBBY


# --- the host's checks of a newcomer ----------------------------------------------------------


def _hello(session_id: bytes, name: str) -> Hello:
    who = crypto.Identity()
    pub = who.public
    signed = hello_context(session_id, name, pub.sign_key, pub.kem_key)
    return Hello(name=name, sign_key=pub.sign_key, kem_key=pub.kem_key, signature=who.sign(signed))


@pytest.mark.parametrize("name", ["", " Ann", "Ann  Lee", "Ann\n"])
def test_a_hello_without_a_clean_name_is_dropped(name: str) -> None:
    net = make_network()
    conn, _ = net.host.connect()
    outs = net.host.receive_data(conn, encode(_hello(net.host.session_id, name)))
    assert [o.reason for o in outs if isinstance(o, Drop)] == ["Hello without a clean name."]


def test_a_clean_name_of_several_words_asks_to_join_as_it_is() -> None:
    net = make_network()
    conn, _ = net.host.connect()
    outs = net.host.receive_data(conn, encode(_hello(net.host.session_id, "Ann Lee")))
    assert outs == [JoinRequested(conn, "Ann Lee")]
    commit = Commit(epoch=1, commitment=bytes(32))
    assert [
        o.reason for o in net.host.receive_data(conn, encode(commit)) if isinstance(o, Drop)
    ] == ["Commit before being admitted."]


def test_a_hello_after_the_start_is_turned_away_with_the_reason() -> None:
    net = make_network()
    for name in "ABC":
        net.party_do(net.join(name), [])
    for conn in list(net.parties):
        net.party_do(conn, net.parties[conn].submit("5"))
    net.tap = lambda d, c, data: None if d == "up" else data  # the round stays running
    net.host_do(net.host.start())
    late, _ = net.host.connect()
    outs = net.host.receive_data(late, encode(_hello(net.host.session_id, "Dan")))
    sent: list[Message] = [
        m for o in outs if isinstance(o, Send) for m in FrameDecoder().feed(o.data)
    ]
    assert sent == [Rejected(reason="This session has already started.")]
    assert [o.conn for o in outs if isinstance(o, Drop)] == [late]


# --- what a member does with pings, a closing host and bad bytes ---------------------------


def test_a_member_answers_every_ping_in_a_chunk() -> None:
    host = ForgedHost()
    outs = host.victim.receive_data(encode(Ping()) + encode(Ping()))
    assert outs == [Send(HOST, encode(Pong())), Send(HOST, encode(Pong()))]


def test_a_closing_host_ends_the_session_with_its_reason_unless_the_result_is_in() -> None:
    host = ForgedHost()
    outs = host.victim.receive_data(encode(Closed(reason="Bye.")))
    assert outs == [Drop(HOST, "session over"), SessionEnded("Bye.")]
    net = make_network()
    conns = [net.join(n) for n in "abc"]
    for conn in conns:
        net.party_do(conn, net.parties[conn].submit("5"))
    net.host_do(net.host.start())
    done = net.parties[conns[0]]
    assert done.phase is Phase.DONE
    assert done.receive_data(encode(Closed(reason="Bye."))) == [Drop(HOST, "session over")]


def test_bad_bytes_from_the_host_end_the_session_saying_what_was_wrong() -> None:
    host = ForgedHost()
    outs = host.victim.receive_data(b"\x00\x00\x00\x02\x09\x01")
    wrong = (
        "The other side speaks Huddle protocol 9; this app speaks 4. Both people need the "
        "same Huddle version."
    )
    assert outs == [Drop(HOST, wrong), SessionEnded(INVALID + wrong)]
    host = ForgedHost()
    _, b, c = roster_of(host)
    outs = host.victim.receive_data(encode(Ping()) + encode(Lobby(you=1, epoch=1, roster=(b, c))))
    missing = "The roster does not contain you as you joined."
    assert outs == [
        Send(HOST, encode(Pong())),
        Drop(HOST, missing),
        SessionEnded(INVALID + missing),
    ]


def test_a_roster_member_whose_key_gives_no_shared_secret_ends_the_session() -> None:
    """A low-order X25519 key (here all zeros) would make the pair's secret known to
    anyone; the host refuses such a Hello, and a member refuses such a roster."""
    host = ForgedHost()
    who = crypto.Identity()
    bad = bytes(32)
    signed = hello_context(host.session_id, "B", who.public.sign_key, bad)
    b = Member(party=2, name="B", sign_key=who.public.sign_key, kem_key=bad,
               signature=who.sign(signed))  # fmt: skip
    lobby(host, (host.me, b, host.fake(3, "C")))
    assert ended(host) == INVALID + "The host admitted B with a key that cannot be used."


def test_a_welcome_shows_the_question_and_who_hosts_it() -> None:
    host = ForgedHost()
    assert [o for o in host.outs if isinstance(o, Welcomed)] == [Welcomed(host.question, "Mallory")]


def test_a_repeated_roster_is_refused() -> None:
    host = ForgedHost()
    roster = roster_of(host)
    lobby(host, roster)
    lobby(host, roster)  # the same epoch again
    assert ended(host) == INVALID + "The host repeated an old roster."


def test_each_roster_says_who_joined_and_left_and_its_code_says_so_again() -> None:
    host = ForgedHost()
    me, b, c = roster_of(host)
    host.lobby_with_code((me, b, c))
    d = host.fake(4, "D")
    host.lobby_with_code((me, b, d))
    shown = [o for o in host.outs if isinstance(o, RosterChanged)]
    # While the nonces are still being exchanged there is no code yet: "" exactly
    # (the front ends test it for truth, and the dict form prints it as is).
    assert [e.code for e in shown][::2] == ["", ""]
    assert [(e.names, e.you, e.note) for e in shown if not e.code] == [
        (("Vic", "B", "C"), 1, ""),
        (("Vic", "B", "D"), 1, "D joined; C left"),
    ]
    assert [(e.note, e.changed) for e in shown if e.code] == [
        ("", False),
        ("D joined; C left", True),
    ]


def test_a_welcome_in_the_lobby_ends_the_session() -> None:
    net = make_network()
    conns = [net.join(n) for n in "abc"]
    vic = net.parties[conns[0]]
    outs = vic.receive_data(
        encode(Welcome(session_id=bytes(16), host_name="H", question=vic._question))
    )
    assert [o for o in outs if isinstance(o, SessionEnded)] == [
        SessionEnded(INVALID + "Unexpected Welcome while lobby.")
    ]


@pytest.mark.parametrize("kind", [Partials, Confirms, Verifies, Unmasks])
def test_round_messages_for_another_round_end_the_session(kind: type[Message]) -> None:
    net = make_network()
    conns = [net.join(n) for n in "abc"]
    for conn in conns:
        net.party_do(conn, net.parties[conn].submit("5"))
    held: list[Message] = []

    def keep(direction: str, conn: int, data: bytes) -> bytes | None:
        msg = FrameDecoder().feed(data)[0]
        if direction == "down" and conn == conns[0] and isinstance(msg, kind):
            held.append(msg)
            return None
        return data

    net.tap = keep
    net.host_do(net.host.start())
    vic = net.parties[conns[0]]
    (message,) = held
    other = replace(message, round_id=(9).to_bytes(16, "big"))  # type: ignore[type-var]
    outs = vic.receive_data(encode(other))
    assert [o for o in outs if isinstance(o, SessionEnded)] == [
        SessionEnded(INVALID + f"{kind.__name__} for another round.")
    ]
    assert vic.outcome is None and vic.closed is (kind is Unmasks)  # opened before Unmasks


def test_a_new_member_knows_nothing_yet_and_goes_by_its_name_as_the_host_lists_it() -> None:
    vic = ParticipantSession(
        name=" Ann  Lee ", host_fingerprint=FINGERPRINT, random_bytes=os.urandom
    )
    assert vic.name == "Ann Lee"
    assert (vic.phase, vic.question, vic.host_name, vic.session_id) == (
        Phase.CONNECTING, None, "", b"",
    )  # fmt: skip
    assert (vic.me, vic.roster, vic.outcome, vic.result_code, vic.code) == (-1, (), None, "", "")
    assert not vic.has_value and not vic.closed and not vic.ended and vic.epsilon_spent == 0.0
