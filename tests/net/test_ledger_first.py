"""Ledger first (issue 14, attack 7), over real TLS: ε is on disk before the noisy
partial sum that spends it is handed to the connection — even when the host then
stops the round. (Host and joiners share one event loop here, so the order is
checked where the joiner's engine writes to its TLS link.)"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

from huddle.core.codec import FrameDecoder
from huddle.core.events import PrivacySpent, RosterChanged, RoundAborted
from huddle.core.kinds import equal_width_edges
from huddle.core.messages import PartialSum
from huddle.core.questions import HISTOGRAM, Question
from huddle.storage import LedgerEntry, LedgerStore

from .engines import FAST, auto_admit_host, joiner

QUESTION = Question(
    kind=HISTOGRAM, title="Commute", hi="100", bins=equal_width_edges("0", "100", 4, 0),
    epsilon="0.5", tag="commute",
)  # fmt: skip


async def test_the_ledger_holds_epsilon_before_the_noisy_partial_sum_is_sent(
    tmp_path: Path,
) -> None:
    host, host_events = await auto_admit_host(QUESTION, contributes=False, timeouts=FAST)
    stores = {name: LedgerStore(tmp_path / f"{name}.json") for name in ("Ann", "Ben", "Cat")}
    on_disk_when_sent: dict[str, float] = {}

    def recorder_for(name: str):  # type: ignore[no-untyped-def]
        def record(event: PrivacySpent) -> None:
            stamp = datetime.now(UTC).isoformat(timespec="seconds")
            entry = LedgerEntry(
                title="Commute", tag=event.question.tag, kind=HISTOGRAM, epsilon=event.epsilon,
                timestamp=stamp,
            )  # fmt: skip
            stores[name].append(entry)

        return record

    def watch(send, name: str):  # type: ignore[no-untyped-def]
        def sending(data: bytes) -> bool:
            if any(isinstance(m, PartialSum) for m in FrameDecoder().feed(data)):
                on_disk_when_sent[name] = stores[name].load().spent("commute")
            return bool(send(data))

        return sending

    parties = [
        joiner(host.port, name, timeouts=FAST, on_spend=recorder_for(name)) for name in stores
    ]
    for (engine, rec, _), value, name in zip(parties, ("10", "30", "70"), stores, strict=True):
        await rec.wait_for(RosterChanged)
        engine.submit(value)
        assert engine._link is not None
        engine._link.send = watch(engine._link.send, name)  # type: ignore[method-assign]
    await host_events.wait_for(RosterChanged, test=lambda e: len(e.names) == 3 and e.code)  # type: ignore[attr-defined]
    # A host that keeps the partial sums and stops the round before anyone confirms.
    host.session._partial = lambda rnd, member, msg: []  # type: ignore[method-assign]
    host.start_round()
    for _ in range(200):
        if len(on_disk_when_sent) == 3:
            break
        await asyncio.sleep(0.01)
    host.cancel_round()
    for _, rec, _ in parties:
        await rec.wait_for(RoundAborted)
    await host.close()
    assert on_disk_when_sent == dict.fromkeys(stores, 0.5)
    assert all(store.load().spent("commute") == 0.5 for store in stores.values())
