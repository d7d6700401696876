"""Votes, private choices, polls and spread (issue 9): settings, answers, results.

Statistical tests here draw the protocol's own noise (`noise.noise_share`, one
share per person, summed) from seeded generators, so they are deterministic:
they fail only if the code changes. Each is paired with a variant the same
check rejects.
"""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pytest
from scipy import stats

from huddle.core import noise, options, spread, tallies
from huddle.core.codec import decode_body, encode
from huddle.core.encoding import from_ring
from huddle.core.errors import InputError, SettingsError
from huddle.core.events import ResultReady
from huddle.core.ledger import Ledger, LedgerEntry
from huddle.core.messages import Welcome
from huddle.core.outcome import Outcome
from huddle.core.questions import (
    CHOICE,
    DP_SPREAD,
    DP_VOTE,
    POLL,
    SPREAD,
    VOTE,
    VOTE_OUTCOME,
    Question,
)

from .harness import make_network

LUNCH = ("Pizza", "Sushi", "Thai place")
ALPHA = 1e-3


def vote(kind: str = VOTE, opts: tuple[str, ...] = LUNCH, **kw: object) -> Question:
    lo, hi = options.value_range(len(opts))
    eps = "" if kind == VOTE else "1"
    settings: dict[str, object] = {"kind": kind, "title": "Lunch", "options": opts}
    return Question(**({"lo": lo, "hi": hi, "epsilon": eps} | settings | kw))  # type: ignore[arg-type]


def play(question: Question, answers: list[str]) -> list[Outcome]:
    """Everyone answers; the round runs in memory; every party's outcome."""
    net = make_network(question)
    conns = [net.join(f"p{i}") for i in range(len(answers))]
    for conn, answer in zip(conns, answers, strict=True):
        net.party_do(conn, net.parties[conn].submit(answer))
    net.host_do(net.host.start())
    got = [e.outcome for c in conns for e in net.events[c] if isinstance(e, ResultReady)]
    assert len(got) == len(answers) and {o.total for o in got} == {net.host.outcome.total}  # type: ignore[union-attr]
    return got


