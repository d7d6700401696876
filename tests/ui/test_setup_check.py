"""The host-setup rules without a window: which field each problem is shown next to."""

from __future__ import annotations

import dataclasses

from huddle.core.errors import SettingsError
from huddle.core.kinds import equal_width_edges
from huddle.core.questions import AVERAGE, DP_AVERAGE, HISTOGRAM, POLL, VOTE
from huddle.ui.setup_check import SetupCheck, SetupFields, check_setup


def four_bars(lo: str, hi: str, decimals: int) -> tuple[str, ...]:
    return equal_width_edges(lo, hi, 4, decimals)


def no_bars(lo: str, hi: str, decimals: int) -> tuple[str, ...]:
    raise SettingsError("Type the edges.")


RAISE = SetupFields(
    title="  What was   your raise? ",
    kind=AVERAGE,
    lo=" 0 ",
    hi="10000 ",
    unit=" EUR ",
    decimals=0,
    min_people=3,
    epsilon="1.0",
    tag="  pay  2026 ",
    options=(),
    bins=four_bars,
)


def check(**changes: object) -> SetupCheck:
    return check_setup(dataclasses.replace(RAISE, **changes))  # type: ignore[arg-type]


def test_an_average_takes_the_fields_tidied_and_no_privacy_tag() -> None:
    found = check()
    assert found == SetupCheck(found.question)  # no messages at all
    q = found.question
    assert q is not None
    assert (q.kind, q.title, q.lo, q.hi, q.unit) == (
        AVERAGE,
        "What was your raise?",
        "0",
        "10000",
        "EUR",
    )
    assert (q.min_participants, q.epsilon, q.tag) == (3, "", "")


def test_title_range_and_group_size_are_all_reported_at_once() -> None:
    found = check(title="   ", lo="ten", min_people=2)
    assert found.question is None
    assert found.title == "Give the question a title."
    assert found.range == "Both ends of the range must be numbers, e.g. 0 and 10000."
    assert found.people is not None and "At least 3 people" in found.people
    assert (found.bars, found.privacy, found.options) == (None, None, None)


def test_an_empty_range_is_the_range_fields_problem() -> None:
    found = check(lo="5", hi="5")
    assert (found.question, found.range) == (None, "The lowest value must be below the highest.")


def test_bars_that_cannot_be_drawn_are_the_bars_fields_problem_not_privacys() -> None:
    found = check(kind=HISTOGRAM, bins=no_bars, epsilon="not a number")
    assert (found.question, found.bars, found.privacy) == (None, "Type the edges.", None)


def test_a_histogram_gets_its_bars_epsilon_and_tag() -> None:
    q = check(kind=HISTOGRAM).question
    assert q is not None
    assert (q.bins, q.epsilon, q.tag) == (("0", "2500", "5000", "7500", "10000"), "1.0", "pay 2026")


def test_a_bad_epsilon_is_the_privacy_fields_problem() -> None:
    found = check(kind=DP_AVERAGE, epsilon="lots")
    assert found.question is None and found.privacy and not found.range


def test_a_vote_needs_options_and_ignores_the_range_and_unit() -> None:
    found = check(kind=VOTE, lo="not used", unit="EUR")
    assert found.question is None and found.options and not found.range
    q = check(kind=VOTE, lo="not used", options=("Pizza", "Sushi")).question
    assert q is not None
    assert (q.options, q.unit, q.decimals, q.tag) == (("Pizza", "Sushi"), "", 0, "")


def test_a_poll_needs_no_options_and_keeps_its_tag() -> None:
    q = check(kind=POLL).question
    assert q is not None
    assert (q.kind, q.options, q.epsilon, q.tag) == (POLL, (), "", "pay 2026")
