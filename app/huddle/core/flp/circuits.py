"""Validity circuits: what makes a contribution valid, as constraints a proof can check.

A member's contribution y (the vector that enters the sum) is valid when
y = x + e with x a valid answer of the question's kind and e its noise share,
each entry within ±bound (or e = 0 for kinds without noise). The prover's
*measurement* is y followed by a witness: whatever else the checks need
(bits of the answer for a range, bits of e + bound for the noise):

    meas = y ‖ answer witness ‖ noise bits

Every check is a bit check z·(z − 1) = 0, a product a·c = expected or a
linear form = 0, where z, a, c, expected and the form are affine in meas.
Affine, not linear: a share of meas carries 1/num_shares of every constant,
so that the shares' checks add up to the whole one's (`_constant`). The
proof system (`flp.proof`) turns bit checks into calls of the `Bit` gadget
and products into calls of `Mul`; validity is exactly "every check holds",
with no randomness in the circuit itself.

Answers (x), one class per family of kinds:

- `Range`: one number lo ≤ x ≤ hi (fixed-point integers): average,
  dp_average. Bits of x − lo, one decomposition (`flp.bits`).
- `OneHot`: 0/1 entries that add up to 1: histogram, vote, dp_vote,
  vote_outcome.
- `Bits`: 0/1 entries: choice (approval), poll (one entry).
- `Spread`: x = [K·u, u²] with lo ≤ u ≤ hi: bits of u − lo and one
  multiplication u·u = x_2.

`Contribution` adds the noise: e = −bound + Σ weights·bits, each bit checked.

Every `constraints` takes one measurement (a vector) or k of them stacked as
rows, (k, meas_length), and then returns arrays with the same leading k axis,
row r the checks of measurement r: a checker queries every colleague's
contribution with one call (`Flp.query_many`), so each numpy step runs once
for the k rows instead of once per row. Every step acts on the last axis
only, so a row's checks are element for element those of its single call.
"""

from __future__ import annotations

import functools
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from huddle.core import field
from huddle.core.flp import bits

Vec = field.Vec


@dataclass(frozen=True, slots=True)
class Constraints:
    """The checks of one measurement (or of one share of it); for k stacked
    measurements, each field is (k, count), row r the checks of measurement r.

    For the whole measurement, valid means: bit·(bit − 1) = bit_expected,
    left·right = expected (entrywise) and every entry of ``linear`` is zero.
    For shares, each field is a share of the whole's. Bit checks go to the
    one-wire gadget (half the wires of a multiplication), products of two
    different values to the Mul gadget.
    """

    bit: Vec
    bit_expected: Vec
    left: Vec
    right: Vec
    expected: Vec
    linear: Vec


def _constant(value: int, num_shares: int) -> Vec:
    """One share's part of a constant: value/num_shares, so n shares add up to it."""
    return field.vector([value * _inverse(num_shares)])


@functools.cache
def _inverse(num_shares: int) -> int:
    return field.inv(num_shares)


def _checks(
    lead: tuple[int, ...],
    bits: Sequence[Vec] = (),
    *,
    square: tuple[Vec, Vec, Vec] | None = None,
    linear: Sequence[Vec] = (),
) -> Constraints:
    """Constraints from values that must be 0 or 1, an optional product and linear
    forms; ``lead`` is () for one measurement, (k,) for k rows."""
    none = np.zeros((*lead, 0), dtype=np.uint64)
    bit = np.concatenate(list(bits), axis=-1) if bits else none
    left, right, expected = square or (none, none, none)
    flat = np.concatenate(list(linear), axis=-1) if linear else none
    return Constraints(bit, np.zeros(bit.shape, dtype=np.uint64), left, right, expected, flat)


def _recomposed(witness: Vec, width: int) -> Vec:
    """Σ weight·bit of a witness (..., bits) as (..., 1): one value per row."""
    return bits.recompose(witness[..., None, :], width)


