"""Differential privacy on the command line: what is said about the ledger.

The ledger file is the desktop app's too (see `huddle.storage`).
"""

from __future__ import annotations

from datetime import datetime

from huddle import storage
from huddle.core.questions import POLL, Question
from huddle.storage import Ledger, LedgerStore

_BAR_WIDTH = 30


def subject(tag: str) -> str:
    return f"questions tagged “{tag.strip()}”" if tag.strip() else "untagged questions"


def before_joining(question: Question, ledger: Ledger) -> str:
    """What a person should know before adding to a noisy release (sequential composition)."""
    eps = question.release_epsilon
    how = "randomized on your computer" if question.kind == POLL else "released with noise"
    head = f"Privacy: this result is {how}, ε = {eps:.3g} (smaller is more private)."
    if ledger.corrupt:
        return f"{head} Your privacy ledger could not be read, so what you spent before is unknown."
    already = ledger.spent(question.tag)
    return (
        f"{head} You have already spent ε = {already:.3g} on {subject(question.tag)} "
        f"on this computer; taking part brings it to ε = {already + eps:.3g}."
    )


def record(store: LedgerStore, question: Question, epsilon: float, now: datetime) -> str:
    """Append this release to the ledger; the line to tell the person."""
    try:
        ledger = storage.record_spending(store, question, epsilon, now)
    except OSError as exc:
        return f"Could not record ε = {epsilon:g} in your privacy ledger {store.path}: {exc}"
    total = ledger.spent(question.tag)
    return (
        f"Privacy ledger: recorded ε = {epsilon:.3g}; you have now spent ε = {total:.3g} "
        f"on {subject(question.tag)} ({store.path})."
    )
