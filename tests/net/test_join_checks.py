"""What a joiner checks before it says anything, on real TLS sockets on 127.0.0.1.

No root needed: the certificate pin of an invite or a found session, TLS 1.3
only, and what a joiner is told when the other end is not a Huddle host at all
(a web server, a banner, an HTTPS server, a TLS peer that never speaks).
"""

from __future__ import annotations

import asyncio
import logging
import socket
import ssl

import pytest

from huddle.core.events import JoinRequested, RosterChanged, SessionEnded, Welcomed
from huddle.net import tls
from huddle.net.join_engine import JoinAttempts, Origin
from huddle.net.probe import answering
from tests.strangers import KINDS, Stranger

from .engines import FAST, Recorder, auto_admit_host, joiner

NOT_HUDDLE = "answered, but not as a Huddle session"


def closed_port() -> int:
    """A port on 127.0.0.1 that nobody listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


async def ended(recorder: Recorder) -> str:
    event = await recorder.wait_for(SessionEnded)
    assert isinstance(event, SessionEnded)
    return event.reason


# --- the pin ------------------------------------------------------------------------


async def test_an_invite_for_another_certificate_is_refused_before_anything_is_sent() -> None:
    host, host_events = await auto_admit_host(timeouts=FAST)
    other = tls.make_certificate().fingerprint
    _, rec, task = joiner(host.port, "Ann", pin=other, timeouts=FAST)
    reason = await ended(rec)
    await task
    assert reason.startswith(f"The session at 127.0.0.1:{host.port} is not the one you were")
    assert "Someone may be intercepting the connection, so nothing was sent" in reason
    assert not any(isinstance(e, Welcomed) for e in rec.events)
    await asyncio.sleep(0.2)  # a Hello, had one gone out, would have arrived by now
    assert not any(isinstance(e, JoinRequested) for e in host_events.events)
    await host.close()


async def test_an_invite_with_the_hosts_certificate_joins() -> None:
    host, _ = await auto_admit_host(timeouts=FAST)
    engine, rec, task = joiner(host.port, "Ann", pin=host.certificate.fingerprint, timeouts=FAST)
    await rec.wait_for(RosterChanged)
    assert engine.session is not None
    assert engine.session.host_fingerprint == host.certificate.fingerprint
    await host.close()
    await task


async def test_a_found_session_with_another_certificate_keeps_the_discovery_wording() -> None:
    host, _ = await auto_admit_host(timeouts=FAST)
    rec = Recorder()
    attempts = JoinAttempts(
        ["127.0.0.1"], host.port, "Ann", rec, pin=bytes(32), origin=Origin.FOUND, timeouts=FAST
    )
    await attempts.run()
    assert "This is not the host that was advertised" in await ended(rec)
    await host.close()


async def test_the_host_speaks_tls_1_3_only() -> None:
    host, _ = await auto_admit_host(timeouts=FAST)
    old = tls.client_context()
    old.minimum_version = ssl.TLSVersion.TLSv1_2
    old.maximum_version = ssl.TLSVersion.TLSv1_2
    with pytest.raises((ssl.SSLError, ConnectionResetError)):
        await asyncio.open_connection("127.0.0.1", host.port, ssl=old, server_hostname=None)
    _, writer = await asyncio.open_connection(
        "127.0.0.1", host.port, ssl=tls.client_context(), server_hostname=None
    )
    assert writer.get_extra_info("ssl_object").version() == "TLSv1.3"
    writer.close()
    await host.close()


# --- not a Huddle host ------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
async def test_an_address_that_answers_otherwise_is_not_a_huddle_session(kind: str) -> None:
    with Stranger(kind) as stranger:
        _, rec, task = joiner(stranger.port, "Ann", timeouts=FAST)
        reason = await ended(rec)
        await task
    assert reason == (
        f"That address (127.0.0.1:{stranger.port}) {NOT_HUDDLE}. "
        "Check the address and port with the host."
    )
    assert len(rec.events) == 1  # said once, and nothing else


async def test_a_listed_session_that_is_gone_is_worded_for_the_list() -> None:
    rec = Recorder()
    port = closed_port()
    await JoinAttempts(["127.0.0.1"], port, "Ann", rec, origin=Origin.FOUND, timeouts=FAST).run()
    reason = await ended(rec)
    assert reason.startswith("This session is no longer there: nothing is listening at")
    assert "address" not in reason  # nobody typed one

    typed = Recorder()
    await JoinAttempts(["127.0.0.1"], port, "Ann", typed, timeouts=FAST).run()
    assert "check the address and port with the host" in await ended(typed)


# --- is a listed session still there? -----------------------------------------------


async def test_the_probe_sees_a_live_host_and_not_a_closed_one(
    caplog: pytest.LogCaptureFixture,
) -> None:
    host, _ = await auto_admit_host(timeouts=FAST)
    caplog.set_level(logging.INFO, logger="huddle.net.host_engine")
    assert await answering(["192.0.2.1", "127.0.0.1"], host.port, timeout=1.0)  # one is enough
    await asyncio.sleep(0.2)  # the host notices the hang-up
    assert "hung up before TLS" in caplog.text
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]  # routine, not a warning
    port = host.port
    await host.close()
    assert not await answering(["127.0.0.1"], port, timeout=1.0)
    assert not await answering([], port)
