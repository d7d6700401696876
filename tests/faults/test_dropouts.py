"""A party vanishing at each protocol phase, for n = 3, 5 and 10, over real TLS sockets.

Proves, for every fault (a killed connection, a frozen peer) and every phase:
- lobby: everyone left sees the roster without the missing person and a new
  security code, the same on every screen, marked as changed (compare again);
- after Start while the victim is still typing its value; with its value in,
  before its partial sum reaches the host; after its partial sum, before the
  others' partial sums are relayed; after every partial sum is in, before its
  confirmation; after everyone confirmed, before its signed checks: every
  remaining party and the host report an abort naming the missing person,
  nobody opened a self-mask and the host holds no result; the re-run without
  them waits for each person's word (it is never automatic), then completes
  with the right average when the minimum (3) still holds, and is refused
  otherwise;
- after every contribution passed everyone's checks, before its self-mask's
  pieces (the others opened theirs): the round cannot be summed by anyone and
  the question is closed — every survivor is told so and the host refuses a
  re-run (one could be compared with the stopped round);
- the host vanishing at each phase: every participant reports that the host is
  gone within the idle timeout, and holds no value afterwards.
"""

from __future__ import annotations

import asyncio
import re
import signal
import time
from collections.abc import Callable
from decimal import Decimal

import pytest

from huddle.core.errors import LocalProtocolError
from huddle.core.events import (
    Event,
    ProgressChanged,
    ResultReady,
    RosterChanged,
    RoundAborted,
    RoundStarted,
    SessionEnded,
)
from huddle.core.messages import (
    Confirm,
    Confirms,
    Partials,
    PartialSum,
    Unmask,
    Unmasks,
    Verifies,
    Verify,
)
from huddle.net.link import Link
from tests import processes
from tests.net.engines import FAST

from .parties import Group, Party, abort, freeze, fresh, hold, host_hold, lobby

PHASES = [
    *("lobby", "before-value", "before-partial", "before-result"),
    *("before-confirm", "before-verify", "before-unmask"),
]
"""Where the victim goes: "before-result" is after its partial sum, before the
others' are relayed; "before-confirm" after every partial sum is in, before its
confirmation; "before-verify" after everyone confirmed, before its signed checks;
"before-unmask" after every check passed, before its pieces."""
HELD = {
    "before-confirm": (Confirm, Confirms),
    "before-verify": (Verify, Verifies),
    "before-unmask": (Unmask, Unmasks),
}
"""The victim's frame it dies instead of sending, and the host's relay of everyone's
(a vanishing host dies with all of them in, before relaying them)."""
FAULTS: dict[str, Callable[[Link], None]] = {"kill": abort, "freeze": freeze}
FROZEN_AT = ("lobby", "before-value", "before-partial", "before-result")
"""A frozen peer differs from a killed one only in how its loss is noticed (the idle
timeout, a second each): that is tried at the first phases, the later ones are killed."""
CASES = [
    (f, ph, n)
    for n in (3, 5, 10)
    for ph in PHASES
    for f in FAULTS
    if f == "kill" or (n == 5 and ph in FROZEN_AT)
]
REPORT_WITHIN = FAST.idle + 2.0
"""How long a survivor may take to notice: the idle timeout plus scheduling slack."""


def kill(party: Party, fault: str) -> None:
    assert party.engine._link is not None
    FAULTS[fault](party.engine._link)


async def submit_all(group: Group, skip: str = "") -> None:
    for p in group.parties:
        if p.name != skip:
            p.engine.submit(p.value)


