"""Noise shares truncated at a published bound (issue 15), and the δ that costs.

Every member proves its noise share lies within ±B per entry, so B must be
the same number in every member's app (`noise.noise_bound`, from ε's decimal
text), honest shares must never pass it (drawn again when they would: the
rejection keeps the shape inside the bound), and the privacy texts must say
what the truncation costs (δ).
"""

from __future__ import annotations

import math
from decimal import ROUND_DOWN, Decimal, localcontext

import numpy as np
import pytest

from huddle.core import kinds, noise
from huddle.core.epsilon import Epsilon
from huddle.core.errors import SettingsError
from huddle.core.kinds.base import MAX_PARTICIPANTS, below
from huddle.core.questions import Question


def reference_bound(epsilon: str, sensitivity: int) -> int:
    """⌈41·ln 2·Δ/ε⌉ − 1 at 100 digits, computed apart from the code under test."""
    with localcontext() as ctx:
        ctx.prec = 100
        reach = 41 * Decimal(2).ln() * sensitivity / Decimal(epsilon)
        return max(1, math.ceil(reach) - 1)


# --- the bound: one number for every member's app -------------------------------------


@pytest.mark.parametrize("sensitivity", [1, 2, 5, 20, 10**7, 10**7 + 1, 123_456_789_013, 2**40])
@pytest.mark.parametrize(
    "texts", [("1", "1.0", " 1.00 ", "1e0"), ("0.1", "0.10", ".1"), ("2.5", "2.50"), ("10",)]
)
def test_the_bound_is_the_same_from_a_decimal_or_any_text_of_the_same_epsilon(
    texts: tuple[str, ...], sensitivity: int
) -> None:
    expected = reference_bound(texts[0], sensitivity)
    assert noise.noise_bound(Decimal(texts[0]), sensitivity) == expected
    for text in texts:
        assert noise.noise_bound(Epsilon.parse(text), sensitivity) == expected


def test_the_bound_does_not_depend_on_the_callers_decimal_context() -> None:
    expected = noise.noise_bound(Decimal("0.3"), 10**9 + 7)
    with localcontext() as ctx:
        ctx.prec, ctx.rounding = 3, ROUND_DOWN
        assert noise.noise_bound(Decimal("0.3"), 10**9 + 7) == expected
    assert expected == reference_bound("0.3", 10**9 + 7)


@pytest.mark.parametrize("epsilon", ["0.05", "0.5", "1", "3", "10"])
@pytest.mark.parametrize("sensitivity", [1, 2, 3, 20, 1000, 10**6])
def test_the_bound_is_the_smallest_with_a_tail_of_at_most_two_to_the_minus_forty(
    epsilon: str, sensitivity: int
) -> None:
    """2·exp(−ε(B + 1)/Δ) ≤ 2^−40 (the geometric tail that dominates every share's),
    and B − 1 would not do."""
    b = noise.noise_bound(Decimal(epsilon), sensitivity)
    a = float(epsilon) / sensitivity
    assert 2 * math.exp(-a * (b + 1)) <= 2.0**-noise.TAIL_BITS < 2 * math.exp(-a * b)


def test_known_bounds_at_epsilon_one() -> None:
    """The figures of docs/PROOFS.md and tests/benchmarks/proof_sizes.py."""
    assert noise.noise_bound(Decimal(1), 2) == 56  # a histogram or vote
    assert noise.noise_bound(Decimal(1), 5) == 142  # a choice of five options
    assert noise.noise_bound(Decimal(1), 10**7) == 284_190_344  # average, [0, 1e5], 2 dp


@pytest.mark.parametrize("epsilon", [Decimal(0), Decimal(-1), Decimal("NaN"), Decimal(11)])
def test_a_bound_for_an_unusable_epsilon_is_refused(epsilon: Decimal) -> None:
    with pytest.raises(SettingsError, match="ε"):
        noise.noise_bound(epsilon, 2)
    with pytest.raises(SettingsError, match="drown"):
        noise.noise_bound(Decimal(1), 2**53)


# --- honest shares never pass it ------------------------------------------------------


def test_shares_never_exceed_the_bound_the_proof_checks(monkeypatch: pytest.MonkeyPatch) -> None:
    """With 3 tail bits B is small enough (5 at ε = 1, Δ = 2) that untruncated draws pass it
    hundreds of times in 200,000: the shares drawn must stay within ±B all the same."""
    rng = np.random.Generator(np.random.PCG64DXSM(40))
    monkeypatch.setattr(noise, "TAIL_BITS", 3)
    bound = noise.noise_bound(Epsilon.parse("1.0"), 2)
    assert bound == 5
    share = noise.noise_share(5, Epsilon.parse("1.0"), 2, 200_000, rng, robust=1)
    assert np.abs(share).max() == bound
    untruncated = rng.negative_binomial(0.25, -math.expm1(-0.5), (2, 200_000))
    assert np.count_nonzero(np.abs(untruncated[0] - untruncated[1]) > bound) > 100


