"""Stateful fuzzing of `HostSession` and `ParticipantSession` with hypothesis (protocol 3).

Whatever arrives — messages of every type, valid-looking or corrupt, out of
turn, for another epoch or round, twice, meant for the other direction; a
second Hello, duplicate names or keys; garbage, truncated frames, bad
versions, oversized length prefixes, bytes split anywhere — the state
machines answer only with protocol outcomes (`Send`, `Drop`, events; peer
errors handled inside) and never raise. After every step:

Host side (a real host with honest participants and hostile raw connections;
a raw member may also play its part, correctly or cheating with well-formed
messages, so that rounds go deep):
- the roster has unique parties, names and keys, all on live connections; the
  host never sends to or drops a connection it dropped; what one connection
  sends never gets another one dropped (nobody is expelled on a complaint);
  an honest member is never dropped as a cheat (not for a complaint about
  the confirmations, nor for a Cancel racing the last one) nor told the host
  sent something invalid;
- an honest member whose code is ready for the host's epoch shows the host's code;
- a result exists only for a round every member finished, and every member
  shows the host's result and result code (one result for all); a stopped
  round is never summed;
- a member that opened its self-mask means the round can no longer stop, or
  the question is closed; it never publishes another partial sum;
- no member publishes a partial sum in a re-run before the person said so.

Participant side (one participant fed by a hostile host that holds the other
members' keys, so it can forge everything the others would send):
- it reveals its code nonce only after its own commitment came back intact;
- it publishes a partial sum only in a round whose Start carries the digest of
  the code on its screen, of at least 3 members, never after it opened a
  self-mask, and in a re-run only after the person's word;
- it confirms only a transcript with its own partial sum intact, with correct tags;
- it opens its self-mask only when every other member's confirmation over its
  transcript checks out, and the seed matches the commitment it published;
- it shows a result only when every seed matches its commitment: the sum of
  the partial sums minus the self-masks, under the transcript's result code;
- an ended participant holds no value or keys and ignores further bytes.

Random runs start at a station (a host from lobby to closed question, a
participant from connecting to closed), copied from a machine brought there
once; the exhaustive tests try every hostile message at every station.
`HYPOTHESIS_PROFILE=thorough` runs many more sequences (tests/conftest.py).
"""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import functools
import os
import struct
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import ClassVar, Self

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from huddle.core import crypto
from huddle.core import host as host_module
from huddle.core import messages as m
from huddle.core import participant as participant_module
from huddle.core.codec import FrameDecoder, Message, encode
from huddle.core.errors import InputError, IntegrityError, LocalProtocolError, RemoteProtocolError
from huddle.core.events import (
    Drop,
    Event,
    Output,
    ResultReady,
    RosterChanged,
    RoundAborted,
    RoundStarted,
    Send,
    SessionEnded,
)
from huddle.core.host import HostSession
from huddle.core.host import Phase as HostPhase
from huddle.core.masks import (
    confirm_tag,
    nonce_commitment,
    pair_info,
    round_context,
    seed_commitment,
    self_mask_key,
    transcript_digest,
)
from huddle.core.participant import ParticipantSession
from huddle.core.participant import Phase as PartPhase
from huddle.core.questions import Question
from huddle.core.security_code import code_digest, result_code, roster_digest, security_code
from tests.core.harness import Network, make_network

QUESTION = Question(title="raise", hi="100000")
FINGERPRINT = bytes(range(32))
HASH = 32
TAG = crypto.TAG_BYTES
RING = 1 << 64
STEPS = 40
SETTINGS = settings(max_examples=settings().max_examples, stateful_step_count=STEPS, deadline=None)
COUNTS = {"host steps": 0, "participant steps": 0}
REACHED: set[str] = set()
"""Phases reached in this process, for the report (see test_fuzz_volume)."""
INVALID = "The host sent something invalid"
HONEST_DROPS = {
    *("left", "rejected by host", "session closed", "removed by the host"),
    "Hello without a clean name.",  # the fuzz's "Ann ": apps clean names before joining
}
"""Why an honest host may drop an honest member."""


@pytest.fixture(autouse=True)
def _no_rehearsal(monkeypatch: pytest.MonkeyPatch) -> None:
    """Skip the warm-up each session runs once (`masks.rehearse`): it changes no state,
    and thousands of sessions here would spend a millisecond each on it."""
    monkeypatch.setattr(host_module, "rehearse", lambda length: None)
    monkeypatch.setattr(participant_module, "rehearse", lambda length: None)


def _rid() -> bytes:
    return os.urandom(m.ID_BYTES)


def _slot(blob: bytes, index: int, size: int) -> bytes:
    return blob[index * size : (index + 1) * size]


def _decode(frame: bytes) -> Message:
    return FrameDecoder().feed(frame)[0]


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
    ["whole"] * 6 + ["split"] * 2 + ["truncated", "version", "oversized", "garbage"]
)
DELIVERED = ("whole", "split")
"""Manglings that deliver the frame as it was built."""


_SIGNATURES: dict[tuple[bytes, str, bytes, bytes], bytes] = {}
"""Hello signatures already made (Ed25519 signs deterministically): thousands of
rosters here list the same members."""


def signed(party: int, name: str, session_id: bytes, who: crypto.Identity) -> m.Member:
    """A roster entry for ``who`` with the signature its Hello would carry."""
    pub = who.public
    key = (session_id, name, pub.sign_key, pub.kem_key)
    if key not in _SIGNATURES:
        _SIGNATURES[key] = who.sign(m.hello_context(*key))
    signature = _SIGNATURES[key]
    return m.Member(
        party=party, name=name, sign_key=pub.sign_key, kem_key=pub.kem_key, signature=signature
    )


def signed_hello(session_id: bytes, who: crypto.Identity, name: str) -> m.Hello:
    pub = who.public
    signature = who.sign(m.hello_context(session_id, name, pub.sign_key, pub.kem_key))
    return m.Hello(name=name, sign_key=pub.sign_key, kem_key=pub.kem_key, signature=signature)


# --- the host, its honest members and hostile connections ----------------------------


@dataclass
class Raw:
    """A hostile connection's keys and the secrets it would play its part with."""

    identity: crypto.Identity
    nonces: dict[int, bytes] = field(default_factory=dict)
    """Epoch → the nonce it commits to (if it plays along)."""
    seeds: dict[bytes, bytes] = field(default_factory=dict)
    """Round id → the seed of its self-mask (if it plays along)."""

    def nonce(self, epoch: int) -> bytes:
        return self.nonces.setdefault(epoch, os.urandom(HASH))

    def seed(self, round_id: bytes) -> bytes:
        return self.seeds.setdefault(round_id, os.urandom(HASH))


class Twins(RuleBasedStateMachine):
    """A state machine whose protocol state can be copied (`twin`): the exhaustive tests
    bring one to a station once and try each hostile message on a copy."""

    def __init__(self) -> None:
        super().__init__()
        self._bookkeeping = set(vars(self))
        """Hypothesis's own attributes: shared by twins, never copied."""

    def twin(self) -> Self:
        twin = copy.copy(self)
        memo = {id(getattr(self, k)): getattr(self, k) for k in self._bookkeeping}
        for key, value in vars(self).items():
            if key not in self._bookkeeping and key != "_bookkeeping":
                setattr(twin, key, copy.deepcopy(value, memo))
        return twin

    def become(self, key: object, build: Callable[[], Self]) -> None:
        """Take the protocol state of a fresh twin of the machine ``build`` makes (once per
        ``key``): random runs start at a station without paying for the way there."""
        if key not in _PROTOTYPES:
            _PROTOTYPES[key] = build()
        twin = _PROTOTYPES[key].twin()
        for name, value in vars(twin).items():
            if name not in self._bookkeeping and name != "_bookkeeping":
                setattr(self, name, value)


_PROTOTYPES: dict[object, Twins] = {}


HOSTILE_KINDS = (
    *("its move", "hello", "commit", "reveal", "partial sum", "confirm", "unmask"),
    *("complaint", "cancel", "leave", "ping", "pong"),
    *("start", "aborted", "progress", "commitments", "reveals", "partials", "confirms"),
    *("unmasks", "lobby", "closed", "rejected"),
)
"""What a raw connection sends the host: its part (played right or cheating), any
member message, a message meant for members, anything else."""
HOST_STATIONS = ("lobby", "summing", "confirming", "unmasking", "done", "aborted", "closed")
"""Where a host fuzz starts. "closed": a round stopped after self-masks may have
opened (the question is closed)."""
HOLD_AT: dict[str, type[Message]] = {
    "summing": m.PartialSum,
    "confirming": m.Confirm,
    "unmasking": m.Unmask,
}
STAGES = ("stranger", "pending", "member", "member, its turn")
"""How far the raw connection of a host station got: Hello not sent, not admitted,
admitted (and played its part so far), admitted with its next message due."""
TURNS = ("lobby", "summing", "confirming", "unmasking")
"""Where a raw member can have its next message due (later, it has nothing to send)."""


