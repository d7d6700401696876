"""Screenshots of every screen, from a real session on this computer.

    python -m tests.ui.screenshots [OUTPUT_DIR]    (default: resources/screenshots)

Runs offscreen unless QT_QPA_PLATFORM says otherwise. Alice hosts, two demo
colleagues and Dana (a second window) join; Dana is slow, so Alice's progress
screen has someone to wait for. A second session ends with the host leaving
mid-round, for the error screen. Then two noisy sessions on one subject: a
histogram with ten people (Dana among them), and a noisy average, where Dana's
lobby shows the privacy budget she already spent. Last, the kinds of issue 9: a
vote, a yes/no poll by randomized response, a private choice and a spread; a re-run
of protocol 3; and host setup and the lobby in a 640×480 window (17-small-*). Then
the noisy vote, the vote's outcome only and the noisy spread (18-*), and the median
and quartiles of issue 16 (19-*): every kind in the registry has a result screen here.
Last, a modified app's answer failing the check (20-*): Mallory runs `tests.cheats`.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QCoreApplication, QEventLoop, QSettings, QSize
from PySide6.QtWidgets import QWidget

from huddle.core.advert import Advert
from huddle.core.questions import (
    AVERAGE,
    CHOICE,
    DP_AVERAGE,
    DP_SPREAD,
    DP_VOTE,
    HISTOGRAM,
    POLL,
    SPREAD,
    VOTE,
    VOTE_OUTCOME,
)
from huddle.net.discovery import FoundSession
from huddle.storage import DATA_DIR_ENV
from huddle.ui.app import make_application
from huddle.ui.main_window import MainWindow
from huddle.ui.privacy import PrivacyLedger

SIZE = QSize(760, 640)
SMALL = QSize(640, 480)
"""A small laptop screen, or a window made small: the button row must stay in sight."""
SETUP_SIZE = QSize(760, 720)
"""Host setup with the noisy settings: the app's default window size."""
OUT = Path(__file__).resolve().parents[2] / "resources" / "screenshots"


def wait_until(predicate: Callable[[], bool], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError("the screen did not get there in time")
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)


class Shooter:
    def __init__(self, out: Path, config: Path) -> None:
        self.out, self.config = out, config
        self.windows: list[MainWindow] = []

    def window(self, name: str) -> MainWindow:
        settings = QSettings(str(self.config / f"{name}.ini"), QSettings.Format.IniFormat)
        settings.setValue("name", name)
        ledger = PrivacyLedger(self.config / "data" / name / "ledger.json")  # one per person
        window = MainWindow(settings, discovery=False, ledger=ledger)
        window.resize(SIZE)
        window.show()
        self.windows.append(window)
        return window

    def shoot(self, window: MainWindow, name: str) -> None:
        QCoreApplication.processEvents()
        path = self.out / f"{name}.png"
        window.grab().save(str(path), "PNG")
        print(f"{path} ({path.stat().st_size // 1024} KB)")

    def on(self, window: MainWindow, page: QWidget) -> None:
        wait_until(lambda: window.current_page() is page)


def host(shooter: Shooter, alice: MainWindow, *, shoot: bool) -> int:
    alice.home.host_button.click()
    setup = alice.host_setup
    setup.prefill("What was your 2026 raise?", "EUR", "0", "10000")
    if shoot:
        shooter.shoot(alice, "2-host-setup")
    setup.start_button.click()
    wait_until(lambda: ":" in alice.lobby.where.text())
    return int(alice.lobby.where.text().rsplit(":", 1)[1].split("<")[0])


def main(out: Path) -> None:
    app = make_application()
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as config:
        QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, config)
        os.environ[DATA_DIR_ENV] = str(Path(config) / "data")  # a throwaway privacy ledger
        shooter = Shooter(out, Path(config))
        try:
            first_session(shooter)
            error_session(shooter)
            nearby(shooter)
            histogram_session(shooter)
            noisy_average_session(shooter)
            vote_session(shooter)
            poll_session(shooter)
            choice_session(shooter)
            spread_session(shooter)
            rerun_session(shooter)
            small_screen(shooter)
            noisy_kinds_session(shooter)
            median_session(shooter)
            rejected_session(shooter)
        finally:
            for window in shooter.windows:
                window.shutdown()
    app.processEvents()


