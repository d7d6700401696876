"""Finding sessions on the LAN: mDNS/DNS-SD with python-zeroconf's AsyncZeroconf.

`Advertiser` announces a hosted session; `Browser` watches the LAN and reports
`SessionAppeared` / `SessionChanged` / `SessionGone`; `find_sessions` is the
one-shot listing for the CLI. Everything runs on one asyncio loop; subscriber
callbacks run on that loop too. A Qt GUI whose engine loop lives on another
thread re-emits each event as a signal (Qt queues it across the threads).

Interfaces: zeroconf's `InterfaceChoice.All` with `IPVersion.V4Only`. Every LAN
we aim at has IPv4, IPv6 multicast sockets fail noisily on interfaces that only
have link-local or tentative addresses, and one family halves the traffic. The
records themselves may still carry IPv6 (AAAA) addresses when a host listens on
them (`lan_addresses(ipv6=True)`); browsers see those over IPv4 mDNS.

Lifetime: a clean `Advertiser.close()` sends goodbyes and browsers drop the
session at once. Records carry a 120 s TTL (RFC 6762's host-record TTL, here
for every record), and `Browser` follows the SRV record's TTL itself: zeroconf
stretches PTR records to at least 1125 s, which would keep a crashed host on
screen for some 19 minutes. So a crashed host's session goes within about two
minutes. A record is only a hint: the joiner pins the advertised certificate
fingerprint over TLS, so a stale or lying record fails the pin instead of
connecting anyone to the wrong machine.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import AsyncGenerator, Callable, Iterable
from dataclasses import dataclass
from functools import partial
from typing import Any, Self

from zeroconf import (  # type: ignore[attr-defined]  # DNS* are public but not in __all__
    DNSOutgoing,
    DNSQuestion,
    InterfaceChoice,
    IPVersion,
    NotRunningException,
    ServiceNameAlreadyRegistered,
    ServiceStateChange,
    current_time_millis,
)
from zeroconf.asyncio import AsyncServiceBrowser, AsyncServiceInfo, AsyncZeroconf

from huddle.core.advert import SERVICE_TYPE, Advert, decode_txt, encode_txt, instance_name
from huddle.core.errors import LocalProtocolError, RemoteProtocolError
from huddle.net.addresses import (
    advertised_addresses,
    local_networks,
    order_addresses,
)

log = logging.getLogger(__name__)

DEFAULT_TTL = 120
"""Seconds a record lives in other machines' caches without being refreshed."""
RESOLVE_TIMEOUT = 3.0
MAX_SESSIONS = 256
"""Sessions a browser tracks at once; more are ignored (a flood from one machine)."""

Interfaces = InterfaceChoice | list[str]
"""zeroconf's choice: `InterfaceChoice.All`, or the addresses of the interfaces to use."""

LOOPBACK_ONLY_ENV = "HUDDLE_MDNS_LOOPBACK_ONLY"


def loopback_only_by_env() -> bool:
    """Keep mDNS on 127.0.0.1 when this variable is set (the test suite sets it).

    Tests must never multicast onto the machine's real network; the namespace
    tests unset it for the processes they run inside their own namespaces.
    """
    return bool(os.environ.get(LOOPBACK_ONLY_ENV))


_FLAGS_QR_QUERY, _CLASS_IN, _TYPE_TXT, _TYPE_SRV = 0x0000, 1, 16, 33  # RFC 1035, 2782


# --- events -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FoundSession:
    """A session seen on the LAN. `addresses` are ordered best first."""

    key: str
    """The DNS-SD service name, unique on the LAN, e.g. ``Raise 2026._huddle._tcp.local.``."""
    advert: Advert
    addresses: tuple[str, ...]
    port: int

    @property
    def instance(self) -> str:
        """The instance label, e.g. ``Raise 2026-2`` after a name conflict."""
        return self.key[: -len(SERVICE_TYPE) - 1] if self.key.endswith(SERVICE_TYPE) else self.key


@dataclass(frozen=True, slots=True)
class SessionAppeared:
    found: FoundSession


@dataclass(frozen=True, slots=True)
class SessionChanged:
    """Its advert (joined count, state...) or its addresses changed."""

    found: FoundSession


@dataclass(frozen=True, slots=True)
class SessionGone:
    """The host said goodbye, the record aged out, or it turned invalid."""

    key: str


DiscoveryEvent = SessionAppeared | SessionChanged | SessionGone
Subscriber = Callable[[DiscoveryEvent], None]


# --- advertising ------------------------------------------------------------


