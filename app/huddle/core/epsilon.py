"""The privacy setting ε of a noisy result, as a typed value.

The host sets ε as text ("1.0", "0.5"), and the question carries that text on
the wire, where the security code covers it byte for byte: "1.0" and "1" are
different questions to the code. `Epsilon` keeps both the text and the number,
read once (`Epsilon.parse`); everything else uses the number.

Rules of this file: pure; `SettingsError` for an ε that is not usable, in
words for the host; noise.py sets the limits.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from huddle.core.errors import SettingsError


@dataclass(frozen=True, slots=True)
class Epsilon:
    """ε: how much a noisy result may depend on any one person (smaller hides better)."""

    value: float
    text: str
    """As the host set it and the question carries it: "1.0"."""

    def __float__(self) -> float:
        return self.value

    @staticmethod
    def parse(text: str) -> Epsilon:
        """ε from the question's text; `SettingsError` in the host's words if unusable."""
        return _parse(text)


@functools.lru_cache(maxsize=256)
def _parse(text: str) -> Epsilon:
    # Cached: every figure of a noisy result asks for ε, and a question's text never changes.
    from huddle.core import noise  # numpy: only once there is noise to size

    if not text.strip():
        raise SettingsError(
            "Choose the privacy setting ε for a noisy result: 1.0 is usual; "
            "smaller is more private and less accurate."
        )
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        raise SettingsError("The privacy setting ε must be a number, for example 1.0.") from None
    if not value.is_finite() or value <= 0:
        raise SettingsError("The privacy setting ε must be a positive number, for example 1.0.")
    epsilon = float(value)
    noise.noise_scale(epsilon, 1)  # refuses ε = 0 after rounding, and ε that is absurdly big
    return Epsilon(epsilon, text)
