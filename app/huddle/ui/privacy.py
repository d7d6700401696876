"""Differential privacy in the app: the local ledger, and the accuracy of a setting.

The ledger file is the one the command line uses (`huddle.storage`): Qt's
``AppDataLocation`` for organization and application "Huddle", or the folder
in ``HUDDLE_DATA_DIR``. Tests give each window a `PrivacyLedger` at a path of
their own.

Error bounds (`facade.error_bound`) can take a fifth of a second for wide
ranges, so `BoundEstimator` computes them on a worker thread and caches them.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import functools
from datetime import UTC, datetime
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QObject, Signal

from huddle import storage
from huddle.net.facade import CONFIDENCE, Question, error_bound
from huddle.ui import texts


def tr(text: str, n: int = -1) -> str:
    return QCoreApplication.translate("privacy", text, None, n)


eps = texts.epsilon


def subject(tag: str) -> str:
    tag = " ".join(tag.split())
    return tr("questions tagged “{tag}”").format(tag=tag) if tag else tr("untagged questions")


class PrivacyLedger:
    """This person's ledger file, and the sentences the screens show about it."""

    def __init__(self, path: Path | None = None) -> None:
        self.store = storage.LedgerStore(path)
        """The same file as the command line's unless ``path`` says otherwise."""

    def load(self) -> storage.Ledger:
        return self.store.load()

    def already_spent(self, question: Question) -> str:
        """Before taking part: ε spent so far on this tag, and what taking part adds."""
        ledger = self.load()
        if ledger.corrupt:
            return tr(
                "Your privacy ledger on this computer could not be read, so how much "
                "privacy you spent on earlier questions is unknown."
            )
        spent, cost = ledger.spent(question.tag), question.release_epsilon
        if spent == 0:
            return tr(
                "Privacy budget: this is your first noisy answer on {subject} on this "
                "computer; it costs ε = {cost}."
            ).format(subject=subject(question.tag), cost=eps(cost))
        return tr(
            "Privacy budget: you have already spent ε = {spent} on {subject} on this "
            "computer. Answers on one subject add up: taking part brings it to ε = {total}, "
            "so together your answers are protected as if by ε = {total}."
        ).format(spent=eps(spent), subject=subject(question.tag), total=eps(spent + cost))

    def record(self, question: Question, epsilon: float, now: datetime | None = None) -> str:
        """Write down that this person spent ``epsilon``; the sentence to show."""
        try:
            ledger = storage.record_spending(
                self.store, question, epsilon, now or datetime.now(UTC)
            )
        except OSError as exc:
            return tr("Could not write to your privacy ledger ({reason}).").format(
                reason=exc.strerror or exc
            )
        return tr(
            "Recorded in your privacy ledger: ε = {cost}; you have now spent ε = {total} "
            "on {subject}."
        ).format(
            cost=eps(epsilon), total=eps(ledger.spent(question.tag)), subject=subject(question.tag)
        )


BoundKey = tuple[int, float, int, int]
"""(people, ε, sensitivity Δ, k who may add no noise)."""


class BoundEstimator(QObject):
    """95 % error bounds, computed off the GUI thread and remembered.

    Only the most recently asked bound is worked out: while someone types
    "1000000" digit by digit, the bounds for "1", "10", … are skipped.

    Signals:
        ready(key, bound): ``error_bound(*key)`` is now known.
    """

    ready = Signal(object, object)  # bounds can exceed a C int

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._known: dict[BoundKey, int] = {}
        self._asked: set[BoundKey] = set()
        self._latest: BoundKey | None = None

    def bound(self, key: BoundKey) -> int | None:
        """The bound if known; otherwise None, and `ready` follows once it is."""
        if key in self._known:
            return self._known[key]
        self._latest = key
        if key not in self._asked:
            self._asked.add(key)
            future = _pool().submit(self._compute, key)
            # A quick computation may already be done: then the callback runs here,
            # at once, and the bound is known now — say so rather than "not yet".
            future.add_done_callback(lambda done: self._done(key, done))
        return self._known.get(key)

    def _compute(self, key: BoundKey) -> int | None:
        if key != self._latest:
            return None  # superseded before its turn came
        people, epsilon, sensitivity, robust = key
        return error_bound(people, epsilon, sensitivity, CONFIDENCE, robust=robust)

    def _done(self, key: BoundKey, done: concurrent.futures.Future[int | None]) -> None:
        # On the worker thread: the signal is queued to the GUI thread.
        result = None if done.cancelled() or done.exception() else done.result()
        if result is None:
            self._asked.discard(key)  # may be asked again later
            return
        self._known[key] = result
        with contextlib.suppress(RuntimeError):  # the window closed meanwhile
            self.ready.emit(key, result)


@functools.cache
def _pool() -> concurrent.futures.ThreadPoolExecutor:
    return concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="huddle-bound")
