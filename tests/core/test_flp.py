"""The range proofs of issue 15: honest contributions always pass, every forgery fails.

Verification here is always the real thing: the measurement and the proof are
split into additive shares (any number of them), each share is queried on its
own, and `decide` judges the sum of the verifier messages.
"""

from __future__ import annotations

import dataclasses
import itertools
import random
from collections.abc import Callable

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from huddle.core import field, proofs
from huddle.core.field import P, Vec
from huddle.core.flp import (
    PROOFS,
    Bit,
    Bits,
    Constraints,
    Contribution,
    Flp,
    Mul,
    OneHot,
    Range,
    Spread,
    bits,
    lane,
)


def split(vector: Vec, n: int, rng: np.random.Generator) -> list[Vec]:
    """n uniformly random vectors that add up to ``vector``."""
    parts = [rng.integers(0, P, len(vector), dtype=np.uint64) for _ in range(n - 1)]
    last = vector.copy()
    for part in parts:
        last = field.sub(last, part)
    return [*parts, last]


def verify(flp: Flp, meas: Vec, proof: Vec, joint: Vec, query: Vec, n: int, seed: int) -> bool:
    """Query n shares of (meas, proof) separately and decide on the sum."""
    rng = np.random.default_rng(seed)
    messages = [
        flp.query(m, p, query, joint, n)
        for m, p in zip(split(meas, n, rng), split(proof, n, rng), strict=True)
    ]
    total = messages[0]
    for message in messages[1:]:
        total = field.add(total, message)
    return flp.decide(total, joint)


def randomness(flp: Flp, seed: int) -> tuple[Vec, Vec, Vec]:
    tag = seed.to_bytes(8, "big", signed=True)
    return flp.prove_rand(b"p" + tag), flp.joint_rand(b"j" + tag), flp.query_rand(b"q" + tag)


def passes(
    flp: Flp,
    meas: Vec,
    *,
    n: int = 3,
    seed: int = 0,
    tamper: Callable[[Vec], Vec] | None = None,
    checked: Vec | None = None,
) -> bool:
    """Prove ``meas`` honestly, optionally alter the proof or check another
    measurement with it, and verify with n shares."""
    prove_rand, joint, query = randomness(flp, seed)
    proof = flp.prove(meas, prove_rand, joint)
    if tamper is not None:
        proof = tamper(proof)
    return verify(flp, meas if checked is None else checked, proof, joint, query, n, seed)


# --- honest contributions -----------------------------------------------------


def random_noise(rng: random.Random, length: int, bound: int | None) -> list[int]:
    if bound is None:
        return []
    edge = [-bound, bound, 0]
    return [rng.choice([*edge, rng.randint(-bound, bound)]) for _ in range(length)]


def random_case(rng: random.Random) -> tuple[Contribution, list[int], list[int]]:
    """A random kind, size, answer and noise share, edges included."""
    bound = rng.choice([None, 1, 2, 7, 100, 2**20])
    family = rng.randrange(4)
    if family == 0:
        lo = rng.choice([0, -50, 1, -(2**40), rng.randint(-(10**6), 10**6)])
        hi = lo + rng.choice([1, 2, 3, 255, 256, 100000, 2**40, rng.randint(1, 10**9)])
        x = [rng.choice([lo, hi, rng.randint(lo, hi)])]
        answer: Range | OneHot | Bits | Spread = Range(lo, hi)
    elif family == 1:
        length = rng.choice([1, 2, 3, 5, 64, 200])
        x = [0] * length
        x[rng.randrange(length)] = 1
        answer = OneHot(length)
    elif family == 2:
        length = rng.choice([1, 2, 5, 33])
        x = [rng.randint(0, 1) for _ in range(length)]
        answer = Bits(length)
    else:
        lo = rng.randint(-5000, 0)
        hi = rng.randint(lo + 1, 5000)
        factor = rng.choice([1, 2, 250, 9999])
        u = rng.choice([lo, hi, rng.randint(lo, hi)])
        x = [factor * u, u * u]
        answer = Spread(lo, hi, factor)
    contribution = Contribution(answer, bound)
    return contribution, x, random_noise(rng, len(x), bound)


def test_two_thousand_honest_contributions_all_pass() -> None:
    """Random kinds, sizes, answers, noise and share counts (2 … 12): never refused."""
    rng = random.Random(15)
    flps: dict[tuple[object, ...], Flp] = {}
    for case in range(2000):
        contribution, x, noise = random_case(rng)
        key = (type(contribution.answer), vars(contribution.answer).items().__repr__(),
               contribution.noise_bound)  # fmt: skip
        flp = flps.setdefault(key, Flp(contribution))
        meas = contribution.encode(x, noise)
        n = rng.choice([2, 3, 3, 4, 8, 12]) if case % 10 == 0 else 2
        assert passes(flp, meas, n=n, seed=case), (case, type(contribution.answer))


