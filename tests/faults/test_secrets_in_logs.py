"""No value, share or unopened secret reaches a log, stderr, stdout or an error.

Full runs with every log at DEBUG — in-process (a complete round with the host
contributing and a latecomer gone before the code's nonces were revealed, a
round aborted by a killed participant and its re-run, a round stopped by a
complaint about a tampered transcript and its re-run) and as CLI processes
with ``-vv`` (a complete round, and a round aborted by a joiner killed with
SIGKILL) — are captured whole, with every event shown to people (abort and
end reasons included), and searched for every input in every encoding (as
typed, scaled fixed-point in decimal, 8-byte little/big-endian), every share
and every partial sum before its self-mask (from demo-only `ShareTranscript`s),
and every secret of protocol 4 a member holds: the security code's nonces, the
rounds' query nonces and proofs' private seeds (everything it draws), the
self-mask pieces and the pairwise secrets it derives, raw and as hex, base64,
base32 and Python reprs. Among them are nonces never revealed, pieces never
opened and seeds and secrets that never leave an app (the tests check there
are some): those must stay inside the app that holds them.

The participant's value buffer is zeroed and dropped after a result, after
leaving and when the host goes away; after an abort only the value is kept
(for the re-run), never the round's keys or its self-mask's pieces.
"""

from __future__ import annotations

import base64
import dataclasses
import logging
import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from decimal import Decimal
from typing import Any, ClassVar

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
from huddle.core.messages import Commit, Confirm, Lobby, Partials, PartialSum, Reveal, Unmask
from huddle.core.participant import ParticipantSession
from huddle.core.questions import Question
from huddle.net import host_engine, join_engine
from huddle.net.host_engine import HostEngine
from tests import processes
from tests.core.harness import make_network
from tests.net.engines import FAST, Recorder, auto_admit_host, joiner
from tests.net.test_engine import encodings_of

from .parties import Party, abort, fresh, hold, takes_part_again

QUESTION = Question(title="raise", decimals=2, hi="100000")
# Distinctive values: none of their encodings can turn up in a log by chance.
VALUES = ["31337.17", "27182.81", "16180.33", "14142.13", "17320.50", "22360.67", "26457.51"]


class Drawing(ParticipantSession):
    """A participant that keeps, for the test's eyes only, every secret it holds.

    The engines build their sessions from this class during the test
    (`drawing_members`): the protocol is the real one, the randomness too.
    """

    nonces: ClassVar[list[bytes]] = []
    """Every security-code nonce drawn (one per roster epoch and member)."""
    seeds: ClassVar[list[bytes]] = []
    """Everything drawn in rounds: query nonces, and the seeds of the proofs' private
    randomness (two per partial sum built, sent or not)."""
    pieces: ClassVar[list[bytes]] = []
    """Every self-mask piece derived (one per colleague and partial sum built)."""
    pairs: ClassVar[list[bytes]] = []
    """Every pairwise secret agreed."""
    opened: ClassVar[set[bytes]] = set()
    """The nonces and pieces that left their app (in a Reveal, Confirm or Unmask)."""

    def __init__(self, **kwargs: Any) -> None:
        real: Callable[[int], bytes] = kwargs.pop("random_bytes")
        self._in_lobby = False

        def random_bytes(n: int) -> bytes:
            data = real(n)
            (self.nonces if self._in_lobby else self.seeds).append(data)
            return data

        super().__init__(random_bytes=random_bytes, **kwargs)

    def _lobby(self, msg: Lobby) -> list[Output]:
        self._in_lobby = True  # the nonce of the new epoch is drawn here, and nothing else
        try:
            return super()._lobby(msg)
        finally:
            self._in_lobby = False
            self.pairs.extend(secret for _, secret in self._pairs._by_party.values())

    def _contribute(self, round_id: bytes, context: bytes, parties: tuple[int, ...]) -> Any:
        mine, demo = super()._contribute(round_id, context, parties)
        self.pieces.extend(mine.pieces)
        return mine, demo

    def receive_data(self, data: bytes) -> list[Output]:
        outs = super().receive_data(data)
        for out in outs:
            if isinstance(out, Send) and out.data[5] in (Reveal.TYPE, Confirm.TYPE, Unmask.TYPE):
                msg = FrameDecoder().feed(out.data)[0]
                if isinstance(msg, Reveal | Confirm):
                    self.opened.add(msg.nonce)
                elif isinstance(msg, Unmask):
                    size = len(msg.pieces)
                    self.opened.update(msg.pieces[k : k + 32] for k in range(0, size, 32))
        return outs


@pytest.fixture
def drawing_members(monkeypatch: pytest.MonkeyPatch) -> Iterator[type[Drawing]]:
    """Engines (joining and hosting) build `Drawing` participants during the test."""
    Drawing.nonces, Drawing.seeds, Drawing.opened = [], [], set()
    Drawing.pieces, Drawing.pairs = [], []
    monkeypatch.setattr(join_engine, "ParticipantSession", Drawing)
    monkeypatch.setattr(host_engine, "ParticipantSession", Drawing)
    yield Drawing


