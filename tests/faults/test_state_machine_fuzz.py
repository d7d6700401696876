"""Stateful fuzzing of `HostSession` and `ParticipantSession` with hypothesis.

Proves that whatever arrives — valid-looking messages out of order, a second
Hello, duplicate names or keys, messages for the wrong round, messages meant for
the other direction, garbage, truncated frames, bad versions, oversized length
prefixes, bytes split anywhere — the state machines only answer with protocol
outcomes (`Send`, `Drop`, events; peer errors handled inside) and never raise,
while their invariants hold after every step:
- the host's roster has unique parties and unique names, all on live connections;
- the phase is one of the declared phases;
- the host never sends to a connection it dropped or that was lost;
- an ended participant holds no value and ignores further bytes.

Honest participants run alongside the hostile connections, so the host's
reactions to the attacker are also fed to real participants.
`HYPOTHESIS_PROFILE=thorough` runs many more sequences (tests/conftest.py).
"""

from __future__ import annotations

import functools
import os
import struct
from collections import deque
from collections.abc import Callable
from typing import ClassVar

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from huddle.core import crypto
from huddle.core import messages as m
from huddle.core.codec import Message, encode
from huddle.core.errors import InputError, IntegrityError
from huddle.core.events import Drop, Event, Output, Send
from huddle.core.host import HostSession
from huddle.core.host import Phase as HostPhase
from huddle.core.masks import pair_info, partial_tag, round_context
from huddle.core.participant import ParticipantSession
from huddle.core.participant import Phase as PartPhase
from huddle.core.questions import Question
from huddle.core.security_code import roster_digest

QUESTION = Question(title="raise", hi="100000")
FINGERPRINT = bytes(range(32))
STEPS = 40
SETTINGS = settings(max_examples=settings().max_examples, stateful_step_count=STEPS, deadline=None)
COUNTS = {"host steps": 0, "participant steps": 0}
REACHED: set[str] = set()
"""Steps run in this process, for the report (see test_fuzz_volume)."""


def _rid() -> bytes:
    return os.urandom(m.ID_BYTES)


def mangle(frame: bytes, how: str, cut: int) -> list[bytes]:
    """A frame as it might arrive from a broken or hostile peer, in chunks."""
    if how == "truncated":
        return [frame[: max(1, cut % len(frame))]]
    if how == "version":
        return [frame[:4] + bytes([frame[4] ^ 0x7F]) + frame[5:]]
    if how == "oversized":
        return [struct.pack(">I", 2**31 - 1) + frame[4:]]
    if how == "split":
        k = 1 + cut % (len(frame) - 1)
        return [frame[:k], frame[k:]]
    if how == "garbage":
        return [os.urandom(1 + cut % 40)]
    return [frame]


MANGLING = st.sampled_from(
    ["whole"] * 6 + ["truncated", "version", "oversized", "split", "garbage"]
)