@given(
    st.integers(-(10**9), 10**9),
    st.integers(0, 10**9),
    st.data(),
    st.integers(2, 12),
)
def test_any_value_in_any_range_passes(lo: int, width: int, data: st.DataObject, n: int) -> None:
    hi = lo + max(width, 1)
    value = data.draw(st.integers(lo, hi))
    contribution = Contribution(Range(lo, hi))
    assert passes(Flp(contribution), contribution.encode([value]), n=n, seed=abs(lo))


@given(st.integers(1, 60), st.data(), st.integers(2, 12), st.integers(1, 2**20))
def test_any_one_hot_vector_with_noise_passes(
    length: int, data: st.DataObject, n: int, bound: int
) -> None:
    x = [0] * length
    x[data.draw(st.integers(0, length - 1))] = 1
    noise = data.draw(st.lists(st.integers(-bound, bound), min_size=length, max_size=length))
    contribution = Contribution(OneHot(length), bound)
    assert passes(Flp(contribution), contribution.encode(x, noise), n=n, seed=length)


@pytest.mark.parametrize("n", [1, 2, 3, 8, 12, 50])
def test_any_number_of_shares_works(n: int) -> None:
    """One share (the prover checking itself) or many: constants split by num_shares."""
    contribution = Contribution(Spread(-20, 30, 7), noise_bound=9)
    meas = contribution.encode([7 * -20, 400], [9, -9])
    assert passes(Flp(contribution), meas, n=n)


def test_the_huddle_sharing_model() -> None:
    """Member i's y is its public masked value minus masks each colleague knows; its
    witness and proof travel as a public part minus pairwise PRG shares."""
    n = 8
    contribution = Contribution(OneHot(10), noise_bound=50)
    flp = Flp(contribution)
    y_length = contribution.output_length
    meas = contribution.encode([0] * 9 + [1], list(range(-45, 50, 10)))
    prove_rand, joint, query = randomness(flp, 8)
    proof = flp.prove(meas, prove_rand, joint)
    colleagues = range(1, n)
    masks = {j: field.sample(b"pair %d" % j, len(meas), b"mask") for j in colleagues}
    proof_masks = {j: field.sample(b"pair %d" % j, len(proof), b"proof") for j in colleagues}
    public_meas, public_proof = meas.copy(), proof.copy()
    for j in colleagues:  # what i publishes: everything plus the masks, minus the PRG parts
        public_meas[:y_length] = field.add(public_meas[:y_length], masks[j][:y_length])
        public_meas[y_length:] = field.sub(public_meas[y_length:], masks[j][y_length:])
        public_proof = field.sub(public_proof, proof_masks[j])
    messages = [flp.query(public_meas, public_proof, query, joint, n)]  # anyone can compute it
    for j in colleagues:  # colleague j's shares: −m_ij of y, r_ij of the rest
        share = masks[j].copy()
        share[:y_length] = field.neg(masks[j][:y_length])
        messages.append(flp.query(share, proof_masks[j], query, joint, n))
    total = messages[0]
    for message in messages[1:]:
        total = field.add(total, message)
    assert flp.decide(total, joint)
    # and the output shares add up to y = x + e, the quantity that enters the sum
    outputs = [contribution.output(public_meas)] + [
        field.neg(masks[j][:y_length]) for j in colleagues
    ]
    y = outputs[0]
    for part in outputs[1:]:
        y = field.add(y, part)
    assert field.to_signed(y).tolist() == [
        v + e for v, e in zip([0] * 9 + [1], range(-45, 50, 10), strict=True)
    ]


def test_query_is_linear_in_the_shares() -> None:
    contribution = Contribution(Range(-7, 1000), noise_bound=3)
    flp = Flp(contribution)
    meas = contribution.encode([12], [-3])
    prove_rand, joint, query = randomness(flp, 1)
    proof = flp.prove(meas, prove_rand, joint)
    whole = flp.query(meas, proof, query, joint, 1)
    rng = np.random.default_rng(1)
    parts = [
        flp.query(m, p, query, joint, 5)
        for m, p in zip(split(meas, 5, rng), split(proof, 5, rng), strict=True)
    ]
    total = parts[0]
    for part in parts[1:]:
        total = field.add(total, part)
    assert np.array_equal(total, whole)


def test_the_wire_seeds_hide_the_measurement_at_t() -> None:
    """Two proofs of the same measurement show different wires at t, both accepted."""
    contribution = Contribution(OneHot(5))
    flp = Flp(contribution)
    meas = contribution.encode([0, 0, 1, 0, 0])
    _, joint, query = randomness(flp, 2)
    a = flp.query(meas, flp.prove(meas, flp.prove_rand(b"a"), joint), query, joint, 1)
    b = flp.query(meas, flp.prove(meas, flp.prove_rand(b"b"), joint), query, joint, 1)
    assert flp.decide(a, joint) and flp.decide(b, joint)
    assert a[0] == b[0] == 0  # v is zero for both
    assert not np.array_equal(a[1:-1], b[1:-1])


