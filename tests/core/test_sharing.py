"""Additive sharing in Field64: masks from keys, partial sums, and what the round adds up."""

import os

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from huddle.core import field
from huddle.core.encoding import from_ring, to_ring
from huddle.core.field import P
from huddle.core.sharing import (
    SEED_BYTES,
    combine,
    fixed_masks,
    mask_from_key,
    mask_sum,
    sum_rows,
)

vectors = st.lists(st.integers(-(2**62), 2**62), min_size=1, max_size=20)


@given(vectors, st.integers(2, 30))
def test_masked_partial_sums_always_add_up_to_the_total(values: list[int], parties: int) -> None:
    """Each mask is given once and got once, so the partial sums lose every mask."""
    length = len(values)
    masks = {(i, j): mask_from_key(os.urandom(SEED_BYTES), length) for i in range(parties)
             for j in range(parties) if i != j}  # fmt: skip
    inputs = [to_ring([v + p for v in values]) for p in range(parties)]
    partials = []
    for p in range(parties):
        given_away = combine([masks[(p, q)] for q in range(parties) if q != p])
        got = combine([masks[(q, p)] for q in range(parties) if q != p])
        partials.append(field.add(field.sub(inputs[p], given_away), got))
    assert from_ring(combine(partials)) == from_ring(combine(inputs))
    assert all(from_ring(partials[p]) != from_ring(inputs[p]) for p in range(parties))


def test_a_mask_is_deterministic_uniform_looking_and_key_dependent() -> None:
    key = bytes(range(SEED_BYTES))
    a, b = mask_from_key(key, 1000), mask_from_key(key, 1000)
    assert np.array_equal(a, b) and len(a) == 1000 and a.dtype == np.uint64
    assert not np.array_equal(a, mask_from_key(bytes(SEED_BYTES), 1000))
    assert int(a.max()) < P  # field elements, not 64-bit words
    # Uniform on the field (p is within 2^-32 of 2^64): each bit is set in about half
    # of 1000 draws, and the values spread over the whole field.
    bits = np.unpackbits(a.view(np.uint8)).reshape(1000, 64).mean(axis=0)
    assert np.all((bits > 0.4) & (bits < 0.6))
    quarters = np.bincount((a // np.uint64(P // 4 + 1)).astype(np.int64), minlength=4)
    assert len(quarters) == 4 and all(200 < q < 300 for q in quarters)


def test_a_shorter_mask_is_the_start_of_a_longer_one() -> None:
    """One stream per key and label: the length only says where to stop reading."""
    key = os.urandom(SEED_BYTES)
    assert np.array_equal(mask_from_key(key, 7), mask_from_key(key, 5000)[:7])


def test_the_label_separates_the_uses_of_one_key() -> None:
    key = os.urandom(SEED_BYTES)
    masks = [mask_from_key(key, 8, label) for label in (b"mask", b"witness", b"proof", b"")]
    assert all(not np.any(masks[i] == masks[j]) for i in range(4) for j in range(i + 1, 4))
    assert np.array_equal(mask_from_key(key, 8), masks[0])  # "mask" is the default


@pytest.mark.parametrize("length", [0, 1, 3, 40, 1000])
@pytest.mark.parametrize("count", [0, 1, 2, 7])
def test_mask_sum_is_the_field_sum_of_each_mask(count: int, length: int) -> None:
    keys = [os.urandom(SEED_BYTES) for _ in range(count)]
    expected = [sum(int(m[i]) for m in (mask_from_key(k, length) for k in keys)) % P
                for i in range(length)]  # fmt: skip
    got = mask_sum(keys, length)
    assert got.dtype == np.uint64 and [int(v) for v in got] == expected


def test_rows_of_bytes_sum_in_the_field_and_refuse_what_is_not_an_element() -> None:
    rows = [to_ring([-1, 5, 2**62]), to_ring([-1, -5, 2**62]), to_ring([2, 0, 2**62])]
    block = b"".join(field.to_bytes(r) for r in rows)
    assert from_ring(sum_rows(block, 3, 3)) == [0, 0, 3 * 2**62 - P]
    with pytest.raises(ValueError, match="outside the field"):
        sum_rows(block[:-8] + (2**64 - 1).to_bytes(8, "little"), 3, 3)


def test_combine_adds_in_the_field_and_gives_zeros_of_a_length_for_none() -> None:
    assert from_ring(combine([to_ring([-7, 1]), to_ring([-3, -1])])) == [-10, 0]
    assert from_ring(combine([], 3)) == [0, 0, 0]
    assert from_ring(combine([])) == []  # no vectors and no length: an empty one


def test_a_fixed_table_gives_each_share_to_giver_and_receiver_alike() -> None:
    masks = fixed_masks({1: {1: 5, 2: -7}, 2: {1: 3, 2: 9}})
    assert from_ring(masks(1, 2, 1)) == [-7] and from_ring(masks(2, 1, 3)) == [3, 3, 3]
    assert [int(v) for v in masks(1, 2, 1)] == [P - 7]
