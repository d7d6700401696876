"""A person's answer, read once: a typed value, or a structured reason it cannot be used.

Every kind reads what a person typed (`huddle.core.kinds.Kind.parse`) into one
of the typed answers below, and only that is encoded. When the text cannot be
used, `AnswerError` says why as a `Problem` with the figures a sentence needs
(``data``), so each front end words it its own way; ``str()`` of the error is
the English sentence the core has always given.

The typed answer is itself the secret: none of these records shows its value in
``repr``, and no error ever repeats what was typed.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from decimal import Decimal

from huddle.core.errors import InputError


class Problem(enum.Enum):
    """Why what someone typed cannot be an answer."""

    NOT_A_NUMBER = "not a number"
    GROUPING = "misplaced digit grouping"
    """data: ``separator``, the reader's group separator as shown to them."""
    DECIMALS = "too many decimals"
    """data: ``decimals``, the most the question allows."""
    RANGE = "out of range"
    """data: ``lo`` and ``hi``, the allowed range (`Decimal`)."""
    NO_OPTION = "no option"
    NOT_AN_OPTION = "not an option"
    """data: ``count``, the number of options."""
    NO_APPROVAL = "nothing ticked"
    NOT_YES_OR_NO = "not yes or no"


_WORDS = {
    Problem.NOT_A_NUMBER: (
        "That is not a number: use digits, an optional minus sign and a dot for decimals."
    ),
    Problem.GROUPING: (
        "That is not a number: use a dot for decimals; thousands may be grouped in threes, "
        "e.g. 12{separator}345.5."
    ),
    Problem.DECIMALS: "Use at most {decimals} decimal places.",
    Problem.RANGE: "Enter a value from {lo} to {hi}.",
    Problem.NO_OPTION: "Choose one of the options.",
    Problem.NOT_AN_OPTION: (
        "That is not one of the options: type its name or its number, 1 to {count}."
    ),
    Problem.NO_APPROVAL: "Tick at least one option you would be happy with.",
    Problem.NOT_YES_OR_NO: "Answer yes or no.",
}


def words(problem: Problem, **data: object) -> str:
    """The core's own English sentence for ``problem``."""
    return _WORDS[problem].format(**data)


class AnswerError(InputError):
    """What a person typed cannot be used; ``problem`` and ``data`` say why.

    The message is the English sentence; a front end with its own words for a
    problem uses ``problem`` and ``data`` instead of matching the text.
    """

    def __init__(self, problem: Problem, **data: object) -> None:
        super().__init__(words(problem, **data))
        self.problem = problem
        self.data = data


@dataclass(frozen=True, slots=True)
class Number:
    """A number within the question's range and decimals."""

    value: Decimal = field(repr=False)


@dataclass(frozen=True, slots=True)
class Pick:
    """One option, by its index in the question's list (a vote)."""

    index: int = field(repr=False)


@dataclass(frozen=True, slots=True)
class Picks:
    """At least one option, by index (a private choice)."""

    indexes: frozenset[int] = field(repr=False)


@dataclass(frozen=True, slots=True)
class YesNo:
    """The person's true answer to a poll, before their app randomizes it."""

    yes: bool = field(repr=False)
    randomized: bool = field(default=False, repr=False)
    """Already randomized by this app's coins (`Question.randomize`): what to send,
    not the truth."""


Answer = Number | Pick | Picks | YesNo
"""An answer as read, ready for its kind to encode."""