def first_session(shooter: Shooter) -> None:
    alice = shooter.window("Maria Keller")
    shooter.shoot(alice, "1-home-empty")
    port = host(shooter, alice, shoot=True)
    dana = shooter.window("Dana")
    alice.flow.demo = alice.engine.demo_peers(port, 2)
    wait_until(lambda: len(alice.lobby.pending_names()) == 2)
    alice.lobby.admit_all_button.click()
    wait_until(lambda: len(alice.lobby.names) == 3)
    dana.home.address.setText(f"127.0.0.1:{port}")
    dana.home.join_button.click()
    wait_until(lambda: alice.lobby.pending_names() == ["Dana"])
    shooter.shoot(alice, "3-lobby-host")
    shooter.shoot(dana, "3-lobby-joiner-waiting")
    alice.lobby.admit_all_button.click()
    wait_until(lambda: alice.lobby.start_button.isEnabled() and len(alice.lobby.names) == 4)
    alice.lobby.start_button.click()
    shooter.on(alice, alice.value)
    alice.value.field.setText("3000.5")
    shooter.shoot(alice, "4-value-invalid")
    alice.value.field.setText("3000")
    shooter.shoot(alice, "4-value")
    alice.value.submit_button.click()
    shooter.on(alice, alice.progress)
    wait_until(lambda: alice.progress.cell("Maria Keller", 1) == "Sent")
    shooter.shoot(alice, "5-progress")
    shooter.on(dana, dana.value)
    dana.value.field.setText("3400")
    dana.value.submit_button.click()
    shooter.on(alice, alice.result)
    shooter.shoot(alice, "6-result")
    alice.result.home_button.click()
    dana.result.home_button.click()


def error_session(shooter: Shooter) -> None:
    alice, dana = shooter.windows[0], shooter.windows[1]
    port = host(shooter, alice, shoot=False)
    alice.flow.demo = alice.engine.demo_peers(port, 2)
    dana.home.address.setText(f"127.0.0.1:{port}")
    dana.home.join_button.click()
    wait_until(lambda: len(alice.lobby.pending_names()) == 3)
    alice.lobby.admit_all_button.click()
    wait_until(lambda: alice.lobby.start_button.isEnabled() and len(alice.lobby.names) == 4)
    alice.lobby.start_button.click()
    shooter.on(dana, dana.value)
    dana.value.cancel.emit()  # as "Cancel round" does once Dana confirms it
    shooter.on(alice, alice.notice)
    shooter.shoot(alice, "7-round-stopped-host")
    alice.flow.go_home()
    wait_until(lambda: dana.notice.title.text() == "The session has ended")
    shooter.shoot(dana, "7-error-session-ended")


def nearby(shooter: Shooter) -> None:
    dana = shooter.windows[1]
    dana.notice.click("Back to Home")
    for title, host_name, joined, state in (
        ("Team lunch budget", "Sam", 2, "open"),
        ("What was your 2026 raise?", "Alice Martin", 3, "open"),
        ("Hours of overtime in May", "Erik", 5, "started"),
    ):
        advert = Advert(
            protocol_version=1,
            session_id=os.urandom(16),
            title=title,
            host_name=host_name,
            state=state,  # type: ignore[arg-type]
            joined=joined,
            fingerprint=os.urandom(32),
        )
        key = f"{title}._huddle._tcp.local."
        dana.home.model.upsert(FoundSession(key, advert, ("192.0.2.7",), 7300))
    dana.home.sessions.setCurrentIndex(dana.home.model.index(1))
    shooter.shoot(dana, "1-home-nearby")


def noisy_host(shooter: Shooter, alice: MainWindow, kind: str, shot: str = "") -> int:
    alice.show_page(alice.home)
    alice.home.host_button.click()
    setup = alice.host_setup
    setup.prefill("What was your 2026 raise?", "EUR", "0", "10000")
    setup.kind.setCurrentIndex(setup.kind.findData(kind))
    setup.tag.setText("salary")
    wait_until(
        lambda: "people" in setup.privacy_message.text() or "±" in setup.privacy_message.text()
    )
    if shot:
        alice.resize(SETUP_SIZE)
        shooter.shoot(alice, shot)
        alice.resize(SIZE)
    setup.epsilon.set_value(2.0)  # eight people: ε = 1 would bury most bars in noise
    setup.start_button.click()
    wait_until(lambda: ":" in alice.lobby.where.text())
    return int(alice.lobby.where.text().rsplit(":", 1)[1].split("<")[0])


