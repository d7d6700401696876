"""A tiny discovery peer for multi-process tests: one JSON object per output line.

    python -m tests.net.discovery_peer advertise --title T [--joined N] [--ttl S]
        prints {"event": "registered", "name": ...}; then reads commands from stdin:
        "joined N", "state open|started", "close" (or end of input) -> {"event": "closed"}
    python -m tests.net.discovery_peer browse
        prints {"event": "ready"}, then {"event": "appeared"|"changed"|"gone", ...}
        per discovery event, until "close" or end of input.

Log lines (warnings) are plain text, so readers match on the JSON ones.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import logging
import os
import sys
from typing import Any

from huddle.core.advert import Advert, SessionState
from huddle.core.codec import PROTOCOL_VERSION
from huddle.net.browser import Browser
from huddle.net.discovery import (
    DEFAULT_TTL,
    Advertiser,
    DiscoveryEvent,
    SessionAppeared,
    SessionChanged,
)

FINGERPRINT = bytes(range(32))
STATES: dict[str, SessionState] = {"open": "open", "started": "started"}


def say(event: str, **fields: Any) -> None:
    print(json.dumps({"event": event, **fields}), flush=True)


def describe(event: DiscoveryEvent) -> dict[str, Any]:
    if isinstance(event, SessionAppeared | SessionChanged):
        found = event.found
        return {
            "key": found.key,
            "title": found.advert.title,
            "host": found.advert.host_name,
            "state": found.advert.state,
            "joined": found.advert.joined,
            "addresses": list(found.addresses),
            "port": found.port,
        }
    return {"key": event.key}


async def stdin_lines() -> asyncio.StreamReader:
    reader = asyncio.StreamReader()
    loop = asyncio.get_running_loop()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    return reader


async def advertise(args: argparse.Namespace) -> None:
    advert = Advert(
        protocol_version=PROTOCOL_VERSION,
        session_id=os.urandom(16),
        title=args.title,
        host_name=args.host_name,
        state="open",
        joined=args.joined,
        fingerprint=FINGERPRINT,
    )
    commands = await stdin_lines()
    async with Advertiser(ttl=args.ttl) as advertiser:
        say("registered", name=await advertiser.start(advert, args.port))
        while words := (await commands.readline()).decode().split():
            if words[0] == "close":
                break
            if words[0] == "joined":
                advert = dataclasses.replace(advert, joined=int(words[1]))
            elif words[0] == "state":
                advert = dataclasses.replace(advert, state=STATES[words[1]])
            await advertiser.update(advert)
            say("updated")
    say("closed")


async def browse(_: argparse.Namespace) -> None:
    commands = await stdin_lines()
    names = {SessionAppeared: "appeared", SessionChanged: "changed"}

    def report(event: DiscoveryEvent) -> None:
        say(names.get(type(event), "gone"), **describe(event))

    async with Browser(report):
        say("ready")
        while (line := await commands.readline()) and line.strip() != b"close":
            pass
    say("closed")


def main() -> None:
    parser = argparse.ArgumentParser()
    modes = parser.add_subparsers(dest="mode", required=True)
    adv = modes.add_parser("advertise")
    adv.add_argument("--title", required=True)
    adv.add_argument("--host-name", default="Peer")
    adv.add_argument("--joined", type=int, default=0)
    adv.add_argument("--port", type=int, default=4433)
    adv.add_argument("--ttl", type=int, default=DEFAULT_TTL)
    modes.add_parser("browse")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    asyncio.run(advertise(args) if args.mode == "advertise" else browse(args))


if __name__ == "__main__":
    main()
