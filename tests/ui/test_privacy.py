"""Noisy results in the desktop app: host setup, the chart, and the privacy ledger."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from huddle.core import noise
from huddle.core.outcome import CONFIDENCE
from huddle.core.questions import DP_AVERAGE, HISTOGRAM, Question
from huddle.storage import LedgerStore
from huddle.ui.host_setup import HostSetupPage
from huddle.ui.main_window import MainWindow
from huddle.ui.privacy import PrivacyLedger
from tests.ui.conftest import (
    WindowFactory,
    answer_and_wait,
    host,
    join,
    ledger_path,
    on_page,
    start_round,
    type_into,
)


@pytest.fixture
def setup(qtbot: QtBot) -> HostSetupPage:
    page = HostSetupPage()
    qtbot.addWidget(page)
    page.show()
    type_into(qtbot, page.title_edit, "Commute")
    type_into(qtbot, page.lo, "0")
    type_into(qtbot, page.hi, "90")
    return page


def choose(page: HostSetupPage, kind: str) -> None:
    page.kind.setCurrentIndex(page.kind.findData(kind))


def test_the_noisy_settings_show_only_for_the_noisy_kinds(setup: HostSetupPage) -> None:
    assert not setup.bars.isVisible() and not setup.epsilon.isVisible()
    choose(setup, HISTOGRAM)
    assert setup.bars.isVisible() and setup.epsilon.isVisible() and setup.tag.isVisible()
    choose(setup, DP_AVERAGE)
    assert not setup.bars.isVisible() and setup.epsilon.isVisible()
    assert setup.epsilon.value() == 1.0


def test_a_histogram_with_equal_bars(qtbot: QtBot, setup: HostSetupPage) -> None:
    choose(setup, HISTOGRAM)
    setup.bars.count.setValue(3)
    type_into(qtbot, setup.tag, "  commute ")
    assert setup.start_button.isEnabled()
    qtbot.waitUntil(lambda: "±7 people" in setup.privacy_message.text())
    assert (
        "With 3 people, each bar will be within ±7 people of the true count (95 % of the time)."
        in setup.privacy_message.text()
    )  # and, with so few people, that the bars would be mostly noise: test_small_groups.py
    assert "smaller hides everyone better" in setup.privacy_message.text()
    assert setup.kind_message.text().startswith("A bar chart of how many answers")
    assert "roughly how many values fall in each of the 3 bars" in setup.reveals.text()
    with qtbot.waitSignal(setup.start_hosting) as started:
        setup.start_button.click()
    question = started.args[0]
    assert (question.kind, question.bins) == (HISTOGRAM, ("0", "30", "60", "90"))
    assert (question.epsilon, question.tag) == ("1", "commute")


def test_a_smaller_epsilon_means_wider_error(qtbot: QtBot, setup: HostSetupPage) -> None:
    choose(setup, HISTOGRAM)
    qtbot.waitUntil(lambda: "±7 people" in setup.privacy_message.text())
    setup.epsilon.set_value(0.5)
    assert setup.epsilon.slider.value() < 50
    qtbot.waitUntil(lambda: "±14 people" in setup.privacy_message.text())
    setup.epsilon.slider.setValue(100)
    assert setup.epsilon.value() == 10.0


@pytest.mark.parametrize(
    ("edges", "message"),
    [
        (
            "10, 50, 90",
            "The bars must cover the whole allowed range: the first edge must be 0 and the "
            "last 90, so that every allowed answer falls in a bar.",
        ),
        ("0, 60, 30, 90", "The bar edges must go up strictly from left to right."),
        ("0, ten, 90", "A bar edge is not a number."),
        ("0 90", "Type the edges from the lowest to the highest value, e.g. 0, …, 90."),
    ],
)
def test_bar_edges_are_explained_next_to_the_field(
    qtbot: QtBot, setup: HostSetupPage, edges: str, message: str
) -> None:
    choose(setup, HISTOGRAM)
    setup.bars.custom.setChecked(True)
    assert setup.bars.edges.text() == "0, 18, 36, 54, 72, 90"  # the equal bars, to edit
    type_into(qtbot, setup.bars.edges, edges)
    assert setup.bars_message.isVisible()
    assert setup.bars_message.text() == message
    assert not setup.start_button.isEnabled()


def test_too_many_equal_bars_for_the_decimals(qtbot: QtBot, setup: HostSetupPage) -> None:
    choose(setup, HISTOGRAM)
    setup.bars.count.setValue(100)
    assert setup.bars_message.text() == (
        "With 0 decimal places, 0 to 90 has room for at most 90 bars; "
        "choose fewer bars or more decimals."
    )
    assert not setup.start_button.isEnabled()
    setup.decimals.setValue(1)
    assert not setup.bars_message.isVisible()
    assert setup.start_button.isEnabled()


def test_a_noisy_average_too_wide_to_protect(qtbot: QtBot, setup: HostSetupPage) -> None:
    choose(setup, DP_AVERAGE)
    qtbot.waitUntil(lambda: "the average will be within ±" in setup.privacy_message.text())
    type_into(qtbot, setup.hi, "1000000000000000")
    setup.epsilon.set_value(0.05)
    assert setup.privacy_message.text() == (
        "This much noise would drown the result: raise ε or narrow the allowed range."
    )
    assert not setup.start_button.isEnabled()


COMMUTE = Question(
    kind=HISTOGRAM,
    title="Commute",
    unit="min",
    lo="0",
    hi="90",
    bins=("0", "30", "60", "90"),
    epsilon="4",
    tag="commute",
)


def run_round(qtbot: QtBot, windows: list[MainWindow], question: Question) -> None:
    """Alice hosts ``question`` through Host setup; the others join; all answer."""
    start_round(qtbot, windows, question)
    answer_and_wait(qtbot, windows, ("10", "45", "50"))


def test_a_noisy_histogram_reaches_a_chart_and_the_ledger(
    qtbot: QtBot, make_window: WindowFactory, tmp_path: Path
) -> None:
    windows = [make_window("Alice"), make_window("Bob"), make_window("Carol")]
    run_round(qtbot, windows, COMMUTE)
    for window in windows:
        result = window.result
        assert result.caption.text() == "How many in each range, with privacy noise"
        assert result.chart.isVisible() and not result.average.isVisible()
        assert result.chart.labels == ["0", "30", "60", "90"]
        assert len(result.chart.heights) == 3 and min(result.chart.heights) >= 0
        bound = result.chart.bound
        assert result.accuracy.text().startswith(
            f"Each bar is within ±{bound} people of the true count, at 95 % confidence."
        )
        assert result.totals.text() == "3 people · privacy setting ε = 4"
        assert not result.standing.isVisible()
        assert result.ledger_note.text() == (
            "Recorded in your privacy ledger: ε = 4; you have now spent ε = 4 on "
            "questions tagged “commute”."
        )
    # Everyone sees the same noisy counts, and they add up to about 3 (noise of scale 0.5).
    raw = windows[0].result.chart.raw
    assert all(w.result.chart.raw == raw for w in windows)
    assert abs(sum(raw) - 3) <= 5
    windows[1].result.raw_toggle.setChecked(True)
    assert windows[1].result.chart.heights == raw
    assert windows[1].result.raw_values.text().startswith("0 to 30 min: ")

    for window in windows:
        ledger = LedgerStore(ledger_path(tmp_path, window.home.display_name())).load()
        assert [(e.title, e.tag, e.kind, e.epsilon) for e in ledger.entries] == [
            ("Commute", "commute", HISTOGRAM, 4.0)
        ]
        window.result.home_button.click()

    # A second question on the same subject: everyone is told what they spent before.
    again = dataclasses.replace(COMMUTE, title="Commute, again", epsilon="2")
    alice, bob, carol = windows
    port = host(qtbot, alice, again)
    assert alice.lobby.privacy.text().startswith("Privacy budget: you have already spent ε = 4")
    for window in (bob, carol):
        join(qtbot, window, port)
    budget = (
        "Privacy budget: you have already spent ε = 4 on questions tagged “commute” on this "
        "computer. Answers on one subject add up: taking part brings it to ε = 6, so together "
        "your answers are protected as if by ε = 6."
    )
    assert bob.lobby.privacy.isVisible()
    assert bob.lobby.privacy.text() == budget
    qtbot.waitUntil(lambda: len(alice.lobby.pending_names()) == 2)
    alice.lobby.admit_all_button.click()
    qtbot.waitUntil(alice.lobby.start_button.isEnabled)
    alice.lobby.start_button.click()
    on_page(qtbot, bob, bob.value)
    assert bob.value.budget.isVisible() and bob.value.budget.text() == budget
    for window in windows:
        on_page(qtbot, window, window.value)
        type_into(qtbot, window.value.field, "20")
        window.value.submit_button.click()
    on_page(qtbot, carol, carol.result)
    assert carol.result.ledger_note.text().endswith(
        "you have now spent ε = 6 on questions tagged “commute”."
    )
    assert LedgerStore(ledger_path(tmp_path, "Carol")).load().spent("Commute ") == 6.0


def test_the_app_and_the_command_line_keep_one_ledger(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HUDDLE_DATA_DIR", str(tmp_path / "portable"))
    assert PrivacyLedger().store.path == tmp_path / "portable" / "ledger.json"
    monkeypatch.delenv("HUDDLE_DATA_DIR")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert PrivacyLedger().store.path == LedgerStore().path
    assert PrivacyLedger().store.path == tmp_path / "xdg" / "Huddle" / "Huddle" / "ledger.json"


def test_an_unreadable_ledger_is_said_plainly(tmp_path: Path) -> None:
    path = tmp_path / "ledger.json"
    path.write_text("{not json")
    ledger = PrivacyLedger(path)
    assert ledger.already_spent(COMMUTE) == (
        "Your privacy ledger on this computer could not be read, so how much privacy you "
        "spent on earlier questions is unknown."
    )
    assert ledger.record(COMMUTE, 4.0).startswith("Recorded in your privacy ledger: ε = 4;")
    assert (tmp_path / "ledger.json.corrupt").read_text() == "{not json"


def test_no_stray_messages_for_hidden_settings(setup: HostSetupPage) -> None:
    choose(setup, HISTOGRAM)
    choose(setup, "average")
    for message in (setup.bars_message, setup.privacy_message, setup.tag_message):
        assert not message.isVisible()


def test_a_bound_already_worked_out_when_asked_is_given_at_once(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A quick computation can finish before its callback is attached; then the bound is
    known as `bound()` returns, and the form must not be left saying "working it out"."""
    import concurrent.futures

    from huddle.ui import privacy

    class AtOnce(concurrent.futures.Executor):
        def submit(self, fn, /, *args, **kwargs):  # type: ignore[no-untyped-def, override]
            future: concurrent.futures.Future[object] = concurrent.futures.Future()
            future.set_result(fn(*args, **kwargs))
            return future

    monkeypatch.setattr(privacy, "_pool", AtOnce)
    estimator = privacy.BoundEstimator()
    with qtbot.waitSignal(estimator.ready):
        assert estimator.bound((3, 1.0, 2, 1)) == noise.error_bound(3, 1.0, 2, CONFIDENCE)
