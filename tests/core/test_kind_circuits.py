"""Every kind's proof circuit (issue 15): each honest answer passes, the issue's forgeries fail.

For every registered kind, random questions of that kind and random valid
answers to them go through the real path: what a person types, read by the
kind (`Kind.parse`), encoded (`Kind.encode_answer`), plus a real truncated
noise share for a noisy kind (`noise.noise_share`). The question's own
`Question.contribution` must turn that into a measurement, and the proof
system (`huddle.core.flp`) must prove it and accept it: honest members are
never named as cheats. The forgeries are measurements a modified app could
send for the questions the issue names; `decide` must refuse each of them
with the real question's circuit, however the proof is made.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from decimal import Decimal

import numpy as np
import pytest

from huddle.core import field, kinds, noise
from huddle.core.errors import SettingsError
from huddle.core.flp import Contribution, Flp, Range, Spread, bits
from huddle.core.kinds import AnswerForm, Kind
from huddle.core.questions import MAX_PARTICIPANTS, Question

Rng = np.random.Generator
ANSWERS_PER_KIND = 1200
"""Random valid answers encoded and checked against each kind's circuit."""
PROVEN_PER_KIND = 150
"""Of those, how many are proven and verified in full (about a millisecond each)."""


# --- random questions of every kind, built from what the kind says about itself ----


def _number_text(value: int, decimals: int) -> str:
    return f"{Decimal(value).scaleb(-decimals):f}"


def _range_texts(rng: Rng) -> tuple[str, str, int]:
    """lo, hi and decimals; an end may carry one decimal more than the answers."""
    decimals = int(rng.integers(0, 4))
    lo = int(rng.integers(-(10**6), 10**6))
    width = int(rng.choice([1, 2, 7, 100, 10**4, 10**6]))
    extra = [0, 0, 0, 1][int(rng.integers(0, 4))]
    lo_text = _number_text(lo * 10**extra + int(rng.integers(0, 10**extra)), decimals + extra)
    hi_text = _number_text((lo + width) * 10**extra, decimals + extra)
    return lo_text, hi_text, decimals


def random_question(kind: Kind, rng: Rng) -> Question:
    """A random question of ``kind`` (`SettingsError` if these settings are refused)."""
    settings: dict[str, object] = {"kind": kind.name, "title": "Test"}
    if kind.private:
        settings["epsilon"] = str(rng.choice(["0.1", "0.5", "1", "1.0", "2.5", "10"]))
        settings["min_participants"] = int(rng.integers(3, 12))
    form = kind.about.answer
    if form in (AnswerForm.ONE_OPTION, AnswerForm.SOME_OPTIONS):
        count = int(rng.integers(2, 21))
        settings |= {"options": tuple(f"Option {i}" for i in range(count))}
        settings |= {"lo": "1", "hi": str(count)}
    elif form is AnswerForm.YES_NO:
        settings |= {"lo": "0", "hi": "1"}
    else:
        lo, hi, decimals = _range_texts(rng)
        settings |= {"lo": lo, "hi": hi, "decimals": decimals}
        if kind.about.bars:
            count = int(rng.integers(2, 30))
            settings["bins"] = kinds.equal_width_edges(lo, hi, count, decimals)
    return Question(**settings)  # type: ignore[arg-type]


def questions_of(kind: Kind, rng: Rng, count: int) -> list[Question]:
    found: list[Question] = []
    while len(found) < count:
        try:
            found.append(random_question(kind, rng))
        except SettingsError:
            continue  # a range too wide for the field, or too few steps for the bars
    return found


def random_answer_text(q: Question, rng: Rng) -> str:
    """What a person could type: a number within the range (its ends often), an option or
    several, yes or no."""
    kind = kinds.BY_NAME[q.kind]
    form = kind.about.answer
    if form is AnswerForm.ONE_OPTION:
        return str(int(rng.integers(1, len(q.options) + 1)))
    if form is AnswerForm.SOME_OPTIONS:
        ticked = rng.permutation(len(q.options))[: int(rng.integers(1, len(q.options) + 1))]
        return ", ".join(str(int(i) + 1) for i in ticked)
    if form is AnswerForm.YES_NO:
        return str(rng.choice(["yes", "no"]))
    lo, hi = kinds.scaled_range(q)
    value = int(rng.choice([lo, hi, int(rng.integers(lo, hi + 1))]))
    return _number_text(value, q.decimals)


