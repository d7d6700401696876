"""The kinds of result, one module each, and the registry that lists them.

`Question` is the record (what the host sets, what travels inside `Welcome`,
what the security code covers); a `Kind` is the behaviour behind its `kind`
field. Everything about a kind lives in its own module here: its settings and
their checks (`Kind.check`), its setup row and command-line flags (`About`),
how answers are read and encoded (`Kind.parse`, `Kind.encode_answer`), what a
valid answer is to the proof every member checks (`Kind.circuit`), its noise
(`Kind.sensitivity`) and privacy cost, what it reveals, and its
`Summary`. This file only lists them, in the order the screens offer them.

To add a kind: write its module, instantiate it in the loop below, and, if the
screens should draw it their own way, give the desktop app a renderer
(`huddle.ui.result.RENDERERS`); without one it is drawn from its `Summary`, as
it is at the terminal. A kind that leaves out what every kind must declare is
refused here, at import (`register`).
"""

from __future__ import annotations

from huddle.core.kinds import (
    average,
    choice,
    dp_average,
    dp_spread,
    dp_vote,
    histogram,
    median,
    poll,
    spread,
    vote,
    vote_outcome,
)
from huddle.core.kinds.average import Average
from huddle.core.kinds.base import (
    DEFAULT_EPSILON,
    HISTOGRAM_SENSITIVITY,
    MAX_BINS,
    MAX_PARTICIPANTS,
    MIN_BINS,
    About,
    AnswerForm,
    Flag,
    Kind,
    Preview,
    Takes,
    answer_range,
    check_bin_count,
    check_noise,
    edges,
    epsilon_of,
    equal_width_edges,
    number_circuit,
    parse_epsilon,
    privacy_of,
    scaled_range,
)
from huddle.core.kinds.choice import Choice
from huddle.core.kinds.dp_average import DpAverage
from huddle.core.kinds.dp_spread import DpSpread
from huddle.core.kinds.dp_vote import DpVote
from huddle.core.kinds.histogram import Histogram
from huddle.core.kinds.poll import Poll
from huddle.core.kinds.settings import Settings
from huddle.core.kinds.spread import Spread
from huddle.core.kinds.vote import Vote, check_options
from huddle.core.kinds.vote_outcome import VoteOutcome

__all__ = [
    "AVERAGE",
    "BY_NAME",
    "CHOICE",
    "DEFAULT_EPSILON",
    "DP_AVERAGE",
    "DP_SPREAD",
    "DP_VOTE",
    "HISTOGRAM",
    "HISTOGRAM_SENSITIVITY",
    "KINDS",
    "MAX_BINS",
    "MAX_PARTICIPANTS",
    "MIN_BINS",
    "POLL",
    "SPREAD",
    "VOTE",
    "VOTE_OUTCOME",
    "About",
    "AnswerForm",
    "Average",
    "Choice",
    "DpAverage",
    "DpSpread",
    "DpVote",
    "Flag",
    "Histogram",
    "Kind",
    "KindDeclarationError",
    "Poll",
    "Preview",
    "Settings",
    "Spread",
    "Takes",
    "Vote",
    "VoteOutcome",
    "answer_range",
    "check_bin_count",
    "check_noise",
    "check_options",
    "edges",
    "epsilon_of",
    "equal_width_edges",
    "number_circuit",
    "parse_epsilon",
    "privacy_of",
    "register",
    "scaled_range",
]

AVERAGE = average.NAME
HISTOGRAM = histogram.NAME
DP_AVERAGE = dp_average.NAME
VOTE = vote.NAME
DP_VOTE = dp_vote.NAME
VOTE_OUTCOME = vote_outcome.NAME
POLL = poll.NAME
CHOICE = choice.NAME
SPREAD = spread.NAME
DP_SPREAD = dp_spread.NAME


class KindDeclarationError(TypeError):
    """A kind's module leaves out something every kind must declare (a bug, at import)."""


_DECLARED_HERE = ("name", "about", "reveals", "summarize")
"""What each kind's class must say itself: inherited from another kind, a half-done
kind would silently speak with that kind's words."""


def register(registry: dict[str, Kind], kind: Kind) -> None:
    """Add ``kind`` to ``registry``; `KindDeclarationError` if it is half-declared."""
    cls = type(kind)
    missing = [name for name in _DECLARED_HERE if name not in vars(cls)]
    if cls.check is Kind.check:
        missing.append("check")
    if cls.circuit is Kind.circuit:
        missing.append("circuit")
    if missing:
        raise KindDeclarationError(
            f"The kind {cls.__name__} does not declare {', '.join(missing)}."
        )
    if kind.name in registry:
        raise KindDeclarationError(f"Two kinds are called “{kind.name}”.")
    flags = {flag.name for flag in kind.about.flags}
    for other in registry.values():
        if taken := flags & {flag.name for flag in other.about.flags}:
            raise KindDeclarationError(f"{other.name} already has the flag {min(taken)}.")
        if not (kind.about.flags or other.about.flags):
            raise KindDeclarationError(
                f"Only one kind is asked for without a flag, and {other.name} is."
            )
    registry[kind.name] = kind


BY_NAME: dict[str, Kind] = {}
for _kind in (
    Average(),
    Histogram(),
    DpAverage(),
    Spread(),
    DpSpread(),
    Vote(),
    DpVote(),
    VoteOutcome(),
    Choice(),
    Poll(),
    median.Median(),
):
    register(BY_NAME, _kind)
KINDS = tuple(BY_NAME)
"""Every kind's name, in the order the screens offer them."""
