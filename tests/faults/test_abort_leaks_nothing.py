"""Why an aborted round leaks nothing, made concrete.

Five people: H and H2 are honest, M is honest and vanishes after sending its
shares (before its partial sum), C1 and C2 collude with the host. The host
sees the partial sums of H, H2, C1 and C2 from the aborted round, then every
partial sum of the re-run without M. The coalition knows every share C1 and
C2 sent or received, and their own values.

Algebra (all in Z_2^64). H's aborted partial is
    P_H = x_H - sum_j s_Hj + sum_j s_jH,
so after removing every share the coalition knows, it is left with
    est_H = x_H - s_HM - s_HH2 + s_MH + s_H2H,
which contains s_MH: a uniformly random share from M, whose complement (M's kept
share) was never published. est_H is therefore uniform whatever x_H is, and so
is est_H + est_H2 (masked by s_MH + s_MH2). The re-run uses fresh shares and
reveals only x_H + x_H2 through its result — what the function reveals anyway.

The tests check the identity exactly on real protocol runs, that est_H is
spread over the ring and never equal to x_H, and that its distribution does not
depend on x_H.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from huddle.core.codec import FrameDecoder
from huddle.core.encoding import Vector, vector_from_bytes
from huddle.core.events import ResultReady
from huddle.core.messages import PartialSum
from huddle.core.participant import Splitter
from huddle.core.sharing import Share, split
from tests.core.harness import make_network

RING = 2**64
NAMES = ("H", "H2", "M", "C1", "C2")
COALITION = ("C1", "C2")


@dataclass
class Record:
    """What each party split, per round (test-only omniscience), and what the host saw."""

    kept: dict[str, list[int]] = field(default_factory=dict)
    sent: dict[str, list[dict[int, int]]] = field(default_factory=dict)
    partials: list[dict[int, int]] = field(default_factory=lambda: [{}])

    def splitter(self, name: str) -> Splitter:
        def recording(vector: Vector, recipients: Sequence[int]) -> tuple[Vector, dict[int, Share]]:
            kept, sent = split(vector, recipients, os.urandom)
            self.kept.setdefault(name, []).append(int(kept[0]))
            self.sent.setdefault(name, []).append({j: int(s.expand(1)[0]) for j, s in sent.items()})
            return kept, sent

        return recording


def aborted_then_rerun(values: dict[str, int]) -> tuple[Record, dict[str, int], int]:
    """One full scenario; returns the record, each name's party id and the re-run's sum."""
    rec = Record()
    net = make_network()
    conns = {n: net.join(n, splitter=rec.splitter(n)) for n in NAMES}
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
    net.host_do(net.host.start())
    done = [e for e in net.host_events if isinstance(e, ResultReady)]
    return rec, party, int(done[-1].outcome.sum)


def coalition_estimate(rec: Record, party: dict[str, int], who: str) -> int:
    """The coalition's best unmasking of ``who``'s aborted partial sum."""
    me = party[who]
    est = rec.partials[0][me]
    for c in COALITION:
        est -= rec.sent[c][0][me]  # shares the coalition sent to ``who``
        est += rec.sent[who][0][party[c]]  # shares ``who`` sent to the coalition
    return est % RING


def test_the_aborted_partials_are_masked_by_the_missing_partys_shares() -> None:
    values = {"H": 41000, "H2": 52000, "M": 63000, "C1": 1000, "C2": 2000}
    rec, party, rerun_sum = aborted_then_rerun(values)
    assert set(rec.partials[0]) == {party[n] for n in NAMES if n != "M"}
    assert len(rec.partials[1]) == 4 and rerun_sum == sum(values.values()) - values["M"]
    h, h2, m = party["H"], party["H2"], party["M"]
    s = {n: rec.sent[n][0] for n in NAMES}
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
    # The re-run used fresh shares: none of round 1's appears again.
    assert not {v for d in rec.sent.values() for v in d[0].values()} & {
        v for n in NAMES if n != "M" for v in rec.sent[n][1].values()
    }


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
