"""Connection flood and slowloris against a real host process on loopback.

Proves that 200 hostile connections from three addresses (127.0.0.2-4) — some that
never finish the TLS handshake, some that finish it and never speak, some that
trickle a byte every 0.5 s — do not stop honest participants (from 127.0.0.1)
from joining and completing their round; that the host drops every offender
within its hello timeout, writes at most one warning line per offender (naming
it) rather than a flood, and stays bounded in memory (peak RSS from /proc).
Also: each kind of hostile bytes from a stranger (protocol 4's nonces, self-mask
pieces and signed checks sent before a Hello among them) gets exactly one warning naming the
offender's address and port, and the honest round still completes. Every honest
party sees the same result under the same result code as the host.
Bounded: 200 connections, each held at most a few seconds, on loopback only.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import struct
import subprocess
import sys
import time
from collections import Counter

import pytest

from huddle.core import messages as m
from huddle.core.codec import encode
from huddle.core.events import ResultReady, RosterChanged
from huddle.net import tls
from huddle.net.host_engine import MAX_STRANGERS_PER_ADDRESS
from tests.net.engines import FAST, auto_admit_host, joiner

from .flood_host import TIMEOUTS

ATTACKERS = ("127.0.0.2", "127.0.0.3", "127.0.0.4")
KINDS = {"no-tls": 70, "silent": 70, "slowloris": 60}
HOLD = TIMEOUTS.hello + 4.0
"""An attacker gives up after this; the host must have dropped it well before."""
PEAK_RSS_LIMIT_KB = 200 * 1024


async def attack(port: int, kind: str, source: str) -> tuple[int, float | None]:
    """One hostile connection; returns its local port and when the host closed it (s)."""
    t0 = time.monotonic()
    try:
        reader, writer = await asyncio.wait_for(
            asyncio.open_connection(
                "127.0.0.1",
                port,
                ssl=None if kind == "no-tls" else tls.client_context(),
                local_addr=(source, 0),
            ),
            TIMEOUTS.hello + 1,
        )
    except (OSError, TimeoutError):
        return -1, time.monotonic() - t0  # refused during the handshake: closed at once
    local_port = int(writer.get_extra_info("sockname")[1])
    closed_after: float | None = None
    while closed_after is None and time.monotonic() - t0 < HOLD:
        try:
            if kind == "slowloris":
                writer.write(b"\x00")
            data = await asyncio.wait_for(reader.read(4096), 0.5)
        except TimeoutError:
            continue
        except OSError:
            data = b""
        if not data:
            closed_after = time.monotonic() - t0
    writer.transport.abort()
    return local_port, closed_after


async def test_flood_and_slowloris_do_not_stop_an_honest_round() -> None:
    host = subprocess.Popen(
        [sys.executable, "-m", "tests.faults.flood_host", "3"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert host.stdout is not None
        port = int(host.stdout.readline().split()[1])
        flood = [
            asyncio.create_task(attack(port, kind, ATTACKERS[i % len(ATTACKERS)]))
            for kind, n in KINDS.items()
            for i in range(n)
        ]
        await asyncio.sleep(0.3)  # the flood is in full swing
        parties = [joiner(port, name, timeouts=FAST) for name in ("Ann", "Ben", "Cat")]
        for (engine, rec, _), value in zip(parties, ("1", "20", "300"), strict=True):
            await rec.wait_for(RosterChanged, timeout=10)
            engine.submit(value)
        results = [await rec.wait_for(ResultReady, timeout=15) for _, rec, _ in parties]
        assert {r.outcome.sum for r in results} == {321}  # type: ignore[attr-defined]
        codes = {r.code for r in results}  # type: ignore[attr-defined]
        outcomes = await asyncio.gather(*flood)
        out, err = host.communicate(timeout=20)
    finally:
        if host.poll() is None:
            host.kill()
            host.wait()
    # One result for all: the host's result code is every joiner's.
    assert len(codes) == 1 and f"result 321 {codes.pop()}" in out, (codes, out)
    peak = int(re.search(r"peak_rss_kb (\d+)", out).group(1))  # type: ignore[union-attr]
    print(f"\nhost peak RSS under the flood: {peak / 1024:.1f} MiB")
    assert peak < PEAK_RSS_LIMIT_KB

    # Every offender was dropped by the host, within its hello timeout (plus slack).
    late = [(p, t) for p, t in outcomes if t is None or t > TIMEOUTS.hello + 1.5]
    assert not late, f"{len(late)} hostile connections outlived the hello timeout"
    # One clear warning per offender, naming it; never several.
    warnings = [ln for ln in err.splitlines() if ln.startswith(("WARNING", "ERROR"))]
    offender = re.compile(r"127\.0\.0\.[234]:(\d+)")
    per_offender = Counter(m.group(0) for ln in warnings if (m := offender.search(ln)))
    assert per_offender and max(per_offender.values()) == 1, per_offender.most_common(3)
    assert len(warnings) <= sum(KINDS.values()) + 5
    refused = sum("refusing" in ln for ln in warnings)
    assert refused >= sum(KINDS.values()) - len(ATTACKERS) * MAX_STRANGERS_PER_ADDRESS
    assert "Traceback" not in err


JUNK = {
    "bad version": b"\x00\x00\x00\x05\x63\x04{}xx",
    "oversized length": struct.pack(">I", 10**9),
    "not JSON": b"\x00\x00\x00\x05\x01\x04xxx",
    "wrong first message": encode(m.Start(round_id=bytes(16), roster_digest=bytes(32))),
    "a code nonce before Hello": encode(m.Reveal(epoch=1, nonce=bytes(32))),
    "self-mask pieces before Hello": encode(m.Unmask(round_id=bytes(16), pieces=bytes(64))),
    "a query nonce before Hello": encode(m.Confirm(round_id=bytes(16), tags=b"", nonce=bytes(32))),
    "signed checks before Hello": encode(
        m.Verify(round_id=bytes(16), messages=bytes(16), signature=bytes(64))
    ),
    "truncated Hello": encode(m.Leave())[:-1] + b"\x00\x00\x00\x40\x01\x02{",
}


async def test_hostile_bytes_get_one_warning_naming_the_offender(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    host, host_events = await auto_admit_host(timeouts=FAST)
    offenders = []
    for junk in JUNK.values():
        reader, writer = await asyncio.open_connection(
            "127.0.0.1", host.port, ssl=tls.client_context(), local_addr=(ATTACKERS[0], 0)
        )
        offenders.append(f"{ATTACKERS[0]}:{writer.get_extra_info('sockname')[1]}")
        writer.write(junk)
        await writer.drain()
        with contextlib.suppress(OSError):
            while await asyncio.wait_for(reader.read(4096), FAST.hello + 2):
                pass  # until the host hangs up
        writer.close()
    parties = [joiner(host.port, n, timeouts=FAST) for n in ("a", "b")]
    for (engine, rec, _), value in zip(parties, ("1", "2"), strict=True):
        await rec.wait_for(RosterChanged)
        engine.submit(value)
    host.submit("3")
    await host_events.wait_for(RosterChanged, test=lambda e: len(e.names) == 3 and e.code)  # type: ignore[attr-defined]
    host.start_round()
    results = [await rec.wait_for(ResultReady) for _, rec, _ in parties]
    results.append(await host_events.wait_for(ResultReady))
    assert {(r.outcome.sum, r.code) for r in results} == {(6, host.session.result_code)}  # type: ignore[attr-defined]
    await host.close()
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    for offender in offenders:
        assert sum(offender in w for w in warnings) == 1, (offender, warnings)
    assert len(warnings) == len(offenders), warnings
