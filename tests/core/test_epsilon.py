"""ε typed once: the number for every figure, the host's text for the wire and the code."""

from __future__ import annotations

import pytest

from huddle.core.codec import encode
from huddle.core.epsilon import Epsilon
from huddle.core.errors import SettingsError
from huddle.core.kinds import equal_width_edges
from huddle.core.messages import Welcome
from huddle.core.questions import Question
from huddle.core.security_code import roster_digest


def histogram(epsilon: str) -> Question:
    edges = equal_width_edges("0", "100", 4, 0)
    return Question(kind="histogram", title="t", hi="100", bins=edges, epsilon=epsilon)


def test_a_noisy_question_has_a_typed_epsilon_and_an_exact_one_none() -> None:
    q = histogram("0.5")
    assert q.privacy == Epsilon(0.5, "0.5") and float(q.privacy) == 0.5
    assert q.epsilon_value == 0.5 and q.release_epsilon == 0.5
    assert Question(title="t").privacy is None


def test_the_wire_and_the_code_carry_the_hosts_text_as_it_is() -> None:
    one, one_point_zero = histogram("1"), histogram("1.0")
    assert one.privacy is not None and one_point_zero.privacy is not None
    assert one.privacy.value == one_point_zero.privacy.value == 1.0
    assert b'"epsilon":"1.0"' in encode(
        Welcome(session_id=bytes(16), host_name="H", question=one_point_zero)
    )
    digest = [roster_digest(bytes(16), q, bytes(32), ()) for q in (one, one_point_zero)]
    assert digest[0] != digest[1]  # a host cannot swap "1" for "1.0" unseen


def test_epsilon_is_read_once_per_text() -> None:
    assert Epsilon.parse("0.25") is Epsilon.parse("0.25")
    with pytest.raises(SettingsError, match="must be a positive number"):
        Epsilon.parse("-1")
    with pytest.raises(SettingsError, match="Choose the privacy setting"):
        _ = Question(title="t").epsilon_value
