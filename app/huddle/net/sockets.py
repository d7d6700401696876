"""Listening sockets that serve IPv4 and IPv6 on one port."""

from __future__ import annotations

import contextlib
import socket


def listening_socket(host: str | None, port: int) -> socket.socket:
    """A bound, listening TCP socket.

    With no ``host``, one dual-stack socket serves IPv4 and IPv6 on the same
    port. (Letting asyncio bind "all interfaces" with port 0 gives IPv4 and IPv6
    two *different* random ports, and the one we announce may be unreachable.)
    """
    if host is None and socket.has_ipv6:
        try:
            sock = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
            return _bind(sock, ("::", port))
        except OSError:
            pass
    family = socket.AF_INET6 if host and ":" in host else socket.AF_INET
    return _bind(socket.socket(family, socket.SOCK_STREAM), (host or "0.0.0.0", port))  # noqa: S104 - the LAN is the point


def _bind(sock: socket.socket, address: tuple[str, int]) -> socket.socket:
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(128)
        sock.setblocking(False)
    except OSError:
        with contextlib.suppress(OSError):
            sock.close()
        raise
    return sock
