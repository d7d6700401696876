"""Why a stopped round leaks nothing, made concrete on the production masking path.

Five people: H and H2 are honest, M is honest and goes away, C1 and C2 collude
with the host. A round stops; the host then re-runs it without M. Every
partial sum, public witness and public proof is built by `ParticipantSession`
itself, with the masks, shares and self-mask pieces it derives from its
pairwise secrets (`masks.mask_key`, `masks.piece`, `sharing.mask_from_key`):
nothing is swapped in. The test only re-derives them from the pairs' secrets
afterwards (test-only omniscience) to check what the host received.

Algebra (all in Field64, protocol 4), with s_ij the mask i gives j, σ_ij the
piece of i's self-mask that j can derive too (its expansion e(σ_ij)), and
r_i = Σ_j e(σ_ij) the self-mask of i, whose pieces i opens only once every
member confirmed the same transcript and every contribution passed:
    P_i = x_i - Σ_j s_ij + Σ_j s_ji + r_i.

The round stops before anyone confirmed ("before M's partial sum": the host
holds P_H, P_H2, P_C1, P_C2; "after every partial sum": M goes while the
others confirm, and the host holds all five). Removing everything the
coalition can derive (the pairwise masks of C1 and C2, the pieces σ_iC of
every self-mask that C1 and C2 hold, their own self-masks) leaves
    est_H = x_H - s_HM - s_HH2 + s_MH + s_H2H + e(σ_HM) + e(σ_HH2),
hidden twice: by the pairwise masks of M and H2, and by the pieces of H's
self-mask that only M and H2 hold. With all five partial sums the pairwise
masks cancel in the sum, Σ_i P_i = Σ_i x_i + Σ_i r_i — in protocol 2 that
was the total, and minus the re-run's result S2 it gave x_M (issue 14,
attack 2). No piece was opened, so what the coalition is left with is
    Σ_i P_i - S2 - r_C1 - r_C2 - Σ_{i honest, C} e(σ_iC)
        = x_M + Σ_{i ≠ j among H, H2, M} e(σ_ij)   (uniform),
and the re-run (fresh masks and pieces under a new round id) reveals only its
own result. The public witness (the bits of x − lo, less one share per
colleague) and the public proof of H are hidden the same way: less the
shares the coalition derives, what is left still carries the shares of M
and H2.

The tests check the identities exactly on real protocol runs, that nothing
was opened and the host holds no result of the stopped round, and that what
the coalition is left with is spread over the field and does not depend on
the value — both with the self-mask and (as after a completed round, when it
is opened) with the pairwise masks alone.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import pytest

from huddle.core import field as gf
from huddle.core import host as host_module
from huddle.core import participant as participant_module
from huddle.core import proofs
from huddle.core.codec import FrameDecoder
from huddle.core.encoding import vector_from_bytes
from huddle.core.events import ResultReady, RoundStarted
from huddle.core.field import P
from huddle.core.masks import mask_key, piece, piece_commitment, round_context
from huddle.core.messages import Confirm, PartialSum, Start, Unmask, Unmasks, Verify
from huddle.core.sharing import mask_from_key, mask_sum
from tests.core.harness import Network, make_network

NAMES = ("H", "H2", "M", "C1", "C2")
COALITION = ("C1", "C2")
STOPS = ("before M's partial sum", "after every partial sum")
WATCHED = {kind.TYPE for kind in (Start, PartialSum, Confirm, Verify, Unmask, Unmasks)}


@pytest.fixture(autouse=True)
def _no_rehearsal(monkeypatch: pytest.MonkeyPatch) -> None:
    """Skip each session's warm-up (`rehearsal.rehearse`, which changes no state): a
    few milliseconds for each of the hundreds of sessions here."""
    monkeypatch.setattr(host_module, "rehearse", lambda question: None)
    monkeypatch.setattr(participant_module, "rehearse", lambda question: None)


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
    opened: list[int] = field(default_factory=list)
    """Rounds in which some piece went out (Unmask) or came back (Unmasks)."""
    checked: list[int] = field(default_factory=list)
    """Rounds in which some verifier message went out (Verify)."""
    rerun_sum: int = 0

    def mask(self, rnd: int, giver: int, receiver: int) -> int:
        """The mask ``giver`` gave ``receiver`` in round ``rnd``, as both of them derive it."""
        key = mask_key(self.pairs[giver, receiver], self.contexts[rnd], giver, receiver)
        return int(mask_from_key(key, 1)[0])

    def piece(self, rnd: int, owner: int, holder: int) -> int:
        """e(σ): the piece of ``owner``'s self-mask that ``holder`` derives too, checked
        against the commitment ``owner`` published for it in round ``rnd``."""
        context = self.contexts[rnd]
        seed = piece(self.pairs[owner, holder], context, owner, holder)
        if owner in self.partials[rnd]:
            h = self.colleagues(rnd, owner).index(holder)
            committed = self.partials[rnd][owner].commitments[32 * (1 + h) : 32 * (2 + h)]
            assert committed == piece_commitment(context, owner, holder, seed)
        return int(proofs.piece_vector(seed, 1)[0])

    def self_mask(self, rnd: int, who: int) -> int:
        """``who``'s self-mask in round ``rnd``: the sum of the pieces it committed to."""
        return sum(self.piece(rnd, who, j) for j in self.colleagues(rnd, who)) % P

    def colleagues(self, rnd: int, who: int) -> list[int]:
        """The other parties of round ``rnd``'s roster, ascending (M is on the first)."""
        roster = set(self.party.values()) if rnd == 0 else set(self.partials[rnd])
        return sorted(p for p in roster if p != who)

    def value(self, rnd: int, who: int) -> int:
        return int(vector_from_bytes(self.partials[rnd][who].vector)[0])

    def estimate(self, who: str) -> int:
        """The coalition's best unmasking of ``who``'s stopped partial sum: the masks it
        knows and the pieces of ``who``'s self-mask it holds removed; those of the
        honest members still on."""
        me = self.party[who]
        est = self.value(0, me)
        for c in COALITION:
            est -= self.mask(0, self.party[c], me)  # masks the coalition gave ``who``
            est += self.mask(0, me, self.party[c])  # masks ``who`` gave the coalition
            est -= self.piece(0, me, self.party[c])  # pieces the coalition holds
        return est % P

    def public_part(self, who: str, blob: str, label: bytes) -> int:
        """The first element of ``who``'s public witness or proof in the stopped round, with
        the shares of the coalition (from the keys of the directions who → C) put back."""
        me = self.party[who]
        public = int(vector_from_bytes(getattr(self.partials[0][me], blob))[0])
        for c in COALITION:
            key = mask_key(self.pairs[me, self.party[c]], self.contexts[0], me, self.party[c])
            public += int(mask_from_key(key, 1, label)[0])
        return public % P


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

    def tap(direction: str, conn: int, data: bytes) -> bytes | None:
        if data[5] not in WATCHED:  # the harness moves whole frames: the type is byte 5
            return data
        for msg in FrameDecoder().feed(data):
            if isinstance(msg, Start) and conn == conns["H"]:
                context = round_context(net.host.session_id, msg.round_id, msg.roster_digest)
                rec.contexts.append(context)
            if isinstance(msg, Unmask | Unmasks):
                rec.opened.append(len(rec.contexts) - 1)
            if isinstance(msg, Verify):
                rec.checked.append(len(rec.contexts) - 1)
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
    assert not rec.opened, "a self-mask piece was opened in a round that stopped"
    assert not rec.checked, "a contribution was checked in a round that stopped"
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
    """Every partial sum of the stopped round, minus the re-run's result, the
    coalition's own self-masks and the pieces of the others' it holds: in protocol
    2 this difference was M's value."""
    total = sum(rec.value(0, p) for p in rec.partials[0]) - rec.rerun_sum
    total -= sum(rec.self_mask(0, rec.party[c]) for c in COALITION)
    for honest in ("H", "H2", "M"):
        total -= sum(rec.piece(0, rec.party[honest], rec.party[c]) for c in COALITION)
    return total % P


