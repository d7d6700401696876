"""The distributed discrete Laplace noise: distribution, variance, arithmetic.

Statistical tests use fixed seeds (chosen once, not tuned), so each one is
deterministic: it fails only if the code changes, never at random. Every χ²
test is paired with one showing that the same test rejects wrong noise, so a
pass means something. Expected values are computed here, independently of
huddle.core.noise (closed forms, scipy.stats, np.convolve).
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
import pytest
from scipy import stats

from huddle.core import noise
from huddle.core.errors import SettingsError

ALPHA = 0.001
DRAWS = 100_000
EPSILON = 1.0
DELTA = 2  # replace-one histograms

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]


def hand_dlaplace_pmf(ks: Ints, epsilon: float, delta: int) -> Floats:
    q = math.exp(-epsilon / delta)
    return (1 - q) / (1 + q) * q ** np.abs(ks)


def hand_dlaplace_bound(epsilon: float, delta: int, confidence: float) -> int:
    """Smallest t with P(|L| ≤ t) = 1 − 2q^(t+1)/(1+q) ≥ confidence."""
    q = math.exp(-epsilon / delta)
    return max(0, math.ceil(math.log((1 - confidence) * (1 + q) / 2) / math.log(q)) - 1)


def scipy_total_pmf(r: float, p: float, support: int) -> Floats:
    """P(X − Y = k), k = −support…support, X, Y ~ NB(r, p), by direct convolution."""
    f = stats.nbinom.pmf(np.arange(40 * support + 400), r, p)
    full = np.convolve(f, f[::-1])
    mid = len(f) - 1
    return full[mid - support : mid + support + 1]


def sum_of_shares(
    parties: int, count: int, epsilon: float, rng: np.random.Generator, size: int = DRAWS
) -> Ints:
    """The sum of `count` participants' noise shares, `size` times."""
    total = np.zeros(size, dtype=np.int64)
    for _ in range(count):
        total += noise.noise_share(parties, epsilon, DELTA, size, rng)
    return total


def chi2_pvalue(draws: Ints, ks: Ints, probs: Floats) -> float:
    """χ² goodness of fit on ks (contiguous), tails pooled so every bin expects ≥ 5."""
    expected = len(draws) * probs
    lo, hi = int(np.argmax(expected >= 5)), len(ks) - 1 - int(np.argmax(expected[::-1] >= 5))
    while len(draws) * probs[:lo].sum() < 5:
        lo += 1
    while len(draws) * probs[hi + 1 :].sum() < 5:
        hi -= 1
    inner = expected[lo : hi + 1]
    tails = len(draws) - inner.sum()  # outside mass, split evenly (all pmfs here are symmetric)
    exp_bins = np.concatenate([[tails / 2], inner, [tails / 2]])
    clipped = np.clip(draws, ks[lo] - 1, ks[hi] + 1) - (ks[lo] - 1)
    obs_bins = np.bincount(clipped, minlength=len(exp_bins))
    assert obs_bins.sum() == len(draws) and exp_bins.min() >= 5
    statistic = float(((obs_bins - exp_bins) ** 2 / exp_bins).sum())
    return float(stats.chi2.sf(statistic, df=len(exp_bins) - 1))


KS = np.arange(-60, 61)


@pytest.mark.parametrize(("parties", "seed"), [(3, 301), (5, 501), (20, 2001)])
def test_any_n_minus_1_shares_sum_to_discrete_laplace(parties: int, seed: int) -> None:
    draws = sum_of_shares(parties, parties - 1, EPSILON, np.random.default_rng(seed))
    assert chi2_pvalue(draws, KS, hand_dlaplace_pmf(KS, EPSILON, DELTA)) > ALPHA


@pytest.mark.parametrize(("parties", "seed"), [(3, 302), (5, 502), (20, 2002)])
def test_chi2_rejects_noise_with_doubled_epsilon(parties: int, seed: int) -> None:
    draws = sum_of_shares(parties, parties - 1, 2 * EPSILON, np.random.default_rng(seed))
    assert chi2_pvalue(draws, KS, hand_dlaplace_pmf(KS, EPSILON, DELTA)) < ALPHA


