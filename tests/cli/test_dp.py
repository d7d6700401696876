"""Noisy results from the command line: options, --json fields, the privacy ledger.

Every process gets its own HUDDLE_DATA_DIR (one person, one ledger), set in the
environment just before it starts; nothing touches the real data folder.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from huddle.cli import privacy, results
from huddle.core import noise
from huddle.core.outcome import Outcome
from huddle.core.questions import DP_AVERAGE, HISTOGRAM, Question
from huddle.storage import DATA_DIR_ENV, LEDGER_FILE, Ledger, LedgerEntry, LedgerStore
from tests.processes import Proc, host_port, run, start

EDGES = ["0", "20", "40", "60", "80", "100"]


def person(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, name: str) -> Path:
    """Give the next process started its own data folder."""
    folder = tmp_path / name
    monkeypatch.setenv(DATA_DIR_ENV, str(folder))
    return folder


def ledger_of(folder: Path) -> Ledger:
    return LedgerStore(folder / LEDGER_FILE).load()


def test_histogram_json_ledger_and_the_already_spent_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    earlier = LedgerEntry(
        title="Last year", tag="Commute", kind=HISTOGRAM, epsilon=0.5, timestamp="2025-01-01"
    )
    LedgerStore(tmp_path / "P1" / LEDGER_FILE).append(earlier)
    common = ["--json", "--range", "0", "100", "--bins", *EDGES, "--tag", "commute"]
    person(monkeypatch, tmp_path, "Host")
    host = start(
        "host", "--title", "Commute", "--expect", "3", "--value", "10", "--name", "Host", *common
    )
    port = host_port(host)
    joiners: list[Proc] = []
    for i, value in ((1, "45"), (2, "100")):
        person(monkeypatch, tmp_path, f"P{i}")
        joiners.append(
            start("join", f"127.0.0.1:{port}", "--name", f"P{i}", "--value", value, "--json")
        )
    results = [host.result(), *(j.result() for j in joiners)]

    for r in results:
        assert r["kind"] == "histogram" and r["participants"] == 3 and r["epsilon"] == 1.0
        assert r["bin_edges"] == EDGES and r["tag"] == "commute"
        assert r["error_bound"] == noise.error_bound(3, 1.0, 2) and r["confidence"] == 0.95
        assert len(r["raw_counts"]) == 5 and r["counts"] == [max(0, c) for c in r["raw_counts"]]
    assert len({json.dumps(r["raw_counts"]) for r in results}) == 1
    # One result for all: every screen shows the code of the same transcript.
    assert len({r["result_code"] for r in results}) == 1 and results[0]["result_code"]
    assert "sum_exact" not in results[0] and "average_exact" not in results[0]

    spent = "You have already spent ε = {} on questions tagged “commute”"
    assert spent.format(0) in "".join(host.stderr_seen)
    assert spent.format(0.5) in "".join(joiners[0].stderr_seen)
    assert "brings it to ε = 1.5" in "".join(joiners[0].stderr_seen)
    assert "each bar is within ±7 people" in "".join(host.stderr_seen)
    assert [e.epsilon for e in ledger_of(tmp_path / "P1").entries] == [0.5, 1.0]
    assert ledger_of(tmp_path / "P1").spent("Commute") == 1.5
    for name in ("Host", "P2"):
        (entry,) = ledger_of(tmp_path / name).entries
        assert (entry.title, entry.tag, entry.kind, entry.epsilon) == (
            "Commute",
            "commute",
            "histogram",
            1.0,
        )


def test_dp_average_json_and_a_coordinator_spends_nothing(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    person(monkeypatch, tmp_path, "Host")
    host = start(
        "host",
        "--title",
        "Raise",
        "--no-value",
        "--expect",
        "3",
        "--json",
        "--decimals",
        "2",
        "--range",
        "0",
        "5000",
        "--dp-average",
        "--epsilon",
        "2",
    )
    port = host_port(host)
    joiners = []
    for i, value in enumerate(["3800", "2514.50", "2982"]):
        person(monkeypatch, tmp_path, f"P{i}")
        joiners.append(
            start("join", f"127.0.0.1:{port}", "--name", f"P{i}", "--value", value, "--json")
        )
    results = [j.result() for j in joiners] + [host.result()]
    bound = Decimal(noise.error_bound(3, 2.0, 500_000)) / 100
    for r in results:
        assert r["kind"] == "dp_average" and r["epsilon"] == 2.0 and r["participants"] == 3
        assert r["error_bound"] == float(bound)
        assert r["average_error_bound"] == pytest.approx(float(bound / 3))
        assert 0 <= r["average"] <= 5000
    assert len({r["sum_decimal"] for r in results}) == 1
    assert not (tmp_path / "Host").exists(), "the coordinator contributed nothing"
    for i in range(3):
        assert [e.epsilon for e in ledger_of(tmp_path / f"P{i}").entries] == [2.0]


def test_exact_average_records_nothing(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    folder = person(monkeypatch, tmp_path, "Host")
    host = start("host", "--title", "t", "--expect", "3", "--value", "1", "--json")
    port = host_port(host)
    joiners = [
        start("join", f"127.0.0.1:{port}", "--name", f"P{i}", "--value", "2", "--json")
        for i in range(2)
    ]
    results = [host.result(), *(j.result() for j in joiners)]
    assert {r["average_exact"] for r in results} == {str(Decimal(5) / 3)}
    assert not folder.exists()
    assert "Privacy" not in "".join(host.stderr_seen)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--histogram", "1"], "at least 2 bars"),
        (["--histogram", "2000"], "At most 1000 bars"),
        (["--histogram", "20", "--range", "0", "10"], "room for at most 10 bars"),
        (["--bins", "0", "50", "90", "--range", "0", "100"], "cover the whole allowed range"),
        (["--bins", "0", "50", "120", "--range", "0", "100"], "within the allowed range"),
        (["--bins", "0", "60", "40", "100", "--range", "0", "100"], "go up strictly"),
        (["--histogram", "5", "--epsilon", "0"], "positive number"),
        (["--histogram", "5", "--epsilon", "-1"], "positive number"),
        (["--histogram", "5", "--epsilon", "nan"], "positive number"),
        (["--dp-average", "--epsilon", "50"], "no meaningful privacy"),
        (["--epsilon", "1"], "--epsilon applies to the noisy kinds: --histogram"),
        (["--histogram", "5", "--dp-average"], "not allowed with"),
    ],
)
def test_bad_dp_settings_are_explained(args: list[str], message: str) -> None:
    proc = run("host", "--title", "t", "--expect", "3", "--no-value", *args)
    assert proc.returncode == 2, proc.stderr
    assert message in proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout


def test_help_explains_epsilon_in_words() -> None:
    proc = run("host", "--help")
    assert "--histogram BINS" in proc.stdout and "--dp-average" in proc.stdout
    assert "more private and less accurate" in proc.stdout


# --- what is said ---------------------------------------------------------------------


def test_the_text_histogram_shows_bars_edges_and_the_error() -> None:
    q = Question(kind=HISTOGRAM, title="t", hi="100", bins=("0", "50", "100"), epsilon="1")
    lines = results.describe(Outcome(q, 5, (-2, 6)))
    assert "±7 people" in lines[0]
    assert lines[1].strip().startswith("0 ≤ x < 50") and lines[1].endswith("(noise gave -2)")
    assert "50 ≤ x ≤ 100" in lines[2] and "█" * 30 in lines[2] and lines[2].endswith(" 6")


def test_the_noisy_average_text_rounds_bounds_outwards_and_flags_clamping() -> None:
    q = Question(kind=DP_AVERAGE, title="t", hi="10", decimals=0, epsilon="1", unit="h")
    bound = Decimal(noise.error_bound(3, 1.0, 10))
    (line,) = results.describe(Outcome(q, 3, (20,)))
    assert line.startswith("  noisy average 6.67 h ± ")
    assert f"noisy total 20 h ± {bound}" in line
    low = results.describe(Outcome(q, 3, (-4,)))
    assert "noisy average 0 h" in low[0] and "pushed the average to -1.33" in low[1]


def test_a_ledger_that_cannot_be_written_is_reported_not_raised(tmp_path: Path) -> None:
    q = Question(kind=HISTOGRAM, title="t", hi="100", bins=("0", "50", "100"), epsilon="1")
    (tmp_path / "Huddle").write_text("a file where the folder should be")
    store = LedgerStore(tmp_path / "Huddle" / "ledger.json")
    line = privacy.record(store, q, 1.0, datetime.now(UTC))
    assert line.startswith("Could not record ε = 1 in your privacy ledger")


def test_an_unreadable_ledger_is_said_plainly() -> None:
    q = Question(kind=HISTOGRAM, title="t", hi="100", bins=("0", "50", "100"), epsilon="1")
    assert "could not be read" in privacy.before_joining(q, Ledger(corrupt=True))
    assert "untagged questions" in privacy.before_joining(q, Ledger())