class HostFuzz(Twins):
    """A host, some honest participants and some hostile raw connections."""

    def __init__(self) -> None:
        super().__init__()
        self.reset()

    def reset(self) -> None:
        """A fresh session: a new host, nobody connected."""
        self.host = HostSession(
            question=QUESTION, host_name="Host", fingerprint=FINGERPRINT, random_bytes=os.urandom
        )
        self.honest: dict[int, ParticipantSession] = {}
        self.raw: dict[int, Raw] = {}
        self.gone: set[int] = set()  # connections the host dropped or was told were lost
        self.queue: deque[tuple[str, int, bytes]] = deque()
        self.hold: tuple[int, int] | None = None
        """(connection, frame type): from that member's next frame of that type on, all
        its frames wait in `held` (until `release`)."""
        self.held: list[tuple[int, bytes]] = []
        self.opened: set[int] = set()
        """Honest connections that sent their self-mask's seed."""
        self.awaiting_word: set[int] = set()
        """Honest connections in a re-run the person has not agreed to yet."""

    @initialize(station=st.sampled_from(HOST_STATIONS), stage=st.sampled_from(["nobody", *STAGES]))
    def begin(self, station: str, stage: str) -> None:
        """Start at ``station`` (see `setup`), from a copy of a machine brought there once."""
        stage = stage if station in TURNS else stage.replace(", its turn", "")

        def build() -> HostFuzz:
            machine = HostFuzz()
            machine.setup(station, stage)
            return machine

        self.become(("host", station, stage), build)

    def setup(self, station: str, stage: str) -> int | None:
        """Three honest members and maybe a raw connection (a ``stage``), at ``station``.

        A raw member plays its part correctly until then (otherwise no code and
        no round); one honest member's frame is held (see `slow`) to stop the
        round in its phase — or, for a "member, its turn", the raw member's own
        next message is the one the host waits for. Returns the raw connection.
        """
        its_turn = stage == "member, its turn"
        raw = None
        if stage != "nobody":
            self.stranger_connects()
            raw = max(self.raw)
        if raw is not None and stage != "stranger":
            hello = signed_hello(self.host.session_id, self.raw[raw].identity, "Mallory")
            self.host_out(self.host.receive_data(raw, encode(hello)))
        if raw is not None and stage.startswith("member"):
            self.host_out(self.host.admit(raw))
        for i in range(3):
            self.honest_joins(f"H{i}")
        for conn in sorted(self.host.pending):
            if conn in self.honest:
                self.host_out(self.host.admit(conn))
        self.pump()
        if not (its_turn and station == "lobby"):
            self.settle()
        first = min(self.honest)
        for conn, party in self.honest.items():
            if not (station == "aborted" and conn == max(self.honest)):  # not typed yet
                self.party_out(conn, party.submit("1000"), word=True)
        held = HOLD_AT.get(station if station != "closed" else "unmasking")
        if held is not None and not its_turn:
            self.hold = (first, held.TYPE)
        if station != "lobby":
            self.start()
            self.settle(until=station if its_turn else "")
        if station == "aborted":
            self.party_out(first, self.honest[first].cancel())
            self.pump()
        if station == "closed":
            self.lose_conn(first)
            self.party_out(first, self.honest[first].connection_lost())
            self.pump()
            assert self.host.question_closed
        expected = "aborted" if station == "closed" else station
        assert self.host.phase.value == expected, (self.host.phase, station)
        return raw

    # --- plumbing --------------------------------------------------------------

    def host_out(self, outs: list[Output]) -> None:
        for out in outs:
            if isinstance(out, Send):
                assert out.conn not in self.gone, "the host sent to a dropped connection"
                if out.conn in self.honest:
                    self.queue.append(("down", out.conn, out.data))
            elif isinstance(out, Drop):
                assert out.conn not in self.gone, "the host dropped a connection twice"
                if out.conn in self.honest:  # an honest app is never dropped as a cheat
                    assert out.reason in HONEST_DROPS, out.reason
                self.gone.add(out.conn)
                self.queue.append(("drop", out.conn, b""))
            else:
                assert isinstance(out, Event)

    def party_out(self, conn: int, outs: list[Output], *, word: bool = False) -> None:
        """What honest ``conn`` does; ``word``: the person just answered or agreed to take part."""
        if word:
            self.awaiting_word.discard(conn)
        for out in outs:
            assert not isinstance(out, Send | Drop) or out.conn == 0
            if isinstance(out, Send):
                kind = out.data[5]
                if kind == m.PartialSum.TYPE:
                    assert conn not in self.opened, "a member that opened its self-mask re-ran"
                    assert conn not in self.awaiting_word, "a re-run without the person's word"
                elif kind == m.Unmask.TYPE:
                    self.opened.add(conn)
                self.queue.append(("up", conn, out.data))
            elif isinstance(out, Drop):
                self.queue.append(("lost", conn, b""))
            elif isinstance(out, RoundStarted) and out.rerun:
                self.awaiting_word.add(conn)
            elif isinstance(out, RoundStarted):
                self.awaiting_word.discard(conn)
            elif isinstance(out, ResultReady):
                # One result for all: the host's, under the same transcript code.
                assert self.host.phase in (HostPhase.DONE, HostPhase.CLOSED)
                assert out.outcome == self.host.outcome and out.code == self.host.result_code
            elif isinstance(out, SessionEnded):
                assert not out.reason.startswith(INVALID), out.reason

    def pump(self) -> None:
        while self.queue:
            direction, conn, data = self.queue.popleft()
            party = self.honest.get(conn)
            if direction == "down" and party is not None:
                self.party_out(conn, party.receive_data(data))
            elif direction == "drop" and party is not None:
                self.party_out(conn, party.connection_lost())
            elif direction == "up" and conn not in self.gone:
                # A slow link: from the held frame on, everything that member sends waits
                # (one TCP connection never reorders frames).
                if self.hold == (conn, data[5]) or any(c == conn for c, _ in self.held):
                    self.held.append((conn, data))
                    continue
                self.host_out(self.host.receive_data(conn, data))
            elif direction == "lost" and conn not in self.gone:
                self.lose_conn(conn)

    def release(self) -> None:
        """Let the held frames go on to the host."""
        self.hold = None
        self.queue.extend(("up", conn, data) for conn, data in self.held)
        self.held.clear()
        self.pump()

    def lose_conn(self, conn: int) -> None:
        outs = self.host.connection_lost(conn)
        self.gone.add(conn)
        self.host_out(outs)

    def from_raw(self, conn: int, chunks: list[bytes]) -> None:
        """Hostile bytes from raw ``conn``: whatever they are, only ``conn`` may be dropped."""
        for chunk in chunks:
            if conn in self.gone:
                break
            outs = self.host.receive_data(conn, chunk)
            dropped = {o.conn for o in outs if isinstance(o, Drop)}
            assert dropped <= {conn}, "one connection's message got another one dropped"
            self.host_out(outs)
        self.pump()

    def live(self, pool: dict[int, object]) -> list[int]:
        return sorted(c for c in pool if c not in self.gone)

    def parties(self) -> list[int]:
        return [mem.party for mem in self.host.roster] + [0, 99]

    def member(self, conn: int) -> m.Member | None:
        c = self.host._conns.get(conn)
        return c.member if c is not None else None

    def admitted(self, conn: int) -> m.Member | None:
        member = self.member(conn)
        return member if member is not None and member in self.host.roster else None

    # --- a raw member playing its part ----------------------------------------------

    def plays(self, conn: int, cheat: bool = False) -> list[Message]:
        """What raw member ``conn`` would send next if it followed the protocol.

        ``cheat``: the same message, well formed, but with what a cheating member would
        put in it: a nonce or seed that does not match its commitment, forged tags.
        """
        me = self.admitted(conn)
        if me is None:
            return []
        raw, host = self.raw[conn], self.host
        epoch, rnd = host._epoch, host._round
        if me in epoch.roster and me.party not in epoch.commitments:
            nonce = raw.nonce(epoch.number)
            commitment = nonce_commitment(host.session_id, epoch.number, me.party, nonce)
            return [m.Commit(epoch=epoch.number, commitment=commitment)]
        if me in epoch.roster and epoch.commitments_sent and me.party not in epoch.nonces:
            nonce = os.urandom(HASH) if cheat else raw.nonce(epoch.number)
            return [m.Reveal(epoch=epoch.number, nonce=nonce)]
        if rnd is None or me.party not in rnd.parties:
            return []
        seed = raw.seed(rnd.round_id)
        if host.phase is HostPhase.SUMMING and me.party not in rnd.partials:
            vector = os.urandom(8 * QUESTION.vector_length)
            commitment = seed_commitment(rnd.context, me.party, seed)
            return [m.PartialSum(round_id=rnd.round_id, vector=vector, commitment=commitment)]
        if host.phase is HostPhase.CONFIRMING and me.party not in rnd.confirms:
            tags = self.tags(conn, me)
            return [m.Confirm(round_id=rnd.round_id, tags=bytes(len(tags)) if cheat else tags)]
        if host.phase is HostPhase.UNMASKING and me.party not in rnd.seeds:
            return [m.Unmask(round_id=rnd.round_id, seed=os.urandom(HASH) if cheat else seed)]
        return []

    def tags(self, conn: int, me: m.Member) -> bytes:
        """Raw member ``me``'s confirmation tags, right for each honest member it can pair with."""
        rnd, identity = self.host._round, self.raw[conn].identity
        assert rnd is not None
        mine = identity.public
        ours = (me.sign_key, me.kem_key) == (mine.sign_key, mine.kem_key)
        roster = {x.party: x for x in self.host.roster}
        tags = b""
        for party in rnd.parties:
            peer = roster.get(party)
            if party == me.party:
                continue
            if not ours or peer is None:
                tags += bytes(TAG)
                continue
            pair = identity.pair_key(peer.kem_key, pair_info(self.host.session_id, me, peer))
            tags += confirm_tag(pair, rnd.context, me.party, party, rnd.transcript)
        return tags

    def settle(self, until: str = "") -> None:
        """Every raw member plays its part until none has anything left to send (or the
        host is ``until``: then the host waits for the raw members' next messages)."""
        for _ in range(12):
            moves = [(c, msg) for c in self.live(self.raw) for msg in self.plays(c)]  # type: ignore[arg-type]
            if not moves or self.host.phase.value == until:
                return
            for conn, msg in moves:
                self.from_raw(conn, [encode(msg)])

    # --- the host person ---------------------------------------------------------

    @rule(data=st.data())
    def admit(self, data: st.DataObject) -> None:
        if self.host.pending:
            conn = data.draw(st.sampled_from(sorted(self.host.pending)))
            try:
                self.host_out(self.host.admit(conn))
            except LocalProtocolError:  # the documented refusal: only between rounds
                assert self.host.phase not in (HostPhase.LOBBY, HostPhase.ABORTED)
            self.pump()

    @rule(data=st.data())
    def reject(self, data: st.DataObject) -> None:
        if self.host.pending:
            self.host_out(self.host.reject(data.draw(st.sampled_from(sorted(self.host.pending)))))
            self.pump()

    @rule(data=st.data())
    def remove(self, data: st.DataObject) -> None:
        party = data.draw(st.sampled_from(self.parties()))
        try:
            self.host_out(self.host.remove(party))
        except LocalProtocolError:  # the documented refusal: only between rounds
            assert self.host.phase in (
                HostPhase.SUMMING,
                HostPhase.CONFIRMING,
                HostPhase.UNMASKING,
            )
        self.pump()

    @rule()
    def start(self) -> None:
        try:
            self.host_out(self.host.start())
        except LocalProtocolError:  # the documented refusal: too few, no code, or closed
            assert not self.host.can_start
        self.pump()

    @rule()
    def cancel(self) -> None:
        self.host_out(self.host.cancel())
        self.pump()

    @rule()
    def close(self) -> None:
        if len(self.honest) + len(self.raw) > 12:
            self.host_out(self.host.close())
            self.pump()

    @rule(cooperate=st.booleans())
    def advance(self, cooperate: bool = True) -> None:
        """What an honest group would do next (so deep phases get fuzzed too).

        ``cooperate``: raw members play their part as well (else the round
        waits for them, and `raw_plays` moves them on one step at a time).
        """
        if self.host.phase in (HostPhase.LOBBY, HostPhase.ABORTED):
            while len(self.live(self.honest)) < 3 and len(self.honest) < 12:  # type: ignore[arg-type]
                self.honest_joins(f"H{len(self.honest)}")
            for conn in sorted(self.host.pending):
                if conn in self.honest:
                    self.host_out(self.host.admit(conn))
            self.pump()
            if cooperate:
                self.settle()
            if self.host.can_start:
                self.start()
        for conn, party in self.honest.items():
            if party.phase is PartPhase.AWAITING_VALUE and not party.has_value:
                self.party_out(conn, party.submit("1000"), word=True)
            elif party.awaiting_consent:
                self.party_out(conn, party.take_part(), word=True)
        self.pump()
        if cooperate:
            self.settle()

    @rule(station=st.sampled_from(HOST_STATIONS))
    def next_session(self, station: str) -> None:
        """Once a session is over, the fuzz goes on with a new one."""
        if self.host.phase in (HostPhase.DONE, HostPhase.CLOSED) or self.host.question_closed:
            self.begin(station, "nobody")

    @rule(data=st.data(), kind=st.sampled_from([m.PartialSum, m.Confirm, m.Unmask]))
    def slow(self, data: st.DataObject, kind: type[Message]) -> None:
        """An honest member's next frame of ``kind`` is slow to arrive (until `release`)."""
        live = self.live(self.honest)  # type: ignore[arg-type]
        if live and self.hold is None:
            self.hold = (data.draw(st.sampled_from(live)), kind.TYPE)

    @rule()
    def arrives(self) -> None:
        self.release()

    @rule(data=st.data(), cheat=st.booleans())
    def raw_plays(self, data: st.DataObject, cheat: bool) -> None:
        """One raw member sends what the protocol asks of it next, correctly or cheating."""
        live = self.live(self.raw)  # type: ignore[arg-type]
        if live:
            conn = data.draw(st.sampled_from(live))
            self.from_raw(conn, [encode(msg) for msg in self.plays(conn, cheat)])

    # --- honest participants ---------------------------------------------------------

    @rule(name=st.sampled_from(["Ann", "Ben", "Cat", "Dan", "Eve", "Ann "]))
    def honest_joins(self, name: str) -> None:
        if len(self.honest) >= 12:
            return
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
            with contextlib.suppress(LocalProtocolError):  # the refusal: nothing to answer now
                self.party_out(conn, self.honest[conn].submit(str(value)), word=True)
            self.pump()

    @rule(
        data=st.data(),
        action=st.sampled_from(["leave", "cancel", "lost", "take part", "idle"]),
    )
    def honest_acts(self, data: st.DataObject, action: str) -> None:
        live = self.live(self.honest)  # type: ignore[arg-type]
        if not live:
            return
        conn = data.draw(st.sampled_from(live))
        party = self.honest[conn]
        if action == "lost":
            self.lose_conn(conn)
            self.party_out(conn, party.connection_lost())
        elif action == "take part":
            try:
                self.party_out(conn, party.take_part(), word=True)
            except LocalProtocolError:  # the documented refusal: no round waits for our answer
                assert party.phase is not PartPhase.AWAITING_VALUE or not party.has_value
        elif action == "idle":  # what engines do between messages
            party.prepare()
        else:
            self.party_out(conn, party.leave() if action == "leave" else party.cancel())
        self.pump()

    # --- hostile connections ---------------------------------------------------------------

    @rule()
    def stranger_connects(self) -> None:
        if len(self.raw) < 5:
            conn, outs = self.host.connect()
            self.raw[conn] = Raw(crypto.Identity())
            self.host_out(outs)

    @rule(data=st.data(), how=MANGLING, cut=st.integers(0, 10_000))
    def stranger_sends(self, data: st.DataObject, how: str, cut: int) -> None:
        live = self.live(self.raw)  # type: ignore[arg-type]
        if not live:
            return
        conn = data.draw(st.sampled_from(live))
        msg = self.hostile_message(conn, data)
        self.from_raw(conn, mangle(encode(msg), how, cut))

    @rule(data=st.data())
    def stranger_vanishes(self, data: st.DataObject) -> None:
        live = self.live(self.raw)  # type: ignore[arg-type]
        if live:
            self.lose_conn(data.draw(st.sampled_from(live)))
            self.pump()

    def hostile_message(self, conn: int, data: st.DataObject) -> Message:
        """One message from raw ``conn``: any type, well formed or not, right or wrong."""
        raw, host = self.raw[conn], self.host
        rnd, epoch = host._round, host._epoch.number
        me = self.member(conn)
        party = me.party if me else 99
        rid = rnd.round_id if rnd else bytes(m.ID_BYTES)
        kind = data.draw(st.sampled_from(HOSTILE_KINDS))
        if kind == "its move":
            plays = self.plays(conn, data.draw(st.booleans()))
            return plays[0] if plays else m.Ping()
        if kind == "hello":
            name = data.draw(
                st.sampled_from(["Mallory", "Ann", "Ben", "", "   ", "Host", "M" * 64])
            )
            pool = [raw.identity, *(p.identity for p in self.honest.values())]
            who = data.draw(st.sampled_from([*pool, None]))
            hello = signed_hello(host.session_id, who or crypto.Identity(), name)
            if data.draw(st.booleans()):
                return hello
            signature = data.draw(st.binary(min_size=64, max_size=64))
            return dataclasses.replace(hello, signature=signature)
        if kind in ("leave", "ping", "pong", "closed", "rejected"):
            return {
                "leave": m.Leave(),
                "ping": m.Ping(),
                "pong": m.Pong(),
                "closed": m.Closed(reason="bye"),
                "rejected": m.Rejected(reason="no"),
            }[kind]
        round_id = data.draw(st.sampled_from([rid, _rid()]))
        number = data.draw(st.sampled_from([max(1, epoch), epoch + 1, max(1, epoch - 1), 0]))
        nonce, seed = raw.nonce(max(1, epoch)), raw.seed(rid)
        mine = [
            nonce,
            nonce_commitment(host.session_id, max(1, epoch), party, nonce),
            seed,
            seed_commitment(rnd.context if rnd else b"", party, seed),
            os.urandom(HASH),
        ]
        h = data.draw(st.sampled_from(mine))
        blob = data.draw(st.sampled_from([b"", h, h * 3, os.urandom(6 * TAG)]))
        target = data.draw(st.sampled_from(self.parties()))
        built: dict[str, Callable[[], Message]] = {
            "commit": lambda: m.Commit(epoch=number, commitment=h),
            "reveal": lambda: m.Reveal(epoch=number, nonce=h),
            "partial sum": lambda: m.PartialSum(
                round_id=round_id,
                vector=blob[: data.draw(st.sampled_from([0, 8, 16]))],
                commitment=h,
            ),
            "confirm": lambda: m.Confirm(round_id=round_id, tags=blob[: TAG * len(host.roster)]),
            "unmask": lambda: m.Unmask(round_id=round_id, seed=h),
            "complaint": lambda: m.Complaint(
                round_id=round_id, about=target, what=data.draw(st.integers(0, 255))
            ),
            "cancel": lambda: m.Cancel(round_id=round_id, why=data.draw(st.integers(0, 255))),
            # Meant for members, not for the host.
            "start": lambda: m.Start(round_id=round_id, roster_digest=h),
            "aborted": lambda: m.Aborted(round_id=round_id, reason="x", missing=()),
            "progress": lambda: m.Progress(round_id=round_id, summed=(party,)),
            "commitments": lambda: m.Commitments(epoch=number, commitments=blob),
            "reveals": lambda: m.Reveals(epoch=number, nonces=blob),
            "partials": lambda: m.Partials(
                round_id=round_id, parties=(party,), vectors=bytes(8), commitments=h
            ),
            "confirms": lambda: m.Confirms(round_id=round_id, tags=blob),
            "unmasks": lambda: m.Unmasks(round_id=round_id, seeds=blob),
            "lobby": lambda: m.Lobby(you=target, epoch=number, roster=host.roster),
        }
        return built[kind]()

    # --- invariants --------------------------------------------------------------------------

    @invariant()
    def consistent(self) -> None:
        COUNTS["host steps"] += 1
        host = self.host
        REACHED.add(f"host {host.phase.value}")
        roster = host.roster
        assert len({mem.party for mem in roster}) == len(roster)
        assert len({mem.name for mem in roster}) == len(roster)
        assert len({mem.sign_key for mem in roster}) == len(roster)
        assert isinstance(host.phase, HostPhase)
        assert not set(host._conns) & self.gone, "a dropped connection is still known to the host"
        # A result only for a round every member finished; a stopped round is never summed.
        assert (host.outcome is not None) == (host.phase is HostPhase.DONE) or (
            host.phase is HostPhase.CLOSED
        )
        if host._round is not None:
            assert len(host._round.parties) >= QUESTION.min_participants
        # A self-mask once opened: the round cannot stop any more, or the question is closed.
        if self.opened:
            assert host.question_closed or host.phase in (
                HostPhase.UNMASKING,
                HostPhase.DONE,
                HostPhase.CLOSED,
            )
            assert not host.can_start
        for conn, party in self.honest.items():
            assert isinstance(party.phase, PartPhase)
            if party.phase in (PartPhase.ENDED, PartPhase.DONE):
                assert not party.has_value
            if party.code and party._epoch == host._epoch.number and conn not in self.gone:
                assert party.code == host.code, "a member's code differs from the host's"
            if party.outcome is not None:
                assert party.outcome == host.outcome