def honest_measurement(q: Question, rng: Rng, parties: int) -> tuple[list[int], list[int]]:
    """An honest answer's encoding and this member's truncated noise share (none if exact)."""
    kind = kinds.BY_NAME[q.kind]
    x = kind.encode_text(q, random_answer_text(q, rng), lambda: bool(rng.integers(0, 2)))
    if not q.is_private:
        return x, []
    assert q.privacy is not None
    share = noise.noise_share(parties, q.privacy, q.sensitivity, len(x), rng, robust=q.robust)
    return x, [int(e) for e in share]


# --- the proof system, run for real ---------------------------------------------------


def split(vector: field.Vec, n: int, rng: Rng) -> list[field.Vec]:
    """n uniformly random vectors that add up to ``vector``."""
    parts = [rng.integers(0, field.P, len(vector), dtype=np.uint64) for _ in range(n - 1)]
    last = vector
    for part in parts:
        last = field.sub(last, part)
    return [*parts, last]


def proven(flp: Flp, meas: field.Vec, seed: int, shares: int = 1) -> bool:
    """Prove ``meas`` (valid or not) and verify it from ``shares`` additive shares."""
    tag = seed.to_bytes(8, "big")
    joint = flp.joint_rand(b"joint" + tag)
    proof = flp.prove(meas, flp.prove_rand(b"prove" + tag), joint)
    query = flp.query_rand(b"query" + tag)
    rng = np.random.default_rng(seed)
    pieces = zip(split(meas, shares, rng), split(proof, shares, rng), strict=True)
    messages = [flp.query(m, p, query, joint, shares) for m, p in pieces]
    return flp.decide(field.total(np.stack(messages), axis=0), joint)


# --- honest answers -------------------------------------------------------------------


@pytest.mark.parametrize("name", kinds.KINDS)
def test_every_honest_answer_of_every_kind_is_encoded_proven_and_accepted(name: str) -> None:
    kind = kinds.BY_NAME[name]
    rng = np.random.Generator(np.random.PCG64DXSM(sum(name.encode())))
    questions = questions_of(kind, rng, 12)
    flps = {q: Flp(q.contribution()) for q in questions}
    for i in range(ANSWERS_PER_KIND):
        q = questions[i % len(questions)]
        contribution = q.contribution()
        assert (contribution.noise_bound is not None) == q.is_private
        x, share = honest_measurement(q, rng, int(rng.integers(q.robust + 2, 40)))
        meas = contribution.encode(x, share)  # ValueError if the circuit refused it
        assert field.to_signed(contribution.output(meas)).tolist() == [
            v + e for v, e in zip(x, share or [0] * len(x), strict=True)
        ]
        if i < PROVEN_PER_KIND:
            assert proven(flps[q], meas, seed=i), f"an honest {name} answer failed its proof"


@pytest.mark.parametrize("name", ["dp_average", "histogram", "dp_spread", "choice", "spread"])
def test_an_honest_contribution_split_in_three_shares_is_accepted(name: str) -> None:
    rng = np.random.Generator(np.random.PCG64DXSM(3))
    q = questions_of(kinds.BY_NAME[name], rng, 1)[0]
    x, share = honest_measurement(q, rng, q.robust + 2)
    meas = q.contribution().encode(x, share)
    assert proven(Flp(q.contribution()), meas, seed=3, shares=3)


@pytest.mark.parametrize("name", kinds.KINDS)
def test_a_member_checks_its_colleagues_of_every_kind_in_one_call(name: str) -> None:
    """What a member runs in a round (protocol 4): one query_many over its shares of
    every colleague's contribution to a real question gives each contribution's own
    query element for element, and decide_many each decision: the honest pass, and
    contributions with y_0 raised by 2 (witness and noise bits kept) fail."""
    kind = kinds.BY_NAME[name]
    rng = np.random.Generator(np.random.PCG64DXSM(sum(name.encode()) + 7))
    q = questions_of(kind, rng, 1)[0]
    flp = Flp(q.contribution())
    k, shares = 7, 3
    measurements, proofs, joints, honest = [], [], [], []
    for r in range(k):
        x, share = honest_measurement(q, rng, k + 1)
        meas = q.contribution().encode(x, share)
        honest.append(r % 3 != 1)
        if not honest[-1]:
            meas[0] = field.add(meas[:1], field.vector([2]))[0]
        joint = flp.joint_rand(b"joint %d" % r)
        proofs.append(flp.prove(meas, flp.prove_rand(b"prove %d" % r), joint))
        measurements.append(meas)
        joints.append(joint)
    query, joint_rands = flp.query_rand(b"query"), np.stack(joints)
    pieces = [split(m, shares, rng) for m in measurements]
    proof_pieces = [split(p, shares, rng) for p in proofs]
    total = np.zeros((k, flp.verifier_length), dtype=np.uint64)
    for s in range(shares):
        meas_rows = np.stack([piece[s] for piece in pieces])
        proof_rows = np.stack([piece[s] for piece in proof_pieces])
        many = flp.query_many(meas_rows, proof_rows, query, joint_rands, shares)
        for r in range(k):
            one = flp.query(meas_rows[r], proof_rows[r], query, joint_rands[r], shares)
            assert np.array_equal(many[r], one), f"{name}: row {r} differs from its own query"
        total = field.add(total, many)
    decisions = [flp.decide(total[r], joint_rands[r]) for r in range(k)]
    assert flp.decide_many(total, joint_rands) == decisions == honest


