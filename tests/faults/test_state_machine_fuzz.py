"""Stateful fuzzing of `HostSession` and `ParticipantSession` with hypothesis (protocol 4).

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
- a raw member that forges its partial sum or its checks, or opens pieces
  other than those it committed to, never gets a round summed;
- no member publishes a partial sum in a re-run before the person said so.

Participant side (one participant fed by a hostile host that holds the other
members' keys, so it can forge everything the others would send; what they
send when honest, their own apps compute: see `Apps`):
- it reveals its code nonce only after its own commitment came back intact;
- it publishes a partial sum only in a round whose Start carries the digest of
  the code on its screen, of at least 3 members, never after it opened a
  self-mask, and in a re-run only after the person's word;
- it confirms only a transcript with its own partial sum, witness, proof and
  commitments intact and every colleague's commitment to the piece it holds
  right, with correct tags, revealing the query nonce it committed to;
- it signs checks only when every other member's confirmation over its
  transcript checks out and every nonce matches its commitment;
- it opens its self-mask's pieces only when, besides, every member signed its
  checks and every contribution passed them, and each piece matches the
  commitment it published;
- it shows a result only when every piece matches its commitment: the sum of
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
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import ClassVar, Self, TypeVar

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from huddle.core import crypto, proofs
from huddle.core import field as gf
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
    piece,
    piece_commitment,
    query_nonce_commitment,
    round_context,
    transcript_digest,
    verify_context,
)
from huddle.core.participant import ParticipantSession
from huddle.core.participant import Phase as PartPhase
from huddle.core.questions import Question
from huddle.core.security_code import code_digest, result_code, roster_digest, security_code
from tests.cheats import Cheat, shifted
from tests.core.harness import Network, bumped, make_network

QUESTION = Question(title="raise", hi="100000")
SHAPE = proofs.shape(QUESTION)
"""The sizes of QUESTION's partial sums, witnesses, proofs and checks (in elements)."""
assert SHAPE.length == 1  # the fuzz works results out from one element per member
FINGERPRINT = bytes(range(32))
HASH = 32
TAG = crypto.TAG_BYTES
SIG = crypto.SIGNATURE_BYTES
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
    """Skip the warm-up each session runs once (`rehearsal.rehearse`): it changes no
    state, and thousands of sessions here would spend milliseconds each on it."""
    monkeypatch.setattr(host_module, "rehearse", lambda question: None)
    monkeypatch.setattr(participant_module, "rehearse", lambda question: None)


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


ROUND_MOVES = {m.PartialSum.TYPE, m.Confirm.TYPE, m.Verify.TYPE, m.Unmask.TYPE}
MOVES = {m.Commit.TYPE, m.Reveal.TYPE, *ROUND_MOVES}
"""The frames a member's part consists of (a raw member's "its move")."""


@dataclass
class Raw:
    """A hostile connection's keys, and its own app: a real participant (with the same
    keys, answering 1000) fed whatever the host sends this connection, whose frames
    are what the connection sends when it plays its part (`HostFuzz.plays`)."""

    identity: crypto.Identity
    app: Cheat
    outbox: list[bytes] = field(default_factory=list)
    """Frames its app would have sent, oldest first (its moves among them)."""
    forgeries: dict[bytes, Cheat] = field(default_factory=dict)
    """A forged partial sum's frame → the app that forged it (modified to prove a
    contribution off by one), which it becomes if the frame is sent (`HostFuzz.from_raw`)."""

    def hears(self, frame: bytes) -> None:
        """What the host sent this connection, as its app takes it; its person answers
        1000 as soon as there is a question and agrees to every re-run."""
        app = self.app
        outs = app.receive_data(frame)
        if app.question is not None and not app.has_value and not app.ended:
            with contextlib.suppress(LocalProtocolError):  # nothing to answer right now
                outs += app.submit("1000")
        if app.awaiting_consent and app.has_value:
            outs += app.take_part()
        self.outbox += [out.data for out in outs if isinstance(out, Send)]


