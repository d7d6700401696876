"""The honest host's state machine: admission, the code's epochs, rounds, relaying.

Rules of this file:
- It is sans-IO. The engine feeds it bytes per connection and carries out the
  `Send`/`Drop` outputs it returns; nothing here touches a socket or a clock.
- Members trust the host for nothing but relaying (see `participant`): this
  class is what an honest host does, and the tests play dishonest ones
  against the members. It never sees a value or a mask, and can neither
  alter a partial sum nor finish a stopped round.
- Each roster it announces is an epoch: it collects every member's nonce
  commitment, relays them all, then collects and relays the nonces; only then
  is the security code known and a round can start.
- A round: Start; every partial sum with its proof's public parts and
  commitments (SUMMING); all of them to everyone, then every member's
  confirmation tags and query nonce (CONFIRMING); the tags to each member and
  every nonce to everyone, then every member's signed verifier messages
  (VERIFYING); all of them to everyone, then every member's self-mask pieces
  (UNMASKING); the pieces to everyone (DONE). The host checks what it can
  (lengths, nonces and pieces against their commitments, signatures) and
  drops a member whose message fails; whether a contribution is valid each
  member decides for itself. Progress goes out only when the engine asks
  (`progress`, on a timer).
- Cancel and Complaint stop a round until its result is out (a member checks
  the confirmations only once the host relays them, in UNMASKING, and may
  complain then; a stop from UNMASKING on closes the question); after the
  result they are protocol errors. A complaint expels nobody (the host cannot
  verify it); what the host verifies itself (a nonce or seed that does not
  match its commitment) drops the member who sent it.
- Anything a peer does wrong drops that peer (and aborts a running round); it
  never raises out of `receive_data`.

Session phases: LOBBY → SUMMING → CONFIRMING → VERIFYING → UNMASKING → DONE.
A stop before UNMASKING leads to ABORTED, and back to SUMMING through `start()` (a
re-run with fresh masks, a new round id, and each person's word); a stop in
UNMASKING closes the question (members may have opened their self-masks).
CLOSED is final.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field

from huddle.core import crypto, proofs
from huddle.core import field as gf
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
from huddle.core.masks import (
    HASH_BYTES,
    nonce_commitment,
    piece_commitment,
    query_nonce_commitment,
    round_context,
    transcript_digest,
    verify_context,
)
from huddle.core.messages import (
    CANCEL_TEXT,
    ID_BYTES,
    SEEN_TEXT,
    Aborted,
    Cancel,
    CancelWhy,
    Closed,
    Commit,
    Commitments,
    Complaint,
    Confirm,
    Confirms,
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
    Reveal,
    Reveals,
    Seen,
    Start,
    Unmask,
    Unmasks,
    Verifies,
    Verify,
    Welcome,
    hello_context,
)
from huddle.core.outcome import Outcome
from huddle.core.questions import Question
from huddle.core.rehearsal import rehearse
from huddle.core.security_code import code_digest, result_code, roster_digest, security_code
from huddle.core.sharing import sum_rows

STRANGER_MAX_FRAME = 16 * 1024
"""Frames from someone not yet admitted are small (a Hello); refuse big ones early."""


class Phase(enum.Enum):
    LOBBY = "lobby"
    SUMMING = "summing"
    CONFIRMING = "confirming"
    VERIFYING = "verifying"
    UNMASKING = "unmasking"
    DONE = "done"
    ABORTED = "aborted"
    CLOSED = "closed"


_STOPPABLE = (Phase.SUMMING, Phase.CONFIRMING, Phase.VERIFYING)
"""Round phases in which no member can have opened its self-mask yet."""


_TRANSITIONS: dict[Phase, dict[type[Message], str]] = {
    Phase.SUMMING: {PartialSum: "_partial", Cancel: "_cancelled", Complaint: "_complaint"},
    Phase.CONFIRMING: {Confirm: "_confirm", Cancel: "_cancelled", Complaint: "_complaint"},
    Phase.VERIFYING: {Verify: "_verify", Cancel: "_cancelled", Complaint: "_complaint"},
    Phase.UNMASKING: {Unmask: "_unmask", Cancel: "_cancelled", Complaint: "_complaint"},
}
"""Phase × round message from a member → handler. Anything else about a round is a
protocol error (the member is dropped), except stragglers of a stopped round.
Commit/Reveal (the code's epochs), Leave and Ping/Pong are taken in any phase."""


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
class _Epoch:
    """One announced roster and the nonces its security code is made of."""

    number: int
    roster: tuple[Member, ...]
    commitments: dict[int, bytes] = field(default_factory=dict)
    nonces: dict[int, bytes] = field(default_factory=dict)
    commitments_sent: bool = False
    digest: bytes = b""
    """The code digest once every nonce is in; b"" until then."""
    note: str = ""
    """Why the roster changed ("Ann joined"), repeated when its code is ready."""


@dataclass
class _Round:
    round_id: bytes
    parties: tuple[int, ...]
    context: bytes
    partials: dict[int, PartialSum] = field(default_factory=dict)
    confirms: dict[int, bytes] = field(default_factory=dict)
    nonces: dict[int, bytes] = field(default_factory=dict)
    verifies: dict[int, Verify] = field(default_factory=dict)
    pieces: dict[int, bytes] = field(default_factory=dict)
    transcript: bytes = b""
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
        self._epoch = _Epoch(0, ())
        self._shown_code = ""
        self._round: _Round | None = None
        self._known: dict[int, str] = {}
        self.question_closed = False
        """A round stopped after members may have opened their self-masks: no re-run."""
        self.outcome: Outcome | None = None
        self.result_code = ""
        rehearse(question)

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
        """The security code of the current roster; "" until every nonce is in."""
        return security_code(self._epoch.digest) if self._epoch.digest else ""

    @property
    def can_start(self) -> bool:
        return (
            self.phase in (Phase.LOBBY, Phase.ABORTED)
            and not self.question_closed
            and len(self.roster) >= self.question.min_participants
            and bool(self._epoch.digest)
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
        if len(self.roster) >= proofs.max_group(self.question):
            raise LocalProtocolError(
                f"A round of this question can hold at most {proofs.max_group(self.question)} "
                "people: the session is full."
            )
        c.stage = _Stage.MEMBER
        c.decoder.max_frame = FrameDecoder().max_frame
        return self._roster_update(f"{c.member.name} joined")

    def reject(self, conn: int, reason: str = "The host did not admit you.") -> list[Output]:
        c = self._conns.pop(conn, None)
        if c is None:
            return []
        return [Send(conn, encode(Rejected(reason=reason))), Drop(conn, "rejected by host")]

    @property
    def epoch(self) -> int:
        """The number of the roster last announced (it grows with every change)."""
        return self._epoch.number

    def silent_in_code_exchange(self) -> tuple[int, ...]:
        """Members holding up the current roster's code: no commitment yet, or
        (once every commitment went out) no nonce. Empty when the code is ready."""
        epoch = self._epoch
        if epoch.digest:
            return ()
        waiting_on = epoch.nonces if epoch.commitments_sent else epoch.commitments
        return tuple(m.party for m in epoch.roster if m.party not in waiting_on)

    def drop_silent(self, epoch: int) -> list[Output]:
        """Remove whoever still holds up the code of roster ``epoch`` (the engine calls
        this when the exchange took far longer than a round trip); the others get a
        new roster and a new code. A member that never answers cannot stall the lobby."""
        if epoch != self._epoch.number or self.phase not in (Phase.LOBBY, Phase.ABORTED):
            return []
        out: list[Output] = []
        for party in self.silent_in_code_exchange():
            for cid, c in list(self._conns.items()):
                if c.stage is _Stage.MEMBER and c.member and c.member.party == party:
                    out += self._lose(cid, "did not take part in the security code")
        return out

    def remove(self, party: int) -> list[Output]:
        """The host person removes a member between rounds (the roster and code change)."""
        if self.phase in (*_STOPPABLE, Phase.UNMASKING):
            raise LocalProtocolError("People can only be removed between rounds.")
        for cid, c in list(self._conns.items()):
            if c.stage is _Stage.MEMBER and c.member and c.member.party == party:
                del self._conns[cid]
                return [
                    Drop(cid, "removed by the host"),
                    *self._roster_update(f"{c.member.name} was removed"),
                ]
        return []

    def start(self) -> list[Output]:
        if not self.can_start:
            if self.question_closed:
                raise LocalProtocolError(
                    "This question is closed: a round stopped after people's apps had "
                    "opened their answers, so another round could reveal a value."
                )
            if len(self.roster) >= self.question.min_participants:
                raise LocalProtocolError("The security code is not ready yet.")
            raise LocalProtocolError(
                f"At least {self.question.min_participants} people must be in the lobby to start."
            )
        parties = tuple(m.party for m in self.roster)
        # Rounds are numbered 1, 2, 3…: unique in the session, which is all
        # fresh masks need, and predictable, so members can prepare their
        # partial sums while they wait (`ParticipantSession.prepare`).
        self._rounds_started += 1
        round_id = self._rounds_started.to_bytes(ID_BYTES, "big")
        context = round_context(self.session_id, round_id, self._epoch.digest)
        self._round = _Round(round_id=round_id, parties=parties, context=context)
        self.phase = Phase.SUMMING
        start = Start(round_id=round_id, roster_digest=self._epoch.digest)
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
        if self.phase not in _STOPPABLE:
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

    # --- dispatch -------------------------------------------------------------

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
        if isinstance(msg, Commit | Reveal):
            return self._code_message(c.member, msg)
        return self._round_message(c.member, msg)

    def _round_message(self, member: Member, msg: Message) -> list[Output]:
        rnd = self._round
        round_id = getattr(msg, "round_id", None)
        handler = _TRANSITIONS.get(self.phase, {}).get(type(msg))
        stopped = self.phase is Phase.ABORTED and rnd is not None and round_id == rnd.round_id
        if stopped and isinstance(msg, PartialSum | Confirm | Verify | Unmask | Cancel | Complaint):
            return []  # a straggler from the round that was just stopped
        if handler is None or rnd is None or round_id != rnd.round_id:
            raise RemoteProtocolError(f"{type(msg).__name__} that belongs to no running round.")
        if member.party not in rnd.parties:
            raise RemoteProtocolError(f"{type(msg).__name__} from someone not in the round.")
        result: list[Output] = getattr(self, handler)(rnd, member, msg)
        return result

    # --- admission and the code's epochs ---------------------------------------------

    def _hello(self, conn: int, c: _Conn, msg: Hello) -> list[Output]:
        name = " ".join(msg.name.split())
        if not name or name != msg.name:
            raise RemoteProtocolError("Hello without a clean name.")
        signed = hello_context(self.session_id, msg.name, msg.sign_key, msg.kem_key)
        crypto.verify(msg.sign_key, msg.signature, signed)
        if not crypto.usable_kem_key(msg.kem_key):
            raise RemoteProtocolError("Hello with an encryption key that cannot be used.")
        if self.phase not in (Phase.LOBBY, Phase.ABORTED):
            return self.reject(conn, "This session has already started.")
        if len(self.roster) >= proofs.max_group(self.question):
            return self.reject(
                conn,
                f"This session is full: a round of this question can hold at most "
                f"{proofs.max_group(self.question)} people.",
            )
        taken = {m.name for m in self.roster} | set(self.pending.values())
        if name in taken or any(m.sign_key == msg.sign_key for m in self.roster):
            return self.reject(conn, f"Someone called “{name}” is already here; pick another name.")
        party = self._next_party
        self._next_party += 1
        c.member = Member(
            party=party,
            name=name,
            sign_key=msg.sign_key,
            kem_key=msg.kem_key,
            signature=msg.signature,
        )
        self._known[party] = name
        c.stage = _Stage.PENDING
        return [JoinRequested(conn, name)]

    def _code_message(self, member: Member, msg: Commit | Reveal) -> list[Output]:
        epoch = self._epoch
        if msg.epoch < epoch.number:
            return []  # an answer to a roster that has changed since
        if msg.epoch > epoch.number or member.party not in {m.party for m in epoch.roster}:
            raise RemoteProtocolError(f"{type(msg).__name__} for a roster that was never shown.")
        if isinstance(msg, Commit):
            if member.party in epoch.commitments or epoch.commitments_sent:
                raise RemoteProtocolError("Commit sent twice.")
            epoch.commitments[member.party] = msg.commitment
            if len(epoch.commitments) < len(epoch.roster):
                return []
            epoch.commitments_sent = True
            blob = b"".join(epoch.commitments[m.party] for m in epoch.roster)
            return self._broadcast(Commitments(epoch=epoch.number, commitments=blob))
        if not epoch.commitments_sent or member.party in epoch.nonces:
            raise RemoteProtocolError("Reveal out of turn.")
        expected = nonce_commitment(self.session_id, epoch.number, member.party, msg.nonce)
        if expected != epoch.commitments[member.party]:
            raise RemoteProtocolError("A security-code nonce does not match its commitment.")
        epoch.nonces[member.party] = msg.nonce
        if len(epoch.nonces) < len(epoch.roster):
            return []
        nonces = b"".join(epoch.nonces[m.party] for m in epoch.roster)
        base = roster_digest(self.session_id, self.question, self.fingerprint, epoch.roster)
        epoch.digest = code_digest(base, epoch.number, nonces)
        out = self._broadcast(Reveals(epoch=epoch.number, nonces=nonces))
        code = self.code
        changed = bool(self._shown_code) and code != self._shown_code
        self._shown_code = code
        names = tuple(m.name for m in epoch.roster)
        out.append(RosterChanged(names, code, None, epoch.note, changed))
        return out

    # --- a round ------------------------------------------------------------------

    def _partial(self, rnd: _Round, member: Member, msg: PartialSum) -> list[Output]:
        if member.party in rnd.partials:
            raise RemoteProtocolError("Partial sum sent twice.")
        s = proofs.shape(self.question)
        n = len(rnd.parties)
        lengths = (len(msg.vector), len(msg.witness), len(msg.proof), len(msg.commitments))
        if lengths != (8 * s.length, 8 * s.witness, 8 * s.proof, HASH_BYTES * n):
            raise RemoteProtocolError("Partial sum is malformed.")
        try:
            gf.from_bytes(msg.vector + msg.witness + msg.proof)
        except ValueError:
            raise RemoteProtocolError("Partial sum holds numbers outside the field.") from None
        rnd.partials[member.party] = msg
        out = self._progress_event(rnd)
        if len(rnd.partials) < n:
            return out
        # Everyone gets the same frame: every partial sum, public part and commitment.
        blobs = [
            b"".join(getattr(rnd.partials[p], name) for p in rnd.parties)
            for name in ("vector", "witness", "proof", "commitments")
        ]
        rnd.transcript = transcript_digest(rnd.context, rnd.parties, *blobs)
        self.phase = Phase.CONFIRMING
        partials = Partials(
            round_id=rnd.round_id,
            parties=rnd.parties,
            vectors=blobs[0],
            witnesses=blobs[1],
            proofs=blobs[2],
            commitments=blobs[3],
        )
        return out + self._broadcast(partials)

    def _confirm(self, rnd: _Round, member: Member, msg: Confirm) -> list[Output]:
        if member.party in rnd.confirms:
            raise RemoteProtocolError("Confirmation sent twice.")
        if len(msg.tags) != TAG_BYTES * (len(rnd.parties) - 1):
            raise RemoteProtocolError("Confirmation is malformed.")
        committed = rnd.partials[member.party].commitments[:HASH_BYTES]
        if query_nonce_commitment(rnd.context, member.party, msg.nonce) != committed:
            raise RemoteProtocolError("A round's nonce does not match its commitment.")
        rnd.confirms[member.party] = msg.tags
        rnd.nonces[member.party] = msg.nonce
        if len(rnd.confirms) < len(rnd.parties):
            return []
        self.phase = Phase.VERIFYING
        out: list[Output] = []
        conns = self._member_conns()
        nonces = b"".join(rnd.nonces[p] for p in rnd.parties)
        for k, recipient in enumerate(rnd.parties):
            if recipient not in conns:
                continue
            # Party j's tags skip j itself, so j's tag for the k-th party sits in
            # slot k − 1 if j comes before it, else in slot k.
            tags = b"".join(
                bytes(TAG_BYTES) if j == k else _slot(rnd.confirms[p], k - 1 if j < k else k)
                for j, p in enumerate(rnd.parties)
            )
            confirms = Confirms(round_id=rnd.round_id, tags=tags, nonces=nonces)
            out.append(Send(conns[recipient], encode(confirms)))
        return out

    def _verify(self, rnd: _Round, member: Member, msg: Verify) -> list[Output]:
        if member.party in rnd.verifies:
            raise RemoteProtocolError("Checks sent twice.")
        s = proofs.shape(self.question)
        if len(msg.messages) != 8 * s.message * (len(rnd.parties) - 1):
            raise RemoteProtocolError("Checks are malformed.")
        signed = verify_context(rnd.context, member.party, rnd.transcript, msg.messages)
        crypto.verify(member.sign_key, msg.signature, signed)  # a bad one drops the sender
        rnd.verifies[member.party] = msg
        if len(rnd.verifies) < len(rnd.parties):
            return []
        # From here on members may open their self-masks: the round can no
        # longer be stopped and re-run.
        self.phase = Phase.UNMASKING
        verifies = Verifies(
            round_id=rnd.round_id,
            messages=b"".join(rnd.verifies[p].messages for p in rnd.parties),
            signatures=b"".join(rnd.verifies[p].signature for p in rnd.parties),
        )
        return self._broadcast(verifies)

    def _unmask(self, rnd: _Round, member: Member, msg: Unmask) -> list[Output]:
        if member.party in rnd.pieces:
            raise RemoteProtocolError("Self-mask opened twice.")
        others = [p for p in rnd.parties if p != member.party]
        if len(msg.pieces) != HASH_BYTES * len(others):
            raise RemoteProtocolError("Opened self-mask is malformed.")
        committed = rnd.partials[member.party].commitments
        for h, holder in enumerate(others):
            seed = _slot(msg.pieces, h, HASH_BYTES)
            expected = _slot(committed, 1 + h, HASH_BYTES)
            if piece_commitment(rnd.context, member.party, holder, seed) != expected:
                raise RemoteProtocolError("An opened self-mask does not match its commitment.")
        rnd.pieces[member.party] = msg.pieces
        if len(rnd.pieces) < len(rnd.parties):
            return []
        pieces = b"".join(rnd.pieces[p] for p in rnd.parties)
        out = self._broadcast(Unmasks(round_id=rnd.round_id, pieces=pieces))
        length = self.question.vector_length
        vectors = b"".join(rnd.partials[p].vector for p in rnd.parties)
        seeds = [_slot(pieces, k, HASH_BYTES) for k in range(len(pieces) // HASH_BYTES)]
        total = gf.sub(sum_rows(vectors, len(rnd.parties), length), proofs.self_mask(seeds, length))
        self.outcome = Outcome(self.question, len(rnd.parties), tuple(from_ring(total)))
        self.result_code = result_code(rnd.transcript)
        self.phase = Phase.DONE
        out.append(ResultReady(self.outcome, self.result_code))
        return out

    def _cancelled(self, rnd: _Round, member: Member, msg: Cancel) -> list[Output]:
        try:
            text = CANCEL_TEXT[CancelWhy(msg.why)]
        except ValueError:
            text = CANCEL_TEXT[CancelWhy.PERSON]
        return self._abort(text.format(who=member.name), (member.party,))

    def _complaint(self, rnd: _Round, member: Member, msg: Complaint) -> list[Output]:
        # A complaint cannot be verified here: stop the round, say what was seen,
        # and remove nobody.
        try:
            what = Seen(msg.what)
        except ValueError:
            return self._abort(
                f"The round was stopped: {member.name}'s app found something wrong.", ()
            )
        about = self._known.get(msg.about)
        text = SEEN_TEXT[what]
        if "{about}" in text:
            seen = text.format(who=member.name, about=about or "someone")
            checked = what in (Seen.INVALID_CONTRIBUTION, Seen.BAD_CHECK)
            suspects = (msg.about,) if checked and about else ()
            return self._abort(
                f"The round was stopped: {seen}.", (), check_failed=True, suspects=suspects
            )
        seen = text.format(who=member.name)
        detail = f" (about {about})" if about and msg.about != member.party else ""
        return self._abort(f"The round was stopped: {seen}{detail}.", ())

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
        running = self.phase in (*_STOPPABLE, Phase.UNMASKING)
        if running and rnd and party in rnd.parties:
            out += self._abort(f"{name} left during the round.", (party,))
        else:
            out += self._roster_update(f"{name} left")
        return out

    def _abort(
        self,
        reason: str,
        missing: tuple[int, ...],
        *,
        check_failed: bool = False,
        suspects: tuple[int, ...] = (),
    ) -> list[Output]:
        rnd = self._round
        assert rnd is not None
        if self.phase is Phase.UNMASKING and (rnd.pieces or not check_failed):
            # Members may have opened their self-masks: a re-run could be
            # compared with this round, so the question is closed. Not when a
            # member's check of the contributions failed before any opening
            # arrived: every member decides from the same signed checks, so
            # none of them opened (and one that did refuses a re-run itself).
            self.question_closed = True
            reason += (
                " People's apps had already begun to open their answers, "
                "so this question is closed."
            )
        self.phase = Phase.ABORTED
        names = self._names(missing)
        out = self._broadcast(Aborted(round_id=rnd.round_id, reason=reason, missing=missing))
        out += self._roster_update("")
        rerun = self.can_start or self._could_rerun
        out.append(
            RoundAborted(reason, names, rerun, self.question_closed, suspects=self._names(suspects))
        )
        return out

    @property
    def _could_rerun(self) -> bool:
        """A re-run is possible once the new code is ready (it is not, right after a stop)."""
        return not self.question_closed and len(self.roster) >= self.question.min_participants

    def _roster_update(self, note: str) -> list[Output]:
        roster = self.roster
        self._epoch = _Epoch(self._epoch.number + 1, roster, note=note)
        out: list[Output] = []
        for cid, c in self._conns.items():
            if c.stage is _Stage.MEMBER and c.member:
                lobby = Lobby(you=c.member.party, epoch=self._epoch.number, roster=roster)
                out.append(Send(cid, encode(lobby)))
        out.append(RosterChanged(tuple(m.name for m in roster), "", None, note))
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


def _slot(blob: bytes, index: int, size: int = TAG_BYTES) -> bytes:
    return blob[index * size : (index + 1) * size]
