"""A modified app over real TLS, as real processes (issue 15).

The host and two colleagues are the real `huddle` command line; Mallory runs
the same command line with her member replaced by a cheat (`tests.cheats`):
a forged answer of 10^15 on [0, 100000], or a forged proof. Every honest
process must end at the stop saying whose answer did not pass the check and
that nothing was summed; nobody prints a result.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.processes import Proc, host_port, start, watched

ARGS = ("--title", "Raise", "--range", "0", "100000", "--no-advertise")


def _cheat(attack: str, *args: str) -> Proc:
    popen = subprocess.Popen(
        [sys.executable, "-m", "tests.cheats", attack, *args],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    return watched(popen)


@pytest.mark.parametrize("attack", ["forged-answer", "forged-proof"])
def test_a_modified_app_is_caught_and_nothing_is_summed(attack: str) -> None:
    host = start("host", *ARGS, "--expect", "4", "--value", "1000", "--name", "Hana", "--json")
    port = host_port(host)
    honest = [
        start("join", f"127.0.0.1:{port}", "--name", name, "--value", value, "--json")
        for name, value in (("Ari", "2000"), ("Bo", "3000"))
    ]
    mallory = _cheat(attack, "join", f"127.0.0.1:{port}", "--name", "Mallory", "--value", "5")
    try:
        for proc in (host, *honest):
            code, out, err = proc.finish()
            assert code == 1, err
            assert out == ""  # no result
            assert "Mallory's answer did not pass the check" in err, err
            assert "nothing was summed" in err, err
        _, said, _ = mallory.finish()
        assert "Result" not in said and "average" not in said.lower()
    finally:
        for proc in (host, *honest, mallory):
            if proc.popen.poll() is None:
                proc.popen.kill()
