"""The main window: one stack of screens, the engine, discovery and remembered settings."""

from __future__ import annotations

import concurrent.futures
import contextlib
import logging

from PySide6.QtCore import QByteArray, QEvent, QSettings, QSize, Qt, QTimer
from PySide6.QtGui import QCloseEvent, QShowEvent
from PySide6.QtWidgets import QMainWindow, QMessageBox, QStackedWidget, QWidget

from huddle.net.facade import (
    DiscoveryEvent,
    SessionAppeared,
    SessionChanged,
    SessionGone,
    Timeouts,
)
from huddle.storage import default_display_name
from huddle.ui import texts
from huddle.ui.bridge import EngineBridge
from huddle.ui.engine import Browsing, Engine
from huddle.ui.home import HomePage
from huddle.ui.host_setup import HostSetupPage
from huddle.ui.lobby import LobbyPage
from huddle.ui.notice import NoticePage
from huddle.ui.privacy import PrivacyLedger
from huddle.ui.progress import ProgressPage
from huddle.ui.result import ResultPage
from huddle.ui.session import HostOptions, Pages, SessionFlow
from huddle.ui.value import ValuePage
from huddle.ui.widgets import Page, confirm

log = logging.getLogger(__name__)

SHUTDOWN_WAIT = 3.0
"""Seconds the window waits, when closing, for goodbyes to reach the others."""
DEMO_QUESTION = ("What was your 2026 raise?", "EUR", "0", "10000")