# --- one participant and a hostile host -----------------------------------------------


STATION_NAMES = (
    *("connecting", "joining", "lobby, committing", "lobby, revealing", "lobby, code ready"),
    *("awaiting value", "summed", "confirmed", "opened", "done", "aborted"),
    *("re-run, new code", "re-run, awaiting consent", "closed"),
)
"""Where a participant fuzz starts (see `STATIONS` and `AFTER`)."""


class ParticipantFuzz(Twins):
    """One participant (party 1, Ann) fed by a hostile or confused host.

    The host holds the keys of parties 2-4, so it can also forge everything they
    would send; it keeps what an honest host would know, and the checks in
    `check` say what the participant may send or show in reply.
    """

    others: ClassVar[list[crypto.Identity]] = []
    session_id = _rid()

    def __init__(self) -> None:
        super().__init__()
        if not ParticipantFuzz.others:
            ParticipantFuzz.others = [crypto.Identity() for _ in range(3)]
        self.reset()

    def reset(self) -> None:
        """A new participant, on a new connection to a new session."""
        self.p = ParticipantSession(
            name="Ann", host_fingerprint=FINGERPRINT, random_bytes=os.urandom
        )
        self.mirror = FrameDecoder()
        """Decodes what we feed exactly as the participant does."""
        self.epoch = 0
        self.roster: tuple[m.Member, ...] = ()
        self.nonces: dict[int, bytes] = {}
        self.committed = False
        self.digest: bytes | None = None
        """The current epoch's code digest, once every nonce was shown as it should be."""
        self.rounds = 0
        self.round_id = _rid()
        self.context = b""
        self.parties: tuple[int, ...] = ()
        self.seeds: dict[int, bytes] = {}
        self.started = False
        """A Start went out for the current epoch's code (a new round needs a new epoch)."""
        self.transcript = b""
        self.vectors = b""
        self.sent: dict[type[Message], Message] = {}
        """The participant's last frame of each type."""
        # What the participant may do, by what it was shown.
        self.start_ok: dict[bytes, bool] = {}
        self.good_confirms: set[bytes] = set()
        self.good_unmasks: dict[bytes, int] = {}
        self.awaiting_word = False
        self.opened = False

    # --- plumbing ------------------------------------------------------------------

    @property
    def me(self) -> int:
        return self.p.me

    def identity(self, party: int) -> crypto.Identity | None:
        if party == 1:
            return self.p.identity
        return self.others[party - 2] if 2 <= party <= 4 else None

    def pair(self, party: int) -> bytes | None:
        """The secret ``party`` shares with the participant, if this host knows its keys."""
        who = self.identity(party)
        members = {x.party: x for x in self.roster}
        if who is None or party == self.me or not {party, self.me} <= members.keys():
            return None
        info = pair_info(self.p.session_id, members[party], members[self.me])
        try:
            return who.pair_key(members[self.me].kem_key, info)
        except IntegrityError:
            return None

    def feed(self, frames: list[bytes], person: str = "") -> None:
        for chunk in frames:
            if self.p.ended:
                assert self.p.receive_data(chunk) == []
                continue
            try:
                shown = self.mirror.feed(chunk)
            except RemoteProtocolError:
                shown = []
                self.check(self.p.receive_data(chunk), shown, person)
                assert self.p.ended, "a frame that cannot be decoded ends the session"
                continue
            self.check(self.p.receive_data(chunk), shown, person)

    def act(self, outs: list[Output], person: str) -> None:
        self.check(outs, [], person)

    def check(self, outs: list[Output], shown: list[Message], person: str) -> None:
        """What the participant did in reply to ``shown`` (or to the person's ``person``)."""
        if person in ("submit", "take part"):
            self.awaiting_word = False
        for out in outs:
            assert isinstance(out, Send | Drop | Event)
            if isinstance(out, Drop):
                assert self.p.ended, "a participant closes only when its session is over"
            elif isinstance(out, Send):
                msg = _decode(out.data)
                self.check_send(msg, shown)
                self.sent[type(msg)] = msg
            elif isinstance(out, RoundStarted):
                self.awaiting_word = out.rerun
            elif isinstance(out, RosterChanged) and out.code:
                assert self.digest is not None, "a code shown before every nonce was in"
                assert out.code == security_code(self.digest)
            elif isinstance(out, ResultReady):
                unmasks = [s for s in shown if isinstance(s, m.Unmasks)]
                assert unmasks and unmasks[-1].seeds in self.good_unmasks, "a result unopened"
                expected = self.good_unmasks[unmasks[-1].seeds]
                assert out.outcome.total == (expected,) and out.outcome.count == len(self.parties)
                assert out.code == result_code(self.transcript)

    def check_send(self, msg: Message, shown: list[Message]) -> None:
        sid = self.p.session_id
        if isinstance(msg, m.Reveal):
            commit = self.sent.get(m.Commit)
            assert isinstance(commit, m.Commit) and commit.epoch == msg.epoch == self.epoch
            assert nonce_commitment(sid, msg.epoch, self.me, msg.nonce) == commit.commitment
            k = [x.party for x in self.roster].index(self.me)
            relayed = [s for s in shown if isinstance(s, m.Commitments)]
            assert relayed and _slot(relayed[-1].commitments, k, HASH) == commit.commitment, (
                "the nonce was revealed before its commitment came back intact"
            )
        elif isinstance(msg, m.PartialSum):
            assert self.start_ok.get(msg.round_id), "a partial sum for a round it should refuse"
            assert not self.opened, "a partial sum after its self-mask was opened"
            assert not self.awaiting_word, "a re-run without the person's word"
        elif isinstance(msg, m.Confirm):
            partials = [s for s in shown if isinstance(s, m.Partials)]
            assert partials and partials[-1].parties == self.parties
            mine = self.sent[m.PartialSum]
            assert isinstance(mine, m.PartialSum)
            k = self.parties.index(self.me)
            assert _slot(partials[-1].vectors, k, 8) == mine.vector
            assert _slot(partials[-1].commitments, k, HASH) == mine.commitment
            for i, party in enumerate(p for p in self.parties if p != self.me):
                pair = self.pair(party)
                if pair is not None:
                    tag = confirm_tag(pair, self.context, self.me, party, self.transcript)
                    assert _slot(msg.tags, i, TAG) == tag, "a wrong confirmation tag"
        elif isinstance(msg, m.Unmask):
            confirms = [s for s in shown if isinstance(s, m.Confirms)]
            assert confirms and confirms[-1].tags in self.good_confirms, (
                "a self-mask opened without every member's confirmation"
            )
            mine = self.sent[m.PartialSum]
            assert isinstance(mine, m.PartialSum) and mine.round_id == msg.round_id
            assert seed_commitment(self.context, self.me, msg.seed) == mine.commitment
            self.opened = True

    # --- an honest host, played step by step -------------------------------------------

    @initialize(station=st.sampled_from(STATION_NAMES))
    def begin(self, station: str) -> None:
        def build() -> ParticipantFuzz:
            machine = ParticipantFuzz()
            for step in _steps_to(station):
                step(machine)
            return machine

        self.become(("participant", station), build)

    @rule(station=st.sampled_from(STATION_NAMES))
    def rejoin(self, station: str) -> None:
        """Once the session is over, the fuzz goes on with a new one."""
        if self.p.ended:
            self.reset()
            self.begin(station)

    @rule(goal=st.sampled_from(list(PartPhase)))
    def advance(self, goal: PartPhase) -> None:
        """Play an honest host up to ``goal`` (so deep phases get fuzzed too)."""
        for _ in range(12):
            if self.p.phase is goal or self.p.ended:
                return
            self.advance_one()

    def advance_one(self) -> None:
        phase = self.p.phase
        if phase is PartPhase.CONNECTING:
            self.welcome("whole", 0, True)
        elif phase is PartPhase.JOINING:
            self.lobby("whole", 0, [1, 2, 3], 1, True, False)
        elif phase in (PartPhase.LOBBY, PartPhase.ABORTED, PartPhase.CLOSED, PartPhase.DONE):
            if phase is PartPhase.DONE or self.started:
                self.lobby("whole", 0, [1, 2, 3], 1, True, False)  # an honest host re-runs so
            elif not self.committed:
                self.commitments("whole", 0, "good")
            elif self.digest is None:
                self.reveals("whole", 0, "good")
            else:
                self.start("whole", 0, True, True)
        elif phase is PartPhase.AWAITING_VALUE:
            self.person("take part" if self.p.has_value else "submit", 500)
        elif phase is PartPhase.SUMMED:
            self.partials("whole", 0, list(self.parties), 8, "good")
        elif phase is PartPhase.CONFIRMED:
            self.confirms("whole", 0, "good")
        elif phase is PartPhase.OPENED:
            self.unmasks("whole", 0, "good")

    @rule(how=MANGLING, cut=st.integers(0, 10_000), same=st.booleans())
    def welcome(self, how: str, cut: int, same: bool) -> None:
        sid = self.session_id if same else _rid()
        welcome = m.Welcome(session_id=sid, host_name="H", question=QUESTION)
        self.feed(mangle(encode(welcome), how, cut))

    @rule(
        how=MANGLING,
        cut=st.integers(0, 10_000),
        parties=st.one_of(
            st.sampled_from([[1, 2, 3], [1, 2], [1, 3, 4], [1, 2, 3, 4], [2, 3], [1, 4, 5]]),
            st.lists(st.integers(1, 5), max_size=5),
        ),
        you=st.sampled_from([1, 1, 1, 2, 5]),
        good=st.booleans(),
        repeat=st.booleans(),
    )
    def lobby(
        self, how: str, cut: int, parties: list[int], you: int, good: bool, repeat: bool
    ) -> None:
        """A roster (signed as its members did, or not) for a new epoch, or the last one again."""
        sid = self.p.session_id
        roster = []
        for party in parties:
            who = self.identity(party) or crypto.Identity()
            member = signed(party, "Ann" if party == 1 else f"n{party}", sid, who)
            if not good and party != you:
                member = m.Member(
                    party=party,
                    name=member.name,
                    sign_key=member.sign_key,
                    kem_key=member.kem_key,
                    signature=bytes(64),
                )
            roster.append(member)
        epoch = self.epoch if repeat else self.epoch + 1
        lobby = m.Lobby(you=you, epoch=max(1, epoch), roster=tuple(roster))
        if how in DELIVERED:
            self.epoch, self.roster = lobby.epoch, lobby.roster
            self.nonces = {x.party: os.urandom(HASH) for x in self.roster}
            self.committed, self.digest, self.started = False, None, False
        self.feed(mangle(encode(lobby), how, cut))

    @rule(
        how=MANGLING,
        cut=st.integers(0, 10_000),
        variant=st.sampled_from(["good", "mine altered", "short", "other epoch"]),
    )
    def commitments(self, how: str, cut: int, variant: str) -> None:
        sid = self.p.session_id
        commit = self.sent.get(m.Commit)
        blob = b""
        for x in self.roster:
            if x.party == self.me and isinstance(commit, m.Commit) and variant != "mine altered":
                blob += commit.commitment
            else:
                blob += nonce_commitment(sid, self.epoch, x.party, self.nonces[x.party])
        if variant == "short":
            blob = blob[HASH:]
        epoch = self.epoch + 1 if variant == "other epoch" else self.epoch
        if how in DELIVERED and variant == "good":
            self.committed = True
        self.feed(mangle(encode(m.Commitments(epoch=max(1, epoch), commitments=blob)), how, cut))

    @rule(
        how=MANGLING,
        cut=st.integers(0, 10_000),
        variant=st.sampled_from(["good", "bad nonce", "short", "other epoch"]),
    )
    def reveals(self, how: str, cut: int, variant: str) -> None:
        reveal = self.sent.get(m.Reveal)
        ours = isinstance(reveal, m.Reveal) and reveal.epoch == self.epoch
        nonces = [
            reveal.nonce if x.party == self.me and isinstance(reveal, m.Reveal) else
            self.nonces[x.party]
            for x in self.roster
        ]  # fmt: skip
        if variant == "bad nonce" and len(nonces) > 1:
            nonces[-1 if self.roster[-1].party != self.me else 0] = os.urandom(HASH)
        blob = b"".join(nonces)[HASH if variant == "short" else 0 :]
        epoch = self.epoch + 1 if variant == "other epoch" else self.epoch
        if how in DELIVERED and variant == "good" and ours and self.committed:
            base = roster_digest(self.p.session_id, QUESTION, FINGERPRINT, self.roster)
            self.digest = code_digest(base, self.epoch, blob)
        self.feed(mangle(encode(m.Reveals(epoch=max(1, epoch), nonces=blob)), how, cut))

    @rule(how=MANGLING, cut=st.integers(0, 10_000), good=st.booleans(), fresh=st.booleans())
    def start(self, how: str, cut: int, good: bool, fresh: bool) -> None:
        """A Start for the code on the participant's screen (or not), with a new id (or not)."""
        if fresh:
            self.rounds += 1
            round_id = self.rounds.to_bytes(m.ID_BYTES, "big")  # what an honest host sends
        else:
            round_id = self.round_id
        digest = self.digest if good and self.digest else os.urandom(HASH)
        start = m.Start(round_id=round_id, roster_digest=digest)
        if how in DELIVERED:
            members = [x.party for x in self.roster]
            ok = digest == self.digest and len(members) >= 3 and self.me in members
            self.start_ok[round_id] = round_id not in self.start_ok and ok
            self.round_id, self.parties = round_id, tuple(members)
            self.context = round_context(self.p.session_id, round_id, digest)
            self.seeds = {party: os.urandom(HASH) for party in members}
            self.transcript, self.started = b"", True
        self.feed(mangle(encode(start), how, cut))

    @rule(
        how=MANGLING,
        cut=st.integers(0, 10_000),
        senders=st.lists(st.integers(1, 5), max_size=4),
        size=st.sampled_from([0, 8, 16]),
        variant=st.sampled_from(["good", "mine altered", "commitment altered"]),
    )
    def partials(self, how: str, cut: int, senders: list[int], size: int, variant: str) -> None:
        mine = self.sent.get(m.PartialSum)
        ours = isinstance(mine, m.PartialSum) and mine.round_id == self.round_id
        vectors, commitments = b"", b""
        for sender in senders:
            seed = self.seeds.get(sender, os.urandom(HASH))
            if sender == self.me and ours and isinstance(mine, m.PartialSum):
                vector, commitment = mine.vector, mine.commitment
                if variant == "mine altered":
                    vector = bytes(x ^ 1 for x in vector)
                elif variant == "commitment altered":
                    commitment = os.urandom(HASH)
            else:
                vector = os.urandom(size)
                commitment = seed_commitment(self.context, sender, seed)
            vectors += vector
            commitments += commitment
        partials = m.Partials(
            round_id=self.round_id,
            parties=tuple(senders),
            vectors=vectors,
            commitments=commitments,
        )
        if how in DELIVERED:
            self.vectors = vectors
            self.transcript = transcript_digest(self.context, senders, vectors, commitments)
        self.feed(mangle(encode(partials), how, cut))

    @rule(
        how=MANGLING,
        cut=st.integers(0, 10_000),
        variant=st.sampled_from(["good", "one tag wrong", "short", "other transcript"]),
    )
    def confirms(self, how: str, cut: int, variant: str) -> None:
        digest = self.transcript if variant != "other transcript" else os.urandom(HASH)
        tags, good = b"", variant == "good" and bool(self.transcript)
        for party in self.parties:
            pair = self.pair(party)
            if party == self.me:
                tags += bytes(TAG)
            elif pair is None:
                tags += os.urandom(TAG)
                good = False
            else:
                tags += confirm_tag(pair, self.context, party, self.me, digest)
        if variant == "one tag wrong" and len(self.parties) > 1:
            k = 0 if self.parties[0] != self.me else 1
            tags = tags[: k * TAG] + os.urandom(TAG) + tags[(k + 1) * TAG :]
        elif variant == "short":
            tags = tags[TAG:]
        if good:
            self.good_confirms.add(tags)
        self.feed(mangle(encode(m.Confirms(round_id=self.round_id, tags=tags)), how, cut))

    @rule(
        how=MANGLING,
        cut=st.integers(0, 10_000),
        variant=st.sampled_from(["good", "bad seed", "short"]),
    )
    def unmasks(self, how: str, cut: int, variant: str) -> None:
        unmask = self.sent.get(m.Unmask)
        ours = isinstance(unmask, m.Unmask) and unmask.round_id == self.round_id
        seeds = [
            unmask.seed if party == self.me and isinstance(unmask, m.Unmask) else
            self.seeds.get(party, bytes(HASH))
            for party in self.parties
        ]  # fmt: skip
        if variant == "bad seed" and seeds:
            seeds[0] = os.urandom(HASH)
        blob = b"".join(seeds)[HASH if variant == "short" else 0 :]
        if variant == "good" and ours and len(self.vectors) == 8 * len(self.parties):
            # The result, worked out here with plain integers: partial sums minus self-masks.
            total = sum(
                int.from_bytes(_slot(self.vectors, k, 8), "little") for k in range(len(seeds))
            )
            total -= sum(
                int.from_bytes(self_mask_key(seed, self.context)[:8], "little") for seed in seeds
            )
            total %= RING
            self.good_unmasks[blob] = total - RING if total >= RING // 2 else total
        self.feed(mangle(encode(m.Unmasks(round_id=self.round_id, seeds=blob)), how, cut))

    # --- anything else the host might send --------------------------------------------

    @rule(
        how=MANGLING,
        cut=st.integers(0, 10_000),
        msg=st.sampled_from(
            [
                *("progress", "aborted", "rejected", "closed", "ping", "pong", "hello"),
                *("partial sum", "commit", "reveal", "confirm", "unmask", "complaint"),
                *("cancel", "leave"),
            ]
        ),
        current=st.booleans(),
    )
    def other(self, how: str, cut: int, msg: str, current: bool) -> None:
        """Another message from the host, or one that only members send."""
        self.feed(mangle(encode(self.message(msg, current)), how, cut))

    def message(self, kind: str, current: bool) -> Message:
        rid = self.round_id if current else _rid()
        epoch = max(1, self.epoch if current else self.epoch + 5)
        pub = self.p.identity.public
        h = os.urandom(HASH)
        messages: dict[str, Message] = {
            "progress": m.Progress(round_id=rid, summed=(1, 9)),
            "aborted": m.Aborted(round_id=rid, reason="x", missing=(2, 7)),
            "rejected": m.Rejected(reason="no"),
            "closed": m.Closed(reason="bye"),
            "ping": m.Ping(),
            "pong": m.Pong(),
            "hello": m.Hello(
                name="x", sign_key=pub.sign_key, kem_key=pub.kem_key, signature=bytes(64)
            ),
            "partial sum": m.PartialSum(round_id=rid, vector=bytes(8), commitment=h),
            "commit": m.Commit(epoch=epoch, commitment=h),
            "reveal": m.Reveal(epoch=epoch, nonce=h),
            "confirm": m.Confirm(round_id=rid, tags=bytes(2 * TAG)),
            "unmask": m.Unmask(round_id=rid, seed=h),
            "complaint": m.Complaint(round_id=rid, about=2, what=1),
            "cancel": m.Cancel(round_id=rid, why=0),
            "leave": m.Leave(),
        }
        return messages[kind]

    @rule(
        action=st.sampled_from(["submit", "take part", "leave", "cancel", "lost", "idle"]),
        value=st.integers(-5, 100005),
    )
    def person(self, action: str, value: int) -> None:
        p = self.p
        if action == "submit":
            if p.question is not None and p.phase not in (PartPhase.DONE, PartPhase.ENDED):
                try:
                    self.act(p.submit(str(value)), action)
                except InputError:  # the documented refusal of bad input, nothing else
                    assert not 0 <= value <= 100000
                except LocalProtocolError:  # the documented refusal: nothing to answer now
                    answerable = (PartPhase.JOINING, PartPhase.LOBBY, PartPhase.ABORTED)
                    assert p.phase not in (*answerable, PartPhase.AWAITING_VALUE)
        elif action == "take part":
            try:
                self.act(p.take_part(), action)
            except LocalProtocolError:  # the documented refusal: no round waits for us
                assert p.phase is not PartPhase.AWAITING_VALUE or not p.has_value
        elif action == "idle":  # what an engine does between messages
            p.prepare()
        elif action == "lost":
            self.act(p.connection_lost(), action)
        else:
            self.act(p.leave() if action == "leave" else p.cancel(), action)

    @invariant()
    def consistent(self) -> None:
        COUNTS["participant steps"] += 1
        p = self.p
        REACHED.add(f"participant {p.phase.value}")
        assert isinstance(p.phase, PartPhase)
        if p.phase in (PartPhase.ENDED, PartPhase.DONE):
            assert not p.has_value and not p._context
        if p.phase is PartPhase.ENDED:
            assert not p._pairs, "pairwise secrets go with the session"
        if p.ended:
            assert p.receive_data(encode(m.Ping())) == []
        if p.closed:
            assert p.phase not in (PartPhase.AWAITING_VALUE, PartPhase.SUMMED), "closed re-ran"
        assert p.closed == self.opened
        assert len({mem.party for mem in p.roster}) == len(p.roster)


