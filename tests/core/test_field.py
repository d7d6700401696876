"""Field64 against Python's exact integers: known answers, edge values, properties."""

import random

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from huddle.core import field
from huddle.core.field import P

EDGES = [0, 1, 2, 3, P - 1, P - 2, P // 2, P // 2 + 1, 2**31, 2**32 - 1, 2**32, 2**32 + 1,
         2**33, 2**63 - 1, 2**63, 2**64 - 2**32, P - 2**32, P - 2**32 + 1, 0xFFFFFFFF00000000,
         0x00000000FFFFFFFF, 0xFFFFFFFE00000001, 0x8000000080000000]  # fmt: skip
elements = st.one_of(st.sampled_from(EDGES), st.integers(0, P - 1))
vectors = st.lists(elements, min_size=1, max_size=40)


def test_known_answers() -> None:
    """The modulus and the 2^32-th root of unity of draft-irtf-cfrg-vdaf's Field64."""
    assert P == 18446744069414584321
    assert field.ROOT == 1753635133440165772 == pow(7, 2**32 - 1, P)
    assert pow(field.ROOT, 2**32, P) == 1
    assert pow(field.ROOT, 2**31, P) == P - 1  # so its order is exactly 2^32
    assert field.to_ints(field.mul(field.vector([2**32]), field.vector([2**32]))) == [2**32 - 1]
    assert field.to_ints(field.mul(field.vector([2**48]), field.vector([2**48]))) == [P - 1]


def test_every_pair_of_edge_values_multiplies_adds_and_subtracts_exactly() -> None:
    """The carries and borrows of the limb arithmetic sit at these values."""
    a = field.vector([x for x in EDGES for _ in EDGES])
    b = field.vector([y for _ in EDGES for y in EDGES])
    pairs = [(x, y) for x in EDGES for y in EDGES]
    assert field.to_ints(field.mul(a, b)) == [x * y % P for x, y in pairs]
    assert field.to_ints(field.add(a, b)) == [(x + y) % P for x, y in pairs]
    assert field.to_ints(field.sub(a, b)) == [(x - y) % P for x, y in pairs]
    assert field.to_ints(field.neg(a)) == [-x % P for x, _ in pairs]


def test_a_hundred_thousand_random_products_match_python_integers() -> None:
    rng = random.Random(64)
    xs = [rng.randrange(P) for _ in range(100_000)]
    ys = [rng.randrange(P) for _ in range(100_000)]
    got = field.to_ints(field.mul(field.vector(xs), field.vector(ys)))
    assert got == [x * y % P for x, y in zip(xs, ys, strict=True)]


@given(vectors, vectors)
def test_arithmetic_matches_python_integers(xs: list[int], ys: list[int]) -> None:
    n = min(len(xs), len(ys))
    a, b = field.vector(xs[:n]), field.vector(ys[:n])
    pairs = list(zip(xs[:n], ys[:n], strict=True))
    assert field.to_ints(field.mul(a, b)) == [x * y % P for x, y in pairs]
    assert field.to_ints(field.add(a, b)) == [(x + y) % P for x, y in pairs]
    assert field.to_ints(field.sub(a, b)) == [(x - y) % P for x, y in pairs]
    assert field.to_ints(field.total(a)) == [sum(xs[:n]) % P]
    assert field.dot(a, b) == sum(x * y for x, y in pairs) % P


def test_results_are_canonical_and_inputs_untouched() -> None:
    a = field.vector(EDGES)
    b = field.vector(EDGES[::-1])
    before = a.copy(), b.copy()
    for result in (field.mul(a, b), field.add(a, b), field.sub(a, b), field.neg(a)):
        assert result.dtype == np.uint64 and int(result.max()) < P
    assert np.array_equal(a, before[0]) and np.array_equal(b, before[1])


def test_broadcasting_and_sums_along_an_axis() -> None:
    rng = random.Random(1)
    rows = [[rng.choice([*EDGES, rng.randrange(P)]) for _ in range(7)] for _ in range(5)]
    matrix = np.array([field.vector(row) for row in rows])
    scale = rng.randrange(P)
    scaled = field.mul(matrix, field.vector([scale]))
    assert [field.to_ints(r) for r in scaled] == [[v * scale % P for v in row] for row in rows]
    assert field.to_ints(field.total(matrix, axis=-1)) == [sum(row) % P for row in rows]
    columns = zip(*rows, strict=True)
    assert field.to_ints(field.total(matrix, axis=0)) == [sum(c) % P for c in columns]


def test_sums_of_many_large_values_do_not_overflow() -> None:
    values = field.vector([P - 1] * 100_000)
    assert field.to_ints(field.total(values)) == [100_000 * (P - 1) % P]


@given(elements.filter(bool))
def test_inverse(x: int) -> None:
    assert x * field.inv(x) % P == 1


