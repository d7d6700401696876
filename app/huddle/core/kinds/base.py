"""What every kind of result shares: the `Kind` interface and the checks kinds reuse.

A kind sees the question only through `Settings` (`huddle.core.kinds.settings`),
the record's fields, so that this package imports nothing from
`huddle.core.questions` (which imports it to validate itself): no import circle,
even for type checking.

Rules of this package: pure functions of the settings they are given; errors
are `SettingsError` (the host's settings) or `AnswerError` (what a person
typed: a `Problem` and its figures), written for people, never repeating a
typed value.
"""

from __future__ import annotations

import enum
import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, ClassVar, NamedTuple

from huddle.core import options
from huddle.core import randomized_response as rr
from huddle.core.answers import Answer, Number, Pick, Picks, YesNo
from huddle.core.epsilon import Epsilon
from huddle.core.errors import SettingsError
from huddle.core.fixed_point import FixedPoint
from huddle.core.kinds.settings import Settings

if TYPE_CHECKING:
    from huddle.core import flp
    from huddle.core.kinds.summary import Released, Summary

MIN_BINS = 2
MAX_BINS = 1000
"""More bars than this are refused. Every bar gets its own noise (±6 to 7 people
at 95 % for ε = 1), so once a group of at most 200 people is spread over more than
a thousand bars nearly every bar holds 0 or 1 person and the chart shows little
but noise; meanwhile every partial sum carries 8 bytes per bar and the host
forwards all n of them to each of the n people. A chart people can read has
far fewer bars anyway."""

DEFAULT_EPSILON = "1.0"
HISTOGRAM_SENSITIVITY = 2

MAX_PARTICIPANTS = 200
"""The largest group a question is checked for (`huddle.core.questions`): its totals
must fit the field, and the privacy texts' δ counts this many noise shares."""

EpsilonText = Callable[[float], str]
"""How a front end writes ε for people ("1", "0.5", "0,5" in German)."""


def plain_epsilon(value: float) -> str:
    """ε with at most three significant digits: "1", "0.5", "2.25"."""
    return f"{value:.3g}"


class AnswerForm(enum.Enum):
    """How people answer: what the value screen asks for and how it is read."""

    NUMBER = "number"
    """A number typed within the allowed range."""
    ONE_OPTION = "one option"
    """One of the host's options (a vote)."""
    SOME_OPTIONS = "some options"
    """Any of the host's options, at least one (a private choice)."""
    YES_NO = "yes or no"


class Takes(enum.Enum):
    """What a kind's command-line flag takes after it."""

    NOTHING = "nothing"
    OPTIONS = "options"
    """The options, one per argument."""
    BARS = "bars"
    """A number of equal bars over the range."""
    EDGES = "edges"
    """Bar edges, the lowest value first and the highest last."""
    SOME_BARS = "some bars"
    """A number of equal bars, or the kind's own number when left out."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Flag:
    """A command-line flag that asks for a kind (``huddle host --vote A B C``)."""

    name: str
    """With its dashes: "--dp-vote"."""
    help: str
    takes: Takes = Takes.NOTHING
    bars: int = 0
    """The number of bars when a `Takes.SOME_BARS` flag is given without one."""

    @property
    def dest(self) -> str:
        """Where argparse keeps its value: "dp_vote"."""
        return self.name.removeprefix("--").replace("-", "_")


@dataclass(frozen=True, slots=True, kw_only=True)
class About:
    """What the host setup and the command line say about a kind, and how people answer."""

    label: str
    """Its name in the host's list: "Average (private, noised)"."""
    hint: str
    """One sentence under the list: what everyone will see."""
    answer: AnswerForm
    flags: tuple[Flag, ...]
    """The command-line flags that ask for it; none for the kind asked by default."""
    bars: bool = False
    """The host chooses bars over the range (a histogram and what is read from one)."""


def answer_range(form: AnswerForm, options: tuple[str, ...]) -> tuple[str, str] | None:
    """The (lo, hi) answers of this form are read in, with no decimals; None for numbers,
    which keep the range the host chose. Options are numbered 1 … their count
    (`huddle.core.options`), a poll's answers are 0 (no) and 1 (yes)."""
    from huddle.core import options as option_list

    if form is AnswerForm.YES_NO:
        return "0", "1"
    if form in (AnswerForm.ONE_OPTION, AnswerForm.SOME_OPTIONS):
        return option_list.value_range(len(options))
    return None


