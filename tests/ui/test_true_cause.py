"""Issue 17 item 1: every screen names the true cause of a stop.

A CLI host, CLI colleagues and a desktop-app colleague; one CLI colleague
leaves mid-round. The CLI host (a script without --take-part-again) ends its
session at the stop; the desktop app must say that Kai left, not merely that
the host closed the session.
"""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from tests.processes import host_port, start
from tests.ui.conftest import WindowFactory, join, on_page


def test_a_gui_colleague_is_told_who_left_when_a_cli_host_ends_at_the_stop(
    qtbot: QtBot, make_window: WindowFactory
) -> None:
    host = start("host", "--title", "Lunch", "--expect", "4", "--value", "10", "--name", "Hana",
                 "--no-advertise", "--range", "0", "100", "--json")  # fmt: skip
    port = host_port(host)
    bo = start("join", f"127.0.0.1:{port}", "--name", "Bo", "--value", "20", "--json")
    host.wait_for(r"Lobby: Hana, Bo — security code")
    dana = make_window("Dana")
    join(qtbot, dana, port)
    host.wait_for(r"Lobby: Hana, Bo, Dana — security code")
    # Kai has no answer to give: when the round asks, Kai leaves.
    kai = start("join", f"127.0.0.1:{port}", "--name", "Kai", "--json", stdin="")
    on_page(qtbot, dana, dana.notice, timeout=20_000)
    qtbot.waitUntil(lambda: "Kai left during the round" in dana.notice.reason.text())
    qtbot.waitUntil(lambda: dana.notice.title.text() == "The session has ended")
    assert "Kai left during the round" in dana.notice.reason.text()
    for proc in (host, bo, kai):
        assert proc.finish()[0] == 1
