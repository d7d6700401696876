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
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from huddle.core.events import Event, RoundStarted, SessionEnded, Welcomed
from huddle.core.invite import Invite
from huddle.core.questions import Question
from huddle.net import addresses
from huddle.net.announce import Announcer
from huddle.net.browser import Browser
from huddle.net.discovery import DiscoveryEvent, FoundSession
from huddle.net.host_engine import HostEngine
from huddle.net.join_engine import JoinAttempts, Origin
from huddle.net.link import Timeouts
from huddle.net.probe import answering
from huddle.net.sinks import SpendSink

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Listening(Event):
    """Engine side: the hosted session accepts connections on ``port``.

    ``fingerprint`` is its certificate's, for the invite the host hands out.
    """

    port: int
    code: str
    fingerprint: bytes


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
    """A session this app hosts. Methods are safe to call from any thread."""

    def __init__(self, thread: EngineThread, engine: HostEngine) -> None:
        self._thread, self.engine = thread, engine
        self._announcer: Announcer | None = None

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

    def take_part(self) -> concurrent.futures.Future[None]:
        """The host person takes part in a re-run with the answer they gave before."""
        return self._thread.call(self.engine.take_part)

    def submit(self, text: str) -> concurrent.futures.Future[None]:
        return self._thread.call(self.engine.submit, text)

    def close(self) -> concurrent.futures.Future[None]:
        async def close_all() -> None:
            if self._announcer is not None:
                await self._announcer.close()
            await self.engine.close()

        return self._thread.spawn(close_all())

    def pending(self) -> concurrent.futures.Future[dict[int, str]]:
        """Who is waiting to be admitted now (people who gave up are gone from it)."""
        return self._thread.call(lambda: dict(self.engine.session.pending))

    # --- discovery: announcing this session on the LAN ---------------------------

    def advertise(self, addresses: list[str] | None = None) -> concurrent.futures.Future[str]:
        """Announce the session once it listens; the future holds the service name.

        ``addresses`` are where the host listens (default: every LAN address). The
        future fails with OSError when this network cannot do multicast.
        """

        async def start() -> str:
            self._announcer = Announcer(self.engine)
            return await self._announcer.start(addresses)

        return self._thread.spawn(start())

    def update_advert(self) -> concurrent.futures.Future[None]:
        """Re-announce the joined count and state if they changed (call after lobby events)."""

        def refresh() -> None:
            if self._announcer is not None:
                self._announcer.refresh()

        return self._thread.call(refresh)


class Engine:
    """What the GUI uses: host or join sessions; events come to ``on_event``."""

    def __init__(self, on_event: Sink, *, timeouts: Timeouts | None = None) -> None:
        self._on_event = on_event
        self._timeouts = timeouts
        self._shut_down = False
        self.thread = EngineThread()
        self.on_spend: SpendSink | None = None
        """Writes ε to the person's privacy ledger, on the engine thread, before the
        noisy partial sum that spends it leaves (see `sinks.record_spending`)."""

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
            on_spend=self.on_spend,
        )
        handle = HostHandle(self.thread, engine)
        holder.append(handle)

        async def start() -> None:
            try:
                port = await engine.start(bind, 0)
            except OSError as exc:
                self._on_event(handle, EngineFailed(f"Could not open a port: {exc.strerror}"))
                return
            self._on_event(
                handle, Listening(port, engine.session.code, engine.certificate.fingerprint)
            )

        self.thread.spawn(start())
        return handle

    def join_any(
        self,
        addresses: Sequence[str],
        port: int,
        name: str,
        *,
        pin: bytes | None = None,
        origin: Origin = Origin.TYPED,
    ) -> Joining:
        """Join at the first of ``addresses`` that answers (a discovered session has several).

        ``pin``: the certificate fingerprint the host must show (from an invite or
        discovery). Only the last failure to connect is reported (as
        ``SessionEnded``), worded for where the address came from (``origin``).
        Leaving while still connecting stops the attempt for good.
        """
        return Joining(
            self.thread,
            self._on_event,
            addresses=addresses,
            port=port,
            name=name,
            pin=pin,
            origin=origin,
            timeouts=self._timeouts,
            on_spend=self.on_spend,
        )

    def join_invite(self, invite: Invite, name: str) -> Joining:
        """Join at a typed or pasted address; an invite's fingerprint is pinned."""
        return self.join_any([invite.host], invite.port, name, pin=invite.fingerprint)

    def join_found(self, found: FoundSession, name: str) -> Joining:
        """Join a session seen on the LAN, pinning its advertised certificate."""
        return self.join_any(
            found.addresses, found.port, name, pin=found.advert.fingerprint, origin=Origin.FOUND
        )

    def probe(self, found: FoundSession) -> concurrent.futures.Future[bool]:
        """Whether a listed session still accepts connections (see `probe.answering`).

        Once the engine has shut down, the future comes back cancelled: a timer
        of the window may still fire before the window goes.
        """
        if self._shut_down:
            future: concurrent.futures.Future[bool] = concurrent.futures.Future()
            future.cancel()
            return future
        return self.thread.spawn(answering(found.addresses, found.port))

    def browse(self, on_event: Callable[[DiscoveryEvent], None]) -> Browsing:
        """Watch the LAN for sessions; events arrive on the engine thread."""
        return Browsing(self.thread, Browser(on_event))

    def demo_peers(self, port: int, count: int, *, address: str = "127.0.0.1") -> list[Joining]:
        """Headless colleagues for `huddle --demo-peers N`: each joins the session at
        ``address:port`` and answers with a sample value as soon as it sees the question.
        """
        return [
            Joining(
                self.thread,
                _DemoPeer(index),
                addresses=[address],
                port=port,
                name=demo_name(index),
                pin=None,
                timeouts=self._timeouts,
            )
            for index in range(count)
        ]

    def shutdown(self) -> None:
        self._shut_down = True
        self.thread.stop()


