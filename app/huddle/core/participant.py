"""The participant's state machine: join, agree the code, mask, confirm, open, sum.

Rules of this file:
- Sans-IO: `receive_data` takes bytes from the host connection and returns
  `Send`/`Drop` instructions plus events; nothing here touches a socket or clock.
- The host is an adversary that relays everything and may rewrite, withhold,
  replay or reorder any message. Every step below checks what it can and stops
  (`Complaint`, `RoundAborted`) rather than trust the host. `_TRANSITIONS`
  lists every message each phase accepts; anything else is a protocol error.
- The value a person typed stays in this object only (never in an event, a log
  or an error). It is kept across a stopped round, but a re-run sends it only
  once the person says so again (`take_part`), and it is wiped after the result.

The protocol (docs/PROTOCOL.md has the tables and numbers):
1. Lobby epochs. Each roster the host announces (`Lobby`) gets a fresh nonce
   from every member: commit (`Commit`), wait for every commitment
   (`Commitments`), then reveal (`Reveal`/`Reveals`). The security code covers
   the question, the host's certificate, every member's keys and all nonces,
   so a host showing fake keys gets one guess at matching codes per roster.
   Each member's Hello signature is checked here too, not only by the host.
2. A round (`Start`) is taken only for the code on our screen, a roster of at
   least the question's minimum (never below 3) that includes us, and a fresh
   round id. We publish value (+ noise share) − masks we give + masks we get +
   a self-mask, with a commitment to the self-mask's seed (`PartialSum`).
3. The host relays every partial sum (`Partials`); we check ours is intact and
   tag a digest of the whole transcript for every other member (`Confirm`).
4. Only when every other member's tag over the same digest checks out
   (`Confirms`) do we open our self-mask (`Unmask`). Without every self-mask
   the partial sums add up to noise, so a round stopped before this point can
   never be summed by anyone — and having opened ours, we never take part in
   another round of this question (it could be differenced against this one).
5. With every seed (`Unmasks`), each checked against its commitment, the
   result is the sum minus the self-masks; its code is the transcript's.

Phases: CONNECTING → JOINING → LOBBY → (Start) AWAITING_VALUE → SUMMED →
CONFIRMED → OPENED → DONE. A stop before OPENED leads to ABORTED (a re-run
needs the person's word); a stop after it to CLOSED. ENDED is final.
"""

from __future__ import annotations