class Advertiser:
    """Announces one hosted session until closed.

    Pass `zeroconf` to share an AsyncZeroconf (the advertiser then leaves it open,
    and announces through whatever interfaces it uses); otherwise one is opened
    on `start` with `interfaces`, by default all of them, or loopback only when
    loopback is all there is to announce.
    """

    def __init__(
        self,
        *,
        zeroconf: AsyncZeroconf | None = None,
        interfaces: Interfaces | None = None,
        ip_version: IPVersion = IPVersion.V4Only,
        ttl: int = DEFAULT_TTL,
    ) -> None:
        self._zc = zeroconf
        self._owns_zc = zeroconf is None
        self._interfaces = interfaces
        self._ip_version = ip_version
        self._ttl = ttl
        self._info: AsyncServiceInfo | None = None
        self._where: tuple[int, list[str], str] = (0, [], "")  # port, addresses, host name
        self._broadcasts: list[asyncio.Future[Any]] = []

    @property
    def name(self) -> str | None:
        """The registered service name (after any conflict renaming), once started."""
        return None if self._info is None else str(self._info.name)

    async def start(self, advert: Advert, port: int, addresses: list[str] | None = None) -> str:
        """Announce `advert` for a host listening on `port`; returns the service name.

        `addresses` are where the host listens (default: every LAN address). A
        wildcard means every LAN address; loopback is announced only when it is all
        there is. Another session with the same title gets renamed ("Title-2").
        Raises OSError if zeroconf cannot open its multicast sockets.
        """
        if self._info is not None:
            raise LocalProtocolError("This advertiser is already announcing a session.")
        announced, loopback_only = advertised_addresses(addresses)
        # A host name of our own: machines (or network namespaces) sharing one OS
        # host name must not merge each other's address records.
        self._where = (port, announced, f"huddle-{advert.session_id.hex()[:16]}.local.")
        if self._zc is None:
            interfaces = self._interfaces
            if interfaces is None:
                loopback_only = loopback_only or loopback_only_by_env()
                interfaces = ["127.0.0.1"] if loopback_only else InterfaceChoice.All
            self._zc = AsyncZeroconf(interfaces=interfaces, ip_version=self._ip_version)
        try:
            self._info = await self._register(self._zc, advert)
        except BaseException:
            await self.close()
            raise
        log.info("Announcing %r on %s port %d", self._info.name, ", ".join(announced), port)
        return str(self._info.name)

    async def update(self, advert: Advert) -> None:
        """Announce a new state or joined count; browsers see `SessionChanged`."""
        if self._info is None or self._zc is None:
            raise LocalProtocolError("Start the advertiser before updating it.")
        info = self._service_info(self._info.name, advert)
        self._track(await self._zc.async_update_service(info))
        self._info = info

    async def close(self) -> None:
        """Say goodbye so browsers drop the session now; safe to call twice."""
        zc, info = self._zc, self._info
        self._info = None
        for broadcast in self._broadcasts:  # no stale re-announcement after the goodbye
            broadcast.cancel()
        try:
            if zc is not None and info is not None:
                with contextlib.suppress(NotRunningException):  # a shared one closed first
                    await (await zc.async_unregister_service(info))
        finally:
            if zc is not None and self._owns_zc:
                self._zc = None
                await zc.async_close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def _register(self, zc: AsyncZeroconf, advert: Advert) -> AsyncServiceInfo:
        base = instance_name(advert.title)
        for attempt in range(1, 100):
            # zeroconf renames on conflicts with other machines ("Title-2"), but
            # refuses a name its own registry holds: rename ourselves for that.
            label = base if attempt == 1 else f"{base}-{attempt}"
            info = self._service_info(f"{label}.{SERVICE_TYPE}", advert)
            with contextlib.suppress(ServiceNameAlreadyRegistered):
                self._track(await zc.async_register_service(info, allow_name_change=True))
                return info
        raise LocalProtocolError(f"Too many sessions named {base!r} on this computer.")

    def _service_info(self, name: str, advert: Advert) -> AsyncServiceInfo:
        port, addresses, server = self._where
        return AsyncServiceInfo(
            SERVICE_TYPE,
            name,
            port=port,
            properties=encode_txt(advert),
            server=server,
            parsed_addresses=addresses,
            host_ttl=self._ttl,
            other_ttl=self._ttl,
        )

    def _track(self, broadcast: object) -> None:
        self._broadcasts = [b for b in self._broadcasts if not b.done()]
        if isinstance(broadcast, asyncio.Future):
            self._broadcasts.append(broadcast)


# --- browsing ---------------------------------------------------------------


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
        delay = max(1.0, (srv.get_expiration_time(step) - now) / 1000)
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
