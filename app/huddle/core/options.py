"""The options of a vote or a private choice, and how a person's pick becomes a vector.

A vote is one option per person: a one-hot vector over the options, so the sum
over everyone is the tally of each option. A private choice is an approval
vote: tick any options, a 0/1 vector, so the sum counts how many approve each.

An answer names options by their text ("Thai place", any case) or by their
number in the list ("2"); text wins if an option's text is itself a number.
Several approvals are separated by commas, which is why options may not
contain one. The allowed "range" of such a question is 1 … number of options,
so anything that treats answers as numbers (demo colleagues, range checks)
still picks a valid option.

Rules of this file: pure functions; `SettingsError` for the host's options,
`AnswerError` for what a person typed, and no error ever repeats a typed answer.
"""

from __future__ import annotations

from huddle.core.answers import AnswerError, Problem
from huddle.core.errors import SettingsError

MIN_OPTIONS = 2
MAX_OPTIONS = 20
"""More options than this make a poor ballot, and for a private choice each
option adds to the noise every count needs (see `kinds.Choice`)."""
MAX_OPTION_LEN = 60
SEPARATOR = ","


def normalized(text: str) -> str:
    """The form in which options are compared: spaces collapsed, case folded."""
    return " ".join(text.split()).casefold()


def check(options: tuple[str, ...]) -> None:
    """Raise `SettingsError` unless ``options`` make a usable list."""
    if len(options) < MIN_OPTIONS:
        raise SettingsError(f"List at least {MIN_OPTIONS} options to choose from.")
    if len(options) > MAX_OPTIONS:
        raise SettingsError(f"At most {MAX_OPTIONS} options, please.")
    for option in options:
        if not option.strip():
            raise SettingsError("An option is empty: give every option a name.")
        if option != " ".join(option.split()):
            raise SettingsError("Options must not start or end with spaces or span lines.")
        if len(option) > MAX_OPTION_LEN:
            raise SettingsError(f"Keep each option under {MAX_OPTION_LEN} characters.")
        if SEPARATOR in option:
            raise SettingsError("Options must not contain a comma (commas separate choices).")
    if len({normalized(o) for o in options}) != len(options):
        raise SettingsError("Two options have the same name.")


def clean(texts: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """Options as the host typed them (one per line or entry): trimmed, blanks left out."""
    return tuple(" ".join(t.split()) for t in texts if t.strip())


def value_range(count: int) -> tuple[str, str]:
    """The (lo, hi) a question with ``count`` options carries: 1 to ``count``."""
    return "1", str(max(count, MIN_OPTIONS))  # one option is refused by `check`, not here


def pick(options: tuple[str, ...], text: str) -> int:
    """The index of the one option ``text`` names (by text or number)."""
    wanted = normalized(text)
    if not wanted:
        raise AnswerError(Problem.NO_OPTION)
    for index, option in enumerate(options):
        if normalized(option) == wanted:
            return index
    if wanted.isdigit() and 1 <= int(wanted) <= len(options):
        return int(wanted) - 1
    raise AnswerError(Problem.NOT_AN_OPTION, count=len(options))


def picks(options: tuple[str, ...], text: str) -> frozenset[int]:
    """The indexes of the options ``text`` approves (comma-separated; at least one)."""
    parts = [part for part in text.split(SEPARATOR) if part.strip()]
    if not parts:
        raise AnswerError(Problem.NO_APPROVAL)
    return frozenset(pick(options, part) for part in parts)


def one_hot(count: int, index: int) -> list[int]:
    vector = [0] * count
    vector[index] = 1
    return vector


def approvals(count: int, chosen: frozenset[int]) -> list[int]:
    return [1 if i in chosen else 0 for i in range(count)]


def answer_text(indexes: frozenset[int] | set[int] | list[int]) -> str:
    """What a screen submits for these (0-based) options: their numbers, e.g. "1,3"."""
    return SEPARATOR.join(str(i + 1) for i in sorted(indexes))
