"""The kinds of result: settings validation, answer encoding, wire checks."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from huddle.core import kinds
from huddle.core.codec import decode_body, encode
from huddle.core.encoding import from_ring
from huddle.core.errors import InputError, RemoteProtocolError, SettingsError
from huddle.core.messages import Welcome
from huddle.core.questions import DP_AVERAGE, HISTOGRAM, Question

EDGES = ("0", "10", "20", "50", "100")


def histogram(**kw: object) -> Question:
    settings: dict[str, object] = {
        "kind": HISTOGRAM,
        "title": "Commute",
        "lo": "0",
        "hi": "100",
        "bins": EDGES,
        "epsilon": "1.0",
    }
    return Question(**(settings | kw))  # type: ignore[arg-type]


def dp_average(**kw: object) -> Question:
    settings: dict[str, object] = {
        "kind": DP_AVERAGE,
        "title": "Raise",
        "lo": "0",
        "hi": "5000",
        "decimals": 2,
        "epsilon": "1.0",
    }
    return Question(**(settings | kw))  # type: ignore[arg-type]


# --- histogram encoding ---------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "bar"),
    [("0", 0), ("9", 0), ("10", 1), ("19.5", 1), ("20", 2), ("49", 2), ("50", 3), ("100", 3)],
)
def test_a_value_lands_in_its_bar_lower_edge_inclusive_last_bar_closed(
    value: str, bar: int
) -> None:
    q = histogram(decimals=1)
    expected = [0, 0, 0, 0]
    expected[bar] = 1
    assert from_ring(q.encode_answer(value)) == expected
    assert q.vector_length == 4


@pytest.mark.parametrize(("value", "message"), [("101", "from 0 to 100"), ("-1", "from 0 to 100")])
def test_histogram_answers_outside_the_range_are_refused_not_clipped(
    value: str, message: str
) -> None:
    with pytest.raises(InputError, match=message):
        histogram().encode_answer(value)


def test_histogram_answers_keep_the_decimal_rules() -> None:
    with pytest.raises(InputError, match="at most 0 decimal places"):
        histogram().encode_answer("12.5")


def test_histogram_noise_parameters() -> None:
    q = histogram(epsilon="0.5")
    assert q.is_private and q.sensitivity == 2 and q.epsilon_value == 0.5
    assert q.edges == tuple(Decimal(e) for e in EDGES)


# --- dp average encoding --------------------------------------------------------


def test_dp_average_clamps_in_the_mechanism_but_the_person_is_told() -> None:
    q = dp_average()
    assert q.sensitivity == 500_000  # (5000 − 0) · 10^2 fixed-point units
    assert from_ring(q.encode_answer("1234.56")) == [123456]
    with pytest.raises(InputError, match="from 0 to 5000"):
        q.encode_answer("6000")
    mechanism = kinds.BY_NAME[DP_AVERAGE]
    assert mechanism.encode(q, Decimal(6000)) == [500_000]
    assert mechanism.encode(q, Decimal(-3)) == [0]


def test_exact_average_is_unchanged() -> None:
    q = Question(title="t", hi="100")
    assert not q.is_private and q.sensitivity == 0 and q.vector_length == 1
    assert from_ring(q.encode_answer("42")) == [42]


# --- bad settings ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("epsilon", "message"),
    [
        ("", "Choose the privacy setting ε"),
        ("0", "positive number"),
        ("-1", "positive number"),
        ("NaN", "positive number"),
        ("Infinity", "positive number"),
        ("one", "must be a number"),
        ("1e-400", "positive number"),
        ("10.5", "no meaningful privacy"),
        ("1e9", "no meaningful privacy"),
    ],
)
def test_bad_epsilon_is_explained(epsilon: str, message: str) -> None:
    for make in (histogram, dp_average):
        with pytest.raises(SettingsError, match=message):
            make(epsilon=epsilon)


@pytest.mark.parametrize(
    ("bins", "message"),
    [
        (("0", "100"), "at least 2 bars"),
        ((), "at least 2 bars"),
        (("0", "50", "50", "100"), "go up strictly"),
        (("0", "60", "40", "100"), "go up strictly"),
        (("-10", "50", "100"), "within the allowed range 0 to 100"),
        (("0", "50", "120"), "within the allowed range 0 to 100"),
        (("0", "50", "90"), "cover the whole allowed range"),
        (("5", "50", "100"), "cover the whole allowed range"),
        (("0", "x", "100"), "not a number"),
        (("0", "Infinity", "100"), "not a number"),
        (tuple(str(i / 10) for i in range(1002)), "At most 1000 bars"),
    ],
)
def test_bad_bins_are_explained(bins: tuple[str, ...], message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        histogram(bins=bins, decimals=1)


def test_a_thousand_bars_is_the_limit_and_allowed() -> None:
    edges = kinds.equal_width_edges("0", "1000", 1000, 0)
    assert len(edges) == 1001
    assert histogram(bins=edges, hi="1000").vector_length == 1000


def test_settings_that_belong_to_another_kind_are_refused() -> None:
    with pytest.raises(SettingsError, match="only apply to a histogram or a noisy average"):
        Question(title="t", epsilon="1.0")
    with pytest.raises(SettingsError, match="only apply to a histogram or a noisy average"):
        Question(title="t", bins=EDGES, hi="100")
    with pytest.raises(SettingsError, match="Bars only apply to a histogram"):
        dp_average(bins=EDGES, hi="100")
    with pytest.raises(SettingsError, match="does not know the result kind"):
        Question(title="t", kind="mode")  # "median" became a kind (issue 16)


def test_noise_that_would_drown_the_result_is_refused() -> None:
    # Δ = 10^13 · 10^2 fixed-point units: Δ/ε = 10^17 > 2^52.
    with pytest.raises(SettingsError, match="drown the result"):
        dp_average(hi="10000000000000", decimals=2, epsilon="0.01")


def test_the_ring_keeps_head_room_for_the_noise() -> None:
    # 200 · 3·10^16 fits 2^63 without noise, but not with the noise's head-room bit.
    Question(title="t", hi="30000000000000000")
    with pytest.raises(SettingsError, match="too wide"):
        dp_average(hi="30000000000000000", decimals=0, epsilon="10")
    dp_average(hi="10000000000000000", decimals=0, epsilon="10")


@pytest.mark.parametrize("hi", ["1e999999999", "1e41"])
def test_absurd_ranges_are_refused_before_decimal_arithmetic(hi: str) -> None:
    with pytest.raises(SettingsError, match="too wide"):
        Question(title="t", hi=hi)
    with pytest.raises(SettingsError, match="too wide"):
        kinds.equal_width_edges("0", hi, 10, 0)


# --- equal-width edges ----------------------------------------------------------


def test_equal_width_edges_are_rounded_to_the_answers_decimals() -> None:
    assert kinds.equal_width_edges("0", "100", 4, 0) == ("0", "25", "50", "75", "100")
    assert kinds.equal_width_edges("0", "100", 3, 0) == ("0", "33", "67", "100")
    assert kinds.equal_width_edges("0", "1", 3, 2) == ("0", "0.33", "0.67", "1")
    assert kinds.equal_width_edges("-1e3", "1e3", 2, 0) == ("-1000", "0", "1000")


@pytest.mark.parametrize(
    ("lo", "hi", "count", "decimals", "message"),
    [
        ("0", "5", 10, 0, "room for at most 5 bars"),
        ("0", "100", 1, 0, "at least 2 bars"),
        ("0", "100000", 1001, 0, "At most 1000 bars"),
        ("5", "0", 2, 0, "lowest allowed value must be below"),
        ("0", "ten", 2, 0, "not a number"),
    ],
)
def test_equal_width_edges_refuse_impossible_counts(
    lo: str, hi: str, count: int, decimals: int, message: str
) -> None:
    with pytest.raises(SettingsError, match=message):
        kinds.equal_width_edges(lo, hi, count, decimals)


# --- on the wire -----------------------------------------------------------------


def test_dp_questions_round_trip_in_welcome() -> None:
    for q in (histogram(tag="commute"), dp_average()):
        frame = encode(Welcome(session_id=bytes(16), host_name="H", question=q))
        assert decode_body(frame[4:]).question == q  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("field", "bad"),
    [("epsilon", '"50"'), ("epsilon", '""'), ("bins", '["0","100"]'), ("bins", "[]")],
)
def test_a_hostile_host_cannot_send_bad_dp_settings(field: str, bad: str) -> None:
    q = histogram()
    frame = encode(Welcome(session_id=bytes(16), host_name="H", question=q))
    good = {"epsilon": '"1.0"', "bins": '["0","10","20","50","100"]'}[field]
    body = frame[4:].replace(f'"{field}":{good}'.encode(), f'"{field}":{bad}'.encode())
    assert body != frame[4:]
    with pytest.raises(RemoteProtocolError, match="not acceptable"):
        decode_body(body)


@given(
    epsilon=st.text(max_size=20),
    bins=st.lists(st.text(max_size=12), max_size=6),
    kind=st.sampled_from(kinds.KINDS),
)
def test_any_settings_either_validate_or_raise_settings_error(
    epsilon: str, bins: list[str], kind: str
) -> None:
    try:
        q = Question(kind=kind, title="t", lo="0", hi="100", bins=tuple(bins), epsilon=epsilon)
    except SettingsError:
        return
    assert q.vector_length >= 1
