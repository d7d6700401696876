"""The prime field Field64 (p = 2^64 − 2^32 + 1), vectorised with numpy.

Proofs of valid contributions (`huddle.core.flp`) need a field rather than
the ring Z_2^64: polynomials, their roots and inverses. Field64 is the field of
draft-irtf-cfrg-vdaf ("Field64", also known as the Goldilocks prime): it fits
in one uint64, and its multiplicative group has a subgroup of order 2^32, so
the number-theoretic transform (NTT) works on every power-of-two size up to
2^32.

Elements are numpy ``uint64`` arrays of canonical residues (0 ≤ e < p).
numpy has no 128-bit integers, so `mul` splits both factors into 32-bit limbs,
forms the 128-bit product in two words and folds the top half back with
2^64 ≡ 2^32 − 1 and 2^96 ≡ −1 (mod p). Every step is plain uint64 arithmetic
that wraps modulo 2^64, and each carry or borrow is recovered by a comparison;
the tests check every function against Python's exact integers.

Vector functions take arrays of at least one dimension (numpy warns about
wrap-around in 0-d scalars, never in arrays); single elements are Python
``int`` and have their own helpers (`inv`, `root_of_unity`, ...).

Rules of this file: pure functions; randomness only from a seed the caller
passes (`sample`); no error text ever contains an element.
"""

from __future__ import annotations

import functools
import hashlib
import math
import struct
from collections.abc import Callable, Iterable, Sequence

import numpy as np
import numpy.typing as npt

Vec = npt.NDArray[np.uint64]

