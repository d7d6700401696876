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

from huddle.core import crypto
from huddle.core.answers import Answer
from huddle.core.codec import FrameDecoder, Message, encode
from huddle.core.crypto import TAG_BYTES
from huddle.core.encoding import Vector, from_ring, vector_to_bytes
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
    mask_key,
    nonce_commitment,
    rehearse,
    round_context,
    seed_commitment,
    self_mask_key,
    transcript_digest,
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
    Welcome,
    hello_context,
)
from huddle.core.noise import csprng_generator, noise_share
from huddle.core.outcome import Outcome
from huddle.core.questions import Question
from huddle.core.randomized_response import Response, coin_from
from huddle.core.security_code import code_digest, result_code, roster_digest, security_code
from huddle.core.sharing import combine, mask_from_key, mask_sum, sum_rows

HOST = 0


@dataclass(frozen=True, slots=True)
class _Prepared:
    """A partial sum built ahead of its round (see `ParticipantSession.prepare`)."""

    round_id: bytes
    digest: bytes
    vector: bytes
    seed: bytes
    commitment: bytes
    frame: bytes


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
_IN_ROUND = (Phase.AWAITING_VALUE, Phase.SUMMED, Phase.CONFIRMED, Phase.OPENED)

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
    Phase.OPENED: {**_ROUND_ABORTABLE, Unmasks: "_unmasks"},
}
"""Phase × message → handler. Ping/Pong, Rejected and Closed are taken in every
phase; a round message for a round that is over is ignored between rounds;
anything else is a protocol error that ends the session."""


