"""The result screen over the registry: each kind through its renderer, any kind without
one from its Summary, and a renderer's own widget gone again at the next result."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from huddle.core import kinds
from huddle.core.outcome import Outcome
from huddle.core.questions import DP_AVERAGE, Question
from huddle.ui import result_kinds, texts
from huddle.ui.result import RENDERERS, ResultPage
from huddle.ui.result_view import Shown

NOISY = Question(kind=DP_AVERAGE, title="Raise", unit="EUR", lo="0", hi="5000", epsilon="1")


@pytest.fixture
def page(qtbot: QtBot) -> ResultPage:
    result = ResultPage()
    qtbot.addWidget(result)
    result.resize(760, 640)
    result.show()
    return result


def test_a_kind_without_a_renderer_is_drawn_from_its_summary(page: ResultPage) -> None:
    outcome = Outcome(NOISY, 10, (31000,))
    result_kinds.show_summary(page, outcome, Shown("10 people"))
    assert page.caption.text() == "Average, with privacy noise"
    assert page.average.text() == "3,100 EUR"
    assert page.totals.text().startswith("total 31,000 EUR · 10 people · privacy setting ε = 1")
    summary = outcome.summary
    average, total = summary.accuracy_of("average"), summary.accuracy_of("sum")
    assert average is not None and total is not None and page.accuracy.isVisible()
    assert page.accuracy.text() == (
        f"The average is within ±{texts.with_unit(average.within, NOISY, 2)}, at 95 % "
        f"confidence. The total is within ±{texts.with_unit(total.within, NOISY, 2)}, at 95 "
        "% confidence."
    )
    assert page.summary == "Raise: 3,100 EUR (10 people)"
    assert not page.chart.isVisible() and not page.bar.isVisible()


def test_a_renderers_own_widget_is_gone_at_the_next_result(page: ResultPage) -> None:
    mine = page.own_widget("test", lambda: QLabel("a kind's own"))
    assert mine.isVisible() and page.own_widget("test", QLabel) is mine  # made once
    page.show_outcome(Outcome(NOISY, 10, (31000,)), None, "1234")
    assert not mine.isVisible()


def test_every_renderer_is_for_a_kind_the_registry_knows() -> None:
    assert set(RENDERERS) <= set(kinds.KINDS)
    with pytest.raises(LookupError, match="nobody declared: averag"):
        result_kinds.check_renderers({"averag": RENDERERS["average"]}, kinds.KINDS)
