"""One headless Huddle party for compare_mpyc.py.

``python huddle_party.py PORT INDEX SIZE``: joins the host on 127.0.0.1:PORT,
answers with the same input the MPyC party of that index uses, prints "ready"
once the roster has all SIZE parties, then one JSON line with the time the
round started here, the time the verified result was known here, and the
result's total vector. It then stays until its stdin closes: the benchmark
closes it once every party has reported, so no party's exit (a few
milliseconds of interpreter teardown) competes for the CPU with a party still
finishing the round — MPyC's parties likewise wait for each other in
``mpc.shutdown()``.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time

from huddle.core.events import (
    Event,
    ResultReady,
    RosterChanged,
    RoundStarted,
    SessionEnded,
    Welcomed,
)
from huddle.net.join_engine import JoinEngine


async def main(port: int, index: int, size: int) -> int:
    times: dict[str, float] = {}
    done = asyncio.Event()
    result: list[int] = []
    engine: JoinEngine

    def on_event(event: Event) -> None:
        if isinstance(event, Welcomed):
            bins = len(event.question.bins) - 1
            value = 1000 + index if bins <= 0 else (index * 7) % bins
            engine.submit(str(value))
        elif isinstance(event, RosterChanged) and len(event.names) == size and event.code:
            print("ready", flush=True)  # the whole group, its code, and our value are in
        elif isinstance(event, RoundStarted):
            times["t0"] = time.time()
        elif isinstance(event, ResultReady):
            times["t1"] = time.time()
            result.extend(event.outcome.total)
            done.set()
        elif isinstance(event, SessionEnded):
            if not result:
                print(f"party {index}: {event.reason}", file=sys.stderr)
            done.set()

    # Waiting for stdin starts now, not after the result: a thread started
    # then would compete for the CPU with parties still finishing the round.
    released = asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
    engine = JoinEngine("127.0.0.1", port, f"party {index}", on_event)
    task = asyncio.create_task(engine.run())
    await done.wait()
    if not result:
        return 1
    print(json.dumps({**times, "total": result}), flush=True)
    await released
    engine.leave()
    await asyncio.wait([task], timeout=5)
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main(*(int(arg) for arg in sys.argv[1:4]))))
