"""Issue 17 item 9: at a terminal, `huddle host --expect` waits for Enter before it
starts, so everyone gets the time to compare the final security code aloud.

The host runs with a pseudo-terminal on stdin (a real tty, as a person's shell
gives it); scripts without one keep starting on their own (every other CLI test).
"""

from __future__ import annotations

import os
import pty
import subprocess
import sys
import time

from tests.processes import Proc, host_port, start, watched


def host_at_a_terminal(*args: str) -> tuple[Proc, int]:
    controller, terminal = pty.openpty()
    popen = subprocess.Popen(
        [sys.executable, "-m", "huddle", "host", *args],
        stdin=terminal, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env=dict(os.environ, PYTHONUNBUFFERED="1"),
    )  # fmt: skip
    os.close(terminal)
    return watched(popen), controller


def test_the_round_starts_when_the_host_person_presses_enter() -> None:
    host, keyboard = host_at_a_terminal(
        "--title", "Lunch", "--expect", "3", "--value", "10", "--name", "Hana",
        "--no-advertise", "--range", "0", "100", "--json",
    )  # fmt: skip
    try:
        port = host_port(host)
        joiners = [
            start("join", f"127.0.0.1:{port}", "--name", n, "--value", v, "--json")
            for n, v in (("Bo", "20"), ("Cy", "30"))
        ]
        code = host.wait_for(r"Lobby: Hana, (?:Bo, Cy|Cy, Bo) — security code ([\d ]+)").group(1)
        time.sleep(1.0)  # long enough for a round that would start on its own
        assert not any("Round started" in line for line in host.stderr_seen)
        os.write(keyboard, b"\n")
        results = [host.result(), *(j.result() for j in joiners)]
    finally:
        os.close(keyboard)
    assert {r["average_exact"] for r in results} == {"20"}
    assert {r["security_code"] for r in results} == {code}
