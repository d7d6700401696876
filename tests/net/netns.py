"""A throwaway LAN of Linux network namespaces, for tests that need real multicast.

`Lan(hosts=3)` builds one namespace per host plus one holding a bridge (the
"switch"), so nothing is added to the machine's own namespace. Host i gets
interface ``eth0`` with address 198.18.0.(i+1)/24 (RFC 2544 benchmarking
space), ``lo`` up and a multicast route. Names carry the pid and a random token,
so parallel runs do not collide, and `remove_stale` clears what a killed run
left behind. Needs root and iproute2; `unavailable()` says why not.

Processes started with `Host.spawn` are read line by line with a bounded
timeout (`Proc.expect`), so tests wait on what a peer says, never on sleeps.
"""

from __future__ import annotations

import contextlib
import os
import queue
import secrets
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import IO, Self

PREFIX = "huddle-t"
REPO = Path(__file__).resolve().parents[2]
SUBNET = "198.18.0"
_IP_TIMEOUT = 10.0


def unavailable() -> str | None:
    """Why namespaces cannot be built here, or None if they can."""
    if sys.platform != "linux":
        return "network namespaces need Linux"
    if os.geteuid() != 0:
        return "needs root to create network namespaces (run as root, as CI does)"
    if shutil.which("ip") is None:
        return "needs iproute2's 'ip' command"
    probe = f"{PREFIX}-probe-{os.getpid()}"
    try:
        _ip("netns", "add", probe)
    except subprocess.CalledProcessError as exc:
        return f"cannot create a network namespace: {exc.stderr.strip()}"
    _ip("netns", "del", probe, check=False)
    return None


def remove_stale() -> None:
    """Delete namespaces left by earlier runs whose process is gone."""
    listing = _ip("netns", "list", check=False).stdout
    for line in listing.splitlines():
        name = line.split()[0] if line.split() else ""
        parts = name.split("-")
        stale = len(parts) > 2 and parts[2].isdigit() and not Path(f"/proc/{parts[2]}").exists()
        if name.startswith(PREFIX + "-") and stale:
            _ip("netns", "del", name, check=False)


@dataclass
class Host:
    """One machine on the test LAN."""

    netns: str
    address: str
    procs: list[Proc] = field(default_factory=list)

    def command(self, *argv: str) -> list[str]:
        # Inside a test namespace the LAN is ours: let mDNS use it (tests/conftest.py
        # otherwise keeps mDNS on loopback).
        return ["ip", "netns", "exec", self.netns, "env", "-u", "HUDDLE_MDNS_LOOPBACK_ONLY", *argv]

    def run(self, *argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            self.command(*argv), capture_output=True, text=True, timeout=_IP_TIMEOUT, check=True
        )

    def spawn(self, *argv: str, env: dict[str, str] | None = None) -> Proc:
        """Start `argv` in this namespace, from the repository root, unbuffered."""
        environ = {**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}
        popen = subprocess.Popen(
            self.command(*argv),
            cwd=REPO,
            env=environ,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            bufsize=1,
        )
        proc = Proc(popen, label=f"{self.netns}: {' '.join(argv)}")
        self.procs.append(proc)
        return proc

    def python(self, *argv: str, env: dict[str, str] | None = None) -> Proc:
        return self.spawn(sys.executable, *argv, env=env)


