"""Why a stopped round leaks nothing, made concrete on the production masking path.

Five people: H and H2 are honest, M is honest and goes away, C1 and C2 collude
with the host. A round stops; the host then re-runs it without M. Every
partial sum is built by `ParticipantSession` itself, with the masks it derives
from its pairwise secrets (`masks.mask_key`, `sharing.mask_from_key`) and its
own self-mask: nothing is swapped in. The test only re-derives the masks from
the pairs' secrets afterwards (test-only omniscience) to check what the host
received.

Algebra (all in Z_2^64), with s_ij the mask i gives j and r_i the self-mask
of i, whose seed i opens only once every member confirmed the same transcript:
    P_i = x_i - sum_j s_ij + sum_j s_ji + r_i.

The round stops before anyone confirmed ("before M's partial sum": the host
holds P_H, P_H2, P_C1, P_C2; "after every partial sum": M goes while the
others confirm, and the host holds all five). Removing every mask the
coalition knows (the pairwise masks of C1 and C2, their self-masks) leaves
    est_H = x_H - s_HM - s_HH2 + s_MH + s_H2H + r_H,
hidden twice: by the masks of M and H2, and by H's self-mask. With all five
partial sums the pairwise masks cancel in the sum, sum_i P_i = sum_i x_i +
sum_i r_i — in protocol 2 that was the total, and minus the re-run's result S2
it gave x_M (issue 14, attack 2). Now no self-mask was opened, so
    sum_i P_i - S2 - r_C1 - r_C2 = x_M + r_H + r_H2 + r_M   (uniform),
and the re-run (fresh pairwise masks and self-masks under a new round id)
reveals only its own result.

The tests check the identities exactly on real protocol runs, that nothing
was opened and the host holds no result of the stopped round, and that what
the coalition is left with is spread over the ring and does not depend on
the value — both with the self-mask and (as after a completed round, when it
is opened) with the pairwise masks alone.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pytest

from huddle.core import host as host_module
from huddle.core import participant as participant_module
from huddle.core.codec import FrameDecoder
from huddle.core.encoding import vector_from_bytes
from huddle.core.events import ResultReady, RoundStarted
from huddle.core.masks import mask_key, round_context, seed_commitment, self_mask_key
from huddle.core.messages import Confirm, PartialSum, Start, Unmask, Unmasks
from huddle.core.sharing import mask_from_key
from tests.core.harness import Network, make_network

RING = 2**64
NAMES = ("H", "H2", "M", "C1", "C2")
COALITION = ("C1", "C2")
STOPS = ("before M's partial sum", "after every partial sum")
WATCHED = {kind.TYPE for kind in (Start, PartialSum, Confirm, Unmask, Unmasks)}


@pytest.fixture(autouse=True)
def _no_rehearsal(monkeypatch: pytest.MonkeyPatch) -> None:
    """Skip each session's warm-up (`masks.rehearse`, which changes no state): a
    millisecond for each of the hundreds of sessions here."""
    monkeypatch.setattr(host_module, "rehearse", lambda length: None)
    monkeypatch.setattr(participant_module, "rehearse", lambda length: None)


@dataclass
class Record:
    """What the host received in each round, and what the test needs to check it."""

    party: dict[str, int]
    pairs: dict[tuple[int, int], bytes]
    """(i, j) → the secret i holds with j (both ends hold the same)."""
    contexts: list[bytes] = field(default_factory=list)
    """Each round's key context, from the Start the members were sent."""
    partials: list[dict[int, PartialSum]] = field(default_factory=lambda: [{}])
    """Per round, party → the partial sum the host received."""
    seeds: dict[int, list[bytes]] = field(default_factory=dict)
    """Party → every 32 random bytes its session drew (nonces and self-mask seeds)."""
    opened: list[int] = field(default_factory=list)
    """Rounds in which some self-mask went out (Unmask) or came back (Unmasks)."""
    rerun_sum: int = 0

    def mask(self, rnd: int, giver: int, receiver: int) -> int:
        """The mask ``giver`` gave ``receiver`` in round ``rnd``, as both of them derive it."""
        key = mask_key(self.pairs[giver, receiver], self.contexts[rnd], giver, receiver)
        return int(mask_from_key(key, 1)[0])

    def self_mask(self, rnd: int, who: int) -> int:
        """``who``'s self-mask in round ``rnd``: from the seed its commitment binds."""
        context, commitment = self.contexts[rnd], self.partials[rnd][who].commitment
        seeds = [s for s in self.seeds[who] if seed_commitment(context, who, s) == commitment]
        assert len(seeds) == 1, "a partial sum's commitment binds one seed its member drew"
        return int(mask_from_key(self_mask_key(seeds[0], context), 1)[0])

    def value(self, rnd: int, who: int) -> int:
        return int(vector_from_bytes(self.partials[rnd][who].vector)[0])

    def estimate(self, who: str) -> int:
        """The coalition's best unmasking of ``who``'s stopped partial sum (the masks it knows
        removed; those of the honest members and ``who``'s self-mask still on)."""
        me = self.party[who]
        est = self.value(0, me)
        for c in COALITION:
            est -= self.mask(0, self.party[c], me)  # masks the coalition gave ``who``
            est += self.mask(0, me, self.party[c])  # masks ``who`` gave the coalition
        return est % RING