HostFuzz.TestCase.settings = SETTINGS
ParticipantFuzz.TestCase.settings = SETTINGS
TestHostFuzz = HostFuzz.TestCase
TestParticipantFuzz = ParticipantFuzz.TestCase


def test_fuzz_volume() -> None:
    """Runs after both machines: thousands of steps went through each, deep into the round."""
    if COUNTS["host steps"] == 0:  # run alone (-k): nothing to report
        return
    print(f"\nstate-machine fuzz steps: {COUNTS}; phases reached: {sorted(REACHED)}")
    assert COUNTS["host steps"] >= 1000 and COUNTS["participant steps"] >= 1000
    deep = {"host unmasking", "host done", "participant opened", "participant done"}
    assert deep <= REACHED, deep - REACHED


# --- every hostile message at every participant phase ------------------------------------

STATIONS: dict[str, list[Callable[[ParticipantFuzz], None]]] = {
    "connecting": [],
    "joining": [lambda f: f.welcome("whole", 0, True)],
    "lobby, committing": [lambda f: f.lobby("whole", 0, [1, 2, 3], 1, True, False)],
    "lobby, revealing": [lambda f: f.commitments("whole", 0, "good")],
    "lobby, code ready": [lambda f: f.reveals("whole", 0, "good")],
    "awaiting value": [lambda f: f.start("whole", 0, True, True)],
    "summed": [lambda f: f.person("submit", 500)],
    "confirmed": [lambda f: f.partials("whole", 0, [1, 2, 3], 8, "good")],
    "opened": [lambda f: f.confirms("whole", 0, "good")],
    "done": [lambda f: f.unmasks("whole", 0, "good")],
}
"""Each station: the steps from the one before (in this order) that reach it."""
AFTER: dict[str, tuple[str, list[Callable[[ParticipantFuzz], None]]]] = {
    "aborted": ("summed", [lambda f: f.other("whole", 0, "aborted", True)]),
    "re-run, new code": (
        "aborted",
        [
            lambda f: f.lobby("whole", 0, [1, 2, 3], 1, True, False),
            lambda f: f.commitments("whole", 0, "good"),
            lambda f: f.reveals("whole", 0, "good"),
        ],
    ),
    "re-run, awaiting consent": ("re-run, new code", [lambda f: f.start("whole", 0, True, True)]),
    "closed": ("opened", [lambda f: f.other("whole", 0, "aborted", True)]),
}
"""Stations off the main line: (the station they follow, the steps from there)."""
PHASE_AT = {
    "connecting": PartPhase.CONNECTING,
    "joining": PartPhase.JOINING,
    "lobby, committing": PartPhase.LOBBY,
    "lobby, revealing": PartPhase.LOBBY,
    "lobby, code ready": PartPhase.LOBBY,
    "awaiting value": PartPhase.AWAITING_VALUE,
    "summed": PartPhase.SUMMED,
    "confirmed": PartPhase.CONFIRMED,
    "opened": PartPhase.OPENED,
    "done": PartPhase.DONE,
    "aborted": PartPhase.ABORTED,
    "re-run, new code": PartPhase.ABORTED,
    "re-run, awaiting consent": PartPhase.AWAITING_VALUE,
    "closed": PartPhase.CLOSED,
}
assert (*STATIONS, *AFTER) == STATION_NAMES and set(STATION_NAMES) == set(PHASE_AT)


