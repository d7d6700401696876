"""Handing engine events to the app."""

from __future__ import annotations

import logging
from collections.abc import Callable

from huddle.core.events import Event, PrivacySpent

log = logging.getLogger(__name__)

EventSink = Callable[[Event], None]
"""Receives the events of one hosted or joined session, on the engine's loop."""

SpendSink = Callable[[PrivacySpent], None]
"""Writes a spending of ε to the person's privacy ledger, synchronously, on the
engine's loop: the engine sends the noisy partial sum only after it returns."""


def emit_safely(sink: EventSink, event: Event) -> None:
    """Hand an event to the app; a failing handler must not kill the connection.

    The failure is logged by type only: handlers see values and shares never,
    but an exception's text is not ours to vouch for.
    """
    try:
        sink(event)
    except Exception as exc:
        log.error("handling %s failed: %s", type(event).__name__, type(exc).__name__)
        log.debug("handler failure details", exc_info=True)


def record_spending(sink: SpendSink | None, event: PrivacySpent) -> None:
    """Record ε before the noisy partial sum leaves (ledger first, issue 14).

    Synchronous on purpose: a host that collects partial sums and then stops
    the round must still leave the spending on record. A failing ledger is
    logged and the front end says so; it does not stop the round.
    """
    if sink is None:
        return
    try:
        sink(event)
    except Exception as exc:
        log.error("recording ε in the privacy ledger failed: %s", type(exc).__name__)