# --- forgeries ----------------------------------------------------------------

SEEDS = range(12)


def refused(flp: Flp, meas: Vec, **kwargs: object) -> bool:
    """Refused under every one of several randomness seeds and share counts."""
    return not any(
        passes(flp, meas, seed=s, n=2 + s % 4, **kwargs)  # type: ignore[arg-type]
        for s in SEEDS
    )


def range_meas(lo: int, hi: int, y: int, witness_of: int) -> Vec:
    """y with the honest bits of another value (the only bits that exist)."""
    return field.vector([y, *bits.decompose([witness_of - lo], hi - lo)[0].tolist()])


@pytest.mark.parametrize("y", [100001, -1, 3 * 10**14, -(10**12)])
def test_a_number_outside_the_range_is_refused(y: int) -> None:
    """The first attack of issue 15: an average over [0, 100000] fed 3.3e14."""
    flp = Flp(Contribution(Range(0, 100000)))
    for witness_of in (0, 100000, 5):
        assert refused(flp, range_meas(0, 100000, y, witness_of))
    # bits that are not bits: the whole excess in the lowest one
    assert refused(flp, field.vector([y, y, *[0] * 16]))


def test_every_bit_pattern_of_a_small_range_proves_only_its_own_value() -> None:
    """For [3, 10] (width 7), each witness passes with exactly the y it sums to."""
    contribution = Contribution(Range(3, 10))
    flp = Flp(contribution)
    width = 7
    weights = bits.weights(width)
    for pattern in itertools.product([0, 1], repeat=len(weights)):
        value = 3 + sum(w * b for w, b in zip(weights, pattern, strict=True))
        for y in (value - 1, value, value + 1):
            meas = field.vector([y, *pattern])
            assert passes(flp, meas, seed=y) == (y == value) and 3 <= value <= 10


def test_a_proof_for_a_different_input_is_refused() -> None:
    contribution = Contribution(Range(0, 1000))
    flp = Flp(contribution)
    for shown, used in [(5, 6), (0, 1000), (999, 998)]:
        assert refused(flp, contribution.encode([shown]), checked=contribution.encode([used]))


@pytest.mark.parametrize(
    "x",
    [
        [1000, -998, 0],  # issue 15's vote: a thousand votes, 998 taken from another option
        [1, 1, 0],
        [0, 0, 0],
        [2, 0, 0],
        [2, -1, 0],
        [1, 1, -1],
        [P - 1, 2, 0],
    ],
)
def test_a_vector_that_is_not_one_hot_is_refused(x: list[int]) -> None:
    flp = Flp(Contribution(OneHot(3)))
    assert refused(flp, field.vector(x))


@pytest.mark.parametrize("x", [[2, 0, 1], [0, -1, 0], [1, 1, 3]])
def test_an_entry_that_is_not_0_or_1_is_refused(x: list[int]) -> None:
    flp = Flp(Contribution(Bits(3)))
    assert refused(flp, field.vector(x))


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (7 * 3, 10),  # second entry ≠ u² (too big)
        (7 * 3, 8),  # (too small)
        (7 * 3, -9),  # negative: the variance of issue 15 came out negative
        (7 * 3 + 1, 9),  # first entry not K·u
        (7 * 3, 0),
    ],
)
def test_a_spread_pair_that_is_not_k_u_and_u_squared_is_refused(first: int, second: int) -> None:
    contribution = Contribution(Spread(-10, 10, 7))
    flp = Flp(contribution)
    witness = bits.decompose([3 + 10], 20)[0].tolist()
    assert refused(flp, field.vector([first, second, *witness]))


def test_a_spread_value_outside_its_range_is_refused() -> None:
    contribution = Contribution(Spread(-10, 10, 7))
    flp = Flp(contribution)
    for u, witness_of in [(11, 10), (-11, -10), (100, 10)]:
        witness = bits.decompose([witness_of + 10], 20)[0].tolist()
        assert refused(flp, field.vector([7 * u, u * u, *witness]))


def noisy_meas(contribution: Contribution, x: list[int], noise: list[int]) -> Vec:
    """x plus noise, with each noise entry's bits clipped to what exists."""
    bound = contribution.noise_bound
    assert bound is not None
    witness = contribution.answer.witness(x)
    clipped = np.clip(noise, -bound, bound) + bound
    noise_bits = bits.decompose(clipped, 2 * bound).ravel().tolist()
    y = [v + e for v, e in zip(x, noise, strict=True)]
    return field.vector([*y, *witness, *noise_bits])