class MainWindow(QMainWindow):
    """Huddle's only window.

    ``discovery`` browses and advertises on the LAN (tests turn it off); ``bind``
    is where hosted sessions listen (default: everywhere); ``demo_peers`` starts
    that many headless sample colleagues once a hosted session listens; ``ledger``
    is the privacy ledger (default: the file the command line uses too).
    """

    def __init__(
        self,
        settings: QSettings,
        *,
        discovery: bool = True,
        bind: str | None = None,
        timeouts: Timeouts | None = None,
        demo_peers: int = 0,
        ledger: PrivacyLedger | None = None,
    ) -> None:
        super().__init__()
        self.settings = settings
        self.ledger = ledger or PrivacyLedger()
        """This person's privacy ledger (tests pass one in a temporary folder)."""
        self.discovery, self.bind, self.demo_peers = discovery, bind, demo_peers
        self.setWindowTitle(self.tr("Huddle"))
        self.bridge = EngineBridge(self)
        self.engine = Engine(self.bridge.session_sink, timeouts=timeouts)
        self.home = HomePage()
        self.host_setup = HostSetupPage()
        self.host_setup.ledger = self.ledger
        self.lobby = LobbyPage()
        self.value = ValuePage()
        self.progress = ProgressPage()
        self.result = ResultPage()
        self.notice = NoticePage()
        self.stack = QStackedWidget()
        for page in self._pages():
            self.stack.addWidget(page)  # each page scrolls its own body, above its buttons
        self.setCentralWidget(self.stack)
        self.flow = SessionFlow(
            self,
            Pages(self.home, self.lobby, self.value, self.progress, self.result, self.notice),
            engine=self.engine,
            bridge=self.bridge,
            ledger=self.ledger,
            options=HostOptions(bind, discovery, demo_peers),
            parent=self,
        )
        self.bridge.session_event.connect(self.flow.on_event, Qt.ConnectionType.QueuedConnection)
        self._connect_pages()
        self.browsing: Browsing | None = None
        self._shut_down = False
        if discovery:
            self._browse()
        self._restore()
        if demo_peers:
            self.host_setup.prefill(*DEMO_QUESTION)
            self.show_page(self.host_setup)
        else:
            self.show_page(self.home)

    def _pages(self) -> tuple[Page, ...]:
        return (
            self.home,
            self.host_setup,
            self.lobby,
            self.value,
            self.progress,
            self.result,
            self.notice,
        )

    def _connect_pages(self) -> None:
        home, setup = self.home, self.host_setup
        home.host_requested.connect(lambda: self.show_page(setup))
        home.join_address.connect(self._join_address)
        home.join_found.connect(self.flow.join_found)
        home.cancel_join.connect(self.flow.cancel_join)
        home.name_changed.connect(lambda name: self.settings.setValue("name", name))
        setup.back.connect(lambda: self.show_page(home))
        setup.start_hosting.connect(self.flow.host)
        # Enter in the lobby presses its default button, "Start the round", when the
        # host can (a joiner has none to press).
        self.lobby.on_enter()

    def _join_address(self, host: str, port: int) -> None:
        self.remember_address(f"{host}:{port}" if ":" not in host else f"[{host}]:{port}")
        self.flow.join_address(host, port)

    # --- what a session asks of the window (`session.SessionWindow`) -----------------

    def display_name(self) -> str:
        return self.home.display_name()

    def remember_address(self, endpoint: str) -> None:
        self.settings.setValue("address", endpoint)

    def hosting_failed(self, reason: str) -> None:
        self.host_setup.problem.show_message(reason)
        self.show_page(self.host_setup)

    def confirm(self, ask: texts.Ask) -> bool:
        return confirm(self, ask)

    def confirm_close_session(self) -> bool:
        answer = QMessageBox.question(
            self,
            self.tr("Close the session?"),
            self.tr("Close the session? Everyone in the lobby will be sent home."),
            QMessageBox.StandardButton.Close | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        return answer == QMessageBox.StandardButton.Close

    # --- screens -----------------------------------------------------------------

    def show_page(self, page: QWidget, session_title: str | None = None) -> None:
        """Show ``page``; the window title names the session's question, never a value."""
        self.stack.setCurrentWidget(page)
        if page is self.home:
            self.setWindowTitle(self.tr("Huddle"))
        elif session_title is not None:
            self.setWindowTitle(self.tr("{title} — Huddle").format(title=session_title))
        self._focus_page()

    def _focus_page(self) -> None:
        page = self.current_page()
        if isinstance(page, Page):
            page.focus_first()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._focus_page()  # the first screen was chosen before the window existed on screen

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.ActivationChange and self.isActiveWindow():
            # Qt restores the focus after this event and, as the focus did not move by
            # Tab, hides the ring round the focused control until the first Tab.
            QTimer.singleShot(0, self._show_focus)

    def _show_focus(self) -> None:
        """Draw the focus ring round the focused control (see `Page.focus_first`)."""
        self.setAttribute(Qt.WidgetAttribute.WA_KeyboardFocusChange)
        focused = self.focusWidget()
        if focused is not None:
            focused.update()

    def current_page(self) -> QWidget | None:
        return self.stack.currentWidget()

    # --- discovery -----------------------------------------------------------------

    def _browse(self) -> None:
        self.browsing = self.engine.browse(self.bridge.discovery_sink)
        self.bridge.discovery.connect(self._on_discovery, Qt.ConnectionType.QueuedConnection)
        self.bridge.when_done(
            self.browsing.started,
            on_error=lambda exc: self.home.set_discovery_unavailable(
                getattr(exc, "strerror", None) or str(exc)
            ),
        )

    def _on_discovery(self, event: DiscoveryEvent) -> None:
        if isinstance(event, SessionAppeared | SessionChanged):
            self.home.model.upsert(event.found)
        elif isinstance(event, SessionGone):
            self.home.model.remove(event.key)

    # --- settings and closing ----------------------------------------------------------

    def _restore(self) -> None:
        name = self.settings.value("name", "")
        self.home.set_name(str(name) if name else default_display_name())
        self.home.address.setText(str(self.settings.value("address", "") or ""))
        geometry = self.settings.value("geometry")
        if isinstance(geometry, QByteArray | bytes) and self.restoreGeometry(geometry):
            return
        self.resize(self.sizeHint())

    def sizeHint(self) -> QSize:
        return QSize(760, 720)

    def closeEvent(self, event: QCloseEvent) -> None:
        # Only a close the person asked for (title bar, shortcut) asks back; one
        # from a signal (SIGTERM at logout) or from code goes ahead.
        if event.spontaneous() and not self.may_close():
            event.ignore()
            return
        self.settings.setValue("geometry", self.saveGeometry())
        if self.home.display_name():
            self.settings.setValue("name", self.home.display_name())
        self.settings.sync()
        self.shutdown()
        super().closeEvent(event)

    def may_close(self) -> bool:
        """Whether closing the window is fine, asking first when it would stop a round or
        send people home: a host with others in the session (the words say whether a
        round is under way), or anyone in a round, which stops for all without them."""
        current = self.flow.current
        if current is None:
            return True
        ask = texts.leave_ask(
            hosting=current.hosting, stage=current.stage, people=len(current.names)
        )
        return ask is None or confirm(self, ask)

    def shutdown(self) -> None:
        """Say goodbye in every session, stop browsing, and stop the engine thread (once)."""
        if self._shut_down:
            return
        self._shut_down = True
        futures = self.flow.end()
        if self.browsing is not None:
            futures.append(self.browsing.close())
            self.browsing = None
        for future in futures:
            with contextlib.suppress(Exception):
                future.result(timeout=SHUTDOWN_WAIT)
        with contextlib.suppress(concurrent.futures.TimeoutError):
            self.engine.shutdown()
