"""Edges of the noise, randomized-response and fixed-point arithmetic (from `make mutants`).

The bounds people are shown must be exactly what the distributions give, at
the switch to stretched bounds and for every rival count; bad settings are
refused with the words the settings screens show; an answer the person's own
screen already randomized is sent as it is.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from types import SimpleNamespace

import numpy as np
import numpy.typing as npt
import pytest

from huddle.core import field, noise
from huddle.core import randomized_response as rr
from huddle.core.answers import YesNo
from huddle.core.encoding import FixedPoint, from_ring, ungroup, vector_from_bytes
from huddle.core.errors import InputError, SettingsError
from huddle.core.fixed_point import CAPACITY, FIELD_MODULUS
from huddle.core.questions import POLL, Question

CONFIDENCE_ERROR = r"^The confidence level must be between 0 and 1 \(for example 0\.95\)\.$"


def quantile(pmf: npt.NDArray[np.float64], confidence: float) -> int:
    """Smallest t with P(|X| ≤ t) ≥ confidence, for a symmetric pmf on −s … s."""
    s = len(pmf) // 2
    inside = np.cumsum(pmf[s:]) + np.concatenate([[0.0], np.cumsum(pmf[s - 1 :: -1])])
    return int(np.searchsorted(inside, confidence))


def test_the_difference_bound_is_the_quantile_of_two_independent_noises() -> None:
    _, one = noise.total_noise_pmf(3, 1.0, 1, 60)
    difference = np.convolve(one, one)  # both symmetric: N1 − N2 has the pmf of N1 + N2
    assert noise.difference_bound(3, 1.0, 1) == quantile(difference, 0.95) == 5
    assert noise.difference_bound(3, 1.0, 1) == noise.difference_bound(3, 1.0, 1, 0.95)


def test_the_lead_needed_splits_the_error_among_the_rivals() -> None:
    assert noise.lead_needed(3, 1.0, 1, 2) == noise.difference_bound(3, 1.0, 1, 0.9) + 1
    assert noise.lead_needed(3, 1.0, 1, 3) == noise.difference_bound(3, 1.0, 1, 0.95) + 1 == 6
    assert noise.lead_needed(4, 0.5, 2, 5, 0.9) == noise.difference_bound(4, 0.5, 2, 0.95) + 1
    with pytest.raises(SettingsError, match=r"^A lead needs at least two options\.$"):
        noise.lead_needed(3, 1.0, 1, 1)
    with pytest.raises(SettingsError, match=CONFIDENCE_ERROR):
        noise.lead_needed(3, 1.0, 1, 2, 0.5)  # nothing left for the one rival


def test_bounds_are_exact_up_to_the_stretch_and_pinned_beyond() -> None:
    exact = noise.total_noise_pmf(3, 1.0, 8192, 42 * 8192)[1]
    assert noise.error_bound(3, 1.0, 8192) == quantile(exact, 0.95) == 29519
    assert noise.error_bound(3, 1.0, 2**14) == 59046  # stretched: (29519 + 1)·2·(1 + 1e-4)
    with pytest.raises(SettingsError, match=CONFIDENCE_ERROR):
        noise.error_bound(3, 1.0, 1, 1.0 - 1e-9)
    with pytest.raises(SettingsError, match=CONFIDENCE_ERROR):
        noise.error_bound(3, 1.0, 1, 0.0)


def test_noise_too_wide_to_tabulate_is_refused_before_any_work() -> None:
    with pytest.raises(SettingsError, match=r"^The noise for these settings is too wide to tab"):
        noise.total_noise_pmf(3, 1.0, 1, 1 << 22)


@pytest.mark.parametrize("size", [0, -1, True, 2.0])
def test_a_noise_share_needs_a_whole_positive_size(size: object) -> None:
    rng = noise.csprng_generator()
    with pytest.raises(
        SettingsError, match=r"^There must be at least one bar \(or value\) to add noise to\.$"
    ):
        noise.noise_share(3, 1.0, 1, size, rng)  # type: ignore[arg-type]


@pytest.mark.parametrize("support", [-1, True, 1.5])
def test_a_pmf_window_needs_a_whole_non_negative_support(support: object) -> None:
    with pytest.raises(ValueError, match=r"^support must be a non-negative integer$"):
        noise.total_noise_pmf(3, 1.0, 1, support)  # type: ignore[arg-type]


def test_pmfs_are_probabilities_on_whole_numbers() -> None:
    ks, pmf = noise.total_noise_pmf(3, 1.0, 1, 50)
    assert ks.dtype == np.int64 and list(ks[:2]) == [-50, -49] and ks[-1] == 50
    assert pmf.dtype == np.float64 and pmf.min() >= 0.0
    share = noise.noise_share(3, 1.0, 1, 4, np.random.Generator(np.random.PCG64(1)))
    assert share.dtype == np.int64


def test_an_answer_randomized_on_the_persons_screen_is_sent_as_it_is() -> None:
    poll = Question(kind=POLL, title="Remote?", lo="0", hi="1")
    flips = iter([True, False])  # heads, then tails: re-randomizing would send "no"
    sent = poll.encode_answer(YesNo(True, randomized=True), lambda: next(flips))
    assert from_ring(sent) == [1]
    flips = iter([True, True])
    sent = poll.encode_answer(YesNo(False, randomized=True), lambda: next(flips))
    assert from_ring(sent) == [0]
    flips = iter([True, False])  # a true answer does go through the coins
    assert from_ring(poll.encode_answer(YesNo(True), lambda: next(flips))) == [0]


def test_an_impossible_count_gives_the_nearest_end() -> None:
    """13 "yes" of 13: no true count passes the test at 95 % (even 13 true "yes"
    send 13 only 2.4 % of the time), so the interval is the nearest end, 13."""
    assert rr.interval(13, 13) == (13, 13)
    assert rr.interval(0, 13) == (0, 0)
    assert rr.interval(1, 13) == (0, 2)


# --- fixed point ----------------------------------------------------------------------------


def test_fixed_point_refusals_say_what_to_do() -> None:
    fp = FixedPoint(2, Decimal(-5), Decimal(100))
    with pytest.raises(InputError, match=r"^Enter a value from -5 to 100\.$"):
        fp.encode(Decimal("100.5"))
    with pytest.raises(InputError, match=r"^Use at most 2 decimal places\.$"):
        fp.encode(Decimal("1.005"))
    with pytest.raises(InputError, match=r"^That is not a number: use digits"):
        fp.parse("1e3")
    with pytest.raises(ValueError, match=r"^vector bytes must be a multiple of 8$"):
        vector_from_bytes(bytes(7))


def test_the_poll_estimate_by_hand() -> None:
    """p̂ = 2N/n − 1/2: all 4 sent "yes" reads as 150 %, none as −50 %."""
    assert rr.estimate(4, 4) == 1.5
    assert rr.estimate(0, 4) == -0.5
    assert rr.estimate(3, 8) == 0.25


def test_a_pmf_window_of_width_zero_is_the_probability_of_zero() -> None:
    ks, pmf = noise.total_noise_pmf(3, 1.0, 1, 0)
    assert list(ks) == [0] and pmf[0] == pytest.approx(noise.total_noise_pmf(3, 1.0, 1, 5)[1][5])


def test_any_mark_that_is_not_a_digit_dot_or_minus_can_group() -> None:
    assert ungroup("1X000", "X") == "1000"


@pytest.mark.parametrize(
    ("epsilon", "sensitivity", "error"),
    [
        ("abc", 1, "The privacy setting ε must be a number, for example 1.0."),
        (None, 1, "The privacy setting ε must be a number, for example 1.0."),
        (0.0, 1, "The privacy setting ε must be a positive number, for example 1.0."),
        (float("nan"), 1, "The privacy setting ε must be a positive number, for example 1.0."),
        (
            10.5,
            1,
            "ε above 10 gives no meaningful privacy; choose a smaller ε (1.0 is usual) or ask "
            "for an exact result instead.",
        ),
        (1.0, 1.5, "The sensitivity must be a whole number."),
        (1.0, True, "The sensitivity must be a whole number."),
        (1.0, 0, "The sensitivity must be at least 1."),
        (
            0.5,
            2**52,
            "This much noise would drown the result: raise ε or narrow the allowed range.",
        ),
    ],
)
def test_bad_noise_settings_are_refused_word_for_word(
    epsilon: object, sensitivity: object, error: str
) -> None:
    with pytest.raises(SettingsError) as info:
        noise.noise_probability(epsilon, sensitivity)  # type: ignore[arg-type]
    assert str(info.value) == error


def test_the_widest_noise_allowed_is_exactly_two_to_the_52() -> None:
    assert noise.noise_scale(1.0, 2**52) == 2.0**52


@pytest.mark.parametrize(
    ("parties", "shares", "error"),
    [
        (1, 1, "Noise can only be split among two or more participants."),
        (2.5, 1, "Noise can only be split among two or more participants."),
        (True, 1, "Noise can only be split among two or more participants."),
        (3, 1.5, "The number of noise shares must be a whole number."),
        (3, True, "The number of noise shares must be a whole number."),
        (3, 0, "The number of noise shares must be between 1 and the group size."),
        (3, 4, "The number of noise shares must be between 1 and the group size."),
    ],
)
def test_bad_group_sizes_are_refused_word_for_word(
    parties: object, shares: object, error: str
) -> None:
    with pytest.raises(SettingsError) as info:
        noise.total_noise_pmf(parties, 1.0, 1, 5, shares=shares)  # type: ignore[arg-type]
    assert str(info.value) == error


def test_fixed_point_settings_are_checked_at_their_edges() -> None:
    for decimals in (0, 6):
        assert FixedPoint(decimals, Decimal(0), Decimal(1)).decimals == decimals
    for decimals in (-1, 7):
        with pytest.raises(SettingsError) as info:
            FixedPoint(decimals, Decimal(0), Decimal(1))
        assert str(info.value) == "Decimals must be between 0 and 6."
    with pytest.raises(SettingsError) as info:
        FixedPoint(0, Decimal(1), Decimal(1))
    assert str(info.value) == "The lowest allowed value must be below the highest."


def test_the_capacity_check_refuses_exactly_what_could_wrap_around_the_field() -> None:
    """Totals decode within ±(p − 1)/2: parties·(largest + noise bound) may reach it, not pass."""
    too_wide = (
        "The allowed range is too wide for this many people: narrow the range or use fewer "
        "decimals."
    )
    half = field.HALF
    assert half == CAPACITY and field.P == FIELD_MODULUS  # restated without numpy
    FixedPoint(0, Decimal(0), Decimal(half)).check_capacity(1)
    FixedPoint(0, Decimal(-half), Decimal(1)).check_capacity(1)
    FixedPoint(0, Decimal(0), Decimal(half // 2)).check_capacity(2)
    FixedPoint(0, Decimal(0), Decimal(half // 3 - 7)).check_capacity(3, noise_bound=7)
    FixedPoint(2, Decimal(0), Decimal(half // 200) / 100).check_capacity(200)
    for fp, parties, bound in [
        (FixedPoint(0, Decimal(0), Decimal(half + 1)), 1, 0),
        (FixedPoint(0, Decimal(-half - 1), Decimal(1)), 1, 0),
        (FixedPoint(0, Decimal(0), Decimal(half // 2 + 1)), 2, 0),
        (FixedPoint(0, Decimal(0), Decimal(half // 3 - 7)), 3, 8),
        (FixedPoint(2, Decimal(0), Decimal(half // 200 + 1) / 100), 200, 0),
    ]:
        with pytest.raises(SettingsError) as info:
            fp.check_capacity(parties, noise_bound=bound)
        assert str(info.value) == too_wide


NOT_WHOLE_K = "The number of people who may add no noise must be a whole number."
K_OUT_OF_RANGE = (
    "The number of people who may add no noise must be at least 1 and below the group size."
)
NOT_WHOLE_HONEST = "The number of honest noise shares must be a whole number."
NOT_A_SUM = "A sum of noise needs at least one element."
NOT_POSITIVE = "The privacy setting ε must be a positive number, for example 1.0."
NO_CONFIDENCE = "The confidence level must be between 0 and 1 (for example 0.95)."


@pytest.mark.parametrize(
    ("call", "error"),
    [
        (lambda: noise.sum_bound(5, 1.0, 1, True), NOT_A_SUM),
        (lambda: noise.sum_bound(5, 1.0, 1, 1.5), NOT_A_SUM),  # type: ignore[arg-type]
        (lambda: noise.sum_bound(5, 1.0, 1, 0), NOT_A_SUM),
        (lambda: noise.sum_bound(5, 1.0, 1, 2, 0.0), NO_CONFIDENCE),
        (lambda: noise.sum_bound(5, 1.0, 1, 2, 1.0 - 1e-9), NO_CONFIDENCE),
        (lambda: noise.exposed_epsilon(5, 1.0, 1, -1), NOT_WHOLE_HONEST),
        (lambda: noise.exposed_epsilon(5, 1.0, 1, 1.5), NOT_WHOLE_HONEST),  # type: ignore[arg-type]
        (lambda: noise.exposed_epsilon(5, 1.0, 1, True), NOT_WHOLE_HONEST),
        (lambda: noise.noise_std(5, 1.0, 1, robust=True), NOT_WHOLE_K),
        (lambda: noise.noise_std(5, 1.0, 1, robust=1.5), NOT_WHOLE_K),  # type: ignore[arg-type]
        (lambda: noise.noise_std(5, 1.0, 1, robust=5), K_OUT_OF_RANGE),
        (lambda: noise.noise_std(5, 1.0, 1, robust=0), K_OUT_OF_RANGE),
        # ε whose text is no number, or that has no text: the bound is refused in words.
        (lambda: noise.noise_bound(SimpleNamespace(text="one"), 1), NOT_POSITIVE),
        (lambda: noise.noise_bound(SimpleNamespace(text=None), 1), NOT_POSITIVE),
    ],
)
def test_bad_counts_and_epsilons_are_refused_word_for_word(
    call: Callable[[], object], error: str
) -> None:
    with pytest.raises(SettingsError) as info:
        call()
    assert str(info.value) == error


def test_a_sum_of_noise_counts_those_who_may_add_none() -> None:
    """k = 3 of 10 add no noise: the others' shares are wider, and so is the bound."""
    assert noise.sum_bound(10, 1.0, 1, 5, robust=3) > noise.sum_bound(10, 1.0, 1, 5, robust=1)
