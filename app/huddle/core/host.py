"""The host's state machine: admission, rounds, relaying, aborts.

Rules of this file:
- It is sans-IO. The engine feeds it bytes per connection and carries out the
  `Send`/`Drop` outputs it returns; nothing here touches a socket or a clock.
- The host relays masked partial sums and adds them up. It never sees a value
  or a mask (members derive masks from secrets agreed pairwise; see
  `participant`), and cannot alter a partial sum without failing a tag only
  the two members of a pair can make.
- A round costs the host O(n) per member: it collects n partial sums and
  sends each member one Partials message. Progress goes out to members only
  when the engine asks (`progress`, on a timer), not on every arrival — with
  n members that would be n² frames in a round that otherwise takes
  milliseconds.
- Anything a peer does wrong drops that peer (and aborts a running round); it
  never raises out of `receive_data`.

Session phases: LOBBY → SUMMING → DONE, with ABORTED reachable from SUMMING
and leading back to it through `start()` (a re-run with fresh masks and a new
round id). CLOSED is final.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field

from huddle.core import crypto
from huddle.core.codec import FrameDecoder, Message, encode
from huddle.core.crypto import TAG_BYTES
from huddle.core.encoding import from_ring
from huddle.core.errors import LocalProtocolError, RemoteProtocolError
from huddle.core.events import (
    Drop,
    JoinRequested,
    Output,
    ProgressChanged,
    ResultReady,
    RosterChanged,
    RoundAborted,
    RoundStarted,
    Send,
    SessionEnded,
)
from huddle.core.masks import rehearse
from huddle.core.messages import (
    ID_BYTES,
    Aborted,
    Cancel,
    Closed,
    Complaint,
    Hello,
    Leave,
    Lobby,
    Member,
    Partials,
    PartialSum,
    Ping,
    Pong,
    Progress,
    Rejected,
    Start,
    Welcome,
)
from huddle.core.outcome import Outcome
from huddle.core.questions import Question
from huddle.core.security_code import roster_digest, security_code
from huddle.core.sharing import sum_rows

STRANGER_MAX_FRAME = 16 * 1024
"""Frames from someone not yet admitted are small (a Hello); refuse big ones early."""


class Phase(enum.Enum):
    LOBBY = "lobby"
    SUMMING = "summing"
    DONE = "done"
    ABORTED = "aborted"
    CLOSED = "closed"


class _Stage(enum.Enum):
    AWAIT_HELLO = 1
    PENDING = 2
    MEMBER = 3


@dataclass
class _Conn:
    decoder: FrameDecoder
    stage: _Stage = _Stage.AWAIT_HELLO
    member: Member | None = None


@dataclass
class _Round:
    round_id: bytes
    parties: tuple[int, ...]
    partials: dict[int, PartialSum] = field(default_factory=dict)
    announced: tuple[int, ...] = ()
    """The progress members were last told about (see `HostSession.progress`)."""


class HostSession:
    """One hosted session. Create it, then drive it with the methods below."""

    def __init__(
        self,
        *,
        question: Question,
        host_name: str,
        fingerprint: bytes,
        random_bytes: Callable[[int], bytes],
    ) -> None:
        self.question = question
        self.host_name = host_name
        self.fingerprint = fingerprint
        self.session_id = random_bytes(ID_BYTES)
        self._rounds_started = 0
        self.phase = Phase.LOBBY
        self._random = random_bytes
        self._conns: dict[int, _Conn] = {}
        self._next_conn = 1
        self._next_party = 1
        self._round: _Round | None = None
        self._known: dict[int, str] = {}
        self.outcome: Outcome | None = None
        rehearse(question.vector_length)

    # --- what the app asks -------------------------------------------------

    @property
    def roster(self) -> tuple[Member, ...]:
        members = (c.member for c in self._conns.values() if c.stage is _Stage.MEMBER)
        return tuple(sorted((m for m in members if m), key=lambda m: m.party))

    @property
    def pending(self) -> dict[int, str]:
        """Connections waiting to be admitted, with the names they gave."""
        return {
            cid: c.member.name
            for cid, c in self._conns.items()
            if c.stage is _Stage.PENDING and c.member
        }

    @property
    def strangers(self) -> set[int]:
        """Connections that have not introduced themselves yet."""
        return {cid for cid, c in self._conns.items() if c.stage is _Stage.AWAIT_HELLO}

    @property
    def code(self) -> str:
        return security_code(self._digest())

    @property
    def can_start(self) -> bool:
        return self.phase in (Phase.LOBBY, Phase.ABORTED) and (
            len(self.roster) >= self.question.min_participants
        )

    def connect(self) -> tuple[int, list[Output]]:
        """A new connection arrived; returns its id and the greeting to send."""
        cid = self._next_conn
        self._next_conn += 1
        self._conns[cid] = _Conn(FrameDecoder(STRANGER_MAX_FRAME))
        welcome = Welcome(
            session_id=self.session_id, host_name=self.host_name, question=self.question
        )
        return cid, [Send(cid, encode(welcome))]

    def admit(self, conn: int) -> list[Output]:
        c = self._conns.get(conn)
        if c is None or c.stage is not _Stage.PENDING or c.member is None:
            raise LocalProtocolError("That person is no longer waiting to join.")
        if self.phase not in (Phase.LOBBY, Phase.ABORTED):
            raise LocalProtocolError("People can only be admitted before the round starts.")
        c.stage = _Stage.MEMBER
        c.decoder.max_frame = FrameDecoder().max_frame
        return self._roster_update(f"{c.member.name} joined")

    def reject(self, conn: int, reason: str = "The host did not admit you.") -> list[Output]:
        c = self._conns.pop(conn, None)
        if c is None:
            return []
        return [Send(conn, encode(Rejected(reason=reason))), Drop(conn, "rejected by host")]

    def start(self) -> list[Output]:
        if not self.can_start:
            raise LocalProtocolError(
                f"At least {self.question.min_participants} people must be in the lobby to start."
            )
        parties = tuple(m.party for m in self.roster)
        # Rounds are numbered 1, 2, 3…: unique in the session, which is all
        # fresh masks need, and predictable, so members can prepare their
        # partial sums while they wait (`ParticipantSession.prepare`).
        self._rounds_started += 1
        round_id = self._rounds_started.to_bytes(ID_BYTES, "big")
        self._round = _Round(round_id=round_id, parties=parties)
        self.phase = Phase.SUMMING
        start = Start(round_id=self._round.round_id, roster_digest=self._digest())
        out: list[Output] = self._broadcast(start)
        out.append(RoundStarted(names=self._names(parties), needs_value=False))
        return out

    def progress(self) -> list[Output]:
        """Tell members who has sent what, if that changed since they were last told.

        The engine calls this a few times a second while a round runs: people
        waiting on a slow colleague see the table move, and a fast round is not
        slowed by a progress frame to everyone on every arrival.
        """
        rnd = self._round
        if rnd is None or self.phase is not Phase.SUMMING:
            return []
        summed = tuple(sorted(rnd.partials))
        if summed == rnd.announced:
            return []
        rnd.announced = summed
        return self._broadcast(Progress(round_id=rnd.round_id, summed=summed))

    def cancel(self, reason: str = "The host cancelled the round.") -> list[Output]:
        if self.phase is not Phase.SUMMING:
            return []
        return self._abort(reason, ())

    def close(self, reason: str = "The host closed the session.") -> list[Output]:
        if self.phase is Phase.CLOSED:
            return []
        self.phase = Phase.CLOSED
        out: list[Output] = []
        for cid in list(self._conns):
            out += [Send(cid, encode(Closed(reason=reason))), Drop(cid, "session closed")]
        self._conns.clear()
        out.append(SessionEnded(reason))
        return out

    # --- what the network brings --------------------------------------------

    def receive_data(self, conn: int, data: bytes) -> list[Output]:
        c = self._conns.get(conn)
        if c is None:
            return []
        out: list[Output] = []
        try:
            for msg in c.decoder.feed(data):
                out += self._handle(conn, c, msg)
                if conn not in self._conns:
                    break
        except RemoteProtocolError as exc:
            out += self._lose(conn, str(exc))
        return out

    def connection_lost(self, conn: int, reason: str = "connection lost") -> list[Output]:
        if conn not in self._conns:
            return []
        return self._lose(conn, reason, dropped=True)

    # --- internals ------------------------------------------------------------

    def _handle(self, conn: int, c: _Conn, msg: Message) -> list[Output]:
        if isinstance(msg, Ping):
            return [Send(conn, encode(Pong()))]
        if isinstance(msg, Pong):
            return []
        if c.stage is _Stage.AWAIT_HELLO:
            if not isinstance(msg, Hello):
                raise RemoteProtocolError("Expected Hello first.")
            return self._hello(conn, c, msg)
        if isinstance(msg, Leave):
            return self._lose(conn, "left")
        if c.stage is _Stage.PENDING:
            raise RemoteProtocolError(f"{type(msg).__name__} before being admitted.")
        assert c.member is not None
        return self._member_message(c.member, msg)

    def _hello(self, conn: int, c: _Conn, msg: Hello) -> list[Output]:
        name = " ".join(msg.name.split())
        if not name:
            raise RemoteProtocolError("Hello without a name.")
        signed = crypto.context(
            "hello", self.session_id, msg.name.encode(), msg.sign_key, msg.kem_key
        )
        crypto.verify(msg.sign_key, msg.signature, signed)
        if not crypto.usable_kem_key(msg.kem_key):
            raise RemoteProtocolError("Hello with an encryption key that cannot be used.")
        if self.phase not in (Phase.LOBBY, Phase.ABORTED):
            return self.reject(conn, "This session has already started.")
        taken = {m.name for m in self.roster} | set(self.pending.values())
        if name in taken or any(m.sign_key == msg.sign_key for m in self.roster):
            return self.reject(conn, f"Someone called “{name}” is already here; pick another name.")
        party = self._next_party
        self._next_party += 1
        c.member = Member(party=party, name=name, sign_key=msg.sign_key, kem_key=msg.kem_key)
        self._known[party] = name
        c.stage = _Stage.PENDING
        return [JoinRequested(conn, name)]

    def _member_message(self, member: Member, msg: Message) -> list[Output]:
        rnd = self._round
        round_id = getattr(msg, "round_id", None)
        if rnd is None or round_id != rnd.round_id or member.party not in rnd.parties:
            if isinstance(msg, PartialSum | Cancel | Complaint) and self.phase is Phase.ABORTED:
                return []  # a straggler from the round that was just aborted
            raise RemoteProtocolError(f"{type(msg).__name__} that belongs to no running round.")
        if isinstance(msg, PartialSum):
            return self._partial(rnd, member, msg)
        if isinstance(msg, Cancel):
            return self._abort(f"{member.name} cancelled the round.", (member.party,))
        if isinstance(msg, Complaint):
            who = self._known.get(msg.accused, "someone")
            out = self._abort(
                f"A message from {who} failed its security check; {who} was removed.",
                (msg.accused,),
            )
            return out + self._expel(msg.accused)
        raise RemoteProtocolError(f"Unexpected {type(msg).__name__} from a member.")

    def _partial(self, rnd: _Round, member: Member, msg: PartialSum) -> list[Output]:
        if self.phase is not Phase.SUMMING or member.party in rnd.partials:
            raise RemoteProtocolError("Partial sum sent twice or too early.")
        if len(msg.vector) != 8 * self.question.vector_length or (
            len(msg.tags) != TAG_BYTES * (len(rnd.parties) - 1)
        ):
            raise RemoteProtocolError("Partial sum is malformed.")
        rnd.partials[member.party] = msg
        out = self._progress_event(rnd)
        if len(rnd.partials) == len(rnd.parties):
            out += self._publish(rnd)
        return out

    def _publish(self, rnd: _Round) -> list[Output]:
        """Every partial sum to every member, each with the tags meant for it."""
        parties = rnd.parties
        vectors = b"".join(rnd.partials[p].vector for p in parties)
        out: list[Output] = []
        conns = self._member_conns()
        for k, recipient in enumerate(parties):
            if recipient not in conns:
                continue
            # Party j's tags skip j itself, so j's tag for the k-th party sits in
            # slot k − 1 if j comes before it, else in slot k.
            tags = b"".join(
                bytes(TAG_BYTES) if j == k else _slot(rnd.partials[p].tags, k - 1 if j < k else k)
                for j, p in enumerate(parties)
            )
            partials = Partials(round_id=rnd.round_id, parties=parties, vectors=vectors, tags=tags)
            out.append(Send(conns[recipient], encode(partials)))
        total = sum_rows(vectors, len(parties), self.question.vector_length)
        self.outcome = Outcome(self.question, len(parties), tuple(from_ring(total)))
        self.phase = Phase.DONE
        out.append(ResultReady(self.outcome))
        return out

    def _progress_event(self, rnd: _Round) -> list[Output]:
        """The host person's own view of the progress (no frames go out)."""
        summed = tuple(sorted(rnd.partials))
        waiting = tuple(p for p in rnd.parties if p not in rnd.partials)
        names = self._names(summed)
        return [ProgressChanged(names, self._names(waiting))]

    def _lose(self, conn: int, reason: str, *, dropped: bool = False) -> list[Output]:
        c = self._conns.pop(conn)
        out: list[Output] = [] if dropped else [Drop(conn, reason)]
        if c.stage is not _Stage.MEMBER or c.member is None:
            return out
        name, party = c.member.name, c.member.party
        rnd = self._round
        if self.phase is Phase.SUMMING and rnd and party in rnd.parties:
            out += self._abort(f"{name} left during the round.", (party,))
        else:
            out += self._roster_update(f"{name} left")
        return out

    def _expel(self, party: int) -> list[Output]:
        for cid, c in list(self._conns.items()):
            if c.member and c.member.party == party and c.stage is _Stage.MEMBER:
                del self._conns[cid]
                return [Drop(cid, "failed a security check"), *self._roster_update("")]
        return []

    def _abort(self, reason: str, missing: tuple[int, ...]) -> list[Output]:
        rnd = self._round
        assert rnd is not None
        self.phase = Phase.ABORTED
        self._round = None
        names = self._names(missing)
        out = self._broadcast(Aborted(round_id=rnd.round_id, reason=reason, missing=missing))
        out += self._roster_update("")
        out.append(RoundAborted(reason, names, self.can_start))
        return out

    def _roster_update(self, note: str) -> list[Output]:
        roster = self.roster
        out: list[Output] = []
        for cid, c in self._conns.items():
            if c.stage is _Stage.MEMBER and c.member:
                out.append(Send(cid, encode(Lobby(you=c.member.party, roster=roster))))
        out.append(RosterChanged(tuple(m.name for m in roster), self.code, None, note))
        return out

    def _broadcast(self, msg: Message) -> list[Output]:
        data = encode(msg)
        return [Send(cid, data) for cid, c in self._conns.items() if c.stage is _Stage.MEMBER]

    def _member_conns(self) -> dict[int, int]:
        """The connection of each admitted member, by party."""
        return {
            c.member.party: cid
            for cid, c in self._conns.items()
            if c.stage is _Stage.MEMBER and c.member
        }

    def _names(self, parties: tuple[int, ...]) -> tuple[str, ...]:
        return tuple(self._known.get(p, f"participant {p}") for p in parties)

    def _digest(self) -> bytes:
        return roster_digest(self.session_id, self.question, self.fingerprint, self.roster)


def _slot(tags: bytes, index: int) -> bytes:
    return tags[index * TAG_BYTES : (index + 1) * TAG_BYTES]
