"""Stop and re-run from the command line, as real processes (issues 14 and 17 item 2).

A round that stops is never re-run behind anyone's back: the host runs it again
and each joiner sends its kept answer again only because they said so (at the
terminal, or in advance with --take-part-again); a script that said nothing
ends at the first stop, as before.
"""

from __future__ import annotations

from decimal import Decimal

from tests.processes import Proc, host_port, start


def _session(again: bool) -> tuple[Proc, list[Proc], Proc]:
    flag = ["--take-part-again"] if again else []
    host = start("host", "--title", "Raise", "--expect", "4", "--value", "1000", "--name",
                 "Hana", "--no-advertise", "--range", "0", "100000", "--json", *flag)  # fmt: skip
    port = host_port(host)
    joiners = [
        start("join", f"127.0.0.1:{port}", "--name", name, "--value", value, "--json", *flag)
        for name, value in (("Ari", "2000"), ("Bo", "3000"))
    ]
    host.wait_for(r"Lobby: Hana, (Ari, Bo|Bo, Ari) — security code")
    # Dee joins without a value; her input is empty, so when the round asks her
    # she has nothing to say and leaves: "Dee left during the round".
    dee = start("join", f"127.0.0.1:{port}", "--name", "Dee", "--json", stdin="")
    return host, joiners, dee


def test_a_round_stopped_by_a_leaver_is_run_again_only_with_everyones_word() -> None:
    host, joiners, dee = _session(again=True)
    results = [host.result(), *(j.result() for j in joiners)]
    assert dee.finish()[0] == 1
    assert {Decimal(r["average_exact"]) for r in results} == {Decimal(2000)}
    assert {r["participants"] for r in results} == {3}
    assert len({r["result_code"] for r in results}) == 1
    host_said = "".join(host.stderr_seen)
    assert "Dee left during the round" in host_said
    assert "Running the round again" in host_said
    for joiner in joiners:
        said = "".join(joiner.stderr_seen)
        assert "The round stopped: Dee left during the round." in said
        assert "The security code changed: compare it again." in said


def test_a_script_that_did_not_agree_in_advance_ends_at_the_stop() -> None:
    host, joiners, dee = _session(again=False)
    for proc in (host, *joiners, dee):
        code, out, _ = proc.finish()
        assert code == 1 and out == ""
    assert "Dee left during the round" in "".join(joiners[0].stderr_seen)
