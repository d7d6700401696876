"""A modified app cannot skew the result (issue 15): every contribution is proven valid.

Each cheat here is the real `ParticipantSession` with one step replaced, the
way someone would modify their own copy of Huddle: the measurement it proves
(`_measurement`: a forged answer, forged noise), the bytes it sends (a forged
proof, a forged partial sum, a forged commitment), or the verifier message it
signs about a colleague (`_check`). The honest members run the real code, the
host is the real honest host, and every message goes through the real codec.

What each test shows: the round stops before anyone opens a self-mask, so
nothing is summed; every honest member names the cheat (or, for a lying
checker, the prover names the liar); the host's screen says the same. The
issue's three attacks — an average of 3.3 × 10^14 on [0, 100000], a vote of
(1000, −998, 0), a spread with a negative variance — are the first tests; on
protocol 3 each of them produced that result.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest

from huddle.core import field, proofs
from huddle.core.codec import FrameDecoder, Message, encode
from huddle.core.encoding import Vector
from huddle.core.events import ResultReady, RoundAborted
from huddle.core.host import Phase as HostPhase
from huddle.core.messages import Confirms, Partials, Unmask, Verifies
from huddle.core.participant import ParticipantSession
from huddle.core.questions import Question
from tests.cheats import Cheat, shifted

from .harness import FINGERPRINT, Network, make_network

AVERAGE = Question(title="2026 raise", lo="0", hi="100000")
VOTE = Question(kind="vote", title="Lunch", lo="1", hi="3", options=("Pizza", "Sushi", "Thai"))
SPREAD = Question(kind="spread", title="Raise", lo="0", hi="5000", decimals=2)
QUESTIONS = {
    "average": (AVERAGE, "52000"),
    "dp_average": (Question(kind="dp_average", title="r", hi="5000", epsilon="1"), "40"),
    "histogram": (
        Question(kind="histogram", title="c", hi="100", bins=("0", "50", "100"), epsilon="1"),
        "20",
    ),
    "median": (
        Question(kind="median", title="m", hi="100", bins=("0", "50", "100"), epsilon="1"),
        "70",
    ),
    "spread": (SPREAD, "1200.50"),
    "dp_spread": (Question(kind="dp_spread", title="s", hi="100", epsilon="2"), "30"),
    "vote": (VOTE, "Sushi"),
    "dp_vote": (
        Question(kind="dp_vote", title="v", lo="1", hi="2", options=("A", "B"), epsilon="1"),
        "A",
    ),
    "vote_outcome": (
        Question(kind="vote_outcome", title="o", lo="1", hi="2", options=("A", "B"), epsilon="1"),
        "B",
    ),
    "choice": (
        Question(kind="choice", title="ch", lo="1", hi="3", options=("A", "B", "C"), epsilon="1"),
        "A, C",
    ),
    "poll": (Question(kind="poll", title="p", lo="0", hi="1"), "yes"),
}


def join_cheat(net: Network, name: str, **cheat: object) -> int:
    """Like `Network.join`, with the modified app."""
    conn, outs = net.host.connect()
    net.parties[conn] = Cheat(
        name=name, host_fingerprint=FINGERPRINT, random_bytes=os.urandom, **cheat
    )
    net.events[conn] = []
    net.host_do(outs)
    net.host_do(net.host.admit(conn))
    return conn


OWN_ANSWER_FAILED = (
    "Your own answer did not pass the other apps' check, so nothing was summed and nobody's "
    "value was revealed. Your copy of Huddle may be damaged."
)


def failed(name: str) -> str:
    """What the others' screens say when ``name``'s answer failed the check."""
    return (
        f"{name}'s answer did not pass the check, so nothing was summed and nobody's value "
        f"was revealed. Either {name}'s app is modified or one of the checking apps is; "
        "Huddle cannot tell which."
    )


HostTap = Callable[["Round", str, int, bytes], bytes | None]
"""A dishonest host: (the round, direction, connection, frame) → the frame it passes on."""


class Round:
    """A round of three honest colleagues and one cheat; records who opened a mask.

    ``host`` is a tap playing a dishonest host; the rest configures the `Cheat`.
    """

    def __init__(
        self,
        question: Question,
        answer: str,
        *,
        host: HostTap | None = None,
        **cheat: object,
    ) -> None:
        self.net = make_network(question)
        self.opened: list[int] = []
        self.host = host
        self.honest = [self.net.join(name) for name in ("Ann", "Bea", "Cy")]
        self.cheat = join_cheat(self.net, "Mallory", **cheat)
        self.net.tap = self._tap
        for conn in [*self.honest, self.cheat]:
            self.net.party_do(conn, self.net.parties[conn].submit(answer))
        self.net.host_do(self.net.host.start())

    def _tap(self, direction: str, conn: int, data: bytes) -> bytes | None:
        msg = FrameDecoder().feed(data)[0]
        if direction == "up" and isinstance(msg, Unmask):
            self.opened.append(conn)
        return data if self.host is None else self.host(self, direction, conn, data)

    def aborts(self, conn: int) -> list[RoundAborted]:
        return [e for e in self.net.events[conn] if isinstance(e, RoundAborted)]

    def assert_nothing_summed(self) -> None:
        """No result anywhere, no honest self-mask opened, the question not closed."""
        everyone = [*self.net.events.values(), self.net.host_events]
        assert not [e for events in everyone for e in events if isinstance(e, ResultReady)]
        assert not set(self.opened) & set(self.honest)
        assert self.net.host.phase is HostPhase.ABORTED
        assert not self.net.host.question_closed  # a re-run without the cheat stays possible

    def assert_named(self, who: str, *, by: tuple[int, ...] | None = None) -> None:
        """Every honest member's screen (or those of ``by``) names ``who`` and says
        nothing was summed; so does the host's."""
        for conn in self.honest if by is None else by:
            (abort,) = self.aborts(conn)
            assert abort.missing == abort.suspects == (who,), abort.reason
            assert "nothing was summed" in abort.reason.lower(), abort.reason
            if who == "Mallory":
                assert abort.reason == failed(who)
        host_stop = [e for e in self.net.host_events if isinstance(e, RoundAborted)]
        assert host_stop and who in host_stop[-1].reason, host_stop
        assert host_stop[-1].suspects == (who,)  # offered for removal, never re-run with
        if who == "Mallory":  # the cheat's own app finds every checker honest
            (own,) = self.aborts(self.cheat)
            assert (own.reason, own.missing, own.suspects) == (OWN_ANSWER_FAILED, (), ())


