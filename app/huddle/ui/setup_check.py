"""What the host-setup fields describe: a question, or what is wrong with each field.

Apart from the page's widgets so that the rules read in one place and can be
checked without a window. `Question` itself has the final say on every
setting; this module only decides which field a `SettingsError` belongs to,
and which checks come first (a range that is no range makes every bar and
privacy message meaningless). Messages keep the page's translation context.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from PySide6.QtCore import QCoreApplication

from huddle.net.facade import Question
from huddle.net.records import (
    AVERAGE,
    BY_NAME,
    DEFAULT_EPSILON,
    MIN_PARTICIPANTS,
    AnswerForm,
    SettingsError,
    answer_range,
    check_options,
)

NO_RANGE = tuple(k.name for k in BY_NAME.values() if k.about.answer is not AnswerForm.NUMBER)
"""Kinds whose answers are not numbers typed in a range."""


def _tr(text: str) -> str:
    return QCoreApplication.translate("HostSetupPage", text)


@dataclass(frozen=True, slots=True)
class SetupFields:
    """The setup page's fields as typed (surrounding spaces included)."""

    title: str
    kind: str
    lo: str
    hi: str
    unit: str
    decimals: int
    min_people: int
    epsilon: str
    tag: str
    options: tuple[str, ...]
    bins: Callable[[str, str, int], tuple[str, ...]]
    """The bars setting's edges for a range (`BarsSetting.bins`); raises `SettingsError`."""
    robust: int = 0
    """How many people may add no noise (a noisy kind); 0 for the default."""


@dataclass(frozen=True, slots=True)
class SetupCheck:
    """The question, if every field is right; else a message for each field that is not."""

    question: Question | None
    title: str | None = None
    range: str | None = None
    people: str | None = None
    options: str | None = None
    bars: str | None = None
    privacy: str | None = None


def check_setup(fields: SetupFields) -> SetupCheck:
    """The question the fields describe, or why not, field by field."""
    title = " ".join(fields.title.split())
    title_error = None if title else _tr("Give the question a title.")
    range_error = _range_error(fields) if fields.kind not in NO_RANGE else None
    people_error = None
    if fields.min_people < MIN_PARTICIPANTS:
        people_error = _tr(
            "At least {n} people are needed: with two, each would learn the other's "
            "value from the result."
        ).format(n=MIN_PARTICIPANTS)
    if title_error or range_error or people_error:
        return SetupCheck(None, title=title_error, range=range_error, people=people_error)
    if fields.kind in NO_RANGE:
        return _answer_question(fields, title)
    return _numeric(fields, title)


def _range_error(fields: SetupFields) -> str | None:
    try:
        lo, hi = Decimal(fields.lo.strip()), Decimal(fields.hi.strip())
    except InvalidOperation:
        return _tr("Both ends of the range must be numbers, e.g. 0 and 10000.")
    if not (lo.is_finite() and hi.is_finite()):
        return _tr("Both ends of the range must be numbers, e.g. 0 and 10000.")
    if lo >= hi:
        return _tr("The lowest value must be below the highest.")
    return None


def _numeric(fields: SetupFields, title: str) -> SetupCheck:
    """A question answered with numbers: it, or the range, bars or privacy error.

    The range is checked as for an average, and for an exact kind as that kind too
    (a spread's squares need more room): all its errors are the range's. A noisy
    kind's bars are checked with the usual ε, so that a bad ε is not blamed on them.
    """
    kind = BY_NAME[fields.kind]
    try:
        question = _question(fields, title, AVERAGE)
        if not kind.private:
            question = _question(fields, title, kind.name)
    except SettingsError as exc:
        return SetupCheck(None, range=str(exc))
    if not kind.private:
        return SetupCheck(question)
    bins: tuple[str, ...] = ()
    if kind.about.bars:
        try:
            bins = fields.bins(fields.lo.strip(), fields.hi.strip(), fields.decimals)
            _question(fields, title, kind.name, bins, DEFAULT_EPSILON)
        except SettingsError as exc:
            return SetupCheck(None, bars=str(exc))
    try:
        return SetupCheck(_question(fields, title, fields.kind, bins, fields.epsilon))
    except SettingsError as exc:
        return SetupCheck(None, privacy=str(exc))


def _answer_question(fields: SetupFields, title: str) -> SetupCheck:
    """A vote, choice or poll: it, or what is wrong with its options or privacy."""
    kind = BY_NAME[fields.kind]
    opts = fields.options if kind.takes_options else ()
    if kind.takes_options:
        try:
            check_options(opts)
        except SettingsError as exc:
            return SetupCheck(None, options=str(exc))
    lo, hi = answer_range(kind.about.answer, opts) or ("0", "1")
    epsilon = fields.epsilon if kind.private else ""
    try:
        question = _question(
            fields, title, fields.kind, epsilon=epsilon, lo=lo, hi=hi, decimals=0, options=opts
        )
    except SettingsError as exc:
        return SetupCheck(None, privacy=str(exc))
    return SetupCheck(question)


def _question(
    fields: SetupFields,
    title: str,
    kind: str,
    bins: tuple[str, ...] = (),
    epsilon: str = "",
    **answers: object,
) -> Question:
    """The question of these fields as ``kind``; ``answers`` overrides how answers are
    given (lo, hi, decimals, options) for votes, choices and polls, which have no unit."""
    settings: dict[str, object] = {
        "unit": "" if answers else fields.unit.strip(),
        "decimals": fields.decimals,
        "lo": fields.lo.strip(),
        "hi": fields.hi.strip(),
    } | answers
    counted = BY_NAME[kind].spends_epsilon
    return Question(
        kind=kind,
        title=title,
        min_participants=fields.min_people,
        bins=bins,
        epsilon=epsilon,
        tag=" ".join(fields.tag.split()) if counted else "",
        robust=fields.robust if BY_NAME[kind].private else 0,
        **settings,  # type: ignore[arg-type]
    )
