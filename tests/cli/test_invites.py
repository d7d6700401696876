"""`huddle host` prints an invite; `huddle join INVITE` accepts the host's certificate only."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator

import pytest

from huddle.core.invite import encode_fingerprint, parse_invite
from tests.processes import Proc, run, start

JOINED = r"Joined Hal's session"


@pytest.fixture
def host() -> Iterator[Proc]:
    proc = start(
        "host", "--title", "t", "--name", "Hal", "--no-value", "--expect", "3", "--json",
        "--bind", "127.0.0.1", "--no-advertise",
    )  # fmt: skip
    yield proc
    proc.popen.kill()
    proc.finish()


def invite_of(host: Proc) -> str:
    line = host.wait_for(r"Colleagues join with:  (huddle join \S+)")
    return line.group(1).removeprefix("huddle join ")


def test_the_host_prints_an_invite_that_joins(host: Proc) -> None:
    invite = invite_of(host)
    assert re.fullmatch(r"127\.0\.0\.1:\d+#[a-z2-7]{52}", invite), invite
    ann = start("join", invite, "--name", "Ann", "--value", "5", "--json")
    ann.wait_for(JOINED)
    host.wait_for("Ann")
    ann.popen.kill()
    _, _, said = ann.finish()
    assert "address only" not in said


def test_an_invite_with_another_certificate_is_refused(host: Proc) -> None:
    real = parse_invite(invite_of(host))
    forged = f"{real.endpoint}#{encode_fingerprint(os.urandom(32))}"
    proc = run("join", forged, "--name", "Mallory", "--value", "5")
    assert proc.returncode == 1, proc.stderr
    assert proc.stderr.startswith(f"huddle: The session at {real.endpoint} is not the one you")
    assert "Someone may be intercepting the connection" in proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
    assert "Mallory" not in "".join(host.stderr_seen)  # no Hello reached the host


def test_a_bare_address_joins_and_says_only_the_code_protects_it(host: Proc) -> None:
    where = parse_invite(invite_of(host)).endpoint
    ann = start("join", where, "--name", "Ann", "--value", "5", "--json")
    notice = ann.wait_for(r"Joining (\S+) by address only: nothing but the security code")
    assert notice.group(1) == where
    ann.wait_for(JOINED)
    ann.popen.kill()
    ann.finish()


@pytest.mark.parametrize(
    ("invite", "message"),
    [
        ("127.0.0.1:7300#", "nothing follows the #"),
        ("127.0.0.1:7300#abcdef", "has 6 characters instead of 52"),
        ("127.0.0.1#" + "a" * 52, "is not ADDRESS:PORT or an invite"),
    ],
)
def test_a_damaged_invite_is_explained(invite: str, message: str) -> None:
    proc = run("join", invite, "--value", "1")
    assert proc.returncode == 2, proc.stderr
    assert message in proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