class Kind:
    """The behaviour of one kind of result (stateless; the question is passed in)."""

    name: ClassVar[str]
    about: ClassVar[About]
    private: ClassVar[bool] = False
    """True for kinds released with differential-privacy noise."""
    randomized: ClassVar[bool] = False
    """True for kinds whose answers are randomized on each person's own computer: they
    cost ε without noise (the poll)."""

    @property
    def takes_options(self) -> bool:
        """True for kinds whose answers are options the host lists."""
        return self.about.answer in (AnswerForm.ONE_OPTION, AnswerForm.SOME_OPTIONS)

    @property
    def spends_epsilon(self) -> bool:
        """Taking part costs ε and is written to each person's privacy ledger (under a tag)."""
        return self.private or self.randomized

    def check(self, q: Settings, max_parties: int) -> None:
        """Raise `SettingsError` unless the kind-specific settings make sense."""
        raise NotImplementedError

    def vector_length(self, q: Settings) -> int:
        return 1

    def parse(self, q: Settings, text: str) -> Answer:
        """What a person typed, read once into the answer its form asks for.

        `AnswerError` (a `Problem` and its figures) if it cannot be one; checks
        everything an answer must meet, so encoding it cannot fail.
        """
        form = self.about.answer
        if form is AnswerForm.NUMBER:
            return Number(q.fixed_point.parse(text))
        if form is AnswerForm.ONE_OPTION:
            return Pick(options.pick(q.options, text))
        if form is AnswerForm.SOME_OPTIONS:
            return Picks(options.picks(q.options, text))
        return YesNo(rr.parse(text))

    def randomize(
        self, q: Settings, answer: Answer, coin: rr.Coin
    ) -> tuple[Answer, rr.Response | None]:
        """The answer to encode, and the coins that made it, for kinds whose answers are
        randomized on the person's own computer (the poll); others return it as it is."""
        return answer, None

    def privacy_cost(self, q: Settings, *, published_before: bool) -> float:
        """The ε a partial sum costs this person: a noisy kind's ε every time (fresh
        noise each round); a randomized kind's once, since a re-run resends the same
        randomized answer; nothing for an exact kind."""
        if self.private:
            return epsilon_of(q)
        if self.randomized and not published_before:
            return self.release_epsilon(q)
        return 0.0

    def encode_answer(self, q: Settings, answer: Answer, coin: rr.Coin) -> list[int]:
        """An answer (`parse`) as the signed integers this person will share.

        ``coin`` is a fair coin for kinds whose answers are randomized on the
        person's own computer (the poll), if `randomize` did not run first;
        other kinds ignore it.
        """
        if not isinstance(answer, Number):
            raise TypeError(f"a {self.name} question is answered with a number")
        return self.encode(q, answer.value)

    def encode(self, q: Settings, value: Decimal) -> list[int]:
        """A parsed, in-range value as the signed integers this person will share."""
        return [q.fixed_point.encode(value)]

    def encode_text(self, q: Settings, text: str, coin: rr.Coin) -> list[int]:
        """`parse` then `encode_answer`: what a person typed, as the integers they share."""
        return self.encode_answer(q, self.parse(q, text), coin)

    def sensitivity(self, q: Settings) -> int:
        """Δ, the L1 distance one person's answer can move the vector; 0 for exact kinds."""
        return 0

    def release_epsilon(self, q: Settings) -> float:
        """The ε one release costs each person who answers (0 for exact kinds)."""
        return epsilon_of(q) if self.private else 0.0

    def reveals(
        self,
        q: Settings,
        people: int,
        *,
        at_least: bool = False,
        epsilon_text: EpsilonText = plain_epsilon,
    ) -> str:
        """What the result of ``people`` answers tells whom, said before anyone answers.

        ``at_least``: ``people`` is the minimum, not the group (the host's setup).
        """
        raise NotImplementedError

    def summarize(self, outcome: Released) -> Summary:
        """The finished round as figures, accuracy, chart and ``--json`` fields."""
        raise NotImplementedError

    def circuit(self, q: Settings) -> flp.Answer:
        """What a valid answer is, as the proof checks it (`huddle.core.flp.circuits`).

        It must accept exactly the vectors `encode_answer` makes of valid answers
        (every one of them, or honest members are named as cheats) and as few
        others as the family allows: the other members check every contribution
        against it before anything is summed (issue 15).
        """
        raise NotImplementedError

    def privacy_setting(self, q: Settings, epsilon_text: EpsilonText = plain_epsilon) -> str:
        """ "privacy setting ε = 1, except with a chance below one in a billion": a noisy
        kind's ε with the δ its truncated noise adds (`noise.truncation_delta`), for as
        many people as a question allows and this kind's number of noisy elements."""
        from huddle.core import noise

        epsilon = epsilon_of(q)
        delta = noise.truncation_delta(epsilon, MAX_PARTICIPANTS, self.vector_length(q))
        return f"privacy setting ε = {epsilon_text(epsilon)}, except with a chance {below(delta)}"

    def preview(self, q: Settings, people: int) -> Preview | None:
        """How accurate the result will be with ``people``, in words, before anyone
        answers (for the host choosing ε); None if the kind says nothing more."""
        return None


class Preview(NamedTuple):
    """A kind's accuracy in words before anyone answers."""

    text: str
    too_noisy: bool = False
    """The noise would be as large as what it hides: the result would be mostly noise."""


def noisy_words(setting: str) -> str:
    """The sentence every noisy kind's `Kind.reveals` ends with (``setting``:
    `Kind.privacy_setting`)."""
    return (
        f"Random noise is added inside the protocol ({setting}), so "
        "nobody — not the host, not everyone else together — can tell any one person's "
        "value from the result, and the exact figures exist nowhere."
    )