@pytest.mark.parametrize(("parties", "seed"), [(3, 303), (5, 503)])
def test_chi2_rejects_the_off_by_one_split(parties: int, seed: int) -> None:
    """NB(1/n) instead of NB(1/(n−1)): a plausible bug the test must catch.

    (At n = 20 the shapes differ by 5 % and 10^5 draws cannot reliably tell.)
    """
    rng = np.random.default_rng(seed)
    p = 1 - math.exp(-EPSILON / DELTA)
    r = (parties - 1) / parties  # n−1 shares of NB(1/n)
    draws = rng.negative_binomial(r, p, DRAWS) - rng.negative_binomial(r, p, DRAWS)
    assert chi2_pvalue(draws, KS, hand_dlaplace_pmf(KS, EPSILON, DELTA)) < ALPHA


def test_all_n_shares_match_total_noise_pmf() -> None:
    draws = sum_of_shares(5, 5, EPSILON, np.random.default_rng(504))
    ks, pmf = noise.total_noise_pmf(5, EPSILON, DELTA, 60)
    assert chi2_pvalue(draws, ks, pmf) > ALPHA
    assert chi2_pvalue(draws, KS, hand_dlaplace_pmf(KS, EPSILON, DELTA)) < ALPHA


@pytest.mark.parametrize(("parties", "seed"), [(3, 305), (5, 505), (20, 2005)])
def test_sum_of_all_n_shares_has_the_expected_variance(parties: int, seed: int) -> None:
    draws = sum_of_shares(parties, parties, EPSILON, np.random.default_rng(seed), 200_000)
    q = math.exp(-EPSILON / DELTA)
    r = parties / (parties - 1)
    expected = 2 * r * q / (1 - q) ** 2
    squares = draws.astype(np.float64) ** 2  # the mean is exactly 0 by symmetry
    stderr = squares.std() / math.sqrt(len(squares))
    assert abs(squares.mean() - expected) < 5 * stderr
    # The tolerance is tight enough to tell r = n/(n−1) from r = 1 (n−1 shares).
    assert stderr < 0.006 * expected
    assert abs(squares.mean() - 2 * q / (1 - q) ** 2) > 5 * stderr
    assert noise.noise_std(parties, EPSILON, DELTA) == pytest.approx(math.sqrt(expected), 1e-12)


# --- privacy arithmetic against hand-computed values ----------------------------


@pytest.mark.parametrize(
    ("epsilon", "delta", "p", "scale"),
    [
        (1.0, 2, 0.3934693402873666, 2.0),  # 1 − e^−0.5
        (1.0, 1, 0.6321205588285577, 1.0),  # 1 − e^−1
        (0.5, 2, 0.22119921692859512, 4.0),  # 1 − e^−0.25
        (0.1, 2, 0.04877057549928599, 20.0),  # 1 − e^−0.05
        (2.0, 1000, 0.001998001332666921, 500.0),  # 1 − e^−0.002 (a DP average)
    ],
)
def test_probability_and_scale_by_hand(epsilon: float, delta: int, p: float, scale: float) -> None:
    assert noise.noise_probability(epsilon, delta) == pytest.approx(p, rel=1e-14)
    assert noise.noise_probability(epsilon, delta) == pytest.approx(
        1 - math.exp(-epsilon / delta), rel=1e-12
    )
    assert noise.noise_scale(epsilon, delta) == pytest.approx(scale, rel=1e-15)


@pytest.mark.parametrize(
    ("epsilon", "delta", "confidence", "bound"),
    [
        (1.0, 2, 0.95, 6),
        (1.0, 1, 0.95, 3),
        (0.5, 2, 0.95, 12),
        (1.0, 2, 0.99, 9),
        (10.0, 2, 0.95, 0),
    ],
)
def test_discrete_laplace_bound_by_hand(
    epsilon: float, delta: int, confidence: float, bound: int
) -> None:
    """n−1 shares are the plain discrete Laplace, whose bound has a closed form."""
    assert hand_dlaplace_bound(epsilon, delta, confidence) == bound
    for parties in (3, 5, 20):
        got = noise.error_bound(parties, epsilon, delta, confidence, shares=parties - 1)
        assert got == bound


