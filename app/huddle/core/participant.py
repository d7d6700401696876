"""The participant's state machine: join, mask, sum, check the result.

Rules of this file:
- Sans-IO: `receive_data` takes bytes from the host connection and returns
  `Send`/`Drop` instructions plus events; nothing here touches a socket or clock.
- The value a person typed stays in this object only (never in an event, a log
  or an error). It is kept across an aborted round so the host can re-run
  without the missing people, with fresh masks, and wiped after the result.
- Additive shares without a round of their own: as people join, each pair of
  members agrees a secret (X25519, see `crypto`); in a round, the share i gives
  j is a mask both expand from that secret, bound to the session, round,
  roster and direction (i → j). So at Start every member publishes at once
  value − (masks it gives) + (masks it gets): a partial sum that is uniformly
  random to anyone lacking a mask of it, and the partial sums add up to the
  total because every mask is added once and taken away once.
- An honest host numbers its rounds 1, 2, 3…, so while a member waits in the
  lobby with its value in, it builds the next round's partial sum ahead
  (`prepare`); Start then only sends it. A Start for any other round id or
  roster gets a sum computed there and then.
- Every partial sum carries a tag for each other member under a key only the
  two of them hold; a check that fails names the sender and stops the round
  before our result is trusted.
- For a noisy kind, our noise share is added to the vector just before it is
  masked, drawn afresh every round from a new CSPRNG-seeded generator:
  `_value` itself stays noise-free, and a re-run never reuses noise.

Phases: CONNECTING → JOINING → LOBBY → (Start) AWAITING_VALUE → SUMMED → DONE;
ABORTED returns to AWAITING_VALUE on the next Start; ENDED is final.
"""

from __future__ import annotations

import enum
import hmac
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from huddle.core import crypto
from huddle.core.codec import FrameDecoder, Message, encode
from huddle.core.crypto import TAG_BYTES
from huddle.core.encoding import Vector, from_ring, vector_from_bytes, vector_to_bytes
from huddle.core.errors import HuddleError, IntegrityError, LocalProtocolError, RemoteProtocolError
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
    ShareTranscript,
    Welcomed,
)
from huddle.core.masks import PairSecrets, mask_key, partial_tag, rehearse, round_context
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
from huddle.core.noise import csprng_generator, noise_share
from huddle.core.outcome import Outcome
from huddle.core.questions import Question
from huddle.core.security_code import roster_digest, security_code
from huddle.core.sharing import combine, mask_from_key, mask_sum, sum_rows

HOST = 0


@dataclass(frozen=True, slots=True)
class _Prepared:
    """A partial sum built ahead of its round (see `ParticipantSession.prepare`)."""

    round_id: bytes
    digest: bytes
    vector: bytes
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
    DONE = "done"
    ABORTED = "aborted"
    ENDED = "ended"


