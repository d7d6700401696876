"""`huddle sessions` and `huddle join --session`: finding sessions from a terminal.

Listing: a table (or ``--json``: one array) of what the LAN shows within
``--timeout`` seconds; exit status 0 when something was found, 1 when nothing
was. ``--watch`` keeps the list live until Ctrl-C (exit 0): a redrawn table on
a terminal, otherwise one line per change (``--json``: one object per line,
``{"event": "appeared" | "changed" | "gone", ...}``). Status lines go to stderr.

Everything from the network is only a hint; `huddle join --session` pins the
advertised certificate fingerprint, so a lying record fails instead of
connecting anyone to the wrong machine.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import sys
import time
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from typing import Any, TextIO

from huddle.cli.errors import EXIT_FAILED, EXIT_OK, EXIT_USAGE, CommandError
from huddle.net.facade import (
    Browser,
    DiscoveryEvent,
    FoundSession,
    SessionAppeared,
    SessionGone,
    match_sessions,
)

MULTICAST_HELP = (
    "If a colleague is hosting one right now, this network may be blocking multicast,\n"
    "which Huddle uses to find sessions: corporate Wi-Fi, VPNs, guest networks that\n"
    "keep clients apart, and firewalls that drop UDP port 5353 (mDNS) all do that.\n"
    "Ask the host for the invite their Huddle shows, and join with it:\n"
    "  huddle join ADDRESS:PORT#FINGERPRINT"
)
NOTHING_FOUND = "No Huddle sessions found on this network.\n" + MULTICAST_HELP
LIST_TIMEOUT = 2.0
"""`huddle sessions`: seconds to listen (every responsive host answers within one)."""
SETTLE = 1.2
"""Seconds to keep listening after a wanted session shows, so that a second one
with the same title is seen too. Answers usually come within 120 ms, but a host
whose records went out in the last second (another browser just asked) must
wait for that second to pass before answering again (RFC 6762 §6)."""
HINT_AFTER = 3.0
"""`--watch`: seconds of seeing nothing before explaining why that may be."""
_TITLE_WIDTH = 40
_HEADERS = ("TITLE", "HOST", "JOINED", "STATE", "ID", "ADDRESS")
_CLEAR = "\x1b[H\x1b[J"  # cursor home, clear to the end of the screen


# --- presenting sessions ------------------------------------------------------------


def endpoint(address: str, port: int) -> str:
    """``ADDRESS:PORT`` as `huddle join` takes it (IPv6 in brackets)."""
    return f"[{address}]:{port}" if ":" in address else f"{address}:{port}"


def describe(found: FoundSession) -> dict[str, Any]:
    """A session as JSON-ready data."""
    advert = found.advert
    return {
        "title": advert.title,
        "host": advert.host_name,
        "joined": advert.joined,
        "state": advert.state,
        "session_id": advert.session_id.hex(),
        "instance": found.instance,
        "address": endpoint(found.addresses[0], found.port),
        "addresses": list(found.addresses),
        "port": found.port,
        "fingerprint": advert.fingerprint.hex(),
        "protocol_version": advert.protocol_version,
    }


def table(sessions: Iterable[FoundSession]) -> list[str]:
    """Aligned lines: a header, then one line per session."""
    rows = [_HEADERS, *(_row(found) for found in sessions)]
    widths = [max(len(row[col]) for row in rows) for col in range(len(_HEADERS))]
    return [
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]


def _row(found: FoundSession) -> tuple[str, ...]:
    advert = found.advert
    title = advert.title
    if len(title) > _TITLE_WIDTH:
        title = title[: _TITLE_WIDTH - 1].rstrip() + "…"
    where = endpoint(found.addresses[0], found.port)
    if len(found.addresses) > 1:
        where += f" (+{len(found.addresses) - 1})"
    return (title, advert.host_name, str(advert.joined), advert.state, _short_id(found), where)


def _short_id(found: FoundSession) -> str:
    return found.advert.session_id.hex()[:8]


# --- choosing the session a person meant -------------------------------------------


def choose(sessions: Sequence[FoundSession], query: str) -> FoundSession:
    """The one session `query` means (title, instance name or id prefix).

    Sessions still open win over started ones with the same title. Raises
    CommandError: nothing matches (exit 1, with the multicast explanation when
    nothing at all was seen), several open ones match (exit 2, listing them), or
    the one meant has already started (exit 1).
    """
    matches = match_sessions(sessions, query)
    if not matches:
        raise CommandError(_not_found(sessions, query))
    open_ones = [found for found in matches if found.advert.state == "open"]
    if len(open_ones) == 1:
        return open_ones[0]
    if len(open_ones) > 1:
        lines = "\n".join("  " + line for line in table(open_ones))
        raise CommandError(
            f"“{query}” matches {len(open_ones)} sessions:\n{lines}\n"
            "Pick one by its ID, e.g.  huddle join --session "
            f"{_short_id(open_ones[0])}",
            EXIT_USAGE,
        )
    started = matches[0].advert
    raise CommandError(
        f"“{started.title}” ({started.host_name}) has already started: its roster is "
        "locked. Ask the host to run another round."
    )


def _not_found(sessions: Sequence[FoundSession], query: str) -> str:
    if not sessions:
        return f"No session called “{query}” was found; none at all answered.\n{MULTICAST_HELP}"
    titles = ", ".join(f"“{found.advert.title}”" for found in sessions[:8])
    return (
        f"No session called “{query}” was found. Seen on this network: {titles}. "
        "Use a title as shown by  huddle sessions, or the start of its ID."
    )


async def find_for_join(query: str, timeout: float) -> list[FoundSession]:
    """Look for `query` for up to `timeout` seconds; every session seen by then.

    Returns `SETTLE` seconds after the first match, so that a second session
    with the same title, announced by another machine, is not missed.
    """
    async with _browsing() as browser:
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(timeout):
                async with contextlib.aclosing(browser.events()) as events:
                    async for _ in events:
                        if match_sessions(browser.snapshot(), query):
                            break
        if match_sessions(browser.snapshot(), query):
            await asyncio.sleep(SETTLE)
        return browser.snapshot()


async def resolve(query: str, timeout: float, say: Callable[[str], None]) -> FoundSession:
    """The session to join for `huddle join --session QUERY` (CommandError if none)."""
    say(f"Looking for “{query}” on the network...")
    found = choose(await find_for_join(query, timeout), query)
    advert = found.advert
    say(
        f"Found “{advert.title}”, hosted by {advert.host_name}, at "
        f"{endpoint(found.addresses[0], found.port)} ({advert.joined} joined)."
    )
    return found


@contextlib.asynccontextmanager
async def _browsing() -> AsyncIterator[Browser]:
    """A started `Browser`; CommandError if this computer cannot browse at all."""
    browser = Browser()
    try:
        await browser.start()
    # zeroconf raises OSError for sockets it cannot open or join to the multicast
    # group, RuntimeError when no interface has an IPv4 address.
    except (OSError, RuntimeError) as exc:
        await browser.close()
        why = getattr(exc, "strerror", None) or str(exc)
        raise CommandError(
            f"Cannot look for sessions: this computer cannot use multicast here ({why}).\n"
            "Ask the host for their invite, and run:  huddle join ADDRESS:PORT#FINGERPRINT"
        ) from None
    try:
        yield browser
    finally:
        await browser.close()


# --- `huddle sessions` -----------------------------------------------------------------


def run(args: argparse.Namespace) -> int:
    """`huddle sessions`; returns the exit status."""
    try:
        if args.watch:
            return asyncio.run(_watch(args.json, args.timeout, sys.stdout.isatty()))
        return asyncio.run(_list(args.json, args.timeout))
    except KeyboardInterrupt:
        return EXIT_OK  # Ctrl-C is how --watch ends
    except CommandError as exc:
        print(f"huddle: {exc}", file=sys.stderr)
        return exc.status


async def _list(as_json: bool, timeout: float | None) -> int:
    async with _browsing() as browser:
        # mDNS has no "that is all" signal: listen for the whole time.
        await asyncio.sleep(LIST_TIMEOUT if timeout is None else timeout)
        sessions = browser.snapshot()
    if as_json:
        print(json.dumps([describe(found) for found in sessions]), flush=True)
    if not sessions:
        print(NOTHING_FOUND, file=sys.stderr if as_json else sys.stdout)
        return EXIT_FAILED
    if not as_json:
        print("\n".join(table(sessions)))
    return EXIT_OK


async def _watch(as_json: bool, timeout: float | None, redraw: bool) -> int:
    """Show changes until Ctrl-C, or for `timeout` seconds if given."""
    view = _Watch(sys.stdout, as_json=as_json, redraw=redraw and not as_json)
    async with _browsing() as browser:
        print("Watching for sessions on the network (Ctrl-C to stop)...", file=sys.stderr)
        hint = asyncio.get_running_loop().call_later(HINT_AFTER, view.hint_if_nothing_seen)
        try:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(timeout):
                    async with contextlib.aclosing(browser.events()) as events:
                        async for event in events:
                            view.show(event, browser.snapshot())
        finally:
            hint.cancel()
    return EXIT_OK


class _Watch:
    """Renders discovery events for `huddle sessions --watch`."""

    def __init__(self, out: TextIO, *, as_json: bool, redraw: bool) -> None:
        self.out, self.as_json, self.redraw = out, as_json, redraw
        self.known: dict[str, FoundSession] = {}
        self.seen_any = False

    def show(self, event: DiscoveryEvent, sessions: list[FoundSession]) -> None:
        self.seen_any = True
        if self.as_json:
            self._print(json.dumps(event_data(event)))
        elif self.redraw:
            stamp = time.strftime("%H:%M:%S")
            body = table(sessions) if sessions else ["(no sessions seen)"]
            self._print(_CLEAR + f"Sessions on the network at {stamp} (Ctrl-C to stop)\n")
            self._print("\n".join(body))
        else:
            self._print(event_line(event, self.known.get(_key(event))))
        if isinstance(event, SessionGone):
            self.known.pop(event.key, None)
        else:
            self.known[event.found.key] = event.found

    def hint_if_nothing_seen(self) -> None:
        if not self.seen_any:
            print(NOTHING_FOUND, file=sys.stderr, flush=True)

    def _print(self, text: str) -> None:
        print(text, file=self.out, flush=True)


def _key(event: DiscoveryEvent) -> str:
    return event.key if isinstance(event, SessionGone) else event.found.key


def event_data(event: DiscoveryEvent) -> dict[str, Any]:
    """A discovery event as one JSON object (`--watch --json`)."""
    if isinstance(event, SessionGone):
        return {"event": "gone", "key": event.key}
    kind = "appeared" if isinstance(event, SessionAppeared) else "changed"
    return {"event": kind, "key": event.found.key, **describe(event.found)}


def event_line(event: DiscoveryEvent, known: FoundSession | None = None) -> str:
    """A discovery event as one line of text (`--watch` when not on a terminal).

    `known` is what was last seen of a session that is now gone, to name it.
    """
    if isinstance(event, SessionGone):
        what = f"“{known.advert.title}” by {known.advert.host_name}" if known else event.key
        return f"- {what} is gone"
    found, advert = event.found, event.found.advert
    sign = "+" if isinstance(event, SessionAppeared) else "~"
    return (
        f"{sign} “{advert.title}” by {advert.host_name}: {advert.joined} joined, "
        f"{advert.state}, {endpoint(found.addresses[0], found.port)} (id {_short_id(found)})"
    )
