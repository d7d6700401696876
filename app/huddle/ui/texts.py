"""Words and numbers for people: what a result reveals, and how values are shown."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal

from PySide6.QtCore import QCoreApplication, QLocale

from huddle.core.questions import HISTOGRAM, Question

EXTRA_AVERAGE_DIGITS = 2
"""An average shows up to this many decimals more than the values themselves."""


def tr(text: str, n: int = -1) -> str:
    return QCoreApplication.translate("texts", text, None, n)


def reveals(question: Question, people: int, *, at_least: bool = False) -> str:
    """What the result of ``people`` values tells whom, in plain words."""
    if question.is_private:
        return _reveals_noisy(question)
    if at_least:
        intro = tr("With at least %n people, everyone learns the average and the total.", people)
    else:
        intro = tr("With %n people, everyone learns the average and the total.", people)
    if people == 3:
        pooling = tr(
            "Any two of them together can work out the third's value from the average: "
            "they subtract their own two from the total."
        )
    else:
        pooling = tr(
            "Any {others} of them together can work out the remaining person's value from "
            "the average, by subtracting their own values from the total."
        ).format(others=people - 1)
    nobody = tr("Short of that, nobody — not even the host — learns anyone's value.")
    return f"{intro} {pooling} {nobody}"


def _reveals_noisy(question: Question) -> str:
    setting = epsilon(question.epsilon_value)
    if question.kind == HISTOGRAM:
        what = tr(
            "Everyone learns roughly how many values fall in each of the %n bars.",
            len(question.edges) - 1,
        )
    else:
        what = tr("Everyone learns a rough average; values are kept within the allowed range.")
    return (
        what
        + " "
        + tr(
            "Random noise is added inside the protocol (privacy setting ε = {epsilon}), so "
            "nobody — not the host, not everyone else together — can tell any one person's "
            "value from the result, and the exact figures exist nowhere."
        ).format(epsilon=setting)
    )


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