@pytest.mark.parametrize("parties", [2, 3, 5, 20])
@pytest.mark.parametrize(("epsilon", "delta"), [(1.0, 2), (0.5, 1), (0.2, 2), (3.0, 2)])
def test_total_noise_pmf_matches_an_independent_convolution(
    parties: int, epsilon: float, delta: int
) -> None:
    support = 40
    r, p = parties / (parties - 1), 1 - math.exp(-epsilon / delta)
    ks, pmf = noise.total_noise_pmf(parties, epsilon, delta, support)
    assert list(ks) == list(range(-support, support + 1))
    np.testing.assert_allclose(pmf, scipy_total_pmf(r, p, support), rtol=1e-9, atol=1e-15)


@pytest.mark.parametrize("parties", [2, 3, 5, 20])
@pytest.mark.parametrize(("epsilon", "delta"), [(1.0, 2), (0.5, 1), (0.2, 2), (1.0, 1)])
def test_error_bound_is_the_quantile_of_the_exact_total(
    parties: int, epsilon: float, delta: int
) -> None:
    r, p = parties / (parties - 1), 1 - math.exp(-epsilon / delta)
    pmf = scipy_total_pmf(r, p, 200)
    centre = len(pmf) // 2
    inside = [pmf[centre - t : centre + t + 1].sum() for t in range(200)]
    for confidence in (0.5, 0.9, 0.95, 0.99):
        t = noise.error_bound(parties, epsilon, delta, confidence)
        assert inside[t] >= confidence
        assert t == 0 or inside[t - 1] < confidence


def test_error_bounds_shrink_towards_the_discrete_laplace_as_n_grows() -> None:
    """All n shares are NB(n/(n−1)) wide: widest at n = 2, the Laplace's as n → ∞."""
    bounds = [noise.error_bound(n, 0.2, 2) for n in (2, 3, 5, 20)]
    laplace = noise.error_bound(20, 0.2, 2, shares=19)
    assert laplace == hand_dlaplace_bound(0.2, 2, 0.95) == 30
    assert bounds == sorted(bounds, reverse=True) and bounds[0] > bounds[-1] > laplace


def test_total_noise_pmf_of_n_minus_1_shares_is_the_discrete_laplace() -> None:
    ks, pmf = noise.total_noise_pmf(5, 1.0, 2, 80, shares=4)
    np.testing.assert_allclose(pmf, hand_dlaplace_pmf(ks, 1.0, 2), rtol=1e-9, atol=1e-15)
    assert pmf.sum() == pytest.approx(1.0, abs=1e-12)


def test_discrete_laplace_pmf_by_hand() -> None:
    ks = np.arange(-200, 201)
    np.testing.assert_allclose(
        noise.discrete_laplace_pmf(ks, 0.5, 2), hand_dlaplace_pmf(ks, 0.5, 2), rtol=1e-13
    )
    assert noise.discrete_laplace_pmf(0, 1.0, 1) == pytest.approx(math.tanh(0.5))
    assert noise.discrete_laplace_pmf(ks, 0.5, 2).sum() == pytest.approx(1.0, abs=1e-12)


@pytest.mark.parametrize("scale_exp", [14, 16])
def test_stretched_bound_for_wide_noise_is_close_and_on_the_safe_side(scale_exp: int) -> None:
    """Above scale 2^13 the bound is stretched from 2^13: compare to the exact one."""
    delta = 2**scale_exp
    if scale_exp == 14:  # small enough to tabulate: compare to the exact all-honest total
        _, pmf = noise.total_noise_pmf(5, 1.0, delta, 5 * delta)
        inside = 2 * np.cumsum(pmf[5 * delta :]) - pmf[5 * delta]
        exact = int(np.searchsorted(inside, 0.95))
        stretched = noise.error_bound(5, 1.0, delta)
        assert exact <= stretched <= exact * (1 + 3e-4)
    exact_laplace = hand_dlaplace_bound(1.0, delta, 0.95)
    stretched_laplace = noise.error_bound(5, 1.0, delta, shares=4)
    assert exact_laplace <= stretched_laplace <= exact_laplace * (1 + 3e-4)


