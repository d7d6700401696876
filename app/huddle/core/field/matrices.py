"""Exact matrix products over Field64 through float64 BLAS.

A weighted sum over many rows is a matrix product; done as field products it
takes a product and a sum per weight. Here every element is split into four
16-bit limbs, so each limb product is below 2^32 and a sum of up to 2^19 of
them stays below 2^53, where float64 is exact; one BLAS product of the
stacked limbs gives all sixteen limb products at once, and the seven sums by
limb weight 2^(16s) are recombined in the field.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from huddle.core.field.arithmetic import P, Vec, mul, total

_MATMUL_DEPTH = 2**19  # 16-bit limb products summed this often stay below 2^53
_SMALL_MATMUL = 2**13  # below this many multiply-adds, field products and a sum
_SINGLE_THREAD_GEMM = 4 * 65536  # OpenBLAS's default GEMM threading threshold


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
