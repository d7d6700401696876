"""The question as a kind sees it: the fields of `huddle.core.questions.Question`.

A protocol rather than the class, so that the kinds import nothing from
`huddle.core.questions` (which imports them to validate itself).
"""

from __future__ import annotations

from typing import Protocol

from huddle.core.fixed_point import FixedPoint


class Settings(Protocol):
    """The question as a kind sees it (`huddle.core.questions.Question` is one)."""

    @property
    def kind(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def unit(self) -> str: ...
    @property
    def decimals(self) -> int: ...
    @property
    def lo(self) -> str: ...
    @property
    def hi(self) -> str: ...
    @property
    def min_participants(self) -> int: ...
    @property
    def bins(self) -> tuple[str, ...]: ...
    @property
    def epsilon(self) -> str: ...
    @property
    def tag(self) -> str: ...
    @property
    def options(self) -> tuple[str, ...]: ...
    @property
    def fixed_point(self) -> FixedPoint: ...
