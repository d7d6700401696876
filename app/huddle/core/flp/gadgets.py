"""The two gadgets of the validity circuits, each in ParallelSum form.

A gadget call takes ``chunk`` positions of inputs and returns one number:

- `Mul`: Σ_j ρ_j·a_j·c_j (two wires per position: a product of two values),
- `Bit`: Σ_j ρ_j·z_j·(z_j − 1) (one wire per position: zero for 0/1 values).

ρ_j are per-position weights from the joint randomness, so one call checks
``chunk`` constraints at once: if any of them fails, the weighted sum
vanishes only with probability 1/p. `Bit` is the draft's Range2 polynomial
x² − x in ParallelSum form; it needs half the wires of Mul(z, z − 1), which
halves the proof's wire seeds, the verifier message and the prover's
transforms. Both have degree 2.

Inputs are arrays of shape (..., arity·chunk, points): the arity wires one
after another, each ``chunk`` rows; weights have shape (..., chunk).

The prover evaluates a gadget on wires that differ between its independent
proofs only by each wire's seed: wire = common + seed·λ, λ the Lagrange
polynomial of the point 1. `Gadget.split` gives the result as
constant + λ·linear + λ²·quadratic, each a weighted sum over the chunk: one
field matrix product per term for all proofs, instead of the gadget on every
proof's wires.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import ClassVar

import numpy as np

from huddle.core import field

Vec = field.Vec
DEGREE = 2


class Gadget(ABC):
    """A degree-2 polynomial applied position by position and summed with weights."""

    arity: ClassVar[int]
    name: ClassVar[str]

    @classmethod
    @abstractmethod
    def apply(cls, wires: Vec, weights: Vec) -> Vec:
        """The gadget at each point: (..., arity·chunk, points) → (..., points)."""

    @classmethod
    @abstractmethod
    def split(cls, common: Vec, seeds: Vec, weights: Vec) -> tuple[Vec, Vec, Vec]:
        """The gadget at common + seeds ⊗ λ as (constant, linear, quadratic) in λ.

        common: (arity·chunk, points); seeds: (proofs, arity·chunk); weights:
        (proofs, chunk). Returns (proofs, points), (proofs, points), (proofs, 1).
        """


class Mul(Gadget):
    arity = 2
    name = "Mul"

    @classmethod
    def apply(cls, wires: Vec, weights: Vec) -> Vec:
        chunk = weights.shape[-1]
        products = field.mul(wires[..., :chunk, :], wires[..., chunk:, :])
        return field.total(field.mul(products, weights[..., None]), axis=-2)

    @classmethod
    def split(cls, common: Vec, seeds: Vec, weights: Vec) -> tuple[Vec, Vec, Vec]:
        # Σ ρ(a + s_a·λ)(b + s_b·λ) = Σ ρab + λ·Σ ρ(s_a·b + s_b·a) + λ²·Σ ρ·s_a·s_b
        chunk = weights.shape[-1]
        a, b = common[:chunk], common[chunk:]
        seed_a, seed_b = seeds[:, :chunk], seeds[:, chunk:]
        constant = field.matmul(weights, field.mul(a, b))
        linear = field.add(
            field.matmul(field.mul(weights, seed_a), b),
            field.matmul(field.mul(weights, seed_b), a),
        )
        quadratic = field.total(field.mul(weights, field.mul(seed_a, seed_b)))
        return constant, linear, quadratic[:, None]


class Bit(Gadget):
    arity = 1
    name = "Bit"

    @classmethod
    def apply(cls, wires: Vec, weights: Vec) -> Vec:
        minus_one = field.sub(wires, field.vector([1]))
        return field.total(field.mul(field.mul(wires, minus_one), weights[..., None]), axis=-2)

    @classmethod
    def split(cls, common: Vec, seeds: Vec, weights: Vec) -> tuple[Vec, Vec, Vec]:
        # Σ ρ(z + sλ)(z + sλ − 1) = Σ ρz(z − 1) + λ·Σ ρs(2z − 1) + λ²·Σ ρs²,
        # all from one product of [ρ; ρs] with [z² | z].
        proofs, size = weights.shape[0], common.shape[-1]
        scaled = field.mul(weights, seeds)
        sums = field.matmul(
            np.concatenate((weights, scaled)),
            np.concatenate((field.mul(common, common), common), axis=1),
        )
        squares, plain = sums[:, :size], sums[:, size:]
        constant = field.sub(squares[:proofs], plain[:proofs])
        linear = field.sub(field.add(plain[proofs:], plain[proofs:]), field.total(scaled)[:, None])
        quadratic = field.total(field.mul(scaled, seeds))
        return constant, linear, quadratic[:, None]
