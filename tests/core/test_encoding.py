"""Encoding in Field64: fixed-point text to integers, signed integers to elements and back.

A negative v is the element p − |v|; an element above (p − 1)/2 reads back as
element − p. So every integer within ±(p − 1)/2 round-trips, and sums of
such integers decode right as long as the total stays in that range, which
`FixedPoint.check_capacity` guarantees. Anything outside is refused, never
wrapped.
"""

from decimal import Decimal

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from huddle.core.encoding import FixedPoint, from_ring, to_ring, vector_from_bytes, vector_to_bytes
from huddle.core.errors import InputError, SettingsError
from huddle.core.field import HALF, P
from huddle.core.sharing import combine

signed = st.one_of(
    st.sampled_from([0, 1, -1, HALF, -HALF, HALF - 1, -HALF + 1, 2**32, -(2**32)]),
    st.integers(-HALF, HALF),
)


@given(st.lists(signed, min_size=1, max_size=50))
def test_field_round_trip_keeps_signed_values_within_half_of_p(values: list[int]) -> None:
    assert from_ring(to_ring(values)) == values
    assert from_ring(vector_from_bytes(vector_to_bytes(to_ring(values)))) == values


@given(st.lists(signed, min_size=1, max_size=20))
def test_a_negative_value_is_p_minus_its_magnitude(values: list[int]) -> None:
    elements = to_ring(values)
    assert elements.dtype == np.uint64
    assert [int(e) for e in elements] == [v if v >= 0 else P - abs(v) for v in values]
    assert all(int(e) < P for e in elements)


def test_the_edges_of_the_signed_range() -> None:
    """(p − 1)/2 is the largest positive value, −(p − 1)/2 the most negative; the element
    after (p − 1)/2 already stands for −(p − 1)/2, and p − 1 for −1. Z_2^64 would have
    read 2^64 − 1 as −1 and 2^63 as the most negative value."""
    assert [int(e) for e in to_ring([-1, HALF, -HALF])] == [P - 1, HALF, HALF + 1]
    assert from_ring(np.array([P - 1, HALF, HALF + 1, 0], dtype=np.uint64)) == [-1, HALF, -HALF, 0]


@pytest.mark.parametrize("value", [HALF + 1, -HALF - 1, 2**63 - 1, -(2**63)])
def test_a_value_outside_half_of_p_is_refused_not_wrapped(value: int) -> None:
    with pytest.raises(ValueError, match="too large for the field"):
        to_ring([0, value])


@pytest.mark.parametrize("word", [P, P + 1, 2**64 - 1])
def test_bytes_that_are_no_field_element_are_refused(word: int) -> None:
    """Eight little-endian bytes per element; a word ≥ p is nothing an honest app sends."""
    data = vector_to_bytes(to_ring([5])) + word.to_bytes(8, "little")
    with pytest.raises(ValueError, match="outside the field"):
        vector_from_bytes(data)
    with pytest.raises(ValueError, match="multiple of 8"):
        vector_from_bytes(bytes(9))


@given(
    st.integers(0, 4).flatmap(
        lambda d: st.tuples(
            st.just(d),
            st.decimals(min_value=-(10**6), max_value=10**6, places=d, allow_nan=False),
        )
    )
)
def test_parse_and_encode_round_trip(pair: tuple[int, Decimal]) -> None:
    decimals, value = pair
    fp = FixedPoint(decimals, Decimal(-(10**6)), Decimal(10**6))
    scaled = fp.encode(fp.parse(str(value)))
    assert fp.decode(scaled) == value


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("abc", "not a number"),
        ("12abc", "not a number"),
        ("", "not a number"),
        ("NaN", "not a number"),
        ("inf", "not a number"),
        ("1.234", "at most 2 decimal places"),
        ("100.01", "from -5 to 100"),
        ("-5.01", "from -5 to 100"),
    ],
)
def test_bad_input_is_explained_without_echoing_it(text: str, message: str) -> None:
    fp = FixedPoint(2, Decimal(-5), Decimal(100))
    with pytest.raises(InputError, match=message) as info:
        fp.parse(text)
    if text:
        assert text not in str(info.value)


def test_range_edges_are_accepted_and_unicode_minus_too() -> None:
    fp = FixedPoint(2, Decimal(-5), Decimal(100))
    assert fp.encode(fp.parse("-5")) == -500
    assert fp.encode(fp.parse("100.00")) == 10000
    assert fp.encode(fp.parse("\u22123.5")) == -350


def test_capacity_check_refuses_ranges_that_could_overflow() -> None:
    fp = FixedPoint(6, Decimal(0), Decimal(10**12))
    fp.check_capacity(9)
    with pytest.raises(SettingsError, match="too wide"):
        fp.check_capacity(10**4)


def test_capacity_is_half_of_p() -> None:
    """A range is taken only if the total over every party stays within ±(p − 1)/2,
    where it decodes right: one more and it is refused (2^63, the ring's limit, is
    too far in the field)."""
    FixedPoint(0, Decimal(-HALF), Decimal(HALF)).check_capacity(1)
    with pytest.raises(SettingsError, match="too wide"):
        FixedPoint(0, Decimal(0), Decimal(HALF + 1)).check_capacity(1)
    half = HALF // 2
    FixedPoint(0, Decimal(-half), Decimal(half)).check_capacity(2)
    with pytest.raises(SettingsError, match="too wide"):
        FixedPoint(0, Decimal(-half - 1), Decimal(half)).check_capacity(2)
    assert from_ring(combine([to_ring([half, -half])] * 2)) == [2 * half, -2 * half]


@pytest.mark.parametrize(
    ("values", "total"), [([-7, 3], -4), ([-7, -3], -10), ([HALF, -HALF], 0), ([HALF - 5, 5], HALF)]
)
def test_sums_are_field_sums_and_decode_signed(values: list[int], total: int) -> None:
    """Adding two negatives in the field is not the uint64 wrap-around: (p − 7) + (p − 3)
    overflows 2^64, and only the field's addition takes that back."""
    summed = combine([to_ring([v]) for v in values])
    assert summed.dtype == np.uint64 and from_ring(summed) == [total]
