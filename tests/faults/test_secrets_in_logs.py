"""No value and no share reaches a log, stderr or stdout; values are wiped after the round.

Full runs with every log at DEBUG — in-process (a complete round with the host
contributing, a round aborted by a killed participant and its re-run, a round
stopped by a complaint about a tampered share and its re-run) and as CLI
processes with ``-vv`` (a complete round, and a round aborted by a joiner killed
with SIGKILL) — are captured whole and searched for every input in every
encoding (as typed, scaled fixed-point in decimal, 8-byte little/big-endian)
and for every share the parties made (from demo-only `ShareTranscript`s).

The participant's value buffer is zeroed and dropped after a result, after
leaving and when the host goes away; after an abort only the value is kept
(for the re-run), never the round's kept share.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import signal
import subprocess
import threading
import time
from decimal import Decimal
from typing import Any

import numpy as np
import pytest

from huddle.core.codec import FrameDecoder, encode
from huddle.core.events import (
    Output,
    ResultReady,
    RosterChanged,
    RoundAborted,
    Send,
    ShareTranscript,
)
from huddle.core.messages import Partials, PartialSum
from huddle.core.questions import Question
from huddle.net.host_engine import HostEngine
from tests import processes
from tests.core.harness import make_network
from tests.net.engines import FAST, Recorder, auto_admit_host, joiner
from tests.net.test_engine import encodings_of

from .parties import Party, abort, hold

QUESTION = Question(title="raise", decimals=2, hi="100000")
# Distinctive values: none of their encodings can turn up in a log by chance.
VALUES = ["31337.17", "27182.81", "16180.33", "14142.13", "17320.50", "22360.67", "26457.51"]


def secrets_of(values: list[str], recorders: list[Recorder]) -> list[bytes]:
    out: list[bytes] = []
    for value in values:
        scaled = QUESTION.fixed_point.encode(QUESTION.fixed_point.parse(value))
        out += [value.encode(), *encodings_of(scaled)]
    for rec in recorders:
        for t in rec.events:
            if isinstance(t, ShareTranscript) and t.kept:
                for share in [*t.kept, *(s for _, v in t.sent for s in v)]:
                    out += encodings_of(share)
    return out


def assert_absent(secrets: list[bytes], text: str) -> None:
    haystack = text.encode("utf-8", "surrogateescape")
    assert len(secrets) > 20
    for secret in secrets:
        assert secret not in haystack, f"a secret ({len(secret)} bytes) is in the captured output"


async def _group(values: list[str], **host_kwargs: object) -> tuple[HostEngine, Recorder, list]:  # type: ignore[type-arg]
    host, host_events = await auto_admit_host(
        QUESTION, timeouts=FAST, transcript=True, **host_kwargs
    )
    parties = [
        joiner(host.port, f"p{i}", timeouts=FAST, transcript=True) for i in range(len(values))
    ]
    expected = len(values) + (0 if host_kwargs.get("contributes") is False else 1)
    await host_events.wait_for(RosterChanged, test=lambda e: len(e.names) == expected)  # type: ignore[attr-defined]
    for (engine, rec, _), value in zip(parties, values, strict=True):
        await rec.wait_for(RosterChanged, test=lambda e: len(e.names) == expected)  # type: ignore[attr-defined]
        engine.submit(value)
    return host, host_events, parties


async def test_in_process_runs_at_debug_log_no_secret(
    caplog: pytest.LogCaptureFixture, capsys: pytest.CaptureFixture[str]
) -> None:
    caplog.set_level(logging.DEBUG)
    recorders: list[Recorder] = []

    # 1. A complete round; the host contributes too.
    host, host_events, parties = await _group(VALUES[1:4])
    host.submit(VALUES[0])
    host.start_round()
    for _, rec, _ in parties:
        await rec.wait_for(ResultReady)
    recorders += [host_events, *(rec for _, rec, _ in parties)]
    await host.close()

    # 2. A participant killed after its shares; the round aborts and re-runs.
    host, host_events, parties = await _group(VALUES[:4], contributes=False)
    victim = Party("p0", VALUES[0], *parties[0])
    hold(victim, PartialSum, then=lambda p: abort(p.engine._link))  # type: ignore[arg-type]
    host.start_round()
    await host_events.wait_for(RoundAborted)
    await host_events.wait_for(RosterChanged, test=lambda e: len(e.names) == 3)  # type: ignore[attr-defined]
    host.start_round()
    for _, rec, _ in parties[1:]:
        await rec.wait_for(ResultReady)
    recorders += [host_events, *(rec for _, rec, _ in parties)]
    await host.close()

    # 3. A partial sum tampered with on the way: a complaint, the sender is expelled; re-run.
    host, host_events, parties = await _group(VALUES[3:7], contributes=False)
    real_publish = host.session._publish

    def tamper(rnd: Any) -> list[Output]:
        first, *rest = real_publish(rnd)
        assert isinstance(first, Send)
        msg = FrameDecoder().feed(first.data)[0]
        assert isinstance(msg, Partials)
        # Someone else's partial sum (the second one), zeroed: its tag no longer matches.
        size = len(msg.vectors) // len(msg.parties)
        vectors = msg.vectors[:size] + bytes(size) + msg.vectors[2 * size :]
        bad = dataclasses.replace(msg, vectors=vectors)
        return [Send(first.conn, encode(bad)), *rest]

    host.session._publish = tamper  # type: ignore[method-assign]
    host.start_round()
    aborted = await host_events.wait_for(RoundAborted)
    assert "failed its security check" in aborted.reason  # type: ignore[attr-defined]
    host.session._publish = real_publish  # type: ignore[method-assign]
    await host_events.wait_for(RosterChanged, test=lambda e: len(e.names) == 3)  # type: ignore[attr-defined]
    host.start_round()
    await host_events.wait_for(ResultReady)
    recorders += [host_events, *(rec for _, rec, _ in parties)]
    await host.close()

    captured = capsys.readouterr()
    text = caplog.text + captured.out + captured.err
    text += "\n".join(repr(r.args) + str(r.exc_info) for r in caplog.records)
    assert "connection" in caplog.text and len(caplog.records) > 50  # DEBUG really was on
    assert sum(isinstance(e, ShareTranscript) for r in recorders for e in r.events) > 12
    secrets = secrets_of(VALUES, recorders)
    assert_absent(secrets, text)
    kept = next(
        e.kept[0] for r in recorders for e in r.events if isinstance(e, ShareTranscript) and e.kept
    )
    for leak in (VALUES[2], f"kept={kept}"):  # the search would see a leak
        with pytest.raises(AssertionError):
            assert_absent(secrets, text + leak)


def _start_held(*args: str) -> processes.Proc:
    """`processes.start`, but stdin stays open and empty: the process waits for a value."""
    popen = subprocess.Popen(
        [*processes.HUDDLE, *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=dict(os.environ, PYTHONUNBUFFERED="1"),
    )
    proc = processes.Proc(popen)

    def pump(stream: str) -> None:
        source = getattr(popen, stream)
        for line in source:
            (proc.stderr_seen if stream == "stderr" else proc.stdout_seen).append(line)
            if stream == "stderr":
                proc.lines.put(line)
        if stream == "stderr":
            proc.lines.put(None)

    for stream in ("stderr", "stdout"):
        thread = threading.Thread(target=pump, args=(stream,), daemon=True)
        thread.start()
        proc.readers.append(thread)
    return proc


COMMON = ["--title", "raise", "--decimals", "2", "--range", "0", "100000", "--no-advertise"]


def test_cli_processes_at_vv_log_no_secret() -> None:
    outputs: list[str] = []
    # A complete round: host and two joiners, values typed on stdin.
    host = processes.start(
        "-vv",
        "host",
        *COMMON,
        "--expect",
        "3",
        "--name",
        "Host",
        "--bind",
        "127.0.0.1",
        stdin=VALUES[0] + "\n",
    )
    port = processes.host_port(host)
    joiners = [
        processes.start("-vv", "join", f"127.0.0.1:{port}", "--name", f"J{i}", stdin=v + "\n")
        for i, v in enumerate(VALUES[1:3])
    ]
    for proc in [host, *joiners]:
        code, out, err = proc.finish(60)
        assert code == 0, err
        outputs += [out, err]
    average = sum(Decimal(v) for v in VALUES[:3]) / 3
    assert f"{average:.2f}"[:5] in outputs[0]

    # An aborted round: a joiner is killed with SIGKILL while asked for its value.
    host = processes.start(
        "-vv",
        "host",
        *COMMON,
        "--expect",
        "3",
        "--name",
        "Host",
        "--bind",
        "127.0.0.1",
        stdin=VALUES[3] + "\n",
    )
    port = processes.host_port(host)
    honest = processes.start(
        "-vv", "join", f"127.0.0.1:{port}", "--name", "J1", stdin=VALUES[4] + "\n"
    )
    victim = _start_held("-vv", "join", f"127.0.0.1:{port}", "--name", "Victim")
    deadline = time.monotonic() + 20
    while not any("Round started" in ln for ln in victim.stdout_seen):  # it asks for its value
        assert time.monotonic() < deadline, victim.stderr_seen
        time.sleep(0.05)
    victim.popen.send_signal(signal.SIGKILL)
    victim.popen.wait(10)
    for proc in (host, honest):
        code, out, err = proc.finish(60)
        assert code != 0 and "Victim" in err, err
        outputs += [out, err]
    assert_absent(secrets_of(VALUES[:5], []), "".join(outputs))


def test_values_are_wiped_after_result_abort_leave_and_host_loss() -> None:
    net = make_network(QUESTION)
    conns = [net.join(n) for n in ("a", "b", "c", "d")]
    buffers = []
    for conn, value in zip(conns, VALUES, strict=False):
        net.party_do(conn, net.parties[conn].submit(value))
        buf = net.parties[conn]._value
        assert isinstance(buf, np.ndarray) and buf.any()
        buffers.append(buf)
    # d's shares go out, then d vanishes: abort. Values stay for the re-run; kept shares go.
    net.tap = lambda direction, conn, data: (
        None if conn == conns[3] and direction == "down" else data
    )
    net.host_do(net.host.start())
    net.tap = None
    net.disconnect(conns[3])
    for conn in conns[:3]:
        party = net.parties[conn]
        assert any(isinstance(e, RoundAborted) for e in net.events[conn])
        assert party.has_value and not party._context  # the round's keys are gone
    assert not net.parties[conns[3]].has_value and not buffers[3].any()
    # Re-run: after the result, nothing is held and the old buffers are zeros.
    net.host_do(net.host.start())
    for conn, buf in zip(conns[:3], buffers, strict=False):
        assert any(isinstance(e, ResultReady) for e in net.events[conn])
        assert not net.parties[conn].has_value
        assert not buf.any()
    # Leaving, and losing the host, wipe too.
    for ending in ("leave", "host lost"):
        net = make_network(QUESTION)
        conn = net.join("e")
        net.join("f")
        party = net.parties[conn]
        net.party_do(conn, party.submit(VALUES[5]))
        buf = party._value
        assert isinstance(buf, np.ndarray) and buf.any() and party._pairs
        if ending == "leave":
            net.party_do(conn, party.leave())
        else:
            net.disconnect(conn)
        assert not party.has_value and not buf.any()
        assert not party._pairs, "the pairwise secrets go with the session"
