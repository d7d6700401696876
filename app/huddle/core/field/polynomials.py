"""Roots of unity, the NTT and polynomials over Field64.

The multiplicative group of Field64 has a subgroup of order 2^32, so the
number-theoretic transform works on every power-of-two size up to 2^32. A
transform of many rows runs radix-2 butterflies over cache-sized groups of
rows; one of a few rows is a single exact matrix product (`matrices`), since
there each butterfly pass would cost more in numpy calls than in arithmetic.
"""

from __future__ import annotations

import functools

import numpy as np
import numpy.typing as npt

from huddle.core.field.arithmetic import (
    _BLOCK,
    P,
    Vec,
    _add,
    _mul,
    _sub,
    batch_inverse,
    dot,
    inv,
    mul,
    total,
    vector,
)
from huddle.core.field.matrices import _limb_product, _limbs

GEN_ORDER = 2**32
ROOT = pow(7, (P - 1) // GEN_ORDER, P)
"""A primitive 2^32-th root of unity: 7 generates the multiplicative group, as
in draft-irtf-cfrg-vdaf's Field64 (1753635133440165772)."""
_SMALL_NTT = 8  # up to this size the transform is one field matrix product
_FEW_ROWS = 4  # transforms of this many rows or fewer are one limb matrix product …
_MATRIX_NTT = 256  # … up to this size (the matrix's limbs are cached: 2 MiB at 256)
_HORNER = 512  # up to this degree a Python loop beats a few vector products


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
