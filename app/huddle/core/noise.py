"""Distributed discrete Laplace noise: the differential-privacy arithmetic.

Every participant adds an integer noise share to its own vector before secret
sharing, so the exact histogram (or sum) exists nowhere. A share is
NB(1/(n−1), p) − NB(1/(n−1), p) per element, with p = 1 − exp(−ε/Δ): negative
binomials with the same p add up their first parameter, so any n−1 shares sum
to NB(1, p) − NB(1, p), which is the discrete Laplace with pmf ∝ exp(−ε|k|/Δ).

That assumes at most one member adds no noise. The host chooses k, the number
of members who may add none (a modified app, or colleagues who subtract their
own shares from the result together): each share is then
NB(1/(n−k), p) − NB(1/(n−k), p), so any n−k honest shares make the full
discrete Laplace (more shares only add independent noise, which costs no
privacy). When all n are honest the released noise is wider,
NB(r, p) − NB(r, p) with r = n/(n−k), and the error bounds shown to people are
computed from that exact distribution. If fewer than n−k shares are honest, the
guarantee weakens to `exposed_epsilon`.

Truncation (issue 15). Each member proves its share lies within ±B per entry
(`noise_bound`, the smallest B with P(|share| > B) ≤ 2^−TAIL_BITS), so honest
shares are drawn truncated there: an entry beyond ±B is drawn again
(rejection). A truncated share is within total variation 2^−TAIL_BITS of the
untruncated one, so the release is (ε, δ)-private with δ below
(1 + e^ε)·parties·entries·2^−TAIL_BITS (`truncation_delta`). Every member must
compute the very same B from the question, so B comes from ε's decimal text
with `decimal` (correctly rounded, the same on every machine), never from a
float logarithm.

Rules of this file: pure functions, no clocks, no global RNG (the generator is a
parameter; `csprng_generator` makes a fresh one from the OS CSPRNG), and no
error text ever contains a drawn noise value.
"""

from __future__ import annotations

import functools
import math
import numbers
import secrets
from decimal import ROUND_CEILING, ROUND_HALF_EVEN, Context, Decimal, InvalidOperation
from typing import Protocol

import numpy as np
import numpy.typing as npt

from huddle.core.errors import SettingsError

Noise = npt.NDArray[np.int64]

# ε above 10 is refused: e^10 ≈ 22,000, so whoever sees the result may change
# their odds about any one person's answer by that factor — no protection worth
# the name — and with Δ = 2 the noise is exactly 0 in 98.7 % of bars. A value
# that large is nearly always a typo (10 for 1.0) or a wish for exact results,
# which is a different kind of question.
MAX_EPSILON = 10.0

# Noise wider than 2^52 (Δ/ε) is refused: it would swamp any answer, and it keeps
# every draw exactly representable in a float and far inside int64 (a draw of
# 2^62 would need ~1000 scales, probability ≈ e^−1000).
MAX_SCALE = 2.0**52

# Exact distributions are tabulated up to this scale. Beyond it, error bounds
# use the exact distribution at this scale, stretched (see `error_bound`).
_EXACT_SCALE = 2.0**13

# NB(r ≤ 2, p) pmf beyond _TAIL_SCALES · Δ/ε carries less than ~1e−16 mass.
_TAIL_SCALES = 42.0

TAIL_BITS = 40
"""Noise shares are truncated where at most 2^−TAIL_BITS of an entry's mass lies beyond."""
TAIL_MASS = 2.0**-TAIL_BITS
"""δ per entry: how far (total variation) one truncated entry is from the untruncated."""

# Decimal arithmetic of the noise bound: 60 digits leave over 40 after the point for
# the largest bound (about 2^57), and a fixed context makes it the same everywhere.
_EXACT = Context(prec=60, rounding=ROUND_HALF_EVEN, Emax=999_999, Emin=-999_999)


class TypedEpsilon(Protocol):
    """ε as the question carries it (`huddle.core.epsilon.Epsilon`): its decimal text."""

    @property
    def text(self) -> str: ...


ExactEpsilon = Decimal | TypedEpsilon
"""ε read exactly: a `Decimal`, or the question's typed ε (its text)."""


