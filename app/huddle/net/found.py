"""What discovery reports: sessions seen on the LAN and how the list changes.

Plain records, apart from `discovery` and `browser` so that a front end can
name them (`huddle.net.facade` hands them out) without loading zeroconf.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from huddle.core.advert import SERVICE_TYPE, Advert


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