class HostFuzz(RuleBasedStateMachine):
    """A host, some honest participants and some hostile raw connections."""

    def __init__(self) -> None:
        super().__init__()
        self.host = HostSession(
            question=QUESTION, host_name="Host", fingerprint=FINGERPRINT, random_bytes=os.urandom
        )
        self.honest: dict[int, ParticipantSession] = {}
        self.raw: dict[int, crypto.Identity] = {}
        self.gone: set[int] = set()  # connections the host dropped or was told were lost
        self.queue: deque[tuple[str, int, bytes]] = deque()
        self.held_up: int | None = None  # a slow party: its partial sum never leaves

    # --- plumbing --------------------------------------------------------------

    def host_out(self, outs: list[Output]) -> None:
        for out in outs:
            if isinstance(out, Send):
                assert out.conn not in self.gone, "the host sent to a dropped connection"
                if out.conn in self.honest:
                    self.queue.append(("down", out.conn, out.data))
            elif isinstance(out, Drop):
                assert out.conn not in self.gone, "the host dropped a connection twice"
                self.gone.add(out.conn)
                self.queue.append(("drop", out.conn, b""))
            else:
                assert isinstance(out, Event)

    def party_out(self, conn: int, outs: list[Output]) -> None:
        for out in outs:
            assert not isinstance(out, Send | Drop) or out.conn == 0
            if isinstance(out, Send):
                self.queue.append(("up", conn, out.data))
            elif isinstance(out, Drop):
                self.queue.append(("lost", conn, b""))

    def pump(self) -> None:
        while self.queue:
            direction, conn, data = self.queue.popleft()
            party = self.honest.get(conn)
            if direction == "down" and party is not None:
                self.party_out(conn, party.receive_data(data))
            elif direction == "drop" and party is not None:
                self.party_out(conn, party.connection_lost())
            elif direction == "up" and conn not in self.gone:
                if conn == self.held_up and data[5] == m.PartialSum.TYPE:
                    continue
                self.host_out(self.host.receive_data(conn, data))
            elif direction == "lost" and conn not in self.gone:
                self.lose_conn(conn)

    def lose_conn(self, conn: int) -> None:
        outs = self.host.connection_lost(conn)
        self.gone.add(conn)
        self.host_out(outs)

    def live(self, pool: dict[int, object]) -> list[int]:
        return sorted(c for c in pool if c not in self.gone)

    def parties(self) -> list[int]:
        return [mem.party for mem in self.host.roster] + [0, 99]

    # --- the host person ---------------------------------------------------------

    @rule(data=st.data())
    @precondition(
        lambda self: bool(self.host.pending) and self.host.phase.value in ("lobby", "aborted")
    )
    def admit(self, data: st.DataObject) -> None:
        conn = data.draw(st.sampled_from(sorted(self.host.pending)))
        self.host_out(self.host.admit(conn))
        self.pump()

    @rule(data=st.data())
    @precondition(lambda self: bool(self.host.pending))
    def reject(self, data: st.DataObject) -> None:
        self.host_out(self.host.reject(data.draw(st.sampled_from(sorted(self.host.pending)))))
        self.pump()

    @rule()
    @precondition(lambda self: self.host.can_start)
    def start(self) -> None:
        self.host_out(self.host.start())
        self.pump()

    @rule()
    def cancel(self) -> None:
        self.host_out(self.host.cancel())
        self.pump()

    @rule()
    @precondition(lambda self: len(self.honest) + len(self.raw) > 12)
    def close(self) -> None:
        self.host_out(self.host.close())
        self.pump()

    @rule()
    def advance(self) -> None:
        """What an honest group would do next (so deep phases get fuzzed too)."""
        if self.host.phase in (HostPhase.LOBBY, HostPhase.ABORTED):
            while len(self.live(self.honest)) < 3 and len(self.honest) < 12:  # type: ignore[arg-type]
                self.honest_joins(f"H{len(self.honest)}")
            for conn in sorted(self.host.pending):
                if conn in self.honest:
                    self.host_out(self.host.admit(conn))
            self.pump()
            if self.host.can_start:
                self.start()
        for conn, party in self.honest.items():
            if party.phase is PartPhase.AWAITING_VALUE and not party.has_value:
                self.party_out(conn, party.submit("1000"))
        self.pump()

    # --- honest participants ---------------------------------------------------------

    @rule(name=st.sampled_from(["Ann", "Ben", "Cat", "Dan", "Eve", "Ann "]))
    @precondition(lambda self: len(self.honest) < 12)
    def honest_joins(self, name: str) -> None:
        conn, outs = self.host.connect()
        self.honest[conn] = ParticipantSession(
            name=name, host_fingerprint=FINGERPRINT, random_bytes=os.urandom
        )
        self.host_out(outs)
        self.pump()

    @rule(data=st.data(), value=st.integers(0, 100000))
    def honest_submits(self, data: st.DataObject, value: int) -> None:
        ready = [
            c
            for c, p in self.honest.items()
            if p.question and not p.has_value and p.phase not in (PartPhase.DONE, PartPhase.ENDED)
        ]
        if ready:
            conn = data.draw(st.sampled_from(ready))
            self.party_out(conn, self.honest[conn].submit(str(value)))
            self.pump()

    @rule(data=st.data(), action=st.sampled_from(["leave", "cancel", "lost"]))
    def honest_acts(self, data: st.DataObject, action: str) -> None:
        live = self.live(self.honest)  # type: ignore[arg-type]
        if not live:
            return
        conn = data.draw(st.sampled_from(live))
        party = self.honest[conn]
        if action == "lost":
            self.lose_conn(conn)
            self.party_out(conn, party.connection_lost())
        else:
            self.party_out(conn, party.leave() if action == "leave" else party.cancel())
        self.pump()

    # --- hostile connections ---------------------------------------------------------------

    @rule()
    @precondition(lambda self: len(self.raw) < 5)
    def stranger_connects(self) -> None:
        conn, outs = self.host.connect()
        self.raw[conn] = crypto.Identity()
        self.host_out(outs)

    @rule(data=st.data(), how=MANGLING, cut=st.integers(0, 10_000))
    def stranger_sends(self, data: st.DataObject, how: str, cut: int) -> None:
        live = self.live(self.raw)  # type: ignore[arg-type]
        if not live:
            return
        conn = data.draw(st.sampled_from(live))
        msg = data.draw(self.hostile_message(conn))
        for chunk in mangle(encode(msg), how, cut):
            if conn not in self.gone:
                self.host_out(self.host.receive_data(conn, chunk))
        self.pump()

    @rule(data=st.data())
    def stranger_vanishes(self, data: st.DataObject) -> None:
        live = self.live(self.raw)  # type: ignore[arg-type]
        if live:
            self.lose_conn(data.draw(st.sampled_from(live)))
            self.pump()

    def hostile_message(self, conn: int) -> st.SearchStrategy[Message]:
        me = self.raw[conn]
        rnd = self.host._round
        round_ids = st.sampled_from([rnd.round_id if rnd else _rid(), _rid()])
        party = st.sampled_from(self.parties())
        honest_keys = [p.identity for p in self.honest.values()]
        names = st.sampled_from(["Mallory", "Ann", "Ben", "", "   ", "Host", "M" * 64])
        identities = st.sampled_from([me, crypto.Identity(), *honest_keys])
        sig = st.binary(min_size=64, max_size=64)

        @st.composite
        def hello(draw: st.DrawFn) -> Message:
            name, who, good = draw(names), draw(identities), draw(st.booleans())
            pub = who.public
            signed = crypto.context(
                "hello", self.host.session_id, name.encode(), pub.sign_key, pub.kem_key
            )
            signature = who.sign(signed) if good else draw(sig)
            return m.Hello(
                name=name, sign_key=pub.sign_key, kem_key=pub.kem_key, signature=signature
            )

        tags = st.binary(max_size=6 * 16)
        return st.one_of(
            hello(),
            st.builds(
                m.PartialSum,
                round_id=round_ids,
                vector=st.sampled_from([bytes(8), bytes(16), b""]),
                tags=tags,
            ),
            st.builds(m.Complaint, round_id=round_ids, accused=party),
            st.builds(m.Cancel, round_id=round_ids),
            st.builds(
                m.Start, round_id=round_ids, roster_digest=st.binary(min_size=32, max_size=32)
            ),
            st.builds(m.Aborted, round_id=round_ids, reason=st.just("x"), missing=st.just(())),
            st.sampled_from(
                [m.Leave(), m.Ping(), m.Pong(), m.Closed(reason="bye"), m.Rejected(reason="no")]
            ),
        )

    # --- invariants --------------------------------------------------------------------------

    @invariant()
    def consistent(self) -> None:
        COUNTS["host steps"] += 1
        REACHED.add(f"host {self.host.phase.value}")
        roster = self.host.roster
        assert len({mem.party for mem in roster}) == len(roster)
        assert len({mem.name for mem in roster}) == len(roster)
        assert len({mem.sign_key for mem in roster}) == len(roster)
        assert isinstance(self.host.phase, HostPhase)
        live = set(self.host._conns)
        assert not live & self.gone, "a dropped connection is still known to the host"
        for party in self.honest.values():
            assert isinstance(party.phase, PartPhase)
            if party.phase in (PartPhase.ENDED, PartPhase.DONE):
                assert not party.has_value