class Joining:
    """A session this app joins or joined (see `Engine.join_any`).

    Methods are safe to call from any thread; leaving while still connecting
    stops the attempts for good.
    """

    def __init__(
        self,
        thread: EngineThread,
        on_event: Sink,
        *,
        addresses: Sequence[str],
        port: int,
        name: str,
        pin: bytes | None,
        timeouts: Timeouts | None,
        origin: Origin = Origin.TYPED,
        on_spend: SpendSink | None = None,
    ) -> None:
        self._thread = thread
        self.attempts = JoinAttempts(
            addresses,
            port,
            name,
            lambda event: on_event(self, event),
            pin=pin,
            origin=origin,
            timeouts=timeouts,
            on_spend=on_spend,
        )
        self.finished: concurrent.futures.Future[None] = thread.spawn(self.attempts.run())
        """Done when the connection is over (left, ended, or never made)."""

    def submit(self, text: str) -> concurrent.futures.Future[None]:
        return self._thread.call(self.attempts.submit, text)

    def cancel_round(self) -> concurrent.futures.Future[None]:
        return self._thread.call(self.attempts.cancel_round)

    def take_part(self) -> concurrent.futures.Future[None]:
        """Take part in a re-run with the answer given before (the person said so)."""
        return self._thread.call(self.attempts.take_part)

    def leave(self) -> concurrent.futures.Future[None]:
        def leave_now() -> None:
            if self.attempts.session is None:
                self.finished.cancel()  # still connecting: stop for good
            else:
                self.attempts.leave()

        return self._thread.call(leave_now)


class Browsing:
    """A running watch for sessions on the LAN (see `Engine.browse`)."""

    def __init__(self, thread: EngineThread, browser: Browser) -> None:
        self._thread, self._browser = thread, browser
        self.started: concurrent.futures.Future[None] = thread.spawn(browser.start())
        """Fails with OSError when this network cannot do multicast."""

    def close(self) -> concurrent.futures.Future[None]:
        async def close() -> None:
            try:
                await self._browser.close()
            except OSError as exc:
                log.info("could not stop browsing cleanly: %s", exc)

        return self._thread.spawn(close())


def lan_addresses() -> list[str]:
    """This computer's addresses that colleagues can join, best first."""
    return addresses.lan_addresses()


# --- demo peers -----------------------------------------------------------------

DEMO_NAMES = ("Alice", "Bob", "Carlos", "David", "Erin", "Frank", "Grace", "Heidi")
DEMO_VALUES = (3800, 2514, 2982, 3390)
"""The reference article's raises: used when they fit the question."""


def demo_name(index: int) -> str:
    base = DEMO_NAMES[index % len(DEMO_NAMES)]
    return base if index < len(DEMO_NAMES) else f"{base} {index // len(DEMO_NAMES) + 1}"


def demo_value(question: Question, index: int) -> str:
    """A plausible sample answer: the article's raises if they fit, else inside the range."""
    if index < len(DEMO_VALUES) and question.check_answer(str(DEMO_VALUES[index])) is None:
        return str(DEMO_VALUES[index])
    fp = question.fixed_point
    steps = int((fp.hi - fp.lo) * fp.scale)
    # Spread the peers over the middle half of the range, a little apart.
    offset = steps // 4 + (steps // 2) * ((index * 7) % 11) // 10
    return str(fp.decode(int(fp.lo * fp.scale) + offset))


class _DemoPeer:
    """A demo colleague's reactions (on the engine thread): answer when welcomed."""

    def __init__(self, index: int) -> None:
        self.index = index

    def __call__(self, handle: object, event: Event) -> None:
        if isinstance(event, Welcomed) and isinstance(handle, Joining):
            # The value is kept until the host starts the round.
            handle.attempts.submit(demo_value(event.question, self.index))
        elif isinstance(event, RoundStarted) and event.rerun and isinstance(handle, Joining):
            handle.attempts.take_part()  # a demo colleague always agrees to a re-run
        elif isinstance(event, SessionEnded):
            log.info("demo peer %s: %s", demo_name(self.index), event.reason)
