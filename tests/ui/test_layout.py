"""Layout as people see it (issue 17, items 5 and 10): small windows, blank rows, the
lobby's lists, the result's top, the chart's axes. Screenshots of the same are made
by tests/ui/screenshots.py (17-small-*.png)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QSize
from PySide6.QtGui import QImage, QPainter
from PySide6.QtWidgets import QApplication, QScrollArea, QWidget
from pytestqt.qtbot import QtBot

from huddle.core import options
from huddle.core.outcome import Outcome
from huddle.core.questions import (
    AVERAGE,
    CHOICE,
    DP_VOTE,
    HISTOGRAM,
    POLL,
    VOTE,
    VOTE_OUTCOME,
    Question,
)
from huddle.ui.host_setup import HostSetupPage
from huddle.ui.result import ResultPage
from huddle.ui.widgets import SPACING, FieldMessage
from tests.ui.conftest import WindowFactory, host

SMALL = QSize(640, 480)
RAISE = Question(title="What was your 2026 raise?", unit="EUR", lo="0", hi="10000")


def in_sight(widget: QWidget) -> bool:
    """Whether the whole of ``widget`` is on screen, inside its window."""
    window = widget.window()
    top_left = widget.mapTo(window, QPoint(0, 0))
    inside = window.rect().contains(top_left) and window.rect().contains(
        top_left + QPoint(widget.width() - 1, widget.height() - 1)
    )
    return inside and widget.visibleRegion().boundingRect().size() == widget.size()


def test_the_button_row_stays_in_sight_in_a_small_window(
    qtbot: QtBot, make_window: WindowFactory
) -> None:
    window = make_window("Alice")
    window.resize(SMALL)
    qtbot.waitUntil(lambda: window.size() == SMALL)
    assert in_sight(window.home.host_button)
    window.home.host_button.click()
    setup = window.host_setup
    setup.kind.setCurrentIndex(setup.kind.findData(HISTOGRAM))  # the tallest form
    setup.prefill(RAISE.title, "EUR", "0", "10000")
    QApplication.processEvents()
    assert setup.body_area.verticalScrollBar().maximum() > 0  # the form does scroll
    assert in_sight(setup.start_button) and in_sight(setup.back_button)
    setup.kind.setCurrentIndex(setup.kind.findData(AVERAGE))
    host(qtbot, window, RAISE)
    QApplication.processEvents()
    assert in_sight(window.lobby.start_button) and in_sight(window.lobby.leave_button)


def blank_messages(page: QWidget) -> list[FieldMessage]:
    return [m for m in page.findChildren(FieldMessage) if m.isVisibleTo(page) and not m.text()]


def test_host_setup_has_no_blank_rows_and_holds_still_while_checking(
    qtbot: QtBot, make_window: WindowFactory
) -> None:
    window = make_window("Alice")
    window.show_page(window.host_setup)
    setup = window.host_setup
    for index in range(setup.kind.count()):
        setup.kind.setCurrentIndex(index)
        assert blank_messages(setup) == [], setup.kind.currentText()
    setup.kind.setCurrentIndex(setup.kind.findData(AVERAGE))
    setup.title_edit.setText("Hours of sleep")
    QApplication.processEvents()
    below = setup.min_people.mapTo(setup, QPoint(0, 0)).y()
    for text in ("1", "10", "100"):  # each keystroke is checked, and is fine
        setup.hi.setText(text)
        QApplication.processEvents()
        assert setup.min_people.mapTo(setup, QPoint(0, 0)).y() == below


def test_the_lobby_lists_start_level(qtbot: QtBot, make_window: WindowFactory) -> None:
    window = make_window("Alice")
    host(qtbot, window, RAISE)
    lobby = window.lobby
    pending = lobby.pending_panel.findChild(QScrollArea)
    assert pending is not None
    left = lobby.roster.mapTo(lobby, QPoint(0, 0)).y()
    right = pending.mapTo(lobby, QPoint(0, 0)).y()
    assert left == right


@pytest.fixture
def result(qtbot: QtBot) -> ResultPage:
    page = ResultPage()
    qtbot.addWidget(page)
    page.resize(760, 640)
    page.show()
    return page


def test_a_result_starts_right_under_its_title(result: ResultPage) -> None:
    result.show_outcome(Outcome(RAISE, 4, (12714,)), None, "1234")
    QApplication.processEvents()
    title_bottom = result.title.mapTo(result, QPoint(0, result.title.height())).y()
    caption_top = result.caption.mapTo(result, QPoint(0, 0)).y()
    assert caption_top - title_bottom <= 2 * SPACING  # no band of blank screen


def axis_texts(result: ResultPage, name: str) -> list[str]:
    """The tick labels pyqtgraph draws on the chart's ``name`` axis right now."""
    QApplication.processEvents()
    axis = result.chart.plot.getAxis(name)
    image = QImage(result.chart.size(), QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    try:
        specs = axis.generateDrawSpecs(painter)
    finally:
        painter.end()
    return [text for _rect, _flags, text in specs[2]] if specs else []


def test_the_histogram_axis_keeps_its_last_label(result: ResultPage) -> None:
    bars = Question(
        kind=HISTOGRAM,
        title="Raise",
        unit="EUR",
        lo="0",
        hi="10000",
        bins=("0", "2000", "4000", "6000", "8000", "10000"),
        epsilon="2",
    )
    result.show_outcome(Outcome(bars, 8, (0, 7, 4, 0, 1)), None, "1234")
    assert axis_texts(result, "bottom") == ["0", "2000", "4000", "6000", "8000", "10000"]


def test_counts_have_whole_ticks(result: ResultPage) -> None:
    low, high = options.value_range(3)
    vote = Question(kind=VOTE, title="Lunch", options=("A", "B", "C"), lo=low, hi=high)
    result.show_outcome(Outcome(vote, 3, (0, 2, 1)), None, "1234")
    assert axis_texts(result, "left") == ["0", "1", "2"]
    noisy = Question(
        kind=DP_VOTE, title="Lunch", options=("A", "B", "C"), lo=low, hi=high, epsilon="1"
    )
    result.show_outcome(Outcome(noisy, 30, (3, 20, 7)), None, "1234")
    assert all(text.lstrip("-").isdigit() for text in axis_texts(result, "left"))


@pytest.mark.parametrize(
    ("kind", "words"),
    [
        (AVERAGE, "I take part with a value too"),
        (VOTE, "I take part and vote too"),
        (DP_VOTE, "I take part and vote too"),
        (VOTE_OUTCOME, "I take part and vote too"),
        (CHOICE, "I take part and tick options too"),
        (POLL, "I take part and answer too"),
    ],
)
def test_the_host_takes_part_in_the_words_of_the_question(
    qtbot: QtBot, kind: str, words: str
) -> None:
    setup = HostSetupPage()
    qtbot.addWidget(setup)
    setup.kind.setCurrentIndex(setup.kind.findData(kind))
    assert setup.contributes.text().replace("&", "") == words