@pytest.mark.parametrize("noise", [[0, 0, 101], [-101, 0, 0], [0, 10**9, 0], [1000, -998, 0]])
def test_noise_beyond_its_bound_is_refused(noise: list[int]) -> None:
    contribution = Contribution(OneHot(3), noise_bound=100)
    flp = Flp(contribution)
    assert passes(flp, noisy_meas(contribution, [0, 1, 0], [100, -100, 0]))
    assert refused(flp, noisy_meas(contribution, [0, 1, 0], noise))


def test_noise_cannot_hide_an_invalid_answer() -> None:
    """y = (1000, −998, 0) is no valid answer plus noise within ±100, whatever the
    prover claims the answer and the noise were."""
    contribution = Contribution(OneHot(3), noise_bound=100)
    flp = Flp(contribution)
    y = [1000, -998, 0]
    for claimed in ([1, 0, 0], [0, 1, 0], [1000, -998, 0]):
        noise = [a - b for a, b in zip(y, claimed, strict=True)]
        clipped = np.clip(noise, -100, 100) + 100
        noise_bits = bits.decompose(clipped, 200).ravel().tolist()
        assert refused(flp, field.vector([*y, *noise_bits]))


def test_a_noise_share_with_bits_that_are_not_bits_is_refused() -> None:
    contribution = Contribution(Bits(1), noise_bound=2)  # e + 2 in 0 … 4: weights 1, 2, 1
    flp = Flp(contribution)
    assert passes(flp, field.vector([1 + 2, 1, 1, 1]))  # x = 1, e = 2
    assert refused(flp, field.vector([1 + 5, 7, 0, 0]))  # e = 5 through a "bit" of 7
    assert refused(flp, field.vector([1 - 3, P - 1, 0, 0]))  # e = −3 through a bit of −1


def test_a_forged_or_altered_proof_is_refused() -> None:
    contribution = Contribution(OneHot(50), noise_bound=7)
    flp = Flp(contribution)
    x = [0] * 50
    x[17] = 1
    meas = contribution.encode(x, [(-1) ** i * (i % 8) for i in range(50)])
    assert passes(flp, meas)
    rng = np.random.default_rng(5)
    assert refused(flp, meas, tamper=lambda proof: rng.integers(0, P, len(proof), dtype=np.uint64))
    assert refused(flp, meas, tamper=lambda proof: field.zeros(len(proof)))
    for position in range(0, flp.proof_length, 7):

        def nudge(proof: Vec, position: int = position) -> Vec:
            changed = proof.copy()
            changed[position] = (int(changed[position]) + 1) % P
            return changed

        assert not passes(flp, meas, tamper=nudge, seed=position)


def test_a_proof_crafted_to_satisfy_every_output_is_caught_at_t() -> None:
    """The strongest cheat on [2, −1, 0] (it adds up to 1): a gadget polynomial that
    gives every call exactly its due, so v = 0. It is no longer G(f), so g(t) ≠ G(f(t))."""
    contribution = Contribution(OneHot(3))
    flp = Flp(contribution, proofs=1)
    (layout,) = flp.lanes
    meas = field.vector([2, P - 1, 0])
    for seed in SEEDS:
        prove_rand, joint, query = randomness(flp, seed)
        proof = flp.prove(meas, prove_rand, joint)
        z = np.zeros(layout.chunk * layout.calls, dtype=np.uint64)
        z[:3] = meas
        grid = z.reshape(layout.calls, layout.chunk)
        outputs = field.total(field.mul(field.mul(grid, field.sub(grid, field.vector([1]))), joint))
        correction = field.zeros(layout.size)
        correction[1 : layout.calls + 1] = field.neg(outputs)  # due is 0 for bit checks
        gadget = proof[layout.seeds :]
        gadget[: layout.size] = field.add(gadget[: layout.size], field.interpolate(correction))
        whole = flp.query(meas, proof, query, joint, 1)
        assert whole[0] == 0  # every output now looks right …
        assert not verify(flp, meas, proof, joint, query, 3, seed)  # … but t catches it


def test_an_altered_verifier_message_is_refused() -> None:
    contribution = Contribution(Range(0, 10))
    flp = Flp(contribution)
    meas = contribution.encode([4])
    prove_rand, joint, query = randomness(flp, 0)
    message = flp.query(meas, flp.prove(meas, prove_rand, joint), query, joint, 1)
    assert flp.decide(message, joint)
    for position in range(flp.verifier_length):
        changed = message.copy()
        changed[position] = (int(changed[position]) + 1) % P
        assert not flp.decide(changed, joint)
    assert not flp.decide(message[:-1], joint)
    assert not flp.decide(message, joint[:-1])
    other_joint = flp.joint_rand(b"other")
    assert not flp.decide(message, other_joint)


# --- the pieces ---------------------------------------------------------------


@pytest.mark.parametrize("width", range(0, 300))
def test_bit_weights_reach_exactly_the_range(width: int) -> None:
    weights = bits.weights(width)
    sums = {sum(c) for k in range(len(weights) + 1) for c in itertools.combinations(weights, k)}
    assert sums == set(range(width + 1))
    assert len(weights) == width.bit_length()


