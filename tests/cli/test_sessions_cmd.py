"""`huddle sessions` and `huddle join --session` without a network: how sessions are
shown, which one a person meant, and what they are told when it goes wrong."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys

import pytest

from huddle.cli.errors import EXIT_FAILED, EXIT_USAGE, CommandError
from huddle.cli.main import build_parser
from huddle.cli.sessions import (
    MULTICAST_HELP,
    NOTHING_FOUND,
    choose,
    describe,
    endpoint,
    event_data,
    event_line,
    table,
)
from huddle.core.advert import SERVICE_TYPE, Advert
from huddle.net.discovery import FoundSession, SessionAppeared, SessionChanged, SessionGone


def found(
    title: str,
    *,
    instance: str | None = None,
    sid: str = "ab" * 16,
    host: str = "Alice",
    state: str = "open",
    joined: int = 1,
    addresses: tuple[str, ...] = ("198.18.0.1",),
) -> FoundSession:
    advert = Advert(1, bytes.fromhex(sid), title, host, "open", joined, bytes(range(32)))
    advert = dataclasses.replace(advert, state="started" if state == "started" else "open")
    return FoundSession(f"{instance or title}.{SERVICE_TYPE}", advert, addresses, 4433)


LUNCH = found("Team lunch", sid="ab" * 16)
LUNCH_2 = found("Team lunch", instance="Team lunch-2", sid="cd" * 16, host="Bob", joined=4)
RAISE = found("2026 raise", sid="ef" * 16, state="started", joined=5)


# --- presenting ----------------------------------------------------------------------


def test_table_is_aligned_with_one_row_per_session() -> None:
    lines = table([LUNCH, LUNCH_2, RAISE])
    assert lines[0].split() == ["TITLE", "HOST", "JOINED", "STATE", "ID", "ADDRESS"]
    assert len(lines) == 4
    assert lines[1].split() == [
        "Team",
        "lunch",
        "Alice",
        "1",
        "open",
        "abababab",
        "198.18.0.1:4433",
    ]
    assert lines[3].split()[3:6] == ["5", "started", "efefefef"]
    column = lines[0].index("ADDRESS")
    assert {line[column:].split()[0] for line in lines[1:]} == {"198.18.0.1:4433"}


def test_table_shortens_long_titles_and_counts_extra_addresses() -> None:
    long = found("x" * 120, addresses=("198.18.0.1", "fd00::1"))
    (_, row) = table([long])
    assert "x" * 39 + "…" in row and "x" * 40 not in row
    assert row.endswith("198.18.0.1:4433 (+1)")


def test_ipv6_endpoints_are_bracketed_as_join_takes_them() -> None:
    assert endpoint("fd00::1", 4433) == "[fd00::1]:4433"
    assert endpoint("198.18.0.1", 4433) == "198.18.0.1:4433"


def test_json_carries_what_a_script_needs() -> None:
    data = describe(LUNCH_2)
    assert data["title"] == "Team lunch" and data["instance"] == "Team lunch-2"
    assert (data["host"], data["joined"], data["state"]) == ("Bob", 4, "open")
    assert data["address"] == "198.18.0.1:4433" and data["addresses"] == ["198.18.0.1"]
    assert data["session_id"] == "cd" * 16 and data["fingerprint"] == bytes(range(32)).hex()
    json.dumps(data)  # serialisable as is


def test_watch_events_as_json_lines_and_as_text() -> None:
    assert event_data(SessionAppeared(LUNCH))["event"] == "appeared"
    assert event_data(SessionChanged(LUNCH))["joined"] == 1
    assert event_data(SessionGone(LUNCH.key)) == {"event": "gone", "key": LUNCH.key}
    assert event_line(SessionAppeared(LUNCH)).startswith("+ “Team lunch” by Alice: 1 joined")
    assert event_line(SessionChanged(RAISE)).startswith(
        "~ “2026 raise” by Alice: 5 joined, started"
    )
    assert event_line(SessionGone(LUNCH.key), LUNCH) == "- “Team lunch” by Alice is gone"


# --- choosing ---------------------------------------------------------------------------


def test_choose_by_title_instance_or_id_prefix() -> None:
    sessions = [LUNCH, LUNCH_2, RAISE]
    assert choose(sessions, "team lunch-2") is LUNCH_2
    assert choose(sessions, "abab") is LUNCH
    assert choose([LUNCH], "team LUNCH") is LUNCH


def test_an_open_session_wins_over_a_started_one_with_the_same_title() -> None:
    started = found("Team lunch", instance="Team lunch-3", sid="12" * 16, state="started")
    assert choose([started, LUNCH], "Team lunch") is LUNCH


def test_ambiguous_choice_lists_the_candidates_and_is_a_usage_error() -> None:
    with pytest.raises(CommandError) as caught:
        choose([LUNCH, LUNCH_2, RAISE], "Team lunch")
    message = str(caught.value)
    assert caught.value.status == EXIT_USAGE
    assert "“Team lunch” matches 2 sessions" in message
    assert "abababab" in message and "cdcdcdcd" in message and "2026 raise" not in message
    assert "huddle join --session abababab" in message


def test_a_started_session_cannot_be_joined() -> None:
    with pytest.raises(CommandError, match="has already started") as caught:
        choose([RAISE], "2026 raise")
    assert caught.value.status == EXIT_FAILED


def test_nothing_on_the_network_explains_multicast_and_joining_by_address() -> None:
    with pytest.raises(CommandError) as caught:
        choose([], "Team lunch")
    message = str(caught.value)
    assert caught.value.status == EXIT_FAILED
    assert "No session called “Team lunch” was found" in message
    assert MULTICAST_HELP in message
    for words in ("VPN", "UDP port 5353", "huddle join ADDRESS:PORT"):
        assert words in message and words in NOTHING_FOUND


def test_no_match_among_other_sessions_names_what_was_seen() -> None:
    with pytest.raises(CommandError) as caught:
        choose([LUNCH, RAISE], "Budget")
    assert "Seen on this network: “Team lunch”, “2026 raise”" in str(caught.value)
    assert "5353" not in str(caught.value)  # multicast works here


# --- the command line ---------------------------------------------------------------


def test_join_takes_an_address_or_a_session_but_not_both(
    capsys: pytest.CaptureFixture[str],
) -> None:
    parser = build_parser()
    assert parser.parse_args(["join", "--session", "Team lunch"]).address is None
    assert parser.parse_args(["join", "198.18.0.1:4433"]).session is None
    for argv in (["join"], ["join", "198.18.0.1:4433", "--session", "Team lunch"]):
        with pytest.raises(SystemExit) as caught:
            parser.parse_args(argv)
        assert caught.value.code == 2
    assert "--session" in capsys.readouterr().err


def test_sessions_and_host_options() -> None:
    args = build_parser().parse_args(["sessions", "--watch", "--json", "--timeout", "3"])
    assert (args.watch, args.json, args.timeout) == (True, True, 3.0)
    host = ["host", "--title", "t", "--expect", "3", "--no-advertise"]
    assert build_parser().parse_args(host).no_advertise is True


def test_help_stays_free_of_heavy_imports() -> None:
    probe = (
        "import sys; from huddle.cli.main import build_parser; build_parser().format_help(); "
        "heavy = {'zeroconf', 'numpy', 'PySide6', 'huddle.net.discovery'} & set(sys.modules); "
        "print(sorted(heavy))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=30
    ).stdout
    assert out.strip() == "[]"
