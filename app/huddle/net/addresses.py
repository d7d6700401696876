"""Which of this machine's addresses to announce, and which of a host's to try first.

Pure functions over addresses and interface lists (`ifaddr`), shared by the
advertiser (what goes in the A/AAAA records) and the joiner (the order in
which to try a session's addresses).
"""

from __future__ import annotations

import contextlib
import ipaddress
import logging
from collections.abc import Iterable, Iterator, Sequence

import ifaddr

from huddle.core.errors import LocalProtocolError

log = logging.getLogger(__name__)

_VIRTUAL_PREFIXES = (
    *("docker", "br-", "veth", "virbr", "lxcbr", "lxdbr", "cni", "flannel"),
    *("podman", "vboxnet", "vmnet"),
)
_Address = ipaddress.IPv4Address | ipaddress.IPv6Address
_Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def lan_addresses(
    *, ipv6: bool = False, adapters: Iterable[ifaddr.Adapter] | None = None
) -> list[str]:
    """This machine's addresses worth announcing to the LAN, best first.

    Never loopback or IPv6 link-local (meaningless without a scope). Virtual
    bridges (docker0, br-*, veth*, virbr*...) only count when nothing else has an
    address. Empty when the machine has no network at all.
    """
    real: list[str] = []
    virtual: list[str] = []
    for name, interface in _interfaces_of(adapters):
        ip = interface.ip
        if ip.is_loopback or (ip.version == 6 and (ip.is_link_local or not ipv6)):
            continue
        (virtual if name.startswith(_VIRTUAL_PREFIXES) else real).append(str(ip))
    return sorted(dict.fromkeys(real or virtual), key=_announce_rank)


def order_addresses(addresses: Iterable[str], networks: Sequence[_Network]) -> tuple[str, ...]:
    """Addresses a joiner should try, best first; unusable ones dropped.

    IPv4 on one of our own subnets first, then other IPv4, then IPv6 the same way,
    then scoped IPv6 link-local, loopback last (it only reaches this machine).
    """
    ranked: dict[str, tuple[int, int]] = {}
    for index, address in enumerate(addresses):
        ip = parse_address(address.split("%", 1)[0])
        if ip is None or ip.is_unspecified or ip.is_multicast:
            continue
        if ip.version == 6 and ip.is_link_local and "%" not in address:
            continue  # no scope: nobody can connect to it
        on_link = any(ip.version == net.version and ip in net for net in networks)
        if ip.is_loopback:
            rank = 5
        elif ip.version == 6 and ip.is_link_local:
            rank = 4
        else:
            rank = (0 if on_link else 1) + 2 * (ip.version == 6)
        ranked.setdefault(address, (rank, index))
    return tuple(sorted(ranked, key=ranked.__getitem__))


def local_networks(adapters: Iterable[ifaddr.Adapter] | None = None) -> list[_Network]:
    """The subnets this machine's interfaces are on."""
    return [interface.network for _, interface in _interfaces_of(adapters)]


def _interfaces_of(
    adapters: Iterable[ifaddr.Adapter] | None,
) -> Iterator[tuple[str, ipaddress.IPv4Interface | ipaddress.IPv6Interface]]:
    for adapter in ifaddr.get_adapters() if adapters is None else adapters:
        for ip in adapter.ips:
            address = ip.ip if isinstance(ip.ip, str) else ip.ip[0]
            with contextlib.suppress(ValueError):
                yield adapter.name, ipaddress.ip_interface(f"{address}/{ip.network_prefix}")


def parse_address(address: str) -> _Address | None:
    try:
        return ipaddress.ip_address(address)
    except ValueError:
        return None


def _announce_rank(address: str) -> tuple[int, bool]:
    ip = ipaddress.ip_address(address)
    return (ip.version, ip.is_link_local or not ip.is_private)


def advertised_addresses(addresses: Sequence[str] | None) -> tuple[list[str], bool]:
    """Addresses to put in the A/AAAA records, and whether they are loopback only."""
    given = ["0.0.0.0"] if addresses is None else list(addresses)  # noqa: S104 (not a bind)
    chosen: list[str] = []
    loopback: list[str] = []
    for address in given:
        ip = parse_address(address)
        if ip is None:
            raise LocalProtocolError(f"{address!r} is not an IP address.")
        if ip.is_unspecified:  # the host listens everywhere: announce the LAN side
            chosen += lan_addresses(ipv6=ip.version == 6)
        elif ip.is_loopback:
            loopback.append(str(ip))
        elif not (ip.version == 6 and ip.is_link_local):
            chosen.append(str(ip))
    if chosen:
        return list(dict.fromkeys(chosen)), False
    if not loopback:
        log.warning(
            "No network interface has an address; the session is visible on this computer only."
        )
    return loopback or ["127.0.0.1"], True
