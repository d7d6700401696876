"""Running `huddle` as real processes in tests, and reading their output without sleeps."""

from __future__ import annotations

import json
import os
import queue
import re
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from typing import Any

HUDDLE = [sys.executable, "-m", "huddle"]


@dataclass
class Proc:
    popen: subprocess.Popen[str]
    lines: queue.Queue[str | None] = field(default_factory=queue.Queue)
    stderr_seen: list[str] = field(default_factory=list)
    stdout_seen: list[str] = field(default_factory=list)
    readers: list[threading.Thread] = field(default_factory=list)

    def wait_for(self, pattern: str, timeout: float = 20) -> re.Match[str]:
        """Block until a stderr line matches (bounded), returning the match."""
        regex = re.compile(pattern)
        while True:
            line = self.lines.get(timeout=timeout)
            if line is None:
                raise AssertionError(f"process ended before {pattern!r}: {self.stderr_seen}")
            if m := regex.search(line):
                return m

    def finish(self, timeout: float = 60) -> tuple[int, str, str]:
        try:
            code = self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            raise AssertionError(
                f"still running after {timeout}s: {self.stderr_seen[-30:]}"
            ) from None
        for reader in self.readers:
            reader.join(timeout=5)
        return code, "".join(self.stdout_seen), "".join(self.stderr_seen)

    def result(self, timeout: float = 60) -> dict[str, Any]:
        code, out, err = self.finish(timeout)
        assert code == 0, err
        docs = [json.loads(line) for line in out.splitlines() if line.strip()]
        assert len(docs) == 1, out
        result: dict[str, Any] = docs[0]
        return result


def start(*args: str, stdin: str | None = None) -> Proc:
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    popen = subprocess.Popen(
        [*HUDDLE, *args],
        stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    proc = watched(popen)
    if stdin is not None:
        assert popen.stdin is not None
        popen.stdin.write(stdin)
        popen.stdin.close()
    return proc


def watched(popen: subprocess.Popen[str]) -> Proc:
    """A started process whose stderr lines and stdout are read as they come."""
    proc = Proc(popen)

    def pump_stderr() -> None:
        assert popen.stderr is not None
        for line in popen.stderr:
            proc.stderr_seen.append(line)
            proc.lines.put(line)
        proc.lines.put(None)

    def pump_stdout() -> None:
        assert popen.stdout is not None
        proc.stdout_seen.extend(popen.stdout)

    for target in (pump_stderr, pump_stdout):
        thread = threading.Thread(target=target, daemon=True)
        thread.start()
        proc.readers.append(thread)
    return proc


def run(*args: str, timeout: float = 30) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*HUDDLE, *args],
        check=False,
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )


def host_port(host: Proc) -> int:
    return int(host.wait_for(r"on port (\d+)").group(1))
