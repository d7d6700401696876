"""A yes/no poll protected by randomized response, exactly as in the article.

Each person's own app flips a fair coin. Tails: it sends the true answer.
Heads: it flips a second coin and sends that instead (heads "yes", tails "no").
So a true "yes" is sent as "yes" with probability 3/4 and a true "no" with
probability 1/4; whatever anyone sees, the odds that a person's true answer was
"yes" change by at most a factor 3: ε = ln 3 for fair coins. The sent bits are
then added up with the secret-sharing protocol, so even the randomized answers
are never seen one by one.

With N "yes" sent among n people, E[N] = n/4 + k/2 for k true "yes", so
p̂ = 2N/n − 1/2 estimates the share k/n without bias. Its interval inverts
exact tests on the distribution of N given k (a sum of two binomials), so it
covers the truth at least 95 % of the time for any group and any k.

The coins are flipped by the poll kind (`huddle.core.kinds.poll`) with a coin
its caller passes in: a person's own app (`ParticipantSession`, from its
injected random source) or a screen that wants to show the person what their
app sent, which randomizes first and submits the result. An answer randomized
already travels to the protocol typed (`huddle.core.answers.YesNo` with
``randomized``), never as text; the truth never reaches the protocol
unrandomized.

Rules of this file: pure functions; coins are a parameter (`csprng_coin` in
production); no log or error ever contains an answer or a coin.
"""

from __future__ import annotations

import functools
import math
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from huddle.core.answers import AnswerError, Problem

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

EPSILON = math.log(3.0)
"""The privacy of one answer: P(send yes | yes) / P(send yes | no) = (3/4) / (1/4)."""
TRUTHFUL = 0.75
"""P(the sent answer equals the true one)."""
_YES = ("yes", "y", "1", "true")
_NO = ("no", "n", "0", "false")

Coin = Callable[[], bool]
"""A fair coin: True is heads."""


def csprng_coin() -> bool:
    """One fair coin flip from the OS CSPRNG (never a seeded generator), for callers
    outside the core to pass in."""
    return secrets.randbits(1) == 1


def coin_from(random_bytes: Callable[[int], bytes]) -> Coin:
    """A fair coin from a random source of bytes (a participant's injected one)."""

    def coin() -> bool:
        return random_bytes(1)[0] & 1 == 1

    return coin


@dataclass(frozen=True, slots=True)
class Response:
    """What this person's app did: for their own screen only, never sent or logged."""

    truth: bool
    first_heads: bool
    """Heads: the app sent the second coin instead of the truth."""
    second_heads: bool

    @property
    def sent(self) -> bool:
        return self.second_heads if self.first_heads else self.truth


def respond(truth: bool, coin: Coin) -> Response:
    """Flip the two coins for ``truth`` (the second is flipped always, so the
    number of flips says nothing)."""
    first, second = coin(), coin()
    return Response(truth, first, second)


def parse(text: str) -> bool:
    """The true answer a person typed (yes: True); `AnswerError` if neither yes nor no."""
    word = text.strip().casefold()
    if word in _YES:
        return True
    if word in _NO:
        return False
    raise AnswerError(Problem.NOT_YES_OR_NO)


# --- what the sum says ---------------------------------------------------------


def estimate(sent_yes: int, people: int) -> float:
    """p̂ = 2N/n − 1/2: unbiased, and may fall outside 0 … 1 by chance."""
    return 2.0 * sent_yes / people - 0.5


def interval(sent_yes: int, people: int, confidence: float = 0.95) -> tuple[int, int]:
    """The true "yes" count k lies in [low, high] with at least ``confidence``.

    Every k whose exact two-sided test (equal tails) does not reject the
    observed N; N grows with k, so those k form an interval. If N is so
    extreme that no k passes (far less likely than 1 − confidence), the
    nearest end (0 or n) is returned.
    """
    tail = (1.0 - confidence) / 2.0
    below, above = _tails(people)
    n_obs = min(max(sent_yes, 0), people)
    passing = [k for k in range(people + 1) if below[k, n_obs] > tail and above[k, n_obs] > tail]
    if passing:
        return passing[0], passing[-1]
    end = 0 if 2 * n_obs < people else people
    return end, end


def sent_pmf(people: int, yes: int) -> npt.NDArray[np.float64]:
    """P(N = 0 … n) when ``yes`` of ``people`` truly answer yes."""
    import numpy as np  # the tables below load numpy only once a poll is counted

    return np.array(_pmfs(people)[yes], dtype=np.float64)


@functools.lru_cache(maxsize=32)
def _pmfs(people: int) -> npt.NDArray[np.float64]:
    """Row k: the distribution of N, Binomial(k, 3/4) + Binomial(n − k, 1/4)."""
    import numpy as np

    rows = np.zeros((people + 1, people + 1))
    for k in range(people + 1):
        rows[k] = np.convolve(_binomial(k, TRUTHFUL), _binomial(people - k, 1 - TRUTHFUL))
    return rows


@functools.lru_cache(maxsize=32)
def _tails(people: int) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """P(N ≤ x | k) and P(N ≥ x | k) for every k (rows) and x (columns)."""
    import numpy as np

    rows = _pmfs(people)
    below = np.cumsum(rows, axis=1)
    above = np.cumsum(rows[:, ::-1], axis=1)[:, ::-1]
    return below, above


def _binomial(trials: int, p: float) -> npt.NDArray[np.float64]:
    import numpy as np

    k = np.arange(trials + 1)
    coefficients = np.array([math.comb(trials, int(i)) for i in k], dtype=np.float64)
    return np.asarray(coefficients * p**k * (1 - p) ** (trials - k), dtype=np.float64)
