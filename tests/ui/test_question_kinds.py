"""Votes, private choices, polls and spread in the desktop app (issue 9).

Three windows with real engines on 127.0.0.1: Alice hosts through Host setup,
Bob and Carol join; everyone answers on the value screen the way a person does.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from huddle.core import options
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
from huddle.storage import LedgerStore
from huddle.ui.host_setup import HostSetupPage
from huddle.ui.main_window import MainWindow
from tests.ui.conftest import (
    WindowFactory,
    answer_and_wait,
    ledger_path,
    on_page,
    start_round,
    type_into,
)

DAYS = ("Monday", "Tuesday", "Wednesday")


def ballot(kind: str, epsilon: str = "", tag: str = "") -> Question:
    lo, hi = options.value_range(len(DAYS))
    return Question(
        kind=kind, title="Team day", options=DAYS, lo=lo, hi=hi, epsilon=epsilon, tag=tag
    )


def tick(window: MainWindow, *indexes: int) -> None:
    for index in indexes:
        window.value.group.button(index).click()


def answer_all(qtbot: QtBot, windows: list[MainWindow], picks: list[tuple[int, ...]]) -> None:
    for window, chosen in zip(windows, picks, strict=True):
        tick(window, *chosen)
        assert window.value.submit_button.isEnabled()
        window.value.submit_button.click()
    for window in windows:
        on_page(qtbot, window, window.result)


@pytest.fixture
def three(make_window: WindowFactory) -> list[MainWindow]:
    return [make_window("Alice"), make_window("Bob"), make_window("Carol")]


def test_an_exact_vote_warns_first_then_shows_the_tallies(
    qtbot: QtBot, three: list[MainWindow]
) -> None:
    start_round(qtbot, three, ballot(VOTE))
    page = three[1].value
    assert [b.text() for b in page.group.buttons()] == list(DAYS)
    assert not page.field.isVisible() and not page.submit_button.isEnabled()
    assert "a unanimous result reveals every vote" in page.reveals.text()
    answer_all(qtbot, three, [(1,), (1,), (2,)])
    for window in three:
        result = window.result
        assert result.caption.text() == "Votes per option"
        assert result.chart.isVisible() and result.chart.categories
        assert result.chart.raw == (0, 2, 1) and result.chart.labels == list(DAYS)
        assert result.totals.text() == "3 people · Tuesday leads, with more than half of the votes"
    assert three[0].result.summary == "Team day: Monday: 0; Tuesday: 2; Wednesday: 1 (3 people)"


def test_outcome_only_shows_the_leader_and_its_accuracy_never_a_tally(
    qtbot: QtBot, three: list[MainWindow]
) -> None:
    start_round(qtbot, three, ballot(VOTE_OUTCOME, "10", "team"))  # ε = 10: noise ≈ 0
    answer_all(qtbot, three, [(0,), (0,), (0,)])
    for window in three:
        result = window.result
        assert not result.chart.isVisible()
        assert result.average.text() == "Monday"
        assert result.totals.text().startswith("Monday leads, with more than half of the votes")
        assert "The tallies themselves are not shown" in result.accuracy.text()
        assert result.ledger_note.text().startswith("Recorded in your privacy ledger: ε = 10")


def test_a_private_choice_names_one_winner_everywhere_and_says_it_is_likely(
    qtbot: QtBot, three: list[MainWindow]
) -> None:
    start_round(qtbot, three, ballot(CHOICE, "10", "team"))
    assert three[0].value.caption.text() == "Options you &approve:"
    answer_all(qtbot, three, [(0, 1), (1,), (1, 2)])
    winners = {window.result.average.text() for window in three}
    assert len(winners) == 1 and winners <= set(DAYS)
    assert "Very likely, not certainly, the most approved" in three[2].result.accuracy.text()


def test_a_poll_shows_each_person_what_their_own_app_sent(
    qtbot: QtBot, three: list[MainWindow], tmp_path: Path
) -> None:
    poll = Question(kind=POLL, title="Took all your leave?", lo="0", hi="1", tag="leave")
    start_round(qtbot, three, poll)
    assert [b.text() for b in three[0].value.group.buttons()] == ["Yes", "No"]
    assert "Your app flips a coin" in three[0].value.reveals.text()
    assert "ε = 1.1" in three[0].value.budget.text()
    answer_all(qtbot, three, [(0,), (1,), (0,)])
    notes = [window.result.standing.text() for window in three]
    for note in notes:
        assert note.startswith("Your app sent “") and note.endswith("Only you see this.")
    for window in three:
        result = window.result
        assert " – " in result.average.text() and result.average.text().endswith("%")
        assert "privacy setting ε = ln 3 ≈ 1.1" in result.totals.text()
        assert note not in result.summary
        ledger = LedgerStore(ledger_path(tmp_path, window.home.display_name())).load()
        (entry,) = ledger.entries
        assert entry.kind == POLL and entry.epsilon == pytest.approx(math.log(3))


def test_spread_shows_the_deviation_and_where_you_stand(
    qtbot: QtBot, three: list[MainWindow]
) -> None:
    question = Question(kind=SPREAD, title="Commute", unit="min", lo="0", hi="120")
    start_round(qtbot, three, question)
    answer_and_wait(qtbot, three, ("20", "30", "40"))
    result = three[0].result
    assert result.average.text() == "30 min"
    assert result.totals.text() == "Standard deviation 8.16 min · 3 people"  # √(200/3)
    assert result.standing.text().startswith("Your value is 10 min below the average")


# --- host setup ----------------------------------------------------------------------


@pytest.fixture
def setup(qtbot: QtBot) -> HostSetupPage:
    page = HostSetupPage()
    qtbot.addWidget(page)
    page.show()
    type_into(qtbot, page.title_edit, "Lunch")
    return page


def choose(page: HostSetupPage, kind: str) -> None:
    page.kind.setCurrentIndex(page.kind.findData(kind))


def test_option_kinds_ask_for_options_instead_of_a_range(setup: HostSetupPage) -> None:
    choose(setup, VOTE)
    assert setup.options.isVisible() and not setup.lo.isVisible() and not setup.unit.isVisible()
    assert not setup.start_button.isEnabled()
    setup.options.setPlainText("Pizza\n\n  Sushi  \n")
    assert setup.start_button.isEnabled()
    assert setup.option_list() == ("Pizza", "Sushi")
    setup.options.setPlainText("Pizza\npizza")
    assert setup.options_message.text() == "Two options have the same name."
    assert not setup.start_button.isEnabled()
    choose(setup, POLL)
    assert not setup.options.isVisible() and not setup.epsilon.isVisible()
    assert setup.tag.isVisible() and setup.start_button.isEnabled()


def test_noisy_option_kinds_state_their_accuracy(qtbot: QtBot, setup: HostSetupPage) -> None:
    setup.options.setPlainText("Pizza\nSushi\nThai")
    choose(setup, VOTE_OUTCOME)
    assert "by 11 votes or more is shown leading" in setup.privacy_message.text()
    choose(setup, CHOICE)
    assert "approvals or more wins at least 95 %" in setup.privacy_message.text()
    choose(setup, DP_VOTE)
    qtbot.waitUntil(lambda: "each tally will be within ±7 votes" in setup.privacy_message.text())
    with qtbot.waitSignal(setup.start_hosting) as started:
        setup.start_button.click()
    question = started.args[0]
    assert (question.kind, question.options, question.lo, question.hi) == (
        DP_VOTE,
        ("Pizza", "Sushi", "Thai"),
        "1",
        "3",
    )


def test_a_spread_too_wide_for_its_squares_is_explained(qtbot: QtBot, setup: HostSetupPage) -> None:
    choose(setup, SPREAD)
    type_into(qtbot, setup.hi, "100000000000")
    assert "adds up squared values" in setup.range_message.text()
    assert not setup.start_button.isEnabled()
    choose(setup, DP_SPREAD)
    type_into(qtbot, setup.hi, "100")
    qtbot.waitUntil(lambda: "the average will be within ±" in setup.privacy_message.text())