class ParticipantFuzz(RuleBasedStateMachine):
    """One participant fed by a hostile or confused host."""

    others: ClassVar[list[crypto.Identity]] = []

    def __init__(self) -> None:
        super().__init__()
        if not ParticipantFuzz.others:
            ParticipantFuzz.others = [crypto.Identity() for _ in range(3)]
        self.p = ParticipantSession(
            name="Ann", host_fingerprint=FINGERPRINT, random_bytes=os.urandom
        )
        self.session_id = _rid()
        self.round_id = _rid()
        self.digest = bytes(32)
        self.roster: tuple[m.Member, ...] = ()

    def feed(self, frames: list[bytes]) -> None:
        for chunk in frames:
            self.check(self.p.receive_data(chunk))

    def check(self, outs: list[Output]) -> None:
        for out in outs:
            assert isinstance(out, Send | Drop | Event)
            if isinstance(out, Drop):
                assert self.p.ended, "a participant closes only when its session is over"

    def identity(self, party: int) -> crypto.Identity | None:
        if party == 1:
            return self.p.identity
        return self.others[party - 2] if 2 <= party <= 4 else None

    @rule(goal=st.sampled_from(list(PartPhase)))
    def advance(self, goal: PartPhase) -> None:
        """Play an honest host up to ``goal`` (so deep phases get fuzzed too)."""
        for _ in range(8):
            if self.p.phase is goal:
                return
            self.advance_one()

    def advance_one(self) -> None:
        phase = self.p.phase
        if phase is PartPhase.CONNECTING:
            self.welcome("whole", 0, True)
        elif phase in (PartPhase.JOINING, PartPhase.DONE):
            self.lobby("whole", 0, [1, 2, 3], 1)
        elif phase in (PartPhase.LOBBY, PartPhase.ABORTED):
            self.start("whole", 0, True)
        elif phase is PartPhase.AWAITING_VALUE:
            self.check(self.p.submit("500"))
        elif phase is PartPhase.SUMMED:
            self.partials("whole", 0, list(self.p._parties), 8)

    @rule(how=MANGLING, cut=st.integers(0, 10_000), same=st.booleans())
    def welcome(self, how: str, cut: int, same: bool) -> None:
        sid = self.session_id if same else _rid()
        self.feed(
            mangle(encode(m.Welcome(session_id=sid, host_name="H", question=QUESTION)), how, cut)
        )

    @rule(
        how=MANGLING,
        cut=st.integers(0, 10_000),
        parties=st.one_of(
            st.sampled_from([[1, 2, 3], [1, 2], [1, 3, 4], [1, 2, 3, 4], [2, 3]]),
            st.lists(st.integers(1, 5), max_size=5),
        ),
        you=st.sampled_from([1, 1, 1, 2, 5]),
    )
    def lobby(self, how: str, cut: int, parties: list[int], you: int) -> None:
        roster = []
        for party in parties:
            who = self.identity(party) or crypto.Identity()
            pub = who.public
            roster.append(
                m.Member(party=party, name=f"n{party}", sign_key=pub.sign_key, kem_key=pub.kem_key)
            )
        self.roster = tuple(roster)
        self.feed(mangle(encode(m.Lobby(you=you, roster=self.roster)), how, cut))

    @rule(how=MANGLING, cut=st.integers(0, 10_000), good=st.booleans())
    def start(self, how: str, cut: int, good: bool) -> None:
        self.round_id = _rid()
        digest = (
            roster_digest(self.p.session_id, QUESTION, FINGERPRINT, self.roster)
            if good
            else bytes(32)
        )
        self.digest = digest
        self.feed(mangle(encode(m.Start(round_id=self.round_id, roster_digest=digest)), how, cut))

    @rule(
        how=MANGLING,
        cut=st.integers(0, 10_000),
        senders=st.lists(st.integers(1, 5), max_size=4),
        size=st.sampled_from([0, 8, 16]),
    )
    def partials(self, how: str, cut: int, senders: list[int], size: int) -> None:
        vectors, tags = [], []
        for sender in senders:
            vector = self.p._partial if sender == 1 and self.p._partial else bytes(size)
            pair = self.pair(sender)
            context = round_context(self.p.session_id, self.round_id, self.digest)
            vectors.append(vector)
            tags.append(
                bytes(16)
                if sender == 1
                else partial_tag(pair, context, sender, 1, vector)
                if pair
                else bytes(16)
            )
        partials = m.Partials(
            round_id=self.round_id,
            parties=tuple(senders),
            vectors=b"".join(vectors),
            tags=b"".join(tags),
        )
        self.feed(mangle(encode(partials), how, cut))

    def pair(self, sender: int) -> bytes | None:
        """The secret the honest ``sender`` shares with us, if it has one."""
        who = self.identity(sender)
        members = {x.party: x for x in self.roster}
        if who is None or sender == 1 or not {sender, 1} <= members.keys():
            return None
        info = pair_info(self.p.session_id, members[sender], members[1])
        try:
            return who.pair_key(members[1].kem_key, info)
        except IntegrityError:
            return None

    @rule(
        how=MANGLING,
        cut=st.integers(0, 10_000),
        msg=st.sampled_from(
            ["progress", "aborted", "rejected", "closed", "ping", "pong", "hello", "partial sum"]
        ),
        current=st.booleans(),
    )
    def other(self, how: str, cut: int, msg: str, current: bool) -> None:
        rid = self.round_id if current else _rid()
        pub = self.p.identity.public
        message: Message = {
            "progress": m.Progress(round_id=rid, summed=(1, 9)),
            "aborted": m.Aborted(round_id=rid, reason="x", missing=(2, 7)),
            "rejected": m.Rejected(reason="no"),
            "closed": m.Closed(reason="bye"),
            "ping": m.Ping(),
            "pong": m.Pong(),
            "hello": m.Hello(
                name="x", sign_key=pub.sign_key, kem_key=pub.kem_key, signature=bytes(64)
            ),
            "partial sum": m.PartialSum(round_id=rid, vector=bytes(8), tags=b""),
        }[msg]
        self.feed(mangle(encode(message), how, cut))

    @rule(
        action=st.sampled_from(["submit", "leave", "cancel", "lost"]), value=st.integers(-5, 100005)
    )
    def person(self, action: str, value: int) -> None:
        if action == "submit":
            if self.p.question is not None and self.p.phase not in (
                PartPhase.DONE,
                PartPhase.ENDED,
            ):
                try:
                    self.check(self.p.submit(str(value)))
                except InputError:  # the documented refusal of bad input, nothing else
                    assert not 0 <= value <= 100000
        elif action == "lost":
            self.check(self.p.connection_lost())
        else:
            self.check(self.p.leave() if action == "leave" else self.p.cancel())

    @invariant()
    def consistent(self) -> None:
        COUNTS["participant steps"] += 1
        REACHED.add(f"participant {self.p.phase.value}")
        assert isinstance(self.p.phase, PartPhase)
        if self.p.phase in (PartPhase.ENDED, PartPhase.DONE):
            assert not self.p.has_value and not self.p._context
        if self.p.phase is PartPhase.ENDED:
            assert not self.p._pairs, "pairwise secrets go with the session"
        if self.p.ended:
            assert self.p.receive_data(encode(m.Ping())) == []
        assert len({mem.party for mem in self.p.roster}) == len(self.p.roster)


