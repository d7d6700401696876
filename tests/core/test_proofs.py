"""core/proofs.py and core/round_size.py: what mutation testing found no test pinned.

The proofs themselves are tested in test_flp.py (soundness, completeness, many at
once) and in the rounds (test_protocol, test_modified_app); this file holds the
checks of the round's wrappers and of the group size that `make mutants` showed
missing (tests/mutants/survivors.md).
"""

from __future__ import annotations

import numpy as np
import pytest

from huddle.core import field, proofs
from huddle.core.questions import Question


def test_decide_many_refuses_one_contributions_messages_in_these_words() -> None:
    """A (shares, message) array where a (contribution, shares, message) one belongs."""
    s = proofs.shape(Question(title="t", lo="0", hi="100"))
    messages = field.zeros(3 * s.message).reshape(3, s.message)
    joint = np.stack([field.zeros(s.flp.joint_rand_length)])
    with pytest.raises(ValueError) as refused:
        proofs.decide_many(s, messages, joint)
    assert str(refused.value) == "There must be a list of messages for each contribution."