@given(st.integers(0, bits.MAX_WIDTH), st.data())
def test_decompose_and_recompose_round_trip(width: int, data: st.DataObject) -> None:
    values = data.draw(st.lists(st.integers(0, width), min_size=1, max_size=5))
    decomposed = bits.decompose(values, width)
    assert set(decomposed.ravel().tolist()) <= {0, 1}
    recomposed = bits.recompose(field.from_signed(decomposed), width)
    assert field.to_ints(recomposed) == values


@pytest.mark.parametrize(
    "width", [0, 1, 2, 112, 2**31, 2**32 - 1, 2**32, 2**32 + 1, 2**40, bits.MAX_WIDTH]
)
def test_recompose_of_any_shares_is_the_weighted_sum_in_the_field(width: int) -> None:
    """Shares of bits are any elements, the largest halves included: on both sides of the
    width where the sum of 32-bit halves stops fitting below p, and for any
    leading axes, recompose is Σ weight·element mod p, row by row."""
    weights = bits.weights(width)
    numbers = np.random.default_rng(width % 1000)
    for shape in [(1,), (5,), (3, 4)]:
        elements = numbers.integers(0, P, (*shape, len(weights)), dtype=np.uint64)
        elements[(0,) * len(shape)] = P - 1  # the largest high half
        elements[(-1,) * len(shape)] = P - 2**32 - 1  # the largest low half
        rows = elements.reshape(int(np.prod(shape)), len(weights)).tolist()
        want = [sum(w * b for w, b in zip(weights, row, strict=True)) % P for row in rows]
        got = bits.recompose(elements, width)
        assert got.shape == shape and got.dtype == np.uint64
        assert field.to_ints(got.ravel()) == want


def test_decompose_refuses_values_outside_the_range() -> None:
    for values, width in (([-1], 5), ([6], 5), ([1], 0)):
        with pytest.raises(ValueError, match="outside the range"):
            bits.decompose(values, width)
    with pytest.raises(ValueError, match="too wide"):
        bits.weights(bits.MAX_WIDTH + 1)


@pytest.mark.parametrize(
    ("contribution", "x", "noise"),
    [
        (Contribution(Range(0, 10)), [11], []),
        (Contribution(Range(0, 10)), [-1], []),
        (Contribution(OneHot(3)), [1, 1, 0], []),
        (Contribution(OneHot(3)), [0, 1], []),
        (Contribution(Bits(2)), [2, 0], []),
        (Contribution(Spread(-5, 5, 3)), [4, 1], []),  # 4 is no multiple of K = 3
        (Contribution(Spread(-5, 5, 3)), [3, 2], []),
        (Contribution(Spread(-5, 5, 3)), [18, 36], []),  # u = 6 > 5
        (Contribution(Bits(2), noise_bound=3), [1, 0], [4, 0]),
        (Contribution(Bits(2), noise_bound=3), [1, 0], [1]),
        (Contribution(Bits(2)), [1, 0], [1, 0]),
    ],
)
def test_an_honest_app_cannot_encode_an_invalid_contribution(
    contribution: Contribution, x: list[int], noise: list[int]
) -> None:
    with pytest.raises(ValueError):
        contribution.encode(x, noise)


def test_settings_that_cannot_be_proven_are_refused() -> None:
    for make in (
        lambda: Range(5, 4),
        lambda: Range(0, 2**63),
        lambda: OneHot(0),
        lambda: Bits(0),
        lambda: Spread(-(2**40), 2**40, 1),
        lambda: Spread(0, 5, 0),
    ):
        with pytest.raises(ValueError):
            make()
    with pytest.raises(ValueError):
        Contribution(Bits(1), noise_bound=0)
    with pytest.raises(ValueError):
        Flp(Contribution(Bits(1)), proofs=0)


@pytest.mark.parametrize("checks", [1, 2, 3, 10, 100, 1000, 9000, 100_000])
def test_proofs_and_verifier_messages_grow_as_the_square_root(checks: int) -> None:
    for gadget in (Bit, Mul):
        layout = lane(gadget, checks)
        assert layout.chunk * layout.calls >= checks and layout.calls < layout.size
        assert layout.size & (layout.size - 1) == 0
        bound = 8 * (checks**0.5) + 8
        assert layout.proof_length <= 2 * bound and layout.verifier_length <= bound


def test_weighing_messages_shortens_them() -> None:
    """A heavier message weight trades a longer proof for a shorter message; both
    layouts prove and verify."""
    contribution = Contribution(OneHot(1000), noise_bound=56)
    light, heavy = Flp(contribution), Flp(contribution, message_weight=8)
    assert heavy.verifier_length < light.verifier_length
    assert heavy.proof_length > light.proof_length
    x = [0] * 1000
    x[3] = 1
    meas = contribution.encode(x, [(-1) ** i * (i % 57) for i in range(1000)])
    assert passes(heavy, meas) and passes(light, meas)
    with pytest.raises(ValueError):
        lane(Bit, 10, message_weight=0)