def noise_probability(epsilon: float, sensitivity: int) -> float:
    """The negative-binomial success probability p = 1 − exp(−ε/Δ)."""
    return -math.expm1(-_decay(epsilon, sensitivity))


def noise_scale(epsilon: float, sensitivity: int) -> float:
    """The discrete Laplace scale Δ/ε that any n−1 honest noise shares reach."""
    return 1.0 / _decay(epsilon, sensitivity)


def noise_std(parties: int, epsilon: float, sensitivity: int, *, robust: int = 1) -> float:
    """Standard deviation of the total noise when all n participants add theirs.

    Var = 2·r·(1−p)/p² with r = n/(n−k) (two independent NB(r, p)).
    """
    r = _shape(parties, parties, robust)
    a = _decay(epsilon, sensitivity)
    return math.sqrt(2.0 * r * math.exp(-a)) / -math.expm1(-a)


def csprng_generator() -> np.random.Generator:
    """A fresh numpy generator seeded with 256 bits from the OS CSPRNG.

    Make one per set of draws (per question): noise must never come from a
    fixed or default seed, or whoever knows the seed could subtract it.
    """
    entropy = secrets.randbits(256)
    return np.random.Generator(np.random.PCG64DXSM(np.random.SeedSequence(entropy)))


def noise_share(
    parties: int,
    epsilon: float | ExactEpsilon,
    sensitivity: int,
    size: int,
    rng: np.random.Generator,
    *,
    robust: int = 1,
) -> Noise:
    """One participant's integer noise share for each of `size` elements, within ±B.

    Draws NB(1/(n−k), p) − NB(1/(n−k), p) with k = ``robust``; the shares of
    any n−k participants together are discrete Laplace with scale Δ/ε. Each
    entry is truncated at B = `noise_bound` by drawing it again while it lies
    beyond (rejection: at most 2^−TAIL_BITS of the draws), so the share's
    proof of |entry| ≤ B holds. Pass the question's ε (`Epsilon`) so that B is
    the bound the proof checks; a float is read by its shortest decimal form.
    A group of n ≤ k + 1 is refused: fewer than two honest shares would carry
    the noise. `rng` should come from `csprng_generator`. The result is secret:
    never log it.
    """
    check_robust(parties, robust)
    eps = _exact(epsilon)
    bound = noise_bound(eps, sensitivity)
    return _truncated_share(parties, float(eps), sensitivity, size, rng, robust=robust, bound=bound)


def _truncated_share(
    parties: int,
    epsilon: float,
    sensitivity: int,
    size: int,
    rng: np.random.Generator,
    *,
    robust: int,
    bound: int,
) -> Noise:
    """`noise_share` at any ``bound`` (the tests use small ones to see the rejection work)."""
    r = _shape(parties, 1, robust)
    p = noise_probability(epsilon, sensitivity)
    if isinstance(size, bool) or not isinstance(size, numbers.Integral) or size <= 0:
        raise SettingsError("There must be at least one bar (or value) to add noise to.")
    share = _draw(r, p, int(size), rng)
    beyond = np.flatnonzero(np.abs(share) > bound)
    while beyond.size:  # each entry independently, conditioned on |entry| ≤ bound
        share[beyond] = _draw(r, p, beyond.size, rng)
        beyond = beyond[np.abs(share[beyond]) > bound]
    return share


def _draw(r: float, p: float, size: int, rng: np.random.Generator) -> Noise:
    plus = rng.negative_binomial(r, p, size=size)
    minus = rng.negative_binomial(r, p, size=size)
    return np.asarray(plus - minus, dtype=np.int64)