def test_the_random_questions_cover_every_family_and_the_edges_of_ranges() -> None:
    rng = np.random.Generator(np.random.PCG64DXSM(1))
    families = {type(q.contribution().answer).__name__ for q in _one_of_each(rng)}
    assert families == {"Range", "OneHot", "Bits", "Spread"}
    # an end with a decimal more than the answers: the circuit's range is rounded inwards
    answer = Question(kind="average", title="t", lo="0.5", hi="10.5").contribution().answer
    assert isinstance(answer, Range) and (answer.lo, answer.hi) == (1, 10)
    with pytest.raises(SettingsError, match="No number with 0 decimal places"):
        Question(kind="average", title="t", lo="0.1", hi="0.9")


def _one_of_each(rng: Rng) -> list[Question]:
    return [questions_of(kind, rng, 1)[0] for kind in kinds.BY_NAME.values()]


# --- the forgeries, refused for the real question -----------------------------


def forged(
    contribution: Contribution, y: list[int], witness: list[int], noise_bits: list[int]
) -> field.Vec:
    """A measurement as a modified app could send it: any entries at all."""
    meas = np.concatenate((field.vector(y), field.vector(witness), field.vector(noise_bits)))
    assert meas.shape == (contribution.meas_length,)
    return meas


def refused_every_time(q: Question, meas: field.Vec) -> bool:
    flp = Flp(q.contribution())
    return not any(proven(flp, meas, seed, shares) for seed, shares in [(1, 1), (2, 3), (3, 1)])


def range_bits(value: int, lo: int, hi: int) -> list[int]:
    """The bits a cheat would send: those of ``value`` clipped into the range."""
    clipped = min(max(value, lo), hi)
    return [int(b) for b in bits.decompose([clipped - lo], hi - lo)[0]]


AVERAGE = Question(title="2026 raise", lo="0", hi="100000")


@pytest.mark.parametrize("witness_of", [100_000, 0, 54_321])
def test_an_average_of_three_times_ten_to_the_fourteen_is_refused(witness_of: int) -> None:
    """The issue: three people, one reports 3.3·10^14 on [0, 100000] (any bits it likes)."""
    c = AVERAGE.contribution()
    meas = forged(c, [330_000_000_000_000], range_bits(witness_of, 0, 100_000), [])
    assert refused_every_time(AVERAGE, meas)
    honest = forged(c, [witness_of], range_bits(witness_of, 0, 100_000), [])
    assert not refused_every_time(AVERAGE, honest)  # the same bits with the true value pass


def test_a_vote_of_a_thousand_for_one_and_minus_998_for_another_is_refused() -> None:
    vote = Question(kind="vote", title="Lunch", lo="1", hi="3", options=("Pizza", "Sushi", "Thai"))
    assert refused_every_time(vote, forged(vote.contribution(), [1000, -998, 0], [], []))
    # adding up to 1 (only the 0/1 checks catch these), or 0/1 entries (only the sum does)
    for x in ([1000, -999, 0], [1, 1, -1], [1, 1, 0], [0, 0, 0]):
        assert refused_every_time(vote, forged(vote.contribution(), x, [], []))
    assert not refused_every_time(vote, forged(vote.contribution(), [0, 1, 0], [], []))
    for noisy in ("dp_vote", "vote_outcome"):
        q = Question(kind=noisy, title="L", lo="1", hi="3", options=("A", "B", "C"), epsilon="1")
        c = q.contribution()
        assert c.noise_bound is not None
        zero_noise = [
            int(b) for b in bits.decompose([c.noise_bound] * 3, 2 * c.noise_bound).ravel()
        ]
        assert refused_every_time(q, forged(c, [1000, -998, 0], [], zero_noise))


