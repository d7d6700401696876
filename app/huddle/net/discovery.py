"""Finding sessions on the LAN: mDNS/DNS-SD with python-zeroconf's AsyncZeroconf.

`Advertiser` announces a hosted session; `browser.Browser` watches the LAN and
reports the `SessionAppeared` / `SessionChanged` / `SessionGone` of `found`;
`browser.find_sessions` is the one-shot listing for the CLI. Everything runs on
one asyncio loop; subscriber callbacks run on that loop too. A Qt GUI whose
engine loop lives on another thread re-emits each event as a signal (Qt queues
it across the threads).

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
from typing import Any, Self

from zeroconf import (
    InterfaceChoice,
    IPVersion,
    NotRunningException,
    ServiceNameAlreadyRegistered,
)
from zeroconf.asyncio import AsyncServiceInfo, AsyncZeroconf

from huddle.core.advert import SERVICE_TYPE, Advert, encode_txt, instance_name
from huddle.core.errors import LocalProtocolError
from huddle.net.addresses import (
    advertised_addresses,
)
from huddle.net.found import (
    DiscoveryEvent,
    FoundSession,
    SessionAppeared,
    SessionChanged,
    SessionGone,
    Subscriber,
)

__all__ = [
    "DEFAULT_TTL",
    "Advertiser",
    "DiscoveryEvent",
    "FoundSession",
    "Interfaces",
    "SessionAppeared",
    "SessionChanged",
    "SessionGone",
    "Subscriber",
    "loopback_only_by_env",
]

log = logging.getLogger(__name__)

DEFAULT_TTL = 120
"""Seconds a record lives in other machines' caches without being refreshed."""

Interfaces = InterfaceChoice | list[str]
"""zeroconf's choice: `InterfaceChoice.All`, or the addresses of the interfaces to use."""

LOOPBACK_ONLY_ENV = "HUDDLE_MDNS_LOOPBACK_ONLY"


def loopback_only_by_env() -> bool:
    """Keep mDNS on 127.0.0.1 when this variable is set (the test suite sets it).

    Tests must never multicast onto the machine's real network; the namespace
    tests unset it for the processes they run inside their own namespaces.
    """
    return bool(os.environ.get(LOOPBACK_ONLY_ENV))


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