def gather(alice: MainWindow, dana: MainWindow, port: int, peers: int) -> None:
    alice.flow.demo = alice.engine.demo_peers(port, peers)
    dana.home.address.setText(f"127.0.0.1:{port}")
    dana.home.join_button.click()
    wait_until(lambda: len(alice.lobby.pending_names()) == peers + 1)
    alice.lobby.admit_all_button.click()
    wait_until(lambda: alice.lobby.start_button.isEnabled() and len(alice.lobby.names) == peers + 2)
    # Dana's screen gets the roster and its code a moment after the host's: wait for it too.
    wait_until(
        lambda: (
            len(dana.lobby.names) == peers + 2
            and any(ch.isdigit() for ch in dana.lobby.code.code.text())
        )
    )


def histogram_session(shooter: Shooter) -> None:
    alice, dana = shooter.windows[0], shooter.windows[1]
    dana.show_page(dana.home)
    port = noisy_host(shooter, alice, HISTOGRAM, "8-host-setup-histogram")
    gather(alice, dana, port, 6)
    alice.lobby.start_button.click()
    for window, value in ((alice, "3000"), (dana, "3400")):
        shooter.on(window, window.value)
        window.value.field.setText(value)
        window.value.submit_button.click()
    shooter.on(alice, alice.result)
    shooter.shoot(alice, "9-result-histogram")
    alice.result.home_button.click()
    dana.result.home_button.click()


def noisy_average_session(shooter: Shooter) -> None:
    alice, dana = shooter.windows[0], shooter.windows[1]
    port = noisy_host(shooter, alice, DP_AVERAGE)
    gather(alice, dana, port, 6)
    shooter.shoot(dana, "10-lobby-privacy-budget")
    alice.lobby.start_button.click()
    shooter.on(dana, dana.value)
    shooter.shoot(dana, "10-value-privacy-budget")
    for window, value in ((alice, "3000"), (dana, "3400")):
        shooter.on(window, window.value)
        window.value.field.setText(value)
        window.value.submit_button.click()
    shooter.on(dana, dana.result)
    shooter.shoot(dana, "11-result-noisy-average")


def kind_host(
    shooter: Shooter,
    alice: MainWindow,
    kind: str,
    title: str,
    opts: str = "",
    shot: str = "",
    epsilon: float = 0.0,
) -> int:
    """Alice hosts ``kind`` from Home (``opts``: the options, one per line)."""
    alice.show_page(alice.home)
    alice.home.host_button.click()
    setup = alice.host_setup
    setup.prefill(title, "min" if kind in (SPREAD, DP_SPREAD) else "", "0", "120")
    setup.kind.setCurrentIndex(setup.kind.findData(kind))
    setup.options.setPlainText(opts)
    setup.tag.setText("team")
    if kind == CHOICE:
        setup.epsilon.set_value(3.0)
    if epsilon:
        setup.epsilon.set_value(epsilon)
    wait_until(setup.start_button.isEnabled)
    if shot:
        alice.resize(SETUP_SIZE)
        shooter.shoot(alice, shot)
        alice.resize(SIZE)
    setup.start_button.click()
    wait_until(lambda: ":" in alice.lobby.where.text())
    return int(alice.lobby.where.text().rsplit(":", 1)[1].split("<")[0])


def answer(shooter: Shooter, window: MainWindow, *picks: int, typed: str = "") -> None:
    shooter.on(window, window.value)
    if typed:
        window.value.field.setText(typed)
    for index in picks:
        window.value.group.button(index).click()
    window.value.submit_button.click()


LUNCH = "Pizza Roma\nSushi bar\nThai kitchen\nFalafel stand"


def vote_session(shooter: Shooter) -> None:
    alice, dana = shooter.windows[0], shooter.windows[1]
    dana.show_page(dana.home)
    port = kind_host(
        shooter, alice, VOTE, "Where do we go for the team lunch?", LUNCH, "12-host-setup-vote"
    )
    gather(alice, dana, port, 4)
    alice.lobby.start_button.click()
    shooter.on(dana, dana.value)
    dana.value.group.button(1).click()
    shooter.shoot(dana, "12-value-vote")
    dana.value.submit_button.click()
    answer(shooter, alice, 1)
    shooter.on(alice, alice.result)
    shooter.shoot(alice, "12-result-vote")
    alice.result.home_button.click()
    dana.result.home_button.click()


