"""Modified copies of Huddle, for tests that play a cheating member.

`Cheat` is the real `ParticipantSession` with one step replaced, the way
someone would modify their own app: the measurement it proves (a forged
answer, forged noise), what it publishes (a forged proof, partial sum or
commitment), or the verifier message it signs about a colleague. Everything
else is the real code. `python -m tests.cheats ATTACK huddle-arguments…` runs
the real `huddle` command line with such a copy (tests/faults/test_modified_app_tls.py).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from huddle.core import field, flp, proofs
from huddle.core.codec import encode
from huddle.core.encoding import Vector
from huddle.core.messages import PartialSum
from huddle.core.participant import ParticipantSession

Forge = Callable[[ParticipantSession, proofs.Shape, Vector], Vector]
"""(cheat, shape, its honest measurement) → the measurement it proves instead."""


def shifted(delta: list[int]) -> Forge:
    """The honest measurement with ``delta`` added to the summed vector y only."""

    def forge(cheat: ParticipantSession, s: proofs.Shape, honest: Vector) -> Vector:
        forged = honest.copy()
        forged[: s.length] = field.add(honest[: s.length], field.from_signed(delta))
        return forged

    return forge


OwnChange = tuple[str, Callable[[bytes], bytes]]
"""(field of PartialSum, how the cheat's app changes its bytes before sending)."""


class Cheat(ParticipantSession):
    """A modified Huddle: the real member with ``forge`` in place of its measurement,
    ``own`` applied to what it publishes, and a false verifier message about each
    party in ``lie_about``."""

    def __init__(
        self,
        *,
        forge: Forge | None = None,
        own: OwnChange | None = None,
        lie_about: tuple[int, ...] = (),
        **kwargs: object,
    ) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.forge, self.own, self.lie_about = forge, own, lie_about

    def _measurement(self, s: proofs.Shape, parties: int) -> Vector:
        honest = super()._measurement(s, parties)
        return honest if self.forge is None else self.forge(self, s, honest)

    def _contribute(self, round_id: bytes, context: bytes, parties: tuple[int, ...]) -> Any:
        mine, demo = super()._contribute(round_id, context, parties)
        if self.own is None:
            return mine, demo
        name, change = self.own
        mine = replace(mine, **{name: change(getattr(mine, name))})  # type: ignore[arg-type]
        sent = PartialSum(
            round_id=round_id,
            vector=mine.vector,
            witness=mine.witness,
            proof=mine.proof,
            commitments=mine.commitments,
        )
        return replace(mine, frame=encode(sent)), demo

    def _checks_of_colleagues(self) -> Vector:
        messages = super()._checks_of_colleagues().copy()
        for row, prover in enumerate(self._others(self.me)):
            if prover in self.lie_about:
                lie = field.vector([0] * (messages.shape[1] - 1) + [1])
                messages[row] = field.add(messages[row], lie)
        return messages


def _random_elements(blob: bytes) -> bytes:
    import os

    return field.to_bytes(field.sample(os.urandom(32), len(blob) // 8))


def invalid_answer(cheat: ParticipantSession, s: proofs.Shape, honest: Vector) -> Vector:
    """The honest measurement with its answer made one no valid answer of the kind gives:
    far outside the range, a negative variance, or a 2 where only 0 or 1 may stand."""
    answer = s.contribution.answer
    if isinstance(answer, flp.Spread):
        delta = [0, -1]  # x² one below u²: the multiplication check fails
    elif isinstance(answer, flp.Range):
        delta = [10**15]
    else:  # one-hot or 0/1 entries: a 2 or a 3 whatever the honest entry was
        delta = [2] + [0] * (s.length - 1)
    return shifted(delta)(cheat, s, honest)


ATTACKS: dict[str, dict[str, object]] = {
    "forged-answer": {"forge": invalid_answer},
    "forged-proof": {"own": ("proof", _random_elements)},
}
"""What `python -m tests.cheats` can play, by name."""


def main(argv: list[str]) -> int:
    """Run `huddle` with its member replaced by the cheat ``argv[0]`` names."""
    attack, args = ATTACKS[argv[0]], argv[1:]
    from huddle.cli.main import main as huddle
    from huddle.net import join_engine

    class Modified(Cheat):
        def __init__(self, **kwargs: object) -> None:
            super().__init__(**attack, **kwargs)  # type: ignore[arg-type]

    setattr(join_engine, "ParticipantSession", Modified)  # noqa: B010 (the modification)
    return huddle(args)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
