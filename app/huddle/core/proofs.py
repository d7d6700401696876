"""A round's proofs: every contribution shown valid to the other members, on shares.

Each member's contribution y = x + e (its encoded answer x and its noise
share e) is already additively shared between it and its colleagues by the
partial sum (docs/PROOFS.md, "The sharing model"):

    S_i = y_i − Σ_j m(i→j) + Σ_j m(j→i) + Σ_j PRG(σ(i→j))

so colleague j's share of y_i is m(i→j) − m(j→i) − PRG(σ(i→j)), which it
derives from the secret it shares with i, and S_i itself is the public share.
The rest of the measurement (the witness: range bits, noise bits) and the
proof travel the same way: i publishes the whole minus one pseudorandom
vector per colleague, from the key of the direction i → j. Every colleague
queries its shares (`huddle.core.flp`, fully linear proofs, Boneh et al.,
CRYPTO 2019), everyone queries the public part, and the messages add up to the
query of the whole, which `decide` judges. The proof is therefore about the
very vector that enters the sum.

Rules of this file: pure functions of field vectors and keys; nothing here
knows about messages or phases.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from huddle.core import field, round_size
from huddle.core.encoding import Vector
from huddle.core.flp import Contribution, Flp
from huddle.core.questions import MAX_PARTICIPANTS, MIN_PARTICIPANTS, Question
from huddle.core.sharing import mask_from_key, mask_sum

_WITNESS = b"witness"
_PROOF = b"proof"
_SELF_MASK = b"self-mask"
PROVE_SEED_BYTES = 32


@dataclass(frozen=True, slots=True)
class Shape:
    """The sizes of one question's contributions, proofs and verifier messages."""

    flp: Flp
    length: int
    """Entries of the summed vector y."""
    witness: int
    """Entries of the witness after y (range and noise bits)."""
    proof: int
    message: int

    @property
    def contribution(self) -> Contribution:
        return self.flp.circuit


@functools.lru_cache(maxsize=16)
def shape(question: Question) -> Shape:
    """The proof system of ``question`` (its kind's circuit, its noise bound)."""
    flp = Flp(question.contribution())
    length = flp.circuit.output_length
    return Shape(flp, length, flp.meas_length - length, flp.proof_length, flp.verifier_length)


def max_group(question: Question) -> int:
    """The most people a round of ``question`` can have with every frame within
    `codec.MAX_FRAME` (`round_size.max_group`): 200 for an average or a vote, 78
    for a noisy 1000-bar histogram."""
    return round_size.max_group(question.contribution(), MAX_PARTICIPANTS, MIN_PARTICIPANTS)


def self_mask(pieces: list[bytes], length: int) -> Vector:
    """A self-mask from its pieces' seeds: the sum of their expansions."""
    return mask_sum(pieces, length, _SELF_MASK)


def piece_vector(seed: bytes, length: int) -> Vector:
    return mask_from_key(seed, length, _SELF_MASK)


def witness_share(key: bytes, length: int) -> Vector:
    return mask_from_key(key, length, _WITNESS)


def proof_share(key: bytes, length: int) -> Vector:
    return mask_from_key(key, length, _PROOF)


def public_witness(s: Shape, witness: Vector, keys: list[bytes]) -> Vector:
    """The witness minus every colleague's share (``keys``: the directions i → j)."""
    if not keys or not s.witness:
        return witness
    return field.sub(witness, mask_sum(keys, s.witness, _WITNESS))


def public_proof(s: Shape, proof: Vector, keys: list[bytes]) -> Vector:
    """The proof minus every colleague's share (``keys``: the directions i → j)."""
    if not keys:
        return proof
    return field.sub(proof, mask_sum(keys, s.proof, _PROOF))


def colleague_share(
    s: Shape, given: Vector, got: Vector, piece_seed: bytes, key: bytes
) -> tuple[Vector, Vector]:
    """Colleague j's shares of prover i's measurement and proof.

    ``given`` is m(i→j), ``got`` m(j→i), ``piece_seed`` σ(i→j) and ``key``
    the key of the direction i → j (witness and proof shares).
    """
    y = field.sub(field.sub(given, got), piece_vector(piece_seed, s.length))
    meas = np.concatenate((y, witness_share(key, s.witness))) if s.witness else y
    return meas, proof_share(key, s.proof)


def query(
    s: Shape, meas: Vector, proof: Vector, *, query_rand: Vector, joint_rand: Vector, shares: int
) -> Vector:
    """One share's verifier message (``shares``: how many shares the whole has, n)."""
    return s.flp.query(meas, proof, query_rand, joint_rand, shares)


def query_many(
    s: Shape,
    meas: Vector,
    proof: Vector,
    *,
    query_rand: Vector,
    joint_rands: Vector,
    shares: int,
) -> Vector:
    """`query` of k contributions at once, one row each: meas (k, meas_length),
    proof (k, proof_length), joint_rands (k, joint_rand_length) → (k, message).

    A checker's queries of its colleagues share the circuit and the query
    randomness, so one call does them all (`Flp.query_many`): the same
    messages, without numpy's per-call cost k times over.
    """
    return s.flp.query_many(meas, proof, query_rand, joint_rands, shares)


def public_measurement(s: Shape, vector: Vector, witness: Vector) -> Vector:
    return np.concatenate((vector, witness)) if s.witness else vector


def decide(s: Shape, messages: list[Vector], joint_rand: Vector) -> bool:
    """True when the messages of every share of one contribution add up to a valid one."""
    total = field.total(np.stack(messages), axis=0)
    return s.flp.decide(total, joint_rand)


def decide_many(s: Shape, messages: Vector, joint_rands: Vector) -> list[bool]:
    """`decide` of k contributions at once: messages (k, shares, message), row r
    every share's message for contribution r; joint_rands (k, joint_rand_length)."""
    if messages.ndim != 3:
        raise ValueError("There must be a list of messages for each contribution.")
    return s.flp.decide_many(field.total(messages, axis=1), joint_rands)
