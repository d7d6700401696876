"""huddle host --median: the flag comes from the kind's module, and a round over real
TLS on this machine gives every party the same median, quartiles and intervals."""

from __future__ import annotations

from pathlib import Path

import pytest

from huddle.cli import kind_flags
from huddle.cli.main import build_parser
from huddle.storage import DATA_DIR_ENV
from tests.processes import host_port, run, start


def test_the_median_flag_takes_an_optional_number_of_bars() -> None:
    base = ["host", "--title", "Pay", "--range", "2000", "8000", "--expect", "3"]
    default = kind_flags.question(build_parser().parse_args([*base, "--median"]))
    assert default.kind == "median" and len(default.bins) == 11 and default.epsilon == "1.0"
    four = kind_flags.question(
        build_parser().parse_args([*base, "--median", "4", "--epsilon", "2"])
    )
    assert four.bins == ("2000", "3500", "5000", "6500", "8000") and four.epsilon == "2"
    assert "--median" in kind_flags.noisy_flags()


def test_three_parties_get_one_median_with_its_interval(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv(DATA_DIR_ENV, str(tmp_path / "Host"))
    host = start(
        "host", "--title", "Pay", "--unit", "EUR", "--range", "2000", "8000",
        "--median", "6", "--epsilon", "10", "--expect", "3", "--value", "3100",
        "--name", "Host", "--json", "--no-advertise",
    )  # fmt: skip
    port = host_port(host)
    joiners = []
    for i, value in enumerate(("4200", "5900")):
        monkeypatch.setenv(DATA_DIR_ENV, str(tmp_path / f"P{i}"))
        where = [f"127.0.0.1:{port}", "--name", f"P{i}", "--value", value, "--json"]
        joiners.append(start("join", *where))
    found = [host.result(), *(j.result() for j in joiners)]
    assert all(r == found[0] for r in found)
    result = found[0]
    assert result["kind"] == "median" and result["participants"] == 3
    low, high = result["median_interval"]
    assert 2000 <= low <= result["median"] <= high <= 8000
    assert result["median_error_bound"] == max(result["median"] - low, high - result["median"])
    said = "".join(joiners[0].stderr_seen) + "".join(host.stderr_seen)
    assert "median" in said and "is within ±" in said


def test_epsilon_without_a_noisy_kind_names_the_median_among_them() -> None:
    proc = run("host", "--title", "t", "--expect", "3", "--epsilon", "1")
    assert proc.returncode == 2 and "--median" in proc.stderr