def noise_bound(epsilon: ExactEpsilon, sensitivity: int) -> int:
    """B: the smallest bound with P(|share| > B) ≤ 2^−TAIL_BITS for every entry.

    A share NB(r, p) − NB(r, p) with r = 1/(n−k) ≤ 1 is dominated by a
    difference of two geometric variables, so P(|share| > B) ≤ 2·(1 − p)^(B+1)
    = 2·exp(−ε(B + 1)/Δ), whatever n and k; that is at most 2^−TAIL_BITS from
    B + 1 ≥ (TAIL_BITS + 1)·ln 2·Δ/ε on. Every member's app must find the same
    B from the question, or honest proofs fail: computed from ε's decimal
    value with `decimal` in a fixed context (correctly rounded ln 2), the same
    on any machine. Decimal("1") and the text "1.0" give the same B.
    """
    eps = _exact(epsilon)
    _decay(float(eps), sensitivity)  # the same checks (and refusals) as every noise figure
    reach = _EXACT.divide(
        _EXACT.multiply(_EXACT.multiply(TAIL_BITS + 1, _EXACT.ln(2)), int(sensitivity)), eps
    )
    return max(1, int(reach.to_integral_value(rounding=ROUND_CEILING)) - 1)


def truncation_delta(epsilon: float, parties: int, entries: int) -> float:
    """The δ truncating every noise share adds: (1 + e^ε)·parties·entries·2^−TAIL_BITS.

    Each of the parties·entries truncated entries is within total variation
    2^−TAIL_BITS of its untruncated draw, so the whole release is within
    η = parties·entries·2^−TAIL_BITS of the untruncated mechanism, which is
    ε-private; an η-close mechanism is (ε, (1 + e^ε)·η)-private.
    """
    return (1.0 + math.exp(float(epsilon))) * int(parties) * int(entries) * TAIL_MASS


def _exact(epsilon: float | ExactEpsilon) -> Decimal:
    """ε as an exact decimal: a float by its shortest form ("0.1"), ε typed by its text."""
    if isinstance(epsilon, Decimal):
        value = epsilon
    elif isinstance(epsilon, (int, float)):
        value = Decimal(repr(float(epsilon)))
    else:
        text = getattr(epsilon, "text", None)
        try:
            value = Decimal(text.strip()) if isinstance(text, str) else Decimal("NaN")
        except InvalidOperation:
            value = Decimal("NaN")
    if not value.is_finite():
        raise SettingsError("The privacy setting ε must be a positive number, for example 1.0.")
    return value


def discrete_laplace_pmf(
    k: npt.ArrayLike, epsilon: float, sensitivity: int
) -> npt.NDArray[np.float64]:
    """P(L = k) = tanh(ε/2Δ)·exp(−ε|k|/Δ), the noise of any n−1 honest shares."""
    a = _decay(epsilon, sensitivity)
    ks = np.abs(np.asarray(k, dtype=np.float64))
    return np.asarray(math.tanh(a / 2.0) * np.exp(-a * ks), dtype=np.float64)


def total_noise_pmf(
    parties: int,
    epsilon: float,
    sensitivity: int,
    support: int,
    *,
    shares: int | None = None,
    robust: int = 1,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]:
    """Exact pmf of the sum of the noise shares, on k = −support … support.

    By default all n shares (NB(n/(n−k), p) − NB(n/(n−k), p), k = ``robust``):
    the noise in the released result when everyone is honest. `shares` = n−k
    gives the discrete Laplace. Mass outside ±support is left out, so `pmf.sum()` says how much of
    the distribution the window holds. Computed from the NB pmf by FFT
    convolution; values are accurate to ~1e−15 absolute.
    """
    r = _shape(parties, parties if shares is None else shares, robust)
    a = _decay(epsilon, sensitivity)
    if isinstance(support, bool) or not isinstance(support, numbers.Integral) or support < 0:
        raise ValueError("support must be a non-negative integer")
    half = _difference_pmf(r, a, int(support))
    pmf = np.concatenate([half[:0:-1], half])
    return np.arange(-int(support), int(support) + 1, dtype=np.int64), pmf


def error_bound(
    parties: int,
    epsilon: float,
    sensitivity: int,
    confidence: float = 0.95,
    *,
    shares: int | None = None,
    robust: int = 1,
) -> int:
    """Smallest integer t with P(|noise| ≤ t) ≥ confidence.

    This is the accuracy of a released bar (or sum) for the noise actually
    added when all n participants are honest (or `shares` of them add noise).
    Up to a scale Δ/ε of 2^13 it is exact; beyond, it is the exact bound at
    scale 2^13 stretched to the real scale and rounded up, which is off by at
    most about three parts in 10^4 of the bound (checked in the tests), on
    the safe (larger) side.
    """
    r = _shape(parties, parties if shares is None else shares, robust)
    return _bound(r, epsilon, sensitivity, confidence)


