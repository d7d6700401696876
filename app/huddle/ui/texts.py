"""Words and numbers for people: what a result reveals, and how values are shown."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal
from typing import NamedTuple

from PySide6.QtCore import QCoreApplication, QLocale

from huddle.net.facade import Question
from huddle.net.records import BY_NAME

EXTRA_AVERAGE_DIGITS = 2
"""An average shows up to this many decimals more than the values themselves."""


def tr(text: str, n: int = -1) -> str:
    return QCoreApplication.translate("texts", text, None, n)


def reveals(question: Question, people: int, *, at_least: bool = False) -> str:
    """What the result of ``people`` values tells whom, in plain words (the kind's own)."""
    kind = BY_NAME[question.kind]
    return kind.reveals(question, people, at_least=at_least, epsilon_text=epsilon)


def percent(share: float) -> str:
    """A share (0 … 1) as a whole percentage for people: "40 %"."""
    return tr("{value} %").format(value=round(100 * share))


def epsilon(value: float) -> str:
    """The privacy setting ε for people: "1", "0.5", "2.25"."""
    return str(QLocale().toString(float(value), "g", 3))


def name_list(names: tuple[str, ...], me: str = "") -> str:
    """ "you, Bob and Carol": the people of a round, with yourself as "you"."""
    shown = [tr("you") if name == me else name for name in names]
    if len(shown) < 2:
        return "".join(shown)
    return tr("{first} and {last}").format(first=", ".join(shown[:-1]), last=shown[-1])


def allowed(question: Question) -> str:
    """The rule a value must follow, e.g. "A number from 0 to 10000, up to 2 decimals"."""
    fp = question.fixed_point
    low, high = typed(fp.lo), typed(fp.hi)
    if question.decimals == 0:
        return tr("A whole number from {low} to {high}.").format(low=low, high=high)
    if question.decimals == 1:
        return tr("A number from {low} to {high}, with up to 1 decimal.").format(low=low, high=high)
    return tr("A number from {low} to {high}, with up to %n decimals.", question.decimals).format(
        low=low, high=high
    )


def typed(value: Decimal) -> str:
    """A value the way people type it into Huddle: no grouping, no needless zeros."""
    return format(value.normalize(), "f")


def number(value: Decimal, question: Question, extra: int = 0) -> str:
    """A value in the reader's locale, with at most ``decimals + extra`` decimals."""
    places = question.decimals + extra
    rounded = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN)
    # Trailing zeros beyond the question's own decimals say nothing: drop them.
    shown = places
    while shown > question.decimals and rounded == rounded.quantize(Decimal(1).scaleb(1 - shown)):
        shown -= 1
    locale = QLocale()
    if abs(rounded) < Decimal(10) ** 15:
        return str(locale.toString(float(rounded), "f", shown))
    return str(rounded)


def with_unit(value: Decimal, question: Question, extra: int = 0) -> str:
    text = number(value, question, extra)
    return f"{text} {question.unit}" if question.unit else text


def average(value: Decimal, question: Question) -> str:
    return with_unit(value, question, EXTRA_AVERAGE_DIGITS)


def interval(low: Decimal, high: Decimal, question: Question) -> str:
    """A noisy average's 95 % interval, clipped to the allowed range: "2,600 – 3,600 EUR"."""
    fp = question.fixed_point
    low, high = fp.clamp(low), fp.clamp(high)
    return tr("{low} – {high}").format(
        low=number(low, question, EXTRA_AVERAGE_DIGITS), high=average(high, question)
    )


def standing(mine: Decimal, avg: Decimal, question: Question) -> str:
    """Where your own value stands relative to the average, computed on this computer."""
    diff = mine - avg
    gap = with_unit(abs(diff), question, EXTRA_AVERAGE_DIGITS)
    if diff == 0:
        return tr("Your value is exactly the average.")
    percent = ""
    if avg != 0:
        share = abs(diff / avg * 100)
        percent = " " + tr("({percent} %)").format(percent=QLocale().toString(float(share), "f", 1))
    if diff > 0:
        return tr("Your value is {gap} above the average{percent}.").format(
            gap=gap, percent=percent
        )
    return tr("Your value is {gap} below the average{percent}.").format(gap=gap, percent=percent)


class Ask(NamedTuple):
    """A question to confirm before doing something for everyone: its words and buttons."""

    title: str
    text: str
    yes: str
    no: str


def cancel_round_ask() -> Ask:
    """Before "Cancel round": it stops the round on every screen, not just this one."""
    return Ask(
        tr("Cancel the round?"),
        tr(
            "This stops the round for everyone in it. Nobody's value is revealed, and the "
            "host can run the round again."
        ),
        tr("Cancel round"),
        tr("Keep going"),
    )


def leave_ask(*, hosting: bool, stage: str, people: int) -> Ask | None:
    """What to ask before this person leaves a session at ``stage`` (see
    `huddle.ui.session.Current`) with ``people`` in it, themselves included; None when
    leaving strands nobody: alone, after the result, or a joiner outside a round."""
    if stage == "done" or people <= 1:
        return None
    if not hosting:
        if stage != "round":
            return None
        return Ask(
            tr("Leave the round?"),
            tr(
                "The round stops for everyone if you leave now. Nobody's value is revealed; "
                "the host can run it again without you."
            ),
            tr("Leave"),
            tr("Stay"),
        )
    if stage == "round":
        text = tr(
            "The round stops and everyone is sent home. Nobody's value is revealed, and "
            "there will be no result."
        )
    else:
        text = tr("Everyone in the session will be sent home.")
    return Ask(tr("Close the session?"), text, tr("Close session"), tr("Keep hosting"))