def test_a_tick_or_a_yes_worth_more_than_one_is_refused() -> None:
    choice = Question(
        kind="choice", title="C", lo="1", hi="3", options=("A", "B", "C"), epsilon="1"
    )
    c = choice.contribution()
    assert c.noise_bound is not None
    zero_noise = bits.decompose([c.noise_bound] * 3, 2 * c.noise_bound).ravel().tolist()
    for x in ([5, 0, 0], [1, -1, 1], [1, 1, 2]):
        assert refused_every_time(choice, forged(c, x, [], zero_noise))
    assert not refused_every_time(choice, forged(c, [1, 0, 1], [], zero_noise))
    poll = Question(kind="poll", title="P", lo="0", hi="1")
    for x in ([7], [-1]):
        assert refused_every_time(poll, forged(poll.contribution(), x, [], []))


@pytest.mark.parametrize("kind", ["spread", "dp_spread"])
@pytest.mark.parametrize("short", [1, 7, 10**6])
def test_a_spread_with_a_negative_variance_is_refused(kind: str, short: int) -> None:
    """[K·u, u²] with the second entry below u²: the sums would give a variance below 0."""
    epsilon = "1" if kind == "dp_spread" else ""
    q = Question(kind=kind, title="Raise", lo="0", hi="5000", decimals=2, epsilon=epsilon)
    c = q.contribution()
    answer = c.answer
    assert isinstance(answer, Spread)
    lo, hi, factor = answer.lo, answer.hi, answer.factor
    u = hi  # the farthest value from the middle: the largest square to understate
    noise_bits: list[int] = []
    if c.noise_bound is not None:
        noise_bits = [
            int(b) for b in bits.decompose([c.noise_bound] * 2, 2 * c.noise_bound).ravel()
        ]
    meas = forged(c, [factor * u, u * u - short], range_bits(u, lo, hi), noise_bits)
    assert refused_every_time(q, meas)
    honest = forged(c, [factor * u, u * u], range_bits(u, lo, hi), noise_bits)
    assert not refused_every_time(q, honest)


@pytest.mark.parametrize("kind", ["dp_average", "histogram", "dp_vote", "choice", "dp_spread"])
def test_noise_beyond_its_bound_is_refused(kind: str) -> None:
    """Noise one past +B on the largest answer there is: with the noise bits saying +B the
    rest is no valid answer, and bits that say B + 1 are no bits. A valid contribution
    (+B exactly) with the same witness passes."""
    rng = np.random.Generator(np.random.PCG64DXSM(11))
    q = questions_of(kinds.BY_NAME[kind], rng, 1)[0]
    c = q.contribution()
    bound = c.noise_bound
    assert bound is not None
    largest = _largest_answer(q)
    n = len(largest)
    witness = [int(w) for w in c.encode(largest)[n : n + c.answer.witness_length]]
    at_bound = bits.decompose([2 * bound] * n, 2 * bound)  # every bit 1: e = −B + 2B
    y = [v + bound for v in largest]
    top = largest.index(max(largest))
    y[top] += 1
    assert refused_every_time(q, forged(c, y, witness, at_bound.ravel().tolist()))
    beyond = at_bound.copy()
    beyond[top, 0] += 1  # the weight-1 "bit" is 2: e = B + 1, the answer part valid
    assert refused_every_time(q, forged(c, y, witness, beyond.ravel().tolist()))
    y[top] -= 1  # exactly +B on every entry: a valid (if unlikely) contribution
    assert not refused_every_time(q, forged(c, y, witness, at_bound.ravel().tolist()))


def _largest_answer(q: Question) -> list[int]:
    """The answer whose first entry is the largest a valid answer's can be."""
    kind = kinds.BY_NAME[q.kind]
    form = kind.about.answer
    if form is AnswerForm.NUMBER:
        _, hi = kinds.scaled_range(q)
        return kind.encode_text(q, _number_text(hi, q.decimals), lambda: True)
    if form is AnswerForm.SOME_OPTIONS:
        every = ", ".join(str(i + 1) for i in range(len(q.options)))
        return kind.encode_text(q, every, lambda: True)
    return kind.encode_text(q, "1", lambda: True)