def _steps_to(station: str) -> list[Callable[[ParticipantFuzz], None]]:
    if station in AFTER:
        before, steps = AFTER[station]
        return _steps_to(before) + steps
    names = list(STATIONS)
    return [step for name in names[: names.index(station) + 1] for step in STATIONS[name]]


def _other(kind: str, current: bool = True) -> Callable[[ParticipantFuzz], None]:
    return functools.partial(ParticipantFuzz.other, how="whole", cut=0, msg=kind, current=current)


HOSTILE: dict[str, Callable[[ParticipantFuzz], None]] = {
    "welcome again": lambda f: f.welcome("whole", 0, False),
    "lobby": lambda f: f.lobby("whole", 0, [1, 2, 3], 1, True, False),
    "lobby, old epoch": lambda f: f.lobby("whole", 0, [1, 2, 3], 1, True, True),
    "lobby, forged signatures": lambda f: f.lobby("whole", 0, [1, 2, 3], 1, False, False),
    "lobby without me": lambda f: f.lobby("whole", 0, [2, 3], 2, True, False),
    "lobby, me moved": lambda f: f.lobby("whole", 0, [2, 3, 5], 5, True, False),
    "lobby, below the floor": lambda f: f.lobby("whole", 0, [1, 2], 1, True, False),
    "lobby, strangers": lambda f: f.lobby("whole", 0, [1, 4, 5], 1, True, False),
    **{
        f"commitments, {v}": functools.partial(
            ParticipantFuzz.commitments, how="whole", cut=0, variant=v
        )
        for v in ("good", "mine altered", "short", "other epoch")
    },
    **{
        f"reveals, {v}": functools.partial(ParticipantFuzz.reveals, how="whole", cut=0, variant=v)
        for v in ("good", "bad nonce", "short", "other epoch")
    },
    "start": lambda f: f.start("whole", 0, True, True),
    "start, wrong code": lambda f: f.start("whole", 0, False, True),
    "start, used id": lambda f: f.start("whole", 0, True, False),
    "partials": lambda f: f.partials("whole", 0, list(f.parties), 8, "good"),
    "partials, one missing": lambda f: f.partials("whole", 0, list(f.parties)[:-1], 8, "good"),
    "partials, strangers": lambda f: f.partials("whole", 0, [1, 4, 5], 8, "good"),
    "partials, wrong size": lambda f: f.partials("whole", 0, list(f.parties), 16, "good"),
    "partials, mine altered": lambda f: f.partials("whole", 0, list(f.parties), 8, "mine altered"),
    "partials, my commitment altered": lambda f: f.partials(
        "whole", 0, list(f.parties), 8, "commitment altered"
    ),
    **{
        f"confirms, {v}": functools.partial(ParticipantFuzz.confirms, how="whole", cut=0, variant=v)
        for v in ("good", "one tag wrong", "short", "other transcript")
    },
    **{
        f"unmasks, {v}": functools.partial(ParticipantFuzz.unmasks, how="whole", cut=0, variant=v)
        for v in ("good", "bad seed", "short")
    },
    **{kind: _other(kind) for kind in ("progress", "aborted", "rejected", "closed", "ping")},
    "aborted, other round": _other("aborted", False),
    **{
        f"{kind} (a member's message)": _other(kind)
        for kind in ("hello", "partial sum", "commit", "reveal", "confirm", "unmask")
    },
    **{f"{kind} (a member's message)": _other(kind) for kind in ("complaint", "cancel", "leave")},
    "truncated": lambda f: f.welcome("truncated", 7, True),
    "bad version": lambda f: f.start("version", 0, True, True),
    "oversized": lambda f: f.start("oversized", 0, True, True),
    "garbage": lambda f: f.start("garbage", 33, True, True),
}
THEN = ("done", "answer, leave")
"""After the hostile message: an honest host plays on, or the person answers, then leaves."""