HostFuzz.TestCase.settings = SETTINGS
ParticipantFuzz.TestCase.settings = SETTINGS
TestHostFuzz = HostFuzz.TestCase
TestParticipantFuzz = ParticipantFuzz.TestCase


def test_fuzz_volume() -> None:
    """Runs last in this module: thousands of generated steps went through each machine."""
    if COUNTS["host steps"] == 0:  # run alone (-k): nothing to report
        return
    print(f"\nstate-machine fuzz steps: {COUNTS}; phases reached: {sorted(REACHED)}")
    assert COUNTS["host steps"] >= 1000 and COUNTS["participant steps"] >= 1000


HOSTILE: dict[str, Callable[[ParticipantFuzz], None]] = {
    "welcome again": lambda f: f.welcome("whole", 0, False),
    "lobby without me": lambda f: f.lobby("whole", 0, [2, 3], 2),
    "lobby, fewer others": lambda f: f.lobby("whole", 0, [1, 2], 1),
    "lobby, other keys": lambda f: f.lobby("whole", 0, [1, 4, 5], 1),
    "start": lambda f: f.start("whole", 0, True),
    "start, wrong digest": lambda f: f.start("whole", 0, False),
    "partials": lambda f: f.partials("whole", 0, [1, 2, 3], 8),
    "partials, one missing": lambda f: f.partials("whole", 0, [1, 2], 8),
    "partials, strangers": lambda f: f.partials("whole", 0, [1, 4, 5], 8),
    "partials, wrong size": lambda f: f.partials("whole", 0, [1, 2, 3], 16),
    **{
        kind: functools.partial(ParticipantFuzz.other, how="whole", cut=0, msg=kind, current=True)
        for kind in ("progress", "aborted", "rejected", "closed", "hello", "partial sum")
    },
    "truncated": lambda f: f.welcome("truncated", 7, True),
    "bad version": lambda f: f.start("version", 0, True),
    "oversized": lambda f: f.start("oversized", 0, True),
}


