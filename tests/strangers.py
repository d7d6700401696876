"""Real servers on 127.0.0.1 that are not Huddle hosts, for "wrong address" tests.

Each runs its own asyncio loop on a thread, so engine tests, CLI processes and
the desktop app's tests can all point a joiner at it:

- ``http``: plain TCP; answers whatever arrives with ``HTTP/1.1 400``, as a web
  server does with a TLS ClientHello.
- ``noise``: plain TCP; sends random bytes at once, as a banner would.
- ``https``: TLS 1.3 with its own certificate; answers whatever arrives with
  ``HTTP/1.1 400`` (the joiner's heartbeat is what it gets), so a joiner reads
  "HTTP" as the length of a message: 1213486160 bytes.
- ``silent-tls``: TLS 1.3, then never a byte.
"""

from __future__ import annotations

import asyncio
import os
import threading
from types import TracebackType
from typing import Self

from huddle.net import tls

HTTP_400 = b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
KINDS = ("http", "noise", "https", "silent-tls")


class Stranger:
    """``with Stranger("http") as s:`` something listens on ``127.0.0.1:s.port``."""

    def __init__(self, kind: str) -> None:
        if kind not in KINDS:
            raise ValueError(f"no stranger of kind {kind!r}")
        self.kind = kind
        self.port = 0
        self._ready = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Future[None] | None = None
        self._thread = threading.Thread(target=asyncio.run, args=(self._serve(),), daemon=True)

    async def _serve(self) -> None:
        secure = self.kind in ("https", "silent-tls")
        ctx = tls.server_context(tls.make_certificate()) if secure else None
        server = await asyncio.start_server(self._talk, "127.0.0.1", 0, ssl=ctx)
        self.port = server.sockets[0].getsockname()[1]
        self._loop = asyncio.get_running_loop()
        self._stop = self._loop.create_future()
        self._ready.set()
        await self._stop
        server.close()

    async def _talk(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            if self.kind == "noise":
                writer.write(os.urandom(256))
            elif self.kind in ("http", "https") and await reader.read(4096):
                writer.write(HTTP_400)
            await writer.drain()
            await reader.read()  # until the other side hangs up
        except OSError:
            pass  # it hung up first, or broke TLS: just as fine for a stranger
        finally:
            writer.close()

    def __enter__(self) -> Self:
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("the stranger server did not start")
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        loop, stop = self._loop, self._stop
        if loop is not None and stop is not None:
            loop.call_soon_threadsafe(_finish, stop)
        self._thread.join(10)


def _finish(stop: asyncio.Future[None]) -> None:
    if not stop.done():
        stop.set_result(None)