@pytest.mark.parametrize("stop", STOPS)
def test_a_stopped_round_is_hidden_by_pairwise_masks_and_unopened_pieces(stop: str) -> None:
    values = {"H": 41000, "H2": 52000, "M": 63000, "C1": 1000, "C2": 2000}
    rec, net = stopped_then_rerun(values, stop)
    p = rec.party
    h, h2, m = p["H"], p["H2"], p["M"]
    sent = {p[n] for n in NAMES if n != "M" or stop == STOPS[1]}
    assert set(rec.partials[0]) == sent and len(rec.partials[1]) == 4
    assert rec.rerun_sum == sum(values.values()) - values["M"]
    assert rec.opened and set(rec.opened) == {1}, "pieces opened in the re-run only"
    assert set(rec.checked) == {1}, "contributions checked in the re-run only"
    for a, b in rec.pairs:
        assert rec.pairs[a, b] == rec.pairs[b, a], "both ends of a pair hold the same secret"

    def s(i: int, j: int) -> int:
        return rec.mask(0, i, j)

    def e(i: int, j: int) -> int:
        return rec.piece(0, i, j)

    est = rec.estimate("H")
    # Exactly the identity above: the honest parties' masks, and the pieces of H's
    # self-mask that only honest members hold.
    assert est == (values["H"] - s(h, m) - s(h, h2) + s(m, h) + s(h2, h) + e(h, m) + e(h, h2)) % P
    assert rec.value(0, h) != values["H"] and est != values["H"]
    unpieced = (est - e(h, m) - e(h, h2)) % P
    assert unpieced != values["H"], "the pairwise masks alone hide H too"
    assert rec.self_mask(0, h) == sum(e(h, j) for j in rec.colleagues(0, h)) % P
    if stop == STOPS[1]:
        # All five partial sums: the pairwise masks cancel, the self-masks do not.
        total = sum(rec.value(0, x) for x in rec.partials[0]) % P
        self_masks = sum(rec.self_mask(0, x) for x in rec.partials[0])
        assert total == (sum(values.values()) + self_masks) % P != sum(values.values())
        # Attack 2 of issue 14 (stopped total minus re-run total): no longer M's value.
        left = left_of_m(rec)
        honest = (h, h2, m)
        hidden_by = sum(e(i, j) for i in honest for j in honest if i != j)
        assert left == (values["M"] + hidden_by) % P != values["M"]
    # The re-run used fresh masks and pieces: none of the stopped round's appears again.
    first = {s(i, j) for i, j in rec.pairs} | {e(i, j) for i, j in rec.pairs}
    rerun = list(rec.partials[1])
    second = {rec.mask(1, i, j) for i in rerun for j in rerun if i != j}
    second |= {rec.piece(1, i, j) for i in rerun for j in rerun if i != j}
    assert len(first) == 20 + 20 and len(second) == 12 + 12
    assert not first & second
    assert net.host.outcome is not None and net.host.outcome.count == 4


