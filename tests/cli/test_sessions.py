"""Real processes: a CLI host and CLI joiners on 127.0.0.1."""

from decimal import Decimal

import pytest

from tests.processes import host_port, start


@pytest.mark.parametrize("n", [3, 10])
def test_cli_parties_agree_on_result_and_security_code(n: int) -> None:
    values = [1000 + 137 * i for i in range(n)]
    host = start(
        "host",
        "--title",
        "2026 raise",
        "--value",
        str(values[0]),
        "--expect",
        str(n),
        "--name",
        "Host",
        "--json",
        "--range",
        "0",
        "100000",
    )
    port = host_port(host)
    joiners = [
        start("join", f"127.0.0.1:{port}", "--name", f"P{i}", "--value", str(v), "--json")
        for i, v in enumerate(values[1:], start=1)
    ]
    results = [host.result()] + [j.result() for j in joiners]
    expected = Decimal(sum(values)) / n
    assert {Decimal(r["average_exact"]) for r in results} == {expected}
    assert {r["participants"] for r in results} == {n}
    assert {r["sum"] for r in results} == {sum(values)}
    assert len({r["security_code"] for r in results}) == 1
    assert len(results[0]["security_code"]) == 19


def test_coordinator_without_value_and_prompted_values() -> None:
    host = start("host", "--title", "t", "--no-value", "--expect", "3", "--json", "--decimals", "2")
    port = host_port(host)
    joiners = [
        start("join", f"127.0.0.1:{port}", "--name", f"P{i}", "--json", stdin=f"{v}\n")
        for i, v in enumerate(["10.50", "20.25", "30"])
    ]
    results = [j.result() for j in joiners] + [host.result()]
    assert {r["average_exact"] for r in results} == {"20.25"}
    assert {r["participants"] for r in results} == {3}
    assert "Host" not in results[0]["names"]