# --- every accepted question can be proven, and its totals never wrap -----------------


def _widest_accepted(make: Callable[[int], Question]) -> int:
    """The largest hi (a whole number) for which ``make(hi)`` is accepted."""
    low, high = 1, 10**19
    while low + 1 < high:
        mid = (low + high) // 2
        try:
            make(mid)
            low = mid
        except SettingsError:
            high = mid
    return low


@pytest.mark.parametrize("epsilon", ["", "0.1", "1", "10"])
def test_the_widest_accepted_average_is_provable_and_its_worst_total_fits(epsilon: str) -> None:
    kind = "dp_average" if epsilon else "average"
    hi = _widest_accepted(
        lambda h: Question(kind=kind, title="t", lo="0", hi=str(h), epsilon=epsilon)
    )
    q = Question(kind=kind, title="t", lo="0", hi=str(hi), epsilon=epsilon)
    bound = q.contribution().noise_bound or 0
    wider = noise.noise_bound(Decimal(epsilon), hi + 1) if epsilon else 0
    assert MAX_PARTICIPANTS * (hi + bound) <= field.HALF < MAX_PARTICIPANTS * (hi + 1 + wider)
    assert hi <= bits.MAX_WIDTH
    meas = q.contribution().encode([hi], [bound] if bound else [])
    assert proven(Flp(q.contribution()), meas, seed=5)
    worst = field.total(np.stack([q.contribution().output(meas)] * MAX_PARTICIPANTS), axis=0)
    assert field.to_signed(worst).tolist() == [MAX_PARTICIPANTS * (hi + bound)]


def test_a_noisy_average_wide_enough_for_its_values_but_not_their_noise_is_refused() -> None:
    """200·hi fits the field but 200·(hi + B) does not: the exact bound, no probability.
    (The old check gave noise 64 scales of room in all and took this question.)"""
    hi = field.HALF // MAX_PARTICIPANTS // 20
    Question(kind="average", title="t", lo="0", hi=str(hi))
    with pytest.raises(SettingsError, match="too wide for this many people"):
        Question(kind="dp_average", title="t", lo="0", hi=str(hi), epsilon="1")
    bound = noise.noise_bound(Decimal(1), hi)
    assert MAX_PARTICIPANTS * hi <= field.HALF < MAX_PARTICIPANTS * (hi + bound)
    assert MAX_PARTICIPANTS * hi * 2 < 2**63  # what the old check asked of it


@pytest.mark.parametrize("kind", ["spread", "dp_spread"])
def test_the_widest_accepted_spread_is_provable_and_its_worst_totals_fit(kind: str) -> None:
    epsilon = "1" if kind == "dp_spread" else ""
    hi = _widest_accepted(
        lambda h: Question(kind=kind, title="t", lo="0", hi=str(h), epsilon=epsilon)
    )
    q = Question(kind=kind, title="t", lo="0", hi=str(hi), epsilon=epsilon)
    c = q.contribution()
    answer = c.answer
    assert isinstance(answer, Spread)
    factor, top = answer.factor, answer.hi
    bound = c.noise_bound or 0
    assert MAX_PARTICIPANTS * (max(factor * top, top * top) + bound) <= field.HALF
    noise_share = [bound, bound] if bound else []
    assert proven(Flp(c), c.encode([factor * top, top * top], noise_share), seed=6)


def test_the_noise_bound_of_each_kind_at_epsilon_one() -> None:
    """B at ε = 1 for typical questions (the figures the report and PROOFS.md quote)."""
    typical = {
        "dp_average": Question(kind="dp_average", title="t", hi="100000", decimals=2, epsilon="1"),
        "histogram": Question(
            kind="histogram", title="t", hi="100", bins=("0", "50", "100"), epsilon="1"
        ),
        "choice": Question(
            kind="choice", title="t", lo="1", hi="5", options=tuple("ABCDE"), epsilon="1"
        ),
        "dp_spread": Question(kind="dp_spread", title="t", hi="100000", epsilon="1"),
    }
    bounds = {name: q.contribution().noise_bound for name, q in typical.items()}
    assert bounds == {
        "dp_average": 284_190_344,
        "histogram": 56,
        "choice": 142,
        "dp_spread": 142_095_172_014,
    }
    for q in typical.values():
        delta, b = q.sensitivity, q.contribution().noise_bound
        assert b is not None
        assert 2 * math.exp(-(b + 1) / delta) <= 2**-40 < 2 * math.exp(-b / delta)
