"""Partial sums built in the lobby (`ParticipantSession.prepare`), in memory.

Preparing is only an optimisation: whatever Start arrives, a member must send
exactly what it would have computed at Start, or its own fresh computation,
and nothing at all before Start.
"""

from decimal import Decimal

from huddle.core import field, proofs
from huddle.core.codec import FrameDecoder
from huddle.core.encoding import from_ring, vector_from_bytes
from huddle.core.events import Event, ResultReady, ShareTranscript
from huddle.core.kinds import HISTOGRAM, equal_width_edges
from huddle.core.messages import PartialSum, Start
from huddle.core.participant import _Mine
from huddle.core.questions import Question

from .harness import Network, make_network


class Wire:
    """Records every Start and PartialSum the harness carries."""

    def __init__(self, net: Network) -> None:
        self.starts: list[Start] = []
        self.partials: dict[int, list[bytes]] = {}
        net.tap = self.tap

    def tap(self, direction: str, conn: int, data: bytes) -> bytes:
        msg = FrameDecoder().feed(data)[0]
        if isinstance(msg, Start) and direction == "down":
            self.starts.append(msg)
        if isinstance(msg, PartialSum):
            self.partials.setdefault(conn, []).append(data)
        return data


def lobby(values: dict[str, str], question: Question | None = None) -> tuple[Network, list[int]]:
    net = make_network(question)
    conns = [net.join(name) for name in values]
    for conn, value in zip(conns, values.values(), strict=True):
        net.party_do(conn, net.parties[conn].submit(value))
    return net, conns


def averages(net: Network, conns: list[int]) -> set[Decimal | None]:
    return {e.outcome.average for c in conns for e in net.events[c] if isinstance(e, ResultReady)}


def test_the_prepared_partial_sum_is_what_start_sends_and_the_result_is_exact() -> None:
    net, conns = lobby({"a": "10", "b": "20", "c": "60"})
    wire = Wire(net)
    prepared = {}
    for conn in conns:
        party = net.parties[conn]
        assert party.wants_preparation
        party.prepare()
        assert not party.wants_preparation
        prepared[conn] = party._prepared.mine.frame  # type: ignore[union-attr]
    net.run()
    assert wire.partials == {}, "nothing may leave before Start"
    net.host_do(net.host.start())
    assert [s.round_id for s in wire.starts] == [(1).to_bytes(16, "big")] * 3
    assert {c: frames[0] for c, frames in wire.partials.items()} == prepared
    assert averages(net, conns) == {Decimal(30)}
    for conn in conns:  # events only, none of them made up (a demo's shares) or empty
        assert all(isinstance(e, Event) for e in net.events[conn]), net.events[conn]
        assert not [e for e in net.events[conn] if isinstance(e, ShareTranscript)]


def test_preparing_twice_differs_only_by_the_fresh_nonce_and_proof() -> None:
    """Each preparation draws a new query nonce and new proof randomness. The masks and
    the self-mask's pieces are derived from the round (each colleague derives one piece
    too), so the partial sum, the witness's public part and the piece commitments are
    the same; under the self-mask, the partial sum is the same too."""
    net, conns = lobby({"a": "1", "b": "2", "c": "3"})
    party = net.parties[conns[0]]
    mines: list[_Mine] = []
    for _ in range(2):
        party._prepared = None
        party.prepare()
        prepared = party._prepared
        assert prepared is not None
        mines.append(prepared.mine)
    first, second = mines
    assert first.nonce != second.nonce and first.commitments[:32] != second.commitments[:32]
    assert first.proof != second.proof
    assert first.commitments[32:] == second.commitments[32:] and first.pieces == second.pieces
    assert (first.vector, first.witness) == (second.vector, second.witness)
    unmasked = [
        from_ring(field.sub(vector_from_bytes(mine.vector), proofs.self_mask(list(mine.pieces), 1)))
        for mine in mines
    ]
    assert unmasked[0] == unmasked[1] != from_ring(vector_from_bytes(first.vector))


