"""The prime field Field64 (p = 2^64 − 2^32 + 1), vectorised with numpy.

Proofs of valid contributions (`huddle.core.flp`) need a field rather than
the ring Z_2^64: polynomials, their roots and inverses. Field64 is the field of
draft-irtf-cfrg-vdaf ("Field64", also known as the Goldilocks prime): it fits
in one uint64, and its multiplicative group has a subgroup of order 2^32.

- `arithmetic`: elements as numpy uint64 vectors, +, −, ·, sums, inverses,
  signed encoding, bytes, and uniform sampling from a seed;
- `matrices`: exact matrix products through float64 BLAS;
- `polynomials`: roots of unity, the NTT, evaluation and interpolation.

Everything is re-exported here: callers write ``field.mul``, ``field.ntt``.
Rules of the package: pure functions; randomness only from a seed the caller
passes (`sample`); no error text ever contains an element.
"""

from huddle.core.field.arithmetic import (
    ELEMENT_BYTES,
    HALF,
    P,
    Vec,
    accept_below_p,
    add,
    batch_inverse,
    decode_signed,
    dot,
    encode_signed,
    from_bytes,
    from_signed,
    inv,
    mul,
    neg,
    power,
    sample,
    sample_total,
    sub,
    to_bytes,
    to_ints,
    to_signed,
    total,
    vector,
    zeros,
)
from huddle.core.field.matrices import matmul
from huddle.core.field.polynomials import (
    GEN_ORDER,
    ROOT,
    evaluate,
    interpolate,
    lagrange_weights,
    ntt,
    powers,
    root_of_unity,
)

__all__ = [
    "ELEMENT_BYTES",
    "GEN_ORDER",
    "HALF",
    "ROOT",
    "P",
    "Vec",
    "accept_below_p",
    "add",
    "batch_inverse",
    "decode_signed",
    "dot",
    "encode_signed",
    "evaluate",
    "from_bytes",
    "from_signed",
    "interpolate",
    "inv",
    "lagrange_weights",
    "matmul",
    "mul",
    "neg",
    "ntt",
    "power",
    "powers",
    "root_of_unity",
    "sample",
    "sample_total",
    "sub",
    "to_bytes",
    "to_ints",
    "to_signed",
    "total",
    "vector",
    "zeros",
]