@pytest.mark.parametrize("station", STATION_NAMES)
def test_every_hostile_message_at_every_participant_phase(station: str) -> None:
    """Exhaustive companion to the random search: each message, at each station, then play on."""
    at = ParticipantFuzz()
    for step in _steps_to(station):
        step(at)
    assert at.p.phase is PHASE_AT[station], at.p.phase
    for name, inject in HOSTILE.items():
        for then in THEN:
            try:
                _play(at.twin(), inject, then)
            except Exception as exc:
                raise AssertionError(f"{name!r} while {station}, then {then}") from exc


def _play(f: ParticipantFuzz, inject: Callable[[ParticipantFuzz], None], then: str) -> None:
    inject(f)
    f.consistent()
    if then == "done":
        f.advance(PartPhase.DONE)
    else:
        f.person("take part" if f.p.has_value else "submit", 500)
        f.consistent()
        f.person("leave", 500)
    f.consistent()


def test_the_honest_host_path_ends_in_the_result() -> None:
    """The stations above really are the protocol: played straight, they give the result."""
    f = ParticipantFuzz()
    for step in _steps_to("done"):
        step(f)
    assert f.p.outcome is not None and f.opened and f.good_unmasks
    g = ParticipantFuzz()
    for step in _steps_to("re-run, awaiting consent"):
        step(g)
    assert g.p.awaiting_consent and g.awaiting_word and m.PartialSum in g.sent
    g.person("take part", 0)
    g.partials("whole", 0, list(g.parties), 8, "good")
    g.confirms("whole", 0, "good")
    g.unmasks("whole", 0, "good")
    assert g.p.phase is PartPhase.DONE and g.p.outcome is not None


