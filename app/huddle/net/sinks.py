"""Handing engine events to the app."""

from __future__ import annotations

import logging
from collections.abc import Callable

from huddle.core.events import Event

log = logging.getLogger(__name__)

EventSink = Callable[[Event], None]
"""Receives the events of one hosted or joined session, on the engine's loop."""


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
