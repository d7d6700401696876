"""`huddle demo`: the reference article's example, live on this machine.

Four parties and a non-contributing coordinator run the real protocol over
TLS on 127.0.0.1. Each party's app reports the shares it kept and gave (only
the demo asks for this), so the table can be checked against the article.
With ``--article`` every party uses the article's table of shares in place of
the masks it would derive from its pairwise keys.
"""

from __future__ import annotations

import asyncio
import sys

from huddle.core.participant import MaskSource
from huddle.core.sharing import fixed_masks
from huddle.net.facade import (
    Event,
    Hosting,
    Joining,
    JoinRequested,
    Outcome,
    Question,
    ResultReady,
    RosterChanged,
    SessionEnded,
    ShareTranscript,
    prepare_answer,
)

RAISES = {"Alice": 3800, "Bob": 2514, "Carlos": 2982, "David": 3390}
ARTICLE_SPLIT = {
    "Alice": (-1000, 2500, 900, 1400),
    "Bob": (700, 400, 650, 764),
    "Carlos": (750, -100, 832, 1500),
    "David": (1500, 900, -3000, 3990),
}


def run_demo(*, article: bool) -> int:
    try:
        table, outcome, code = asyncio.run(_run(article))
    except RuntimeError as exc:
        print(f"huddle demo: {exc}", file=sys.stderr)
        return 1
    _print(table, outcome, code, article)
    return 0


async def _run(article: bool) -> tuple[dict[str, ShareTranscript], Outcome, str]:
    names = list(RAISES)
    transcripts: dict[str, ShareTranscript] = {}
    results: list[Outcome] = []
    done = asyncio.Event()
    admitted = asyncio.Event()
    failures: list[str] = []

    def on_event(event: Event) -> None:
        if isinstance(event, ShareTranscript):
            old = transcripts.get(event.party)
            transcripts[event.party] = (
                ShareTranscript(event.party, old.kept, old.sent, event.partial) if old else event
            )
        elif isinstance(event, ResultReady):
            results.append(event.outcome)
            if len(results) == len(names):
                done.set()
        elif isinstance(event, RosterChanged):
            admitted.set()
        elif isinstance(event, SessionEnded):
            failures.append(event.reason)
            done.set()

    question = Question(title="Average raise (the article's example)", lo="0", hi="100000")

    def admit_everyone(event: Event) -> None:
        if isinstance(event, JoinRequested):
            host.admit(event.conn)

    host = Hosting(question, "Coordinator", admit_everyone, contributes=False)
    port = (await host.listen("127.0.0.1", 0)).port
    joiners: list[Joining] = []
    tasks = []
    masks = _article_masks(names) if article else None
    for k, name in enumerate(names):
        joiner = Joining(["127.0.0.1"], port, name, on_event, masks=masks, transcript=True)
        joiners.append(joiner)
        tasks.append(asyncio.create_task(joiner.run()))
        # Join in order (ids 1..4): wait until this one is in. Every roster change
        # reaches everyone already in, so one RosterChanged is not yet proof.
        while joiner.member != k + 1:
            admitted.clear()
            await asyncio.wait_for(admitted.wait(), timeout=10)
    for joiner, name in zip(joiners, names, strict=True):
        joiner.submit(prepare_answer(question, str(RAISES[name])))
    host.start_round()
    await asyncio.wait_for(done.wait(), timeout=30)
    final_code = host.code
    if any(j.code != final_code for j in joiners):
        raise RuntimeError("the security codes differ between parties")
    await host.close("The demo is over.")
    await asyncio.gather(*tasks, return_exceptions=True)
    if failures or len(results) != len(names):
        raise RuntimeError(failures[0] if failures else "the demo did not finish")
    return transcripts, results[0], final_code


def _article_masks(names: list[str]) -> MaskSource:
    """The article's shares by party id (the parties join in order: ids 1 to 4)."""
    return fixed_masks(
        {
            i + 1: {j + 1: share for j, share in enumerate(ARTICLE_SPLIT[name])}
            for i, name in enumerate(names)
        }
    )


def _print(table: dict[str, ShareTranscript], outcome: Outcome, code: str, article: bool) -> None:
    names = list(RAISES)
    how = (
        "the article's own split" if article else "fresh random shares (ring Z_2^64, shown signed)"
    )
    print("Huddle demo: four colleagues, real TLS connections on 127.0.0.1")
    print(f"Shares: {how}. Security code on every screen: {code}\n")
    received: dict[str, dict[str, int]] = {n: {} for n in names}
    for sender, t in table.items():
        received[sender][sender] = t.kept[0]
        for recipient, share in t.sent:
            received[sender][recipient] = share[0]
    width = 2 + max(
        len("to Carlos"), *(len(str(v)) for row in received.values() for v in row.values())
    )
    print(f"{'raise split by':<16}" + "".join(f"{'to ' + n:>{width}}" for n in names))
    for sender in names:
        label = f"{sender} {RAISES[sender]}"
        print(f"{label:<16}" + "".join(f"{received[sender][n]:>{width}}" for n in names))
    partials = [table[n].partial[0] for n in names]
    print(f"{'partial sums':<16}" + "".join(f"{p:>{width}}" for p in partials))
    print("\nEach column is what one person holds; only its sum (the partial sum) is published.")
    print(
        "On the wire each partial sum also carries a mask of its sender's own, opened only\n"
        "once every app has confirmed it was shown the same partial sums."
    )
    print(f"Total {outcome.sum} / {outcome.count} people = average {outcome.average}")
