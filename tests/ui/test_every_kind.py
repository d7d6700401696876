"""Every kind in the registry reaches people everywhere: a command-line flag, a row in the
host's setup, a summary the result screen and the terminal render, and a screenshot.

A kind added to `huddle.core.kinds` without one of these fails here, by name.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from huddle.cli import kind_flags, results
from huddle.cli.main import build_parser
from huddle.core import kinds
from huddle.core.kinds import AnswerForm, Takes
from huddle.core.kinds.summary import Summary
from huddle.core.outcome import Outcome
from huddle.core.questions import Question
from huddle.ui.host_setup import HostSetupPage
from huddle.ui.result import ResultPage
from tests.ui.conftest import type_into

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = {
    "average": "6-result.png",
    "histogram": "9-result-histogram.png",
    "dp_average": "11-result-noisy-average.png",
    "spread": "15-result-spread.png",
    "dp_spread": "18-result-dp-spread.png",
    "vote": "12-result-vote.png",
    "dp_vote": "18-result-dp-vote.png",
    "vote_outcome": "18-result-vote-outcome.png",
    "choice": "14-result-choice.png",
    "poll": "13-result-poll.png",
    "median": "19-result-median.png",
}
"""Each kind's result screen in resources/screenshots (python -m tests.ui.screenshots)."""
KNOWN = json.loads((ROOT / "tests" / "core" / "data" / "summaries.json").read_text())
OPTIONS = ["Pizza", "Sushi", "Thai"]
EVERY_KIND = list(kinds.KINDS)


def flags_for(kind: kinds.Kind) -> list[str]:
    """The command line that asks for ``kind`` through its own flag."""
    if not kind.about.flags:
        return []
    flag = kind.about.flags[0]
    taken = {
        Takes.NOTHING: [],
        Takes.OPTIONS: OPTIONS,
        Takes.BARS: ["4"],
        Takes.EDGES: ["0", "50", "100"],
        Takes.SOME_BARS: [],
    }[flag.takes]
    return [flag.name, *taken]


def test_every_kind_is_tested_here() -> None:
    assert set(SCREENSHOTS) == set(EVERY_KIND)
    assert {case["question"]["kind"] for case in KNOWN.values()} == set(EVERY_KIND)


@pytest.mark.parametrize("name", EVERY_KIND)
def test_a_command_line_flag_asks_for_it(name: str) -> None:
    kind = kinds.BY_NAME[name]
    line = ["host", "--title", "t", "--range", "0", "100", "--expect", "3", *flags_for(kind)]
    args: argparse.Namespace = build_parser().parse_args(line)
    question = kind_flags.question(args)
    assert question.kind == name
    assert results.prompt(question).endswith("(not shown): ")


@pytest.mark.parametrize("name", EVERY_KIND)
def test_the_host_setup_has_a_row_for_it_that_makes_its_question(qtbot: QtBot, name: str) -> None:
    kind = kinds.BY_NAME[name]
    setup = HostSetupPage()
    qtbot.addWidget(setup)
    setup.show()
    type_into(qtbot, setup.title_edit, "t")
    type_into(qtbot, setup.hi, "100")
    index = setup.kind.findData(name)
    assert index >= 0 and setup.kind.itemText(index) == kind.about.label
    setup.kind.setCurrentIndex(index)
    if kind.takes_options:
        setup.options.setPlainText("\n".join(OPTIONS))
    assert setup.kind_message.text() == kind.about.hint
    assert setup.bars.isVisible() == kind.about.bars
    assert setup.epsilon.isVisible() == kind.private
    assert setup.unit.isVisible() == (kind.about.answer is AnswerForm.NUMBER)
    question = setup.validate()
    assert question is not None and question.kind == name
    assert setup.reveals.text()


@pytest.mark.parametrize("case", sorted(KNOWN))
def test_its_summary_is_rendered_on_the_screen_and_at_the_terminal(qtbot: QtBot, case: str) -> None:
    known = KNOWN[case]
    settings = dict(known["question"])
    for key in ("bins", "options"):
        settings[key] = tuple(settings[key])
    outcome = Outcome(Question(**settings), known["count"], tuple(known["total"]))
    summary = outcome.summary
    assert isinstance(summary, Summary) and summary.kind == outcome.question.kind
    page = ResultPage()
    qtbot.addWidget(page)
    page.show()
    page.show_outcome(outcome, None, "1234 5678 9012 3456")
    assert page.summary.startswith(f"{outcome.question.title}: ")
    assert page.caption.text() and (page.average.text() or page.chart.isVisible())
    assert results.describe(outcome)
    assert results.reveals(outcome.question) is not None


@pytest.mark.parametrize("name", EVERY_KIND)
def test_it_has_a_screenshot(name: str) -> None:
    shot = ROOT / "resources" / "screenshots" / SCREENSHOTS[name]
    assert shot.is_file() and shot.stat().st_size > 10_000
