"""How accurate a noisy result will be, in words, for the host setup form.

Shown while the host picks ε and the minimum number of people, so they can
see what the noise does before anyone answers. When the expected error is as
large as the group itself (±7 people per bar with 4 people), the words say so and
the page shows them as a warning rather than a hint.
"""

from __future__ import annotations

from typing import NamedTuple

from PySide6.QtCore import QCoreApplication

from huddle.net.facade import CONFIDENCE, Question
from huddle.net.records import (
    BY_NAME,
    CHOICE,
    DP_AVERAGE,
    DP_SPREAD,
    DP_VOTE,
    HISTOGRAM,
    VOTE_OUTCOME,
    Spread,
    lead_needed,
)
from huddle.ui import texts
from huddle.ui.privacy import BoundEstimator, BoundKey


def _tr(text: str) -> str:
    # The host setup page's translation context: these texts are part of that screen.
    return QCoreApplication.translate("HostSetupPage", text)


class Accuracy(NamedTuple):
    text: str
    too_noisy: bool = False
    """The noise is as large as what it hides: the result would be mostly noise."""


def accuracy_text(question: Question | None, people: int, bounds: BoundEstimator) -> Accuracy:
    """ε in plain words, and the error it gives with the minimum number of people."""
    words = _tr(
        "ε limits how much the result can depend on any one person. 1.0 is usual; "
        "smaller hides everyone better but makes the result noisier."
    )
    if question is None or not question.is_private:
        return Accuracy(words)
    if question.kind in (VOTE_OUTCOME, CHOICE):
        return _lead_accuracy(question, people, words)
    if question.kind not in (HISTOGRAM, DP_VOTE, DP_AVERAGE, DP_SPREAD):
        return _kind_accuracy(question, people, words)
    key: BoundKey = (people, question.epsilon_value, question.sensitivity, question.robust)
    bound = bounds.bound(key)
    if bound is None:
        return Accuracy(words + " " + _tr("Working out the accuracy…"))
    accuracy = _bound_accuracy(question, people, bound)
    return Accuracy(f"{words} {accuracy.text}", accuracy.too_noisy)


def _bound_accuracy(question: Question, people: int, bound: int) -> Accuracy:
    """How far each count, or the average, will be from the truth at 95 %; and whether
    that is as large as the group (counts) or the allowed range (averages)."""
    warning = ""
    if question.kind in (HISTOGRAM, DP_VOTE) and bound >= people:
        warning = _tr(
            "That is at least the whole group: with so few people the counts would be "
            "mostly noise. Choose a larger ε, or wait for more people."
        )
    if question.kind == HISTOGRAM:
        shown = str(bound)
        accuracy = _tr(
            "With {n} people, each bar will be within ±{bound} people of the true count "
            "({confidence} % of the time)."
        )
    elif question.kind == DP_VOTE:
        shown = str(bound)
        accuracy = _tr(
            "With {n} people, each tally will be within ±{bound} votes of the true count "
            "({confidence} % of the time)."
        )
    else:
        factor = 1
        kind = BY_NAME[question.kind]
        if isinstance(kind, Spread):
            factor = kind.layout(question).factor
        fp = question.fixed_point
        spread = fp.decode(bound) / people / factor
        shown = texts.with_unit(spread, question, texts.EXTRA_AVERAGE_DIGITS)
        accuracy = _tr(
            "With {n} people, the average will be within ±{bound} of the true average "
            "({confidence} % of the time)."
        )
        if 2 * spread >= fp.hi - fp.lo:
            warning = _tr(
                "That is as wide as the allowed range: with so few people the average "
                "would be mostly noise. Choose a larger ε, or wait for more people."
            )
    confidence = round(CONFIDENCE * 100)
    text = accuracy.format(n=people, bound=shown, confidence=confidence)
    return Accuracy(f"{text} {warning}".strip(), bool(warning))


def _lead_accuracy(question: Question, people: int, words: str) -> Accuracy:
    """How big a lead the noise overturns less than 5 % of the time (cheap to compute:
    the noise of a vote or choice is narrow)."""
    confidence = round(CONFIDENCE * 100)
    lead = lead_needed(
        people,
        question.epsilon_value,
        question.sensitivity,
        len(question.options),
        robust=question.robust,
    )
    if question.kind == CHOICE:
        text = _tr(
            "With {n} people, an option ahead of every other by {lead} approvals or more "
            "wins at least {confidence} % of the time."
        )
    else:
        text = _tr(
            "With {n} people, an option ahead of every other by {lead} votes or more is "
            "shown leading at least {confidence} % of the time."
        )
    text = f"{words} {text.format(n=people, lead=lead, confidence=confidence)}"
    if lead < people:
        return Accuracy(text)
    warning = _tr(
        "No lead this group can have is that large: the outcome would be mostly noise. "
        "Choose a larger ε, or wait for more people."
    )
    return Accuracy(f"{text} {warning}", too_noisy=True)


def _kind_accuracy(question: Question, people: int, words: str) -> Accuracy:
    """A kind without words of its own on this page speaks for itself (`Kind.preview`)."""
    preview = BY_NAME[question.kind].preview(question, people)
    if preview is None:
        return Accuracy(words)
    return Accuracy(f"{words} {_tr(preview.text)}", preview.too_noisy)
