"""The door both front ends use (`huddle.net.facade`), over real sockets on 127.0.0.1:
a whole round through it, its announcement following the lobby, leaving while
still connecting, and answers made ready (a poll's coins flipped) before they go."""

from __future__ import annotations

import asyncio
import os
from decimal import Decimal

import pytest

from huddle.core.answers import Number, Pick, YesNo
from huddle.core.questions import POLL, VOTE
from huddle.net.facade import (
    Browser,
    Event,
    Hosting,
    InputError,
    Invite,
    Joining,
    JoinRequested,
    Question,
    ResultReady,
    RosterChanged,
    SessionAppeared,
    SessionChanged,
    SessionGone,
    Welcomed,
    join_invite,
    prepare_answer,
)
from tests.net.engines import FAST, Recorder

RAISE = Question(title="Raise", lo="0", hi="10000")


async def test_a_round_through_the_door_from_lobby_to_result() -> None:
    host_events = Recorder()
    hosting = Hosting(RAISE, "Ann", host_events, timeouts=FAST)
    listening = await hosting.listen("127.0.0.1", 0)
    assert listening.fingerprint == hosting.fingerprint and hosting.contributes
    invite = Invite("127.0.0.1", listening.port, listening.fingerprint)
    people = {name: Recorder() for name in ("Ben", "Cat")}
    joinings = {
        name: join_invite(invite, name, seen, timeouts=FAST) for name, seen in people.items()
    }
    tasks = [asyncio.create_task(joining.run()) for joining in joinings.values()]
    try:
        for seen in people.values():
            await seen.wait_for(Welcomed)
        while len(hosting.pending()) < 2:
            await host_events.wait_for(JoinRequested)
            await asyncio.sleep(0.01)
        assert sorted(hosting.pending().values()) == ["Ben", "Cat"]
        hosting.admit_all()
        assert hosting.pending() == {} and hosting.joined == 3
        await host_events.wait_for(RosterChanged, test=lambda e: len(e.names) == 3 and e.code)  # type: ignore[attr-defined]
        assert hosting.can_start and hosting.code
        assert all(j.connected and j.code == hosting.code for j in joinings.values())
        assert sorted(j.member for j in joinings.values()) == [2, 3]  # type: ignore[type-var]
        for joining, value in zip(joinings.values(), ("3000", "2000"), strict=True):
            joining.submit(prepare_answer(RAISE, value))
        hosting.submit(prepare_answer(RAISE, "1000"))
        hosting.start_round()
        results = [await seen.wait_for(ResultReady) for seen in (host_events, *people.values())]
        assert {r.outcome.average for r in results} == {Decimal(2000)}  # type: ignore[attr-defined]
    finally:
        for joining in joinings.values():
            joining.leave()
        await hosting.close()
        await asyncio.wait(tasks, timeout=5)


async def test_leaving_while_connecting_stops_trying_for_good() -> None:
    """A host that takes the connection but never finishes TLS: leaving ends the attempt
    at once, and the person is not told it failed (they left)."""
    accepted = asyncio.Event()

    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        accepted.set()
        await reader.read()  # until the joiner hangs up
        writer.close()

    server = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    seen = Recorder()
    joining = Joining(["127.0.0.1"], port, "Ben", seen, timeouts=FAST)
    task = asyncio.create_task(joining.run())
    try:
        await asyncio.wait_for(accepted.wait(), 5)
        assert not joining.connected
        joining.leave()
        await asyncio.wait([task], timeout=1)
        assert task.cancelled() and seen.events == []
    finally:
        server.close()
        await server.wait_closed()


async def test_leaving_before_running_never_connects() -> None:
    connections: list[object] = []

    async def count(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connections.append(reader)
        writer.close()

    server = await asyncio.start_server(count, "127.0.0.1", 0)
    seen = Recorder()
    joining = Joining(["127.0.0.1"], server.sockets[0].getsockname()[1], "Ben", seen)
    joining.leave()
    await asyncio.wait_for(joining.run(), 1)
    await asyncio.sleep(0.1)
    server.close()
    await server.wait_closed()
    assert connections == [] and seen.events == [] and joining.member is None


def test_the_announcement_follows_the_lobby_by_itself() -> None:
    """Every event refreshes the announcement: a browser on this computer sees the joined
    count change without anyone asking, and the session go when it closes."""
    title = f"Lunch {os.urandom(3).hex()}"

    async def main() -> list[object]:
        question = Question(title=title, lo="0", hi="100")
        hosting: Hosting

        def admit(event: Event) -> None:
            if isinstance(event, JoinRequested):
                hosting.admit(event.conn)

        hosting = Hosting(question, "Ann", admit, timeouts=FAST)
        listening = await hosting.listen("127.0.0.1", 0)
        seen: list[object] = []
        async with Browser(interfaces=["127.0.0.1"]) as browser:
            events = browser.events()
            announced = await hosting.announce(["127.0.0.1"])
            seen.append(announced)
            seen.append(await _next(events, title))
            joining = Joining(["127.0.0.1"], listening.port, "Ben", Recorder(), timeouts=FAST)
            task = asyncio.create_task(joining.run())
            while (changed := await _next(events, title)).found.advert.joined != 2:  # type: ignore[union-attr]
                pass
            seen.append(changed)
            joining.leave()
            await hosting.close()
            seen.append(await _next(events, title))
            await asyncio.wait([task], timeout=5)
        return seen

    announced, appeared, changed, gone = asyncio.run(asyncio.wait_for(main(), 60))
    assert announced.instance == title and announced.local_only  # type: ignore[attr-defined]
    assert isinstance(appeared, SessionAppeared) and appeared.found.advert.joined == 1
    assert isinstance(changed, SessionChanged) and changed.found.advert.state == "open"
    assert isinstance(gone, SessionGone)


async def _next(events: object, title: str) -> object:
    async with asyncio.timeout(10):
        async for event in events:  # type: ignore[attr-defined]
            key = event.key if isinstance(event, SessionGone) else event.found.key
            if key.startswith(title):
                return event
    raise AssertionError("the browser closed")


# --- answers made ready ----------------------------------------------------------------


def test_a_poll_answer_is_randomized_here_and_says_what_was_sent() -> None:
    poll = Question(kind=POLL, title="Remote?", lo="0", hi="1", decimals=0)
    answers = [prepare_answer(poll, "yes") for _ in range(64)]
    for answer in answers:
        assert answer.sent is not None and answer.sent.truth and answer.value is None
        assert answer.typed == YesNo(answer.sent.sent, randomized=True)
    assert {a.sent.sent for a in answers if a.sent} == {True, False}  # heads sometimes
    for unusable in ("perhaps", "randomized:no"):  # no text skips the coins
        with pytest.raises(InputError):
            prepare_answer(poll, unusable)


def test_a_number_and_an_option_are_read_once_to_typed_answers() -> None:
    answer = prepare_answer(RAISE, "2514.0")
    typed = Number(Decimal("2514.0"))
    assert (answer.typed, answer.value, answer.sent) == (typed, Decimal("2514.0"), None)
    with pytest.raises(InputError):
        prepare_answer(RAISE, "a lot")
    vote = Question(
        kind=VOTE, title="Lunch", options=("Pizza", "Sushi"), lo="1", hi="2", decimals=0
    )
    assert prepare_answer(vote, "Sushi") == type(answer)(Pick(1))