def encodings_of_bytes(secret: bytes) -> list[bytes]:
    """Every way a nonce, seed, piece or secret might be written out: raw, hex, base64,
    base32, repr."""
    b32 = base64.b32encode(secret)
    return [
        secret,
        secret.hex().encode(),
        secret.hex().upper().encode(),
        base64.b64encode(secret),
        base64.urlsafe_b64encode(secret),
        b32,
        b32.lower().rstrip(b"="),
        repr(secret).encode(),
    ]


def secrets_of(
    values: list[str], recorders: list[Recorder], drawn: Sequence[bytes] = ()
) -> list[bytes]:
    out: list[bytes] = []
    for value in values:
        scaled = QUESTION.fixed_point.encode(QUESTION.fixed_point.parse(value))
        out += [value.encode(), *encodings_of(scaled)]
    for rec in recorders:
        for t in rec.events:
            if isinstance(t, ShareTranscript) and t.kept:
                # Shares, and the partial sum before its self-mask: the host sees it
                # only with every self-mask opened, i.e. only as part of the total.
                sent = (s for _, v in t.sent for s in v)
                for share in [*t.kept, *sent, *t.partial]:
                    out += encodings_of(share)
    for secret in drawn:
        out += encodings_of_bytes(secret)
    return out


def assert_absent(secrets: list[bytes], text: str) -> None:
    haystack = text.encode("utf-8", "surrogateescape")
    assert len(secrets) > 20
    for secret in secrets:
        assert secret not in haystack, f"a secret ({len(secret)} bytes) is in the captured output"


async def _group(values: list[str], **host_kwargs: object) -> tuple[HostEngine, Recorder, list]:  # type: ignore[type-arg]
    """A host and one joiner per value, every code ready, every value typed; each person
    agrees to a re-run when asked (these tests are about what gets written down)."""
    host, host_events = await auto_admit_host(
        QUESTION, timeouts=FAST, transcript=True, **host_kwargs
    )
    parties = [
        joiner(host.port, f"p{i}", timeouts=FAST, transcript=True) for i in range(len(values))
    ]
    for engine, _, _ in parties:
        takes_part_again(engine)
    expected = len(values) + (0 if host_kwargs.get("contributes") is False else 1)
    await host_events.wait_for(RosterChanged, test=lambda e: len(e.names) == expected and e.code)  # type: ignore[attr-defined]
    for (engine, rec, _), value in zip(parties, values, strict=True):
        await rec.wait_for(RosterChanged, test=lambda e: len(e.names) == expected and e.code)  # type: ignore[attr-defined]
        engine.submit(value)
    return host, host_events, parties


def _tamper_with_partials(host: HostEngine, victim: int) -> None:
    """The host zeroes ``victim``'s own partial sum in the transcript it sends ``victim``."""
    real = host._dispatch
    member = host.session._conns[victim].member
    assert member is not None

    def dispatch(outs: list[Output]) -> None:
        for k, out in enumerate(outs):
            if isinstance(out, Send) and out.conn == victim and out.data[5] == Partials.TYPE:
                msg = FrameDecoder().feed(out.data)[0]
                assert isinstance(msg, Partials)
                size = len(msg.vectors) // len(msg.parties)
                i = msg.parties.index(member.party)
                vectors = msg.vectors[: i * size] + bytes(size) + msg.vectors[(i + 1) * size :]
                outs[k] = Send(out.conn, encode(dataclasses.replace(msg, vectors=vectors)))
        real(outs)

    host._dispatch = dispatch  # type: ignore[method-assign]