class Lan:
    """`hosts` namespaces joined by a bridge; a context manager that always cleans up."""

    def __init__(self, hosts: int = 3) -> None:
        if not 1 <= hosts <= 200:
            raise ValueError("between 1 and 200 hosts")
        self.tag = f"{PREFIX}-{os.getpid()}-{secrets.token_hex(3)}"
        self.switch = f"{self.tag}-sw"
        self.hosts = [Host(f"{self.tag}-h{i}", f"{SUBNET}.{i + 1}") for i in range(hosts)]
        self._created: list[str] = []

    def __enter__(self) -> Self:
        try:
            self._build()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Stop every process, then delete the namespaces (veths and bridge go with them)."""
        for host in self.hosts:
            for proc in host.procs:
                proc.stop()
        for name in reversed(self._created):
            _ip("netns", "del", name, check=False)
        self._created.clear()

    def _build(self) -> None:
        remove_stale()
        for name in (self.switch, *(host.netns for host in self.hosts)):
            _ip("netns", "add", name)
            self._created.append(name)
        sw = ("-n", self.switch)
        _ip(*sw, "link", "add", "br0", "type", "bridge", "mcast_snooping", "0")
        _ip(*sw, "link", "set", "br0", "up")
        for index, host in enumerate(self.hosts):
            port = f"p{index}"
            _ip(
                *sw,
                "link",
                "add",
                port,
                "type",
                "veth",
                "peer",
                "name",
                "eth0",
                "netns",
                host.netns,
            )
            _ip(*sw, "link", "set", port, "master", "br0", "up")
            hn = ("-n", host.netns)
            _ip(*hn, "link", "set", "lo", "up")
            _ip(*hn, "addr", "add", f"{host.address}/24", "dev", "eth0")
            _ip(*hn, "link", "set", "eth0", "up")
            _ip(*hn, "route", "add", "224.0.0.0/4", "dev", "eth0")


class Proc:
    """A child process whose output is read line by line on a thread."""

    def __init__(self, popen: subprocess.Popen[str], label: str) -> None:
        self.popen = popen
        self.label = label
        self.lines: list[str] = []
        self._queue: queue.Queue[str | None] = queue.Queue()
        assert popen.stdout is not None
        threading.Thread(target=self._pump, args=(popen.stdout,), daemon=True).start()

    def _pump(self, stream: IO[str]) -> None:
        for line in stream:
            self._queue.put(line.rstrip("\n"))
        self._queue.put(None)

    def readline(self, timeout: float) -> str | None:
        """The next line, None at end of output; TimeoutError if none within `timeout`."""
        try:
            line = self._queue.get(timeout=timeout)
        except queue.Empty:
            raise TimeoutError(f"{self.label}: no output within {timeout:.1f} s") from None
        if line is None:
            self._queue.put(None)  # stay at end of output for later readers
        else:
            self.lines.append(line)
        return line

    def expect(self, match: str | Callable[[str], bool], timeout: float) -> str:
        """Read until a line starting with `match` (or satisfying it); skip the others."""
        test = match if callable(match) else (lambda line: line.startswith(match))
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            try:
                line = self.readline(max(remaining, 0.0))
            except TimeoutError:
                raise TimeoutError(
                    f"{self.label}: gave no {match!r} line in {timeout} s; said:\n"
                    + "\n".join(self.lines[-30:])
                ) from None
            if line is None:
                raise EOFError(
                    f"{self.label}: exited ({self.popen.poll()}) without {match!r}; "
                    "said:\n" + "\n".join(self.lines[-30:])
                )
            if test(line):
                return line

    def send(self, line: str) -> None:
        assert self.popen.stdin is not None
        self.popen.stdin.write(line + "\n")
        self.popen.stdin.flush()

    def kill(self) -> None:
        """SIGKILL: the process gets no chance to say goodbye."""
        with contextlib.suppress(ProcessLookupError):
            self.popen.kill()
        self.popen.wait(timeout=_IP_TIMEOUT)

    def stop(self, timeout: float = 5.0) -> int:
        """Close stdin, then terminate, then kill; returns the exit status."""
        if self.popen.poll() is None:
            with contextlib.suppress(OSError):
                assert self.popen.stdin is not None
                self.popen.stdin.close()
            try:
                return self.popen.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.popen.terminate()
            try:
                return self.popen.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.kill()
        return self.popen.returncode


def _ip(*argv: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["ip", *argv], capture_output=True, text=True, timeout=_IP_TIMEOUT, check=check
    )