# --- every hostile message at every host phase -------------------------------------------


def _host_hostile(f: HostFuzz, conn: int) -> dict[str, list[bytes]]:
    """Each hostile thing connection ``conn`` can send, as the bytes it sends."""
    host, raw = f.host, f.raw[conn]
    rnd = host._round
    rid = rnd.round_id if rnd else _rid()
    me = f.member(conn)
    mine = me.party if me else 99
    others = [x.party for x in host.roster if x.party != mine]
    epoch = max(1, host._epoch.number)
    nonce = raw.nonce(epoch)
    commitment = nonce_commitment(host.session_id, epoch, mine, nonce)
    context = rnd.context if rnd else b""
    size = 8 * QUESTION.vector_length
    good_partial = m.PartialSum(
        round_id=rid, vector=bytes(size), commitment=seed_commitment(context, mine, raw.seed(rid))
    )
    tags = bytes(TAG * len(others))
    session = host.session_id
    msgs: dict[str, Message] = {
        "hello again": signed_hello(session, raw.identity, "Mallory"),
        "hello, taken name": signed_hello(session, crypto.Identity(), "H0"),
        "hello, someone's key": signed_hello(
            session, next(iter(f.honest.values())).identity, "Eve"
        ),
        "commit": m.Commit(epoch=epoch, commitment=commitment),
        "commit, next epoch": m.Commit(epoch=epoch + 1, commitment=commitment),
        "reveal": m.Reveal(epoch=epoch, nonce=nonce),
        "reveal, wrong nonce": m.Reveal(epoch=epoch, nonce=os.urandom(HASH)),
        "partial": good_partial,
        "partial, old round": m.PartialSum(round_id=_rid(), vector=bytes(size), commitment=nonce),
        "partial, wrong size": m.PartialSum(round_id=rid, vector=bytes(size + 8), commitment=nonce),
        "confirm, forged tags": m.Confirm(round_id=rid, tags=tags),
        "confirm, tags missing": m.Confirm(round_id=rid, tags=tags[TAG:]),
        "unmask": m.Unmask(round_id=rid, seed=raw.seed(rid)),
        "unmask, wrong seed": m.Unmask(round_id=rid, seed=os.urandom(HASH)),
        "complaint": m.Complaint(round_id=rid, about=others[0] if others else 1, what=3),
        "complaint, unknown": m.Complaint(round_id=rid, about=0, what=200),
        "cancel": m.Cancel(round_id=rid, why=0),
        "cancel, unknown why": m.Cancel(round_id=rid, why=200),
        "leave": m.Leave(),
        "start": m.Start(round_id=rid, roster_digest=bytes(HASH)),
        "partials": m.Partials(round_id=rid, parties=(), vectors=b"", commitments=b""),
        "commitments": m.Commitments(epoch=epoch, commitments=commitment),
        "unmasks": m.Unmasks(round_id=rid, seeds=nonce),
    }
    out = {name: [encode(msg)] for name, msg in msgs.items()}
    out["its move"] = [encode(msg) for msg in f.plays(conn)]
    out["its move, cheating"] = [encode(msg) for msg in f.plays(conn, cheat=True)]
    frame = encode(m.Cancel(round_id=rid, why=0))
    for how in ("truncated", "version", "oversized", "split", "garbage"):
        out[how] = mangle(frame, how, 7)
    return out