def poll_session(shooter: Shooter) -> None:
    alice, dana = shooter.windows[0], shooter.windows[1]
    port = kind_host(shooter, alice, POLL, "Did you take all your leave last year?")
    gather(alice, dana, port, 6)
    alice.lobby.start_button.click()
    shooter.on(dana, dana.value)
    dana.value.group.button(0).click()
    shooter.shoot(dana, "13-value-poll")
    dana.value.submit_button.click()
    answer(shooter, alice, 1)
    shooter.on(dana, dana.result)
    shooter.shoot(dana, "13-result-poll")
    alice.result.home_button.click()
    dana.result.home_button.click()


def choice_session(shooter: Shooter) -> None:
    alice, dana = shooter.windows[0], shooter.windows[1]
    port = kind_host(
        shooter,
        alice,
        CHOICE,
        "Which day suits you for the offsite?",
        "Monday\nTuesday\nWednesday\nThursday",
    )
    gather(alice, dana, port, 6)
    alice.lobby.start_button.click()
    shooter.on(dana, dana.value)
    for index in (1, 2):
        dana.value.group.button(index).click()
    shooter.shoot(dana, "14-value-choice")
    dana.value.submit_button.click()
    answer(shooter, alice, 1, 3)
    shooter.on(alice, alice.result)
    shooter.shoot(alice, "14-result-choice")
    alice.result.home_button.click()
    dana.result.home_button.click()


def spread_session(shooter: Shooter) -> None:
    alice, dana = shooter.windows[0], shooter.windows[1]
    port = kind_host(shooter, alice, SPREAD, "How many minutes is your commute?")
    gather(alice, dana, port, 4)
    alice.lobby.start_button.click()
    answer(shooter, alice, typed="25")
    answer(shooter, dana, typed="70")
    shooter.on(dana, dana.result)
    shooter.shoot(dana, "15-result-spread")


def rerun_session(shooter: Shooter) -> None:
    """Protocol 3 screens: the code changing as someone joins, and a re-run that waits
    for the host person's own word before her kept answer goes out again."""
    alice, dana = shooter.windows[0], shooter.windows[1]
    port = host(shooter, alice, shoot=False)
    alice.flow.demo = alice.engine.demo_peers(port, 2)
    wait_until(lambda: len(alice.lobby.pending_names()) == 2)
    alice.lobby.admit_all_button.click()
    wait_until(lambda: len(alice.lobby.names) == 3 and bool(alice.flow.current.code))  # type: ignore[union-attr]
    dana.home.address.setText(f"127.0.0.1:{port}")
    dana.home.join_button.click()
    wait_until(lambda: alice.lobby.pending_names() == ["Dana"])
    alice.lobby.admit_all_button.click()
    wait_until(
        lambda: "compare it again" in alice.lobby.note.text() and not alice.lobby.pending_names()
    )
    shooter.shoot(alice, "16-lobby-code-changed")
    alice.lobby.start_button.click()
    shooter.on(alice, alice.value)
    alice.value.field.setText("3000")
    alice.value.submit_button.click()
    shooter.on(dana, dana.value)
    current = dana.flow.current
    assert current is not None
    current.handle.leave()  # Dana's app goes away mid-round
    shooter.on(alice, alice.notice)
    alice.notice.click("Run again without Dana")
    wait_until(lambda: "Take part again" in alice.notice.button_texts())
    shooter.shoot(alice, "16-rerun-take-part")
    alice.notice.click("Take part again")
    shooter.on(alice, alice.result)
    shooter.shoot(alice, "16-result-code")
    alice.result.home_button.click()


def small_screen(shooter: Shooter) -> None:
    """At 640×480 the page scrolls under a button row that stays in sight (issue 17)."""
    alice = shooter.windows[0]
    alice.show_page(alice.home)
    alice.resize(SMALL)
    alice.home.host_button.click()
    setup = alice.host_setup
    setup.prefill("What was your 2026 raise?", "EUR", "0", "10000")
    setup.kind.setCurrentIndex(setup.kind.findData(HISTOGRAM))
    wait_until(lambda: "±" in setup.privacy_message.text())
    shooter.shoot(alice, "17-small-host-setup")
    setup.kind.setCurrentIndex(setup.kind.findData(AVERAGE))
    setup.start_button.click()
    wait_until(lambda: ":" in alice.lobby.where.text())
    port = int(alice.lobby.where.text().rsplit(":", 1)[1].split("<")[0])
    alice.flow.demo = alice.engine.demo_peers(port, 3)
    wait_until(lambda: len(alice.lobby.pending_names()) == 3)
    alice.lobby.admit_all_button.click()
    wait_until(lambda: alice.lobby.start_button.isEnabled() and len(alice.lobby.names) == 4)
    shooter.shoot(alice, "17-small-lobby")
    alice.flow.go_home()
    alice.resize(SIZE)