def forged(msg: Message, me: m.Member, raw: Raw, host: HostSession) -> Message:
    """``msg`` as a cheating member sends it: well formed, with what no honest app puts in
    it — a nonce or pieces other than those committed to, a contribution off by one
    that its modified app goes on to confirm and check as if it were valid, forged
    tags, or checks that lie (signed, so the host takes them)."""
    rnd, identity = host._round, raw.identity
    if isinstance(msg, m.Reveal):
        return dataclasses.replace(msg, nonce=os.urandom(HASH))
    if isinstance(msg, m.PartialSum):
        cheat = copy.deepcopy(raw.app)
        cheat.forge = shifted([1])
        mine, _ = cheat._contribute(msg.round_id, cheat._context, cheat._parties)
        cheat._mine = mine
        raw.forgeries[mine.frame] = cheat
        return _decode(mine.frame)
    if isinstance(msg, m.Confirm):
        return dataclasses.replace(msg, tags=bytes(len(msg.tags)))
    if isinstance(msg, m.Verify) and rnd is not None:
        lies = bumped(msg.messages)
        signature = identity.sign(verify_context(rnd.context, me.party, rnd.transcript, lies))
        return dataclasses.replace(msg, messages=lies, signature=signature)
    if isinstance(msg, m.Unmask):
        return dataclasses.replace(msg, pieces=os.urandom(len(msg.pieces)))
    return msg


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
    *("its move", "hello", "commit", "reveal", "partial sum", "confirm", "verify", "unmask"),
    *("complaint", "cancel", "leave", "ping", "pong"),
    *("start", "aborted", "progress", "commitments", "reveals", "partials", "confirms"),
    *("verifies", "unmasks", "lobby", "closed", "rejected"),
)
"""What a raw connection sends the host: its part (played right or cheating), any
member message, a message meant for members, anything else."""
HOST_STATIONS = (
    *("lobby", "summing", "confirming", "verifying", "unmasking", "done", "aborted", "closed"),
)
"""Where a host fuzz starts. "closed": a round stopped after self-masks may have
opened (the question is closed)."""
HOLD_AT: dict[str, type[Message]] = {
    "summing": m.PartialSum,
    "confirming": m.Confirm,
    "verifying": m.Verify,
    "unmasking": m.Unmask,
}
STAGES = ("stranger", "pending", "member", "member, its turn")
"""How far the raw connection of a host station got: Hello not sent, not admitted,
admitted (and played its part so far), admitted with its next message due."""
TURNS = ("lobby", "summing", "confirming", "verifying", "unmasking")
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
        """Honest connections that sent their self-mask's pieces."""
        self.awaiting_word: set[int] = set()
        """Honest connections in a re-run the person has not agreed to yet."""
        self.aborts: list[RoundAborted] = []
        """Every round stop the host person was shown."""

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
                elif out.conn in self.raw:
                    self.raw[out.conn].hears(out.data)
            elif isinstance(out, Drop):
                assert out.conn not in self.gone, "the host dropped a connection twice"
                if out.conn in self.honest:  # an honest app is never dropped as a cheat
                    assert out.reason in HONEST_DROPS, out.reason
                self.gone.add(out.conn)
                self.queue.append(("drop", out.conn, b""))
            else:
                assert isinstance(out, Event)
                if isinstance(out, RoundAborted):
                    self.aborts.append(out)

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
        raw = self.raw[conn]
        if (cheat := raw.forgeries.get(b"".join(chunks))) is not None:
            raw.app = cheat  # from now on its app is the modified one that forged it
        raw.forgeries.clear()
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
        """What raw member ``conn`` would send next if it followed the protocol: the
        oldest move of its own app that the host still waits for from it.

        ``cheat``: the same message, well formed, but with what a cheating member would
        put in it (`forged`).
        """
        me = self.admitted(conn)
        if me is None:
            return []
        raw = self.raw[conn]
        for frame in raw.outbox:
            if frame[5] in MOVES and self.due(me, msg := _decode(frame)):
                return [forged(msg, me, raw, self.host) if cheat else msg]
        return []

    def due(self, me: m.Member, msg: Message) -> bool:
        """Whether the host still waits for ``msg`` from ``me`` (its epoch, round and turn)."""
        host = self.host
        epoch, rnd = host._epoch, host._round
        if isinstance(msg, m.Commit | m.Reveal):
            if msg.epoch != epoch.number or me not in epoch.roster:
                return False
            if isinstance(msg, m.Commit):
                return me.party not in epoch.commitments
            return epoch.commitments_sent and me.party not in epoch.nonces
        if (
            rnd is None
            or me.party not in rnd.parties
            or getattr(msg, "round_id", b"") != rnd.round_id
        ):
            return False
        waiting: dict[type[Message], tuple[HostPhase, Collection[int]]] = {
            m.PartialSum: (HostPhase.SUMMING, rnd.partials),
            m.Confirm: (HostPhase.CONFIRMING, rnd.confirms),
            m.Verify: (HostPhase.VERIFYING, rnd.verifies),
            m.Unmask: (HostPhase.UNMASKING, rnd.pieces),
        }
        phase, done = waiting[type(msg)]
        return host.phase is phase and me.party not in done

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
                HostPhase.VERIFYING,
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

    @rule(data=st.data(), kind=st.sampled_from([m.PartialSum, m.Confirm, m.Verify, m.Unmask]))
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
            identity = crypto.Identity()
            app = Cheat(
                name="Mallory",
                identity=identity,
                host_fingerprint=FINGERPRINT,
                random_bytes=os.urandom,
            )
            self.raw[conn] = Raw(identity, app)
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
        nonce = os.urandom(HASH)
        mine = [
            nonce,
            nonce_commitment(host.session_id, max(1, epoch), party, nonce),
            query_nonce_commitment(rnd.context if rnd else b"", party, nonce),
            os.urandom(HASH),
        ]
        h = data.draw(st.sampled_from(mine))
        blob = data.draw(st.sampled_from([b"", h, h * 3, os.urandom(6 * TAG)]))
        target = data.draw(st.sampled_from(self.parties()))
        n = len(rnd.parties) if rnd else 3

        def elements(count: int) -> bytes:
            return data.draw(st.sampled_from([bytes(8 * count), b"\xff" * 8 * count, b""]))

        built: dict[str, Callable[[], Message]] = {
            "commit": lambda: m.Commit(epoch=number, commitment=h),
            "reveal": lambda: m.Reveal(epoch=number, nonce=h),
            "partial sum": lambda: m.PartialSum(
                round_id=round_id,
                vector=elements(SHAPE.length),
                witness=elements(SHAPE.witness),
                proof=elements(SHAPE.proof),
                commitments=data.draw(st.sampled_from([h * n, blob])),
            ),
            "confirm": lambda: m.Confirm(
                round_id=round_id, tags=blob[: TAG * len(host.roster)], nonce=h
            ),
            "verify": lambda: m.Verify(
                round_id=round_id,
                messages=elements(SHAPE.message * (n - 1)),
                signature=bytes(SIG),
            ),
            "unmask": lambda: m.Unmask(
                round_id=round_id, pieces=data.draw(st.sampled_from([blob, h * (n - 1)]))
            ),
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
                round_id=round_id,
                parties=(party,),
                vectors=bytes(8),
                witnesses=b"",
                proofs=b"",
                commitments=h,
            ),
            "confirms": lambda: m.Confirms(round_id=round_id, tags=blob, nonces=blob),
            "verifies": lambda: m.Verifies(round_id=round_id, messages=blob, signatures=bytes(SIG)),
            "unmasks": lambda: m.Unmasks(round_id=round_id, pieces=blob),
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

