"""Noisy results in small groups (issue 17, item 4): setup warns when the noise is as
large as the group; a result never shows an impossible count without saying it is
noise; noisy headlines lead with their interval.

The result screen is fed outcomes directly: what a round adds up to is the
protocol's business (tests/core); how the screen shows it is this file's.
"""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from huddle.core import options
from huddle.core.outcome import Outcome
from huddle.core.questions import DP_AVERAGE, DP_VOTE, HISTOGRAM, POLL, Question
from huddle.ui.host_setup import HostSetupPage
from huddle.ui.result import ResultPage

BARS = Question(
    kind=HISTOGRAM,
    title="Raise",
    unit="EUR",
    lo="0",
    hi="10000",
    bins=("0", "2500", "5000", "7500", "10000"),
    epsilon="1",
)
LUNCH = ("Pizza", "Sushi", "Thai")


@pytest.fixture
def page(qtbot: QtBot) -> ResultPage:
    result = ResultPage()
    qtbot.addWidget(result)
    result.resize(760, 640)
    result.show()
    return result


@pytest.fixture
def setup(qtbot: QtBot) -> HostSetupPage:
    form = HostSetupPage()
    qtbot.addWidget(form)
    form.show()
    form.prefill("Raise", "EUR", "0", "10000")
    return form


def test_setup_warns_when_the_noise_is_as_large_as_the_group(
    qtbot: QtBot, setup: HostSetupPage
) -> None:
    setup.kind.setCurrentIndex(setup.kind.findData(HISTOGRAM))
    message = setup.privacy_message
    qtbot.waitUntil(lambda: "±7 people" in message.text())  # ε = 1, 3 people
    assert "mostly noise" in message.text() and message.kind == "warn"
    setup.epsilon.set_value(10.0)
    qtbot.waitUntil(lambda: "±7 people" not in message.text() and "±" in message.text())
    assert "mostly noise" not in message.text() and message.kind == "hint"
    assert setup.start_button.isEnabled()  # a warning, not a refusal

    setup.kind.setCurrentIndex(setup.kind.findData(DP_VOTE))
    setup.options.setPlainText("\n".join(LUNCH))
    setup.epsilon.set_value(1.0)
    qtbot.waitUntil(lambda: "votes of the true count" in message.text())
    assert "mostly noise" in message.text() and message.kind == "warn"


def test_a_bar_above_the_group_is_drawn_at_the_group_and_said_to_be_noise(
    page: ResultPage,
) -> None:
    """4 people: a noisy 12 is drawn as 4, a noisy -2 as 0, and the words say so; the
    raw view shows 12 and -2 and says those are noise alone."""
    page.show_outcome(Outcome(BARS, 4, (12, -2, 3, 0)), None, "1234")
    assert page.chart.heights == (4, 0, 3, 0)
    words = page.accuracy.text()
    assert "Noise pushed 1 bar below 0; the chart shows 0." in words
    assert "Noise pushed 1 bar above 4, the number who took part; the chart shows 4." in words
    assert "Noise is why the bars add up to 7, not 4." in words
    assert "0 to 2500 EUR: 4" in page.summary and "12" not in page.summary

    page.raw_toggle.setChecked(True)
    assert page.chart.heights == (12, -2, 3, 0)
    words = page.accuracy.text()
    assert "as they came out of the protocol: below 0 or above 4" in words
    assert "shows 0" not in words and "shows 4" not in words  # nothing is moved now
    assert "add up to 13, not 4" in words
    assert "0 to 2500 EUR: 12" in page.raw_values.text()

    page.raw_toggle.setChecked(False)
    assert page.chart.heights == (4, 0, 3, 0)
    assert "the chart shows 4" in page.accuracy.text()


def test_noisy_tallies_stay_within_the_votes_cast(page: ResultPage) -> None:
    low, high = options.value_range(len(LUNCH))
    vote = Question(kind=DP_VOTE, title="Lunch", options=LUNCH, lo=low, hi=high, epsilon="1")
    page.show_outcome(Outcome(vote, 4, (9, 0, -1)), None, "1234")
    assert page.chart.heights == (4, 0, 0)
    assert "Pizza: 4; Sushi: 0; Thai: 0" in page.summary
    assert "Noise pushed 1 tally above 4" in page.accuracy.text()


def test_nothing_is_said_when_noise_kept_within_bounds(page: ResultPage) -> None:
    page.show_outcome(Outcome(BARS, 4, (1, 2, 1, 0)), None, "1234")
    assert page.accuracy.text() == (
        "Each bar is within ±7 people of the true count, at 95 % confidence."
    )


def test_a_poll_headline_leads_with_its_interval(page: ResultPage) -> None:
    """4 apps all sent yes: the estimate is clipped to 100 %, but the headline is the
    interval, not a lone "≈ 100 %"."""
    poll = Question(kind=POLL, title="Leave", lo="0", hi="1")
    page.show_outcome(Outcome(poll, 4, (4,)), None, "1234")
    assert page.caption.text().endswith("the 95 % interval")
    low, high = page.average.text().split(" – ")
    assert low.endswith("%") and high == "100 %"
    assert page.totals.text().startswith("Best estimate 100 % · 4 people")
    assert page.summary.startswith("Leave: between ")


def test_a_noisy_average_headline_leads_with_its_interval(page: ResultPage) -> None:
    noisy = Question(kind=DP_AVERAGE, title="Raise", unit="EUR", lo="0", hi="10000", epsilon="1")
    page.show_outcome(Outcome(noisy, 3, (9000,)), None, "1234")
    assert page.caption.text() == "Group average with privacy noise: the 95 % interval"
    low, high = page.average.text().removesuffix(" EUR").split(" – ")
    assert low == "0"  # an interval reaching below the allowed range starts at its end
    assert 3000 < float(high.replace(",", "")) <= 10000
    assert page.totals.text().startswith("Best estimate 3,000 EUR · 3 people")
    assert "≈" not in page.average.text()