def test_lengths_add_up() -> None:
    contribution = Contribution(Spread(-100, 100, 50), noise_bound=1000)
    flp = Flp(contribution)
    meas = contribution.encode([50 * 10, 100], [5, -5])
    prove_rand, joint, query = randomness(flp, 0)
    assert len(meas) == flp.meas_length
    assert len(prove_rand) == flp.prove_rand_length
    assert len(joint) == flp.joint_rand_length
    assert len(query) == flp.query_rand_length
    proof = flp.prove(meas, prove_rand, joint)
    assert len(proof) == flp.proof_length
    assert len(flp.query(meas, proof, query, joint, 1)) == flp.verifier_length
    assert [la.gadget for la in flp.lanes] == [Bit, Mul]


def test_wrong_lengths_are_refused() -> None:
    contribution = Contribution(Range(0, 10))
    flp = Flp(contribution)
    meas = contribution.encode([3])
    prove_rand, joint, query = randomness(flp, 0)
    proof = flp.prove(meas, prove_rand, joint)
    with pytest.raises(ValueError, match="wrong length"):
        flp.prove(meas[:-1], prove_rand, joint)
    with pytest.raises(ValueError, match="wrong length"):
        flp.prove(meas, prove_rand[:-1], joint)
    with pytest.raises(ValueError, match="wrong length"):
        flp.query(meas, proof[:-1], query, joint, 1)
    with pytest.raises(ValueError, match="wrong length"):
        flp.query(meas, proof, query, joint[:-1], 1)


def test_a_point_t_on_the_roots_of_unity_is_refused() -> None:
    """f_j at a root would be a wire value itself: query refuses rather than leak it."""
    contribution = Contribution(Range(0, 10))
    flp = Flp(contribution, proofs=1)
    meas = contribution.encode([3])
    prove_rand, joint, query = randomness(flp, 0)
    proof = flp.prove(meas, prove_rand, joint)
    query[-1] = 1
    with pytest.raises(ValueError, match="query randomness"):
        flp.query(meas, proof, query, joint, 1)


def test_randomness_is_deterministic_in_its_seed_and_separated() -> None:
    flp = Flp(Contribution(OneHot(20), noise_bound=5))
    assert np.array_equal(flp.joint_rand(b"s"), flp.joint_rand(b"s"))
    assert np.array_equal(flp.query_rand(b"s"), flp.query_rand(b"s"))
    assert not np.array_equal(flp.joint_rand(b"s"), flp.joint_rand(b"t"))
    assert not np.array_equal(flp.joint_rand(b"s")[:5], flp.prove_rand(b"s")[:5])
    points = flp.query_rand(b"s").reshape(flp.proofs, -1)[:, -1]
    size = flp.lanes[0].size
    assert all(pow(int(t), size, P) != 1 for t in points)


def test_soundness_error() -> None:
    """Per proof about 2P/p; PROOFS proofs multiply; offline retries of the joint
    randomness cost at most q/p^PROOFS more."""
    flp = Flp(Contribution(OneHot(1000), noise_bound=100))
    size = flp.lanes[0].size
    one = Flp(Contribution(OneHot(1000), noise_bound=100), proofs=1).soundness_error()
    assert one == pytest.approx((2 + 2 * (size - 1)) / P, rel=1e-6)
    assert PROOFS == 2
    assert flp.soundness_error() == pytest.approx(one**2, rel=1e-6)
    assert flp.soundness_error() < 2**-100
    assert flp.soundness_error(2**40) < 2**-78
    assert flp.soundness_error(2**64) > flp.soundness_error(2**40)


def test_a_range_with_noise_allows_exactly_lo_minus_bound_to_hi_plus_bound() -> None:
    """y = x + e with x in [0, 100] and |e| ≤ 10: 115 has no valid split, 110 has one,
    and a split claiming x outside the range is refused even when y is fine."""
    contribution = Contribution(Range(0, 100), noise_bound=10)
    flp = Flp(contribution)
    assert passes(flp, contribution.encode([100], [10]))
    assert passes(flp, contribution.encode([0], [-10]))

    def split_as(y: int, x: int) -> Vec:
        x_bits = bits.decompose([min(max(x, 0), 100)], 100)[0].tolist()
        e_bits = bits.decompose([min(max(y - x + 10, 0), 20)], 20)[0].tolist()
        return field.vector([y, *x_bits, *e_bits])

    for y in (111, 115, -11, 10**6):
        for x in (0, 50, 100):
            assert refused(flp, split_as(y, x))
    assert refused(flp, split_as(105, 105))  # x = 105 claimed with e = 0


# --- many contributions at once ---------------------------------------------------

