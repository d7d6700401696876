"""Votes, choices, polls and spread from the command line (issue 9).

Real `huddle` processes over TLS on 127.0.0.1; each gets its own
HUDDLE_DATA_DIR (one person, one ledger).
"""

from __future__ import annotations

import math
from decimal import Decimal
from pathlib import Path

import pytest

from huddle.cli import results
from huddle.core import randomized_response as rr
from huddle.core.outcome import Outcome
from huddle.core.questions import CHOICE, DP_SPREAD, POLL, VOTE, VOTE_OUTCOME, Question
from huddle.storage import DATA_DIR_ENV, LEDGER_FILE, LedgerStore
from tests.processes import Proc, host_port, run, start


def session(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    host_args: list[str],
    answers: list[str],
    *,
    stdin: bool = False,
) -> tuple[Proc, list[Proc]]:
    """The host answers answers[0]; one joiner per further answer."""
    monkeypatch.setenv(DATA_DIR_ENV, str(tmp_path / "Host"))
    expect = str(len(answers))
    host = start(
        "host",
        "--title",
        "T",
        "--expect",
        expect,
        "--value",
        answers[0],
        "--name",
        "Host",
        "--json",
        "--no-advertise",
        *host_args,
    )
    port = host_port(host)
    joiners = []
    for i, answer in enumerate(answers[1:]):
        monkeypatch.setenv(DATA_DIR_ENV, str(tmp_path / f"P{i}"))
        given = ["--json"] if stdin else ["--value", answer, "--json"]
        where = [f"127.0.0.1:{port}", "--name", f"P{i}"]
        joiners.append(start("join", *where, *given, stdin=answer + "\n" if stdin else None))
    return host, joiners


def test_an_exact_vote_by_name_and_number_and_its_warning(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    host, joiners = session(
        monkeypatch, tmp_path, ["--vote", "Pizza", "Sushi", "Thai"], ["2", "sushi", "Thai"]
    )
    results_ = [host.result(), *(j.result() for j in joiners)]
    for r in results_:
        assert r["kind"] == VOTE and r["tallies"] == [0, 2, 1]
        assert r["leaders"] == ["Sushi"] and r["majority"] is True
    said = "".join(joiners[0].stderr_seen)
    assert "  1) Pizza\n  2) Sushi\n  3) Thai" in said
    assert "A unanimous result reveals every vote" in said
    assert "votes (3 cast): Sushi — majority" in said
    assert not (tmp_path / "P0").exists(), "an exact vote spends no privacy"


def test_a_poll_asks_yes_or_no_says_what_was_sent_and_records_ln3(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    host, joiners = session(
        monkeypatch, tmp_path, ["--poll", "--tag", "leave"], ["yes", "no", "yes"], stdin=True
    )
    results_ = [host.result(), *(j.result() for j in joiners)]
    for r in results_:
        assert r["kind"] == POLL and r["epsilon"] == pytest.approx(math.log(3))
        assert 0 <= r["sent_yes"] <= 3
        assert r["estimate"] == pytest.approx(2 * r["sent_yes"] / 3 - 0.5)
        assert r["interval"][0] <= r["interval"][1]
    said = "".join(joiners[0].stderr_seen)
    assert "Your answer, yes or no (not shown): " in said
    assert "so it sent" in said and said.count("Your app's first coin") == 1
    assert "randomized response (ε = ln 3 ≈ 1.10)" in said
    for person in ("Host", "P0", "P1"):
        (entry,) = LedgerStore(tmp_path / person / LEDGER_FILE).load().entries
        assert (entry.kind, entry.tag) == (POLL, "leave")
        assert entry.epsilon == pytest.approx(math.log(3))


def test_a_private_choice_and_a_noisy_spread_share_one_budget(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    host, joiners = session(
        monkeypatch,
        tmp_path,
        ["--choice", "Mon", "Tue", "Wed", "--tag", "team", "--epsilon", "2"],
        ["1,2", "tue", "2, 3"],
    )
    results_ = [host.result(), *(j.result() for j in joiners)]
    assert len({r["winner"] for r in results_}) == 1
    assert results_[0]["kind"] == CHOICE and results_[0]["winner"] in ("Mon", "Tue", "Wed")
    assert "Very likely, not certainly, the most approved" in "".join(host.stderr_seen)
    host, joiners = session(
        monkeypatch,
        tmp_path,
        ["--dp-spread", "--range", "0", "100", "--tag", "team", "--epsilon", "3"],
        ["40", "55", "70"],
    )
    results_ = [host.result(), *(j.result() for j in joiners)]
    for r in results_:
        assert r["kind"] == DP_SPREAD and 0 <= r["average"] <= 100
        low, high = r["standard_deviation_interval"]
        assert 0 <= low <= r["standard_deviation"] <= high <= 50
    assert "brings it to ε = 5" in "".join(joiners[0].stderr_seen)
    ledger = LedgerStore(tmp_path / "P0" / LEDGER_FILE).load()
    assert [e.epsilon for e in ledger.entries] == [2.0, 3.0] and ledger.spent("team") == 5.0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--vote", "Pizza"], "at least 2 options"),
        (["--vote", "Pizza", "pizza"], "same name"),
        (["--choice", "a,b", "c"], "must not contain a comma"),
        (["--vote", "a", "b", "--epsilon", "1"], "--epsilon applies to the noisy kinds"),
        (["--poll", "--epsilon", "1"], "--epsilon applies to the noisy kinds"),
        (["--poll", "--spread"], "not allowed with"),
        (["--vote", "a", "b", "--value", "c"], "not one of the options"),
        (["--poll", "--value", "maybe"], "Answer yes or no."),
        (["--spread", "--range", "0", "1000000000", "--decimals", "2"], "squared values"),
    ],
)
def test_bad_settings_and_answers_are_explained(args: list[str], message: str) -> None:
    proc = run("host", "--title", "t", "--expect", "3", *args)
    assert proc.returncode == 2, proc.stderr
    assert message in proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout


def test_help_lists_the_new_kinds() -> None:
    out = run("host", "--help").stdout
    for flag in ("--vote", "--dp-vote", "--vote-outcome", "--choice", "--poll", "--spread"):
        assert flag in out


# --- what is said ----------------------------------------------------------------------


def test_outcome_only_text_never_shows_a_tally() -> None:
    q = Question(kind=VOTE_OUTCOME, title="t", lo="1", hi="2", options=("A", "B"), epsilon="1")
    lines = results.describe(Outcome(q, 9, (7, 2)))
    assert lines[0] == "  outcome only (ε = 1): A leads, with more than half of the 9 votes."
    assert "7" not in lines[0] and "How sure" in lines[1]
    assert "are level" in results.describe(Outcome(q, 9, (4, 4)))[0]


def test_the_sent_line_and_the_spread_text() -> None:
    assert results.sent_line(rr.Response(True, False, False)).endswith("true answer: yes.")
    assert results.sent_line(rr.Response(True, True, False)).endswith("second coin flip: no.")
    q = Question(kind="spread", title="t", hi="10", unit="h", decimals=1)
    (line,) = results.describe(Outcome(q, 2, (0, 800)))  # 3 and 7: u = ∓20 tenths
    assert line == "  average 5 h — standard deviation 2 h"
    assert Decimal(str(Outcome(q, 2, (0, 800)).as_dict()["average"])) == 5