def difference_bound(
    parties: int, epsilon: float, sensitivity: int, confidence: float = 0.95, *, robust: int = 1
) -> int:
    """Smallest integer t with P(|noise₁ − noise₂| ≤ t) ≥ confidence.

    noise₁ and noise₂ are the independent total noises of two released
    elements (two tallies): how far noise alone can reorder two counts. Their
    difference is NB(2r, p) − NB(2r, p), r = n/(n−k), so the same exact
    quantile (and the same stretching for wide noise) as `error_bound` applies.
    """
    return _bound(2.0 * _shape(parties, parties, robust), epsilon, sensitivity, confidence)


def lead_needed(
    parties: int,
    epsilon: float,
    sensitivity: int,
    options: int,
    confidence: float = 0.95,
    *,
    robust: int = 1,
) -> int:
    """A lead that noise overturns less than 1 − confidence of the time.

    If one option's true count exceeds every other's by at least this many,
    it has the largest noisy count (ties counted as losses) with probability at
    least ``confidence``: each of the ``options`` − 1 rivals overtakes it with
    probability P(D ≥ lead) = (1 − P(|D| ≤ lead − 1))/2 for the symmetric
    difference D of two noises, and a union bound adds those up.
    """
    if options < 2:
        raise SettingsError("A lead needs at least two options.")
    per_rival = 1.0 - 2.0 * (1.0 - confidence) / (options - 1)
    if per_rival <= 0.0:
        raise SettingsError("The confidence level must be between 0 and 1 (for example 0.95).")
    return difference_bound(parties, epsilon, sensitivity, per_rival, robust=robust) + 1


def sum_bound(
    parties: int,
    epsilon: float,
    sensitivity: int,
    terms: int,
    confidence: float = 0.95,
    *,
    robust: int = 1,
) -> int:
    """Smallest integer t with P(|noise₁ + … + noise_terms| ≤ t) ≥ confidence.

    The noise of ``terms`` released elements added together (a prefix of a
    histogram's bars: how many values lie below an edge), all n participants
    honest: NB(terms·r, p) − NB(terms·r, p), r = n/(n−k). Exact while the table
    stays small; beyond (noise scales wider than about 2^13, or thousands of
    terms), Chebyshev's bound on its exact variance, which is larger: safe.
    """
    if isinstance(terms, bool) or not isinstance(terms, numbers.Integral) or terms < 1:
        raise SettingsError("A sum of noise needs at least one element.")
    if not 0.0 < confidence < 1.0 - 1e-9:
        raise SettingsError("The confidence level must be between 0 and 1 (for example 0.95).")
    r = int(terms) * _shape(parties, parties, robust)
    a = _decay(epsilon, sensitivity)
    return _sum_quantile(r, a, confidence)


@functools.lru_cache(maxsize=64)
def _sum_quantile(r: float, a: float, confidence: float) -> int:
    reach = _TAIL_SCALES * max(1.0, math.sqrt(r)) / a  # the difference's window
    kmax = math.ceil(reach + (r + _TAIL_SCALES * max(1.0, math.sqrt(r))) / a) + 16  # each NB's
    if kmax > 1 << 20:
        variance = 2.0 * r * math.exp(-a) / math.expm1(-a) ** 2
        return math.ceil(math.sqrt(variance / (1.0 - confidence)))
    f = _nb_pmf(r, a, kmax)
    length = 1 << (2 * kmax + 1).bit_length()
    spectrum = np.fft.rfft(f, length)
    half = np.fft.irfft(spectrum * np.conj(spectrum), length)[: math.ceil(reach) + 1]
    half = np.clip(half, 0.0, None)
    inside = 2.0 * np.cumsum(half) - half[0]  # P(|D| ≤ t) for t = 0, 1, …
    found = int(np.searchsorted(inside, confidence))
    if found >= len(inside):  # not reached inside the window: never expected; stay safe
        variance = 2.0 * r * math.exp(-a) / math.expm1(-a) ** 2
        return math.ceil(math.sqrt(variance / (1.0 - confidence)))
    return found