FAMILIES: dict[str, tuple[Range | OneHot | Bits | Spread, list[int]]] = {
    "range": (Range(-50, 10**6), [123_456]),
    "one-hot": (OneHot(40), [0] * 39 + [1]),
    "bits": (Bits(6), [1, 0, 0, 1, 1, 0]),
    "spread": (Spread(-300, 700, 9), [9 * -17, 17 * 17]),
}


def contributions_of(
    flp: Flp, x: list[int], k: int, rng: random.Random
) -> tuple[list[Vec], list[Vec], Vec, list[bool]]:
    """k measurements of ``x`` with fresh noise, about half made invalid (2 added to
    y_0, or a witness bit set to 2), each proven with its own joint randomness."""
    contribution = flp.circuit
    measurements, proven, joints, valid = [], [], [], []
    for r in range(k):
        noise = random_noise(rng, len(x), contribution.noise_bound)
        meas = contribution.encode(x, noise)
        honest = r == 0 or rng.random() < 0.5  # k = 1: one valid; k = 7: some of each
        if not honest:
            if contribution.meas_length > len(x) and rng.random() < 0.5:
                meas[rng.randrange(len(x), contribution.meas_length)] = 2
            else:
                meas[0] = field.add(meas[:1], field.vector([2]))[0]
        joint = flp.joint_rand(b"joint %d" % r)
        proven.append(flp.prove(meas, flp.prove_rand(b"prove %d" % r), joint))
        measurements.append(meas)
        joints.append(joint)
        valid.append(honest)
    return measurements, proven, np.stack(joints), valid


@pytest.mark.parametrize("k", [1, 7])
@pytest.mark.parametrize("bound", [None, 100])
@pytest.mark.parametrize("family", list(FAMILIES))
def test_query_many_and_decide_many_equal_the_single_calls(
    family: str, bound: int | None, k: int
) -> None:
    """k contributions queried share by share in one call give each single call's
    message element for element, and decide_many each single decision: honest
    ones pass and invalid ones fail."""
    answer, x = FAMILIES[family]
    flp = Flp(Contribution(answer, bound))
    rng = random.Random(f"{family} {bound} {k}")
    measurements, proven, joints, valid = contributions_of(flp, x, k, rng)
    query = flp.query_rand(b"query")
    n = 4
    numbers = np.random.default_rng(k)
    meas_shares = [split(m, n, numbers) for m in measurements]
    proof_shares = [split(p, n, numbers) for p in proven]
    totals = np.zeros((k, flp.verifier_length), dtype=np.uint64)
    for s in range(n):
        meas = np.stack([shares[s] for shares in meas_shares])
        proof = np.stack([shares[s] for shares in proof_shares])
        many = flp.query_many(meas, proof, query, joints, n)
        single = [flp.query(meas[r], proof[r], query, joints[r], n) for r in range(k)]
        assert many.shape == (k, flp.verifier_length)
        assert np.array_equal(many, np.stack(single))
        totals = field.add(totals, many)
    decisions = [flp.decide(totals[r], joints[r]) for r in range(k)]
    assert flp.decide_many(totals, joints) == decisions == valid
    whole = flp.query_many(np.stack(measurements), np.stack(proven), query, joints, 1)
    assert np.array_equal(whole, totals)  # the shares' messages add up to the whole's


CIRCUITS: dict[str, Range | OneHot | Bits | Spread] = {
    **{name: answer for name, (answer, _) in FAMILIES.items()},
    "one-value range": Range(5, 5),  # no answer bits: only the noise's
    "one-entry one-hot": OneHot(1),
    "narrow spread": Spread(-1, 1, 1),
}


@pytest.mark.parametrize("k", [1, 7])
@pytest.mark.parametrize("bound", [None, 1, 100, 2**40])
@pytest.mark.parametrize("circuit", list(CIRCUITS))
def test_constraints_of_stacked_rows_equal_each_rows_own(
    circuit: str, bound: int | None, k: int
) -> None:
    """The circuit of k measurements stacked as rows gives, field by field, the
    single calls' checks stacked: for any entries at all (shares, forgeries),
    whole ones (num_shares = 1) and shares; the single call keeps its vectors."""
    answer = CIRCUITS[circuit]
    if bound is None and answer.bit_checks + answer.mul_checks == 0:
        return  # nothing to prove: refused (test_settings_that_cannot_be_proven_are_refused)
    contribution = Contribution(answer, bound)
    numbers = np.random.default_rng(k)
    rows = numbers.integers(0, P, (k, contribution.meas_length), dtype=np.uint64)
    small = numbers.integers(-3, 3, contribution.output_length)
    rows[0, : contribution.output_length] = field.from_signed(small)
    rows[-1, contribution.output_length :] = numbers.integers(0, 2)  # bits, at least one row
    for num_shares in (1, 4, 29):
        many = contribution.constraints(rows, num_shares)
        single = [contribution.constraints(row, num_shares) for row in rows]
        for name in (f.name for f in dataclasses.fields(Constraints)):
            stacked = np.stack([getattr(one, name) for one in single])
            assert getattr(many, name).dtype == stacked.dtype == np.uint64
            assert np.array_equal(getattr(many, name), stacked), name
            assert all(getattr(one, name).ndim == 1 for one in single)
    with pytest.raises(ValueError, match="wrong length"):
        contribution.constraints(rows[None], 1)
    with pytest.raises(ValueError, match="wrong length"):
        contribution.constraints(rows[:, :-1], 1)