def test_zero_has_no_inverse_and_batch_inversion_agrees() -> None:
    with pytest.raises(ZeroDivisionError):
        field.inv(0)
    values = [v for v in EDGES if v] + [12345, 2**40 + 7]
    assert field.batch_inverse(values) == [field.inv(v) for v in values]


@given(elements, st.integers(0, 200))
def test_power(x: int, e: int) -> None:
    assert field.to_ints(field.power(field.vector([x]), e)) == [pow(x, e, P)]


@pytest.mark.parametrize("n", [1, 2, 4, 8, 16, 32, 64, 128, 2**20, 2**32])
def test_roots_of_unity_have_exactly_their_order(n: int) -> None:
    w = field.root_of_unity(n)
    assert pow(w, n, P) == 1
    assert n == 1 or pow(w, n // 2, P) == P - 1


@pytest.mark.parametrize("n", [0, 3, 12, 2**33])
def test_roots_of_unity_only_for_powers_of_two_up_to_2_32(n: int) -> None:
    with pytest.raises(ValueError, match="power of two"):
        field.root_of_unity(n)


def naive_dft(values: list[int], root: int) -> list[int]:
    n = len(values)
    return [sum(v * pow(root, j * k, P) for j, v in enumerate(values)) % P for k in range(n)]


@pytest.mark.parametrize("n", [1, 2, 4, 8, 16, 32, 64])
def test_ntt_is_the_dft_and_its_inverse_undoes_it(n: int) -> None:
    rng = random.Random(n)
    values = [rng.choice([*EDGES, rng.randrange(P)]) for _ in range(n)]
    transformed = field.ntt(field.vector(values))
    assert field.to_ints(transformed) == naive_dft(values, field.root_of_unity(n))
    assert field.to_ints(field.ntt(transformed, inverse=True)) == values


def test_ntt_batches_leading_axes() -> None:
    rng = np.random.default_rng(3)
    block = rng.integers(0, P, (2, 3, 16), dtype=np.uint64)
    out = field.ntt(block)
    for i in range(2):
        for j in range(3):
            assert np.array_equal(out[i, j], field.ntt(block[i, j]))


def test_ntt_refuses_other_sizes() -> None:
    with pytest.raises(ValueError, match="power of two"):
        field.ntt(field.zeros(6))


@given(st.lists(elements, min_size=1, max_size=20), elements)
def test_evaluate_is_horner(coefficients: list[int], x: int) -> None:
    expected = 0
    for c in reversed(coefficients):
        expected = (expected * x + c) % P
    assert field.evaluate(field.vector(coefficients), x) == expected
    assert field.to_ints(field.powers(x, len(coefficients))) == [
        pow(x, k, P) for k in range(len(coefficients))
    ]


@pytest.mark.parametrize("n", [1, 2, 8, 64])
def test_interpolation_and_lagrange_weights_agree(n: int) -> None:
    """The polynomial through n values at the n-th roots, at a root and elsewhere."""
    rng = random.Random(n)
    values = field.vector([rng.randrange(P) for _ in range(n)])
    coefficients = field.interpolate(values)
    omega = field.root_of_unity(n)
    for k in range(n):
        assert field.evaluate(coefficients, pow(omega, k, P)) == int(values[k])
    for t in [rng.randrange(P) for _ in range(5)] + [pow(omega, n - 1, P), 0]:
        assert field.dot(values, field.lagrange_weights(n, t)) == field.evaluate(coefficients, t)


@given(st.integers(-field.HALF, field.HALF))
def test_signed_encoding_round_trips(value: int) -> None:
    element = field.encode_signed(value)
    assert 0 <= element < P and field.decode_signed(element) == value


@pytest.mark.parametrize("value", [field.HALF + 1, -field.HALF - 1, 2**64])
def test_signed_encoding_refuses_numbers_outside_the_field(value: int) -> None:
    with pytest.raises(ValueError, match="too large"):
        field.encode_signed(value)


def test_signed_vectors_round_trip_at_their_edges() -> None:
    values = [0, 1, -1, field.HALF, -field.HALF, 2**40, -(2**40), -998, 1000]
    encoded = field.from_signed(values)
    assert field.to_ints(encoded) == [v % P for v in values]
    assert field.to_signed(encoded).tolist() == values
    for bad in ([field.HALF + 1], [-(2**63)]):
        with pytest.raises(ValueError, match="too large"):
            field.from_signed(bad)


def test_bytes_round_trip_and_refuse_non_elements() -> None:
    values = field.vector(EDGES)
    data = field.to_bytes(values)
    assert len(data) == 8 * len(EDGES)
    assert np.array_equal(field.from_bytes(data), values)
    assert field.to_bytes(field.vector([1])) == b"\x01" + bytes(7)  # little-endian
    with pytest.raises(ValueError, match="outside the field"):
        field.from_bytes((P).to_bytes(8, "little"))
    with pytest.raises(ValueError, match="8-byte"):
        field.from_bytes(bytes(7))


def test_sampling_is_deterministic_separated_and_prefix_stable() -> None:
    seed = bytes(range(32))
    a = field.sample(seed, 1000)
    assert np.array_equal(a, field.sample(seed, 1000))
    assert np.array_equal(field.sample(seed, 10), a[:10])
    assert not np.array_equal(field.sample(seed, 1000, b"other"), a)
    assert not np.array_equal(field.sample(bytes(32), 1000), a)
    assert int(a.max()) < P


def test_sampling_looks_uniform() -> None:
    """Each of the top and bottom bits is set in about half of 20000 draws."""
    draws = field.sample(b"uniform", 20_000)
    bits = np.unpackbits(draws.view(np.uint8)).reshape(20_000, 64).mean(axis=0)
    assert np.all((bits > 0.47) & (bits < 0.53))


def test_rejection_skips_exactly_the_words_that_are_not_elements() -> None:
    words = np.array([P, 5, P - 1, 2**64 - 1, 0, P + 1], dtype=np.uint64)
    assert field.to_ints(field.accept_below_p(words)) == [5, P - 1, 0]


@pytest.mark.parametrize(
    ("m", "k", "n"), [(1, 1, 1), (3, 5, 7), (2, 71, 128), (71, 128, 2), (4, 3000, 3)]
)
def test_matrix_products_are_exact(m: int, k: int, n: int) -> None:
    """Both paths: small ones by field products, large ones through float64 limbs,
    with the largest limbs (P − 1, 2^64 − 2^32) to push every sum to its limit."""
    rng = random.Random(m * k * n)
    a = [
        [rng.choice([P - 1, 2**64 - 2**32, 0xFFFF, rng.randrange(P)]) for _ in range(k)]
        for _ in range(m)
    ]
    b = [[rng.choice([P - 1, 2**64 - 2**32, rng.randrange(P)]) for _ in range(n)] for _ in range(k)]
    got = field.matmul(
        np.array([field.vector(r) for r in a]), np.array([field.vector(r) for r in b])
    )
    columns = list(zip(*b, strict=True))
    assert [field.to_ints(r) for r in got] == [
        [sum(x * y for x, y in zip(r, c, strict=True)) % P for c in columns] for r in a
    ]


def test_matrix_products_refuse_shapes_that_do_not_fit() -> None:
    with pytest.raises(ValueError, match="cannot be multiplied"):
        field.matmul(field.zeros(6).reshape(2, 3), field.zeros(6).reshape(2, 3))


@pytest.mark.parametrize("size", [0, 1, 31, 32, 33, 128, 129, 4096, 4097, 10_000])
def test_every_path_agrees_with_python_integers(size: int) -> None:
    """Tiny vectors go through Python integers, large ones through numpy blocks."""
    rng = random.Random(size)
    xs = [rng.choice([*EDGES, rng.randrange(P)]) for _ in range(size)]
    ys = [rng.choice([*EDGES, rng.randrange(P)]) for _ in range(size)]
    a, b = field.vector(xs), field.vector(ys)
    pairs = list(zip(xs, ys, strict=True))
    assert field.to_ints(field.mul(a, b)) == [x * y % P for x, y in pairs]
    assert field.to_ints(field.add(a, b)) == [(x + y) % P for x, y in pairs]
    assert field.to_ints(field.sub(a, b)) == [(x - y) % P for x, y in pairs]
    assert field.to_ints(field.total(a)) == [sum(xs) % P]
    scale = field.vector([P - 1])
    assert field.to_ints(field.mul(a, scale)) == [x * (P - 1) % P for x in xs]
    assert field.to_ints(field.sub(scale, a)) == [(P - 1 - x) % P for x in xs]
    if size:
        grid = np.array([a, b])
        assert field.to_ints(field.total(grid, axis=0)) == [(x + y) % P for x, y in pairs]


@pytest.mark.parametrize("n", [16, 128, 256, 512])
def test_ntt_paths_agree_with_the_dft(n: int) -> None:
    """Few rows of up to 256 go through one matrix product, more rows or longer
    ones through butterflies: both are the DFT, forwards and back."""
    rng = np.random.default_rng(n)
    block = rng.integers(0, P, (9, n), dtype=np.uint64)
    block[0, :3] = [P - 1, 2**64 - 2**32, 0]
    root = field.root_of_unity(n)
    assert field.to_ints(field.ntt(block[0])) == naive_dft(field.to_ints(block[0]), root)
    for inverse in (False, True):
        many = field.ntt(block, inverse=inverse)  # butterflies
        few = np.concatenate([field.ntt(block[i : i + 3], inverse=inverse) for i in (0, 3, 6)])
        assert np.array_equal(many, few)
        raw = field.ntt(block[:2], inverse=inverse, normalize=False)
        assert np.array_equal(
            field.mul(raw, field.vector([field.inv(n) if inverse else 1])), many[:2]
        )
    assert np.array_equal(field.ntt(field.ntt(block), inverse=True), block)
