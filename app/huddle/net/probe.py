"""Is a listed session still there? A TCP connect, nothing more.

A host that crashed or was killed cannot say goodbye, so its announcement
lingers in other machines' caches for up to its record lifetime (two minutes,
see `discovery.DEFAULT_TTL`), on top of the Nearby list. Whether something
still accepts connections on its port is cheap to ask: one TCP handshake, closed
at once, sending no byte (the host drops it quietly as a connection that never
spoke). A refused or silent port means joining would fail too.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

PROBE_TIMEOUT = 2.0
"""Seconds to wait for a TCP handshake on a LAN; a live host answers in milliseconds."""


async def answering(addresses: Sequence[str], port: int, timeout: float = PROBE_TIMEOUT) -> bool:
    """Whether one of ``addresses`` accepts a TCP connection on ``port`` within ``timeout``.

    All addresses are tried at once; the first that answers wins. Never raises
    for network trouble: any failure counts as not answering.
    """
    if not addresses:
        return False
    tries = [asyncio.ensure_future(_connects(a, port)) for a in addresses]
    try:
        async with asyncio.timeout(timeout):
            for attempt in asyncio.as_completed(tries):
                if await attempt:
                    return True
    except TimeoutError:
        pass
    finally:
        for attempt in tries:
            attempt.cancel()
        await asyncio.gather(*tries, return_exceptions=True)
    return False


async def _connects(address: str, port: int) -> bool:
    try:
        _, writer = await asyncio.open_connection(address, port)
    except (OSError, ValueError):  # refused, unreachable, or not an address at all
        return False
    writer.close()  # nothing was written: this only hangs up
    return True