import enum
import hmac
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from huddle.core import crypto, field, proofs
from huddle.core.answers import Answer
from huddle.core.codec import FrameDecoder, Message, encode
from huddle.core.crypto import SIGNATURE_BYTES, TAG_BYTES
from huddle.core.encoding import Vector, from_ring
from huddle.core.errors import IntegrityError, LocalProtocolError, RemoteProtocolError
from huddle.core.events import (
    Drop,
    Output,
    PrivacySpent,
    ProgressChanged,
    ResultReady,
    RosterChanged,
    RoundAborted,
    RoundStarted,
    Send,
    SessionEnded,
    ShareTranscript,
    Welcomed,
)
from huddle.core.masks import (
    HASH_BYTES,
    PairSecrets,
    confirm_tag,
    joint_seed,
    mask_key,
    nonce_commitment,
    piece,
    piece_commitment,
    query_nonce_commitment,
    query_seed,
    round_context,
    transcript_digest,
    verify_context,
)
from huddle.core.messages import (
    ID_BYTES,
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
from huddle.core.noise import csprng_generator, noise_share
from huddle.core.outcome import Outcome
from huddle.core.proofs import shape
from huddle.core.questions import Question
from huddle.core.randomized_response import Response, coin_from
from huddle.core.rehearsal import rehearse
from huddle.core.security_code import code_digest, result_code, roster_digest, security_code
from huddle.core.sharing import combine, mask_from_key, mask_sum

HOST = 0


@dataclass(frozen=True, slots=True)
class _Mine:
    """What we publish in one round, and the secrets we open or reveal later."""

    vector: bytes
    witness: bytes
    proof: bytes
    commitments: bytes
    nonce: bytes
    """Our query nonce, revealed in Confirm."""
    pieces: tuple[bytes, ...]
    """Our self-mask's pieces, one per colleague, opened in Unmask."""
    frame: bytes


@dataclass(frozen=True, slots=True)
class _Prepared:
    """A partial sum built ahead of its round (see `ParticipantSession.prepare`)."""

    round_id: bytes
    digest: bytes
    mine: _Mine


def _round_after(round_id: bytes) -> bytes:
    """The id an honest host uses after ``round_id``: the next number, big-endian."""
    following = (int.from_bytes(round_id, "big") + 1) % (1 << (8 * ID_BYTES))
    return following.to_bytes(ID_BYTES, "big")


MaskSource = Callable[[int, int, int], Vector]
"""(sender, recipient, length) → this round's mask from sender to recipient.

Normally derived from the pair's secret; the article demo passes its fixed
table of shares instead (every party given the same table)."""


class Phase(enum.Enum):
    CONNECTING = "connecting"
    JOINING = "joining"
    LOBBY = "lobby"
    AWAITING_VALUE = "awaiting value"
    SUMMED = "summed"
    CONFIRMED = "confirmed"
    VERIFIED = "verified"
    OPENED = "opened"
    DONE = "done"
    ABORTED = "aborted"
    CLOSED = "closed"
    ENDED = "ended"


class _Code(enum.Enum):
    """Where the current epoch's security code stands."""

    AWAITING_COMMITMENTS = 1
    AWAITING_REVEALS = 2
    READY = 3


_BETWEEN_ROUNDS = (Phase.LOBBY, Phase.ABORTED, Phase.CLOSED, Phase.DONE)
_IN_ROUND = (
    Phase.AWAITING_VALUE, Phase.SUMMED, Phase.CONFIRMED, Phase.VERIFIED, Phase.OPENED
)  # fmt: skip

_LOBBY_STEPS = {Lobby: "_lobby", Commitments: "_commitments", Reveals: "_reveals", Start: "_start"}
_ROUND_ABORTABLE = {Progress: "_progress", Aborted: "_aborted"}
_TRANSITIONS: dict[Phase, dict[type[Message], str]] = {
    Phase.CONNECTING: {Welcome: "_welcome"},
    Phase.JOINING: {Lobby: "_lobby"},
    Phase.LOBBY: _LOBBY_STEPS,
    Phase.ABORTED: _LOBBY_STEPS,
    Phase.CLOSED: _LOBBY_STEPS,
    Phase.DONE: _LOBBY_STEPS,
    Phase.AWAITING_VALUE: _ROUND_ABORTABLE,
    Phase.SUMMED: {**_ROUND_ABORTABLE, Partials: "_partials"},
    Phase.CONFIRMED: {**_ROUND_ABORTABLE, Confirms: "_confirms"},
    Phase.VERIFIED: {**_ROUND_ABORTABLE, Verifies: "_verifies"},
    Phase.OPENED: {**_ROUND_ABORTABLE, Unmasks: "_unmasks"},
}
"""Phase × message → handler. Ping/Pong, Rejected and Closed are taken in every
phase; a round message for a round that is over is ignored between rounds;
anything else is a protocol error that ends the session."""


class ParticipantSession:
    """One person's side of a session, from connection to result."""

    _parties: tuple[int, ...]
    """The running round's parties, in roster order."""
    _mine: _Mine
    """What we published in the running round, and what we open later."""
    _vectors: Vector
    """Every partial sum of the round, one row per party (roster order)."""
    _witnesses: Vector
    _proof_parts: Vector
    """The public parts of every witness and proof, one row per party."""
    _joint: list[Vector]
    """Each contribution's joint randomness, in roster order."""
    _query: Vector
    """The round's query randomness, once every nonce is revealed."""

    def __init__(
        self,
        *,
        name: str,
        host_fingerprint: bytes,
        random_bytes: Callable[[int], bytes],
        identity: crypto.Identity | None = None,
        masks: MaskSource | None = None,
        transcript: bool = False,
        noise_rng: Callable[[], np.random.Generator] = csprng_generator,
    ) -> None:
        self.name = " ".join(name.split())  # as the host lists it (it refuses any other form)
        self.host_fingerprint = host_fingerprint
        self.identity = identity or crypto.Identity()
        self.phase = Phase.CONNECTING
        self.question: Question | None = None
        self.host_name = ""
        self.session_id = b""
        self.roster: tuple[Member, ...] = ()
        self._by_party: dict[int, Member] = {}
        self._checked: set[Member] = set()
        """Roster entries whose Hello signature we verified ourselves."""
        self.me = -1
        self.outcome: Outcome | None = None
        self.result_code = ""
        self._random = random_bytes
        self._masks: MaskSource = masks or self._derived_mask
        self._transcript = transcript
        self._decoder = FrameDecoder()
        self._value: Vector | None = None
        # The lobby's security code, per epoch.
        self._epoch = 0
        self._nonce = b""
        self._nonce_commitment = b""
        self._code_commitments = b""
        self._code_state = _Code.AWAITING_COMMITMENTS
        self._code_digest = b""
        self._shown_code = ""
        self._note = ""
        self._clear_round()
        self._consented = False
        self._cancelling = False
        self._stopped_before = False
        """A round of this question stopped: a re-run needs the person's word."""
        self._opened = False
        """We opened a self-mask: no further round of this question, ever."""
        self._used_rounds: set[bytes] = set()
        self._next_round_id = _round_after(bytes(ID_BYTES))
        """The id an honest host gives its next round (see `prepare`)."""
        self._prepared: _Prepared | None = None
        self._pairs = PairSecrets(self.identity)
        self._noise_rng = noise_rng
        self._published = False
        """A partial sum of ours left in this session (a poll's ε is spent once)."""
        self.randomized: Response | None = None
        """How this app's coins fell for the person's poll answer: their screen only."""
        self.epsilon_spent = 0.0
        """ε this person has spent in this session: a noisy question's ε for every
        round in which we published a partial sum (each may have given the host
        a release, even if it then stopped it), a poll's ln 3 once."""

    # --- what the person does ---------------------------------------------------

    @property
    def code(self) -> str:
        """The security code on our screen; "" while its nonces are still being exchanged."""
        if self._code_state is not _Code.READY:
            return ""
        return security_code(self._code_digest)

    @property
    def ended(self) -> bool:
        return self.phase is Phase.ENDED

    @property
    def has_value(self) -> bool:
        return self._value is not None

    @property
    def closed(self) -> bool:
        """True once we opened a self-mask: we answer no further round of this question."""
        return self._opened

    @property
    def awaiting_consent(self) -> bool:
        """A re-run is running and waits for the person to say they take part again."""
        return self.phase is Phase.AWAITING_VALUE and not self._consented

    def submit(self, answer: str | Answer) -> list[Output]:
        """Take the person's answer (as typed, or read already); our partial sum goes out
        at once if a round runs.

        A poll's true answer is randomized here, with coins from this session's
        random source; `randomized` then says how they fell (this person's screen
        only). Answering during a round is the person's consent to take part in
        it. Raises `InputError` (nothing changes) if the answer is not acceptable.
        """
        answerable = (Phase.JOINING, Phase.LOBBY, Phase.ABORTED, Phase.AWAITING_VALUE)
        if self.question is None or self.phase not in answerable:
            raise LocalProtocolError("There is no question to answer right now.")
        question = self.question
        typed = question.parse_answer(answer) if isinstance(answer, str) else answer
        typed, randomized = question.randomize(typed, coin_from(self._random))
        value = question.encode_answer(typed)
        self.randomized = randomized
        if self._value is not None:
            self._value.fill(0)
        self._value = value
        self._prepared = None
        if self.phase is Phase.AWAITING_VALUE:
            self._consented = True
            return self._share()
        return []

    def take_part(self) -> list[Output]:
        """The person agrees to take part in the re-run with the answer they gave before."""
        if self.phase is not Phase.AWAITING_VALUE or self._value is None:
            raise LocalProtocolError("There is no round waiting for you to take part.")
        self._consented = True
        return self._share()

    def leave(self) -> list[Output]:
        if self.phase is Phase.ENDED:
            return []
        self._end()
        return [Send(HOST, encode(Leave())), Drop(HOST, "left"), SessionEnded("You left.")]

    def cancel(self) -> list[Output]:
        """Stop the running round for everyone (they are told it was you).

        Only before we opened our self-mask; and once asked, we never open it in
        this round, even if the others' confirmations were already on their way.
        """
        if self.phase not in (
            Phase.AWAITING_VALUE, Phase.SUMMED, Phase.CONFIRMED, Phase.VERIFIED
        ):  # fmt: skip
            return []
        self._cancelling = True
        return [Send(HOST, encode(Cancel(round_id=self._round_id, why=CancelWhy.PERSON)))]

    # --- what the host sends ------------------------------------------------------

    def receive_data(self, data: bytes) -> list[Output]:
        if self.phase is Phase.ENDED:
            return []
        out: list[Output] = []
        try:
            for msg in self._decoder.feed(data):
                out += self._handle(msg)
                if self.ended:
                    break
        except RemoteProtocolError as exc:
            self._end()
            out += [Drop(HOST, str(exc)), SessionEnded(f"The host sent something invalid. {exc}")]
        return out

    def connection_lost(self) -> list[Output]:
        if self.phase in (Phase.ENDED, Phase.DONE):
            self._end()
            return []
        self._end()
        return [
            SessionEnded(
                "The connection to the host was lost: the host left or the network dropped."
            )
        ]

    # --- dispatch -----------------------------------------------------------------

    def _handle(self, msg: Message) -> list[Output]:
        if isinstance(msg, Ping):
            return [Send(HOST, encode(Pong()))]
        if isinstance(msg, Pong):
            return []
        if isinstance(msg, Rejected | Closed) and self.phase is not Phase.CONNECTING:
            finished = self.phase is Phase.DONE
            self._end()
            out: list[Output] = [Drop(HOST, "session over")]
            return out if finished else [*out, SessionEnded(msg.reason)]
        handler = _TRANSITIONS.get(self.phase, {}).get(type(msg))
        round_id = getattr(msg, "round_id", None)
        if (
            handler is not None
            and round_id is not None
            and not isinstance(msg, Start)
            and round_id != self._round_id
        ):
            raise RemoteProtocolError(f"{type(msg).__name__} for another round.")
        if handler is None:
            if round_id is not None and self.phase in _BETWEEN_ROUNDS:
                return []  # a late message from a round that is over
            raise RemoteProtocolError(f"Unexpected {type(msg).__name__} while {self.phase.value}.")
        result: list[Output] = getattr(self, handler)(msg)
        return result

    # --- joining and the lobby's code -----------------------------------------------

    def _welcome(self, msg: Welcome) -> list[Output]:
        self.question, self.host_name, self.session_id = msg.question, msg.host_name, msg.session_id
        # The first use of the round's code costs far more than the next; pay it
        # now, before the host can admit us and start a round that would wait on it.
        rehearse(self.question)
        pub = self.identity.public
        signed = hello_context(self.session_id, self.name, pub.sign_key, pub.kem_key)
        hello = Hello(
            name=self.name,
            sign_key=pub.sign_key,
            kem_key=pub.kem_key,
            signature=self.identity.sign(signed),
        )
        self.phase = Phase.JOINING
        return [Send(HOST, encode(hello)), Welcomed(msg.question, msg.host_name)]

    def _lobby(self, msg: Lobby) -> list[Output]:
        mine = [m for m in msg.roster if m.party == msg.you]
        if len(mine) != 1 or mine[0].sign_key != self.identity.public.sign_key:
            raise RemoteProtocolError("The roster does not contain you as you joined.")
        if mine[0].kem_key != self.identity.public.kem_key or mine[0].name != self.name:
            raise RemoteProtocolError("The roster does not contain you as you joined.")
        if self.phase is not Phase.JOINING and msg.you != self.me:
            raise RemoteProtocolError("The host changed who you are in the roster.")
        if len({m.party for m in msg.roster}) != len(msg.roster):
            raise RemoteProtocolError("The roster lists someone twice.")
        if list(msg.roster) != sorted(msg.roster, key=lambda m: m.party):
            raise RemoteProtocolError("The roster is out of order.")
        if msg.epoch <= self._epoch:
            raise RemoteProtocolError("The host repeated an old roster.")
        self._check_signatures(msg.roster)
        before = {m.name for m in self.roster}
        self.roster, self.me = msg.roster, msg.you
        self._prepared = None
        self._by_party = {m.party: m for m in msg.roster}
        self._pairs.agree(self.session_id, self._member(self.me), self.roster)
        if self.phase is Phase.JOINING:
            self.phase = Phase.LOBBY
        # A fresh nonce for every roster: the code of this epoch is new.
        self._epoch = msg.epoch
        self._nonce = self._random(HASH_BYTES)
        self._nonce_commitment = nonce_commitment(
            self.session_id, self._epoch, self.me, self._nonce
        )
        self._code_state = _Code.AWAITING_COMMITMENTS
        self._code_digest = b""
        now = {m.name for m in self.roster}
        note = "; ".join(
            [f"{n} joined" for n in sorted(now - before) if before]
            + [f"{n} left" for n in sorted(before - now)]
        )
        self._note = note
        commit = Commit(epoch=self._epoch, commitment=self._nonce_commitment)
        return [
            Send(HOST, encode(commit)),
            RosterChanged(tuple(m.name for m in self.roster), "", self.me, note),
        ]

    def _check_signatures(self, roster: Sequence[Member]) -> None:
        """Verify every newcomer's Hello signature ourselves (once per roster entry)."""
        for member in roster:
            if member in self._checked:
                continue
            signed = hello_context(self.session_id, member.name, member.sign_key, member.kem_key)
            try:
                crypto.verify(member.sign_key, member.signature, signed)
            except IntegrityError:
                raise RemoteProtocolError(
                    f"The host listed {member.name} with keys they did not sign."
                ) from None
            self._checked.add(member)

    def _commitments(self, msg: Commitments) -> list[Output]:
        if msg.epoch != self._epoch:
            return []  # for a roster that has changed since: a new one is coming
        if self._code_state is not _Code.AWAITING_COMMITMENTS:
            raise RemoteProtocolError("The host sent the code's commitments twice.")
        index = self._index_of(self.me)
        if (
            len(msg.commitments) != HASH_BYTES * len(self.roster)
            or _slot(msg.commitments, index, HASH_BYTES) != self._nonce_commitment
        ):
            raise RemoteProtocolError("The host altered the security code's commitments.")
        self._code_commitments = msg.commitments
        self._code_state = _Code.AWAITING_REVEALS
        return [Send(HOST, encode(Reveal(epoch=self._epoch, nonce=self._nonce)))]

    def _reveals(self, msg: Reveals) -> list[Output]:
        if msg.epoch != self._epoch:
            return []
        if self._code_state is not _Code.AWAITING_REVEALS:
            raise RemoteProtocolError("The host sent the code's nonces out of turn.")
        if len(msg.nonces) != HASH_BYTES * len(self.roster):
            raise RemoteProtocolError("The host sent the wrong number of nonces.")
        for k, member in enumerate(self.roster):
            nonce = _slot(msg.nonces, k, HASH_BYTES)
            expected = nonce_commitment(self.session_id, self._epoch, member.party, nonce)
            if not hmac.compare_digest(expected, _slot(self._code_commitments, k, HASH_BYTES)):
                raise RemoteProtocolError(
                    f"The security code's nonce of {member.name} does not match its commitment."
                )
        base = roster_digest(self.session_id, self._question, self.host_fingerprint, self.roster)
        self._code_digest = code_digest(base, self._epoch, msg.nonces)
        self._code_state = _Code.READY
        code = self.code
        changed = bool(self._shown_code) and code != self._shown_code
        self._shown_code = code
        names = tuple(m.name for m in self.roster)
        return [RosterChanged(names, code, self.me, self._note, changed)]

    # --- a round ----------------------------------------------------------------------

    def _start(self, msg: Start) -> list[Output]:
        if msg.round_id in self._used_rounds:
            # Fresh masks need a fresh round id; a repeat would reuse them.
            raise RemoteProtocolError("The host started a round with a used round id.")
        self._used_rounds.add(msg.round_id)
        self._round_id = msg.round_id
        self._next_round_id = _round_after(msg.round_id)
        question = self._question
        if self._opened:
            return self._decline(
                msg.round_id,
                CancelWhy.CLOSED,
                "Your app already opened your answer's last mask in a round of this question "
                "that did not finish for everyone, so it takes part in no other round of it: "
                "comparing two rounds could reveal someone's value. Nobody's value was revealed.",
            )
        if len(self.roster) < question.min_participants:
            return self._decline(
                msg.round_id,
                CancelWhy.TOO_FEW,
                f"The host started a round with {len(self.roster)} people, below this "
                f"question's minimum of {question.min_participants}, so your app did not "
                "take part.",
            )
        if self._code_state is not _Code.READY or msg.roster_digest != self._code_digest:
            return self._decline(
                msg.round_id,
                CancelWhy.WRONG_GROUP,
                "The round started with a different group or code than the one on your "
                "screen, so your app did not take part. Compare security codes again.",
            )
        self._parties = tuple(m.party for m in self.roster)
        self._context = round_context(self.session_id, msg.round_id, msg.roster_digest)
        self.phase = Phase.AWAITING_VALUE
        rerun = self._stopped_before
        self._consented = not rerun
        names = tuple(m.name for m in self.roster)
        out: list[Output] = [RoundStarted(names, needs_value=self._value is None, rerun=rerun)]
        if self._value is not None and self._consented:
            out += self._share()
        return out

    def _decline(self, round_id: bytes, why: CancelWhy, reason: str) -> list[Output]:
        self._wipe_round()
        self.phase = Phase.CLOSED if self._opened else Phase.ABORTED
        if self._opened:
            self._wipe_value()
        return [
            Send(HOST, encode(Cancel(round_id=round_id, why=why))),
            RoundAborted(reason, (), False, self._opened),
        ]

    def prepare(self) -> None:
        """Build the next round's partial sum and proof now, so Start only has to send them.

        An honest host numbers its rounds 1, 2, 3…, so the next round id and
        the code are known while people wait in the lobby: masking, noising,
        proving and committing (most of a member's work in a round) can happen
        before Start. Nothing is sent until a Start with exactly that round id
        and code arrives and every check of `_start` passed; a roster or value
        change discards the prepared sum. Engines call this when idle
        (`wants_preparation`).
        """
        self._prepared = None
        if not self.wants_preparation:
            return
        round_id = self._next_round_id
        digest = self._code_digest
        parties = tuple(m.party for m in self.roster)
        context = round_context(self.session_id, round_id, digest)
        mine, _ = self._contribute(round_id, context, parties)
        self._prepared = _Prepared(round_id, digest, mine)

    @property
    def wants_preparation(self) -> bool:
        """A value, a code, no round running or stopped before, nothing prepared yet."""
        return (
            self._prepared is None
            and self._value is not None
            and self.question is not None
            and len(self.roster) >= self.question.min_participants  # else no Start can come
            and self.phase is Phase.LOBBY
            and self._code_state is _Code.READY
            and not self._stopped_before
            and self._derives_masks
            and self._next_round_id not in self._used_rounds
        )

    @property
    def _derives_masks(self) -> bool:
        return self._masks == self._derived_mask and not self._transcript

    def _share(self) -> list[Output]:
        """Publish our masked contribution, its proof's public parts and our commitments."""
        assert self._value is not None
        question = self._question
        prepared, self._prepared = self._prepared, None
        demo: ShareTranscript | None = None
        if prepared is not None and (prepared.round_id, prepared.digest) == (
            self._round_id,
            self._code_digest,
        ):
            mine = prepared.mine
        else:
            mine, demo = self._contribute(self._round_id, self._context, self._parties)
        self._mine = mine
        self.phase = Phase.SUMMED
        out: list[Output] = []
        if cost := self._privacy_cost():
            # Recorded before the partial sum leaves: the host may stop the round
            # once it has it, and the spending must be on record anyway.
            self.epsilon_spent += cost
            out.append(PrivacySpent(cost, question))
        out.append(Send(HOST, mine.frame))
        if demo is not None:
            out.append(demo)
        return out

    def _privacy_cost(self) -> float:
        """The ε this partial sum spends, as its kind counts it (`Kind.privacy_cost`)."""
        cost = self._question.privacy_cost(published_before=self._published)
        self._published = True
        return cost

    def _contribute(
        self, round_id: bytes, context: bytes, parties: tuple[int, ...]
    ) -> tuple[_Mine, ShareTranscript | None]:
        """Our partial sum for that round, its proof's public parts, commitments and frame.

        S = y − Σ m(me→j) + Σ m(j→me) + Σ PRG(σ(me→j)), y = answer + noise share;
        the witness and the proof go out minus each colleague's share. With a
        given table of masks (the article demo) the transcript the demo shows
        comes back too.
        """
        assert self._value is not None
        s = shape(self._question)
        me, pair = self.me, self._pairs.secret
        others = [p for p in parties if p != me]
        meas = self._measurement(s, len(parties))
        y, witness = meas[: s.length], meas[s.length :]
        keys = [mask_key(pair(j), context, me, j) for j in others]
        pieces = tuple(piece(pair(j), context, me, j) for j in others)
        demo: ShareTranscript | None = None
        if self._derives_masks:
            given = mask_sum(keys, s.length)
            got = mask_sum([mask_key(pair(j), context, j, me) for j in others], s.length)
            partial = field.add(field.sub(y, given), got)
        else:  # a given table of masks (the article demo), or a demo showing them
            table = {j: self._masks(me, j, s.length) for j in others}
            kept = field.sub(y, combine(list(table.values()), s.length))
            partial = field.add(kept, combine([self._masks(j, me, s.length) for j in others]))
            if self._transcript:
                sent = tuple((self._name_of(j), tuple(from_ring(m))) for j, m in table.items())
                demo = ShareTranscript(
                    self.name, tuple(from_ring(kept)), sent, tuple(from_ring(partial))
                )
        partial = field.add(partial, proofs.self_mask(list(pieces), s.length))
        nonce = self._random(HASH_BYTES)
        commitments = query_nonce_commitment(context, me, nonce) + b"".join(
            piece_commitment(context, me, j, seed) for j, seed in zip(others, pieces, strict=True)
        )
        vector = field.to_bytes(partial)
        witness_bytes = field.to_bytes(proofs.public_witness(s, witness, keys))
        joint = s.flp.joint_rand(joint_seed(context, me, vector, witness_bytes, commitments))
        proof = s.flp.prove(meas, s.flp.prove_rand(self._random(proofs.PROVE_SEED_BYTES)), joint)
        proof_bytes = field.to_bytes(proofs.public_proof(s, proof, keys))
        for secret in (meas, proof, y, partial):
            secret.fill(0)
        frame = encode(
            PartialSum(
                round_id=round_id,
                vector=vector,
                witness=witness_bytes,
                proof=proof_bytes,
                commitments=commitments,
            )
        )
        mine = _Mine(vector, witness_bytes, proof_bytes, commitments, nonce, pieces, frame)
        return mine, demo

    def _measurement(self, s: proofs.Shape, parties: int) -> Vector:
        """What we prove: our answer plus our noise share (y), then the witness.

        The one place a modified app would lie (the tests' cheats override it):
        everything after it is checked by the other members.
        """
        assert self._value is not None
        answer = field.to_signed(self._value).tolist()
        return s.contribution.encode(answer, self._noise(parties, len(answer)))

    def _noise(self, parties: int, length: int) -> list[int]:
        """This round's noise share for a noisy kind (within the question's bound), else none."""
        q = self._question
        if not q.is_private:
            return []
        assert q.privacy is not None
        # The bound comes from ε's text, exactly as the proof's circuit reads it
        # (`Question.contribution`): a float could round to another bound.
        noise = noise_share(
            parties, q.privacy, q.sensitivity, length, self._noise_rng(), robust=q.robust
        )
        values = noise.tolist()
        noise.fill(0)
        return [int(v) for v in values]

    def _partials(self, msg: Partials) -> list[Output]:
        s = shape(self._question)
        n, mine = len(self._parties), self._mine
        sizes = (8 * s.length, 8 * s.witness, 8 * s.proof, HASH_BYTES * n)
        blobs = (msg.vectors, msg.witnesses, msg.proofs, msg.commitments)
        if msg.parties != self._parties or any(
            len(blob) != n * size for blob, size in zip(blobs, sizes, strict=True)
        ):
            return self._complain(0, Seen.WRONG_PARTIALS)
        k = self._index_of(self.me)
        ours = (mine.vector, mine.witness, mine.proof, mine.commitments)
        if any(
            _slot(blob, k, size) != own for blob, size, own in zip(blobs, sizes, ours, strict=True)
        ):
            return self._complain(self.me, Seen.OWN_PARTIAL_ALTERED)
        try:
            self._vectors = field.from_bytes(msg.vectors).reshape(n, s.length)
            witnesses = field.from_bytes(msg.witnesses).reshape(n, s.witness)
            proof_parts = field.from_bytes(msg.proofs).reshape(n, s.proof)
        except ValueError:
            # A number outside the field: an honest host drops whoever sends one, so it
            # was written or let through by the host; no member is named for it.
            return self._complain(0, Seen.WRONG_PARTIALS)
        pair = self._pairs.secret
        joint: list[Vector] = []
        for i, party in enumerate(self._parties):
            committed = _slot(msg.commitments, i, sizes[3])
            if party != self.me:
                holder = self._slot_of(party, self.me)
                seed = piece(pair(party), self._context, party, self.me)
                expected = piece_commitment(self._context, party, self.me, seed)
                if not hmac.compare_digest(_slot(committed, 1 + holder, HASH_BYTES), expected):
                    return self._complain(party, Seen.BAD_PIECE)
            seed = joint_seed(
                self._context,
                party,
                _slot(msg.vectors, i, sizes[0]),
                _slot(msg.witnesses, i, sizes[1]),
                committed,
            )
            joint.append(s.flp.joint_rand(seed))
        self._joint, self._witnesses, self._proof_parts = joint, witnesses, proof_parts
        self._round_commitments = msg.commitments
        digest = transcript_digest(self._context, self._parties, *blobs)
        self._transcript_digest = digest
        tags = b"".join(
            confirm_tag(pair(j), self._context, self.me, j, digest)
            for j in self._parties
            if j != self.me
        )
        self.phase = Phase.CONFIRMED
        confirm = Confirm(round_id=self._round_id, tags=tags, nonce=mine.nonce)
        return [Send(HOST, encode(confirm))]

    def _confirms(self, msg: Confirms) -> list[Output]:
        n = len(self._parties)
        if len(msg.tags) != TAG_BYTES * n or len(msg.nonces) != HASH_BYTES * n:
            return self._complain(0, Seen.DIFFERENT_TRANSCRIPT)
        for k, party in enumerate(self._parties):
            if party == self.me:
                continue
            expected = confirm_tag(
                self._pairs.secret(party), self._context, party, self.me, self._transcript_digest
            )
            if not hmac.compare_digest(expected, _slot(msg.tags, k, TAG_BYTES)):
                return self._complain(party, Seen.DIFFERENT_TRANSCRIPT)
        for k, party in enumerate(self._parties):
            nonce = _slot(msg.nonces, k, HASH_BYTES)
            committed = _slot(self._round_commitments, k * n, HASH_BYTES)
            if not hmac.compare_digest(
                query_nonce_commitment(self._context, party, nonce), committed
            ):
                return self._complain(party, Seen.BAD_NONCE)
        if self._cancelling:  # the person stopped the round: nothing more goes out
            return self._cancelled_here()
        s = shape(self._question)
        self._query = s.flp.query_rand(
            query_seed(self._context, self._transcript_digest, msg.nonces)
        )
        checks = field.to_bytes(self._checks_of_colleagues())
        self._checks = checks
        signed = verify_context(self._context, self.me, self._transcript_digest, checks)
        verify = Verify(
            round_id=self._round_id, messages=checks, signature=self.identity.sign(signed)
        )
        self.phase = Phase.VERIFIED
        return [Send(HOST, encode(verify))]

    def _checks_of_colleagues(self) -> Vector:
        """Our verifier message for each colleague's contribution, one row each in
        `_others` order: one query of them all (same circuit, same query randomness)."""
        others = self._others(self.me)
        shares = [self._shares(party, self.me) for party in others]
        return proofs.query_many(
            shape(self._question),
            np.stack([meas for meas, _ in shares]),
            np.stack([proof for _, proof in shares]),
            query_rand=self._query,
            joint_rands=np.stack([self._joint[self._parties.index(p)] for p in others]),
            shares=len(self._parties) - 1,
        )

    def _check(self, prover: int, checker: int) -> Vector:
        """``checker``'s verifier message for ``prover``'s contribution (`_shares`)."""
        meas, proof = self._shares(prover, checker)
        return proofs.query(
            shape(self._question),
            meas,
            proof,
            query_rand=self._query,
            joint_rand=self._joint[self._parties.index(prover)],
            shares=len(self._parties) - 1,
        )

    def _shares(self, prover: int, checker: int) -> tuple[Vector, Vector]:
        """``checker``'s shares of ``prover``'s measurement and proof.

        We compute it for us as checker of every colleague, and — for our own
        contribution, whose every share we know — for each colleague, to name
        one that signed something else. The public part (the partial sum and
        the published witness and proof) is one more share; the colleague after
        the prover in the roster adds it to its own before querying, so every
        share is queried once and each member runs n − 1 queries, not 2n − 1.
        """
        s = shape(self._question)
        other = checker if prover == self.me else prover
        pair = self._pairs.secret(other)
        given = self._masks(prover, checker, s.length)
        got = self._masks(checker, prover, s.length)
        seed = piece(pair, self._context, prover, checker)
        key = mask_key(pair, self._context, prover, checker)
        meas, proof = proofs.colleague_share(s, given, got, seed, key)
        i = self._parties.index(prover)
        if checker == self._parties[(i + 1) % len(self._parties)]:
            public = proofs.public_measurement(s, self._vectors[i], self._witnesses[i])
            meas = field.add(meas, public)
            proof = field.add(proof, self._proof_parts[i])
        return meas, proof

    def _verifies(self, msg: Verifies) -> list[Output]:
        s = shape(self._question)
        n = len(self._parties)
        size = 8 * s.message * (n - 1)
        if len(msg.messages) != n * size or len(msg.signatures) != SIGNATURE_BYTES * n:
            return self._complain(0, Seen.DIFFERENT_TRANSCRIPT)
        checks: dict[int, Vector] = {}
        for k, party in enumerate(self._parties):
            blob = self._checks if party == self.me else _slot(msg.messages, k, size)
            if party != self.me:
                signed = verify_context(self._context, party, self._transcript_digest, blob)
                try:
                    crypto.verify(
                        self._member(party).sign_key, _slot(msg.signatures, k, SIGNATURE_BYTES),
                        signed,
                    )  # fmt: skip
                    checks[party] = field.from_bytes(blob).reshape(n - 1, s.message)
                except (IntegrityError, ValueError):
                    return self._complain(party, Seen.UNSIGNED_CHECK)
            else:
                checks[party] = field.from_bytes(blob).reshape(n - 1, s.message)
        # Row i: every colleague's signed message for prover i (one of them
        # covering the public part too); checker c keeps it at slot i − 1 if i > c.
        table = np.stack([checks[party] for party in self._parties])  # (checker, slot, message)
        provers = np.arange(n)[:, None]
        checkers = np.array([[c for c in range(n) if c != i] for i in range(n)], dtype=np.intp)
        slots = np.where(provers > checkers, provers - 1, provers)
        passed = proofs.decide_many(s, table[checkers, slots], np.stack(self._joint))
        failed = [p for p, ok in zip(self._parties, passed, strict=True) if not ok]
        if self.me in failed:
            for checker in self._others(self.me):
                row = checks[checker][self._slot_of(checker, self.me)]
                if not np.array_equal(row, self._check(self.me, checker)):
                    return self._complain(checker, Seen.BAD_CHECK)
        if failed:
            return self._complain(failed[0], Seen.INVALID_CONTRIBUTION)
        if self._cancelling:  # the person stopped the round: our mask stays shut
            return self._cancelled_here()
        # Every contribution is valid and every member saw what we saw: only now
        # may our self-mask be opened.
        self._opened = True
        self.phase = Phase.OPENED
        pieces = b"".join(self._mine.pieces)
        return [Send(HOST, encode(Unmask(round_id=self._round_id, pieces=pieces)))]

    def _unmasks(self, msg: Unmasks) -> list[Output]:
        n, length = len(self._parties), self._question.vector_length
        size = HASH_BYTES * (n - 1)
        if len(msg.pieces) != size * n:
            return self._complain(0, Seen.BAD_SEED)
        seeds: list[bytes] = []
        for k, party in enumerate(self._parties):
            committed = _slot(self._round_commitments, k, HASH_BYTES * n)
            opened = _slot(msg.pieces, k, size)
            for h, holder in enumerate(self._others(party)):
                seed = _slot(opened, h, HASH_BYTES)
                expected = _slot(committed, 1 + h, HASH_BYTES)
                if not hmac.compare_digest(
                    piece_commitment(self._context, party, holder, seed), expected
                ):
                    return self._complain(party, Seen.BAD_SEED)
                seeds.append(seed)
        total = field.sub(field.total(self._vectors, axis=0), proofs.self_mask(seeds, length))
        self.outcome = Outcome(self._question, n, tuple(from_ring(total)))
        self.result_code = result_code(self._transcript_digest)
        self.phase = Phase.DONE
        self._wipe_value()
        return [ResultReady(self.outcome, self.result_code)]

    def _slot_of(self, party: int, other: int) -> int:
        """Where ``other`` sits among ``party``'s colleagues (`_others`), without the list."""
        k, j = self._parties.index(other), self._parties.index(party)
        return k - 1 if k > j else k

    def _others(self, party: int) -> list[int]:
        """The round's parties but ``party``, ascending: the order of its per-colleague slots."""
        return [p for p in self._parties if p != party]

    def _cancelled_here(self) -> list[Output]:
        self._stop()
        return [RoundAborted("You cancelled the round. Nobody's value was revealed.", (), False)]

    def _derived_mask(self, sender: int, recipient: int, length: int) -> Vector:
        peer = recipient if sender == self.me else sender
        return mask_from_key(
            mask_key(self._pairs.secret(peer), self._context, sender, recipient), length
        )

    def _progress(self, msg: Progress) -> list[Output]:
        done = set(msg.summed)
        waiting = tuple(p for p in self._parties if p not in done)
        return [ProgressChanged(self._names(msg.summed), self._names(waiting))]

    def _aborted(self, msg: Aborted) -> list[Output]:
        opened = self._stop()
        reason = msg.reason
        if opened:
            reason += (
                " Your app had already opened your answer's last mask, so this question is "
                "now closed for you; nobody's value was revealed."
            )
        return [RoundAborted(reason, self._names(msg.missing), False, opened)]

    def _complain(self, about: int, what: Seen) -> list[Output]:
        """Stop the round ourselves and tell the host what we saw; nothing more is sent."""
        round_id = self._round_id
        opened = self._stop()
        name = self._name_of(about)
        texts = {
            Seen.OWN_PARTIAL_ALTERED: "your own partial sum came back altered",
            Seen.WRONG_PARTIALS: "the host relayed the wrong set of partial sums",
            Seen.DIFFERENT_TRANSCRIPT: (
                "the host showed people different results "
                f"({name}'s app was shown something other than yours)"
            ),
            Seen.BAD_SEED: f"the last mask opened for {name} does not match what was committed",
            Seen.BAD_PIECE: (
                f"what was relayed for {name} does not match the keys your app shares with "
                f"{name} (either {name}'s app is modified or the host altered it)"
            ),
            Seen.BAD_NONCE: f"the nonce relayed for {name} does not match what {name} committed",
            Seen.UNSIGNED_CHECK: (
                f"checks relayed for {name} were not signed by {name}'s app "
                "(the host or the network altered them)"
            ),
        }
        if what is Seen.INVALID_CONTRIBUTION and about == self.me:
            reason = (
                "Your own answer did not pass the other apps' check, so nothing was summed "
                "and nobody's value was revealed. Your copy of Huddle may be damaged."
            )
        elif what is Seen.INVALID_CONTRIBUTION:
            reason = (
                f"{name}'s answer did not pass the check, so nothing was summed and nobody's "
                f"value was revealed. Either {name}'s app is modified or one of the checking "
                "apps is; Huddle cannot tell which."
            )
        elif what is Seen.BAD_CHECK:
            reason = (
                f"{name}'s app checked your answer falsely: it signed a check that your "
                f"answer does not give, so {name}'s app is modified. Nothing was summed and "
                "nobody's value was revealed."
            )
        else:
            reason = f"The round was stopped: {texts[what]}. " + (
                "Nobody's value was revealed, and this question is now closed for you."
                if opened
                else "Nothing your app sent can be added up, so nobody's value was revealed."
            )
        who = (name,) if about and about != self.me else ()
        checked = what in (Seen.INVALID_CONTRIBUTION, Seen.BAD_CHECK)
        return [
            Send(HOST, encode(Complaint(round_id=round_id, about=about, what=what))),
            RoundAborted(reason, who, False, opened, suspects=who if checked else ()),
        ]

    def _stop(self) -> bool:
        """End the running round on our side; True if we had opened our self-mask.

        Having opened it closes the question for us: no round can use the answer
        any more, so it goes, as after a result.
        """
        self._wipe_round()
        self._stopped_before = True
        self.phase = Phase.CLOSED if self._opened else Phase.ABORTED
        if self._opened:
            self._wipe_value()
        return self._opened

    # --- helpers ------------------------------------------------------------------------

    def _clear_round(self) -> None:
        """What the running round keeps, empty (before the first round)."""
        self._round_id = b""
        self._parties = ()
        self._context = b""
        """The current round's key context (`round_context`)."""
        self._mine = _NOTHING_YET
        self._transcript_digest = b""
        self._vectors = field.zeros(0)
        self._witnesses = field.zeros(0)
        self._proof_parts = field.zeros(0)
        self._round_commitments = b""
        self._joint = []
        self._query = field.zeros(0)
        self._checks = b""

    @property
    def _question(self) -> Question:
        assert self.question is not None
        return self.question

    def _member(self, party: int) -> Member:
        member = self._by_party.get(party)
        if member is None:
            raise RemoteProtocolError("A message names someone who is not on the roster.")
        return member

    def _index_of(self, party: int) -> int:
        return next(k for k, m in enumerate(self.roster) if m.party == party)

    def _name_of(self, party: int) -> str:
        return next((m.name for m in self.roster if m.party == party), f"participant {party}")

    def _names(self, parties: Sequence[int]) -> tuple[str, ...]:
        return tuple(self._name_of(p) for p in parties)

    def _wipe_round(self) -> None:
        self._context = b""
        self._mine = _NOTHING_YET
        self._prepared = None
        self._consented = False
        self._cancelling = False

    def _wipe_value(self) -> None:
        """Best effort: overwrite the buffers (Python may still hold copies elsewhere)."""
        self._wipe_round()
        if self._value is not None:
            self._value.fill(0)
        self._value = None
        self.randomized = None

    def _end(self) -> None:
        self._wipe_value()
        self._pairs.clear()
        self.phase = Phase.ENDED


def _slot(blob: bytes, index: int, size: int) -> bytes:
    return blob[index * size : (index + 1) * size]


_NOTHING_YET = _Mine(b"", b"", b"", b"", b"", (), b"")
