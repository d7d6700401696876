"""Watching the LAN for Huddle sessions: `Browser`, and the CLI's one-shot helpers.

`Browser` reports `SessionAppeared` / `SessionChanged` / `SessionGone` (see
`discovery`) on its asyncio loop. It follows each session's SRV record TTL
itself, because zeroconf stretches PTR records to at least 1125 s, which would
keep a crashed host on screen for some 19 minutes; so a crashed host's session
goes within about two minutes (`discovery.DEFAULT_TTL`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncGenerator, Callable, Iterable
from functools import partial
from typing import Self

from zeroconf import (  # type: ignore[attr-defined]  # DNS* are public but not in __all__
    DNSOutgoing,
    DNSQuestion,
    InterfaceChoice,
    IPVersion,
    ServiceStateChange,
    current_time_millis,
)
from zeroconf.asyncio import AsyncServiceBrowser, AsyncServiceInfo, AsyncZeroconf

from huddle.core.advert import SERVICE_TYPE, decode_txt
from huddle.core.errors import LocalProtocolError, RemoteProtocolError
from huddle.net.addresses import local_networks, order_addresses
from huddle.net.discovery import (
    DiscoveryEvent,
    FoundSession,
    Interfaces,
    SessionAppeared,
    SessionChanged,
    SessionGone,
    Subscriber,
    loopback_only_by_env,
)

log = logging.getLogger(__name__)

RESOLVE_TIMEOUT = 3.0
MAX_SESSIONS = 256
"""Sessions a browser tracks at once; more are ignored (a flood from one machine)."""

_FLAGS_QR_QUERY, _CLASS_IN, _TYPE_TXT, _TYPE_SRV = 0x0000, 1, 16, 33  # RFC 1035, 2782


class Browser:
    """Watches the LAN for Huddle sessions until closed.

    Events: `SessionAppeared(found)`, `SessionChanged(found)`, `SessionGone(key)`,
    keyed by `FoundSession.key`. Subscribe with `on_event`/`subscribe` (called on
    the loop; must not block: a Qt GUI emits a signal and returns) or iterate
    `events()`. `snapshot()` is the current list. Invalid or hostile announcements
    are ignored with one warning each; nothing from the network raises out of here.
    """

    def __init__(
        self,
        on_event: Subscriber | None = None,
        *,
        zeroconf: AsyncZeroconf | None = None,
        interfaces: Interfaces = InterfaceChoice.All,
        ip_version: IPVersion = IPVersion.V4Only,
        resolve_timeout: float = RESOLVE_TIMEOUT,
    ) -> None:
        self._zc = zeroconf
        self._owns_zc = zeroconf is None
        self._interfaces = interfaces
        self._ip_version = ip_version
        self._resolve_ms = resolve_timeout * 1000
        self._browser: AsyncServiceBrowser | None = None
        self._found: dict[str, FoundSession] = {}
        self._resolving: dict[str, asyncio.Task[None]] = {}
        self._warned: dict[str, bytes] = {}
        self._subscribers: list[Subscriber] = [] if on_event is None else [on_event]
        self._queues: set[asyncio.Queue[DiscoveryEvent | None]] = set()
        self._timers: dict[str, asyncio.TimerHandle] = {}
        self._closed = False

    async def start(self) -> None:
        if self._browser is not None or self._closed:
            raise LocalProtocolError("A browser starts once.")
        if self._zc is None:
            interfaces = self._interfaces
            if loopback_only_by_env() and interfaces == InterfaceChoice.All:
                interfaces = ["127.0.0.1"]
            self._zc = AsyncZeroconf(interfaces=interfaces, ip_version=self._ip_version)
        self._browser = AsyncServiceBrowser(
            self._zc.zeroconf, [SERVICE_TYPE], handlers=[self._on_state_change]
        )

    async def close(self) -> None:
        """Stop browsing; `events()` iterators end. Safe to call twice."""
        if self._closed:
            return
        self._closed = True
        for queue in self._queues:
            queue.put_nowait(None)
        for timer in self._timers.values():
            timer.cancel()
        tasks = list(self._resolving.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        try:
            if self._browser is not None:
                await self._browser.async_cancel()
        finally:
            if self._zc is not None and self._owns_zc:
                await self._zc.async_close()

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    def snapshot(self) -> list[FoundSession]:
        """Sessions seen now, by title."""
        return sorted(self._found.values(), key=lambda f: (f.advert.title.casefold(), f.key))

    def subscribe(self, callback: Subscriber) -> Callable[[], None]:
        """Call `callback` with every future event; returns the unsubscribe function."""
        self._subscribers.append(callback)
        return lambda: self._subscribers.remove(callback) if callback in self._subscribers else None

    async def events(self, *, replay: bool = True) -> AsyncGenerator[DiscoveryEvent, None]:
        """Events until the browser closes, after a `SessionAppeared` per known session."""
        queue: asyncio.Queue[DiscoveryEvent | None] = asyncio.Queue()
        for found in self.snapshot() if replay else ():
            queue.put_nowait(SessionAppeared(found))
        if self._closed:
            queue.put_nowait(None)
        self._queues.add(queue)
        try:
            while (event := await queue.get()) is not None:
                yield event
        finally:
            self._queues.discard(queue)

    # zeroconf calls this on the loop, with keyword arguments.
    def _on_state_change(self, *, name: str, state_change: ServiceStateChange, **_: object) -> None:
        if self._closed:
            return
        if state_change is ServiceStateChange.Removed:
            if task := self._resolving.pop(name.lower(), None):
                task.cancel()
            self._forget(name)
        else:
            self._schedule_resolve(name)

    def _schedule_resolve(self, name: str) -> None:
        key = name.lower()
        if key not in self._found and len(self._found) + len(self._resolving) >= MAX_SESSIONS:
            self._warn(name, b"", f"more than {MAX_SESSIONS} sessions on the network")
            return
        if old := self._resolving.get(key):
            old.cancel()
        task = asyncio.get_running_loop().create_task(self._resolve(name))
        self._resolving[key] = task
        task.add_done_callback(partial(self._resolved, key))

    def _resolved(self, key: str, task: asyncio.Task[None]) -> None:
        if self._resolving.get(key) is task:
            del self._resolving[key]

    async def _resolve(self, name: str) -> None:
        assert self._zc is not None
        try:
            info = AsyncServiceInfo(SERVICE_TYPE, name)
            if not await info.async_request(self._zc.zeroconf, self._resolve_ms):
                log.debug("No answer from %r; it may have gone", name)
                return
            found = self._found_from(name, info)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # a name or record zeroconf itself cannot digest
            self._warn(name, b"", f"{type(exc).__name__}: {exc}")
            found = None
        if found is None:
            self._forget(name)
        else:
            self._publish(found)

    def _found_from(self, name: str, info: AsyncServiceInfo) -> FoundSession | None:
        try:
            advert = decode_txt(info.properties)
        except RemoteProtocolError as exc:
            self._warn(name, info.text or b"", str(exc))
            return None
        port = info.port
        if not isinstance(port, int) or not 0 < port < 65536:
            self._warn(name, info.text or b"", "it has no valid port")
            return None
        addresses = order_addresses(info.parsed_scoped_addresses(IPVersion.All), local_networks())
        if not addresses:
            self._warn(name, info.text or b"", "it has no usable address")
            return None
        return FoundSession(key=name, advert=advert, addresses=addresses, port=port)

    def _publish(self, found: FoundSession) -> None:
        key = found.key.lower()
        self._warned.pop(key, None)
        old = self._found.get(key)
        if old == found:
            return
        self._found[key] = found
        self._watch(key)
        self._emit(SessionAppeared(found) if old is None else SessionChanged(found))

    def _forget(self, name: str) -> None:
        if timer := self._timers.pop(name.lower(), None):
            timer.cancel()
        if old := self._found.pop(name.lower(), None):
            self._emit(SessionGone(old.key))

    def _watch(self, key: str) -> None:
        """Keep a known session's SRV record fresh, and forget the session when it expires.

        zeroconf stretches PTR records to at least 1125 s, so its browser would show a
        crashed host for ~19 minutes. The SRV record keeps the host's own TTL: like
        RFC 6762 §5.2, ask again at 80, 85, 90 and 95 % of it; at 100 % it is gone.
        """
        if timer := self._timers.pop(key, None):
            timer.cancel()
        found = self._found.get(key)
        if found is None or self._zc is None or self._closed:
            return
        now = current_time_millis()
        records = self._zc.zeroconf.cache.async_all_by_details(found.key, _TYPE_SRV, _CLASS_IN)
        srv = max(records, key=lambda r: r.get_expiration_time(100), default=None)
        if srv is None or srv.is_expired(now) or srv.ttl <= 0:
            self._forget(found.key)
            return
        elapsed = (now - srv.created) / (srv.ttl * 10)  # percent of the TTL
        if elapsed >= 80:
            self._refresh(found.key)
        step = min(100, max(80, 5 * (int(elapsed) // 5 + 1)))
        # Only a small floor: the record may have been renewed just after the last
        # timer was set, so the next mark can be moments away, and a second's
        # floor would overshoot all of a short TTL's marks up to its expiry.
        delay = max(0.05, (srv.get_expiration_time(step) - now) / 1000)
        loop = asyncio.get_running_loop()
        self._timers[key] = loop.call_later(delay, self._watch, key)

    def _refresh(self, name: str) -> None:
        assert self._zc is not None
        query = DNSOutgoing(_FLAGS_QR_QUERY)
        for record_type in (_TYPE_SRV, _TYPE_TXT):
            query.add_question(DNSQuestion(name, record_type, _CLASS_IN))
        self._zc.zeroconf.async_send(query)

    def _emit(self, event: DiscoveryEvent) -> None:
        for queue in self._queues:
            queue.put_nowait(event)
        for callback in list(self._subscribers):
            try:
                callback(event)
            except Exception:
                log.exception("A discovery subscriber failed on %s", type(event).__name__)

    def _warn(self, name: str, text: bytes, why: str) -> None:
        """One warning per bad record; repeats of the same record stay quiet."""
        key = name.lower()
        if self._warned.get(key) == text:
            return
        if len(self._warned) >= MAX_SESSIONS:
            self._warned.clear()
        self._warned[key] = text
        # %r: the name comes from the network; repr keeps it on one line.
        log.warning("Ignoring session announcement %r: %s", name, why)


# --- one-shot helpers for the CLI -------------------------------------------


async def find_sessions(
    timeout: float,
    *,
    until: Callable[[list[FoundSession]], bool] | None = None,
    interfaces: Interfaces = InterfaceChoice.All,
    ip_version: IPVersion = IPVersion.V4Only,
) -> list[FoundSession]:
    """Sessions seen within `timeout` seconds (or as soon as `until(sessions)` holds).

    mDNS has no "that is all" signal, so without `until` this always takes
    `timeout`; one to three seconds finds every responsive host on a LAN.
    """
    async with Browser(interfaces=interfaces, ip_version=ip_version) as browser:
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(timeout), contextlib.aclosing(browser.events()) as events:
                async for _ in events:
                    if until is not None and until(browser.snapshot()):
                        break
        return browser.snapshot()


def match_sessions(sessions: Iterable[FoundSession], query: str) -> list[FoundSession]:
    """Sessions a person means by `query`: a title or instance name (any case),
    else a session id prefix (4+ hex digits), else a title prefix."""
    sessions = list(sessions)
    wanted = query.strip().casefold()
    exact = [
        s
        for s in sessions
        if wanted in (s.advert.title.casefold(), s.instance.casefold(), s.key.casefold())
    ]
    if exact or not wanted:
        return exact
    if len(wanted) >= 4:
        by_id = [s for s in sessions if s.advert.session_id.hex().startswith(wanted)]
        if by_id:
            return by_id
    return [s for s in sessions if s.advert.title.casefold().startswith(wanted)]
