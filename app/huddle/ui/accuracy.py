"""How accurate a noisy result will be, in words, for the host setup form.

Shown while the host picks ε and the minimum number of people, so they can
see what the noise does before anyone answers.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication

from huddle.core import kinds, noise
from huddle.core.outcome import CONFIDENCE
from huddle.core.questions import CHOICE, DP_VOTE, HISTOGRAM, VOTE_OUTCOME, Question
from huddle.ui import texts
from huddle.ui.privacy import BoundEstimator, BoundKey


def _tr(text: str) -> str:
    # The host setup page's translation context: these texts are part of that screen.
    return QCoreApplication.translate("HostSetupPage", text)


def accuracy_text(question: Question | None, people: int, bounds: BoundEstimator) -> str:
    """ε in plain words, and the error it gives with the minimum number of people."""
    words = _tr(
        "ε limits how much the result can depend on any one person. 1.0 is usual; "
        "smaller hides everyone better but makes the result noisier."
    )
    if question is None or not question.is_private:
        return words
    if question.kind in (VOTE_OUTCOME, CHOICE):
        return f"{words} {_lead_accuracy(question, people)}"
    key: BoundKey = (people, question.epsilon_value, question.sensitivity)
    bound = bounds.bound(key)
    if bound is None:
        return words + " " + _tr("Working out the accuracy…")
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
        kind = kinds.BY_NAME[question.kind]
        if isinstance(kind, kinds.Spread):
            factor = kind.layout(question).factor
        spread = question.fixed_point.decode(bound) / people / factor
        shown = texts.with_unit(spread, question, texts.EXTRA_AVERAGE_DIGITS)
        accuracy = _tr(
            "With {n} people, the average will be within ±{bound} of the true average "
            "({confidence} % of the time)."
        )
    confidence = round(CONFIDENCE * 100)
    return f"{words} {accuracy.format(n=people, bound=shown, confidence=confidence)}"


def _lead_accuracy(question: Question, people: int) -> str:
    """How big a lead the noise overturns less than 5 % of the time (cheap to compute:
    the noise of a vote or choice is narrow)."""
    confidence = round(CONFIDENCE * 100)
    lead = noise.lead_needed(
        people, question.epsilon_value, question.sensitivity, len(question.options)
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
    return text.format(n=people, lead=lead, confidence=confidence)