@pytest.mark.parametrize(("fault", "phase", "n"), CASES)
async def test_a_participant_vanishing(fault: str, phase: str, n: int) -> None:
    group = await lobby(n)
    victim = group.parties[n // 2]
    survivors = [p for p in group.parties if p is not victim]
    try:
        if phase == "lobby":
            await _vanish_in_lobby(group, victim, survivors, fault)
        elif phase == "before-unmask":
            await _vanish_in_round(group, victim, survivors, fault, phase)
            await _closed_without(group, victim, survivors)
        else:
            await _vanish_in_round(group, victim, survivors, fault, phase)
            await _rerun_without(group, victim, survivors)
    finally:
        await group.close()


async def _vanish_in_lobby(group: Group, victim: Party, survivors: list[Party], fault: str) -> None:
    code_before = group.host.session.code
    gone: Callable[[Event], bool] = lambda e: victim.name not in e.names and e.code  # type: ignore[attr-defined]  # noqa: E731
    tests = {id(r): fresh(r, gone) for r in [group.host_events, *(p.events for p in survivors)]}
    kill(victim, fault)
    left = await group.host_events.wait_for(
        RosterChanged, REPORT_WITHIN, tests[id(group.host_events)]
    )
    assert left.note == f"{victim.name} left" and left.changed  # type: ignore[attr-defined]
    for p in survivors:
        seen = await p.events.wait_for(RosterChanged, REPORT_WITHIN, tests[id(p.events)])
        assert seen.names == tuple(s.name for s in survivors)  # type: ignore[attr-defined]
        assert f"{victim.name} left" in seen.note  # type: ignore[attr-defined]
        assert seen.code == group.host.session.code != code_before  # type: ignore[attr-defined]
        assert seen.changed, "every screen says the code changed: compare again"  # type: ignore[attr-defined]


async def _vanish_in_round(
    group: Group, victim: Party, survivors: list[Party], fault: str, phase: str
) -> None:
    if phase == "before-value":
        await submit_all(group, skip=victim.name)
        group.host.start_round()
        await victim.events.wait_for(RoundStarted)
        kill(victim, fault)
    elif phase == "before-partial":
        hold(victim, PartialSum, then=lambda p: kill(p, fault))
        await submit_all(group)
        group.host.start_round()
    elif phase == "before-result":
        # A slow survivor holds back its partial sum, so the victim's is in
        # while the result is not: then the victim goes.
        hold(survivors[0], PartialSum)
        await submit_all(group)
        group.host.start_round()
        await group.host_events.wait_for(
            ProgressChanged,
            test=lambda e: victim.name in e.summed,  # type: ignore[attr-defined]
        )
        kill(victim, fault)
    else:  # the victim goes instead of confirming, of signing its checks, or of opening
        hold(victim, HELD[phase][0], then=lambda p: kill(p, fault))
        await submit_all(group)
        group.host.start_round()
    aborted = await group.host_events.wait_for(RoundAborted, REPORT_WITHIN)
    closed = phase == "before-unmask"
    assert aborted.missing == (victim.name,)  # type: ignore[attr-defined]
    assert victim.name in aborted.reason  # type: ignore[attr-defined]
    assert aborted.can_rerun == (len(survivors) >= 3 and not closed)  # type: ignore[attr-defined]
    assert group.host.session.outcome is None, "the host cannot sum a stopped round"
    assert group.host.session.question_closed == closed
    for p in survivors:
        seen = await p.events.wait_for(RoundAborted, REPORT_WITHIN)
        assert seen.missing == (victim.name,)  # type: ignore[attr-defined]
        assert seen.closed == closed == p.engine.session_do().closed  # type: ignore[attr-defined]
        assert not any(isinstance(e, ResultReady) for e in p.events.events)
        if not closed:
            assert p.engine.session_do().has_value, "the value is kept for the re-run"


async def _rerun_without(group: Group, victim: Party, survivors: list[Party]) -> None:
    new_code = await group.host_events.wait_for(
        RosterChanged,
        test=lambda e: victim.name not in e.names and e.code,  # type: ignore[attr-defined]
    )
    if len(survivors) < 3:
        with pytest.raises(LocalProtocolError, match="At least 3"):
            group.host.start_round()
        return
    for p in survivors:  # a re-run only for the group and code now on every screen
        seen = await p.events.wait_for(RosterChanged, test=lambda e: e.code == new_code.code)  # type: ignore[attr-defined]
        assert seen.changed  # type: ignore[attr-defined]
    group.host.start_round()
    for p in survivors:  # never automatic: each app asks its person first
        started = await p.events.wait_for(RoundStarted, REPORT_WITHIN, lambda e: e.rerun)  # type: ignore[attr-defined]
        assert not started.needs_value and p.engine.session_do().awaiting_consent  # type: ignore[attr-defined]
    await asyncio.sleep(0.05)  # time enough for a partial sum to arrive, were one sent
    rnd = group.host.session._round
    assert rnd is not None and not rnd.partials, "a partial sum went out without the person"
    for p in survivors:
        p.engine.take_part()
    expected = Decimal(sum(int(p.value) for p in survivors)) / len(survivors)
    results = []
    for p in survivors:
        result = await p.events.wait_for(ResultReady, REPORT_WITHIN)
        assert result.outcome.average == expected  # type: ignore[attr-defined]
        assert result.outcome.count == len(survivors)  # type: ignore[attr-defined]
        assert not p.engine.session_do().has_value, "wiped after the result"
        results.append(result)
    host_result = await group.host_events.wait_for(ResultReady)
    assert host_result.outcome.average == expected  # type: ignore[attr-defined]
    assert {r.code for r in results} == {host_result.code}, "one result code for all"  # type: ignore[attr-defined]


async def _closed_without(group: Group, victim: Party, survivors: list[Party]) -> None:
    """After a stop that came once self-masks were opened, this question takes no more rounds."""
    await group.host_events.wait_for(
        RosterChanged,
        test=lambda e: victim.name not in e.names and e.code,  # type: ignore[attr-defined]
    )
    with pytest.raises(LocalProtocolError, match="closed"):
        group.host.start_round()
    told = [group.host_events, *(p.events for p in survivors)]
    for events in told:
        aborted = await events.wait_for(RoundAborted)
        assert "closed" in aborted.reason, aborted  # type: ignore[attr-defined]


HOST_CASES = CASES


@pytest.mark.parametrize(("fault", "phase", "n"), HOST_CASES)
async def test_the_host_vanishing(fault: str, phase: str, n: int) -> None:
    group = await lobby(n)
    host = group.host

    def vanish() -> None:
        assert host._server is not None
        host._server.close()
        for link in list(host._links.values()):
            FAULTS[fault](link)

    try:
        if phase == "before-value":
            await submit_all(group, skip=group.parties[0].name)
            host.start_round()
            await group.parties[-1].events.wait_for(RoundStarted)
        elif phase == "before-partial":
            hold(group.parties[0], PartialSum)  # one partial sum never arrives
            await submit_all(group)
            host.start_round()
            await group.host_events.wait_for(
                ProgressChanged,
                test=lambda e: len(e.summed) == n - 1,  # type: ignore[attr-defined]
            )
        elif phase == "before-result":
            host_hold(host, Partials, vanish)  # all partial sums are in; it dies before publishing
            await submit_all(group)
            host.start_round()
        elif phase in HELD:
            # Every confirmation (every signed check, every piece) is in; it dies
            # before relaying them.
            host_hold(host, HELD[phase][1], vanish)
            await submit_all(group)
            host.start_round()
        if phase in ("lobby", "before-value", "before-partial"):
            vanish()
        t0 = time.monotonic()
        for p in group.parties:
            ended = await p.events.wait_for(SessionEnded, REPORT_WITHIN)
            assert "host" in ended.reason  # type: ignore[attr-defined]
            assert not any(isinstance(e, ResultReady) for e in p.events.events)
            assert p.engine.session_do().ended and not p.engine.session_do().has_value
        assert time.monotonic() - t0 < REPORT_WITHIN
        await asyncio.wait([p.task for p in group.parties], timeout=REPORT_WITHIN)
        assert all(p.task.done() for p in group.parties), "every joiner is back home"
    finally:
        for link in list(host._links.values()):
            abort(link)
        await group.close()


def test_a_killed_join_process_in_the_lobby_leaves_the_others_a_working_round() -> None:
    """Real processes: a `huddle join` killed with SIGKILL in the lobby is dropped from the
    roster (with a new security code for everyone) and the round completes without it."""
    common = ["--title", "raise", "--range", "0", "100000", "--no-advertise", "--json"]
    host = processes.start("host", *common, "--expect", "4", "--bind", "127.0.0.1", stdin="10\n")
    port = processes.host_port(host)
    join = ["join", f"127.0.0.1:{port}", "--json"]
    first = processes.start(*join, "--name", "J1", stdin="20\n")
    _wait_output(first, "Lobby:")
    victim = processes.start(*join, "--name", "Victim", stdin="99999\n")
    _wait_output(first, "Lobby: .*Victim")
    victim.popen.send_signal(signal.SIGKILL)
    victim.popen.wait(10)
    _wait_output(first, "Victim left")
    rest = [
        processes.start(*join, "--name", n, stdin=v + "\n") for n, v in (("J2", "30"), ("J3", "40"))
    ]
    _wait_output(first, "Lobby: (?!.*Victim)", after="Victim left")
    lobby = [ln for ln in first.stdout_seen + first.stderr_seen if ln.startswith("Lobby:")]
    with_victim = next(ln for ln in lobby if "Victim" in ln)
    assert "Victim" not in lobby[-1] and lobby[-1].split("code")[1] != with_victim.split("code")[1]
    changed = first.stdout_seen + first.stderr_seen
    after = changed[changed.index(with_victim) :]
    assert any("code changed: compare it again" in ln for ln in after), after
    results = [proc.result(60) for proc in (host, first, *rest)]
    for result in results:
        assert result["participants"] == 4 and Decimal(result["average_exact"]) == 25, result
    # One result for all: the same group code and the same transcript code on every screen.
    assert len({(r["security_code"], r["result_code"]) for r in results}) == 1, results
    assert results[0]["result_code"]


def _wait_output(proc: processes.Proc, pattern: str, timeout: float = 20, after: str = "") -> None:
    """Wait for a line matching ``pattern`` (after the first line matching ``after``)."""
    deadline = time.monotonic() + timeout

    def seen() -> bool:
        lines = proc.stdout_seen + proc.stderr_seen
        start = next((i for i, ln in enumerate(lines) if re.search(after, ln)), None)
        return start is not None and any(re.search(pattern, ln) for ln in lines[start:])

    while not seen():
        assert time.monotonic() < deadline and proc.popen.poll() is None, proc.stderr_seen
        time.sleep(0.05)