def test_a_float_epsilon_is_read_by_its_shortest_decimal_form() -> None:
    """0.1 as a float is exactly 0.1000000000000000055…, which gives another bound than the
    text "0.1" for a wide range (Δ = 4·10^14 here): why B is computed from ε's text."""
    wide = 4 * 10**14
    exact_float = Decimal(float("0.1"))
    assert noise.noise_bound(exact_float, wide) != noise.noise_bound(Decimal("0.1"), wide)
    assert noise.noise_bound(Decimal(repr(0.1)), wide) == noise.noise_bound(
        Epsilon.parse("0.1"), wide
    )


@pytest.mark.parametrize(("parties", "robust", "bound"), [(5, 1, 2), (10, 3, 1), (3, 1, 4)])
def test_a_truncated_share_follows_the_share_distribution_within_the_bound(
    parties: int, robust: int, bound: int
) -> None:
    """Rejection, not clipping: inside ±B the shares keep the shape of the untruncated
    distribution, renormalized (and nothing piles up at ±B)."""
    rng = np.random.Generator(np.random.PCG64DXSM(7))
    draws = 200_000
    share = noise._truncated_share(parties, 1.0, 2, draws, rng, robust=robust, bound=bound)
    ks, pmf = noise.total_noise_pmf(parties, 1.0, 2, bound, shares=1, robust=robust)
    expected = pmf / pmf.sum()
    seen = np.array([np.count_nonzero(share == k) for k in ks]) / draws
    assert np.abs(share).max() <= bound
    assert 0.5 * np.abs(seen - expected).sum() < 0.005
    clipped = pmf.copy()  # what clipping at ±B would give: the tails' mass on the ends
    clipped[[0, -1]] += (1.0 - pmf.sum()) / 2.0
    assert 0.5 * np.abs(seen - clipped).sum() > 0.01


# --- what the truncation costs, said in the privacy texts -----------------------------


def test_truncation_delta_counts_every_share_entry() -> None:
    per_entry = 2.0**-40
    assert noise.truncation_delta(1.0, 200, 1) == pytest.approx((1 + math.e) * 200 * per_entry)
    assert noise.truncation_delta(10.0, 200, 1000) == pytest.approx(
        (1 + math.exp(10)) * 200_000 * per_entry
    )


@pytest.mark.parametrize(
    ("delta", "words"),
    [
        (6.8e-10, "below one in a billion"),
        (1e-9, "below one in a hundred million"),
        (6.8e-9, "below one in a hundred million"),
        (2.1e-7, "below one in a million"),
        (4.0e-3, "below one in a hundred"),
        (0.05, "below one in ten"),
        (3e-14, "below one in ten trillion"),
        (0.25, "of up to 0.25"),
    ],
)
def test_delta_in_words(delta: float, words: str) -> None:
    assert below(delta) == words


@pytest.mark.parametrize("delta", [10.0**-k * m for k in range(2, 13) for m in (1.0, 1.5, 9.99)])
def test_delta_in_words_is_true_and_tight(delta: float) -> None:
    """ "below one in 10^k": δ < 10^−k, and not δ < 10^−(k+1)."""
    said = below(delta).removeprefix("below one in ")
    scale = {"ten": 1, "a hundred": 2, "a thousand": 3, "ten thousand": 4}
    scale |= {"a hundred thousand": 5, "a million": 6, "ten million": 7}
    scale |= {"a hundred million": 8, "a billion": 9, "ten billion": 10}
    scale |= {"a hundred billion": 11, "a trillion": 12, "ten trillion": 13}
    k = scale[said]
    assert delta < 10.0**-k <= 10 * delta * (1 + 1e-12)


NOISY = [name for name in kinds.KINDS if kinds.BY_NAME[name].private]


@pytest.mark.parametrize("name", NOISY)
def test_every_noisy_kind_states_its_delta_next_to_its_epsilon(name: str) -> None:
    kind = kinds.BY_NAME[name]
    q = _question(name, "1")
    text = kind.reveals(q, 5)
    entries = kind.vector_length(q)
    delta = noise.truncation_delta(1.0, MAX_PARTICIPANTS, entries)
    assert f"privacy setting ε = 1, except with a chance {below(delta)}" in text
    assert delta < 1e-6


def test_the_delta_grows_with_bars_and_epsilon_and_the_text_says_so() -> None:
    small = kinds.BY_NAME["dp_average"].reveals(_question("dp_average", "1"), 5)
    assert "ε = 1, except with a chance below one in a billion" in small
    wide = Question(
        kind="histogram",
        title="t",
        lo="0",
        hi="1000",
        bins=kinds.equal_width_edges("0", "1000", 1000, 0),
        epsilon="10",
    )
    assert "ε = 10, except with a chance below one in a hundred)" in kinds.BY_NAME[
        "histogram"
    ].reveals(wide, 5)


def _question(name: str, epsilon: str) -> Question:
    kind = kinds.BY_NAME[name]
    if kind.takes_options:
        return Question(
            kind=name, title="t", lo="1", hi="3", options=("A", "B", "C"), epsilon=epsilon
        )
    bins = ("0", "50", "100") if kind.about.bars else ()
    return Question(kind=name, title="t", lo="0", hi="100", bins=bins, epsilon=epsilon)