class ParticipantSession:
    """One person's side of a session, from connection to result."""

    _parties: tuple[int, ...]
    """The running round's parties, in roster order."""

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
        if self.phase not in (Phase.AWAITING_VALUE, Phase.SUMMED, Phase.CONFIRMED):
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
        rehearse(self.question.vector_length)
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
        """Build the next round's partial sum now, so Start only has to send it.

        An honest host numbers its rounds 1, 2, 3…, so the next round id and
        the code are known while people wait in the lobby: masking, noising
        and committing (most of a member's work in a round) can happen before
        Start. Nothing is sent until a Start with exactly that round id and
        code arrives and every check of `_start` passed; a roster or value
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
        seed = self._random(HASH_BYTES)
        vector, frame, commitment = self._masked_partial(round_id, context, parties, seed)
        self._prepared = _Prepared(round_id, digest, vector, seed, commitment, frame)

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
        """Publish value − masks given + masks got + self-mask, with the seed's commitment."""
        assert self._value is not None
        question = self._question
        prepared, self._prepared = self._prepared, None
        kept: tuple[int, ...] | None = None
        article: tuple[int, ...] = ()
        given: dict[int, Vector] = {}
        if prepared is not None and (prepared.round_id, prepared.digest) == (
            self._round_id,
            self._code_digest,
        ):
            vector, frame = prepared.vector, prepared.frame
            seed, commitment = prepared.seed, prepared.commitment
        else:
            seed = self._random(HASH_BYTES)
            if self._derives_masks:
                vector, frame, commitment = self._masked_partial(
                    self._round_id, self._context, self._parties, seed
                )
            else:  # a given table of masks (the article demo), or a demo showing them
                vector, frame, commitment, kept, given, article = self._partial_from_table(seed)
        self._seed, self._seed_commitment, self._partial = seed, commitment, vector
        self.phase = Phase.SUMMED
        out: list[Output] = []
        if cost := self._privacy_cost():
            # Recorded before the partial sum leaves: the host may stop the round
            # once it has it, and the spending must be on record anyway.
            self.epsilon_spent += cost
            out.append(PrivacySpent(cost, question))
        out.append(Send(HOST, frame))
        if self._transcript and kept is not None:
            sent = tuple((self._name_of(j), tuple(from_ring(m))) for j, m in given.items())
            out.append(ShareTranscript(self.name, kept, sent, article))
        for mask in given.values():
            mask.fill(0)
        return out

    def _privacy_cost(self) -> float:
        """The ε this partial sum spends, as its kind counts it (`Kind.privacy_cost`)."""
        cost = self._question.privacy_cost(published_before=self._published)
        self._published = True
        return cost

    def _masked_partial(
        self, round_id: bytes, context: bytes, parties: tuple[int, ...], seed: bytes
    ) -> tuple[bytes, bytes, bytes]:
        """Our partial sum for that round, its frame, and the self-mask's commitment."""
        assert self._value is not None
        me, pair = self.me, self._pairs.secret
        others = [p for p in parties if p != me]
        length = self._question.vector_length
        partial = self._noised(self._value, len(parties))  # a fresh copy we may overwrite
        partial -= mask_sum([mask_key(pair(j), context, me, j) for j in others], length)
        partial += mask_sum(
            [mask_key(pair(j), context, j, me) for j in others] + [self_mask_key(seed, context)],
            length,
        )
        return self._framed(partial, round_id, context, seed)

    def _partial_from_table(
        self, seed: bytes
    ) -> tuple[bytes, bytes, bytes, tuple[int, ...], dict[int, Vector], tuple[int, ...]]:
        """As `_masked_partial`, from the masks `self._masks` gives, keeping what a demo shows.

        The last item is the partial sum before the self-mask: the article's
        partial sum, which the demo prints (the self-mask comes off again when
        every seed is opened).
        """
        assert self._value is not None
        others = [p for p in self._parties if p != self.me]
        length = self._question.vector_length
        partial = self._noised(self._value, len(self._parties))
        given = {j: self._masks(self.me, j, length) for j in others}
        partial -= combine(list(given.values()), length)
        kept = tuple(from_ring(partial))
        partial += combine([self._masks(j, self.me, length) for j in others], length)
        article = tuple(from_ring(partial))
        partial += mask_sum([self_mask_key(seed, self._context)], length)
        vector, frame, commitment = self._framed(partial, self._round_id, self._context, seed)
        return vector, frame, commitment, kept, given, article

    def _framed(
        self, partial: Vector, round_id: bytes, context: bytes, seed: bytes
    ) -> tuple[bytes, bytes, bytes]:
        """The partial sum's bytes (its buffer is wiped), its frame and its commitment."""
        vector = vector_to_bytes(partial)
        partial.fill(0)
        commitment = seed_commitment(context, self.me, seed)
        frame = encode(PartialSum(round_id=round_id, vector=vector, commitment=commitment))
        return vector, frame, commitment

    def _noised(self, value: Vector, parties: int) -> Vector:
        """``value`` plus this round's noise share for a noisy kind, else ``value``."""
        q = self._question
        if not q.is_private:
            return value.copy()
        length = len(value)
        noise = noise_share(
            parties, q.epsilon_value, q.sensitivity, length, self._noise_rng(), robust=q.robust
        )
        noisy = value.copy()
        noisy += noise.view(np.uint64)  # two's complement; uint64 wrap-around is the ring's +
        noise.fill(0)
        return noisy

    def _partials(self, msg: Partials) -> list[Output]:
        count, size = len(self._parties), 8 * self._question.vector_length
        if (
            msg.parties != self._parties
            or len(msg.vectors) != count * size
            or len(msg.commitments) != count * HASH_BYTES
        ):
            return self._complain(0, Seen.WRONG_PARTIALS)
        k = self._index_of(self.me)
        if (
            msg.vectors[k * size : (k + 1) * size] != self._partial
            or _slot(msg.commitments, k, HASH_BYTES) != self._seed_commitment
        ):
            return self._complain(self.me, Seen.OWN_PARTIAL_ALTERED)
        self._vectors, self._seed_commitments = msg.vectors, msg.commitments
        digest = transcript_digest(self._context, self._parties, msg.vectors, msg.commitments)
        self._transcript_digest = digest
        secret = self._pairs.secret
        tags = b"".join(
            confirm_tag(secret(j), self._context, self.me, j, digest)
            for j in self._parties
            if j != self.me
        )
        self.phase = Phase.CONFIRMED
        return [Send(HOST, encode(Confirm(round_id=self._round_id, tags=tags)))]

    def _confirms(self, msg: Confirms) -> list[Output]:
        if len(msg.tags) != TAG_BYTES * len(self._parties):
            return self._complain(0, Seen.DIFFERENT_TRANSCRIPT)
        for k, party in enumerate(self._parties):
            if party == self.me:
                continue
            expected = confirm_tag(
                self._pairs.secret(party), self._context, party, self.me, self._transcript_digest
            )
            if not hmac.compare_digest(expected, _slot(msg.tags, k, TAG_BYTES)):
                return self._complain(party, Seen.DIFFERENT_TRANSCRIPT)
        if self._cancelling:  # the person stopped the round: our mask stays shut
            self._stop()
            return [
                RoundAborted("You cancelled the round. Nobody's value was revealed.", (), False)
            ]
        # Every member saw what we saw: only now may our self-mask be opened.
        self._opened = True
        self.phase = Phase.OPENED
        return [Send(HOST, encode(Unmask(round_id=self._round_id, seed=self._seed)))]

    def _unmasks(self, msg: Unmasks) -> list[Output]:
        count, length = len(self._parties), self._question.vector_length
        if len(msg.seeds) != HASH_BYTES * count:
            return self._complain(0, Seen.BAD_SEED)
        keys = []
        for k, party in enumerate(self._parties):
            seed = _slot(msg.seeds, k, HASH_BYTES)
            expected = _slot(self._seed_commitments, k, HASH_BYTES)
            if not hmac.compare_digest(seed_commitment(self._context, party, seed), expected):
                return self._complain(party, Seen.BAD_SEED)
            keys.append(self_mask_key(seed, self._context))
        total = sum_rows(self._vectors, count, length)
        total -= mask_sum(keys, length)
        self.outcome = Outcome(self._question, count, tuple(from_ring(total)))
        self.result_code = result_code(self._transcript_digest)
        self.phase = Phase.DONE
        self._wipe_value()
        return [ResultReady(self.outcome, self.result_code)]

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
        texts = {
            Seen.OWN_PARTIAL_ALTERED: "your own partial sum came back altered",
            Seen.WRONG_PARTIALS: "the host relayed the wrong set of partial sums",
            Seen.DIFFERENT_TRANSCRIPT: (
                "the host showed people different results "
                f"({self._name_of(about)}'s app was shown something other than yours)"
            ),
            Seen.BAD_SEED: (
                f"the last mask opened for {self._name_of(about)} does not match what was committed"
            ),
        }
        reason = f"The round was stopped: {texts[what]}. " + (
            "Nobody's value was revealed, and this question is now closed for you."
            if opened
            else "Nothing your app sent can be added up, so nobody's value was revealed."
        )
        who = (self._name_of(about),) if about and about != self.me else ()
        return [
            Send(HOST, encode(Complaint(round_id=round_id, about=about, what=what))),
            RoundAborted(reason, who, False, opened),
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
        self._seed = b""
        self._seed_commitment = b""
        self._partial = b""
        self._transcript_digest = b""
        self._vectors = b""
        self._seed_commitments = b""

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
        self._seed = b""
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