def test_bound_for_a_dp_average_over_a_wide_range() -> None:
    """Δ = 10^8 fixed-point units (0…1,000,000.00): near b·ln 20 for the Laplace."""
    exact = hand_dlaplace_bound(1.0, 10**8, 0.95)
    assert exact == pytest.approx(1e8 * math.log(20), rel=1e-8)
    assert exact <= noise.error_bound(5, 1.0, 10**8, shares=4) <= exact * (1 + 3e-4)


# --- shares, randomness, bad settings ---------------------------------------------


def test_noise_share_is_int64_and_reproducible_from_its_generator() -> None:
    a = noise.noise_share(5, 1.0, 2, 1000, np.random.default_rng(7))
    b = noise.noise_share(5, 1.0, 2, 1000, np.random.default_rng(7))
    assert a.dtype == np.int64 and a.shape == (1000,)
    assert np.array_equal(a, b)


def test_csprng_generator_is_seeded_with_256_fresh_bits(monkeypatch: pytest.MonkeyPatch) -> None:
    first = noise.csprng_generator().integers(0, 2**63, 4)
    second = noise.csprng_generator().integers(0, 2**63, 4)
    assert not np.array_equal(first, second)
    assert not np.array_equal(first, np.random.default_rng(0).integers(0, 2**63, 4))

    asked: list[int] = []

    def fake_randbits(bits: int) -> int:
        asked.append(bits)
        return 12345

    monkeypatch.setattr("huddle.core.noise.secrets.randbits", fake_randbits)
    same = [noise.csprng_generator().integers(0, 2**63, 4) for _ in range(2)]
    assert np.array_equal(same[0], same[1])  # the OS entropy is the only seed
    assert asked == [256, 256]


@pytest.mark.parametrize(
    "epsilon", [0.0, -1.0, math.nan, math.inf, -math.inf, 10.000001, 100.0, "one", None]
)
def test_bad_epsilon_is_a_settings_error(epsilon: object) -> None:
    rng = np.random.default_rng(0)
    with pytest.raises(SettingsError, match="ε"):
        noise.noise_share(5, epsilon, 2, 10, rng)  # type: ignore[arg-type]
    with pytest.raises(SettingsError):
        noise.error_bound(5, epsilon, 2)  # type: ignore[arg-type]
    with pytest.raises(SettingsError):
        noise.noise_probability(epsilon, 2)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("parties", "delta", "size"),
    [(1, 2, 10), (0, 2, 10), (5, 0, 10), (5, -2, 10), (5, 1.5, 10), (5, True, 10), (5, 2, 0)],
)
def test_bad_parameters_are_settings_errors(parties: int, delta: int, size: int) -> None:
    with pytest.raises(SettingsError):
        noise.noise_share(parties, 1.0, delta, size, np.random.default_rng(0))


def test_other_bad_settings() -> None:
    with pytest.raises(SettingsError, match="drown"):
        noise.noise_share(5, 0.5, 2**60, 1, np.random.default_rng(0))
    with pytest.raises(SettingsError, match="confidence"):
        noise.error_bound(5, 1.0, 2, 1.0)
    with pytest.raises(SettingsError, match="confidence"):
        noise.error_bound(5, 1.0, 2, 0.0)
    with pytest.raises(SettingsError):
        noise.error_bound(5, 1.0, 2, shares=6)
    with pytest.raises(SettingsError):
        noise.total_noise_pmf(5, 1.0, 2, 10, shares=0)
    assert noise.noise_share(5, 10.0, 2, 3, np.random.default_rng(0)).shape == (3,)  # ε = 10 is ok
