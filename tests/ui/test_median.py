"""The median and quartiles in the desktop app: set up from the registry, answered as a
number, and shown as an interval with a box over the range (issue 16)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from huddle.core.kinds import equal_width_edges
from huddle.core.outcome import Outcome
from huddle.core.questions import DP_AVERAGE, Question
from huddle.storage import LedgerStore
from huddle.ui.host_setup import HostSetupPage
from huddle.ui.main_window import MainWindow
from huddle.ui.result import ResultPage
from huddle.ui.result_median import BoxBar
from tests.ui.conftest import WindowFactory, ledger_path, on_page, start_round, type_into

PAY = Question(
    kind="median",
    title="Monthly pay",
    unit="EUR",
    lo="2000",
    hi="8000",
    bins=equal_width_edges("2000", "8000", 10, 0),
    epsilon="1",
    tag="pay",
)


@pytest.fixture
def page(qtbot: QtBot) -> ResultPage:
    result = ResultPage()
    qtbot.addWidget(result)
    result.resize(760, 640)
    result.show()
    return result


def test_the_median_screen_leads_with_the_interval_and_draws_the_box(page: ResultPage) -> None:
    outcome = Outcome(PAY, 60, (2, 5, 9, 14, 11, 8, 4, 3, 2, 2))
    page.show_outcome(outcome, Decimal(2100), "1234")
    assert page.caption.text() == "Median with privacy noise: the 95 % interval"
    assert page.average.text() == "3,200 – 6,200 EUR"
    assert page.totals.text() == (
        "Best estimate 4,400 EUR · quartiles 3,733 EUR and 5,300 EUR · 60 people · privacy "
        "setting ε = 1"
    )
    assert page.accuracy.text().startswith(
        "The median is within ±1,800 EUR of the best estimate, at 95 % confidence"
    )
    (box,) = page.findChildren(BoxBar)
    assert box.isVisible() and not page.bar.isVisible() and not page.chart.isVisible()
    lower, median, upper = box.fractions
    assert lower < median < upper and box.band == (0.2, 0.7) and box.mine == pytest.approx(1 / 60)
    assert page.standing.text() == "Your value is below the median: under its whole 95 % interval."
    assert page.summary == (
        "Monthly pay: median between 3,200 and 6,200 EUR (95 %; best estimate 4,400 EUR; "
        "quartiles 3,733 EUR and 5,300 EUR; 60 people)"
    )
    assert "2100" not in page.summary and "2,100" not in page.summary  # your value stays yours

    page.show_outcome(outcome, Decimal(5000), "1234")
    assert page.standing.text().startswith("Your value lies within the median's 95 % interval")
    page.show_outcome(outcome, None, "1234")
    assert not page.standing.isVisible() and box.mine is None

    other = Question(kind=DP_AVERAGE, title="t", lo="0", hi="10", epsilon="1")
    page.show_outcome(Outcome(other, 5, (25,)), None, "1234")
    assert not box.isVisible() and page.bar.isVisible()


def test_host_setup_offers_the_median_with_bars_and_privacy_from_its_module(
    qtbot: QtBot,
) -> None:
    setup = HostSetupPage()
    qtbot.addWidget(setup)
    setup.show()
    type_into(qtbot, setup.title_edit, "Monthly pay")
    type_into(qtbot, setup.lo, "2000")
    type_into(qtbot, setup.hi, "8000")
    setup.kind.setCurrentIndex(setup.kind.findData("median"))
    assert setup.kind.currentText() == "Median and quartiles (private, noised)"
    assert setup.bars.isVisible() and setup.epsilon.isVisible() and setup.tag.isVisible()
    assert setup.kind_message.text().startswith("The median and the quartiles, read from")
    assert setup.start_button.isEnabled()
    setup.min_people.setValue(10)
    message = setup.privacy_message.text()
    assert "the median's 95 % interval will reach from the value" in message
    assert "half the group or more" in message and setup.privacy_message.kind == "warn"
    assert setup.reveals.text().startswith("Everyone learns a rough median and quartiles")
    question = setup.validate()
    assert question is not None and question.kind == "median" and len(question.bins) == 6


@pytest.fixture
def three(make_window: WindowFactory) -> list[MainWindow]:
    return [make_window("Alice"), make_window("Bob"), make_window("Carol")]


def test_three_people_find_their_median_through_the_app(
    qtbot: QtBot, three: list[MainWindow], tmp_path: Path
) -> None:
    calm = Question(
        kind="median",
        title="Monthly pay",
        unit="EUR",
        lo="2000",
        hi="8000",
        bins=equal_width_edges("2000", "8000", 6, 0),
        epsilon="10",  # little noise, so three people see a sensible interval
        tag="pay",
    )
    start_round(qtbot, three, calm)
    assert three[1].value.field.isVisible()
    assert "rough median and quartiles" in three[1].value.reveals.text()
    for window, value in zip(three, ("3100", "4200", "5900"), strict=True):
        type_into(qtbot, window.value.field, value)
        window.value.submit_button.click()
    for window in three:
        on_page(qtbot, window, window.result)
    headlines = {window.result.average.text() for window in three}
    assert len(headlines) == 1 and headlines.pop().endswith("EUR")
    assert three[0].result.standing.isVisible()
    ledger = LedgerStore(ledger_path(tmp_path, three[0].home.display_name())).load()
    (entry,) = ledger.entries
    assert entry.kind == "median" and entry.epsilon == 10.0 and entry.tag == "pay"
