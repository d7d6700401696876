"""Crossing from the engine thread to the GUI thread.

The engine calls back on its own asyncio thread. Everything here only emits Qt
signals; the bridge lives in the GUI thread, so Qt queues each emission and the
connected slots run on the GUI thread, in order.
"""

from __future__ import annotations

import concurrent.futures
import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal

from huddle.net.facade import DiscoveryEvent, Event

log = logging.getLogger(__name__)
OnResult = Callable[[Any], None]
OnError = Callable[[BaseException], None]


class EngineBridge(QObject):
    """Engine callbacks as Qt signals.

    Signals:
        session_event(handle, event): a session event; ``handle`` says which session.
        discovery(event): a `DiscoveryEvent` from browsing the LAN.
    """

    session_event = Signal(object, object)
    discovery = Signal(object)
    _settled = Signal(object, object, object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._settled.connect(self._call_back, Qt.ConnectionType.QueuedConnection)

    # --- called on the engine thread -------------------------------------------

    def session_sink(self, handle: object, event: Event) -> None:
        self.session_event.emit(handle, event)

    def discovery_sink(self, event: DiscoveryEvent) -> None:
        self.discovery.emit(event)

    # --- called on the GUI thread ----------------------------------------------

    def when_done(
        self,
        future: concurrent.futures.Future[Any],
        on_result: OnResult | None = None,
        on_error: OnError | None = None,
    ) -> None:
        """Run ``on_result(value)`` or ``on_error(exception)`` on the GUI thread later."""

        def settled(done: concurrent.futures.Future[Any]) -> None:
            self._settled.emit(done, on_result, on_error)

        future.add_done_callback(settled)

    def _call_back(
        self,
        future: concurrent.futures.Future[Any],
        on_result: OnResult | None,
        on_error: OnError | None,
    ) -> None:
        if future.cancelled():
            return
        error = future.exception()
        if error is None:
            if on_result is not None:
                on_result(future.result())
        elif on_error is not None:
            on_error(error)
        else:
            log.warning("an engine call failed: %s", error)