@pytest.mark.parametrize("phase", [p for p in PartPhase if p is not PartPhase.ENDED])
def test_every_hostile_message_at_every_participant_phase(phase: PartPhase) -> None:
    """Exhaustive companion to the random search: each message, in each phase, then play on."""
    for name, inject in HOSTILE.items():
        for then in ("done", "submit", "leave"):
            try:
                _play(phase, inject, then)
            except Exception as exc:
                raise AssertionError(f"{name!r} while {phase.value}, then {then}") from exc


def _play(phase: PartPhase, inject: Callable[[ParticipantFuzz], None], then: str) -> None:
    f = ParticipantFuzz()
    if phase is PartPhase.ABORTED:  # an honest host aborts when someone goes missing
        f.advance(PartPhase.SUMMED)
        f.other("whole", 0, "aborted", True)
    f.advance(phase)
    assert f.p.phase is phase
    inject(f)
    f.consistent()
    if then == "done":
        f.advance(PartPhase.DONE)
    else:
        f.person(then, 500)
    f.consistent()


def _signed_hello(f: HostFuzz, who: crypto.Identity, name: str) -> m.Hello:
    pub = who.public
    signed = crypto.context("hello", f.host.session_id, name.encode(), pub.sign_key, pub.kem_key)
    return m.Hello(
        name=name, sign_key=pub.sign_key, kem_key=pub.kem_key, signature=who.sign(signed)
    )


