from decimal import Decimal

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from huddle.core.encoding import FixedPoint, from_ring, to_ring, vector_from_bytes, vector_to_bytes
from huddle.core.errors import InputError, SettingsError


@given(st.lists(st.integers(-(2**63), 2**63 - 1), min_size=1, max_size=50))
def test_ring_round_trip_keeps_signed_values(values: list[int]) -> None:
    assert from_ring(to_ring(values)) == values
    assert from_ring(vector_from_bytes(vector_to_bytes(to_ring(values)))) == values


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


def test_sum_wraps_in_the_ring_and_decodes_signed() -> None:
    total = to_ring([-7]) + to_ring([3])
    assert total.dtype == np.uint64
    assert from_ring(total) == [-4]
