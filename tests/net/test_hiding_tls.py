"""Hiding over real TLS: what the host's engine receives in honest rounds.

The same check as tests/core/test_hiding.py, with engines on 127.0.0.1: real
joiners (production masks, OS randomness) talk TLS 1.3 to a real host engine,
and a spy on the host's session records every byte it is handed after TLS.
Like a curious host, the test removes each member's self-mask with the pieces
it opened (protocol 4); what is left must never be the member's value, must
not correlate with it across sessions, and its bits must look uniform. The
public part of each member's proof, the other thing it sends about its
answer, must look uniform too (an exact vote has no witness).
"""

from __future__ import annotations

import asyncio
import random

import numpy as np

from huddle.core import field, proofs
from huddle.core.codec import FrameDecoder, Message
from huddle.core.encoding import Vector, vector_from_bytes
from huddle.core.events import Event, Output, ResultReady, RosterChanged
from huddle.core.messages import PartialSum, Unmask
from huddle.core.questions import VOTE, Question

from .engines import FAST, auto_admit_host, joiner

NAMES = ("Ann", "Ben", "Cat")
QUESTION = Question(
    kind=VOTE, title="lunch", lo="1", hi="16", options=tuple(f"place {k}" for k in range(16))
)
BITS = np.arange(64, dtype=np.uint64)


Seen = tuple[Vector, Vector, Vector, Vector]


async def one_session(answers: dict[str, str]) -> list[Seen]:
    """(value, partial sum, partial sum without its self-mask, public part of the
    proof) for each member."""
    host, host_events = await auto_admit_host(QUESTION, contributes=False, timeouts=FAST)
    received: dict[int, list[Message]] = {}
    decoders: dict[int, FrameDecoder] = {}
    real_receive = host.session.receive_data

    def spy(conn: int, data: bytes) -> list[Output]:
        decoder = decoders.setdefault(conn, FrameDecoder())
        received.setdefault(conn, []).extend(decoder.feed(data))
        return real_receive(conn, data)

    host.session.receive_data = spy  # type: ignore[method-assign]
    parties = {name: joiner(host.port, name, timeouts=FAST) for name in answers}

    def full(event: Event) -> bool:
        return isinstance(event, RosterChanged) and len(event.names) == 3 and bool(event.code)

    await host_events.wait_for(RosterChanged, test=full)
    for name, (engine, _, _) in parties.items():
        engine.submit(answers[name])
    host.start_round()
    for _, rec, _ in parties.values():
        await rec.wait_for(ResultReady)
    assert host.session.outcome is not None
    members = {c.member.party: cid for cid, c in host.session._conns.items() if c.member}
    names = {m.party: m.name for m in host.session.roster}
    await host.close()
    await asyncio.gather(*(task for _, _, task in parties.values()))
    out = []
    for party, conn in members.items():
        (partial,) = [m for m in received[conn] if isinstance(m, PartialSum)]
        (unmask,) = [m for m in received[conn] if isinstance(m, Unmask)]
        vector = vector_from_bytes(partial.vector)
        assert not partial.witness and len(unmask.pieces) == 32 * 2
        pieces = [unmask.pieces[:32], unmask.pieces[32:]]
        self_mask = proofs.self_mask(pieces, len(vector))
        value = QUESTION.encode_answer(answers[names[party]])
        proof = vector_from_bytes(partial.proof)
        out.append((value, vector, field.sub(vector, self_mask), proof))
    return out


async def test_what_the_host_engine_receives_hides_every_value() -> None:
    rng = random.Random(7)
    seen: list[Seen] = []
    for _ in range(10):
        answers = {name: str(rng.randint(1, 16)) for name in NAMES}
        seen += await one_session(answers)
    values = np.concatenate([s[0] for s in seen])
    assert len(values) == 10 * 3 * 16
    for column in (1, 2, 3):  # as sent, with the self-mask removed, the proof's public part
        sent = np.concatenate([s[column] for s in seen])
        if column != 3:
            assert not np.any(sent == values)
            r = np.corrcoef(values.astype(np.float64), sent.astype(np.float64))[0, 1]
            assert abs(r) < 5 / np.sqrt(len(sent)), r
        ones = ((sent[:, None] >> BITS) & np.uint64(1)).mean(axis=0)
        assert np.all(np.abs(ones - 0.5) < 3 / np.sqrt(len(sent))), ones
