"""Every kind's `Summary`: the registry refuses half-declared kinds, and ``--json`` keeps
its known answers (recorded from the code before kinds summarized themselves)."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from huddle.core import flp, kinds
from huddle.core.kinds import (
    About,
    AnswerForm,
    Flag,
    Kind,
    KindDeclarationError,
    Settings,
    register,
)
from huddle.core.kinds.summary import Released, Summary
from huddle.core.outcome import Outcome
from huddle.core.questions import Question

KNOWN = json.loads((Path(__file__).parent / "data" / "summaries.json").read_text())


def outcome_of(case: dict[str, Any]) -> Outcome:
    settings = dict(case["question"])
    for key in ("bins", "options"):
        settings[key] = tuple(settings[key])
    return Outcome(Question(**settings), case["count"], tuple(case["total"]))


@pytest.mark.parametrize("name", sorted(KNOWN))
def test_json_of_every_kind_keeps_its_known_answer(name: str) -> None:
    case = KNOWN[name]
    got = outcome_of(case).as_dict()
    assert got == case["as_dict"]
    assert list(got) == list(case["as_dict"])  # the same keys in the same order


def test_the_known_answers_cover_every_kind() -> None:
    assert {case["question"]["kind"] for case in KNOWN.values()} == set(kinds.KINDS)


@pytest.mark.parametrize("name", sorted(KNOWN))
def test_a_summary_starts_with_what_every_kind_has(name: str) -> None:
    outcome = outcome_of(KNOWN[name])
    summary = outcome.summary
    assert isinstance(summary, Summary) and summary.kind == outcome.question.kind
    assert summary.people == outcome.count and summary.title == outcome.question.title
    assert summary.headline is not None or summary.chart is not None
    assert summary.reveals  # said before anyone answered, so said with the result too
    assert (summary.epsilon > 0) == bool(outcome.question.release_epsilon)
    for accuracy in summary.accuracy:
        assert accuracy.within >= 0 and accuracy.subject


def _about(flag: str) -> About:
    return About(
        label="A test kind", hint="", answer=AnswerForm.NUMBER, flags=(Flag(name=flag, help=""),)
    )


class _Unfinished(Kind):
    """A kind someone started and did not finish: it cannot say what its result is."""

    name = "unfinished"
    about = _about("--unfinished")

    def check(self, q: Settings, max_parties: int) -> None:
        return None

    def reveals(self, q: Settings, people: int, **_: object) -> str:
        return "Everyone learns nothing yet."

    def circuit(self, q: Settings) -> flp.Answer:
        return flp.Range(0, 1)


class _Unprovable(Kind):
    """A kind that says everything but what a valid answer is: no member could check one."""

    name = "unprovable"
    about = _about("--unprovable")

    def check(self, q: Settings, max_parties: int) -> None:
        return None

    def reveals(self, q: Settings, people: int, **_: object) -> str:
        return "Everyone learns the count."

    def summarize(self, outcome: Released) -> Summary:
        q = outcome.question
        return Summary(kind=self.name, title=q.title, unit=q.unit, people=outcome.count)


class _Borrowing(kinds.Vote):
    """A kind that inherits another kind's words: it would speak as a vote."""

    name = "borrowing"


def _complete(name: str, about: About) -> Kind:
    """A kind that declares everything, made for a test."""

    def reveals(self: Kind, q: Settings, people: int, **_: object) -> str:
        return "Everyone learns the count."

    def summarize(self: Kind, outcome: Released) -> Summary:
        q = outcome.question
        return Summary(kind=name, title=q.title, unit=q.unit, people=outcome.count)

    declared = {"name": name, "about": about, "reveals": reveals, "summarize": summarize}
    return type(f"_{name.title()}", (_Unfinished,), declared)()  # type: ignore[no-any-return]


def test_a_kind_without_a_summary_is_refused_at_registration() -> None:
    with pytest.raises(KindDeclarationError, match="_Unfinished does not declare summarize"):
        register({}, _Unfinished())


def test_a_kind_without_a_circuit_is_refused_at_registration() -> None:
    with pytest.raises(KindDeclarationError, match="_Unprovable does not declare circuit"):
        register({}, _Unprovable())


def test_a_kind_must_say_its_own_words_not_inherit_another_kinds() -> None:
    with pytest.raises(KindDeclarationError, match="reveals, summarize"):
        register({}, _Borrowing())


def test_two_kinds_of_one_name_are_refused_and_a_complete_kind_is_taken() -> None:
    registry: dict[str, Kind] = {}
    register(registry, _complete("complete", _about("--complete")))
    assert list(registry) == ["complete"]
    with pytest.raises(KindDeclarationError, match="Two kinds are called “complete”"):
        register(registry, _complete("complete", _about("--other")))


def test_a_flag_asks_for_one_kind_and_one_kind_only_goes_without() -> None:
    registry: dict[str, Kind] = {}
    register(registry, _complete("complete", _about("--complete")))
    with pytest.raises(KindDeclarationError, match="complete already has the flag --complete"):
        register(registry, _complete("same", _about("--complete")))
    flagless = _complete("flagless", About(label="-", hint="", answer=AnswerForm.NUMBER, flags=()))
    with pytest.raises(KindDeclarationError, match="without a flag, and average is"):
        register(dict(kinds.BY_NAME), flagless)
    register(registry, flagless)  # the first without a flag is the default
    assert list(registry) == ["complete", "flagless"]


def test_the_registry_lists_the_screen_order_and_each_kind_once() -> None:
    assert kinds.KINDS[:3] == ("average", "histogram", "dp_average")
    assert len(set(kinds.KINDS)) == len(kinds.KINDS) == len(kinds.BY_NAME)
    assert all(kinds.BY_NAME[name].name == name for name in kinds.KINDS)


def test_a_noisy_average_figure_carries_its_interval_and_accuracy() -> None:
    summary = outcome_of(KNOWN["dp_average"]).summary
    head = summary.headline
    assert head is not None and head.value == Decimal("2600.0")
    accuracy = summary.accuracy_of("average")
    assert accuracy is not None and head.interval == (
        head.value - accuracy.within,
        head.value + accuracy.within,
    )
    assert summary.figure("sum").value == Decimal("13000.0")
    with pytest.raises(KeyError):
        summary.figure("median")
