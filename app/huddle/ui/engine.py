"""The door (`huddle.net.facade`) on a thread of its own, for the GUI.

Qt's event loop and the door's asyncio loop each keep their own thread
(PySide6's QtAsyncio cannot run asyncio sockets or python-zeroconf). Every
method here returns at once with a `concurrent.futures.Future`; the work
happens on the engine thread, and events arrive through the ``on_event``
callback *on the engine thread*: `bridge.EngineBridge` turns them into Qt
signals, which Qt delivers to the GUI thread as queued calls.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import threading
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any, TypeVar

from huddle.net import facade
from huddle.net.facade import (
    Announced,
    Answer,
    DiscoveryEvent,
    Event,
    EventSink,
    FoundSession,
    Hosting,
    Invite,
    Joining,
    Question,
    SpendSink,
    Timeouts,
)

log = logging.getLogger(__name__)
T = TypeVar("T")

Sink = Callable[[object, Event], None]
"""Receives (handle, event): which session the event belongs to, and the event."""


@dataclass(frozen=True, slots=True)
class EngineFailed(Event):
    """A hosted session could not even start (e.g. no free port)."""

    reason: str


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
        """Cancel what is still running, stop the loop and close it."""

        async def wind_down() -> None:
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            self.loop.stop()

        if self._thread.is_alive():
            asyncio.run_coroutine_threadsafe(wind_down(), self.loop)
            self._thread.join(timeout)
        if not self._thread.is_alive() and not self.loop.is_closed():
            self.loop.close()


class HostHandle:
    """A session this app hosts (`facade.Hosting`). Methods are safe from any thread."""

    def __init__(self, thread: EngineThread, hosting: Hosting) -> None:
        self._thread, self._hosting = thread, hosting
        self.engine = hosting.engine
        """The engine below the door: for tests that play a faulty or hostile host."""

    @property
    def question(self) -> Question:
        return self._hosting.question

    def admit(self, conn: int) -> concurrent.futures.Future[None]:
        return self._thread.call(self._hosting.admit, conn)

    def admit_all(self) -> concurrent.futures.Future[None]:
        return self._thread.call(self._hosting.admit_all)

    def reject(self, conn: int) -> concurrent.futures.Future[None]:
        return self._thread.call(self._hosting.reject, conn)

    def start_round(self) -> concurrent.futures.Future[None]:
        return self._thread.call(self._hosting.start_round)

    def cancel_round(self) -> concurrent.futures.Future[None]:
        return self._thread.call(self._hosting.cancel_round)

    def remove(self, names: tuple[str, ...]) -> concurrent.futures.Future[None]:
        """Remove the members called ``names`` between rounds; the others get a new
        roster and security code. Someone gone already is skipped."""
        return self._thread.call(_remove, self._hosting, names)

    def take_part(self) -> concurrent.futures.Future[None]:
        """The host person takes part in a re-run with the answer they gave before."""
        return self._thread.call(self._hosting.take_part)

    def submit(self, answer: Answer) -> concurrent.futures.Future[None]:
        return self._thread.call(self._hosting.submit, answer)

    def close(self) -> concurrent.futures.Future[None]:
        return self._thread.spawn(self._hosting.close())

    def pending(self) -> concurrent.futures.Future[dict[int, str]]:
        """Who is waiting to be admitted now (people who gave up are gone from it)."""
        return self._thread.call(self._hosting.pending)

    def advertise(self, addresses: list[str] | None = None) -> concurrent.futures.Future[Announced]:
        """Announce the session once it listens; it stays current until closed.

        ``addresses`` are where the host listens (default: every LAN address). The
        future fails with OSError when this network cannot do multicast.
        """
        return self._thread.spawn(self._hosting.announce(addresses))


class JoinHandle:
    """A session this app joins or joined (`facade.Joining`).

    Methods are safe to call from any thread; leaving while still connecting
    stops the attempts for good.
    """

    def __init__(
        self, thread: EngineThread, join: Callable[[EventSink], Joining], on_event: Sink
    ) -> None:
        """``join`` makes the `facade.Joining`, given where its events go: to
        ``on_event``, with this handle, already from the first one."""
        self._thread = thread
        self._joining = join(lambda event: on_event(self, event))
        self.finished: concurrent.futures.Future[None] = thread.spawn(self._joining.run())
        """Done when the connection is over (left, ended, or never made)."""

    def submit(self, answer: Answer) -> concurrent.futures.Future[None]:
        return self._thread.call(self._joining.submit, answer)

    def cancel_round(self) -> concurrent.futures.Future[None]:
        return self._thread.call(self._joining.cancel_round)

    def take_part(self) -> concurrent.futures.Future[None]:
        """Take part in a re-run with the answer given before (the person said so)."""
        return self._thread.call(self._joining.take_part)

    def leave(self) -> concurrent.futures.Future[None]:
        return self._thread.call(self._joining.leave)


class Browsing:
    """A running watch for sessions on the LAN (see `Engine.browse`)."""

    def __init__(self, thread: EngineThread, on_event: Callable[[DiscoveryEvent], None]) -> None:
        self._thread = thread
        self._browser = facade.Browser(on_event)
        self.started: concurrent.futures.Future[None] = thread.spawn(self._browser.start())
        """Fails with OSError when this network cannot do multicast."""

    def close(self) -> concurrent.futures.Future[None]:
        async def close() -> None:
            try:
                await self._browser.close()
            except OSError as exc:
                log.info("could not stop browsing cleanly: %s", exc)

        return self._thread.spawn(close())


class Engine:
    """What the GUI uses: host or join sessions; events come to ``on_event``."""

    def __init__(self, on_event: Sink, *, timeouts: Timeouts | None = None) -> None:
        self._on_event = on_event
        self._timeouts = timeouts
        self._shut_down = False
        self.thread = EngineThread()
        self.on_spend: SpendSink | None = None
        """Writes ε to the person's privacy ledger, on the engine thread, before the
        noisy partial sum that spends it leaves (ledger first)."""

    def host(
        self, question: Question, name: str, *, contributes: bool, bind: str | None = None
    ) -> HostHandle:
        """Host ``question``; `facade.Listening` or `EngineFailed` follows."""
        holder: list[HostHandle] = []
        hosting = Hosting(
            question,
            name,
            lambda event: self._on_event(holder[0], event),
            contributes=contributes,
            timeouts=self._timeouts,
            on_spend=self.on_spend,
        )
        handle = HostHandle(self.thread, hosting)
        holder.append(handle)

        async def listen() -> None:
            try:
                listening = await hosting.listen(bind, 0)
            except OSError as exc:
                self._on_event(handle, EngineFailed(f"Could not open a port: {exc.strerror}"))
                return
            self._on_event(handle, listening)

        self.thread.spawn(listen())
        return handle

    def join_invite(self, invite: Invite, name: str) -> JoinHandle:
        """Join at a typed or pasted address; an invite's fingerprint is pinned."""
        return JoinHandle(
            self.thread,
            lambda sink: facade.join_invite(invite, name, sink, **self._options()),
            self._on_event,
        )

    def join_found(self, found: FoundSession, name: str) -> JoinHandle:
        """Join a session seen on the LAN, pinning its advertised certificate.

        Only the last failure to connect is reported (as ``SessionEnded``).
        """
        return JoinHandle(
            self.thread,
            lambda sink: facade.join_found(found, name, sink, **self._options()),
            self._on_event,
        )

    def probe(self, found: FoundSession) -> concurrent.futures.Future[bool]:
        """Whether a listed session still accepts connections (see `facade.probe`).

        Once the engine has shut down, the future comes back cancelled: a timer
        of the window may still fire before the window goes.
        """
        if self._shut_down:
            future: concurrent.futures.Future[bool] = concurrent.futures.Future()
            future.cancel()
            return future
        return self.thread.spawn(facade.probe(found))

    def browse(self, on_event: Callable[[DiscoveryEvent], None]) -> Browsing:
        """Watch the LAN for sessions; events arrive on the engine thread."""
        return Browsing(self.thread, on_event)

    def demo_peers(self, port: int, count: int, *, address: str = "127.0.0.1") -> list[JoinHandle]:
        """Headless colleagues for `huddle --demo-peers N` (see `facade.demo_peers`)."""
        peers = facade.demo_peers(address, port, count, timeouts=self._timeouts)
        # Their events go to their own reactions (`facade.demo_peers`), not to the window.
        return [JoinHandle(self.thread, _ready(peer), _ignore) for peer in peers]

    def shutdown(self) -> None:
        self._shut_down = True
        self.thread.stop()

    def _options(self) -> dict[str, Any]:
        return {"timeouts": self._timeouts, "on_spend": self.on_spend}


def _remove(hosting: Hosting, names: tuple[str, ...]) -> None:
    """Remove each of ``names`` through the door (on the loop)."""
    for name in names:
        hosting.remove(name)


def _ignore(handle: object, event: Event) -> None:
    pass


def _ready(joining: Joining) -> Callable[[EventSink], Joining]:
    """For a `Joining` made with its own sink: the one to run, whatever sink is offered."""
    return lambda _: joining