def test_decide_many_judges_each_row_on_its_own() -> None:
    """An altered message or a swapped joint randomness fails only its own row."""
    answer, x = FAMILIES["range"]
    flp = Flp(Contribution(answer, 7))
    measurements, proven, joints, _ = contributions_of(flp, x, 1, random.Random(3))
    rows = [flp.query(measurements[0], proven[0], flp.query_rand(b"q"), joints[0], 1)] * 4
    verifiers = np.stack(rows)
    verifiers[1, 0] = 1  # v ≠ 0
    verifiers[2, -1] = field.add(verifiers[2, -1:], field.vector([1]))[0]  # g(t) altered
    others = np.stack([joints[0], joints[0], joints[0], flp.joint_rand(b"other")])
    assert flp.decide_many(verifiers, others) == [True, False, False, False]


def test_many_at_once_refuses_wrong_shapes() -> None:
    answer, x = FAMILIES["spread"]
    flp = Flp(Contribution(answer))
    measurements, proven, joints, _ = contributions_of(flp, x, 1, random.Random(4))
    meas, proof, query = np.stack(measurements * 2), np.stack(proven * 2), flp.query_rand(b"q")
    two = np.concatenate((joints, joints))
    assert flp.query_many(meas, proof, query, two, 2).shape == (2, flp.verifier_length)
    with pytest.raises(ValueError, match="wrong length"):
        flp.query_many(meas, proof, query, joints, 2)  # one joint randomness for two
    with pytest.raises(ValueError, match="wrong length"):
        flp.query_many(meas[:, :-1], proof, query, two, 2)
    with pytest.raises(ValueError, match="wrong length"):
        flp.query_many(meas, proof[:1], query, two, 2)
    with pytest.raises(ValueError, match="wrong length"):
        flp.query_many(meas[0], proof[0], query, joints[0], 2)  # a single contribution
    empty = flp.query_many(meas[:0], proof[:0], query, two[:0], 2)
    assert empty.shape == (0, flp.verifier_length)
    verifiers = flp.query_many(meas, proof, query, two, 1)
    assert flp.decide_many(verifiers, two) == [True, True]
    assert flp.decide_many(verifiers[:, :-1], two) == [False, False]
    assert flp.decide_many(verifiers, two[:, :-1]) == [False, False]
    assert flp.decide_many(verifiers[:0], two[:0]) == []
    with pytest.raises(ValueError, match="one joint randomness"):
        flp.decide_many(verifiers, joints)
    query[-1] = 1  # a point on the roots of unity
    with pytest.raises(ValueError, match="query randomness"):
        flp.query_many(meas, proof, query, two, 2)


def test_a_rounds_wrappers_check_many_contributions_like_one() -> None:
    """proofs.query_many / decide_many (what a member runs over its colleagues)
    give proofs.query / decide's messages and verdicts, contribution by contribution."""
    answer, x = FAMILIES["one-hot"]
    flp = Flp(Contribution(answer, 100))
    s = proofs.Shape(flp, len(x), flp.meas_length - len(x), flp.proof_length, flp.verifier_length)
    k, n = 5, 3
    measurements, proven, joints, valid = contributions_of(flp, x, k, random.Random(5))
    query = flp.query_rand(b"query")
    numbers = np.random.default_rng(5)
    meas_shares = [split(m, n, numbers) for m in measurements]
    proof_shares = [split(p, n, numbers) for p in proven]
    messages = np.zeros((k, n, flp.verifier_length), dtype=np.uint64)
    for c in range(n):  # checker c's messages for every contribution
        meas = np.stack([shares[c] for shares in meas_shares])
        proof = np.stack([shares[c] for shares in proof_shares])
        messages[:, c] = proofs.query_many(
            s, meas, proof, query_rand=query, joint_rands=joints, shares=n
        )
        for r in range(k):
            one = proofs.query(
                s, meas[r], proof[r], query_rand=query, joint_rand=joints[r], shares=n
            )
            assert np.array_equal(messages[r, c], one)
    decisions = [proofs.decide(s, list(messages[r]), joints[r]) for r in range(k)]
    assert proofs.decide_many(s, messages, joints) == decisions == valid
    assert not all(valid) and any(valid)
    with pytest.raises(ValueError, match="messages for each contribution"):
        proofs.decide_many(s, messages[0], joints)