def noisy_kinds_session(shooter: Shooter) -> None:
    """A noisy vote, a vote's outcome only and a noisy spread, with eight people."""
    alice, dana = shooter.windows[0], shooter.windows[1]
    lunch, commute = "Where do we go for the team lunch?", "How many minutes is your commute?"
    for kind, title, opts, shot in (
        (DP_VOTE, lunch, LUNCH, "18-result-dp-vote"),
        (VOTE_OUTCOME, lunch, LUNCH, "18-result-vote-outcome"),
        (DP_SPREAD, commute, "", "18-result-dp-spread"),
    ):
        alice.show_page(alice.home)
        dana.show_page(dana.home)
        port = kind_host(shooter, alice, kind, title, opts, epsilon=3.0)
        gather(alice, dana, port, 6)
        alice.lobby.start_button.click()
        if opts:
            answer(shooter, alice, 1)
            answer(shooter, dana, 1)
        else:
            answer(shooter, alice, typed="25")
            answer(shooter, dana, typed="70")
        shooter.on(alice, alice.result)
        shooter.shoot(alice, shot)
        alice.result.home_button.click()
        dana.result.home_button.click()


def median_session(shooter: Shooter) -> None:
    """The median and quartiles: set up with its bars and ε, and its result with ten people."""
    alice, dana = shooter.windows[0], shooter.windows[1]
    alice.show_page(alice.home)
    dana.show_page(dana.home)
    alice.home.host_button.click()
    setup = alice.host_setup
    setup.prefill("What is your monthly gross pay?", "EUR", "2000", "8000")
    setup.kind.setCurrentIndex(setup.kind.findData("median"))
    setup.bars.count.setValue(6)
    setup.epsilon.set_value(4.0)  # ten people: ε = 1 would leave the median anywhere
    setup.tag.setText("salary")
    wait_until(lambda: "places below the middle" in setup.privacy_message.text())
    alice.resize(SETUP_SIZE)
    shooter.shoot(alice, "19-host-setup-median")
    alice.resize(SIZE)
    setup.start_button.click()
    wait_until(lambda: ":" in alice.lobby.where.text())
    port = int(alice.lobby.where.text().rsplit(":", 1)[1].split("<")[0])
    gather(alice, dana, port, 8)
    alice.lobby.start_button.click()
    answer(shooter, alice, typed="4100")
    answer(shooter, dana, typed="5200")
    shooter.on(dana, dana.result)
    shooter.shoot(dana, "19-result-median")
    alice.result.home_button.click()
    dana.result.home_button.click()


def rejected_session(shooter: Shooter) -> None:
    """Mallory's modified app sends a forged answer (10^15 on 0–10000): the round stops
    on every screen, and the host is offered to remove her before running it again."""
    alice, dana = shooter.windows[0], shooter.windows[1]
    alice.show_page(alice.home)
    dana.show_page(dana.home)
    port = host(shooter, alice, shoot=False)
    alice.flow.demo = alice.engine.demo_peers(port, 2)
    wait_until(lambda: len(alice.lobby.pending_names()) == 2)
    dana.home.address.setText(f"127.0.0.1:{port}")
    dana.home.join_button.click()
    wait_until(lambda: len(alice.lobby.pending_names()) == 3)
    mallory = subprocess.Popen(
        [sys.executable, "-m", "tests.cheats", "forged-answer", "join", f"127.0.0.1:{port}",
         "--name", "Mallory", "--value", "5", "--take-part-again"],
        cwd=OUT.parents[1], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        wait_until(lambda: len(alice.lobby.pending_names()) == 4)
        alice.lobby.admit_all_button.click()
        wait_until(lambda: alice.lobby.start_button.isEnabled() and len(alice.lobby.names) == 5)
        alice.lobby.start_button.click()
        answer(shooter, alice, typed="3000")
        answer(shooter, dana, typed="3400")
        shooter.on(alice, alice.notice)
        shooter.on(dana, dana.notice)
        shooter.shoot(alice, "20-round-rejected-host")
        shooter.shoot(dana, "20-round-rejected-joiner")
        alice.flow.go_home()
        dana.flow.go_home()
        mallory.wait(timeout=20)
    finally:
        if mallory.poll() is None:
            mallory.kill()


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else OUT)
