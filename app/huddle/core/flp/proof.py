"""A fully linear proof that a secret-shared contribution is valid.

The proof system of Boneh, Boyle, Corrigan-Gibbs, Gilboa and Ishai ("Zero-
Knowledge Proofs on Secret-Shared Data via Fully Linear PCPs", CRYPTO 2019,
Theorem 4.3), laid out as draft-irtf-cfrg-vdaf §7.3 ("FlpBBCGGI19") does,
with the gadgets of `flp.gadgets` in ParallelSum form.

The prover knows the measurement (`circuits.Contribution`); the verifiers
each hold an additive share of it and of the proof: vectors that add up to
the whole, *any number* of them. Every verifier runs `query` on its shares,
and because `query` is linear (affine, with constants split by num_shares),
the verifier messages add up to the query of the whole; `decide` on that sum
accepts exactly when every check holds. The messages reveal nothing else:
apart from what `decide` tests they are uniformly random.

How the checks become polynomial identities, one per gadget (a *lane*): its
T constraints are grouped ``chunk`` to a call (M = ⌈T/chunk⌉ calls). Wire j's
inputs over the calls, after a random seed, are the values at 1, α, …,
α^(P−1) (α a primitive P-th root, P the power of two above M) of a
polynomial f_j; the proof is the seeds and the coefficients of
g = G(f_1, f_2, …), degree 2(P − 1). A verifier takes call m's output as
g(α^m), subtracts what the call should give (Σ ρ_j·expected), and folds
every output and linear check into one number with random coefficients (v,
zero when all hold); then it evaluates every f_j and g at a random point t.
`decide` checks v = 0 and G(f(t)) = g(t) for each lane.

Soundness (`Flp.soundness_error`): per proof, an invalid measurement passes
with probability at most 1/p over the joint randomness (a nonzero weighted
sum vanishing), plus 1/p over the output coefficients and Σ_lanes
2(P − 1)/(p − P) over the points t (Schwartz–Zippel: g ≠ G(f) has degree at
most 2(P − 1), and t is drawn off the P roots). Field64 makes that about
2^−57 for P = 64, so, as the draft does for Field64, the prover makes
``proofs`` independent proofs (own prover, joint and query randomness each)
and every one must pass.

The joint randomness must be fixed after the measurement (the prover would
otherwise pick an invalid one that the weights cancel) and before the proof;
Huddle derives it from the committed contribution (Fiat–Shamir, so a cheat
can retry offline: see `soundness_error`). The query randomness must be fixed
after the proof: Huddle draws it from every member's revealed nonce. Both
are the caller's: this module only takes seeds.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np

from huddle.core import field
from huddle.core.flp.circuits import Constraints, Contribution
from huddle.core.flp.gadgets import DEGREE, Bit, Gadget, Mul

Vec = field.Vec
PROOFS = 2
"""Independent proofs per contribution (the draft's PROOFS for Field64 is 2 or 3)."""


@dataclass(frozen=True, slots=True)
class Lane:
    """One gadget's layout: ``calls`` calls of ``chunk`` positions, P = ``size``."""

    gadget: type[Gadget]
    chunk: int
    calls: int
    size: int

    @property
    def seeds(self) -> int:
        return self.gadget.arity * self.chunk

    @property
    def proof_length(self) -> int:
        """The wire seeds and the gadget polynomial's 2(P − 1) + 1 coefficients."""
        return self.seeds + DEGREE * (self.size - 1) + 1

    @property
    def verifier_length(self) -> int:
        """Every wire at t, and g(t)."""
        return self.seeds + 1


def lane(gadget: type[Gadget], checks: int, message_weight: int = 1) -> Lane:
    """The layout of ``checks`` constraints with the least proof + weight·message.

    Both are O(√checks): the proof holds arity·chunk seeds and about 2P
    coefficients, with chunk·(P − 1) ≥ checks, and the verifier message
    arity·chunk + 1 elements. A larger ``message_weight`` buys shorter
    messages with a longer proof and more work on both sides.
    """
    if checks < 1 or message_weight < 1:
        raise ValueError("There must be at least one check to prove.")

    def cost(layout: Lane) -> int:
        return layout.proof_length + message_weight * layout.verifier_length

    best: Lane | None = None
    size = 2
    while best is None or size <= 2 * cost(best):
        chunk = -(-checks // (size - 1))
        candidate = Lane(gadget, chunk, -(-checks // chunk), size)
        if best is None or cost(candidate) < cost(best):
            best = candidate
        size *= 2
    return best


def _grid(values: Vec, layout: Lane) -> Vec:
    """Values zero-padded to (chunk, calls): column m holds call m's inputs."""
    padded = np.zeros(layout.chunk * layout.calls, dtype=np.uint64)
    padded[: len(values)] = values
    return padded.reshape(layout.calls, layout.chunk).T


def _inputs(checks: Constraints, gadget: type[Gadget]) -> tuple[list[Vec], Vec]:
    if gadget is Bit:
        return [checks.bit], checks.bit_expected
    return [checks.left, checks.right], checks.expected


def _grids(values: Vec, layout: Lane) -> Vec:
    """`_grid` of each row of ``values`` (k, length): (k, chunk, calls)."""
    padded = np.zeros((len(values), layout.chunk * layout.calls), dtype=np.uint64)
    padded[:, : values.shape[1]] = values
    return padded.reshape(-1, layout.calls, layout.chunk).transpose(0, 2, 1)


def _wires(inputs: list[Vec], layout: Lane) -> Vec:
    """Each wire's values at 1, α, …, α^(P−1): 0 for the seed (added later), its
    input to each call, zeros."""
    wires = np.zeros((layout.seeds, layout.size), dtype=np.uint64)
    for i, values in enumerate(inputs):
        wires[i * layout.chunk : (i + 1) * layout.chunk, 1 : layout.calls + 1] = _grid(
            values, layout
        )
    return wires


def _wires_many(inputs: list[Vec], layout: Lane) -> Vec:
    """`_wires` of k measurements at once, inputs (k, length) each: (k, seeds, P)."""
    k = len(inputs[0])
    wires = np.zeros((k, layout.seeds, layout.size), dtype=np.uint64)
    for i, values in enumerate(inputs):
        rows = slice(i * layout.chunk, (i + 1) * layout.chunk)
        wires[:, rows, 1 : layout.calls + 1] = _grids(values, layout)
    return wires


class Flp:
    """Prove, query and decide for one circuit; every vector is a field vector.

    Lengths (per contribution, all ``proofs`` proofs side by side):
    `meas_length`, `proof_length`, `verifier_length`, `prove_rand_length`,
    `joint_rand_length`, `query_rand_length`.
    """

    def __init__(
        self, circuit: Contribution, proofs: int = PROOFS, *, message_weight: int = 1
    ) -> None:
        """``message_weight``: how much a verifier message counts against the proof
        when laying the checks out (`lane`). Every member receives every message
        but each proof is needed once, so a round may weigh messages more."""
        if proofs < 1:
            raise ValueError("At least one proof is needed.")
        self.circuit = circuit
        self.proofs = proofs
        counts = ((Bit, circuit.bit_checks), (Mul, circuit.mul_checks))
        self.lanes = tuple(lane(g, n, message_weight) for g, n in counts if n)
        self._outputs = sum(la.calls for la in self.lanes) + circuit.linear
        self.meas_length = circuit.meas_length
        self.proof_length = proofs * sum(la.proof_length for la in self.lanes)
        self.verifier_length = proofs * (1 + sum(la.verifier_length for la in self.lanes))
        self.prove_rand_length = proofs * sum(la.seeds for la in self.lanes)
        self.joint_rand_length = proofs * sum(la.chunk for la in self.lanes)
        self.query_rand_length = proofs * (self._outputs + len(self.lanes))

    # --- randomness from seeds ----------------------------------------------

    def prove_rand(self, seed: bytes) -> Vec:
        """The prover's private randomness (the wire seeds): secret, fresh each time."""
        return field.sample(seed, self.prove_rand_length, b"flp prove")

    def joint_rand(self, seed: bytes) -> Vec:
        """The gadgets' weights; the seed must be fixed after the measurement."""
        return field.sample(seed, self.joint_rand_length, b"flp joint")

    def query_rand(self, seed: bytes) -> Vec:
        """The verifiers' randomness; the seed must be fixed after the proof.

        Each t is drawn off its lane's P-th roots of unity (else f_j(t) would be
        a wire value and leak the measurement), by rejection.
        """
        parts = []
        for i in range(self.proofs):
            parts.append(field.sample(seed, self._outputs, b"flp query %d" % i))
            for k, la in enumerate(self.lanes):
                parts.append(field.vector([_point(seed, b"flp point %d %d" % (i, k), la.size)]))
        return np.concatenate(parts)

    # --- the proof system ---------------------------------------------------

    def prove(self, meas: Vec, prove_rand: Vec, joint_rand: Vec) -> Vec:
        """The proof for ``meas`` (which need not be valid: a cheat's proof fails `decide`)."""
        self._check(prove_rand, self.prove_rand_length, joint_rand)
        checks = self.circuit.constraints(meas, 1)
        seeds = self._by_lane(prove_rand, [la.seeds for la in self.lanes])
        weights = self._by_lane(joint_rand, [la.chunk for la in self.lanes])
        parts = [
            self._prove_lane(la, _inputs(checks, la.gadget)[0], s, r)
            for la, s, r in zip(self.lanes, seeds, weights, strict=True)
        ]
        return np.concatenate(parts, axis=1).ravel()

    def _prove_lane(self, layout: Lane, inputs: list[Vec], seeds: Vec, weights: Vec) -> Vec:
        """Seeds and gadget polynomial of every proof: (proofs, proof_length)."""
        size = layout.size
        common = _wires(inputs, layout)
        # The gadget polynomial has degree 2(P − 1), so its values at the 2P-th
        # roots fix it. The even ones are the P-th roots, where the wires' values
        # are known; the odd ones are ω·α^k, the wires evaluated on that coset.
        # Proofs differ only by their seeds, the values at the point 1, which add
        # seed·λ to a wire, λ the Lagrange polynomial of 1: λ is 1 at the point 1
        # and 0 at the other P-th roots, and `_lagrange_one_on_coset` on the coset.
        coefficients = field.ntt(common, inverse=True, normalize=False)  # times P
        odd = field.ntt(field.mul(coefficients, _coset(size, normalized=True)))
        constant, linear, quadratic = layout.gadget.split(common, seeds, weights)
        even = constant
        even[:, :1] = field.add(even[:, :1], field.add(linear[:, :1], quadratic))
        constant, linear, quadratic = layout.gadget.split(odd, seeds, weights)
        lam = _lagrange_one_on_coset(size)
        odd_values = field.add(
            constant, field.mul(lam, field.add(linear, field.mul(lam, quadratic)))
        )
        values = np.empty((self.proofs, 2 * size), dtype=np.uint64)
        values[:, 0::2] = even
        values[:, 1::2] = odd_values
        gadget = field.ntt(values, inverse=True)[:, : DEGREE * (size - 1) + 1]
        return np.concatenate((seeds, gadget), axis=1)

    def query(
        self, meas: Vec, proof: Vec, query_rand: Vec, joint_rand: Vec, num_shares: int
    ) -> Vec:
        """One verifier's message, from its shares of the measurement and of the proof.

        ``num_shares`` is how many shares there are in all (each holds
        1/num_shares of every constant). The messages of all shares add up to
        the query of the whole, which `decide` judges.
        """
        self._check(query_rand, self.query_rand_length, joint_rand)
        if proof.shape != (self.proof_length,) or num_shares < 1:
            raise ValueError("The proof has the wrong length for this question.")
        checks = self.circuit.constraints(meas, num_shares)
        proofs = self._by_lane(proof, [la.proof_length for la in self.lanes])
        weights = self._by_lane(joint_rand, [la.chunk for la in self.lanes])
        rand = query_rand.reshape(self.proofs, -1)
        points = rand[:, self._outputs :]
        outputs, messages = [], []
        for k, (la, pr, r) in enumerate(zip(self.lanes, proofs, weights, strict=True)):
            out, message = self._query_lane(la, _inputs(checks, la.gadget), pr, r, points[:, k])
            outputs.append(out)
            messages.append(message)
        linear = np.broadcast_to(checks.linear, (self.proofs, len(checks.linear)))
        checked = np.concatenate([*outputs, linear], axis=1)
        v = field.total(field.mul(checked, rand[:, : self._outputs]))
        return np.concatenate([v[:, None], *messages], axis=1).ravel()

    def _query_lane(
        self, layout: Lane, inputs: tuple[list[Vec], Vec], proof: Vec, weights: Vec, points: Vec
    ) -> tuple[Vec, Vec]:
        """Each proof's call outputs minus their due, and its wires and g at t."""
        size, calls = layout.size, layout.calls
        seeds, gadget = proof[:, : layout.seeds], proof[:, layout.seeds :]
        # g at the P-th roots: fold g modulo X^P − 1, then one size-P transform.
        folded = gadget[:, :size].copy()
        folded[:, : size - 1] = field.add(folded[:, : size - 1], gadget[:, size:])
        outputs = field.ntt(folded)[:, 1 : calls + 1]
        due = field.matmul(weights, _grid(inputs[1], layout))
        common = _wires(inputs[0], layout)
        ts = field.to_ints(points)
        if any(pow(t, size, field.P) == 1 for t in ts):
            raise ValueError("The query randomness is not usable: draw it with query_rand.")
        basis = np.stack([field.lagrange_weights(size, t) for t in ts])
        at_t = field.add(_at_points(basis, common), field.mul(seeds, basis[:, :1]))
        at_g = field.vector(field.evaluate(g, t) for g, t in zip(gadget, ts, strict=True))
        return field.sub(outputs, due), np.concatenate((at_t, at_g[:, None]), axis=1)

    def query_many(
        self, meas: Vec, proofs: Vec, query_rand: Vec, joint_rands: Vec, num_shares: int
    ) -> Vec:
        """`query` of k contributions at once: row r is ``query(meas[r], proofs[r],
        query_rand, joint_rands[r], num_shares)``, element for element.

        meas (k, meas_length), proofs (k, proof_length), joint_rands (k,
        joint_rand_length) → (k, verifier_length). A checker queries every
        colleague's contribution with the same circuit and query randomness;
        one call stacks the k·proofs proofs where `query` stacks ``proofs`` and
        works out the k rows' constraints in one call of the circuit, so each
        numpy step runs once instead of k times (the steps of a small circuit
        cost more in calls than in arithmetic), and the Lagrange basis at each
        point t, common to all, is built once.
        """
        k = len(meas) if meas.ndim == 2 else -1
        if meas.shape != (k, self.meas_length):
            raise ValueError("The measurement has the wrong length for this question.")
        rand_shapes = (query_rand.shape, joint_rands.shape)
        if rand_shapes != ((self.query_rand_length,), (k, self.joint_rand_length)):
            raise ValueError("The randomness has the wrong length for this question.")
        if proofs.shape != (k, self.proof_length) or num_shares < 1:
            raise ValueError("The proof has the wrong length for this question.")
        if k == 0:
            return np.zeros((0, self.verifier_length), dtype=np.uint64)
        checks = self.circuit.constraints(meas, num_shares)  # fields (k, count)
        lane_proofs = self._by_lane(proofs, [la.proof_length for la in self.lanes])
        weights = self._by_lane(joint_rands, [la.chunk for la in self.lanes])
        rand = query_rand.reshape(self.proofs, -1)
        points = rand[:, self._outputs :]
        outputs, messages = [], []
        for i, (la, pr, r) in enumerate(zip(self.lanes, lane_proofs, weights, strict=True)):
            inputs = _inputs(checks, la.gadget)
            out, message = self._query_lane_many(la, inputs, pr, r, points[:, i])
            outputs.append(out.reshape(k, self.proofs, -1))
            messages.append(message.reshape(k, self.proofs, -1))
        linear = checks.linear
        linear = np.broadcast_to(linear[:, None, :], (k, self.proofs, linear.shape[1]))
        checked = np.concatenate([*outputs, linear], axis=2)
        v = field.total(field.mul(checked, rand[None, :, : self._outputs]))
        return np.concatenate([v[:, :, None], *messages], axis=2).reshape(k, -1)

    def _query_lane_many(
        self, layout: Lane, inputs: tuple[list[Vec], Vec], proof: Vec, weights: Vec, points: Vec
    ) -> tuple[Vec, Vec]:
        """`_query_lane` of k measurements: the wires' inputs and the expected
        values (k, length) each, proof and weights (k·proofs, length), row
        r·proofs + i holding proof i of measurement r."""
        size, calls, proofs = layout.size, layout.calls, self.proofs
        wires, expected = inputs
        k = len(expected)
        seeds, gadget = proof[:, : layout.seeds], proof[:, layout.seeds :]
        folded = gadget[:, :size].copy()
        folded[:, : size - 1] = field.add(folded[:, : size - 1], gadget[:, size:])
        outputs = field.ntt(folded)[:, 1 : calls + 1]
        if expected.any():  # Σ_c ρ_c·expected_c per call, each row its own weights
            grid = _grids(expected, layout)[:, None, :, :]  # (k, 1, chunk, calls)
            products = field.mul(weights.reshape(k, proofs, -1, 1), grid)
            outputs = field.sub(outputs, field.total(products, axis=2).reshape(k * proofs, -1))
        ts = field.to_ints(points)
        if any(pow(t, size, field.P) == 1 for t in ts):
            raise ValueError("The query randomness is not usable: draw it with query_rand.")
        basis = np.stack([field.lagrange_weights(size, t) for t in ts])  # (proofs, P)
        common = _wires_many(wires, layout).reshape(k * layout.seeds, size)
        at_t = _at_points(basis, common).reshape(proofs, k, layout.seeds)
        at_t = field.add(
            at_t.transpose(1, 0, 2).reshape(k * proofs, -1),
            field.mul(seeds, np.tile(basis[:, :1], (k, 1))),
        )
        degree = gadget.shape[1]
        at_powers = np.stack([field.powers(t, degree) for t in ts])  # (proofs, degree)
        at_g = field.total(field.mul(gadget.reshape(k, proofs, degree), at_powers[None]))
        return outputs, np.concatenate((at_t, at_g.reshape(-1, 1)), axis=1)

    def decide(self, verifier: Vec, joint_rand: Vec) -> bool:
        """True when the sum of every verifier message shows a valid measurement.

        Takes the joint randomness too: the gadgets' weights are part of the
        polynomial each lane's identity is checked against.
        """
        if verifier.shape != (self.verifier_length,):
            return False
        if joint_rand.shape != (self.joint_rand_length,):
            return False
        messages = verifier.reshape(self.proofs, -1)
        if np.any(messages[:, 0] != 0):
            return False
        weights = self._by_lane(joint_rand, [la.chunk for la in self.lanes])
        start = 1
        for la, r in zip(self.lanes, weights, strict=True):
            wires = messages[:, start : start + la.seeds]
            claimed = messages[:, start + la.seeds]
            if np.any(la.gadget.apply(wires[:, :, None], r)[:, 0] != claimed):
                return False
            start += la.verifier_length
        return True

    def decide_many(self, verifiers: Vec, joint_rands: Vec) -> list[bool]:
        """`decide` of k contributions at once: entry r is ``decide(verifiers[r],
        joint_rands[r])``. verifiers (k, verifier_length), each the sum of one
        contribution's messages; joint_rands (k, joint_rand_length)."""
        if verifiers.ndim != 2 or joint_rands.ndim != 2 or len(verifiers) != len(joint_rands):
            raise ValueError("There must be one joint randomness per verifier message.")
        k = len(verifiers)
        if (
            verifiers.shape[1] != self.verifier_length
            or joint_rands.shape[1] != self.joint_rand_length
        ):
            return [False] * k
        if k == 0:
            return []
        messages = verifiers.reshape(k, self.proofs, -1)
        valid = np.all(messages[:, :, 0] == 0, axis=1)
        weights = self._by_lane(joint_rands, [la.chunk for la in self.lanes])
        start = 1
        for la, r in zip(self.lanes, weights, strict=True):
            wires = messages[:, :, start : start + la.seeds]
            claimed = messages[:, :, start + la.seeds]
            applied = la.gadget.apply(wires[..., None], r.reshape(k, self.proofs, -1))
            valid &= np.all(applied[..., 0] == claimed, axis=1)
            start += la.verifier_length
        return [bool(ok) for ok in valid]

    # --- soundness ----------------------------------------------------------

    def soundness_error(self, hash_queries: int = 1) -> float:
        """How likely an invalid measurement is to pass every proof.

        Per proof: a = 1/p over the joint randomness, b = 1/p + Σ_lanes
        2(P − 1)/(p − P) over the query randomness. The query randomness is
        drawn after the proofs, but the joint randomness comes from a hash of
        the committed contribution, so a cheat can try ``hash_queries``
        contributions offline and keep the best:
        Σ_s C(proofs, s)·min(1, q·a^s)·b^(proofs − s).
        """
        p = field.P
        a = 1 / p
        b = 1 / p + sum(DEGREE * (la.size - 1) / (p - la.size) for la in self.lanes)
        n = self.proofs
        terms = (
            math.comb(n, s) * min(1.0, hash_queries * a**s) * b ** (n - s) for s in range(n + 1)
        )
        return math.fsum(terms)

    # --- helpers ------------------------------------------------------------

    def _by_lane(self, values: Vec, lengths: list[int]) -> list[Vec]:
        """Split per-proof blocks into one (proofs, length) array per lane (for k
        contributions' rows, (k, proofs·length): one (k·proofs, length) array)."""
        rows = values.reshape(-1, sum(lengths))
        bounds = np.cumsum([0, *lengths])
        return [rows[:, bounds[k] : bounds[k + 1]] for k in range(len(lengths))]

    def _check(self, rand: Vec, length: int, joint_rand: Vec) -> None:
        if rand.shape != (length,) or joint_rand.shape != (self.joint_rand_length,):
            raise ValueError("The randomness has the wrong length for this question.")


def _at_points(basis: Vec, wires: Vec) -> Vec:
    """Each wire (row of ``wires``, its values at the P-th roots) at each point t
    (row of ``basis``, its Lagrange weights): (points, wires).

    Written basis @ wiresᵀ, not wires @ basisᵀ: `field.matmul` splits its BLAS
    products by columns to keep each on one thread, which only works with
    many columns; with k colleagues' wires as the 2 columns of the other form,
    OpenBLAS took a second thread and waited on the busy other core (measured
    at 11 × 127 wires: 4.6 ms, this way 0.7 ms; at 127 wires 0.31 → 0.11 ms).
    """
    return field.matmul(basis, wires.T)


def _point(seed: bytes, label: bytes, size: int) -> int:
    """A uniform element that is not a size-th root of unity (rejection sampling)."""
    tries = 2
    while True:
        for t in field.to_ints(field.sample(seed, tries, label)):
            if pow(t, size, field.P) != 1:
                return t
        tries *= 2  # each draw is a root with probability size/p


@functools.cache
def _coset(size: int, normalized: bool = False) -> Vec:
    """ω^k for k < size, ω a primitive 2·size-th root: scales coefficients so that a
    size-point transform evaluates on the coset ω·α^k (the odd 2·size-th roots).
    ``normalized`` also divides by size, for coefficients from an inverse
    transform that left that out."""
    shift = field.powers(field.root_of_unity(2 * size), size)
    if normalized:
        shift = field.mul(shift, field.vector([field.inv(size)]))
    shift.setflags(write=False)
    return shift


@functools.cache
def _lagrange_one_on_coset(size: int) -> Vec:
    """L_1 (1 at the point 1, 0 at the other size-th roots) at ω·α^k, k < size."""
    coefficients = field.vector([field.inv(size)] * size)  # L_1 = (1/P)·Σ_k X^k
    values = field.ntt(field.mul(coefficients, _coset(size)))
    values.setflags(write=False)
    return values