P = 2**64 - 2**32 + 1
"""The modulus, 18446744069414584321."""
HALF = (P - 1) // 2
"""Signed encoding covers −HALF … HALF."""
ELEMENT_BYTES = 8
GEN_ORDER = 2**32
ROOT = pow(7, (P - 1) // GEN_ORDER, P)
"""A primitive 2^32-th root of unity: 7 generates the multiplicative group, as
in draft-irtf-cfrg-vdaf's Field64 (1753635133440165772)."""

_U64 = np.uint64
_LOW = _U64(0xFFFFFFFF)
_SHIFT = _U64(32)
_EPS = _U64(2**32 - 1)  # 2^64 mod p
_P = _U64(P)
_TWO32 = _U64(2**32)
_TINY = 32  # up to this many elements Python's integers do the arithmetic
_BLOCK = 4096  # elements per block of `_blockwise` (32 KiB per temporary)
_MATMUL_DEPTH = 2**19  # 16-bit limb products summed this often stay below 2^53
_SMALL_MATMUL = 2**13  # below this many multiply-adds, field products and a sum
_SINGLE_THREAD_GEMM = 4 * 65536  # OpenBLAS's default GEMM threading threshold
_SMALL_NTT = 8  # up to this size the transform is one field matrix product
_FEW_ROWS = 4  # transforms of this many rows or fewer are one limb matrix product …
_MATRIX_NTT = 256  # … up to this size (the matrix's limbs are cached: 2 MiB at 256)
_HORNER = 512  # up to this degree a Python loop beats a few vector products


def vector(values: Iterable[int]) -> Vec:
    """Python integers (of any sign and size) as field elements."""
    return np.array([v % P for v in values], dtype=np.uint64)


def zeros(length: int) -> Vec:
    return np.zeros(length, dtype=np.uint64)


def to_ints(values: Vec) -> list[int]:
    return [int(v) for v in np.asarray(values, dtype=np.uint64).ravel()]


# --- signed encoding ----------------------------------------------------------


def encode_signed(value: int) -> int:
    """An integer in −HALF … HALF as an element (negatives wrap to p − |v|)."""
    if not -HALF <= value <= HALF:
        raise ValueError("That number is too large for the field.")
    return value % P


def decode_signed(element: int) -> int:
    """An element back to the integer in −HALF … HALF it stands for."""
    return element if element <= HALF else element - P


def from_signed(values: npt.ArrayLike) -> Vec:
    """int64 values (each within ±HALF) as elements."""
    signed = np.asarray(values, dtype=np.int64)
    if signed.size and (signed.max() > HALF or signed.min() < -HALF):
        raise ValueError("That number is too large for the field.")
    raw = signed.view(np.uint64)
    return np.where(signed < 0, raw + _P, raw)  # v + 2^64 + p wraps to v + p


def to_signed(values: Vec) -> npt.NDArray[np.int64]:
    """Elements back to the int64 values in −HALF … HALF they stand for."""
    raw = np.asarray(values, dtype=np.uint64)
    return np.where(raw > _U64(HALF), raw - _P, raw).view(np.int64)


# --- arithmetic ---------------------------------------------------------------


def _blockwise(op: Callable[[Vec, Vec], Vec], a: Vec, b: Vec) -> Vec:
    """``op`` over blocks of `_BLOCK` elements when the result is larger.

    An elementwise product takes some thirty numpy passes; on arrays that no
    longer fit in the processor's cache each pass goes to memory, and large
    temporaries are fresh pages each time. Blocks keep every temporary small
    and warm: measured here, 3.4 times faster at 18,000 elements.
    """
    if a.size <= _BLOCK and b.size <= _BLOCK and (a.shape == b.shape or b.size == 1):
        return op(a, b)  # the common small case, without working out the broadcast
    shape = np.broadcast_shapes(a.shape, b.shape)
    size = math.prod(shape)
    if size <= _BLOCK:
        return op(a, b)
    flat_a, flat_b = (np.broadcast_to(v, shape).reshape(-1) for v in (a, b))
    out = np.empty(size, dtype=np.uint64)
    for start in range(0, size, _BLOCK):
        block = slice(start, start + _BLOCK)
        out[block] = op(flat_a[block], flat_b[block])
    return out.reshape(shape)


def _tiny(a: Vec, b: Vec) -> tuple[list[int], list[int], tuple[int, ...]] | None:
    """Both operands as Python lists when they are a few elements (same shape, or
    one a single element): there Python's integers beat thirty numpy calls
    (measured 2 µs against 14 µs for 8 elements)."""
    if a.size > _TINY or b.size > _TINY:
        return None
    if a.shape == b.shape:
        return a.ravel().tolist(), b.ravel().tolist(), a.shape
    if b.size == 1 and b.ndim <= a.ndim:
        return a.ravel().tolist(), b.ravel().tolist() * a.size, a.shape
    if a.size == 1 and a.ndim <= b.ndim:
        return a.ravel().tolist() * b.size, b.ravel().tolist(), b.shape
    return None


def _from_list(values: list[int], shape: tuple[int, ...]) -> Vec:
    return np.array(values, dtype=np.uint64).reshape(shape)


def add(a: Vec, b: Vec) -> Vec:
    if (tiny := _tiny(a, b)) is not None:
        xs, ys, shape = tiny
        return _from_list([(x + y) % P for x, y in zip(xs, ys, strict=True)], shape)
    return _blockwise(_add, a, b)


def sub(a: Vec, b: Vec) -> Vec:
    if (tiny := _tiny(a, b)) is not None:
        xs, ys, shape = tiny
        return _from_list([(x - y) % P for x, y in zip(xs, ys, strict=True)], shape)
    return _blockwise(_sub, a, b)


def mul(a: Vec, b: Vec) -> Vec:
    """a·b mod p, elementwise (with numpy broadcasting)."""
    if (tiny := _tiny(a, b)) is not None:
        xs, ys, shape = tiny
        return _from_list([x * y % P for x, y in zip(xs, ys, strict=True)], shape)
    return _blockwise(_mul, a, b)


def neg(a: Vec) -> Vec:
    result: Vec = np.where(a == 0, a, _P - a)
    return result


def _add(a: Vec, b: Vec) -> Vec:
    s = a + b  # wraps when a + b ≥ 2^64; subtracting p (wrapping) then adds 2^64 − p
    result: Vec = np.where((s < a) | (s >= _P), s - _P, s)
    return result


def _sub(a: Vec, b: Vec) -> Vec:
    d = a - b  # wraps when a < b; adding p (wrapping) then gives a − b + p
    result: Vec = np.where(a < b, d + _P, d)
    return result


def _mul(a: Vec, b: Vec) -> Vec:
    a0, a1 = a & _LOW, a >> _SHIFT
    b0, b1 = b & _LOW, b >> _SHIFT
    lo = a0 * b0  # each product of two 32-bit limbs fits in 64 bits
    middle = a0 * b1
    cross = a1 * b0
    hi = a1 * b1
    middle += cross
    hi += (middle < cross) * _TWO32  # the middle sum's carry is worth 2^96
    hi += middle >> _SHIFT
    middle <<= _SHIFT
    lo += middle
    hi += lo < middle  # the low word's carry
    return _reduce128(hi, lo)


def _reduce128(hi: Vec, lo: Vec) -> Vec:
    """hi·2^64 + lo mod p, for any 128-bit value; overwrites both.

    With hi = h1·2^32 + h0: h1·2^96 ≡ −h1 and h0·2^64 ≡ h0·(2^32 − 1).
    """
    h1 = hi >> _SHIFT
    hi &= _LOW
    borrow = lo < h1
    lo -= h1
    lo -= borrow * _EPS  # a borrowed 2^64 ≡ 2^32 − 1: take it back
    fold = hi << _SHIFT
    fold -= hi  # h0·(2^32 − 1) < 2^64
    lo += fold
    lo += (lo < fold) * _EPS  # a carried 2^64 ≡ 2^32 − 1: add it back
    lo -= (lo >= _P) * _P
    return lo


def power(a: Vec, exponent: int) -> Vec:
    """a^exponent elementwise, by squaring (exponent ≥ 0)."""
    result = np.ones_like(a)
    base = a.copy()
    while exponent:
        if exponent & 1:
            result = mul(result, base)
        exponent >>= 1
        if exponent:
            base = mul(base, base)
    return result


def total(a: Vec, axis: int = -1) -> Vec:
    """The field sum along ``axis``.

    Sums the 32-bit halves separately (no overflow for fewer than 2^32
    terms), then recombines them: hi·2^32 + lo.
    """
    if 0 < a.size <= _TINY * 4:
        rows = np.moveaxis(a, axis, -1)
        sums = [sum(row) % P for row in rows.reshape(-1, rows.shape[-1]).tolist()]
        return _from_list(sums, rows.shape[:-1] or (1,))
    lo = np.atleast_1d(np.sum(a & _LOW, axis=axis, dtype=np.uint64))
    hi = np.atleast_1d(np.sum(a >> _SHIFT, axis=axis, dtype=np.uint64))
    # hi·2^32 = hh·2^64 + hl·2^32 with hi = hh·2^32 + hl: a 128-bit value to reduce
    shifted = _reduce128(hi >> _SHIFT, (hi & _LOW) << _SHIFT)
    lo -= (lo >= _P) * _P
    return add(shifted, lo)


def matmul(a: Vec, b: Vec) -> Vec:
    """The matrix product a @ b in the field, (m × k) @ (k × n), through float64 BLAS.

    Splits every element into four 16-bit limbs, so each limb product is below
    2^32 and a sum of up to 2^19 of them stays below 2^53, where float64 is
    exact; one BLAS product of the stacked limbs gives all sixteen limb
    products at once. The seven sums by limb weight 2^(16s) are recombined in
    the field. A weighted sum over a chunk of rows is one such product instead
    of a field product and a sum per weight.
    """
    (m, k), (k2, n) = a.shape, b.shape
    if k != k2 or k > _MATMUL_DEPTH:
        raise ValueError("These matrices cannot be multiplied here.")
    if m * k * n <= _SMALL_MATMUL:  # splitting into limbs costs more than it saves
        return total(mul(a[:, :, None], b[None, :, :]), axis=1)
    return _limb_product(a, _limbs(b).reshape(k, 4 * n))


def _limb_product(a: Vec, right: npt.NDArray[np.float64]) -> Vec:
    """a @ b from a and the limbs of b, column 4c + j holding limb j of column c."""
    (m, k), n = a.shape, right.shape[1] // 4
    left = _limbs(a).transpose(0, 2, 1).reshape(4 * m, k)  # row 4r + i: limb i of row r
    # OpenBLAS hands a product of more than 4·65536 multiply-adds to a second
    # thread; with the other core busy (Qt, the network, another process) the
    # wait costs more than the product: measured 3.8 ms instead of 0.9 here.
    step = 4 * max(1, _SINGLE_THREAD_GEMM // (16 * m * k))
    limbs = np.concatenate(
        [left @ right[:, start : start + step] for start in range(0, 4 * n, step)], axis=1
    ).reshape(m, 4, n, 4)
    by_weight = np.zeros((7, m, n))
    for i in range(4):  # limb i of a times limb j of b weighs 2^(16(i + j))
        by_weight[i : i + 4] += limbs[:, i].transpose(2, 0, 1)
    exact = by_weight.astype(np.uint64)  # integers below 2^53: exact, and below p
    return total(mul(exact, _LIMB_WEIGHTS), axis=0)


_LIMB_WEIGHTS = np.array([pow(2, 16 * w, P) for w in range(7)], dtype=np.uint64)[:, None, None]
_LIMB_WEIGHTS.setflags(write=False)


def _limbs(values: Vec) -> npt.NDArray[np.float64]:
    """The four 16-bit limbs of each element, lowest first, as a new last axis."""
    little = np.ascontiguousarray(values, dtype="<u8")
    return little.view(np.uint16).reshape(*values.shape, 4).astype(np.float64)


def dot(a: Vec, b: Vec) -> int:
    """Σ a_i·b_i in the field, as an int."""
    return int(total(mul(a, b))[0])


# --- single elements ----------------------------------------------------------


def inv(x: int) -> int:
    """The inverse of a nonzero element."""
    if x % P == 0:
        raise ZeroDivisionError("Zero has no inverse in the field.")
    return pow(x, P - 2, P)


def batch_inverse(values: Sequence[int]) -> list[int]:
    """The inverses of nonzero elements with one exponentiation (Montgomery's trick)."""
    prefix = [1]
    for v in values:
        prefix.append(prefix[-1] * v % P)
    running = inv(prefix[-1])
    result = [0] * len(values)
    for i in range(len(values) - 1, -1, -1):
        result[i] = running * prefix[i] % P
        running = running * values[i] % P
    return result


def root_of_unity(n: int) -> int:
    """A primitive n-th root of unity, for n a power of two up to 2^32."""
    if n < 1 or n & (n - 1) or n > GEN_ORDER:
        raise ValueError("The transform size must be a power of two up to 2^32.")
    return pow(ROOT, GEN_ORDER // n, P)


def powers(x: int, count: int) -> Vec:
    """[1, x, x^2, …, x^(count−1)], built by doubling (log count vector steps)."""
    result = np.array([1], dtype=np.uint64)
    step = x % P
    while len(result) < count:
        result = np.concatenate((result, mul(result, np.array([step], dtype=np.uint64))))
        step = step * step % P
    return result[:count]


# --- polynomials and the NTT --------------------------------------------------


@functools.cache
def _bit_reverse(n: int) -> npt.NDArray[np.intp]:
    bits = n.bit_length() - 1
    return np.array([int(f"{i:0{bits}b}"[::-1], 2) if bits else 0 for i in range(n)], np.intp)


@functools.cache
def _twiddles(n: int, inverse: bool) -> tuple[Vec, ...]:
    """For each butterfly stage of half-size h: ω_{2h}^j for j < h (ω^−1 if inverse)."""
    stages = []
    h = 1
    while h < n:
        w = root_of_unity(2 * h)
        if inverse:
            w = inv(w)
        stage = powers(w, h)
        stage.setflags(write=False)
        stages.append(stage)
        h *= 2
    return tuple(stages)


@functools.cache
def _dft_matrix(n: int, inverse: bool, normalize: bool = True) -> Vec:
    """M[k, j] = ω^(jk) (ω^−(jk), divided by n if normalized, if inverse), read-only."""
    w = root_of_unity(n)
    if inverse:
        w = inv(w)
    scale = inv(n) if inverse and normalize else 1
    exponents = np.outer(np.arange(n), np.arange(n)) % n  # ω^(jk) = ω^(jk mod n)
    matrix: Vec = mul(powers(w, n), vector([scale]))[exponents]
    matrix.setflags(write=False)
    return matrix


@functools.cache
def _dft_limbs(n: int, inverse: bool, normalize: bool) -> npt.NDArray[np.float64]:
    """The transform matrix's limbs for `_limb_product` (it is symmetric), read-only."""
    limbs = _limbs(_dft_matrix(n, inverse, normalize)).reshape(n, 4 * n)
    limbs.setflags(write=False)
    return limbs


def ntt(a: Vec, *, inverse: bool = False, normalize: bool = True) -> Vec:
    """The NTT along the last axis: a_k ↦ Σ_j a_j·ω^(jk), ω a primitive n-th root.

    With ``inverse`` it undoes itself (ω^−1 and a factor 1/n), so it maps the
    values of a polynomial of degree < n at 1, ω, …, ω^(n−1) back to its
    coefficients; ``normalize=False`` leaves out the 1/n for a caller that
    folds it into a later product. n must be a power of two; any leading axes
    are batched.
    """
    a = np.asarray(a, dtype=np.uint64)
    n = a.shape[-1]
    if n <= _SMALL_NTT:  # one matrix product beats log n butterfly passes
        return total(mul(a[..., None, :], _dft_matrix(n, inverse, normalize)))
    root_of_unity(n)  # checks the size
    if a.size <= _FEW_ROWS * n and n <= _MATRIX_NTT:  # per-pass overhead would dominate
        product = _limb_product(a.reshape(-1, n), _dft_limbs(n, inverse, normalize))
        return product.reshape(a.shape)
    rows = a.reshape(-1, n)[:, _bit_reverse(n)]  # a copy, transformed in place
    group = max(1, 2 * _BLOCK // n)  # rows whose half fills one block
    for start in range(0, len(rows), group):
        _butterflies(rows[start : start + group], _twiddles(n, inverse))
    if inverse and normalize:
        rows = mul(rows, np.array([inv(n)], dtype=np.uint64))
    return rows.reshape(a.shape)


def _butterflies(x: Vec, twiddles: tuple[Vec, ...]) -> None:
    """The radix-2 passes over rows in bit-reversed order, in place (x is contiguous)."""
    count, n = x.shape
    h = 1
    for twiddle in twiddles:
        blocks = x.reshape(count, n // (2 * h), 2, h)
        top = blocks[:, :, 0, :]
        bottom = _mul(blocks[:, :, 1, :], twiddle)
        blocks[:, :, 1, :] = _sub(top, bottom)
        blocks[:, :, 0, :] = _add(top, bottom)
        h *= 2


def interpolate(values: Vec) -> Vec:
    """The coefficients of the polynomial of degree < n taking ``values`` at the n-th roots."""
    return ntt(values, inverse=True)


def evaluate(coefficients: Vec, x: int) -> int:
    """A polynomial (coefficients, lowest degree first) at one point."""
    if coefficients.shape[-1] <= _HORNER:
        result = 0
        for c in reversed(coefficients.tolist()):
            result = (result * x + c) % P
        return result
    return dot(coefficients, powers(x, coefficients.shape[-1]))


def lagrange_weights(n: int, t: int) -> Vec:
    """w with f(t) = Σ_k w_k·f(ω^k) for every polynomial f of degree < n.

    w_k = ω^k·(t^n − 1) / (n·(t − ω^k)), the Lagrange basis over the n-th roots
    of unity evaluated at t (the unit vector when t is itself a root).
    """
    roots = _roots(n)
    t %= P
    t_n = pow(t, n, P)
    if t_n == 1:
        return vector(int(root == t) for root in roots)
    inverses = np.array(batch_inverse([(t - root) % P for root in roots]), dtype=np.uint64)
    scale = np.array([(t_n - 1) * inv(n) % P], dtype=np.uint64)
    return mul(mul(_root_vector(n), inverses), scale)


@functools.cache
def _roots(n: int) -> tuple[int, ...]:
    omega = root_of_unity(n)
    roots = [1] * n
    for k in range(1, n):
        roots[k] = roots[k - 1] * omega % P
    return tuple(roots)


@functools.cache
def _root_vector(n: int) -> Vec:
    roots = np.array(_roots(n), dtype=np.uint64)
    roots.setflags(write=False)
    return roots


# --- bytes and sampling -------------------------------------------------------


def to_bytes(values: Vec) -> bytes:
    """Eight bytes per element, little-endian (as draft-irtf-cfrg-vdaf encodes vectors)."""
    return np.asarray(values, dtype="<u8").tobytes()


def from_bytes(data: bytes) -> Vec:
    """The inverse of `to_bytes`; refuses anything that is not a canonical element."""
    if len(data) % ELEMENT_BYTES:
        raise ValueError("Field data must be a whole number of 8-byte elements.")
    values = np.frombuffer(data, dtype="<u8").astype(np.uint64)
    if values.size and values.max() >= _P:
        raise ValueError("Field data holds a number outside the field.")
    return values


def _label(*parts: bytes) -> bytes:
    return b"".join(struct.pack(">I", len(part)) + part for part in parts)


def sample(seed: bytes, length: int, label: bytes = b"") -> Vec:
    """``length`` elements, uniform and independent if ``seed`` is, deterministic in it.

    SHAKE128 over (label, seed), read as 8-byte little-endian words; words
    ≥ p are skipped (rejection sampling, so no bias; a word is skipped with
    probability about 2^−32). ``label`` separates the uses of one seed.
    """
    xof = hashlib.shake_128(_label(b"huddle field64", label, seed))
    wanted = length + 4
    while True:
        kept = accept_below_p(np.frombuffer(xof.digest(ELEMENT_BYTES * wanted), dtype="<u8"))
        if len(kept) >= length:
            return kept[:length].astype(np.uint64)
        wanted *= 2  # a longer digest extends the same stream: still deterministic


def accept_below_p(words: npt.NDArray[np.uint64]) -> Vec:
    """The words that are field elements, in order (the rejection step of `sample`)."""
    kept: Vec = words[words < _P]
    return kept
