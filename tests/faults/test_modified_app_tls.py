"""A modified app over real TLS, as real processes (issue 15).

The host and two colleagues are the real `huddle` command line; Mallory runs
the same command line with her member replaced by a cheat (`tests.cheats`):
an answer no valid answer of the kind gives (10^15 on a 0–100000 range, a
negative variance, a 2 where only 0 or 1 may stand), or a forged proof. Every
honest process must end at the stop saying whose answer did not pass the
check and that nothing was summed; nobody prints a result.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.processes import Proc, host_port, start, watched

OPTIONS = ("Pizza", "Sushi", "Thai")
KINDS: dict[str, tuple[tuple[str, ...], str]] = {
    "average": ((), "2000"),
    "dp_average": (("--dp-average", "--epsilon", "1"), "2000"),
    "histogram": (("--histogram", "4", "--epsilon", "1"), "2000"),
    "median": (("--median", "4", "--epsilon", "1"), "2000"),
    "spread": (("--spread",), "2000"),
    "dp_spread": (("--dp-spread", "--epsilon", "1"), "2000"),
    "vote": (("--vote", *OPTIONS), "Sushi"),
    "dp_vote": (("--dp-vote", *OPTIONS, "--epsilon", "1"), "Sushi"),
    "vote_outcome": (("--vote-outcome", *OPTIONS, "--epsilon", "1"), "Sushi"),
    "choice": (("--choice", *OPTIONS, "--epsilon", "1"), "Pizza, Thai"),
    "poll": (("--poll",), "yes"),
}
"""Each kind's host flags and an answer, as people type them."""


def _cheat(attack: str, *args: str) -> Proc:
    popen = subprocess.Popen(
        [sys.executable, "-m", "tests.cheats", attack, *args],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    return watched(popen)


def _play(kind: str, attack: str) -> None:
    flags, answer = KINDS[kind]
    host = start("host", "--title", "Raise", "--range", "0", "100000", *flags, "--no-advertise",
                 "--expect", "4", "--value", answer, "--name", "Hana", "--json")  # fmt: skip
    port = host_port(host)
    where = f"127.0.0.1:{port}"
    honest = [
        start("join", where, "--name", name, "--value", answer, "--json") for name in ("Ari", "Bo")
    ]
    mallory = _cheat(attack, "join", where, "--name", "Mallory", "--value", answer)
    try:
        for proc in (host, *honest):
            code, out, err = proc.finish()
            assert code == 1, err
            assert out == ""  # no result
            assert "Mallory's answer did not pass the check" in err, err
            assert "nothing was summed" in err, err
        _, said, _ = mallory.finish()
        assert "Result" not in said
    finally:
        for proc in (host, *honest, mallory):
            if proc.popen.poll() is None:
                proc.popen.kill()


@pytest.mark.parametrize("kind", list(KINDS))
def test_a_modified_app_sending_an_invalid_answer_is_caught_for_every_kind(kind: str) -> None:
    _play(kind, "forged-answer")


def test_a_modified_app_is_caught_and_nothing_is_summed() -> None:
    """A forged proof of a valid answer: the proof, not the answer, gives it away."""
    _play("average", "forged-proof")
