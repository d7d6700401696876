"""Host setup's "Withstands" row: how many people may add no noise (issue 15)."""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from huddle.net.records import HISTOGRAM
from huddle.ui.host_setup import HostSetupPage

from .conftest import type_into


@pytest.fixture
def setup(qtbot: QtBot) -> HostSetupPage:
    page = HostSetupPage()
    qtbot.addWidget(page)
    page.show()
    type_into(qtbot, page.title_edit, "Commute")
    type_into(qtbot, page.lo, "0")
    type_into(qtbot, page.hi, "90")
    return page


def _row_shown(page: HostSetupPage) -> bool:
    return page.robust.isVisibleTo(page)


def test_the_row_shows_for_noisy_kinds_with_its_default_and_cost(setup: HostSetupPage) -> None:
    assert not _row_shown(setup)
    setup.kind.setCurrentIndex(setup.kind.findData(HISTOGRAM))
    assert _row_shown(setup)
    setup.min_people.setValue(9)
    assert setup.robust.value() == 3 and setup.robust.maximum() == 7
    question = setup.validate()
    assert question is not None and question.robust == 3
    words = setup.robust_message.text()
    assert "Noise about 1.22× as wide" in words
    assert "up to 3 of the 9 or more people add none" in words


def test_a_k_the_host_chose_is_kept_and_carried_into_the_question(setup: HostSetupPage) -> None:
    setup.kind.setCurrentIndex(setup.kind.findData(HISTOGRAM))
    setup.min_people.setValue(12)
    setup.robust.setValue(6)
    setup.min_people.setValue(15)  # touched: no longer follows the minimum
    question = setup.validate()
    assert question is not None and question.robust == 6
    assert "Noise about 1.29× as wide" in setup.robust_message.text()
    setup.min_people.setValue(5)  # the largest k follows the minimum down
    question = setup.validate()
    assert setup.robust.value() == 3 and question is not None and question.robust == 3


def test_the_result_page_says_when_epsilon_holds_for_a_noisy_result(qtbot: QtBot) -> None:
    from huddle.net.facade import Outcome, Question
    from huddle.ui.result import ResultPage

    page = ResultPage()
    qtbot.addWidget(page)
    page.show()
    noisy = Question(
        kind=HISTOGRAM, title="t", hi="90", bins=("0", "45", "90"), epsilon="1", min_participants=9
    )
    page.show_outcome(Outcome(noisy, 10, (4, 6)), None, "1234 5678 9012 3456")
    assert "no more than 3 of the 10 people added no noise" in page.holds_note.text()
    assert page.holds_note.isVisibleTo(page)
    page.show_outcome(Outcome(Question(title="t"), 3, (5,)), None, "1234 5678 9012 3456")
    assert not page.holds_note.isVisibleTo(page)
