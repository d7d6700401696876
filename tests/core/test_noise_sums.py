"""noise.sum_bound: how far the noise of several released elements, added up, can reach
(the count below a histogram's edge is a sum of bars)."""

from __future__ import annotations

import numpy as np
import pytest

from huddle.core import noise
from huddle.core.errors import SettingsError


def exact_sum_bound(parties: int, epsilon: float, sensitivity: int, terms: int, conf: float) -> int:
    """The same quantile by brute force: the pmf of one element's noise, convolved."""
    _, pmf = noise.total_noise_pmf(parties, epsilon, sensitivity, 400)
    total = pmf
    for _ in range(terms - 1):
        total = np.convolve(total, pmf)
    centre = len(total) // 2
    inside = np.array([total[centre - t : centre + t + 1].sum() for t in range(centre)])
    return int(np.searchsorted(inside, conf))


@pytest.mark.parametrize(
    ("parties", "epsilon", "sensitivity", "terms", "conf"),
    [(3, 1.0, 2, 1, 0.95), (5, 1.0, 2, 4, 0.975), (10, 0.5, 2, 9, 0.975), (20, 2.0, 2, 3, 0.9)],
)
def test_the_bound_is_the_exact_quantile_of_the_summed_noise(
    parties: int, epsilon: float, sensitivity: int, terms: int, conf: float
) -> None:
    got = noise.sum_bound(parties, epsilon, sensitivity, terms, conf)
    assert got == exact_sum_bound(parties, epsilon, sensitivity, terms, conf)


def test_one_term_is_one_elements_bound() -> None:
    for parties, epsilon in ((4, 1.0), (50, 0.3), (200, 5.0)):
        assert noise.sum_bound(parties, epsilon, 2, 1) == noise.error_bound(parties, epsilon, 2)


def test_drawn_noise_stays_within_the_bound_as_often_as_it_says() -> None:
    rng = np.random.default_rng(7)
    parties, terms, draws = 8, 6, 4000
    shares = np.array(
        [noise.noise_share(parties, 1.0, 2, terms, rng) for _ in range(parties * draws)]
    ).reshape(draws, parties, terms)
    sums = np.abs(shares.sum(axis=(1, 2)))
    t = noise.sum_bound(parties, 1.0, 2, terms, 0.95)
    assert float(np.mean(sums <= t)) >= 0.94 and float(np.mean(sums <= t - 2)) < 0.95


def test_very_wide_noise_falls_back_to_a_larger_safe_bound() -> None:
    wide = noise.sum_bound(10, 0.0001, 2, 50, 0.975)
    scale = noise.noise_std(10, 0.0001, 2) * np.sqrt(50)
    assert wide >= 2.24 * scale  # at least the normal quantile: never too small


def test_nonsense_is_refused() -> None:
    with pytest.raises(SettingsError, match="at least one element"):
        noise.sum_bound(5, 1.0, 2, 0)
    with pytest.raises(SettingsError, match="confidence level"):
        noise.sum_bound(5, 1.0, 2, 3, 1.0)