def parse_epsilon(text: str) -> float:
    """The privacy setting ε of a noisy result, validated (`huddle.core.epsilon`)."""
    return Epsilon.parse(text).value


def epsilon_of(q: Settings) -> float:
    """The question's ε as a number; `SettingsError` asking for one if it has none."""
    privacy = q.privacy
    return Epsilon.parse("").value if privacy is None else privacy.value


def check_noise(q: Settings, sensitivity: int, largest: Decimal | int, parties: int) -> None:
    """ε is sane, the noise is not absurdly wide, and the noisy total fits the field.

    ``largest`` is the biggest magnitude one person's element can have, in
    fixed-point units (1 for a histogram bar); ``parties`` the most
    contributors. Each noise share is within ±B per element (`noise.noise_bound`,
    proven by every member), so a total is within ±parties·(largest + B),
    exactly: that must not reach p/2.
    """
    from huddle.core import noise

    bound = noise.noise_bound(privacy_of(q), sensitivity)
    FixedPoint(0, Decimal(0), Decimal(largest)).check_capacity(parties, bound)


def privacy_of(q: Settings) -> Epsilon:
    """The question's typed ε; `SettingsError` asking for one if it has none."""
    return q.privacy or Epsilon.parse("")


def scaled_range(q: Settings) -> tuple[int, int]:
    """The fixed-point integers a number answer can encode to: lo·10^d … hi·10^d,
    rounded inwards (a range end may have more decimals than answers)."""
    fp = q.fixed_point
    lo, hi = math.ceil(fp.lo * fp.scale), math.floor(fp.hi * fp.scale)
    if lo > hi:
        raise SettingsError(
            f"No number with {fp.decimals} decimal places lies between {fp.lo} and {fp.hi}: "
            "allow more decimals or widen the range."
        )
    return lo, hi


def number_circuit(q: Settings) -> flp.Answer:
    """A number answer's circuit: one fixed-point integer within the range."""
    from huddle.core import flp

    return flp.Range(*scaled_range(q))


def below(delta: float) -> str:
    """ "below one in a billion": the smallest such power of ten above ``delta``."""
    if delta >= 0.1:
        return f"of up to {delta:.2g}"
    places = math.ceil(-math.log10(delta)) - 1  # 10^−places > delta
    group, rest = divmod(places, 3)
    if group == 0:
        return "below one in ten" if rest == 1 else "below one in a hundred"
    names = ("thousand", "million", "billion", "trillion")
    group = min(group, len(names))
    return f"below one in {('a ', 'ten ', 'a hundred ')[rest]}{names[group - 1]}"


def edges(q: Settings) -> tuple[Decimal, ...]:
    """The bar edges of a histogram question, validated against its range."""
    check_bin_count(len(q.bins) - 1)
    values = tuple(_edge(text) for text in q.bins)
    if any(a >= b for a, b in itertools.pairwise(values)):
        raise SettingsError("The bar edges must go up strictly from left to right.")
    fp = q.fixed_point
    if values[0] < fp.lo or values[-1] > fp.hi:
        raise SettingsError(f"Every bar edge must lie within the allowed range {fp.lo} to {fp.hi}.")
    if values[0] != fp.lo or values[-1] != fp.hi:
        raise SettingsError(
            f"The bars must cover the whole allowed range: the first edge must be {fp.lo} "
            f"and the last {fp.hi}, so that every allowed answer falls in a bar."
        )
    return values


def check_bin_count(count: int) -> None:
    if count < MIN_BINS:
        raise SettingsError(f"A histogram needs at least {MIN_BINS} bars.")
    if count > MAX_BINS:
        raise SettingsError(
            f"At most {MAX_BINS} bars: each bar carries its own noise, so with more bars "
            "than that nearly every bar holds one person or none and the chart shows "
            "mostly noise."
        )


def equal_width_edges(lo: str, hi: str, count: int, decimals: int) -> tuple[str, ...]:
    """Edges of ``count`` equal bars over [lo, hi], rounded to the answers' decimals.

    Rounding keeps every edge a value someone could type, so "lo ≤ x < edge"
    reads naturally; bars may then differ in width by one step.
    """
    check_bin_count(count)
    fp = FixedPoint(decimals, _edge(lo), _edge(hi))
    quantum = Decimal(1).scaleb(-decimals)
    try:
        step = (fp.hi - fp.lo) / count
        inner = [(fp.lo + step * i).quantize(quantum) for i in range(1, count)]
    except ArithmeticError:  # decimal's InvalidOperation and Overflow
        raise SettingsError("The allowed range is too wide for these decimals.") from None
    values = [fp.lo, *inner, fp.hi]
    if any(a >= b for a, b in itertools.pairwise(values)):
        room = math.floor((fp.hi - fp.lo) * fp.scale)
        raise SettingsError(
            f"With {decimals} decimal places, {fp.lo} to {fp.hi} has room for at most "
            f"{room} bars; choose fewer bars or more decimals."
        )
    return tuple(f"{v:f}" for v in values)


def _edge(text: str) -> Decimal:
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        raise SettingsError("A bar edge is not a number.") from None
    if not value.is_finite():
        raise SettingsError("A bar edge is not a number.")
    return value
