"""The reference article's worked example, as a known-answer test."""

from decimal import Decimal

from huddle.core.events import ResultReady, ShareTranscript
from huddle.core.sharing import fixed_masks

from .harness import make_network

# DESIGN.md §1: rows are who splits, columns who receives (Alice, Bob, Carlos, David).
RAISES = {"Alice": 3800, "Bob": 2514, "Carlos": 2982, "David": 3390}
SPLIT = {
    "Alice": [-1000, 2500, 900, 1400],
    "Bob": [700, 400, 650, 764],
    "Carlos": [750, -100, 832, 1500],
    "David": [1500, 900, -3000, 3990],
}
PARTIAL_SUMS = [1950, 3700, -618, 7654]


def test_article_split_gives_the_article_partial_sums_and_average() -> None:
    net = make_network()
    names = list(RAISES)
    conns = {}
    # Parties join in order and get ids 1 to 4; every one of them uses the article's table.
    table = {i + 1: {j + 1: s for j, s in enumerate(SPLIT[name])} for i, name in enumerate(names)}
    for name in names:
        conns[name] = net.join(name, transcript=True, masks=fixed_masks(table))
    parties = {name: net.parties[conns[name]] for name in names}
    assert [parties[n].me for n in names] == [1, 2, 3, 4]
    for name in names:
        net.party_do(conns[name], parties[name].submit(str(RAISES[name])))
    net.host_do(net.host.start())

    partials = {}
    for name in names:
        for event in net.events[conns[name]]:
            if isinstance(event, ShareTranscript) and event.partial:
                partials[name] = event.partial[0]
    assert [partials[n] for n in names] == PARTIAL_SUMS
    results = [e for c in conns.values() for e in net.events[c] if isinstance(e, ResultReady)]
    assert len(results) == 4
    assert {r.outcome.sum for r in results} == {Decimal(12686)}
    assert {r.outcome.average for r in results} == {Decimal("3171.5")}
    assert net.host.outcome is not None and net.host.outcome.average == Decimal("3171.5")
