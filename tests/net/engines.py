"""Helpers for engine tests: in-process engines on 127.0.0.1 and event waiting."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field

from huddle.core.events import Event, JoinRequested
from huddle.core.questions import Question
from huddle.net.host_engine import HostEngine
from huddle.net.join_engine import JoinEngine
from huddle.net.link import Timeouts

FAST = Timeouts(heartbeat=0.2, idle=1.0, hello=1.0, connect=2.0, code=1.0)


@dataclass
class Recorder:
    """Collects events and lets a test await the first one matching a predicate."""

    events: list[Event] = field(default_factory=list)
    _changed: asyncio.Event = field(default_factory=asyncio.Event)

    def __call__(self, event: Event) -> None:
        self.events.append(event)
        self._changed.set()

    async def wait_for(
        self, kind: type[Event], timeout: float = 10, test: Callable[[Event], bool] = lambda e: True
    ) -> Event:
        async def scan() -> Event:
            while True:
                for event in self.events:
                    if isinstance(event, kind) and test(event):
                        return event
                self._changed.clear()
                await self._changed.wait()

        return await asyncio.wait_for(scan(), timeout)


async def auto_admit_host(
    question: Question | None = None, **kwargs: object
) -> tuple[HostEngine, Recorder]:
    recorder = Recorder()

    def on_event(event: Event) -> None:
        recorder(event)
        if isinstance(event, JoinRequested):
            host.admit(event.conn)

    host = HostEngine(question or Question(title="t", hi="100000"), "Host", on_event, **kwargs)  # type: ignore[arg-type]
    await host.start("127.0.0.1", 0)
    return host, recorder


def joiner(
    port: int, name: str, **kwargs: object
) -> tuple[JoinEngine, Recorder, asyncio.Task[None]]:
    recorder = Recorder()
    engine = JoinEngine("127.0.0.1", port, name, recorder, **kwargs)  # type: ignore[arg-type]
    return engine, recorder, asyncio.get_running_loop().create_task(engine.run())
