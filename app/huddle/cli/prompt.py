"""Asking for a secret value without echo, without blocking the event loop."""

from __future__ import annotations

import asyncio
import getpass
import sys
import threading


def _read(prompt: str) -> str | None:
    try:
        if sys.stdin.isatty():
            return getpass.getpass(prompt)
        print(prompt, end="", file=sys.stderr, flush=True)
        line = sys.stdin.readline()
        return line.rstrip("\n") if line else None
    except (EOFError, KeyboardInterrupt, OSError):
        return None


async def ask_secret(prompt: str) -> str | None:
    """The typed line, or None at end of input.

    A daemon thread does the blocking read, so an unanswered prompt never keeps
    the process alive after the session has ended.
    """
    loop = asyncio.get_running_loop()
    answer: asyncio.Future[str | None] = loop.create_future()

    def deliver(text: str | None) -> None:
        if not answer.done():
            answer.set_result(text)

    def work() -> None:
        loop.call_soon_threadsafe(deliver, _read(prompt))

    threading.Thread(target=work, name="huddle-prompt", daemon=True).start()
    return await answer
