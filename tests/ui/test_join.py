"""Joining: by typed address (the fallback when discovery shows nothing), from the list, refused."""

from __future__ import annotations

import os
import socket
import uuid
from dataclasses import replace

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from pytestqt.qtbot import QtBot

from huddle.core.advert import Advert
from huddle.core.codec import PROTOCOL_VERSION
from huddle.core.invite import encode_fingerprint
from huddle.core.questions import Question
from huddle.net.discovery import FoundSession
from huddle.ui.engine import HostHandle
from huddle.ui.main_window import MainWindow
from tests.strangers import Stranger
from tests.ui.conftest import WindowFactory, host, on_page, press, roster, type_into

QUIZ = Question(title="Cups of coffee today", lo="0", hi="20")


def closed_port() -> int:
    """A port on 127.0.0.1 that nobody listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def test_typed_address_errors_then_joining_with_enter(
    qtbot: QtBot, make_window: WindowFactory
) -> None:
    alice, bob = make_window("Alice"), make_window("Bob")
    home = bob.home
    type_into(qtbot, home.address, "the big meeting room")
    qtbot.keyClick(home.address, Qt.Key.Key_Return)
    assert home.address_message.text().startswith("Type the address and port the host sees")
    assert home.address.accessibleDescription() == home.address_message.text()

    dead = closed_port()
    type_into(qtbot, home.address, f"127.0.0.1:{dead}")
    assert not home.address_message.isVisible()  # typing clears the old message
    qtbot.keyClick(home.address, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "Nothing is listening" in home.address_message.text())
    assert home.address_message.text() == (
        f"Nothing is listening at 127.0.0.1:{dead}. The session may have closed; "
        "check the address and port with the host."
    )
    assert home.join_button.text() == "Join" and home.join_button.isEnabled()
    assert bob.current_page() is home

    port = host(qtbot, alice, QUIZ)
    type_into(qtbot, home.address, f"127.0.0.1:{port}")
    qtbot.keyClick(home.address, Qt.Key.Key_Return)
    on_page(qtbot, bob, bob.lobby)
    assert bob.lobby.status.text() == "Waiting for Alice to let you in…"
    assert "You joined by address only: nothing but the security code" in bob.lobby.where.text()
    assert not bob.lobby.lists.isVisible()  # nothing to see before being let in
    assert bob.settings.value("address") == f"127.0.0.1:{port}"

    qtbot.waitUntil(lambda: alice.lobby.pending_names() == ["Bob"])
    press(alice.lobby, "Reject Bob")
    on_page(qtbot, bob, bob.notice)
    assert bob.notice.title.text() == "You could not join"
    assert bob.notice.reason.text() == "The host did not admit you."
    qtbot.waitUntil(lambda: alice.lobby.pending_names() == [])


def found_session(window: MainWindow, *, fingerprint: bytes | None = None) -> FoundSession:
    """What discovery would report for the session ``window`` hosts on 127.0.0.1."""
    current = window.flow.current
    assert current is not None and isinstance(current.handle, HostHandle)
    engine = current.handle.engine
    advert = Advert(
        protocol_version=PROTOCOL_VERSION,
        session_id=engine.session.session_id,
        title=current.handle.question.title,
        host_name="Alice",
        state="open",
        joined=1,
        fingerprint=fingerprint or engine.certificate.fingerprint,
    )
    return FoundSession("Cups._huddle._tcp.local.", advert, ("127.0.0.1",), engine.port)


def test_joining_from_the_nearby_list_pins_the_advertised_certificate(
    qtbot: QtBot, make_window: WindowFactory
) -> None:
    alice, bob = make_window("Alice"), make_window("Bob")
    host(qtbot, alice, QUIZ)
    home = bob.home
    assert home.nearby.currentWidget() is home.empty
    impostor = found_session(alice, fingerprint=bytes(32))
    home.model.upsert(impostor)
    assert home.nearby.currentWidget() is home.sessions
    home.sessions.setCurrentIndex(home.model.index(0))
    home.join_selected.click()
    qtbot.waitUntil(lambda: "certificate" in home.list_message.text(), timeout=10_000)
    assert bob.current_page() is home

    home.model.upsert(found_session(alice))  # the same key, now with the real fingerprint
    assert home.model.rowCount() == 1
    home.sessions.setCurrentIndex(home.model.index(0))
    qtbot.keyClick(home.sessions, Qt.Key.Key_Return)  # Enter on a row joins it
    on_page(qtbot, bob, bob.lobby)
    assert bob.lobby.where.text().endswith("<b>Alice</b>.")

    home.model.upsert(
        replace(found_session(alice), advert=replace(impostor.advert, state="started"))
    )
    assert not home.model.flags(home.model.index(0)) & Qt.ItemFlag.ItemIsEnabled
    assert not home.join_selected.isEnabled()  # a started session cannot be joined
    home.model.remove("Cups._huddle._tcp.local.")
    assert home.nearby.currentWidget() is home.empty


def test_sessions_appear_by_multicast_discovery(qtbot: QtBot, make_window: WindowFactory) -> None:
    title = f"Discovery check {uuid.uuid4().hex[:8]}"
    alice = make_window("Alice", discovery=True)
    bob = make_window("Bob", discovery=True)
    host(qtbot, alice, replace(QUIZ, title=title))
    model = bob.home.model

    def row_of_title() -> int:
        titles = [model.index(r).data() for r in range(model.rowCount())]
        return titles.index(title) if title in titles else -1

    try:
        qtbot.waitUntil(lambda: row_of_title() >= 0, timeout=10_000)
    except AssertionError:
        if "not available" in bob.home.empty_title.text():
            pytest.skip(f"no multicast here: {bob.home.empty_text.text()}")
        raise
    index = model.index(row_of_title())
    assert model.data(index, Qt.ItemDataRole.AccessibleTextRole) == (
        f"{title}. Hosted by Alice · 1 person in"
    )
    bob.home.sessions.setCurrentIndex(index)
    bob.home.join_selected.click()
    on_page(qtbot, bob, bob.lobby)
    qtbot.waitUntil(lambda: alice.lobby.pending_names() == ["Bob"])
    press(alice.lobby, "Admit Bob")
    qtbot.waitUntil(lambda: roster(bob) == ["Alice (host)", "Bob (you)"])
    qtbot.waitUntil(
        lambda: (
            model.data(model.index(row_of_title()))
            and "2 people"
            in str(model.data(model.index(row_of_title()), Qt.ItemDataRole.AccessibleTextRole))
        ),
        timeout=10_000,
    )


# --- invites ----------------------------------------------------------------------


def test_the_host_copies_an_invite_that_joins_with_its_certificate_pinned(
    qtbot: QtBot, make_window: WindowFactory
) -> None:
    alice, bob, carol = make_window("Alice"), make_window("Bob"), make_window("Carol")
    port = host(qtbot, alice, QUIZ)
    current = alice.flow.current
    assert current is not None and isinstance(current.handle, HostHandle)
    code = encode_fingerprint(current.handle.engine.certificate.fingerprint)
    alice.lobby.invite_button.click()
    invite = QGuiApplication.clipboard().text()
    assert invite == f"huddle join 127.0.0.1:{port}#{code}"
    assert alice.lobby.note.text().startswith("Invite copied.")

    forged = f"127.0.0.1:{port}#{encode_fingerprint(os.urandom(32))}"
    type_into(qtbot, carol.home.address, forged)
    qtbot.keyClick(carol.home.address, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "Someone may be intercepting" in carol.home.address_message.text())
    assert carol.home.address_message.text().startswith(
        f"The session at 127.0.0.1:{port} is not the one you were invited to"
    )
    assert carol.current_page() is carol.home

    type_into(qtbot, bob.home.address, invite)  # the host's whole line, as copied
    qtbot.keyClick(bob.home.address, Qt.Key.Key_Return)
    on_page(qtbot, bob, bob.lobby)
    assert bob.lobby.where.text().endswith("<b>Alice</b>.")  # no address-only warning
    assert not bob.lobby.invite_button.isVisible()  # only a host hands out invites
    qtbot.waitUntil(lambda: alice.lobby.pending_names() == ["Bob"])  # Carol never got there
    assert bob.settings.value("address") == f"127.0.0.1:{port}"  # a pin is for one session


@pytest.mark.parametrize("kind", ["http", "https"])
def test_an_address_that_is_not_a_huddle_session_is_said_plainly(
    qtbot: QtBot, make_window: WindowFactory, kind: str
) -> None:
    bob = make_window("Bob")
    with Stranger(kind) as stranger:
        type_into(qtbot, bob.home.address, f"127.0.0.1:{stranger.port}")
        qtbot.keyClick(bob.home.address, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: "answered" in bob.home.address_message.text(), timeout=10_000)
    assert bob.home.address_message.text() == (
        f"That address (127.0.0.1:{stranger.port}) answered, but not as a Huddle session. "
        "Check the address and port with the host."
    )
    assert bob.current_page() is bob.home and bob.home.join_button.text() == "Join"


# --- sessions that have gone --------------------------------------------------------


def gone_session(title: str) -> FoundSession:
    """An announcement still cached for a host that is no longer there."""
    advert = Advert(PROTOCOL_VERSION, os.urandom(16), title, "Zed", "open", 2, bytes(32))
    return FoundSession(f"{title}._huddle._tcp.local.", advert, ("127.0.0.1",), closed_port())


def test_sessions_that_do_not_answer_are_greyed_last_and_never_preselected(
    qtbot: QtBot, make_window: WindowFactory
) -> None:
    alice, bob = make_window("Alice"), make_window("Bob")
    host(qtbot, alice, QUIZ)
    home, model = bob.home, bob.home.model
    bob.flow.prober.timer.setInterval(200)
    live = found_session(alice)
    model.upsert(gone_session("Aardvark talk"))  # sorts first by title
    model.upsert(live)
    qtbot.waitUntil(lambda: model.index(1).data() == "Aardvark talk")
    assert not model.flags(model.index(1)) & Qt.ItemFlag.ItemIsEnabled
    assert model.data(model.index(1), Qt.ItemDataRole.AccessibleTextRole) == (
        "Aardvark talk. Hosted by Zed · not answering: it has probably ended"
    )
    assert home.found_selected() == live and home.join_selected.isEnabled()

    alice.flow.go_home()  # the host closes: its record would linger for minutes
    qtbot.waitUntil(lambda: home.found_selected() is None, timeout=5_000)
    assert not home.join_selected.isEnabled()
    assert model.rowCount() == 2  # listed, greyed; they come back if they answer again


def test_a_listed_session_that_has_gone_is_explained_without_address_advice(
    qtbot: QtBot, make_window: WindowFactory
) -> None:
    bob = make_window("Bob")
    gone = gone_session("Standup")
    bob.home.model.upsert(gone)
    assert bob.home.found_selected() == gone  # picked before any check has answered
    bob.home.join_selected.click()
    message = bob.home.list_message
    qtbot.waitUntil(lambda: "no longer there" in message.text())
    assert message.text() == (
        f"This session is no longer there: nothing is listening at 127.0.0.1:{gone.port} "
        "any more. Its host has probably closed it."
    )
    qtbot.waitUntil(lambda: bob.home.found_selected() is None)  # and it greys out
