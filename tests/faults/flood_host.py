"""A host process for the flood tests: short timeouts, auto-admit, DEBUG logs on stderr.

Usage: ``python -m tests.faults.flood_host EXPECT``. Prints ``port N`` when
listening; starts the round once EXPECT people are in and their security code is
ready; prints ``result SUM CODE`` (CODE: the result code, the same on every screen)
and finally ``peak_rss_kb N`` (VmHWM from /proc) once its stdin is closed, and exits.
"""

from __future__ import annotations

import asyncio
import logging
import sys

from huddle.core.events import Event, JoinRequested, ResultReady, RosterChanged
from huddle.core.questions import Question
from huddle.net.host_engine import HostEngine
from huddle.net.link import Timeouts

TIMEOUTS = Timeouts(heartbeat=0.5, idle=3.0, hello=2.0, connect=2.0)


def peak_rss_kb() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return -1


async def main(expect: int) -> None:
    done = asyncio.Event()

    def on_event(event: Event) -> None:
        if isinstance(event, JoinRequested):
            host.admit(event.conn)
        elif isinstance(event, RosterChanged) and len(event.names) == expect and event.code:
            if host.session.can_start and host.session.phase.value == "lobby":
                host.start_round()
        elif isinstance(event, ResultReady):
            print(f"result {event.outcome.sum} {event.code}", flush=True)
            done.set()

    host = HostEngine(
        Question(title="flood", hi="1000"), "Host", on_event, contributes=False, timeouts=TIMEOUTS
    )
    port = await host.start("127.0.0.1", 0)
    print(f"port {port}", flush=True)
    await asyncio.wait_for(done.wait(), 60)
    # Stay up (and under attack) until the test closes our stdin.
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
    await host.close()
    print(f"peak_rss_kb {peak_rss_kb()}", flush=True)


if __name__ == "__main__":
    logging.basicConfig(
        level=logging.DEBUG, stream=sys.stderr, format="%(levelname)s %(name)s %(message)s"
    )
    asyncio.run(main(int(sys.argv[1])))
