"""An answer that fails the check, at the command line, as real processes (issue 15).

Mallory runs the real `huddle` command line with a forged answer (`tests.cheats`).
A host never runs such a round again on its own, not even with --take-part-again:
the same modified app would fail again, and each noisy re-run spends everyone's ε
once more. It says why it stopped and whom to leave out, and ends (exit 1) with
nothing on stdout; colleagues print the reason as for any stop.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.processes import Proc, host_port, start, watched


def _cheat(*args: str) -> Proc:
    popen = subprocess.Popen(
        [sys.executable, "-m", "tests.cheats", "forged-answer", *args],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    return watched(popen)


@pytest.mark.parametrize("again", [True, False], ids=["take-part-again", "script"])
def test_a_host_ends_at_a_rejected_answer_naming_whom_to_leave_out(again: bool) -> None:
    flag = ["--take-part-again"] if again else []
    host = start("host", "--title", "Raise", "--expect", "4", "--value", "1000", "--name",
                 "Hana", "--no-advertise", "--range", "0", "100000", "--json", *flag)  # fmt: skip
    port = host_port(host)
    joiners = [
        start("join", f"127.0.0.1:{port}", "--name", name, "--value", value, "--json", *flag)
        for name, value in (("Ari", "2000"), ("Bo", "3000"))
    ]
    mallory = _cheat("join", f"127.0.0.1:{port}", "--name", "Mallory", "--value", "5", *flag)

    code, out, err = host.finish()
    assert code == 1 and out == "", err
    assert (
        "huddle: The round was stopped: Hana's app found that Mallory's answer did not pass "
        "the check, so nothing was summed.\n"
        "  The round was not run again: the check points at Mallory's app (or at the app "
        "that reported it; Huddle cannot tell which), and with Mallory in it a re-run would "
        "most likely stop the same way. Host the question again without Mallory.\n"
    ) in err
    assert "Running the round again" not in err
    assert err.count("Round started") == 1
    for joiner in joiners:
        code, out, err = joiner.finish()
        assert code == 1 and out == "", err
        assert "Mallory's answer did not pass the check, so nothing was summed" in err, err
        assert err.count("Round started") == 1
    code, out, _ = mallory.finish()
    assert code == 1 and "Result" not in out
