"""Why an aborted round leaks nothing, made concrete.

Five people: H and H2 are honest, M is honest and vanishes before its partial
sum reaches the host, C1 and C2 collude with the host. The host sees the
partial sums of H, H2, C1 and C2 from the aborted round, then every partial
sum of the re-run without M. The coalition knows every share (mask) C1 and C2
gave or got, and their own values.

Algebra (all in Z_2^64), with s_ij the mask i gives j (derived from the
secret only i and j share). H's aborted partial is
    P_H = x_H - sum_j s_Hj + sum_j s_jH,
so after removing every share the coalition knows, it is left with
    est_H = x_H - s_HM - s_HH2 + s_MH + s_H2H,
which contains s_MH: a uniformly random mask from M, whose counterpart in M's
own partial sum was never published. est_H is therefore uniform whatever x_H is, and so
is est_H + est_H2 (masked by s_MH + s_MH2). The re-run uses fresh masks (a new round id) and
reveals only x_H + x_H2 through its result — what the function reveals anyway.

The tests check the identity exactly on real protocol runs, that est_H is
spread over the ring and never equal to x_H, and that its distribution does not
depend on x_H.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from huddle.core.codec import FrameDecoder
from huddle.core.encoding import Vector, vector_from_bytes
from huddle.core.events import ResultReady
from huddle.core.messages import PartialSum
from huddle.core.participant import ParticipantSession
from tests.core.harness import make_network

RING = 2**64
NAMES = ("H", "H2", "M", "C1", "C2")
COALITION = ("C1", "C2")


@dataclass
class Record:
    """Every mask each party used, per round (test-only omniscience), and what the host saw."""

    round: int = 0
    masks: dict[tuple[int, int, int], int] = field(default_factory=dict)
    """(round, giver, receiver) → the mask; giver and receiver must derive the same."""
    partials: list[dict[int, int]] = field(default_factory=lambda: [{}])

    def watch(self, party: ParticipantSession) -> None:
        derive = party._derived_mask

        def recording(sender: int, recipient: int, length: int) -> Vector:
            mask = derive(sender, recipient, length)
            seen = self.masks.setdefault((self.round, sender, recipient), int(mask[0]))
            assert seen == int(mask[0]), "the two ends of a pair derived different masks"
            return mask

        party._masks = recording

    def given(self, giver: int, rnd: int) -> dict[int, int]:
        return {j: m for (r, i, j), m in self.masks.items() if r == rnd and i == giver}


def aborted_then_rerun(values: dict[str, int]) -> tuple[Record, dict[str, int], int]:
    """One full scenario; returns the record, each name's party id and the re-run's sum."""
    rec = Record()
    net = make_network()
    conns = {n: net.join(n) for n in NAMES}
    for c in conns.values():
        rec.watch(net.parties[c])
    party = {n: net.parties[c].me for n, c in conns.items()}
    decoders: dict[int, FrameDecoder] = {}

    def tap(direction: str, conn: int, data: bytes) -> bytes | None:
        if direction == "up":
            for msg in decoders.setdefault(conn, FrameDecoder()).feed(data):
                if isinstance(msg, PartialSum):
                    if conn == conns["M"]:
                        return None  # M is gone before its partial sum reaches anyone
                    sender = net.parties[conn].me
                    rec.partials[-1][sender] = int(vector_from_bytes(msg.vector)[0])
        return data

    net.tap = tap
    for n, c in conns.items():
        net.party_do(c, net.parties[c].submit(str(values[n])))
    net.host_do(net.host.start())
    net.disconnect(conns["M"])
    assert net.host.phase.value == "aborted"
    rec.partials.append({})
    rec.round = 1
    net.host_do(net.host.start())
    done = [e for e in net.host_events if isinstance(e, ResultReady)]
    return rec, party, int(done[-1].outcome.sum)


def coalition_estimate(rec: Record, party: dict[str, int], who: str) -> int:
    """The coalition's best unmasking of ``who``'s aborted partial sum."""
    me = party[who]
    est = rec.partials[0][me]
    for c in COALITION:
        est -= rec.given(party[c], 0)[me]  # masks the coalition gave ``who``
        est += rec.given(me, 0)[party[c]]  # masks ``who`` gave the coalition
    return est % RING


def test_the_aborted_partials_are_masked_by_the_missing_partys_shares() -> None:
    values = {"H": 41000, "H2": 52000, "M": 63000, "C1": 1000, "C2": 2000}
    rec, party, rerun_sum = aborted_then_rerun(values)
    assert set(rec.partials[0]) == {party[n] for n in NAMES if n != "M"}
    assert len(rec.partials[1]) == 4 and rerun_sum == sum(values.values()) - values["M"]
    h, h2, m = party["H"], party["H2"], party["M"]
    s = {n: rec.given(party[n], 0) for n in NAMES}
    est_h = coalition_estimate(rec, party, "H")
    # Exactly the identity above: what is left is the honest parties' shares.
    assert est_h == (values["H"] - s["H"][m] - s["H"][h2] + s["M"][h] + s["H2"][h]) % RING
    assert est_h != values["H"]
    # Even the honest pair's sum stays masked by M, whose kept share never left M.
    est_pair = (est_h + coalition_estimate(rec, party, "H2")) % RING
    assert (
        est_pair
        == (values["H"] + values["H2"] + s["M"][h] + s["M"][h2] - s["H"][m] - s["H2"][m]) % RING
    )
    assert est_pair != values["H"] + values["H2"]
    # The re-run used fresh masks: none of round 1's appears again.
    first = {m for (r, _, _), m in rec.masks.items() if r == 0}
    second = {m for (r, _, _), m in rec.masks.items() if r == 1}
    assert len(first) == 20 and len(second) == 12 and not first & second


def test_what_the_coalition_sees_does_not_depend_on_the_value() -> None:
    runs = 40
    seen: dict[int, list[int]] = {}
    for x_h in (0, 99999):
        values = {"H": x_h, "H2": 500, "M": 600, "C1": 700, "C2": 800}
        seen[x_h] = [coalition_estimate(*aborted_then_rerun(values)[:2], "H") for _ in range(runs)]
    for x_h, estimates in seen.items():
        assert len(set(estimates)) == runs and x_h not in estimates
        # Uniform on the ring: the top bit is a fair coin, the mean sits mid-ring.
        assert 8 <= sum(e >> 63 for e in estimates) <= runs - 8
        assert 0.3 < float(np.mean([e / RING for e in estimates])) < 0.7
    # The same distribution for both values: the top 2 bits fall alike (chi-square, 3 d.o.f.).
    a = Counter(e >> 62 for e in seen[0])
    b = Counter(e >> 62 for e in seen[99999])
    chi2 = sum((a[k] - b[k]) ** 2 / (a[k] + b[k]) for k in range(4) if a[k] + b[k])
    assert chi2 < 21.1  # p ≈ 0.0001: a real dependence would show far above