class ParticipantSession:
    """One person's side of a session, from connection to result."""

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
        self.name = name
        self.host_fingerprint = host_fingerprint
        self.identity = identity or crypto.Identity()
        self.phase = Phase.CONNECTING
        self.question: Question | None = None
        self.host_name = ""
        self.session_id = b""
        self.roster: tuple[Member, ...] = ()
        self._by_party: dict[int, Member] = {}
        self._digest_of: tuple[Member, ...] | None = None
        self._digest_cache = b""
        self.me = -1
        self.outcome: Outcome | None = None
        self._random = random_bytes
        self._masks: MaskSource = masks or self._derived_mask
        self._transcript = transcript
        self._decoder = FrameDecoder()
        self._value: Vector | None = None
        self._round_id = b""
        self._parties: tuple[int, ...] = ()
        self._context = b""
        """The current round's key context (`round_context`)."""
        self._used_rounds: set[bytes] = set()
        self._next_round_id = _round_after(bytes(ID_BYTES))
        """The id an honest host gives its next round (see `prepare`)."""
        self._prepared: _Prepared | None = None
        self._partial: bytes = b""
        self._pairs = PairSecrets(self.identity)
        self._noise_rng = noise_rng
        self.epsilon_spent = 0.0
        """ε this person has spent in this session: a noisy question's ε for every
        round in which we published a partial sum. Each such round may have
        given the host a release, even if it then aborted the round and re-ran."""

    # --- what the person does ---------------------------------------------------

    @property
    def code(self) -> str:
        return security_code(self._digest())

    @property
    def ended(self) -> bool:
        return self.phase is Phase.ENDED

    @property
    def has_value(self) -> bool:
        return self._value is not None

    def submit(self, text: str) -> list[Output]:
        """Take the person's answer; shares go out at once if the round is running.

        Raises `InputError` (nothing changes) if the answer is not acceptable.
        """
        if self.question is None or self.phase in (Phase.DONE, Phase.ENDED):
            raise LocalProtocolError("There is no question to answer right now.")
        self._value = self.question.encode_answer(text)
        self._prepared = None
        if self.phase is Phase.AWAITING_VALUE:
            return self._share()
        return []

    def leave(self) -> list[Output]:
        if self.phase is Phase.ENDED:
            return []
        self._end()
        return [Send(HOST, encode(Leave())), Drop(HOST, "left"), SessionEnded("You left.")]

    def cancel(self) -> list[Output]:
        """Stop the running round for everyone (they are told it was you)."""
        if self.phase not in (Phase.AWAITING_VALUE, Phase.SUMMED):
            return []
        return [Send(HOST, encode(Cancel(round_id=self._round_id)))]

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

    # --- internals ---------------------------------------------------------------

    def _handle(self, msg: Message) -> list[Output]:  # noqa: PLR0911 - one branch per message
        if isinstance(msg, Ping):
            return [Send(HOST, encode(Pong()))]
        if isinstance(msg, Pong):
            return []
        if self.phase is Phase.CONNECTING:
            if not isinstance(msg, Welcome):
                raise RemoteProtocolError("The host did not start with Welcome.")
            return self._welcome(msg)
        if isinstance(msg, Lobby):
            return self._lobby(msg)
        if isinstance(msg, Rejected | Closed):
            finished = self.phase is Phase.DONE
            self._end()
            out: list[Output] = [Drop(HOST, "session over")]
            return out if finished else [*out, SessionEnded(msg.reason)]
        if self.phase is Phase.JOINING:
            raise RemoteProtocolError(f"{type(msg).__name__} before being admitted.")
        if isinstance(msg, Start):
            return self._start(msg)
        if getattr(msg, "round_id", None) != self._round_id:
            if self.phase is Phase.ABORTED:
                return []  # a late message from the round that was aborted
            raise RemoteProtocolError(f"{type(msg).__name__} for another round.")
        return self._round_message(msg)

    def _round_message(self, msg: Message) -> list[Output]:
        if isinstance(msg, Progress):
            return [self._progress(msg)]
        if isinstance(msg, Aborted):
            return self._aborted(msg)
        if isinstance(msg, Partials) and self.phase is Phase.SUMMED:
            return self._partials(msg)
        raise RemoteProtocolError(f"Unexpected {type(msg).__name__} while {self.phase.value}.")

    def _welcome(self, msg: Welcome) -> list[Output]:
        self.question, self.host_name, self.session_id = msg.question, msg.host_name, msg.session_id
        # The first use of the round's code costs far more than the next; pay it
        # now, before the host can admit us and start a round that would wait on it.
        rehearse(self.question.vector_length)
        pub = self.identity.public
        signed = crypto.context(
            "hello", self.session_id, self.name.encode(), pub.sign_key, pub.kem_key
        )
        hello = Hello(
            name=self.name,
            sign_key=pub.sign_key,
            kem_key=pub.kem_key,
            signature=self.identity.sign(signed),
        )
        self.phase = Phase.JOINING
        return [Send(HOST, encode(hello)), Welcomed(msg.question, msg.host_name)]

    def _lobby(self, msg: Lobby) -> list[Output]:
        if self.phase in (Phase.AWAITING_VALUE, Phase.SUMMED):
            # An honest host freezes the roster at Start; our masks are for that roster.
            raise RemoteProtocolError("The host changed the group during a round.")
        mine = [m for m in msg.roster if m.party == msg.you]
        if len(mine) != 1 or mine[0].sign_key != self.identity.public.sign_key:
            raise RemoteProtocolError("The roster does not contain you as you joined.")
        if len({m.party for m in msg.roster}) != len(msg.roster):
            raise RemoteProtocolError("The roster lists someone twice.")
        before = {m.name for m in self.roster}
        self.roster, self.me = msg.roster, msg.you
        self._prepared = None
        self._by_party = {m.party: m for m in msg.roster}
        self._pairs.agree(self.session_id, self._member(self.me), self.roster)
        if self.phase in (Phase.JOINING, Phase.DONE):
            self.phase = Phase.LOBBY
        now = {m.name for m in self.roster}
        note = "; ".join(
            [f"{n} joined" for n in sorted(now - before) if before]
            + [f"{n} left" for n in sorted(before - now)]
        )
        return [RosterChanged(tuple(m.name for m in self.roster), self.code, self.me, note)]

    def _start(self, msg: Start) -> list[Output]:
        if self.phase not in (Phase.LOBBY, Phase.ABORTED):
            raise RemoteProtocolError("Start while a round is already running.")
        if msg.round_id in self._used_rounds:
            # Fresh masks need a fresh round id; a repeat would reuse them.
            raise RemoteProtocolError("The host started a round with a used round id.")
        self._used_rounds.add(msg.round_id)
        self._round_id = msg.round_id
        self._next_round_id = _round_after(msg.round_id)
        self._parties = tuple(m.party for m in self.roster)
        if msg.roster_digest != self._digest():
            self.phase = Phase.ABORTED
            return [
                Send(HOST, encode(Cancel(round_id=msg.round_id))),
                RoundAborted(
                    "The round started with a different group than the one on your screen, "
                    "so your app did not take part. Compare security codes again.",
                    (),
                    False,
                ),
            ]
        self._context = round_context(self.session_id, msg.round_id, msg.roster_digest)
        names = tuple(m.name for m in self.roster)
        self.phase = Phase.AWAITING_VALUE
        out: list[Output] = [RoundStarted(names, needs_value=self._value is None)]
        if self._value is not None:
            out += self._share()
        return out

    def prepare(self) -> None:
        """Build the next round's partial sum now, so Start only has to send it.

        An honest host numbers its rounds 1, 2, 3…, so the next round id and
        the roster are known while people wait in the lobby: masking, noising
        and tagging (most of a member's work in a round, and most of the round
        time on a busy machine) can happen before Start. Nothing is sent until
        a Start with exactly that round id and roster arrives; any other Start
        takes the ordinary path, and a roster or value change discards the
        prepared sum. Engines call this when idle (`wants_preparation`).
        """
        self._prepared = None
        if not self.wants_preparation or self.question is None:
            return
        round_id = self._next_round_id
        digest = self._digest()
        parties = tuple(m.party for m in self.roster)
        context = round_context(self.session_id, round_id, digest)
        vector, frame = self._masked_partial(round_id, context, parties)
        self._prepared = _Prepared(round_id, digest, vector, frame)

    @property
    def wants_preparation(self) -> bool:
        """A value, a big enough group, no round running, and nothing prepared yet."""
        return (
            self._prepared is None
            and self._value is not None
            and self.question is not None
            and len(self.roster) >= self.question.min_participants  # else no Start can come
            and self.phase in (Phase.LOBBY, Phase.ABORTED)
            and self._derives_masks
            and self._next_round_id not in self._used_rounds
        )

    @property
    def _derives_masks(self) -> bool:
        return self._masks == self._derived_mask and not self._transcript

    def _share(self) -> list[Output]:
        """Publish value − (masks we give) + (masks we get), tagged for each other member."""
        assert self._value is not None and self.question is not None
        prepared, self._prepared = self._prepared, None
        kept: tuple[int, ...] | None = None
        given: dict[int, Vector] = {}
        if prepared is not None and (prepared.round_id, prepared.digest) == (
            self._round_id,
            self._digest(),
        ):
            vector, frame = prepared.vector, prepared.frame
        elif self._derives_masks:
            vector, frame = self._masked_partial(self._round_id, self._context, self._parties)
        else:  # a given table of masks (the article demo), or a demo showing them
            vector, frame, kept, given = self._partial_from_table()
        self._partial = vector
        self.phase = Phase.SUMMED
        if self.question.is_private:
            self.epsilon_spent += self.question.epsilon_value
        out: list[Output] = [Send(HOST, frame)]
        if self._transcript and kept is not None:
            sent = tuple((self._name_of(j), tuple(from_ring(m))) for j, m in given.items())
            partial_sum = tuple(from_ring(vector_from_bytes(vector)))
            out.append(ShareTranscript(self.name, kept, sent, partial_sum))
        for mask in given.values():
            mask.fill(0)
        return out

    def _masked_partial(
        self, round_id: bytes, context: bytes, parties: tuple[int, ...]
    ) -> tuple[bytes, bytes]:
        """Our partial sum for that round, and the PartialSum frame carrying it with its tags."""
        assert self._value is not None and self.question is not None
        me, pair = self.me, self._pairs.secret
        others = [p for p in parties if p != me]
        length = self.question.vector_length
        partial = self._noised(self._value, len(parties))  # a fresh copy we may overwrite
        partial -= mask_sum([mask_key(pair(j), context, me, j) for j in others], length)
        partial += mask_sum([mask_key(pair(j), context, j, me) for j in others], length)
        return self._tagged(partial, round_id, context, others)

    def _partial_from_table(self) -> tuple[bytes, bytes, tuple[int, ...], dict[int, Vector]]:
        """As `_masked_partial`, from the masks `self._masks` gives, keeping what a demo shows."""
        assert self._value is not None and self.question is not None
        others = [p for p in self._parties if p != self.me]
        length = self.question.vector_length
        partial = self._noised(self._value, len(self._parties))
        given = {j: self._masks(self.me, j, length) for j in others}
        partial -= combine(list(given.values()), length)
        kept = tuple(from_ring(partial))
        partial += combine([self._masks(j, self.me, length) for j in others], length)
        vector, frame = self._tagged(partial, self._round_id, self._context, others)
        return vector, frame, kept, given

    def _tagged(
        self, partial: Vector, round_id: bytes, context: bytes, others: list[int]
    ) -> tuple[bytes, bytes]:
        """The partial sum's bytes (its buffer is wiped) and its frame, tagged for each other."""
        vector = vector_to_bytes(partial)
        partial.fill(0)
        secret = self._pairs.secret
        tags = b"".join(partial_tag(secret(j), context, self.me, j, vector) for j in others)
        return vector, encode(PartialSum(round_id=round_id, vector=vector, tags=tags))

    def _noised(self, value: Vector, parties: int) -> Vector:
        """``value`` plus this round's noise share for a noisy kind, else ``value``."""
        q = self.question
        assert q is not None
        if not q.is_private:
            return value.copy()
        length = len(value)
        noise = noise_share(parties, q.epsilon_value, q.sensitivity, length, self._noise_rng())
        noisy = value.copy()
        noisy += noise.view(np.uint64)  # two's complement; uint64 wrap-around is the ring's +
        noise.fill(0)
        return noisy

    def _partials(self, msg: Partials) -> list[Output]:
        assert self.question is not None
        count, length = len(msg.parties), self.question.vector_length
        size = 8 * length
        if (
            sorted(msg.parties) != sorted(self._parties)
            or len(msg.vectors) != count * size
            or len(msg.tags) != count * TAG_BYTES
        ):
            raise RemoteProtocolError("The host published the wrong set of partial sums.")
        for i, party in enumerate(msg.parties):
            vector = msg.vectors[i * size : (i + 1) * size]
            mac = msg.tags[i * TAG_BYTES : (i + 1) * TAG_BYTES]
            try:
                if party == self.me:
                    if vector != self._partial:
                        raise IntegrityError("Our own partial sum was altered.")
                else:
                    expected = partial_tag(
                        self._pairs.secret(party), self._context, party, self.me, vector
                    )
                    if not hmac.compare_digest(expected, mac):
                        raise IntegrityError("A partial sum did not check out.")
            except HuddleError:
                return self._complain(party)
        total = sum_rows(msg.vectors, count, length)
        self.outcome = Outcome(self.question, len(self._parties), tuple(from_ring(total)))
        self.phase = Phase.DONE
        self._wipe_value()
        return [ResultReady(self.outcome)]

    def _derived_mask(self, sender: int, recipient: int, length: int) -> Vector:
        peer = recipient if sender == self.me else sender
        return mask_from_key(
            mask_key(self._pairs.secret(peer), self._context, sender, recipient), length
        )

    def _progress(self, msg: Progress) -> ProgressChanged:
        done = set(msg.summed)
        waiting = tuple(p for p in self._parties if p not in done)
        return ProgressChanged(self._names(msg.summed), self._names(waiting))

    def _aborted(self, msg: Aborted) -> list[Output]:
        self._wipe_round()
        self.phase = Phase.ABORTED
        return [RoundAborted(msg.reason, self._names(msg.missing), False)]

    def _complain(self, accused: int) -> list[Output]:
        self._wipe_round()
        self.phase = Phase.ABORTED
        who = self._name_of(accused)
        return [
            Send(HOST, encode(Complaint(round_id=self._round_id, accused=accused))),
            RoundAborted(
                f"A message from {who} failed its security check, so the round was stopped "
                "before your app published anything.",
                (who,),
                False,
            ),
        ]

    def _member(self, party: int) -> Member:
        member = self._by_party.get(party)
        if member is None:
            raise RemoteProtocolError("A message names someone who is not on the roster.")
        return member

    def _name_of(self, party: int) -> str:
        return next((m.name for m in self.roster if m.party == party), f"participant {party}")

    def _names(self, parties: Sequence[int]) -> tuple[str, ...]:
        return tuple(self._name_of(p) for p in parties)

    def _digest(self) -> bytes:
        """The roster digest, computed once per roster (the security code and Start use it)."""
        assert self.question is not None
        if self._digest_of is not self.roster:
            self._digest_cache = roster_digest(
                self.session_id, self.question, self.host_fingerprint, self.roster
            )
            self._digest_of = self.roster
        return self._digest_cache

    def _wipe_round(self) -> None:
        self._context = b""
        self._prepared = None

    def _wipe_value(self) -> None:
        """Best effort: overwrite the buffers (Python may still hold copies elsewhere)."""
        self._wipe_round()
        if self._value is not None:
            self._value.fill(0)
        self._value = None

    def _end(self) -> None:
        self._wipe_value()
        self._pairs.clear()
        self.phase = Phase.ENDED
