"""Reading a vote or a private choice: tallies, the leader, a majority, a noisy winner.

Everything here is a function of the released (possibly noisy) counts alone,
so for the noisy kinds it is post-processing: it costs no further privacy.

- An exact vote reports every tally and the leader(s).
- A noisy vote reports noisy tallies (negatives shown as 0) with their error.
- "Outcome only" reports just which option leads the noisy tallies and
  whether that noisy tally is over half the votes; the tallies themselves are
  not shown. (Every app still computes them, to check the host's sum; they
  carry the same noise as a noisy vote's.)
- A private choice reports the option with the largest noisy approval count:
  report-noisy-max. Ties in the noisy counts are broken by lot, with a lot
  drawn from a hash of the noisy counts themselves, so every screen picks the
  same winner and no option is favoured by its place in the list.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Leader:
    """The option(s) with the largest count, and whether that count is a majority."""

    options: tuple[int, ...]
    """Indexes of the option(s) sharing the largest count (more than one: a tie)."""
    count: int
    majority: bool
    """The largest count is more than half of the people."""

    @property
    def tied(self) -> bool:
        return len(self.options) > 1


def leader(counts: tuple[int, ...], people: int) -> Leader:
    top = max(counts)
    best = tuple(i for i, c in enumerate(counts) if c == top)
    return Leader(best, top, 2 * top > people and len(best) == 1)


@dataclass(frozen=True, slots=True)
class Winner:
    """The option a private choice picked (report-noisy-max)."""

    option: int
    tied_with: tuple[int, ...]
    """Other options whose noisy count equalled the winner's: it was drawn by lot."""


def noisy_winner(counts: tuple[int, ...], options: tuple[str, ...]) -> Winner:
    """The option with the largest noisy count; a tie is decided by a public lot."""
    top = max(counts)
    best = [i for i, c in enumerate(counts) if c == top]
    if len(best) == 1:
        return Winner(best[0], ())
    # The lot is a hash of everything released, so it is the same on every screen
    # and known to nobody before the noisy counts exist.
    seed = b"huddle/v1/choice-lot\x00" + b"".join(c.to_bytes(8, "big", signed=True) for c in counts)
    for option in options:
        seed += len(option.encode()).to_bytes(4, "big") + option.encode()

    def lot(index: int) -> bytes:
        return hashlib.sha256(seed + index.to_bytes(2, "big")).digest()

    chosen = min(best, key=lot)
    return Winner(chosen, tuple(i for i in best if i != chosen))


def shown(counts: tuple[int, ...]) -> tuple[int, ...]:
    """Noisy counts for display: negatives shown as 0 (pure post-processing)."""
    return tuple(max(0, c) for c in counts)