class Answer(ABC):
    """One family of answers x: its length, its witness and its checks."""

    length: int
    """Entries of x."""
    witness_length: int = 0
    bit_checks: int
    mul_checks: int = 0
    linear: int

    @abstractmethod
    def witness(self, x: Sequence[int]) -> list[int]:
        """What the prover adds to prove x valid; `ValueError` if x is not valid."""

    @abstractmethod
    def constraints(self, x: Vec, witness: Vec, num_shares: int) -> Constraints:
        """The checks of x (a share of it) and its witness (a share of it): x
        (length,) and witness (witness_length,), or k of each as rows."""


class OneHot(Answer):
    """x has ``length`` entries, each 0 or 1, adding up to 1."""

    def __init__(self, length: int) -> None:
        if length < 1:
            raise ValueError("A one-hot answer needs at least one entry.")
        self.length = self.bit_checks = length
        self.linear = 1

    def witness(self, x: Sequence[int]) -> list[int]:
        if len(x) != self.length or sorted(x) != [0] * (self.length - 1) + [1]:
            raise ValueError("The answer must pick exactly one option.")
        return []

    def constraints(self, x: Vec, witness: Vec, num_shares: int) -> Constraints:
        one = field.sub(field.total(x[..., None, :]), _constant(1, num_shares))
        return _checks(x.shape[:-1], [x], linear=[one])


class Bits(Answer):
    """x has ``length`` entries, each 0 or 1."""

    def __init__(self, length: int) -> None:
        if length < 1:
            raise ValueError("An answer needs at least one entry.")
        self.length = self.bit_checks = length
        self.linear = 0

    def witness(self, x: Sequence[int]) -> list[int]:
        if len(x) != self.length or any(v not in (0, 1) for v in x):
            raise ValueError("Every entry of the answer must be 0 or 1.")
        return []

    def constraints(self, x: Vec, witness: Vec, num_shares: int) -> Constraints:
        return _checks(x.shape[:-1], [x])


def _check_range(lo: int, hi: int) -> None:
    if lo > hi or hi - lo > bits.MAX_WIDTH or max(abs(lo), abs(hi)) > field.HALF // 2:
        raise ValueError("The range cannot be checked in the field.")


class Range(Answer):
    """x is one integer with lo ≤ x ≤ hi."""

    def __init__(self, lo: int, hi: int) -> None:
        _check_range(lo, hi)
        self.lo, self.hi = lo, hi
        self.length = self.linear = 1
        self.witness_length = self.bit_checks = len(bits.weights(hi - lo))

    def witness(self, x: Sequence[int]) -> list[int]:
        if len(x) != 1 or not self.lo <= x[0] <= self.hi:
            raise ValueError("The answer is outside the allowed range.")
        return [int(b) for b in bits.decompose([x[0] - self.lo], self.hi - self.lo)[0]]

    def constraints(self, x: Vec, witness: Vec, num_shares: int) -> Constraints:
        recomposed = _recomposed(witness, self.hi - self.lo)
        value = field.add(_constant(self.lo, num_shares), recomposed)
        return _checks(x.shape[:-1], [witness], linear=[field.sub(x, value)])


class Spread(Answer):
    """x = [K·u, u²] with lo ≤ u ≤ hi (u centred, in fixed-point units; K ≥ 1)."""

    def __init__(self, lo: int, hi: int, factor: int) -> None:
        _check_range(lo, hi)
        reach = max(abs(lo), abs(hi))
        if factor < 1 or factor * reach > field.HALF // 2 or reach * reach > field.HALF // 2:
            raise ValueError("The range cannot be checked in the field.")
        self.lo, self.hi, self.factor = lo, hi, factor
        self.length = 2
        self.linear = 1
        self.witness_length = self.bit_checks = len(bits.weights(hi - lo))
        self.mul_checks = 1

    def witness(self, x: Sequence[int]) -> list[int]:
        if len(x) != 2 or x[0] % self.factor:
            raise ValueError("The answer is not a valid [K·u, u²] pair.")
        u = x[0] // self.factor
        if not self.lo <= u <= self.hi or x[1] != u * u:
            raise ValueError("The answer is not a valid [K·u, u²] pair.")
        return [int(b) for b in bits.decompose([u - self.lo], self.hi - self.lo)[0]]

    def constraints(self, x: Vec, witness: Vec, num_shares: int) -> Constraints:
        recomposed = _recomposed(witness, self.hi - self.lo)
        u = field.add(_constant(self.lo, num_shares), recomposed)
        scaled = field.mul(u, field.vector([self.factor]))
        square = (u, u, x[..., 1:2])
        return _checks(
            x.shape[:-1], [witness], square=square, linear=[field.sub(x[..., :1], scaled)]
        )