def test_what_the_coalition_sees_does_not_depend_on_the_value() -> None:
    """Over many stopped rounds: H's partial sum (with or without its self-mask), its
    public witness and public proof (the coalition's shares put back), and what is
    left of M after differencing are uniform, whatever the values are."""
    runs = 40
    kinds = ("H", "H, self-mask off", "H's witness", "H's proof", "M")
    seen: dict[str, dict[int, list[int]]] = {kind: {} for kind in kinds}
    for x in (0, 99999):
        values = {"H": x, "H2": 500, "M": x, "C1": 700, "C2": 800}
        for by_value in seen.values():
            by_value[x] = []
        for _ in range(runs):
            rec, _ = stopped_then_rerun(values, STOPS[1])
            est = rec.estimate("H")
            h = rec.party["H"]
            honest = [rec.party[n] for n in ("H2", "M")]
            seen["H"][x].append(est)
            off = (est - sum(rec.piece(0, h, j) for j in honest)) % P
            seen["H, self-mask off"][x].append(off)
            seen["H's witness"][x].append(rec.public_part("H", "witness", b"witness"))
            seen["H's proof"][x].append(rec.public_part("H", "proof", b"proof"))
            seen["M"][x].append(left_of_m(rec))
    for name, by_value in seen.items():
        for x, estimates in by_value.items():
            assert len(set(estimates)) == runs and x not in estimates, name
            assert not {0, 1} & set(estimates), name  # not the witness's bit either
            # Uniform on the field: the top bit is a fair coin, the mean sits mid-field.
            assert 8 <= sum(e >> 63 for e in estimates) <= runs - 8, name
            assert 0.3 < float(np.mean([e / P for e in estimates])) < 0.7, name
        # The same distribution for both values: the top 2 bits fall alike (chi-square, 3 d.o.f.).
        a = Counter(e >> 62 for e in by_value[0])
        b = Counter(e >> 62 for e in by_value[99999])
        chi2 = sum((a[k] - b[k]) ** 2 / (a[k] + b[k]) for k in range(4) if a[k] + b[k])
        assert chi2 < 21.1, name  # p ≈ 0.0001: a real dependence would show far above


def test_the_public_witness_is_the_witness_less_every_colleagues_share() -> None:
    """The identity behind "H's witness" above, on the stopped round: the public witness
    plus every colleague's share is H's real witness (the bits of x − lo its app
    proves), so removing only the coalition's shares leaves it hidden by those of
    M and H2."""
    values = {"H": 41001, "H2": 52000, "M": 63000, "C1": 1000, "C2": 2000}
    rec, net = stopped_then_rerun(values, STOPS[1])
    h = rec.party["H"]
    s = proofs.shape(net.host.question)
    witness = s.contribution.encode([values["H"]])[s.length :]
    assert len(witness) == s.witness > 10 and set(witness.tolist()) == {0, 1}
    public = vector_from_bytes(rec.partials[0][h].witness)
    keys = [mask_key(rec.pairs[h, j], rec.contexts[0], h, j) for j in rec.colleagues(0, h)]
    assert np.array_equal(gf.add(public, mask_sum(keys, s.witness, b"witness")), witness)
    coalition = [mask_key(rec.pairs[h, rec.party[c]], rec.contexts[0], h, rec.party[c])
                 for c in COALITION]  # fmt: skip
    left = gf.add(public, mask_sum(coalition, s.witness, b"witness"))
    assert not np.any(left == witness)
