"""The engine facade for the desktop app: thread-safe calls in, events out.

The GUI's Qt event loop and the asyncio engine each keep their own thread
(PySide6's QtAsyncio cannot run asyncio sockets or python-zeroconf). Every
method here returns at once; work happens on the engine thread, and events
arrive through the ``on_event`` callback *on the engine thread* — the UI wraps
it in a Qt signal, which Qt delivers to the GUI thread as a queued call.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import threading
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any, TypeVar

from huddle.core.events import Event
from huddle.core.questions import Question
from huddle.net.host_engine import HostEngine
from huddle.net.join_engine import JoinEngine
from huddle.net.link import Timeouts

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Listening(Event):
    """Engine side: the hosted session accepts connections on ``port``."""

    port: int
    code: str


@dataclass(frozen=True, slots=True)
class EngineFailed(Event):
    """Engine side: something could not even start (e.g. no free port)."""

    reason: str


Sink = Callable[[object, Event], None]
"""Receives (handle, event): which session the event belongs to, and the event."""


class EngineThread:
    """An asyncio loop on a daemon thread."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run, name="huddle-engine", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.run_forever()

    def call(self, fn: Callable[..., T], *args: Any) -> concurrent.futures.Future[T]:
        """Run a plain function on the engine thread; its exceptions land in the future."""
        future: concurrent.futures.Future[T] = concurrent.futures.Future()

        def work() -> None:
            try:
                future.set_result(fn(*args))
            except Exception as exc:  # handed to the caller through the future
                future.set_exception(exc)

        self.loop.call_soon_threadsafe(work)
        return future

    def spawn(self, coro: Coroutine[Any, Any, T]) -> concurrent.futures.Future[T]:
        return asyncio.run_coroutine_threadsafe(coro, self.loop)

    def stop(self, timeout: float = 5.0) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout)


class HostHandle:
    """A session this app hosts. Methods are safe to call from any thread."""

    def __init__(self, thread: EngineThread, engine: HostEngine) -> None:
        self._thread, self.engine = thread, engine

    @property
    def question(self) -> Question:
        return self.engine.session.question

    def admit(self, conn: int) -> concurrent.futures.Future[None]:
        return self._thread.call(self.engine.admit, conn)

    def admit_all(self) -> concurrent.futures.Future[None]:
        def admit_everyone() -> None:
            for conn in list(self.engine.session.pending):
                self.engine.admit(conn)

        return self._thread.call(admit_everyone)

    def reject(self, conn: int) -> concurrent.futures.Future[None]:
        return self._thread.call(self.engine.reject, conn)

    def start_round(self) -> concurrent.futures.Future[None]:
        return self._thread.call(self.engine.start_round)

    def cancel_round(self) -> concurrent.futures.Future[None]:
        return self._thread.call(self.engine.cancel_round)

    def submit(self, text: str) -> concurrent.futures.Future[None]:
        return self._thread.call(self.engine.submit, text)

    def close(self) -> concurrent.futures.Future[None]:
        return self._thread.spawn(self.engine.close())


class JoinHandle:
    """A session this app joined. Methods are safe to call from any thread."""

    def __init__(self, thread: EngineThread, engine: JoinEngine) -> None:
        self._thread, self.engine = thread, engine

    def submit(self, text: str) -> concurrent.futures.Future[None]:
        return self._thread.call(self.engine.submit, text)

    def cancel_round(self) -> concurrent.futures.Future[None]:
        return self._thread.call(self.engine.cancel_round)

    def leave(self) -> concurrent.futures.Future[None]:
        return self._thread.call(self.engine.leave)


class Engine:
    """What the GUI uses: host or join sessions; events come to ``on_event``."""

    def __init__(self, on_event: Sink, *, timeouts: Timeouts | None = None) -> None:
        self._on_event = on_event
        self._timeouts = timeouts
        self.thread = EngineThread()

    def host(
        self, question: Question, name: str, *, contributes: bool, bind: str | None = None
    ) -> HostHandle:
        holder: list[HostHandle] = []
        engine = HostEngine(
            question,
            name,
            lambda event: self._on_event(holder[0], event),
            contributes=contributes,
            timeouts=self._timeouts,
        )
        handle = HostHandle(self.thread, engine)
        holder.append(handle)

        async def start() -> None:
            try:
                port = await engine.start(bind, 0)
            except OSError as exc:
                self._on_event(handle, EngineFailed(f"Could not open a port: {exc.strerror}"))
                return
            self._on_event(handle, Listening(port, engine.session.code))

        self.thread.spawn(start())
        return handle

    def join(self, address: str, port: int, name: str, *, pin: bytes | None = None) -> JoinHandle:
        holder: list[JoinHandle] = []
        engine = JoinEngine(
            address,
            port,
            name,
            lambda event: self._on_event(holder[0], event),
            pin=pin,
            timeouts=self._timeouts,
        )
        handle = JoinHandle(self.thread, engine)
        holder.append(handle)
        self.thread.spawn(engine.run())
        return handle

    def shutdown(self) -> None:
        self.thread.stop()