async def test_in_process_runs_at_debug_log_no_secret(
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
    drawing_members: type[Drawing],
) -> None:
    caplog.set_level(logging.DEBUG)
    recorders: list[Recorder] = []

    # 1. A complete round; the host contributes too. Before it, a latecomer goes while
    #    the others have committed to their nonces: those nonces are never revealed.
    host, host_events, parties = await _group(VALUES[1:4])
    late = Party("late", "", *joiner(host.port, "late", timeouts=FAST))
    hold(late, Commit, then=lambda p: abort(p.engine._link))  # type: ignore[arg-type]
    await host_events.wait_for(RosterChanged, test=lambda e: "late left" in e.note and e.code)  # type: ignore[attr-defined]
    host.submit(VALUES[0])
    host.start_round()
    for _, rec, _ in parties:
        await rec.wait_for(ResultReady)
    recorders += [host_events, *(rec for _, rec, _ in parties), late.events]
    await host.close()

    # 2. A participant killed after building its partial sum; the round aborts and re-runs.
    host, host_events, parties = await _group(VALUES[:4], contributes=False)
    victim = Party("p0", VALUES[0], *parties[0])
    hold(victim, PartialSum, then=lambda p: abort(p.engine._link))  # type: ignore[arg-type]
    host.start_round()
    await host_events.wait_for(RoundAborted)
    host.start_round()  # as soon as the new code is ready
    for _, rec, _ in parties[1:]:
        await rec.wait_for(ResultReady)
    recorders += [host_events, *(rec for _, rec, _ in parties)]
    await host.close()

    # 3. The host shows one member a transcript with its own partial sum altered: it
    #    complains instead of confirming, the round stops before any piece opens, and
    #    nobody is expelled on the complaint; the re-run goes ahead with all four.
    host, host_events, parties = await _group(VALUES[3:7], contributes=False)
    real_dispatch = host._dispatch
    _tamper_with_partials(host, victim=max(host._links))
    rerun = fresh(host_events, lambda e: isinstance(e, RosterChanged) and bool(e.code))
    host.start_round()
    aborted = await host_events.wait_for(RoundAborted)
    assert "own partial sum" in aborted.reason, aborted  # type: ignore[attr-defined]
    rnd = host.session._round
    assert rnd is not None and not rnd.pieces and not host.session.question_closed
    host._dispatch = real_dispatch  # type: ignore[method-assign]
    await host_events.wait_for(RosterChanged, test=rerun)
    assert len(host.session.roster) == 4, "nobody is expelled on a complaint"
    host.start_round()
    await host_events.wait_for(ResultReady)
    recorders += [host_events, *(rec for _, rec, _ in parties)]
    await host.close()

    captured = capsys.readouterr()
    text = caplog.text + captured.out + captured.err
    text += "\n".join(repr(r.args) + str(r.exc_info) for r in caplog.records)
    shown = [e for r in recorders for e in r.events if not isinstance(e, ShareTranscript)]
    text += "\n".join(repr(e) for e in shown)  # what people see: reasons, notes, codes
    assert "connection" in caplog.text and len(caplog.records) > 50  # DEBUG really was on
    assert sum(isinstance(e, ShareTranscript) for r in recorders for e in r.events) > 12
    drawn = drawing_members
    unrevealed = set(drawn.nonces) - drawn.opened
    unopened = set(drawn.pieces) - drawn.opened
    kept_in = set(drawn.seeds) - drawn.opened  # query nonces never revealed, proof seeds
    # The latecomer's epoch: four nonces committed, never revealed. The stopped rounds of
    # 2 and 3: four partial sums each, three pieces each never opened. Every proof's
    # seed, and the query nonces of round 2, never leave their app.
    assert len(unrevealed) >= 4 and len(unopened) >= 8 * 3 and drawn.opened
    assert len(set(drawn.nonces)) == len(drawn.nonces) > 20 and len(drawn.seeds) >= 2 * 16
    assert len(kept_in) >= 16 + 4 and drawn.opened & set(drawn.seeds)  # query nonces revealed
    assert len(drawn.pieces) >= 16 * 3 and len(set(drawn.pairs)) >= 3 * 6
    secrets = secrets_of(
        VALUES, recorders, [*drawn.nonces, *drawn.seeds, *drawn.pieces, *drawn.pairs]
    )
    assert_absent(secrets, text)
    kept = next(
        e.kept[0] for r in recorders for e in r.events if isinstance(e, ShareTranscript) and e.kept
    )
    piece, seed, pair = next(iter(unopened)), next(iter(kept_in)), drawn.pairs[0]
    for leak in (
        VALUES[2], f"kept={kept}", f"piece={piece.hex()}", f"{seed!r}", pair.hex().upper()
    ):  # fmt: skip
        with pytest.raises(AssertionError):  # the search would see a leak
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
    # The others publish, d never hears Start and vanishes: abort. Values stay for the
    # re-run; the round's keys, nonce and self-mask pieces go.
    net.tap = lambda direction, conn, data: (
        None if conn == conns[3] and direction == "down" else data
    )
    net.host_do(net.host.start())
    net.tap = None
    assert all(net.parties[conn]._mine.pieces for conn in conns[:3])
    assert all(net.parties[conn]._mine.nonce for conn in conns[:3])
    net.disconnect(conns[3])
    for conn in conns[:3]:
        party = net.parties[conn]
        assert any(isinstance(e, RoundAborted) for e in net.events[conn])
        assert party.has_value and not party._context
        assert not party._mine.pieces and not party._mine.nonce
    assert not net.parties[conns[3]].has_value and not buffers[3].any()
    # Re-run (each person agreeing): after the result, nothing is held, the buffers are zeros.
    net.host_do(net.host.start())
    for conn in conns[:3]:
        net.party_do(conn, net.parties[conn].take_part())
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


def test_a_closed_question_wipes_the_value() -> None:
    """A round stopped after the self-masks opened closes the question: no re-run can use
    the value any more, so it goes, as after a result."""
    net = make_network(QUESTION)
    conns = [net.join(n) for n in ("a", "b", "c", "d")]
    for conn, value in zip(conns, VALUES, strict=False):
        net.party_do(conn, net.parties[conn].submit(value))
    buf = net.parties[conns[0]]._value
    assert isinstance(buf, np.ndarray) and buf.any()
    # Everyone confirmed; d goes instead of opening its self-mask: the question closes.
    net.tap = lambda direction, conn, data: (
        None if conn == conns[3] and direction == "up" and data[5] == Unmask.TYPE else data
    )
    net.host_do(net.host.start())
    net.disconnect(conns[3])
    party = net.parties[conns[0]]
    assert party.closed and net.host.question_closed
    assert not party.has_value and not buf.any()