# --- settings --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"options": ("Pizza",)}, "at least 2 options"),
        ({"options": ("Pizza", " pizza")}, "start or end with spaces"),
        ({"options": ("Pizza", "PIZZA")}, "same name"),
        ({"options": ("Pizza", "Sushi, raw")}, "must not contain a comma"),
        ({"options": ("Pizza", "")}, "option is empty"),
        ({"options": tuple(f"o{i}" for i in range(21))}, "At most 20 options"),
        ({"hi": "4"}, "numbered from 1"),
        ({"decimals": 1}, "numbered from 1"),
        ({"epsilon": "1"}, "only applies to noisy tallies"),
    ],
)
def test_bad_vote_settings_are_explained(settings: dict[str, object], message: str) -> None:
    rest = dict(settings)  # the parameter is shared by every run of this test in a process
    opts = rest.pop("options", LUNCH)
    with pytest.raises(SettingsError, match=message):
        vote(opts=opts, **rest)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"kind": "average", "options": LUNCH}, "Options only apply"),
        ({"kind": POLL, "lo": "0", "hi": "2"}, "0 \\(no\\) and 1 \\(yes\\)"),
        ({"kind": POLL, "lo": "0", "hi": "1", "epsilon": "1"}, "coins set the privacy"),
        ({"kind": DP_VOTE, "lo": "1", "hi": "3", "options": LUNCH}, "privacy setting ε"),
        ({"kind": SPREAD, "hi": "10000000000", "decimals": 2}, "adds up squared values"),
        ({"kind": DP_SPREAD, "hi": "1000000", "decimals": 3, "epsilon": "1"}, "drown|too wide"),
    ],
)
def test_other_bad_settings(settings: dict[str, object], message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        Question(title="t", **settings)  # type: ignore[arg-type]


def test_a_question_with_options_crosses_the_wire_and_is_checked_again() -> None:
    q = vote(VOTE_OUTCOME, tag="team")
    welcome = Welcome(session_id=bytes(16), host_name="Host", question=q)
    assert decode_body(encode(welcome)[4:]) == welcome


# --- answers ------------------------------------------------------------------------


def test_a_vote_is_one_hot_by_name_or_number() -> None:
    q = vote()
    assert from_ring(q.encode_answer("  thai   PLACE ")) == [0, 0, 1]
    assert from_ring(q.encode_answer("2")) == [0, 1, 0]
    assert q.check_answer("4") == (
        "That is not one of the options: type its name or its number, 1 to 3."
    )
    assert q.check_answer("Pizza, Sushi") is not None  # one option per person
    numbered = vote(opts=("3", "1", "2"))
    assert from_ring(numbered.encode_answer("1")) == [0, 1, 0]  # the option named "1"


def test_a_private_choice_approves_any_options() -> None:
    q = vote(CHOICE)
    assert from_ring(q.encode_answer("1, thai place")) == [1, 0, 1]
    assert from_ring(q.encode_answer("2,2")) == [0, 1, 0]
    assert q.check_answer(" , ") == "Tick at least one option you would be happy with."
    assert q.sensitivity == 3 and q.vector_length == 3
    assert options.answer_text({0, 2}) == "1,3"


def test_spread_shares_the_centred_value_and_its_square() -> None:
    q = Question(kind=SPREAD, title="Raise", lo="0", hi="5000", decimals=2)
    assert from_ring(q.encode_answer("3000.25")) == [50025, 50025**2]
    assert q.vector_length == 2 and q.sensitivity == 0
    dp = Question(kind=DP_SPREAD, title="Raise", lo="0", hi="100", epsilon="1")
    shape = spread.layout(dp.fixed_point, noisy=True)
    assert (shape.centre, shape.reach, shape.width, shape.factor) == (50, 50, 100, 25)
    assert from_ring(dp.encode_answer("80")) == [25 * 30, 900]
    assert dp.sensitivity == 25 * 100 + 2500


# --- results, in memory with n = 5 ----------------------------------------------------


def test_an_exact_vote_gives_the_hand_counted_tallies() -> None:
    (o, *_) = play(vote(), ["Pizza", "2", "thai place", "Sushi", "sushi"])
    assert o.tallies == (1, 3, 1)
    assert o.as_dict() | {"leaders": ["Sushi"], "majority": True} == o.as_dict()
    (tie, *_) = play(vote(), ["1", "1", "2", "2", "3"])
    assert tie.leader == tallies.Leader((0, 1), 2, False)


def test_an_exact_spread_gives_the_hand_computed_deviation() -> None:
    q = Question(kind=SPREAD, title="Raise", lo="0", hi="5000", decimals=2)
    values = ["3800", "2514", "2982", "3390", "1000.5"]
    (o, *_) = play(q, values)
    moments = o.moments
    assert moments.mean == Decimal("2737.3")
    # Σx² / n − mean² by hand: (3800² + 2514² + 2982² + 3390² + 1000.5²)/5 − 2737.3²
    by_hand = (Decimal("42145620.25") / 5 - Decimal("2737.3") ** 2).sqrt()
    assert abs(moments.deviation - by_hand) < Decimal("1e-20")
    assert moments.deviation == spread.exact_deviation([Decimal(v) for v in values])


def test_noisy_kinds_agree_on_every_screen_and_record_their_epsilon() -> None:
    answers = ["1", "2", "2", "3", "2"]
    for kind in (DP_VOTE, VOTE_OUTCOME, CHOICE):
        outcomes = play(vote(kind), answers)
        assert len({o.as_dict()["kind"] for o in outcomes}) == 1
        assert outcomes[0].question.release_epsilon == 1.0
    (poll, *_) = play(Question(kind=POLL, title="p", lo="0", hi="1"), ["yes"] * 5)
    assert 0 <= poll.total[0] <= 5
    assert set(poll.as_dict()) >= {"estimate", "interval", "epsilon"}
    assert "tallies" not in play(vote(VOTE_OUTCOME), answers)[0].as_dict()


def test_epsilon_composes_across_kinds_in_the_ledger() -> None:
    kinds_spent = [
        (vote(DP_VOTE, tag="Team"), 1.0),
        (vote(CHOICE, epsilon="0.5", tag="team "), 0.5),
        (Question(kind=POLL, title="p", lo="0", hi="1", tag="TEAM"), float(np.log(3))),
        (Question(kind=DP_SPREAD, title="s", hi="100", epsilon="2", tag="team"), 2.0),
        (vote(), 0.0),
        (Question(kind=SPREAD, title="s", hi="100", tag="team"), 0.0),
    ]
    ledger = Ledger()
    for q, eps in kinds_spent:
        assert q.release_epsilon == pytest.approx(eps)
        if eps:
            entry = LedgerEntry(
                title=q.title, tag=q.tag, kind=q.kind, epsilon=eps, timestamp="2026-01-01"
            )
            ledger = ledger.with_entry(entry)
    assert ledger.spent("team") == pytest.approx(3.5 + np.log(3))
    assert {e.kind for e in ledger.entries} == {DP_VOTE, CHOICE, POLL, DP_SPREAD}


# --- noisy max and outcome-only accuracy ------------------------------------------------


def total_noise(people: int, epsilon: float, delta: int, size: int, seed: int) -> np.ndarray:
    """The noise the protocol adds: the sum of every person's noise share."""
    root = np.random.SeedSequence(seed)
    shares = [
        noise.noise_share(people, epsilon, delta, size, np.random.Generator(np.random.PCG64DXSM(s)))
        for s in root.spawn(people)
    ]
    return np.sum(shares, axis=0)


def winner_rate(people: int, counts: list[int], epsilon: float, runs: int) -> float:
    q = vote(CHOICE, opts=tuple(f"o{i}" for i in range(len(counts))), epsilon=str(epsilon))
    right = 0
    for run in range(runs):
        noisy = np.array(counts) + total_noise(people, epsilon, q.sensitivity, len(counts), run)
        right += tallies.noisy_winner(tuple(int(c) for c in noisy), q.options).option == 0
    return right / runs


def test_the_choice_winner_is_right_at_least_95_percent_at_the_stated_lead() -> None:
    people, eps, m, runs = 20, 2.0, 4, 1500
    lead = noise.lead_needed(people, eps, m, m)
    rate = winner_rate(people, [10 + lead, 10, 10, 10], eps, runs)
    assert stats.binomtest(round(rate * runs), runs, 0.95, alternative="less").pvalue > ALPHA
    # ... and the check can fail: with a third of that lead it is wrong far more often.
    weak = winner_rate(people, [10 + lead // 3, 10, 10, 10], eps, runs)
    assert stats.binomtest(round(weak * runs), runs, 0.95, alternative="less").pvalue < ALPHA


def test_outcome_only_majority_call_holds_outside_its_margin() -> None:
    people, runs = 30, 1500
    q = vote(VOTE_OUTCOME, epsilon="1")
    margin = noise.error_bound(people, 1.0, 2)
    yes = 15 + margin + 1  # truly a majority, by more than the margin
    counts = [yes, people - yes, 0]
    calls = [
        tallies.leader(
            tuple(int(c) for c in np.array(counts) + total_noise(people, 1.0, 2, 3, r)), people
        )
        for r in range(runs)
    ]
    right = sum(c.majority and c.options == (0,) for c in calls)
    assert stats.binomtest(right, runs, 0.95, alternative="less").pvalue > ALPHA
    assert q.sensitivity == 2


def test_noisy_ties_are_drawn_by_a_lot_the_same_everywhere() -> None:
    counts = (4, 7, 7, 7)
    first = tallies.noisy_winner(counts, ("a", "b", "c", "d"))
    assert first == tallies.noisy_winner(counts, ("a", "b", "c", "d"))
    assert first.option in (1, 2, 3) and len(first.tied_with) == 2
    picks = {tallies.noisy_winner((5, 5, c), ("a", "b", "c")).option for c in range(-20, 5)}
    assert picks == {0, 1}, "the lot favours no position"


# --- noisy spread ------------------------------------------------------------------------


def test_the_noisy_deviation_interval_covers_the_truth() -> None:
    q = Question(kind=DP_SPREAD, title="Score", hi="100", epsilon="4")
    values = [Decimal(v) for v in (20, 35, 50, 55, 60, 62, 70, 80, 90, 95)]
    exact = sum((np.array(from_ring(q.encode_answer(str(v)))) for v in values), np.zeros(2))
    truth = spread.exact_deviation(values)
    runs, covered = 600, 0
    for run in range(runs):
        total = exact + total_noise(len(values), 4.0, q.sensitivity, 2, run)
        low, high = Outcome(q, len(values), tuple(int(t) for t in total)).deviation_interval
        covered += low <= truth <= high
    assert stats.binomtest(covered, runs, 0.95, alternative="less").pvalue > ALPHA
    with pytest.raises(InputError):
        q.encode_answer("101")
