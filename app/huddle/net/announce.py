"""Keeping a hosted session announced on the LAN while it runs.

`Announcer` ties one `HostEngine` to one `Advertiser`: `start` announces the
session, `refresh` (cheap; call it after every engine event) re-announces when
the joined count or the state changed, and `close` says goodbye. Everything
runs on the engine's event loop.

What the LAN sees over a session's life:

- lobby (and a lobby reopened after a cancelled round): state ``open``, with
  ``joined`` = people in the roster (the host included when they contribute);
- round running or finished: state ``started``. The roster is locked then, so
  browsers show the session as started (and `huddle join --session` refuses
  it) rather than dropping it: a round that is cancelled reopens the lobby
  without re-announcing under a new name, and people still see what their
  colleagues are busy with;
- closed: a goodbye, so browsers drop it at once.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging

from huddle.core.advert import Advert, SessionState
from huddle.core.codec import PROTOCOL_VERSION
from huddle.core.host import Phase
from huddle.net.addresses import lan_addresses
from huddle.net.discovery import Advertiser
from huddle.net.host_engine import HostEngine

log = logging.getLogger(__name__)

_OPEN_PHASES = frozenset({Phase.LOBBY, Phase.ABORTED})


def advert_of(engine: HostEngine) -> Advert:
    """What the LAN should be told about `engine`'s session right now."""
    session = engine.session
    state: SessionState = "open" if session.phase in _OPEN_PHASES else "started"
    return Advert(
        protocol_version=PROTOCOL_VERSION,
        session_id=session.session_id,
        title=session.question.title,
        host_name=session.host_name,
        state=state,
        joined=len(session.roster),
        fingerprint=engine.certificate.fingerprint,
    )


def local_only(addresses: list[str] | None) -> bool:
    """Whether announcing a host that listens on `addresses` (None: everywhere)
    reaches this computer only: it listens on loopback, or has no LAN address."""
    for address in addresses or ["0.0.0.0"]:  # noqa: S104 (not a bind)
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        if ip.is_unspecified:
            if lan_addresses(ipv6=ip.version == 6):
                return False
        elif not ip.is_loopback and not (ip.version == 6 and ip.is_link_local):
            return False
    return True


class Announcer:
    """Announces one hosted session and keeps its announcement current.

    Pass `advertiser` to choose interfaces or TTL (tests do); by default one is
    made that announces on every LAN interface.
    """

    def __init__(self, engine: HostEngine, *, advertiser: Advertiser | None = None) -> None:
        self.engine = engine
        self._advertiser = advertiser or Advertiser()
        self._announced: Advert | None = None
        self._started = False
        self._starting: asyncio.Task[str] | None = None
        self._updating: asyncio.Task[None] | None = None
        self._closed = False

    @property
    def name(self) -> str | None:
        """The service name browsers see (after any renaming), once announced."""
        return self._advertiser.name

    async def start(self, addresses: list[str] | None = None) -> str:
        """Announce the session (the engine must be listening); returns the service name.

        Takes about a second (mDNS probes for name conflicts first). Raises OSError
        when this network cannot do multicast, LocalProtocolError when `addresses`
        are not IP addresses. `close` during `start` cancels it.
        """
        if self._closed or self._started:
            raise RuntimeError("an Announcer starts once")
        self._started, self._starting = True, asyncio.current_task()
        advert = advert_of(self.engine)
        try:
            name = await self._advertiser.start(advert, self.engine.port, addresses)
        finally:
            # Done starting: `close` must not cancel whoever awaited this, later on.
            self._starting = None
        self._announced = advert
        self.refresh()  # the roster may have changed while we probed
        return name

    def refresh(self) -> None:
        """Re-announce if the joined count or state changed; returns at once.

        Safe to call before `start` finished (it announces the latest anyway) and
        after `close` (it does nothing then).
        """
        if self._closed or self._announced is None:
            return
        if self._updating is None or self._updating.done():
            self._updating = asyncio.get_running_loop().create_task(self._push())
        # else: the running `_push` re-reads the state after its current update.

    async def close(self) -> None:
        """Withdraw the announcement (goodbye packets); safe to call twice."""
        self._closed = True
        for task in (self._starting, self._updating):
            if task is not None and task is not asyncio.current_task() and not task.done():
                task.cancel()
                await asyncio.wait([task])
        try:
            await self._advertiser.close()
        except OSError as exc:  # the network went away first: nothing left to withdraw
            log.info("could not withdraw the announcement: %s", exc)

    async def _push(self) -> None:
        while not self._closed and (advert := advert_of(self.engine)) != self._announced:
            self._announced = advert
            try:
                await self._advertiser.update(advert)
            except OSError as exc:
                log.warning("could not update the announcement: %s", exc)
                return