def _host_hostile(f: HostFuzz, conn: int) -> dict[str, list[bytes]]:
    """Each hostile thing connection ``conn`` can send, as the bytes it sends."""
    rnd = f.host._round
    rid = rnd.round_id if rnd else _rid()
    me = f.host._conns[conn].member if conn in f.host._conns else None
    mine = me.party if me else 99
    others = [mem.party for mem in f.host.roster if mem.party != mine]
    tags = bytes(16 * len(others))
    msgs: dict[str, Message] = {
        "hello again": _signed_hello(f, f.raw[conn], "Mallory"),
        "hello, taken name": _signed_hello(f, crypto.Identity(), "H0"),
        "hello, someone's key": _signed_hello(f, next(iter(f.honest.values())).identity, "Eve"),
        "partial": m.PartialSum(round_id=rid, vector=bytes(8), tags=tags),
        "partial, old round": m.PartialSum(round_id=_rid(), vector=bytes(8), tags=tags),
        "partial, tags missing": m.PartialSum(round_id=rid, vector=bytes(8), tags=tags[16:]),
        "complaint": m.Complaint(round_id=rid, accused=others[0] if others else 1),
        "cancel": m.Cancel(round_id=rid),
        "leave": m.Leave(),
        "start": m.Start(round_id=rid, roster_digest=bytes(32)),
        "partials": m.Partials(round_id=rid, parties=(), vectors=b"", tags=b""),
    }
    out = {name: [encode(msg)] for name, msg in msgs.items()}
    frame = encode(m.Cancel(round_id=rid))
    for how in ("truncated", "version", "oversized", "split", "garbage"):
        out[how] = mangle(frame, how, 7)
    return out


def _host_at(phase: str, stage: str) -> tuple[HostFuzz, int]:
    f = HostFuzz()
    f.stranger_connects()
    raw = max(f.raw)
    if stage != "stranger":
        f.host_out(f.host.receive_data(raw, encode(_signed_hello(f, f.raw[raw], "Mallory"))))
    if stage == "member":
        f.host_out(f.host.admit(raw))
    for i in range(3):
        f.honest_joins(f"H{i}")
    for conn in sorted(f.host.pending):
        if conn in f.honest:
            f.host_out(f.host.admit(conn))
    f.pump()
    for conn, party in f.honest.items():
        if not (phase == "aborted" and conn == max(f.honest)):  # not typed yet
            f.party_out(conn, party.submit("1000"))
    if phase == "summing":
        f.held_up = min(f.honest)
    if phase != "lobby":
        f.start()
    if phase == "aborted":
        conn = min(f.honest)
        f.party_out(conn, f.honest[conn].cancel())
        f.pump()
    assert f.host.phase.value == phase
    return f, raw


HOST_CASES = [
    (phase, stage)
    for phase in ("lobby", "summing", "done", "aborted")
    for stage in ("stranger", "pending", "member")
    # A member's round cannot finish without its partial sum.
    if not (stage == "member" and phase == "done")
]


@pytest.mark.parametrize(("phase", "stage"), HOST_CASES)
def test_every_hostile_message_at_every_host_phase(phase: str, stage: str) -> None:
    """Exhaustive companion on the host side: each message from a stranger, a pending
    joiner or a member, in each phase; then the honest group plays on."""
    names = list(_host_hostile(*_host_at(phase, stage)))
    for name in names:
        try:
            f, raw = _host_at(phase, stage)
            f.consistent()
            if raw not in f.gone:
                for chunk in _host_hostile(f, raw)[name]:
                    if raw not in f.gone:
                        f.host_out(f.host.receive_data(raw, chunk))
                f.pump()
            f.consistent()
            f.held_up = None
            f.advance()
            f.consistent()
        except Exception as exc:
            raise AssertionError(f"{name!r} from a {stage} while {phase}") from exc
