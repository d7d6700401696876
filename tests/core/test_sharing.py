import os

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from huddle.core.encoding import from_ring, to_ring
from huddle.core.sharing import SEED_BYTES, combine, expand_seed, fixed_masks

vectors = st.lists(st.integers(-(2**62), 2**62), min_size=1, max_size=20)


@given(vectors, st.integers(2, 30))
def test_masked_partial_sums_always_add_up_to_the_total(values: list[int], parties: int) -> None:
    """Each mask is given once and got once, so the partial sums lose every mask."""
    length = len(values)
    masks = {(i, j): expand_seed(os.urandom(SEED_BYTES), length) for i in range(parties)
             for j in range(parties) if i != j}  # fmt: skip
    inputs = [to_ring([v + p for v in values]) for p in range(parties)]
    partials = []
    for p in range(parties):
        partial = inputs[p].copy()
        for q in range(parties):
            if q != p:
                partial -= masks[(p, q)]
                partial += masks[(q, p)]
        partials.append(partial)
    assert from_ring(combine(partials)) == from_ring(combine(inputs))
    assert all(from_ring(partials[p]) != from_ring(inputs[p]) for p in range(parties))


def test_seed_expansion_is_deterministic_uniform_looking_and_key_dependent() -> None:
    seed = bytes(range(SEED_BYTES))
    a, b = expand_seed(seed, 1000), expand_seed(seed, 1000)
    assert np.array_equal(a, b) and len(a) == 1000
    assert not np.array_equal(a, expand_seed(bytes(SEED_BYTES), 1000))
    # Uniform on Z_2^64: each of the 64 bits is set in about half of 1000 draws.
    bits = np.unpackbits(a.view(np.uint8)).reshape(1000, 64).mean(axis=0)
    assert np.all((bits > 0.4) & (bits < 0.6))


def test_a_fixed_table_gives_each_share_to_giver_and_receiver_alike() -> None:
    masks = fixed_masks({1: {1: 5, 2: -7}, 2: {1: 3, 2: 9}})
    assert from_ring(masks(1, 2, 1)) == [-7] and from_ring(masks(2, 1, 3)) == [3, 3, 3]
