import os

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from huddle.core.encoding import from_ring, to_ring
from huddle.core.sharing import SEED_BYTES, Share, combine, expand_seed, split

vectors = st.lists(st.integers(-(2**62), 2**62), min_size=1, max_size=20)


@given(vectors, st.integers(2, 30))
def test_shares_always_reconstruct(values: list[int], parties: int) -> None:
    vector = to_ring(values)
    kept, sent = split(vector, list(range(1, parties)), os.urandom)
    pieces = [kept] + [s.expand(len(values)) for s in sent.values()]
    assert from_ring(combine(pieces)) == values


def test_shares_do_not_contain_the_value_and_are_fresh() -> None:
    vector = to_ring([3800])
    kept1, sent1 = split(vector, [1, 2, 3], os.urandom)
    kept2, sent2 = split(vector, [1, 2, 3], os.urandom)
    assert not np.array_equal(kept1, kept2)
    assert {s.seed for s in sent1.values()}.isdisjoint({s.seed for s in sent2.values()})
    assert all(from_ring(s.expand(1)) != [3800] for s in sent1.values())


def test_seed_expansion_is_deterministic_and_long_vectors_cost_one_seed() -> None:
    seed = bytes(range(SEED_BYTES))
    a, b = expand_seed(seed, 1000), expand_seed(seed, 1000)
    assert np.array_equal(a, b) and len(a) == 1000
    assert len(Share(seed=seed).to_bytes()) == 1 + SEED_BYTES


@given(st.binary(max_size=80))
def test_share_decoder_accepts_only_its_two_formats(data: bytes) -> None:
    try:
        share = Share.from_bytes(data)
    except Exception as exc:
        assert type(exc).__name__ == "RemoteProtocolError"
    else:
        assert share.to_bytes() == data