def recording(into: list[bytes]) -> Callable[[int], bytes]:
    """A member's source of randomness that keeps what it gave (for the test's eyes only)."""

    def random_bytes(n: int) -> bytes:
        data = os.urandom(n)
        into.append(data)
        return data

    return random_bytes


def stopped_then_rerun(values: dict[str, int], stop: str) -> tuple[Record, Network]:
    """A round stopped at ``stop``, then re-run without M (each person agreeing again)."""
    net = make_network()
    conns = {n: net.join(n) for n in NAMES}
    party = {n: net.parties[c].me for n, c in conns.items()}
    pairs = {
        (party[a], party[b]): net.parties[conns[a]]._pairs.secret(party[b])
        for a in NAMES
        for b in NAMES
        if a != b
    }
    rec = Record(party, pairs)
    for n, c in conns.items():
        rec.seeds[party[n]] = []
        net.parties[c]._random = recording(rec.seeds[party[n]])

    def tap(direction: str, conn: int, data: bytes) -> bytes | None:
        if data[5] not in WATCHED:  # the harness moves whole frames: the type is byte 5
            return data
        for msg in FrameDecoder().feed(data):
            if isinstance(msg, Start) and conn == conns["H"]:
                context = round_context(net.host.session_id, msg.round_id, msg.roster_digest)
                rec.contexts.append(context)
            if isinstance(msg, Unmask | Unmasks):
                rec.opened.append(len(rec.contexts) - 1)
            if direction != "up":
                continue
            if isinstance(msg, PartialSum):
                if conn == conns["M"] and stop == STOPS[0]:
                    return None  # M is gone before its partial sum reaches anyone
                rec.partials[-1][net.parties[conn].me] = msg
            if isinstance(msg, Confirm) and conn == conns["M"]:
                return None  # M goes before its confirmation arrives
        return data

    net.tap = tap
    for n, c in conns.items():
        net.party_do(c, net.parties[c].submit(str(values[n])))
    net.host_do(net.host.start())
    net.disconnect(conns["M"])
    assert net.host.phase.value == "aborted" and net.host.outcome is None
    assert not rec.opened, "a self-mask was opened in a round that stopped"
    rec.partials.append({})
    net.host_do(net.host.start())
    rest = [c for n, c in conns.items() if n != "M"]
    for c in rest:  # the re-run waits for each person's word
        started = [e for e in net.events[c] if isinstance(e, RoundStarted)]
        assert started[-1].rerun and net.parties[c].awaiting_consent
        net.party_do(c, net.parties[c].take_part())
    done = [e for e in net.host_events if isinstance(e, ResultReady)]
    rec.rerun_sum = int(done[-1].outcome.sum)
    return rec, net


def left_of_m(rec: Record) -> int:
    """Every partial sum of the stopped round, minus the re-run's result and the
    coalition's own self-masks: in protocol 2 this difference was M's value."""
    total = sum(rec.value(0, p) for p in rec.partials[0]) - rec.rerun_sum
    total -= sum(rec.self_mask(0, rec.party[c]) for c in COALITION)
    return total % RING


