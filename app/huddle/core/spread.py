"""Spread: the standard deviation alongside the average, from sums of x and x².

Each person shares the vector [K·u, u²] where u = x·10^d − c is their value in
fixed-point units, shifted by the middle of the allowed range c. The sums give
the mean and the mean square of u; the variance is their difference, and it
does not change with the shift. Centring keeps u² — and so both the field
capacity it needs and the noise it calls for — four times smaller than x² for
a range starting at 0, and far smaller for ranges away from 0.

For the exact kind K = 1. For the noisy kind every element gets discrete
Laplace noise of the same scale Δ/ε (the participant adds one noise share per
element), where Δ is the L1 sensitivity of the whole vector: K·Δ₁ + Δ₂, with
Δ₁ the width of u's range and Δ₂ that of u². Scaling the first element by
K ≈ Δ₂/Δ₁ makes both elements equally sensitive, which splits ε about evenly
between the mean and the mean square — instead of burying the mean under
noise sized for the squares.

The standard deviation shown is that of the group itself (dividing by n).

Rules of this file: pure functions of the fixed-point settings; results are
computed from the (noisy) sums alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_HALF_EVEN, Decimal, localcontext

from huddle.core.errors import SettingsError
from huddle.core.fixed_point import FixedPoint


@dataclass(frozen=True, slots=True)
class Layout:
    """How values of one question become [K·u, u²]."""

    centre: int
    """c, in fixed-point units."""
    reach: int
    """The largest |u| an allowed value can have."""
    width: int
    """Δ₁: how far u can move when one person's value changes."""
    factor: int
    """K: 1 for the exact kind."""

    @property
    def square_width(self) -> int:
        """Δ₂: how far u² can move (the range of u contains 0, so 0 … reach²)."""
        return self.reach * self.reach

    @property
    def sensitivity(self) -> int:
        """The L1 sensitivity of [K·u, u²] under replacing one person's value."""
        return self.factor * self.width + self.square_width

    @property
    def largest(self) -> int:
        """The largest magnitude of either element, for the capacity check."""
        return max(self.factor * self.reach, self.square_width)


def layout(fp: FixedPoint, *, noisy: bool) -> Layout:
    lo, hi = fp.lo * fp.scale, fp.hi * fp.scale
    centre = int(((lo + hi) / 2).to_integral_value(ROUND_HALF_EVEN))
    reach = int(max(abs(lo - centre), abs(hi - centre)).to_integral_value(ROUND_CEILING))
    width = max(1, int((hi - lo).to_integral_value(ROUND_CEILING)))
    factor = max(1, round(reach * reach / width)) if noisy else 1
    return Layout(centre, reach, width, factor)


def check_capacity(fp: FixedPoint, parties: int) -> None:
    """Refuse ranges whose sums of the exact kind's [u, u²] over ``parties`` could wrap
    around the field (`FixedPoint.check_capacity`; the noisy kind's go through
    `kinds.base.check_noise`)."""
    shape = layout(fp, noisy=False)
    try:
        FixedPoint(0, Decimal(0), Decimal(shape.largest)).check_capacity(parties)
    except SettingsError:
        raise SettingsError(
            "The allowed range is too wide to work out a spread for this many people "
            "(it adds up squared values): narrow the range or use fewer decimals."
        ) from None


def encode(fp: FixedPoint, value: Decimal, shape: Layout) -> list[int]:
    u = fp.encode(value) - shape.centre
    return [shape.factor * u, u * u]


@dataclass(frozen=True, slots=True)
class Moments:
    """The mean and standard deviation decoded from the two sums, in value units."""

    mean: Decimal
    deviation: Decimal
    raw_mean: Decimal
    """Before post-processing (a noisy mean may leave the allowed range)."""
    raw_variance: Decimal
    """Before post-processing (a noisy variance may come out negative)."""


def moments(fp: FixedPoint, shape: Layout, total: tuple[int, ...], people: int) -> Moments:
    """Mean and standard deviation of ``people`` values from their summed vector.

    Exact kinds come out exact (to 28 significant digits). For noisy sums the
    mean is kept inside the allowed range and the variance inside 0 … the
    largest any values in that range can have, (hi − lo)²/4: post-processing
    that needs nothing but the noisy sums.
    """
    with localcontext() as ctx:
        ctx.prec = 40
        scale = Decimal(fp.scale)
        mean_u = Decimal(total[0]) / shape.factor / people
        raw_variance = (Decimal(total[1]) / people - mean_u * mean_u) / (scale * scale)
        raw_mean = (mean_u + shape.centre) / scale
        mean = fp.clamp(raw_mean)
        widest = (fp.hi - fp.lo) ** 2 / 4
        variance = min(max(raw_variance, Decimal(0)), widest)
        return Moments(mean, +variance.sqrt(), raw_mean, raw_variance)


def deviation_interval(
    fp: FixedPoint, shape: Layout, total: tuple[int, ...], people: int, bound: int
) -> tuple[Decimal, Decimal]:
    """Where the true standard deviation lies, if each sum's noise is within ±bound.

    The true mean of u and mean of u² lie in a box around the noisy ones; the
    variance is mean square − mean², so its lowest and highest values over the
    box bound the truth. With ``bound`` each sum's 97.5 % noise bound, both
    hold together at least 95 % of the time.
    """
    with localcontext() as ctx:
        ctx.prec = 40
        scale = Decimal(fp.scale)
        mean_u = Decimal(total[0]) / shape.factor / people
        spread_u = Decimal(bound) / shape.factor / people
        square = Decimal(total[1]) / people
        spread_sq = Decimal(bound) / people
        ends = (mean_u - spread_u, mean_u + spread_u)
        top = max(e * e for e in ends)
        bottom = Decimal(0) if ends[0] <= 0 <= ends[1] else min(e * e for e in ends)
        widest = (fp.hi - fp.lo) ** 2 / 4 * scale * scale
        low = min(max(square - spread_sq - top, Decimal(0)), widest)
        high = min(max(square + spread_sq - bottom, Decimal(0)), widest)
        return +(low.sqrt() / scale), +(high.sqrt() / scale)


def exact_deviation(values: list[Decimal]) -> Decimal:
    """The group's standard deviation computed in the clear (for tests and demos)."""
    with localcontext() as ctx:
        ctx.prec = 40
        mean = sum(values, Decimal(0)) / len(values)
        return +(sum(((v - mean) ** 2 for v in values), Decimal(0)) / len(values)).sqrt()