def _bound(r: float, epsilon: float, sensitivity: int, confidence: float) -> int:
    """Smallest t with P(|X − Y| ≤ t) ≥ confidence, X, Y ~ NB(r, 1 − e^(−ε/Δ))."""
    if not 0.0 < confidence < 1.0 - 1e-9:
        raise SettingsError("The confidence level must be between 0 and 1 (for example 0.95).")
    scale = noise_scale(epsilon, sensitivity)
    if scale <= _EXACT_SCALE:
        return _quantile(r, 1.0 / scale, confidence)
    stretch = scale / _EXACT_SCALE
    return math.ceil((_quantile(r, 1.0 / _EXACT_SCALE, confidence) + 1) * stretch * (1 + 1e-4))


def default_robust(minimum: int) -> int:
    """The k a host is offered first: ⌊minimum / 3⌋, at least 1.

    The members who add no noise are modified apps, or colleagues who pool
    their own noise shares to subtract them from the result; a third of the
    smallest group the host accepts is the usual threshold of what a group can
    survive (Byzantine agreement tolerates fewer than a third), and it costs
    little: the released noise is √(n/(n−k)) times as wide as one discrete
    Laplace, at most √1.5 ≈ 1.22 (against √(n/(n−1)) for k = 1). Groups of
    three to five keep k = 1, which is all their minimum allows
    (`max_robust`).
    """
    return max(1, int(minimum) // 3)


def max_robust(minimum: int) -> int:
    """The largest k a group of at least ``minimum`` allows: two honest shares must remain."""
    return max(1, int(minimum) - 2)


def check_robust(parties: int, robust: int) -> None:
    """Refuse a group of n ≤ k + 1: fewer than two members would carry all the noise."""
    if parties <= robust + 1:
        raise SettingsError(
            f"With {parties} people and up to {robust} who may add no noise, fewer than "
            "two would carry the noise: the group is too small for this question."
        )


def width_factor(parties: int, robust: int) -> float:
    """How much wider (standard deviation) the released noise is than one discrete
    Laplace when all n add theirs: √(n/(n−k))."""
    return math.sqrt(_shape(parties, parties, robust))


def exposed_epsilon(
    parties: int, epsilon: float, sensitivity: int, honest: int, *, robust: int = 1
) -> float:
    """The ε that still holds when only ``honest`` of the n shares were added.

    With j < n−k honest shares the noise is NB(j/(n−k), p) − NB(j/(n−k), p),
    narrower and sharply peaked at 0. One person moves the vector by at most Δ
    in total (whole steps), and each step changes the privacy loss by at most
    L = max_x ln(P(D = x)/P(D = x + 1)) (telescoping), so Δ·L bounds the loss:
    exact for a histogram (Δ = 2, one step in each of two bars), an upper
    bound for sums. It is ε itself from n−k shares on, and ∞ with none (or
    when the noise is too wide to tabulate: no bound is claimed).
    """
    a = _decay(epsilon, sensitivity)
    if isinstance(honest, bool) or not isinstance(honest, numbers.Integral) or honest < 0:
        raise SettingsError("The number of honest noise shares must be a whole number.")
    if honest == 0:
        return math.inf
    r = _shape(parties, min(int(honest), int(parties)), robust)
    if r >= 1.0:
        return float(epsilon)
    return max(float(epsilon), _step_loss(r, a) * int(sensitivity))


@functools.lru_cache(maxsize=64)
def _step_loss(r: float, a: float) -> float:
    """max_x ln(P(D = x)/P(D = x + 1)) for D = X − Y, X, Y ~ NB(r, 1 − e^−a); ∞ when the
    table would be too large (wider than about 2^20 steps). The maximum sits at x = 0 for
    r < 1 (the peak); a short window around it is searched."""
    window = min(64, math.ceil(4.0 / a) + 2)
    if window + math.ceil(_TAIL_SCALES / a) + 16 > 1 << 20:
        return math.inf
    half = _difference_pmf(r, a, window)
    ratios = half[:-1] / half[1:]
    return float(np.max(np.log(ratios[np.isfinite(ratios) & (ratios > 0)])))


# --- helpers -----------------------------------------------------------------


def _decay(epsilon: float, sensitivity: int) -> float:
    """Validate ε and Δ; return a = ε/Δ, the per-step decay of the pmf."""
    try:
        eps = float(epsilon)
    except (TypeError, ValueError):
        raise SettingsError("The privacy setting ε must be a number, for example 1.0.") from None
    if not math.isfinite(eps) or eps <= 0.0:
        raise SettingsError("The privacy setting ε must be a positive number, for example 1.0.")
    if eps > MAX_EPSILON:
        raise SettingsError(
            f"ε above {MAX_EPSILON:g} gives no meaningful privacy; "
            "choose a smaller ε (1.0 is usual) or ask for an exact result instead."
        )
    if isinstance(sensitivity, bool) or not isinstance(sensitivity, numbers.Integral):
        raise SettingsError("The sensitivity must be a whole number.")
    if sensitivity < 1:
        raise SettingsError("The sensitivity must be at least 1.")
    if int(sensitivity) / eps > MAX_SCALE:
        raise SettingsError(
            "This much noise would drown the result: raise ε or narrow the allowed range."
        )
    return eps / int(sensitivity)


def _shape(parties: int, shares: int, robust: int = 1) -> float:
    """Validate n, the shares summed and k; return the NB shape shares/(n−k)."""
    if isinstance(parties, bool) or not isinstance(parties, numbers.Integral) or parties < 2:
        raise SettingsError("Noise can only be split among two or more participants.")
    if isinstance(shares, bool) or not isinstance(shares, numbers.Integral):
        raise SettingsError("The number of noise shares must be a whole number.")
    if not 1 <= shares <= parties:
        raise SettingsError("The number of noise shares must be between 1 and the group size.")
    if isinstance(robust, bool) or not isinstance(robust, numbers.Integral):
        raise SettingsError("The number of people who may add no noise must be a whole number.")
    if not 1 <= robust < parties:
        raise SettingsError(
            "The number of people who may add no noise must be at least 1 and below the group size."
        )
    return int(shares) / (int(parties) - int(robust))


def _nb_pmf(r: float, a: float, kmax: int) -> npt.NDArray[np.float64]:
    """NB(r, p = 1 − e^−a) pmf on 0…kmax, in log space.

    log C(k+r−1, k) = lgamma(k+r) − lgamma(r) − lgamma(k+1) is accumulated as
    Σ_{j≤k} log1p((r−1)/j): the same quantity without the cancellation between
    two huge lgamma values at large k.
    """
    log_p = math.log(-math.expm1(-a))
    j = np.arange(1, kmax + 1, dtype=np.float64)
    log_binom = np.concatenate([[0.0], np.cumsum(np.log1p((r - 1.0) / j))])
    k = np.arange(kmax + 1, dtype=np.float64)
    return np.asarray(np.exp(r * log_p - a * k + log_binom), dtype=np.float64)


def _difference_pmf(r: float, a: float, support: int) -> npt.NDArray[np.float64]:
    """P(X − Y = d) for d = 0…support, X, Y independent NB(r, p = 1 − e^−a)."""
    kmax = support + math.ceil(_TAIL_SCALES / a) + 16
    if kmax > 1 << 22:
        raise SettingsError("The noise for these settings is too wide to tabulate exactly.")
    f = _nb_pmf(r, a, kmax)
    length = 1 << (2 * kmax + 1).bit_length()  # no wrap-around in the FFT
    spectrum = np.fft.rfft(f, length)
    corr = np.fft.irfft(spectrum * np.conj(spectrum), length)[: support + 1]
    return np.asarray(np.clip(corr, 0.0, None), dtype=np.float64)


@functools.lru_cache(maxsize=64)  # the stretched bounds reuse one table of ~10^5 values
def _quantile(r: float, a: float, confidence: float) -> int:
    """Smallest t with P(|X − Y| ≤ t) ≥ confidence, X, Y ~ NB(r, 1 − e^−a)."""
    half = _difference_pmf(r, a, math.ceil(_TAIL_SCALES / a))
    inside = 2.0 * np.cumsum(half) - half[0]  # P(|D| ≤ t) for t = 0, 1, …
    return int(np.searchsorted(inside, confidence))