@pytest.mark.parametrize("stop", STOPS)
def test_a_stopped_round_is_hidden_by_pairwise_masks_and_unopened_self_masks(stop: str) -> None:
    values = {"H": 41000, "H2": 52000, "M": 63000, "C1": 1000, "C2": 2000}
    rec, net = stopped_then_rerun(values, stop)
    p = rec.party
    h, h2, m = p["H"], p["H2"], p["M"]
    sent = {p[n] for n in NAMES if n != "M" or stop == STOPS[1]}
    assert set(rec.partials[0]) == sent and len(rec.partials[1]) == 4
    assert rec.rerun_sum == sum(values.values()) - values["M"]
    assert rec.opened and set(rec.opened) == {1}, "self-masks opened in the re-run only"
    for a, b in rec.pairs:
        assert rec.pairs[a, b] == rec.pairs[b, a], "both ends of a pair hold the same secret"

    def s(i: int, j: int) -> int:
        return rec.mask(0, i, j)

    r_h = rec.self_mask(0, h)
    est = rec.estimate("H")
    # Exactly the identity above: the honest parties' masks, and H's own self-mask.
    assert est == (values["H"] - s(h, m) - s(h, h2) + s(m, h) + s(h2, h) + r_h) % RING
    assert rec.value(0, h) != values["H"] and est != values["H"]
    assert (est - r_h) % RING != values["H"], "the pairwise masks alone hide H too"
    if stop == STOPS[1]:
        # All five partial sums: the pairwise masks cancel, the self-masks do not.
        total = sum(rec.value(0, x) for x in rec.partials[0]) % RING
        self_masks = sum(rec.self_mask(0, x) for x in rec.partials[0])
        assert total == (sum(values.values()) + self_masks) % RING != sum(values.values())
        # Attack 2 of issue 14 (stopped total minus re-run total): no longer M's value.
        left = left_of_m(rec)
        hidden_by = rec.self_mask(0, h) + rec.self_mask(0, h2) + rec.self_mask(0, m)
        assert left == (values["M"] + hidden_by) % RING != values["M"]
    # The re-run used fresh masks: none of the stopped round's appears again.
    first = {s(i, j) for i, j in rec.pairs} | {rec.self_mask(0, x) for x in rec.partials[0]}
    rerun = list(rec.partials[1])
    second = {rec.mask(1, i, j) for i in rerun for j in rerun if i != j}
    second |= {rec.self_mask(1, x) for x in rerun}
    assert len(first) == 20 + len(rec.partials[0]) and len(second) == 12 + 4
    assert not first & second
    assert net.host.outcome is not None and net.host.outcome.count == 4


def test_what_the_coalition_sees_does_not_depend_on_the_value() -> None:
    """Over many stopped rounds: H's partial sum (with or without its self-mask) and
    what is left of M after differencing are uniform, whatever the values are."""
    runs = 40
    seen: dict[str, dict[int, list[int]]] = {"H": {}, "H, self-mask off": {}, "M": {}}
    for x in (0, 99999):
        values = {"H": x, "H2": 500, "M": x, "C1": 700, "C2": 800}
        for by_value in seen.values():
            by_value[x] = []
        for _ in range(runs):
            rec, _ = stopped_then_rerun(values, STOPS[1])
            est = rec.estimate("H")
            seen["H"][x].append(est)
            seen["H, self-mask off"][x].append((est - rec.self_mask(0, rec.party["H"])) % RING)
            seen["M"][x].append(left_of_m(rec))
    for name, by_value in seen.items():
        for x, estimates in by_value.items():
            assert len(set(estimates)) == runs and x not in estimates, name
            # Uniform on the ring: the top bit is a fair coin, the mean sits mid-ring.
            assert 8 <= sum(e >> 63 for e in estimates) <= runs - 8, name
            assert 0.3 < float(np.mean([e / RING for e in estimates])) < 0.7, name
        # The same distribution for both values: the top 2 bits fall alike (chi-square, 3 d.o.f.).
        a = Counter(e >> 62 for e in by_value[0])
        b = Counter(e >> 62 for e in by_value[99999])
        chi2 = sum((a[k] - b[k]) ** 2 / (a[k] + b[k]) for k in range(4) if a[k] + b[k])
        assert chi2 < 21.1, name  # p ≈ 0.0001: a real dependence would show far above
