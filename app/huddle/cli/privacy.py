"""Differential privacy on the command line: what is said about the ledger.

The ledger file is the desktop app's too (see `huddle.storage`).
"""

from __future__ import annotations

from datetime import datetime
from decimal import ROUND_CEILING, ROUND_HALF_EVEN, Decimal

from huddle import storage
from huddle.cli import results
from huddle.core.outcome import Outcome
from huddle.core.questions import DP_AVERAGE, HISTOGRAM, POLL, Question
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


def describe(outcome: Outcome) -> list[str]:
    """The human-readable lines for a noisy result, with its accuracy."""
    q = outcome.question
    if q.kind not in (HISTOGRAM, DP_AVERAGE):
        return results.describe(outcome)
    unit = f" {q.unit}" if q.unit else ""
    eps = f"ε = {outcome.epsilon:g}"
    if q.kind == HISTOGRAM:
        return [
            f"  noisy histogram ({eps}); each bar is within ±{outcome.noise_bound} people "
            "of the true count at 95 %:",
            *_bars(outcome, unit),
        ]
    places = q.decimals + 2
    average, spread = (
        _num(outcome.average, places),
        _num(outcome.average_error_bound, places, up=True),
    )
    total, total_spread = _num(outcome.sum), _num(outcome.error_bound, up=True)
    lines = [
        f"  noisy average {average}{unit} ± {spread} at 95 % ({eps}) — "
        f"noisy total {total}{unit} ± {total_spread}"
    ]
    if outcome.average != outcome.raw_average:
        lines.append(
            f"  (the noise pushed the average to {_num(outcome.raw_average, places)}, outside "
            "the allowed range; the nearest allowed value is shown)"
        )
    return lines


def _bars(outcome: Outcome, unit: str) -> list[str]:
    edges = [_num(e) for e in outcome.bin_edges]
    last = len(outcome.counts) - 1
    labels = [
        f"{edges[i]} ≤ x {'≤' if i == last else '<'} {edges[i + 1]}{unit}"
        for i in range(len(outcome.counts))
    ]
    width = max(len(label) for label in labels)
    top = max(*outcome.counts, 1)
    lines = []
    for label, count, raw in zip(labels, outcome.counts, outcome.raw_counts, strict=True):
        bar = "█" * round(_BAR_WIDTH * count / top)
        note = f"  (noise gave {raw})" if raw != count else ""
        lines.append(f"    {label:>{width}}  {bar:<{_BAR_WIDTH}} {count:>4}{note}")
    return lines


def _num(value: Decimal, places: int | None = None, *, up: bool = False) -> str:
    """A decimal for people: no exponent, at most ``places`` decimals (rounded
    outwards for error bounds), no trailing zeros."""
    if places is not None:
        value = value.quantize(Decimal(1).scaleb(-places), ROUND_CEILING if up else ROUND_HALF_EVEN)
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
