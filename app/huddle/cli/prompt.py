"""Asking for a secret value without echo, or a plain answer, without blocking the event loop."""

from __future__ import annotations

import asyncio
import getpass
import sys
import threading


def _read(prompt: str, *, secret: bool = True) -> str | None:
    try:
        if sys.stdin.isatty() and secret:
            return getpass.getpass(prompt)
        print(prompt, end="", file=sys.stderr, flush=True)
        line = sys.stdin.readline()
        return line.rstrip("\n") if line else None
    except (EOFError, KeyboardInterrupt, OSError):
        return None


async def ask_secret(prompt: str) -> str | None:
    """The typed line (not echoed at a terminal), or None at end of input.

    A daemon thread does the blocking read, so an unanswered prompt never keeps
    the process alive after the session has ended.
    """
    return await _ask(prompt, secret=True)


async def ask_line(prompt: str) -> str | None:
    """A yes/no kind of answer, echoed as typed; None at end of input."""
    return await _ask(prompt, secret=False)


async def _ask(prompt: str, *, secret: bool) -> str | None:
    loop = asyncio.get_running_loop()
    answer: asyncio.Future[str | None] = loop.create_future()

    def deliver(text: str | None) -> None:
        if not answer.done():
            answer.set_result(text)

    def work() -> None:
        loop.call_soon_threadsafe(deliver, _read(prompt, secret=secret))

    threading.Thread(target=work, name="huddle-prompt", daemon=True).start()
    return await answer
