"""The engine over real TLS sockets on 127.0.0.1."""

import asyncio
import contextlib
import struct

import pytest

from huddle.core.events import (
    Output,
    ResultReady,
    RosterChanged,
    RoundStarted,
    SessionEnded,
    ShareTranscript,
)
from huddle.core.questions import Question

from .engines import FAST, auto_admit_host, joiner

VALUES = {"Ann": "2514.37", "Ben": "3800.05", "Cat": "2982.61"}


def encodings_of(number: int) -> list[bytes]:
    """Every way a value or share might show up on the wire in the clear."""
    out = [str(number).encode()]
    for fmt in ("<q", ">q", "<Q", ">Q"):
        with contextlib.suppress(struct.error):
            out.append(struct.pack(fmt, number))
    if -(2**31) <= number < 2**31:
        out += [struct.pack("<i", number), struct.pack(">i", number)]
    return out


async def relay(target_port: int, log: bytearray) -> tuple[asyncio.Server, int]:
    """A TCP relay that records every byte in both directions."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_r, up_w = await asyncio.open_connection("127.0.0.1", target_port)

        async def pipe(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            while data := await src.read(65536):
                log.extend(data)
                dst.write(data)
            dst.close()

        await asyncio.gather(pipe(reader, up_w), pipe(up_r, writer), return_exceptions=True)

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    return server, server.sockets[0].getsockname()[1]


async def test_no_value_or_share_crosses_the_wire_or_reaches_the_host_in_the_clear() -> None:
    question = Question(title="raise", decimals=2, hi="100000")
    host, host_events = await auto_admit_host(question, contributes=False, timeouts=FAST)
    host_plaintext = bytearray()
    real_receive = host.session.receive_data

    def spy(conn: int, data: bytes) -> list:  # type: ignore[type-arg]
        host_plaintext.extend(data)
        return real_receive(conn, data)

    host.session.receive_data = spy  # type: ignore[method-assign]
    wire = bytearray()
    server, relay_port = await relay(host.port, wire)
    parties = [
        joiner(relay_port if name == "Ann" else host.port, name, transcript=True, timeouts=FAST)
        for name in VALUES
    ]
    for _, rec, _ in parties:
        await rec.wait_for(RosterChanged)
    await host_events.wait_for(RosterChanged, test=lambda e: len(e.names) == 3 and e.code)  # type: ignore[attr-defined]
    for (engine, _, _), value in zip(parties, VALUES.values(), strict=True):
        engine.submit(value)
    host.start_round()
    results = [await rec.wait_for(ResultReady) for _, rec, _ in parties]
    assert {r.outcome.average for r in results} == {  # type: ignore[attr-defined]
        sum(question.fixed_point.parse(v) for v in VALUES.values()) / 3
    }
    await host.close()
    server.close()

    secrets: list[bytes] = []
    for value in VALUES.values():
        scaled = question.fixed_point.encode(question.fixed_point.parse(value))
        secrets += [value.encode(), *encodings_of(scaled)]
    for _, rec, _ in parties:
        for t in rec.events:
            if isinstance(t, ShareTranscript) and t.kept:
                for share in [t.kept[0], *(s[0] for _, s in t.sent)]:
                    secrets += encodings_of(share)
    assert wire[:3] == b"\x16\x03\x01", "the joiner's connection must start with a TLS handshake"
    # The whole conversation was seen: a Hello and a partial sum went by.
    assert len(wire) > 2000 and len(host_plaintext) > 1000
    assert b'"vector"' in host_plaintext and b'"tags"' in host_plaintext
    for secret in secrets:
        assert bytes(secret) not in wire
        assert bytes(secret) not in host_plaintext


async def test_a_wrong_pin_is_refused_with_a_clear_message() -> None:
    host, _ = await auto_admit_host(timeouts=FAST)
    _, rec, task = joiner(host.port, "Ann", pin=bytes(32), timeouts=FAST)
    ended = await rec.wait_for(SessionEnded)
    assert "not the one you were invited to" in ended.reason  # type: ignore[attr-defined]
    await task
    await host.close()


async def test_the_right_pin_is_accepted() -> None:
    host, _ = await auto_admit_host(timeouts=FAST)
    _, rec, task = joiner(host.port, "Ann", pin=host.certificate.fingerprint, timeouts=FAST)
    await rec.wait_for(RosterChanged)
    await host.close()
    await task


async def test_nothing_listening_is_explained() -> None:
    host, _ = await auto_admit_host(timeouts=FAST)
    port = host.port
    await host.close()
    _, rec, task = joiner(port, "Ann", timeouts=FAST)
    ended = await rec.wait_for(SessionEnded)
    assert "Nothing is listening" in ended.reason  # type: ignore[attr-defined]
    await task


async def test_the_host_vanishing_mid_round_is_reported_within_the_timeout() -> None:
    host, host_events = await auto_admit_host(timeouts=FAST)
    parties = [joiner(host.port, n, timeouts=FAST) for n in ("a", "b")]
    for _, rec, _ in parties:
        await rec.wait_for(RosterChanged)
    await host_events.wait_for(RosterChanged, test=lambda e: len(e.names) == 3 and e.code)  # type: ignore[attr-defined]
    host.start_round()
    await parties[0][1].wait_for(RoundStarted)
    # Simulate a crash: the sockets stay open but the host process stops answering.
    for link in host._links.values():
        link.closed = True
    host._server.close()  # type: ignore[union-attr]
    for _, rec, task in parties:
        ended = await rec.wait_for(SessionEnded, timeout=5)
        assert "host" in ended.reason  # type: ignore[attr-defined]
        await task


async def test_host_contributing_value_and_the_article_average() -> None:
    host, host_events = await auto_admit_host(Question(title="raise", hi="10000"), timeouts=FAST)
    host.submit("3800")
    parties = [joiner(host.port, n, timeouts=FAST) for n in ("Bob", "Carlos", "David")]
    for (engine, rec, _), v in zip(parties, ("2514", "2982", "3390"), strict=True):
        await rec.wait_for(RosterChanged)
        engine.submit(v)
    await host_events.wait_for(RosterChanged, test=lambda e: len(e.names) == 4 and e.code)  # type: ignore[attr-defined]
    host.start_round()
    result = await host_events.wait_for(ResultReady)
    assert str(result.outcome.average) == "3171.5"  # type: ignore[attr-defined]
    await host.close()


@pytest.mark.parametrize(
    "junk", [b"\x00\x00\x00\x05\x01\x63xxx", struct.pack(">I", 10**9), b"\x00\x00\x00\x02\x07\x02"]
)
async def test_hostile_bytes_from_a_stranger_drop_only_that_stranger(
    junk: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    from huddle.net import tls

    host, host_events = await auto_admit_host(timeouts=FAST)
    reader, writer = await asyncio.open_connection("127.0.0.1", host.port, ssl=tls.client_context())
    writer.write(junk)
    await writer.drain()
    assert await asyncio.wait_for(_read_until_closed(reader), 5) is not None
    parties = [joiner(host.port, n, timeouts=FAST) for n in ("a", "b")]
    for (engine, rec, _), v in zip(parties, ("1", "2"), strict=True):
        await rec.wait_for(RosterChanged)
        engine.submit(v)
    host.submit("3")
    await host_events.wait_for(RosterChanged, test=lambda e: len(e.names) == 3 and e.code)  # type: ignore[attr-defined]
    host.start_round()
    result = await parties[0][1].wait_for(ResultReady)
    assert result.outcome.sum == 6  # type: ignore[attr-defined]
    await host.close()
    writer.close()


async def _read_until_closed(reader: asyncio.StreamReader) -> bytes:
    data = b""
    while chunk := await reader.read(65536):
        data += chunk
    return data


async def test_n5_noisy_histogram_over_tls_and_the_host_holds_only_the_noisy_total() -> None:
    from huddle.core import field, kinds, noise, proofs
    from huddle.core.codec import FrameDecoder
    from huddle.core.encoding import from_ring, vector_from_bytes
    from huddle.core.messages import PartialSum, Unmask
    from huddle.core.sharing import combine

    edges = kinds.equal_width_edges("0", "100", 10, 0)
    question = Question(kind="histogram", title="commute", hi="100", bins=edges, epsilon="1.0")
    host, host_events = await auto_admit_host(question, contributes=False, timeouts=FAST)
    plaintext: list[tuple[int, bytes]] = []
    real_receive = host.session.receive_data

    def spy(conn: int, data: bytes) -> list:  # type: ignore[type-arg]
        plaintext.append((conn, data))
        return real_receive(conn, data)

    host.session.receive_data = spy  # type: ignore[method-assign]
    values = {"Ann": "5", "Ben": "15", "Cat": "15", "Dan": "55", "Eve": "100"}
    exact = [1, 2, 0, 0, 0, 1, 0, 0, 0, 1]
    parties = [joiner(host.port, name, timeouts=FAST) for name in values]
    for (engine, rec, _), value in zip(parties, values.values(), strict=True):
        await rec.wait_for(RosterChanged)
        engine.submit(value)
    await host_events.wait_for(RosterChanged, test=lambda e: len(e.names) == 5 and e.code)  # type: ignore[attr-defined]
    host.start_round()
    outcomes = [(await rec.wait_for(ResultReady)).outcome for _, rec, _ in parties]  # type: ignore[attr-defined]
    host_outcome = (await host_events.wait_for(ResultReady)).outcome  # type: ignore[attr-defined]
    await host.close()

    assert {o.raw_counts for o in outcomes} == {host_outcome.raw_counts}
    raw = host_outcome.raw_counts
    sigma = noise.noise_std(5, 1.0, 2)  # the noise of the sum of 10 bars has σ·√10
    assert abs(sum(raw) - 5) <= 5 * sigma * len(raw) ** 0.5
    assert host_outcome.as_dict()["error_bound"] == noise.error_bound(5, 1.0, 2)
    # All the host ever received: Hellos, code nonces, partial sums with their
    # proofs' public parts, checks, and the self-mask pieces opened once every
    # contribution passed; the partial sums less the pieces add up to the noisy
    # counts, never to the exact ones, and no partial sum is anyone's answer.
    decoders = {conn: FrameDecoder() for conn, _ in plaintext}
    received = [m for conn, chunk in plaintext for m in decoders[conn].feed(chunk)]
    partials = [vector_from_bytes(m.vector) for m in received if isinstance(m, PartialSum)]
    opened = [m.pieces for m in received if isinstance(m, Unmask)]
    assert len(partials) == len(opened) == 5
    pieces = [p[k : k + 32] for p in opened for k in range(0, len(p), 32)]
    assert len(pieces) == 5 * 4
    total = field.sub(combine(partials), proofs.self_mask(pieces, len(edges) - 1))
    assert tuple(from_ring(total)) == raw
    assert all(from_ring(p) != exact for p in partials)


async def test_members_prepare_their_partial_sums_in_the_lobby_and_start_sends_them() -> None:
    """The engines call `prepare` themselves once the group and the value are in."""
    host, host_events = await auto_admit_host(Question(title="raise", hi="10000"), timeouts=FAST)
    frames: dict[int, bytearray] = {}
    real_receive = host.session.receive_data

    def spy(conn: int, data: bytes) -> list[Output]:  # what reaches the host, decrypted
        frames.setdefault(conn, bytearray()).extend(data)
        return real_receive(conn, data)

    host.session.receive_data = spy  # type: ignore[method-assign]
    host.submit("3800")
    parties = [joiner(host.port, n, timeouts=FAST) for n in ("Bob", "Carlos", "David")]
    for (engine, rec, _), v in zip(parties, ("2514", "2982", "3390"), strict=True):
        await rec.wait_for(RosterChanged)
        engine.submit(v)
    for _, rec, _ in parties:
        await rec.wait_for(RosterChanged, test=lambda e: len(e.names) == 4 and e.code)  # type: ignore[attr-defined]
    await everything_scheduled_so_far()
    prepared = []
    for engine, _, _ in parties:
        assert engine.session is not None and engine.session._prepared is not None
        prepared.append(engine.session._prepared.mine.frame)
    assert host.local is not None and host.local._prepared is not None
    assert not any(p in bytes(f) for f in frames.values() for p in prepared), "sent early"
    host.start_round()
    result = await host_events.wait_for(ResultReady)
    assert str(result.outcome.average) == "3171.5"  # type: ignore[attr-defined]
    sent = [bytes(f) for f in frames.values()]
    assert all(any(p in f for f in sent) for p in prepared)
    await host.close()


async def everything_scheduled_so_far() -> None:
    """Return once the callbacks already queued on the loop (preparations) have run."""
    loop = asyncio.get_running_loop()
    done = loop.create_future()
    loop.call_soon(done.set_result, None)
    await done