# --- the three attacks -------------------------------------------------------


def test_an_average_of_three_times_ten_to_the_fourteen_is_refused() -> None:
    """Issue 15: a forged value of 10^15 among three people gave 3.3 × 10^14."""
    r = Round(AVERAGE, "50000", forge=shifted([10**15]))
    r.assert_nothing_summed()
    r.assert_named("Mallory")


def test_a_vote_of_a_thousand_for_one_and_minus_998_for_another_is_refused() -> None:
    """Issue 15: tallies (1000, −998, 0) from one forged vote."""
    r = Round(VOTE, "Pizza", forge=shifted([999, -998, 0]))
    r.assert_nothing_summed()
    r.assert_named("Mallory")


def test_a_spread_with_a_negative_variance_is_refused() -> None:
    """Issue 15: the second entry (u²) forged below zero made the variance negative."""
    r = Round(SPREAD, "2500", forge=shifted([0, -(10**12)]))
    r.assert_nothing_summed()
    r.assert_named("Mallory")


# --- every kind, every way of forging --------------------------------------------------


def _forged_answer(question: Question) -> list[int]:
    """A shift of y that no valid answer gives: outside the range, a two-hot vector, a 2."""
    length = question.vector_length
    if question.kind in ("spread", "dp_spread"):
        return [0, -1]  # x² one below u²: the multiplication check fails
    if question.kind in ("average", "dp_average"):
        return [10**9]
    return [2] + [0] * (length - 1)  # a 2 or a 3 where one-hot or 0/1 entries allow 0 or 1


@pytest.mark.parametrize("kind", list(QUESTIONS))
def test_a_forged_answer_is_caught_for_every_kind(kind: str) -> None:
    question, answer = QUESTIONS[kind]
    r = Round(question, answer, forge=shifted(_forged_answer(question)))
    r.assert_nothing_summed()
    r.assert_named("Mallory")


