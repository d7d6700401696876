"""Answers read once: each kind's form gives a typed answer, or a Problem a front end
can word itself; the typed answer never shows its value."""

from __future__ import annotations

from decimal import Decimal

import pytest

from huddle.core import options
from huddle.core.answers import AnswerError, Number, Pick, Picks, Problem, YesNo, words
from huddle.core.encoding import from_ring, ungroup
from huddle.core.questions import Question

LUNCH = ("Pizza", "Sushi", "Thai")


def vote(kind: str = "vote") -> Question:
    lo, hi = options.value_range(len(LUNCH))
    eps = "1" if kind != "vote" else ""
    return Question(kind=kind, title="Lunch", lo=lo, hi=hi, options=LUNCH, epsilon=eps)


def test_each_form_reads_to_its_typed_answer() -> None:
    assert Question(title="t", hi="100", decimals=1).parse_answer(" 42.5 ") == Number(
        Decimal("42.5")
    )
    assert vote().parse_answer("sushi") == Pick(1)
    assert vote("choice").parse_answer("1, thai") == Picks(frozenset({0, 2}))
    assert Question(kind="poll", title="t", lo="0", hi="1").parse_answer("No") == YesNo(False)


def test_a_typed_answer_is_encoded_without_reading_text_again() -> None:
    q = Question(title="t", hi="100", decimals=1)
    assert from_ring(q.encode_answer(Number(Decimal("42.5")))) == [425]
    assert from_ring(vote().encode_answer(Pick(2))) == [0, 0, 1]
    with pytest.raises(TypeError, match="answered with one option"):
        vote().encode_answer(Number(Decimal(1)))
    with pytest.raises(TypeError, match="answered with a number"):
        q.encode_answer(Pick(0))


@pytest.mark.parametrize(
    ("question", "text", "problem", "data"),
    [
        (Question(title="t", hi="100"), "abc", Problem.NOT_A_NUMBER, {}),
        (Question(title="t", hi="100"), "1.5", Problem.DECIMALS, {"decimals": 0}),
        (
            Question(title="t", hi="100", decimals=2),
            "101",
            Problem.RANGE,
            {"lo": Decimal("0"), "hi": Decimal("100")},
        ),
        (vote(), " ", Problem.NO_OPTION, {}),
        (vote(), "Curry", Problem.NOT_AN_OPTION, {"count": 3}),
        (vote("choice"), " , ", Problem.NO_APPROVAL, {}),
        (Question(kind="poll", title="t", lo="0", hi="1"), "maybe", Problem.NOT_YES_OR_NO, {}),
    ],
)
def test_a_refused_answer_says_why_as_a_problem_and_its_figures(
    question: Question, text: str, problem: Problem, data: dict[str, object]
) -> None:
    error = question.answer_problem(text)
    assert error is not None and error.problem is problem and error.data == data
    assert str(error) == words(problem, **data) == question.check_answer(text)
    assert text.strip() == "" or text not in str(error)  # never repeats what was typed
    with pytest.raises(AnswerError):
        question.encode_answer(text)


def test_the_english_words_are_the_ones_people_always_read() -> None:
    assert words(Problem.DECIMALS, decimals=2) == "Use at most 2 decimal places."
    assert words(Problem.RANGE, lo=Decimal(0), hi=Decimal(10)) == "Enter a value from 0 to 10."
    with pytest.raises(AnswerError) as caught:
        ungroup("1,00", ",")
    assert caught.value.problem is Problem.GROUPING and caught.value.data == {"separator": ","}
    assert str(caught.value).endswith("grouped in threes, e.g. 12,345.5.")


def test_a_typed_answer_keeps_its_value_out_of_its_repr() -> None:
    for answer in (Number(Decimal("3171.5")), Pick(2), Picks(frozenset({2})), YesNo(True)):
        shown = repr(answer)
        assert "3171" not in shown and "2" not in shown and "True" not in shown
