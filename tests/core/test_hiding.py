"""Hiding, tested on the real path: what the host receives in honest rounds.

Issue 18: deriving the masks a member receives with the wrong direction makes
them cancel the ones it gives, so its "partial sum" is its value (under its
self-mask, which it opens at the end) — and every test passed, because the
result is still right. Here real `ParticipantSession`s with the production
masks (no mask function passed in) run honest rounds through the harness; the
test records every frame the host receives and does what a curious host would:
removes each member's self-mask with the pieces the member opened, and looks at
what is left. It must never be the value, must not correlate with it across
runs, and each of its 64 bits must be set about half the time — for one number
and for a long vector. Since protocol 4 a member also publishes the public part
of its proof's witness (the bits of its answer, minus one pseudorandom share per
colleague) and of its proof: the same holds for the witness, and the proof's
bits are uniform too.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from huddle.core import field, proofs
from huddle.core.codec import FrameDecoder
from huddle.core.encoding import vector_from_bytes
from huddle.core.messages import PartialSum, Unmask
from huddle.core.questions import VOTE, Question
from huddle.core.sharing import combine

from .harness import Tap, make_network

BITS = np.arange(64, dtype=np.uint64)


@dataclass
class Seen:
    """What the host received from members in honest rounds, next to their values."""

    values: list[npt.NDArray[np.uint64]]
    partials: list[npt.NDArray[np.uint64]]
    """Each partial sum as sent (under pairwise masks and the self-mask)."""
    unmasked: list[npt.NDArray[np.uint64]]
    """Each partial sum with its self-mask removed, as the host can once pieces open."""
    witnesses: list[npt.NDArray[np.uint64]]
    """Each member's true witness (its answer's bits), next to..."""
    witness_parts: list[npt.NDArray[np.uint64]]
    """...the public part of it the member published."""
    proof_parts: list[npt.NDArray[np.uint64]]
    """The public part of each member's proof."""


def recorder(up: dict[int, dict[type, object]]) -> Tap:
    """A tap that keeps the last message of each type each member sent the host."""

    def record(direction: str, conn: int, data: bytes) -> bytes:
        if direction == "up":
            msg = FrameDecoder().feed(data)[0]
            up.setdefault(conn, {})[type(msg)] = msg
        return data

    return record


def honest_rounds(question: Question, runs: int, answers: list[str], seed: int) -> Seen:
    rng = random.Random(seed)
    seen = Seen([], [], [], [], [], [])
    length = question.vector_length
    shape = proofs.shape(question)
    for _ in range(runs):
        net = make_network(question)
        up: dict[int, dict[type, object]] = {}
        net.tap = recorder(up)
        conns = [net.join(name) for name in ("Ann", "Ben", "Cat")]
        typed = {conn: rng.choice(answers) for conn in conns}
        for conn in conns:
            net.party_do(conn, net.parties[conn].submit(typed[conn]))
        net.host_do(net.host.start())
        assert net.host.outcome is not None, "the honest round completed"
        for conn in conns:
            partial, unmask = up[conn][PartialSum], up[conn][Unmask]
            assert isinstance(partial, PartialSum) and isinstance(unmask, Unmask)
            vector = vector_from_bytes(partial.vector)
            value = question.encode_answer(typed[conn])
            seen.values.append(value)
            seen.partials.append(vector)
            pieces = [unmask.pieces[k : k + 32] for k in range(0, len(unmask.pieces), 32)]
            assert len(pieces) == 2  # one per colleague
            seen.unmasked.append(field.sub(vector, proofs.self_mask(pieces, length)))
            meas = shape.contribution.encode(field.to_signed(value).tolist())
            seen.witnesses.append(meas[shape.length :])
            seen.witness_parts.append(vector_from_bytes(partial.witness))
            seen.proof_parts.append(vector_from_bytes(partial.proof))
    return seen


def check_hidden(seen: Seen) -> None:
    values, witnesses = np.concatenate(seen.values), np.concatenate(seen.witnesses)
    checks = [(values, seen.partials), (values, seen.unmasked)]
    if len(witnesses):  # a range's bits (a vote's one-hot answer needs no witness)
        assert set(witnesses.tolist()) == {0, 1}
        checks.append((witnesses, seen.witness_parts))
    for secret, what in checks:
        sent = np.concatenate(what)
        # Never the value itself, in any element of any member's partial sum (or witness).
        assert not np.any(sent == secret)
        # No correlation with the value across runs (|r| ≈ 1 when the value shows).
        r = np.corrcoef(secret.astype(np.float64), sent.astype(np.float64))[0, 1]
        assert abs(r) < 5 / np.sqrt(len(sent)), r
        uniform_bits(sent)
    uniform_bits(np.concatenate(seen.proof_parts))


def uniform_bits(sent: npt.NDArray[np.uint64]) -> None:
    """Every bit set half the time (6 standard deviations: a false alarm ~1e-8)."""
    ones = ((sent[:, None] >> BITS) & np.uint64(1)).mean(axis=0)
    assert np.all(np.abs(ones - 0.5) < 3 / np.sqrt(len(sent))), ones


def test_a_hosts_view_of_one_number_is_uniform_and_unrelated_to_the_values() -> None:
    question = Question(title="2026 raise", lo="0", hi="100000")
    answers = [str(v) for v in random.Random(1).sample(range(100001), 500)]
    seen = honest_rounds(question, runs=100, answers=answers, seed=2)
    assert len(seen.values) == 300 and len({int(v[0]) for v in seen.values}) > 100
    assert all(len(w) == 17 for w in seen.witnesses)  # the bits of each value
    check_hidden(seen)


def test_a_hosts_view_of_a_long_vector_is_uniform_and_unrelated_to_the_values() -> None:
    options = tuple(f"option {k}" for k in range(16))  # 16 tallies
    question = Question(kind=VOTE, title="t", lo="1", hi="16", options=options)
    assert question.vector_length == 16
    seen = honest_rounds(question, runs=25, answers=[str(k) for k in range(1, 17)], seed=3)
    check_hidden(seen)


def test_the_unmasked_partial_sums_still_add_up_to_the_total() -> None:
    """The check above looks at the right thing: without the pairwise masks'
    cancellation nothing would add up (and the host's result is this sum)."""
    question = Question(title="2026 raise", lo="0", hi="100000")
    seen = honest_rounds(question, runs=3, answers=["10", "200", "3000"], seed=4)
    for k in range(0, 9, 3):
        total = combine(seen.unmasked[k : k + 3])
        assert np.array_equal(total, combine(seen.values[k : k + 3]))