@pytest.mark.parametrize("kind", [k for k, (q, _) in QUESTIONS.items() if q.is_private])
def test_noise_beyond_the_bound_is_caught(kind: str) -> None:
    """A noise share one past the published bound on one entry: the proof covers the noise."""
    question, answer = QUESTIONS[kind]
    bound = proofs.shape(question).contribution.noise_bound
    assert bound is not None

    def forge(cheat: ParticipantSession, s: proofs.Shape, honest: Vector) -> Vector:
        noise = [0] * s.length
        noise[0] = 2 * bound + 1  # whatever its honest share was, now beyond ±bound
        return shifted(noise)(cheat, s, honest)

    r = Round(question, answer, forge=forge)
    r.assert_nothing_summed()
    r.assert_named("Mallory")


def _plus_one_on_first(blob: bytes) -> bytes:
    return field.to_bytes(
        field.add(field.from_bytes(blob), field.vector([1] + [0] * (len(blob) // 8 - 1)))
    )


def _random_elements(blob: bytes) -> bytes:
    return field.to_bytes(field.sample(os.urandom(32), len(blob) // 8))


FORGERIES = [
    pytest.param(kind, part, change, id=f"{name}-{kind}")
    for kind, (question, _) in QUESTIONS.items()
    for name, part, change in (
        ("a forged proof", "proof", _random_elements),
        ("a proof one off", "proof", _plus_one_on_first),
        ("a forged witness", "witness", _plus_one_on_first),
        ("a forged partial sum", "vector", _plus_one_on_first),
    )
    if part != "witness" or proofs.shape(question).witness  # one-hot and 0/1 answers have none
]


@pytest.mark.parametrize(("kind", "part", "change"), FORGERIES)
def test_forged_bytes_from_the_cheats_app_are_caught(
    kind: str, part: str, change: Callable[[bytes], bytes]
) -> None:
    question, answer = QUESTIONS[kind]
    r = Round(question, answer, own=(part, change))
    r.assert_nothing_summed()
    r.assert_named("Mallory")


# --- a lying checker, and a host rewriting what it relays ------------------------------


def test_a_checker_lying_about_an_honest_answer_is_named_by_the_prover() -> None:
    """Mallory signs a false message about Ann's valid answer: Ann knows every correct
    message for her own contribution and names Mallory; nothing is summed. The others
    cannot tell Ann's app from a checker's, and say so."""
    r = Round(AVERAGE, "100", lie_about=(1,))  # Ann joined first: party 1
    ann, *others = r.honest
    r.assert_nothing_summed()
    (ann_abort,) = r.aborts(ann)
    assert ann_abort.missing == ann_abort.suspects == ("Mallory",)
    assert "checked your answer falsely" in ann_abort.reason
    assert ann_abort.reason == (
        "Mallory's app checked your answer falsely: it signed a check that your answer does "
        "not give, so Mallory's app is modified. Nothing was summed and nobody's value was "
        "revealed."
    )
    for conn in others:
        (abort,) = r.aborts(conn)
        assert abort.missing == ("Ann",)
        assert "cannot tell which" in abort.reason
        assert abort.reason == failed("Ann")


def _rewriting(kind: type, victim: int, change: Callable[[Any], Message]) -> HostTap:
    """A host that changes each ``kind`` message it sends the ``victim``-th honest member."""

    def tap(r: Round, direction: str, conn: int, data: bytes) -> bytes | None:
        msg = FrameDecoder().feed(data)[0]
        if direction == "down" and conn == r.honest[victim] and isinstance(msg, kind):
            return encode(change(msg))
        return data

    return tap


def _flip(blob: bytes, index: int) -> bytes:
    flipped = bytearray(blob)
    flipped[index] ^= 1
    return bytes(flipped)


def test_a_host_altering_a_signed_check_in_flight_is_caught() -> None:
    """Checks are signed with each member's Hello key: a host that flips one bit of
    Bea's message to Ann (to fail an answer, or pass one) is caught by Ann."""

    def flip(msg: Verifies) -> Message:
        size = len(msg.messages) // 4
        return replace(msg, messages=_flip(msg.messages, 1 * size))  # Bea is second

    r = Round(AVERAGE, "7", host=_rewriting(Verifies, 0, flip))
    (abort,) = r.aborts(r.honest[0])
    assert abort.missing == ("Bea",)
    assert "not signed" in abort.reason
    # The others saw intact checks and opened; Ann did not, so nobody can sum the round.
    assert r.honest[0] not in r.opened
    everyone = [*r.net.events.values(), r.net.host_events]
    assert not [e for events in everyone for e in events if isinstance(e, ResultReady)]


def test_a_host_swapping_a_nonce_after_the_proofs_is_caught() -> None:
    """The query randomness comes from nonces committed with the proofs: a host that
    changes one (to steer the queries towards a cheat) is caught against its commitment."""

    def swap(msg: Confirms) -> Message:
        return replace(msg, nonces=bytes(32) + msg.nonces[32:])

    r = Round(AVERAGE, "7", host=_rewriting(Confirms, 2, swap))
    (abort,) = r.aborts(r.honest[2])
    assert abort.missing == ("Ann",)
    assert "nonce" in abort.reason
    r.assert_nothing_summed()


def test_a_host_altering_a_piece_commitment_is_caught_before_confirming() -> None:
    def alter(msg: Partials) -> Message:
        size = len(msg.commitments) // 4
        return replace(
            msg, commitments=_flip(msg.commitments, 3 * size + 32)
        )  # Mallory's, Ann's piece

    r = Round(AVERAGE, "7", host=_rewriting(Partials, 0, alter))
    (abort,) = r.aborts(r.honest[0])
    assert abort.missing == ("Mallory",)
    r.assert_nothing_summed()


def test_a_piece_commitment_other_than_the_derived_piece_is_caught_before_confirming() -> None:
    """A cheat that commits to a self-mask piece it could open differently later (to
    prove one vector and sum another, docs/PROOFS.md attack 3) is caught by the
    colleague who derives that piece. Ann holds the first piece in Mallory's list."""
    r = Round(AVERAGE, "7", own=("commitments", lambda b: b[:32] + bytes(32) + b[64:]))
    r.assert_nothing_summed()
    (abort,) = r.aborts(r.honest[0])
    assert abort.missing == ("Mallory",)


# --- honest rounds always pass --------------------------------------------------------


@pytest.mark.parametrize("kind", list(QUESTIONS))
def test_honest_rounds_of_every_kind_pass(kind: str) -> None:
    question, answer = QUESTIONS[kind]
    for _ in range(3):
        net = make_network(question)
        conns = [net.join(n) for n in ("Ann", "Bea", "Cy", "Dee")]
        for conn in conns:
            net.party_do(conn, net.parties[conn].submit(answer))
        net.host_do(net.host.start())
        stops = [e for ev in net.events.values() for e in ev if isinstance(e, RoundAborted)]
        assert not stops, stops
        results = [e for ev in net.events.values() for e in ev if isinstance(e, ResultReady)]
        assert len(results) == 4


def test_honest_rounds_of_random_questions_and_answers_always_pass() -> None:
    """Property: for random questions of every kind (random ranges, decimals, bars,
    options, ε, minimum) and random valid answers from 3 to 6 people (or the
    minimum), the real round never fails a check, and everyone gets one total."""
    import numpy as np

    from tests.core.test_kind_circuits import questions_of, random_answer_text

    rng = np.random.default_rng(2026)
    every_kind = list(kinds_registry().values())
    for case in range(88):  # eight random questions of every kind
        (question,) = questions_of(every_kind[case % len(every_kind)], rng, 1)
        people = max(question.min_participants, int(rng.integers(3, 7)))
        net = make_network(question)
        conns = [net.join(f"p{k}") for k in range(people)]
        for conn in conns:
            net.party_do(conn, net.parties[conn].submit(random_answer_text(question, rng)))
        net.host_do(net.host.start())
        stops = [e for ev in net.events.values() for e in ev if isinstance(e, RoundAborted)]
        assert not stops, (question, stops)
        results = [e for ev in net.events.values() for e in ev if isinstance(e, ResultReady)]
        assert len(results) == people and len({r.outcome.total for r in results}) == 1


def kinds_registry() -> dict[str, Any]:
    from huddle.core import kinds

    return dict(kinds.BY_NAME)