def test_a_roster_change_discards_the_prepared_sum_and_the_new_group_is_summed() -> None:
    net, conns = lobby({"a": "10", "b": "20", "c": "30"})
    for conn in conns:
        net.parties[conn].prepare()
    stale = {c: net.parties[c]._prepared.mine for c in conns}  # type: ignore[union-attr]
    late = net.join("d")
    net.party_do(late, net.parties[late].submit("40"))
    assert all(net.parties[c]._prepared is None for c in conns)
    wire = Wire(net)
    net.host_do(net.host.start())
    for conn in conns:  # masked for the new group: new masks and pieces, not only a new nonce
        sent = FrameDecoder().feed(wire.partials[conn][0])[0]
        assert isinstance(sent, PartialSum)
        assert sent.vector != stale[conn].vector
        assert sent.commitments[32:64] != stale[conn].commitments[32:64]
    assert averages(net, [*conns, late]) == {Decimal(25)}


def test_a_new_value_replaces_the_prepared_one() -> None:
    net, conns = lobby({"a": "10", "b": "20", "c": "30"})
    for conn in conns:
        net.parties[conn].prepare()
    net.party_do(conns[0], net.parties[conns[0]].submit("100"))
    assert net.parties[conns[0]]._prepared is None
    net.host_do(net.host.start())
    assert averages(net, conns) == {Decimal(50)}


def test_a_start_with_another_round_id_is_computed_afresh() -> None:
    """A host that does not number rounds 1, 2, 3 gets correct, freshly masked sums."""
    net, conns = lobby({"a": "10", "b": "20", "c": "30"})
    for conn in conns:
        net.parties[conn].prepare()
    prepared = {c: net.parties[c]._prepared.mine for c in conns}  # type: ignore[union-attr]
    net.host._rounds_started = 41
    wire = Wire(net)
    net.host_do(net.host.start())
    assert [s.round_id for s in wire.starts] == [(42).to_bytes(16, "big")] * 3
    for conn in conns:
        (frame,) = wire.partials[conn]
        sent = FrameDecoder().feed(frame)[0]
        assert isinstance(sent, PartialSum) and sent.round_id == (42).to_bytes(16, "big")
        assert sent.vector != prepared[conn].vector  # masks of round 42, not of round 1
    assert averages(net, conns) == {Decimal(20)}


def test_after_an_abort_nothing_is_prepared_and_the_rerun_waits_for_each_person() -> None:
    """A re-run is never automatic: kept values go out only after `take_part`."""
    net, conns = lobby({"a": "10", "b": "20", "c": "30", "d": "99"})
    d = conns[3]
    net.tap = lambda direction, conn, data: None if conn == d and direction == "down" else data
    net.host_do(net.host.start())  # d never hears Start, so its partial sum never comes
    net.tap = None
    net.disconnect(d)
    assert averages(net, conns[:3]) == set()
    for conn in conns[:3]:
        assert net.parties[conn].has_value and not net.parties[conn].wants_preparation
    wire = Wire(net)
    net.host_do(net.host.start())
    assert wire.partials == {}
    for conn in conns[:3]:
        net.party_do(conn, net.parties[conn].take_part())
    assert set(wire.partials) == set(conns[:3])
    assert averages(net, conns[:3]) == {Decimal(20)}


def test_preparing_spends_no_privacy_budget_and_start_sends_the_prepared_noise() -> None:
    edges = equal_width_edges("0", "100", 2, 0)
    q = Question(kind=HISTOGRAM, title="t", hi="100", bins=edges, epsilon="1.0")
    net, conns = lobby({"a": "10", "b": "60", "c": "70"}, q)
    party = net.parties[conns[0]]
    drafts = set()
    for _ in range(40):  # a share is [0, 0] one time in five, so two drafts matched 6 % of runs
        party._prepared = None
        party.prepare()
        drafts.add(party._prepared.mine.vector)  # type: ignore[union-attr]
    assert len(drafts) > 1, "noise is drawn afresh for every preparation"
    prepared = party._prepared.mine.frame  # type: ignore[union-attr]
    assert party.epsilon_spent == 0.0
    wire = Wire(net)
    net.host_do(net.host.start())
    assert wire.partials[conns[0]] == [prepared]  # a fresh computation would differ
    assert party.epsilon_spent == 1.0
    totals = {net.parties[c].outcome.total for c in conns}  # type: ignore[union-attr]
    assert len(totals) == 1 and len(next(iter(totals))) == 2  # everyone has the same noisy bars


def test_too_small_a_group_is_not_prepared_for() -> None:
    net, conns = lobby({"a": "10", "b": "20"})
    party = net.parties[conns[0]]
    assert not party.wants_preparation
    party.prepare()
    assert party._prepared is None