class Contribution:
    """A valid answer plus a noise share within ±``noise_bound`` per entry (None: no noise).

    The circuit of the proof system: `constraints` of a measurement or share,
    `encode` of an answer and its noise, `output` of the vector that is summed.
    """

    def __init__(self, answer: Answer, noise_bound: int | None = None) -> None:
        if noise_bound is not None and not 1 <= noise_bound <= bits.MAX_WIDTH // 2:
            raise ValueError("The noise bound must be a positive whole number.")
        self.answer = answer
        self.noise_bound = noise_bound
        self.noise_bits = len(bits.weights(2 * noise_bound)) if noise_bound else 0
        self.output_length = answer.length
        noise = answer.length * self.noise_bits
        self.meas_length = answer.length + answer.witness_length + noise
        self.bit_checks = answer.bit_checks + noise
        self.mul_checks = answer.mul_checks
        self.linear = answer.linear
        if self.bit_checks + self.mul_checks < 1:
            raise ValueError("This contribution has nothing to prove.")

    def encode(self, x: Sequence[int], noise: Sequence[int] = ()) -> Vec:
        """The measurement for answer ``x`` plus ``noise``; `ValueError` if either is invalid."""
        witness = self.answer.witness(x)
        noise_values = np.asarray(list(noise) or [0] * len(x), dtype=np.int64)
        if len(noise_values) != len(x):
            raise ValueError("The noise must have one entry per entry of the answer.")
        noise_bits: npt.NDArray[np.int64] = np.zeros((len(x), 0), dtype=np.int64)
        if self.noise_bound is None:
            if noise_values.any():
                raise ValueError("This kind of answer takes no noise.")
        else:
            bound = self.noise_bound
            noise_bits = bits.decompose(noise_values + bound, 2 * bound)
        y = [v + int(e) for v, e in zip(x, noise_values, strict=True)]
        return np.concatenate(
            (
                field.vector(y),
                field.vector(witness),
                field.from_signed(noise_bits.ravel()),
            )
        )

    def output(self, meas: Vec) -> Vec:
        """The vector that enters the sum: y = x + e (or its share)."""
        return meas[: self.output_length]

    def constraints(self, meas: Vec, num_shares: int) -> Constraints:
        """The checks of a measurement (num_shares = 1) or of one of num_shares shares:
        meas (meas_length,), or (k, meas_length) for k of them (fields (k, count))."""
        if meas.ndim not in (1, 2) or meas.shape[-1] != self.meas_length:
            raise ValueError("The measurement has the wrong length for this question.")
        n, w = self.output_length, self.answer.witness_length
        y, witness, noise_bits = meas[..., :n], meas[..., n : n + w], meas[..., n + w :]
        if self.noise_bound is None:
            return self.answer.constraints(y, witness, num_shares)
        bound = self.noise_bound
        grid = noise_bits.reshape(*meas.shape[:-1], n, self.noise_bits)
        noise = field.sub(bits.recompose(grid, 2 * bound), _constant(bound, num_shares))
        answer = self.answer.constraints(field.sub(y, noise), witness, num_shares)
        return Constraints(
            np.concatenate((answer.bit, noise_bits), axis=-1),
            np.concatenate((answer.bit_expected, np.zeros_like(noise_bits)), axis=-1),
            answer.left,
            answer.right,
            answer.expected,
            answer.linear,
        )
