"""encoding.ungroup: a typed value with the reader's digit grouping taken out.

People type "12,345" or "12 345" as their locale shows numbers; a grouping
mark in the wrong place must be refused rather than guessed at (is "1,00" one
or a hundred?), and the typed text never appears in the message.
"""

from __future__ import annotations

import pytest

from huddle.core.encoding import ungroup
from huddle.core.errors import InputError

NBSP, NNBSP, THIN = "\u00a0", "\u202f", "\u2009"


@pytest.mark.parametrize(
    ("text", "separator", "plain"),
    [
        ("1,000", ",", "1000"),
        ("12,345.5", ",", "12345.5"),
        ("123,456,789.25", ",", "123456789.25"),
        ("-1,234,567", ",", "-1234567"),
        ("\u22121,234", ",", "-1234"),
        ("  1,000 ", ",", "1000"),
        ("12'345", "'", "12345"),
        ("1000", ",", "1000"),
        (" 1000 ", "", "1000"),
        ("\u22125", "", "-5"),
        ("1.000", ".", "1.000"),  # the dot always marks decimals
        ("1,5", "5", "1,5"),  # a digit or a minus is no separator: left for parse to judge
        ("1-000", "-", "1-000"),
        (f"1{NBSP}000", NBSP, "1000"),
        (f"1{NNBSP}000{THIN}000", NBSP, "1000000"),  # any locale space, or a plain one
        ("12 345", NNBSP, "12345"),
        (f"1{NBSP}000", ",", f"1{NBSP}000"),  # not this locale's mark
    ],
)
def test_grouping_marks_in_the_right_places_are_taken_out(
    text: str, separator: str, plain: str
) -> None:
    assert ungroup(text, separator) == plain


@pytest.mark.parametrize(
    ("text", "separator"),
    [
        ("1,00", ","),
        ("1,0000", ","),
        ("1234,567", ","),
        (",123", ","),
        ("-,123", ","),
        ("1,,000", ","),
        ("1,2a4", ","),
        ("1,000.5,0", ","),
        ("1,000.", ","),
    ],
)
def test_a_misplaced_grouping_mark_is_refused_without_echoing_the_text(
    text: str, separator: str
) -> None:
    if text == "1,000.":
        assert ungroup(text, separator) == "1000."  # a trailing dot is parse's business
        return
    with pytest.raises(InputError) as info:
        ungroup(text, separator)
    message = str(info.value)
    assert message.startswith("That is not a number: use a dot for decimals")
    assert "grouped in threes, e.g. 12,345.5." in message
    assert text not in message


def test_a_space_separator_is_shown_as_a_plain_space() -> None:
    with pytest.raises(InputError, match=r"e\.g\. 12 345\.5\.$"):
        ungroup(f"1{NBSP}00", NNBSP)
    with pytest.raises(InputError, match=r"e\.g\. 12'345\.5\.$"):
        ungroup("1'00", "'")
