"""What people are told, next to the field, when what they typed cannot be used."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QLocale, Qt
from pytestqt.qtbot import QtBot

from huddle.core.questions import Question
from huddle.ui.home import HomePage, parse_address
from huddle.ui.host_setup import HostSetupPage
from huddle.ui.value import ValuePage
from tests.ui.conftest import Asked, answer_dialogs, type_into

MONEY = Question(title="Raise", unit="EUR", decimals=2, lo="0", hi="10000")
NAMES = ("Alice", "Bob", "Carol")


@pytest.fixture
def value_page(qtbot: QtBot) -> ValuePage:
    page = ValuePage()
    qtbot.addWidget(page)
    page.show()
    page.ask(MONEY, NAMES, "Bob", "1234 5678 9012 3456")
    return page


NOT_A_NUMBER = "That is not a number: use digits, an optional minus sign and a dot for decimals."
GROUPING = (
    "That is not a number: use a dot for decimals; thousands may be grouped in threes, "
    "e.g. 12,345.5."
)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("abc", NOT_A_NUMBER),
        ("12,5", GROUPING),  # a decimal comma, in a locale whose comma groups thousands
        ("1,00", GROUPING),
        ("1,000,5", GROUPING),
        ("3e3", NOT_A_NUMBER),  # Decimal takes these; the hint does not promise them
        ("1E3", NOT_A_NUMBER),
        ("+5", NOT_A_NUMBER),
        ("1_000", NOT_A_NUMBER),
        ("1 000", NOT_A_NUMBER),
        ("Infinity", NOT_A_NUMBER),
        ("NaN", NOT_A_NUMBER),
        ("20000", "Enter a value from 0 to 10000."),
        ("-1", "Enter a value from 0 to 10000."),
        ("12.345", "Use at most 2 decimal places."),
    ],
)
def test_value_field_explains_bad_input_as_you_type(
    qtbot: QtBot, value_page: ValuePage, typed: str, message: str
) -> None:
    type_into(qtbot, value_page.field, typed)
    assert value_page.message.isVisible()
    assert value_page.message.text() == message
    assert value_page.field.accessibleDescription() == message
    assert not value_page.submit_button.isEnabled()
    with qtbot.assertNotEmitted(value_page.submitted):
        qtbot.keyClick(value_page.field, Qt.Key.Key_Return)


def test_value_field_accepts_good_input_and_enter_submits(
    qtbot: QtBot, value_page: ValuePage
) -> None:
    assert not value_page.submit_button.isEnabled()  # nothing typed yet, and no scolding
    assert not value_page.message.isVisible()
    assert value_page.unit.text() == "EUR"
    assert value_page.rule.text() == "A number from 0 to 10000, with up to 2 decimals."
    assert value_page.intro.text().startswith("The round has started with Alice, you and Carol.")
    assert value_page.reveals.text().startswith(
        "With 3 people, everyone learns the average and the total. Any two of them together "
        "can work out the third's value from the average"
    )
    type_into(qtbot, value_page.field, "3100.50")
    assert not value_page.message.isVisible()
    with qtbot.waitSignal(value_page.submitted) as submitted:
        qtbot.keyClick(value_page.field, Qt.Key.Key_Return)
    assert submitted.args == ["3100.50"]
    assert not value_page.field.isEnabled()


@pytest.mark.parametrize(
    ("typed", "read", "echo"),
    [
        ("1,000", "1000", "Read as 1000 EUR."),
        (" 2,345.50 ", "2345.50", "Read as 2345.50 EUR."),
        ("1000", "1000", ""),  # nothing to read differently: nothing said
        ("\u22120.5", "-0.5", ""),  # a typographic minus, as pasted: still a minus
        (".5", ".5", ""),
    ],
)
def test_the_locales_digit_grouping_is_taken_and_said_back(
    qtbot: QtBot, value_page: ValuePage, typed: str, read: str, echo: str
) -> None:
    value_page.ask(
        Question(title="Raise", unit="EUR", decimals=2, lo="-5", hi="10000"), NAMES, "", ""
    )
    value_page.field.setText(typed)  # pasted: key clicks cannot type a typographic minus
    assert value_page.submit_button.isEnabled()
    assert value_page.message.text() == echo
    assert value_page.message.isVisible() == bool(echo)
    with qtbot.waitSignal(value_page.submitted) as submitted:
        qtbot.keyClick(value_page.field, Qt.Key.Key_Return)
    assert submitted.args == [read]  # the engine gets the plain number


def test_a_decimal_comma_locale_sees_what_the_dot_meant(
    qtbot: QtBot, value_page: ValuePage
) -> None:
    """In German "1.000" is a thousand; Huddle's dot always marks decimals, so the
    page says back, in German signs, that it read one."""
    QLocale.setDefault(QLocale(QLocale.Language.German, QLocale.Country.Germany))
    type_into(qtbot, value_page.field, "1.000")
    assert value_page.message.text() == "Read as 1,000 EUR."
    type_into(qtbot, value_page.field, "1.000,5")
    assert value_page.message.text() == NOT_A_NUMBER
    assert not value_page.submit_button.isEnabled()


def test_whole_numbers_are_asked_for_in_plain_words(qtbot: QtBot, value_page: ValuePage) -> None:
    value_page.ask(Question(title="Cups", lo="0", hi="20"), NAMES * 2, "Bob", "code")
    type_into(qtbot, value_page.field, "1.5")
    assert value_page.message.text() == "Use a whole number, without decimals."
    assert value_page.rule.text() == "A whole number from 0 to 20."
    assert "Any 5 of them together" in value_page.reveals.text()


def test_escape_on_the_value_screen_cancels_the_round(qtbot: QtBot, value_page: ValuePage) -> None:
    seen: list[Asked] = []
    answering = answer_dialogs(True, seen)  # it asks first: tests/ui/test_keyboard.py
    with qtbot.waitSignal(value_page.cancel):
        qtbot.keyClick(value_page.field, Qt.Key.Key_Escape)
    answering.stop()
    assert [a.title for a in seen] == ["Cancel the round?"]


@pytest.fixture
def setup(qtbot: QtBot) -> HostSetupPage:
    page = HostSetupPage()
    qtbot.addWidget(page)
    page.show()
    return page


def test_host_setup_start_waits_for_valid_settings(qtbot: QtBot, setup: HostSetupPage) -> None:
    assert not setup.start_button.isEnabled()
    assert not setup.title_message.isVisible()  # untouched fields are not scolded
    type_into(qtbot, setup.title_edit, "Hours of sleep")
    assert setup.start_button.isEnabled()
    assert setup.reveals.text().startswith("With at least 3 people")
    setup.title_edit.clear()
    assert setup.title_message.text() == "Give the question a title."
    assert not setup.start_button.isEnabled()


@pytest.mark.parametrize(
    ("lo", "hi", "message"),
    [
        ("zero", "10", "Both ends of the range must be numbers, e.g. 0 and 10000."),
        ("10", "10", "The lowest value must be below the highest."),
        (
            "0",
            "1e30",
            "The allowed range is too wide for this many people: "
            "narrow the range or use fewer decimals.",
        ),
    ],
)
def test_host_setup_range_messages(
    qtbot: QtBot, setup: HostSetupPage, lo: str, hi: str, message: str
) -> None:
    type_into(qtbot, setup.title_edit, "Hours of sleep")
    type_into(qtbot, setup.lo, lo)
    type_into(qtbot, setup.hi, hi)
    assert setup.range_message.text() == message
    assert not setup.start_button.isEnabled()


def test_host_setup_refuses_fewer_than_three_people(qtbot: QtBot, setup: HostSetupPage) -> None:
    type_into(qtbot, setup.title_edit, "Hours of sleep")
    setup.min_people.setFocus()
    qtbot.keyClick(setup.min_people, Qt.Key.Key_Down)  # 3 → 2
    assert setup.min_people.value() == 2
    assert setup.min_message.text() == (
        "At least 3 people are needed: with two, each would learn the other's value "
        "from the result."
    )
    assert not setup.start_button.isEnabled()
    qtbot.keyClick(setup.min_people, Qt.Key.Key_Up)
    assert not setup.min_message.isVisible()
    with qtbot.waitSignal(setup.start_hosting) as started:
        qtbot.keyClick(setup.title_edit, Qt.Key.Key_Return)  # Enter starts hosting
    question, contributes = started.args
    assert question == Question(title="Hours of sleep", lo="0", hi="1000000")
    assert contributes is True


def test_home_needs_a_name(qtbot: QtBot) -> None:
    home = HomePage()
    qtbot.addWidget(home)
    home.show()
    home.set_name("Alice")
    assert home.host_button.isEnabled()
    home.name.clear()
    assert home.name_message.text() == "Type the name your colleagues will see."
    assert not home.host_button.isEnabled() and not home.join_button.isEnabled()


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("192.168.1.20:7300", ("192.168.1.20", 7300)),
        (" laptop.local:7300 ", ("laptop.local", 7300)),
        ("[fe80::1%eth0]:7300", ("fe80::1%eth0", 7300)),
    ],
)
def test_addresses_people_type(typed: str, expected: tuple[str, int]) -> None:
    assert parse_address(typed) == expected


@pytest.mark.parametrize("typed", ["192.168.1.20", "host:0", "host:70000", ":7300", "[zz::1]:80"])
def test_addresses_that_are_refused(typed: str) -> None:
    with pytest.raises(ValueError, match=r"address|IPv6"):
        parse_address(typed)


def test_the_value_page_has_its_own_words_for_every_problem(qtbot: QtBot) -> None:
    from decimal import Decimal

    from huddle.core.answers import AnswerError, Problem, words

    page = ValuePage()
    qtbot.addWidget(page)
    figures: dict[str, object] = {
        "separator": ",",
        "decimals": 2,
        "lo": Decimal(0),
        "hi": Decimal(9),
        "count": 3,
    }
    for problem in Problem:
        error = AnswerError(problem, **figures)  # every figure: each sentence takes its own
        assert page.problem_words(error) == str(error) == words(problem, **figures)
    whole = AnswerError(Problem.DECIMALS, decimals=0)
    assert page.problem_words(whole) == "Use a whole number, without decimals."
