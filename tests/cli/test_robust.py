"""``huddle host --robust K``: how many people may add no noise (issue 15)."""

from __future__ import annotations

import pytest

from huddle.cli import kind_flags
from huddle.cli.errors import CommandError
from huddle.cli.main import build_parser
from huddle.core.errors import SettingsError
from huddle.core.questions import Question
from tests.processes import run


def _question(*flags: str) -> Question:
    args = build_parser().parse_args(["host", "--title", "t", "--expect", "3", *flags])
    return kind_flags.question(args)


def test_robust_sets_k_and_its_absence_takes_a_third_of_the_minimum() -> None:
    assert _question("--histogram", "4", "--min", "9", "--robust", "5").robust == 5
    assert _question("--histogram", "4", "--min", "9").robust == 3
    assert _question("--dp-average", "--min", "4").robust == 1


def test_robust_is_refused_for_an_exact_kind_and_beyond_the_minimum() -> None:
    with pytest.raises(CommandError, match="--robust applies to the noisy kinds"):
        _question("--robust", "1")
    with pytest.raises(CommandError, match="from 1 up"):
        _question("--histogram", "4", "--robust", "0")
    with pytest.raises(SettingsError, match="between 1 and 1 of them may add no noise"):
        _question("--histogram", "4", "--robust", "2")


def test_a_bad_robust_is_explained_without_a_traceback() -> None:
    proc = run("host", "--title", "t", "--expect", "3", "--no-value", "--dp-vote", "a", "b",
               "--min", "5", "--robust", "4")  # fmt: skip
    assert proc.returncode == 2, proc.stderr
    assert "between 1 and 3 of them may add no noise" in proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout


def test_help_explains_robust_in_words() -> None:
    proc = run("host", "--help")
    assert "--robust K" in proc.stdout and "add no noise" in " ".join(proc.stdout.split())