@functools.cache
def _host_hostile_names() -> tuple[str, ...]:
    return tuple(_host_hostile(*_host_at("lobby", "stranger")))


def _host_at(station: str, stage: str) -> tuple[HostFuzz, int]:
    f = HostFuzz()
    raw = f.setup(station, stage)
    assert raw is not None
    return f, raw


BEFORE_ADMISSION = ("lobby", "summing", "done", "aborted")
"""Where a stranger's or a pending joiner's messages are tried: the host reads them the
same way in every phase but for a Hello, which it takes between rounds (lobby,
aborted) and refuses during and after one (summing, done)."""
HOST_CASES = [
    *((station, stage) for station in BEFORE_ADMISSION for stage in ("stranger", "pending")),
    *((station, "member") for station in HOST_STATIONS),
    *((station, "member, its turn") for station in TURNS),
]


@pytest.mark.parametrize(("station", "stage"), HOST_CASES)
def test_every_hostile_message_at_every_host_phase(station: str, stage: str) -> None:
    """Exhaustive companion on the host side: each message from a stranger or a member
    (one that played its part so far), at each phase; then the honest group plays on.
    """
    at, raw = _host_at(station, stage)
    for name in _host_hostile_names():
        try:
            _host_play(at.twin(), raw, station, stage, name)
        except Exception as exc:
            raise AssertionError(f"{name!r} from a {stage} while {station}") from exc


def _host_play(f: HostFuzz, raw: int, station: str, stage: str, name: str) -> None:
    result = f.host.outcome
    roster = f.host.roster
    f.consistent()
    f.from_raw(raw, _host_hostile(f, raw)[name])
    f.consistent()
    if station == "done":  # finished is final: nothing reopens or changes the result
        assert f.host.phase is HostPhase.DONE and f.host.outcome == result
    if name.startswith(("complaint", "cancel")) and stage == "member" and station in HOLD_AT:
        # The round stops (closing the question once masks may be open), and nobody is
        # expelled on an unverified accusation.
        assert f.host.phase is HostPhase.ABORTED and f.host.roster == roster
        assert f.host.question_closed == (station == "unmasking")
    f.release()
    f.advance()
    f.consistent()
    if stage == "member, its turn" and station != "lobby" and name.startswith("its move"):
        if name == "its move":  # its part played, the round finishes for everyone
            assert f.host.phase is HostPhase.DONE and f.host.outcome is not None
        elif station == "confirming":  # forged tags: nobody opens, nothing is summed
            assert not f.opened and f.host.outcome is None
        elif station == "unmasking":  # a seed that does not match: the cheat is dropped
            assert raw in f.gone and f.host.question_closed and f.host.outcome is None


# --- found by this fuzz and fixed in core: an honest complainer or canceller is no cheat ---


def _four_with(tap: Callable[[str, int, bytes], bytes | None]) -> tuple[Network, dict[str, int]]:
    """Four members a-d who answered; ``tap`` sees every frame of the round."""
    net = make_network()
    conns = {n: net.join(n) for n in "abcd"}
    for c in conns.values():
        net.party_do(c, net.parties[c].submit("5"))
    net.tap = tap
    return net, conns


def test_a_complaint_about_the_confirmations_expels_nobody() -> None:
    """d (a cheating member) sends confirmation tags that check out for nobody: the honest
    members see it and stop the round. Nobody may be expelled on that (the host cannot
    verify it), and people are told what was seen, not that someone left."""
    conns: dict[str, int] = {}

    def forge(direction: str, conn: int, data: bytes) -> bytes:
        if direction == "up" and conn == conns["d"] and data[5] == m.Confirm.TYPE:
            msg = _decode(data)
            assert isinstance(msg, m.Confirm)
            return encode(m.Confirm(round_id=msg.round_id, tags=bytes(len(msg.tags))))
        return data

    net, named = _four_with(forge)
    conns.update(named)
    net.host_do(net.host.start())
    honest = [conns[n] for n in "abc"]
    assert all(not net.parties[c].closed for c in honest), "nobody honest opened"
    assert net.host.outcome is None
    assert not set(honest) & net.dropped, "an honest member was expelled for complaining"
    aborted = [e for e in net.host_events if isinstance(e, RoundAborted)]
    assert aborted and "left during the round" not in aborted[-1].reason, aborted


def test_a_cancel_racing_the_last_confirmation_expels_nobody() -> None:
    """a presses Cancel after confirming, while the host already relays the confirmations
    (it has not received them yet): the round may go on or stop, but a is no cheat."""
    conns: dict[str, int] = {}
    held: list[bytes] = []

    def slow(direction: str, conn: int, data: bytes) -> bytes | None:
        if direction == "down" and conn == conns["a"] and data[5] == m.Confirms.TYPE:
            held.append(data)
            return None
        return data

    net, named = _four_with(slow)
    conns.update(named)
    net.host_do(net.host.start())
    a = net.parties[conns["a"]]
    assert held and a.phase is PartPhase.CONFIRMED and net.host.phase is HostPhase.UNMASKING
    net.party_do(conns["a"], a.cancel())
    assert conns["a"] not in net.dropped, "a person's Cancel got them expelled"