M = TypeVar("M", bound=Message)
PARTIALS_VARIANTS = (
    *("good", "mine altered", "my witness altered", "my proof altered"),
    *("my commitment altered", "a piece commitment wrong", "outside the field", "wrong size"),
)
VERIFIES_VARIANTS = (
    *("good", "a check altered", "unsigned", "signed for another transcript", "short"),
)


STATION_NAMES = (
    *("connecting", "joining", "lobby, committing", "lobby, revealing", "lobby, code ready"),
    *("awaiting value", "summed", "confirmed", "verified", "opened", "done", "aborted"),
    *("re-run, new code", "re-run, awaiting consent", "closed"),
)
"""Where a participant fuzz starts (see `STATIONS` and `AFTER`)."""
OTHERS = (2, 3, 4, 5)
"""The parties whose keys the hostile host holds (everyone but the participant, 1)."""


class Draws:
    """A member app's random source whose next draws a test can set (its code nonces)."""

    def __init__(self) -> None:
        self.queue: list[bytes] = []

    def __call__(self, n: int) -> bytes:
        return self.queue.pop(0) if self.queue else os.urandom(n)


class ParticipantFuzz(Twins):
    """One participant (party 1, Ann) fed by a hostile or confused host.

    The host holds the keys of parties 2-5, so it can also forge everything they
    would send; it keeps what an honest host would know, and the checks in
    `check` say what the participant may send or show in reply. What the others
    send when the host plays honestly comes from their own apps (`apps`), fed
    what an honest host would send them: valid contributions, proofs and checks.
    """

    others: ClassVar[dict[int, crypto.Identity]] = {}
    session_id = _rid()

    def __init__(self) -> None:
        super().__init__()
        if not ParticipantFuzz.others:
            ParticipantFuzz.others = {party: crypto.Identity() for party in OTHERS}
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
        self.apps: dict[int, ParticipantSession] = {}
        """The other members' own apps (this epoch's roster), fed what an honest host sends."""
        self.app_sent: dict[int, dict[type[Message], Message]] = {}
        """Each app's last frame of each type."""
        self.started = False
        """A Start went out for the current epoch's code (a new round needs a new epoch)."""
        self.transcript = b""
        self.vectors = b""
        self.sent: dict[type[Message], Message] = {}
        """The participant's last frame of each type."""
        # What the participant may do, by what it was shown.
        self.start_ok: dict[bytes, bool] = {}
        self.good_confirms: set[tuple[bytes, bytes]] = set()
        self.good_verifies: set[tuple[bytes, bytes]] = set()
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
        return self.others.get(party)

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

    def tell_apps(self, msg: Message | Callable[[int], Message]) -> None:
        """What an honest host sends the other members (the same, or per recipient)."""
        for party, app in list(self.apps.items()):
            frame = encode(msg(party) if callable(msg) else msg)
            for out in app.receive_data(frame):
                if isinstance(out, Send):
                    sent = _decode(out.data)
                    self.app_sent.setdefault(party, {})[type(sent)] = sent
            if app.ended:
                del self.apps[party]

    def from_app(self, party: int, kind: type[M]) -> M | None:
        """App ``party``'s last ``kind`` of the running round, if it sent one."""
        msg = self.app_sent.get(party, {}).get(kind)
        if isinstance(msg, kind) and getattr(msg, "round_id", None) == self.round_id:
            return msg
        return None

    def mine(self, kind: type[M]) -> M | None:
        """The participant's last ``kind`` of the running round, if it sent one."""
        msg = self.sent.get(kind)
        if isinstance(msg, kind) and getattr(msg, "round_id", None) == self.round_id:
            return msg
        return None

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
                assert unmasks and unmasks[-1].pieces in self.good_unmasks, "a result unopened"
                expected = self.good_unmasks[unmasks[-1].pieces]
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
            shown_partials = partials[-1]
            mine = self.sent[m.PartialSum]
            assert isinstance(mine, m.PartialSum)
            n, k = len(self.parties), self.parties.index(self.me)
            assert _slot(shown_partials.vectors, k, 8 * SHAPE.length) == mine.vector
            assert _slot(shown_partials.witnesses, k, 8 * SHAPE.witness) == mine.witness
            assert _slot(shown_partials.proofs, k, 8 * SHAPE.proof) == mine.proof
            assert _slot(shown_partials.commitments, k, HASH * n) == mine.commitments
            assert (
                query_nonce_commitment(self.context, self.me, msg.nonce) == mine.commitments[:HASH]
            )
            for i, party in enumerate(p for p in self.parties if p != self.me):
                pair = self.pair(party)
                if pair is not None:
                    tag = confirm_tag(pair, self.context, self.me, party, self.transcript)
                    assert _slot(msg.tags, i, TAG) == tag, "a wrong confirmation tag"
                    # The piece of party's self-mask we hold: committed to as it should be.
                    holder = [p for p in self.parties if p != party].index(self.me)
                    theirs = _slot(shown_partials.commitments, self.parties.index(party), HASH * n)
                    committed = _slot(theirs, 1 + holder, HASH)
                    seed = piece(pair, self.context, party, self.me)
                    assert committed == piece_commitment(self.context, party, self.me, seed)
        elif isinstance(msg, m.Verify):
            confirms = [s for s in shown if isinstance(s, m.Confirms)]
            assert confirms and (confirms[-1].tags, confirms[-1].nonces) in self.good_confirms, (
                "checks signed without every member's confirmation and nonce"
            )
            assert len(msg.messages) == 8 * SHAPE.message * (len(self.parties) - 1)
            signed = verify_context(self.context, self.me, self.transcript, msg.messages)
            crypto.verify(self.p.identity.public.sign_key, msg.signature, signed)
        elif isinstance(msg, m.Unmask):
            verifies = [s for s in shown if isinstance(s, m.Verifies)]
            assert (
                verifies and (verifies[-1].messages, verifies[-1].signatures) in self.good_verifies
            ), "a self-mask opened without every contribution passing every member's checks"
            mine = self.sent[m.PartialSum]
            assert isinstance(mine, m.PartialSum) and mine.round_id == msg.round_id
            holders = [p for p in self.parties if p != self.me]
            assert len(msg.pieces) == HASH * len(holders)
            for h, holder in enumerate(holders):
                seed = _slot(msg.pieces, h, HASH)
                committed = _slot(mine.commitments, 1 + h, HASH)
                assert piece_commitment(self.context, self.me, holder, seed) == committed
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
            self.partials("whole", 0, list(self.parties), "good")
        elif phase is PartPhase.CONFIRMED:
            self.confirms("whole", 0, "good")
        elif phase is PartPhase.VERIFIED:
            self.verifies("whole", 0, "good")
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
            self.apps_join(lobby if good and not repeat and you == 1 else None)
        self.feed(mangle(encode(lobby), how, cut))

    def apps_join(self, lobby: m.Lobby | None) -> None:
        """The other members' apps for this roster: new ones, each told the session and
        its place in ``lobby`` as an honest host would (none for a lobby it would not send),
        each answering its party times 1000 and drawing the nonce this host holds for it."""
        self.apps, self.app_sent = {}, {}
        if lobby is None or not self.p.session_id or len(set(lobby.roster)) != len(lobby.roster):
            return
        welcome = m.Welcome(session_id=self.p.session_id, host_name="H", question=QUESTION)
        for member in lobby.roster:
            who = self.identity(member.party)
            if member.party == self.me or who is None or member.party not in OTHERS:
                continue
            draws = Draws()
            app = ParticipantSession(
                name=member.name, identity=who, host_fingerprint=FINGERPRINT, random_bytes=draws
            )
            app.receive_data(encode(welcome))
            draws.queue.append(self.nonces[member.party])
            app.receive_data(encode(dataclasses.replace(lobby, you=member.party)))
            if not app.ended:  # it refuses a roster its host would not send
                app.submit(str(1000 * member.party))
                self.apps[member.party] = app

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
        msg = m.Commitments(epoch=max(1, epoch), commitments=blob)
        if how in DELIVERED and variant == "good":
            self.committed = True
            self.tell_apps(msg)
        self.feed(mangle(encode(msg), how, cut))

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
        msg = m.Reveals(epoch=max(1, epoch), nonces=blob)
        if how in DELIVERED and variant == "good" and ours and self.committed:
            base = roster_digest(self.p.session_id, QUESTION, FINGERPRINT, self.roster)
            self.digest = code_digest(base, self.epoch, blob)
            self.tell_apps(msg)
        self.feed(mangle(encode(msg), how, cut))

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
            self.transcript, self.started = b"", True
            if self.start_ok[round_id]:
                self.tell_apps(start)
        self.feed(mangle(encode(start), how, cut))

    def contribution(self, sender: int) -> tuple[bytes, bytes, bytes, bytes]:
        """What ``sender`` published this round (vector, witness, proof, commitments): its
        app's partial sum, the participant's own, or, for a member without either,
        field elements and commitments made up by the host."""
        n = len(self.parties) or 3
        published = (
            self.mine(m.PartialSum) if sender == self.me else self.from_app(sender, m.PartialSum)
        )
        if published is not None:
            return published.vector, published.witness, published.proof, published.commitments
        return (
            gf.to_bytes(gf.sample(os.urandom(HASH), SHAPE.length)),
            gf.to_bytes(gf.sample(os.urandom(HASH), SHAPE.witness)),
            gf.to_bytes(gf.sample(os.urandom(HASH), SHAPE.proof)),
            os.urandom(HASH * n),
        )

    @rule(
        how=MANGLING,
        cut=st.integers(0, 10_000),
        senders=st.lists(st.integers(1, 5), max_size=4),
        variant=st.sampled_from(PARTIALS_VARIANTS),
    )
    def partials(self, how: str, cut: int, senders: list[int], variant: str) -> None:
        blobs: list[list[bytes]] = [[], [], [], []]
        other = next((k for k, x in enumerate(senders) if x != self.me), None)
        for k, sender in enumerate(senders):
            parts = list(self.contribution(sender))
            if sender == self.me:
                if variant == "mine altered":
                    parts[0] = bumped(parts[0])
                elif variant == "my witness altered":
                    parts[1] = bumped(parts[1])
                elif variant == "my proof altered":
                    parts[2] = bumped(parts[2])
                elif variant == "my commitment altered":
                    parts[3] = os.urandom(HASH) + parts[3][HASH:]
            elif k == other:
                if variant == "a piece commitment wrong":
                    parts[3] = parts[3][:HASH] + os.urandom(len(parts[3]) - HASH)
                elif variant == "outside the field":
                    parts[0] = b"\xff" * len(parts[0])
                elif variant == "wrong size":
                    parts[0] += bytes(8)
            for blob, part in zip(blobs, parts, strict=True):
                blob.append(part)
        vectors, witnesses, proofs_, commitments = (b"".join(b) for b in blobs)
        partials = m.Partials(
            round_id=self.round_id,
            parties=tuple(senders),
            vectors=vectors,
            witnesses=witnesses,
            proofs=proofs_,
            commitments=commitments,
        )
        if how in DELIVERED:
            self.vectors = vectors
            self.transcript = transcript_digest(
                self.context, senders, vectors, witnesses, proofs_, commitments
            )
            if variant == "good" and tuple(senders) == self.parties:
                self.tell_apps(partials)
        self.feed(mangle(encode(partials), how, cut))

    def nonce_of(self, party: int) -> bytes:
        """``party``'s query nonce of this round as it revealed it (or a made-up one)."""
        confirm = self.mine(m.Confirm) if party == self.me else self.from_app(party, m.Confirm)
        return confirm.nonce if confirm is not None else os.urandom(HASH)

    @rule(
        how=MANGLING,
        cut=st.integers(0, 10_000),
        variant=st.sampled_from(
            ["good", "one tag wrong", "short", "other transcript", "bad nonce"]
        ),
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
        nonces = [self.nonce_of(party) for party in self.parties]
        if variant == "bad nonce" and len(nonces) > 1:
            nonces[0 if self.parties[0] != self.me else 1] = os.urandom(HASH)
        known = self.mine(m.Confirm) is not None and all(
            self.from_app(p, m.Confirm) for p in self.parties if p != self.me
        )
        if good and known:
            self.good_confirms.add((tags, b"".join(nonces)))
        msg = m.Confirms(round_id=self.round_id, tags=tags, nonces=b"".join(nonces))
        if how in DELIVERED and good and known:
            self.tell_apps(functools.partial(self.confirms_for, nonces=msg.nonces))
        self.feed(mangle(encode(msg), how, cut))

    def confirms_for(self, recipient: int, nonces: bytes) -> m.Confirms:
        """The Confirms an honest host sends ``recipient``: each member's tag for it."""
        tags = b""
        for party in self.parties:
            confirm = self.mine(m.Confirm) if party == self.me else self.from_app(party, m.Confirm)
            if party == recipient or confirm is None:
                tags += bytes(TAG)
                continue
            slot = [p for p in self.parties if p != party].index(recipient)
            tags += _slot(confirm.tags, slot, TAG)
        return m.Confirms(round_id=self.round_id, tags=tags, nonces=nonces)

    @rule(
        how=MANGLING,
        cut=st.integers(0, 10_000),
        variant=st.sampled_from(VERIFIES_VARIANTS),
    )
    def verifies(self, how: str, cut: int, variant: str) -> None:
        n = len(self.parties)
        size = 8 * SHAPE.message * max(1, n - 1)
        messages, signatures = [], []
        liar = next((p for p in self.parties if p != self.me), None)
        for party in self.parties:
            verify = self.mine(m.Verify) if party == self.me else self.from_app(party, m.Verify)
            checks = verify.messages if verify else bytes(size)
            signature = verify.signature if verify else bytes(SIG)
            who = self.identity(party)
            if party == liar and who is not None:
                if variant == "a check altered":  # signed by its checker: a lying checker
                    checks = bumped(checks)
                    signature = who.sign(
                        verify_context(self.context, party, self.transcript, checks)
                    )
                elif variant == "unsigned":
                    signature = bytes(SIG)
                elif variant == "signed for another transcript":
                    signature = who.sign(
                        verify_context(self.context, party, os.urandom(HASH), checks)
                    )
            messages.append(checks)
            signatures.append(signature)
        blob = b"".join(messages)[size if variant == "short" else 0 :]
        msg = m.Verifies(round_id=self.round_id, messages=blob, signatures=b"".join(signatures))
        honest = all(
            (app := self.apps.get(p)) is not None
            and self.from_app(p, m.Verify) is not None
            and app._transcript_digest == self.transcript
            for p in self.parties
            if p != self.me
        )
        good = variant == "good" and honest and self.mine(m.Verify) is not None
        if good:
            self.good_verifies.add((msg.messages, msg.signatures))
        if how in DELIVERED and good:
            self.tell_apps(msg)
        self.feed(mangle(encode(msg), how, cut))

    @rule(
        how=MANGLING,
        cut=st.integers(0, 10_000),
        variant=st.sampled_from(["good", "bad piece", "short"]),
    )
    def unmasks(self, how: str, cut: int, variant: str) -> None:
        n = len(self.parties)
        opened = []
        for party in self.parties:
            unmask = self.mine(m.Unmask) if party == self.me else self.from_app(party, m.Unmask)
            opened.append(unmask.pieces if unmask else os.urandom(HASH * max(1, n - 1)))
        if variant == "bad piece" and opened:
            opened[0] = os.urandom(HASH) + opened[0][HASH:]
        blob = b"".join(opened)[HASH if variant == "short" else 0 :]
        known = self.mine(m.Unmask) is not None and all(
            self.from_app(p, m.Unmask) for p in self.parties if p != self.me
        )
        if variant == "good" and known and len(self.vectors) == 8 * SHAPE.length * n:
            # The result, worked out here with plain integers: partial sums minus self-masks.
            seeds = [_slot(blob, k, HASH) for k in range(len(blob) // HASH)]
            total = sum(int.from_bytes(_slot(self.vectors, k, 8), "little") for k in range(n))
            total -= sum(int(proofs.piece_vector(seed, 1)[0]) for seed in seeds)
            total %= gf.P
            self.good_unmasks[blob] = total - gf.P if total > gf.HALF else total
        self.feed(mangle(encode(m.Unmasks(round_id=self.round_id, pieces=blob)), how, cut))

    # --- anything else the host might send --------------------------------------------

    @rule(
        how=MANGLING,
        cut=st.integers(0, 10_000),
        msg=st.sampled_from(
            [
                *("progress", "aborted", "rejected", "closed", "ping", "pong", "hello"),
                *("partial sum", "commit", "reveal", "confirm", "verify", "unmask"),
                *("complaint", "cancel", "leave"),
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
            "partial sum": m.PartialSum(
                round_id=rid, vector=bytes(8), witness=b"", proof=b"", commitments=h * 3
            ),
            "commit": m.Commit(epoch=epoch, commitment=h),
            "reveal": m.Reveal(epoch=epoch, nonce=h),
            "confirm": m.Confirm(round_id=rid, tags=bytes(2 * TAG), nonce=h),
            "verify": m.Verify(round_id=rid, messages=bytes(16), signature=bytes(SIG)),
            "unmask": m.Unmask(round_id=rid, pieces=h * 2),
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
    deep = {
        *("host verifying", "host unmasking", "host done"),
        *("participant verified", "participant opened", "participant done"),
    }
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
    "confirmed": [lambda f: f.partials("whole", 0, [1, 2, 3], "good")],
    "verified": [lambda f: f.confirms("whole", 0, "good")],
    "opened": [lambda f: f.verifies("whole", 0, "good")],
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
    "verified": PartPhase.VERIFIED,
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
    **{
        f"partials, {v}": lambda f, v=v: f.partials("whole", 0, list(f.parties), v)  # type: ignore[misc]
        for v in PARTIALS_VARIANTS
    },
    "partials, one missing": lambda f: f.partials("whole", 0, list(f.parties)[:-1], "good"),
    "partials, strangers": lambda f: f.partials("whole", 0, [1, 4, 5], "good"),
    **{
        f"confirms, {v}": functools.partial(ParticipantFuzz.confirms, how="whole", cut=0, variant=v)
        for v in ("good", "one tag wrong", "short", "other transcript", "bad nonce")
    },
    **{
        f"verifies, {v}": functools.partial(ParticipantFuzz.verifies, how="whole", cut=0, variant=v)
        for v in VERIFIES_VARIANTS
    },
    **{
        f"unmasks, {v}": functools.partial(ParticipantFuzz.unmasks, how="whole", cut=0, variant=v)
        for v in ("good", "bad piece", "short")
    },
    **{kind: _other(kind) for kind in ("progress", "aborted", "rejected", "closed", "ping")},
    "aborted, other round": _other("aborted", False),
    **{
        f"{kind} (a member's message)": _other(kind)
        for kind in ("hello", "partial sum", "commit", "reveal", "confirm", "verify", "unmask")
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
    g.partials("whole", 0, list(g.parties), "good")
    g.confirms("whole", 0, "good")
    g.verifies("whole", 0, "good")
    g.unmasks("whole", 0, "good")
    assert g.p.phase is PartPhase.DONE and g.p.outcome is not None


# --- every hostile message at every host phase -------------------------------------------


def _host_hostile(f: HostFuzz, conn: int) -> dict[str, list[bytes]]:
    """Each hostile thing connection ``conn`` can send, as the bytes it sends."""
    host = f.host
    rnd = host._round
    rid = rnd.round_id if rnd else _rid()
    me = f.member(conn)
    mine = me.party if me else 99
    others = [x.party for x in host.roster if x.party != mine]
    epoch = max(1, host._epoch.number)
    nonce = os.urandom(HASH)
    commitment = nonce_commitment(host.session_id, epoch, mine, nonce)
    n = len(rnd.parties) if rnd else len(host.roster)
    zeros = m.PartialSum(
        round_id=rid,
        vector=bytes(8 * SHAPE.length),
        witness=bytes(8 * SHAPE.witness),
        proof=bytes(8 * SHAPE.proof),
        commitments=bytes(HASH * n),
    )
    tags = bytes(TAG * len(others))
    checks = bytes(8 * SHAPE.message * max(1, n - 1))
    session = f.host.session_id
    msgs: dict[str, Message] = {
        "hello again": signed_hello(session, f.raw[conn].identity, "Mallory"),
        "hello, taken name": signed_hello(session, crypto.Identity(), "H0"),
        "hello, someone's key": signed_hello(
            session, next(iter(f.honest.values())).identity, "Eve"
        ),
        "commit": m.Commit(epoch=epoch, commitment=commitment),
        "commit, next epoch": m.Commit(epoch=epoch + 1, commitment=commitment),
        "reveal, wrong nonce": m.Reveal(epoch=epoch, nonce=nonce),
        "partial, zeros": zeros,
        "partial, old round": dataclasses.replace(zeros, round_id=_rid()),
        "partial, wrong size": dataclasses.replace(zeros, vector=bytes(8 * SHAPE.length + 8)),
        "partial, no witness": dataclasses.replace(zeros, witness=b""),
        "partial, outside the field": dataclasses.replace(zeros, proof=b"\xff" * len(zeros.proof)),
        "partial, commitments missing": dataclasses.replace(zeros, commitments=bytes(HASH)),
        "confirm, forged tags and nonce": m.Confirm(round_id=rid, tags=tags, nonce=nonce),
        "confirm, tags missing": m.Confirm(round_id=rid, tags=tags[TAG:], nonce=nonce),
        "verify, unsigned": m.Verify(round_id=rid, messages=checks, signature=bytes(SIG)),
        "verify, wrong size": m.Verify(
            round_id=rid, messages=checks + bytes(8), signature=bytes(SIG)
        ),
        "unmask, wrong pieces": m.Unmask(round_id=rid, pieces=os.urandom(HASH * max(1, n - 1))),
        "unmask, a piece missing": m.Unmask(round_id=rid, pieces=os.urandom(HASH * max(0, n - 2))),
        "complaint": m.Complaint(round_id=rid, about=others[0] if others else 1, what=3),
        "complaint, a check failed": m.Complaint(
            round_id=rid, about=others[0] if others else 1, what=m.Seen.INVALID_CONTRIBUTION
        ),
        "complaint, unknown": m.Complaint(round_id=rid, about=0, what=200),
        "cancel": m.Cancel(round_id=rid, why=0),
        "cancel, unknown why": m.Cancel(round_id=rid, why=200),
        "leave": m.Leave(),
        "start": m.Start(round_id=rid, roster_digest=bytes(HASH)),
        "partials": m.Partials(
            round_id=rid, parties=(), vectors=b"", witnesses=b"", proofs=b"", commitments=b""
        ),
        "commitments": m.Commitments(epoch=epoch, commitments=commitment),
        "confirms": m.Confirms(round_id=rid, tags=tags, nonces=nonce),
        "verifies": m.Verifies(round_id=rid, messages=checks, signatures=bytes(SIG)),
        "unmasks": m.Unmasks(round_id=rid, pieces=nonce),
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
    cheated = stage == "member, its turn" and name == "its move, cheating"
    if cheated and station in ("confirming", "verifying"):
        # Forged tags, or checks that lie: the others see it at once and stop the
        # round; nobody opens, nothing is summed, and a re-run stays possible.
        assert f.host.phase is HostPhase.ABORTED and not f.opened and f.host.outcome is None
        assert not f.host.question_closed
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
        elif station == "summing":
            # A contribution off by one, confirmed and checked by its app as if valid:
            # the others' checks fail it; nobody opens, nothing is summed, and a
            # re-run stays possible.
            assert f.host.phase is HostPhase.ABORTED and not f.opened
            assert f.host.outcome is None and not f.host.question_closed
            assert f.aborts[-1].suspects == ("Mallory",), f.aborts[-1]
        elif station == "unmasking":  # pieces that do not match: the cheat is dropped
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
            return encode(dataclasses.replace(msg, tags=bytes(len(msg.tags))))
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


RACES: dict[str, tuple[type[Message], PartPhase, HostPhase]] = {
    "confirmations": (m.Confirms, PartPhase.CONFIRMED, HostPhase.VERIFYING),
    "checks": (m.Verifies, PartPhase.VERIFIED, HostPhase.UNMASKING),
}


@pytest.mark.parametrize("race", RACES)
def test_a_cancel_racing_the_last_confirmation_expels_nobody(race: str) -> None:
    """a presses Cancel after confirming (or after signing its checks), while the host
    already relays the confirmations (the checks) that a has not received yet: the
    round may go on or stop, but a is no cheat."""
    relayed, phase, host_phase = RACES[race]
    conns: dict[str, int] = {}
    held: list[bytes] = []

    def slow(direction: str, conn: int, data: bytes) -> bytes | None:
        if direction == "down" and conn == conns["a"] and data[5] == relayed.TYPE:
            held.append(data)
            return None
        return data

    net, named = _four_with(slow)
    conns.update(named)
    net.host_do(net.host.start())
    a = net.parties[conns["a"]]
    assert held and a.phase is phase and net.host.phase is host_phase
    net.party_do(conns["a"], a.cancel())
    assert conns["a"] not in net.dropped, "a person's Cancel got them expelled"
    assert not a.closed
