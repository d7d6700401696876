"""One session at a time: the door's events in, screens out.

`SessionFlow` owns the current host or join handle and turns the events the
door reports (on the GUI thread, via the bridge) into what the screens show.
Events from a handle that is no longer current (a session we left) are ignored.
It drives the pages it is given (`Pages`) and asks the window around it only
for what `SessionWindow` lists.
"""

from __future__ import annotations

import concurrent.futures
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QWidget

from huddle.net.facade import (
    Event,
    FoundSession,
    InputError,
    Invite,
    JoinRequested,
    Listening,
    PrivacySpent,
    ProgressChanged,
    Question,
    ResultReady,
    RosterChanged,
    RoundAborted,
    RoundStarted,
    SessionEnded,
    Welcomed,
    lan_addresses,
    prepare_answer,
)
from huddle.ui import stops, texts
from huddle.ui.bridge import EngineBridge
from huddle.ui.engine import Engine, EngineFailed, HostHandle, JoinHandle
from huddle.ui.home import HomePage
from huddle.ui.lobby import LobbyPage
from huddle.ui.nearby import SessionProber
from huddle.ui.notice import NoticePage
from huddle.ui.privacy import PrivacyLedger
from huddle.ui.progress import ProgressPage
from huddle.ui.result import ResultPage
from huddle.ui.session_state import Current, Stage, next_stage
from huddle.ui.value import ValuePage

PENDING_POLL_MS = 1000
"""How often the host's list of people waiting to join is refreshed (they may give up)."""


class SessionWindow(Protocol):
    """What a session asks of the window around it (`MainWindow` is one)."""

    def show_page(self, page: QWidget, session_title: str | None = None) -> None:
        """Put ``page`` on screen; the title names the session's question."""

    def display_name(self) -> str:
        """The name this person goes by in sessions."""

    def remember_address(self, endpoint: str) -> None:
        """Keep ``endpoint`` for the next time someone joins by address."""

    def hosting_failed(self, reason: str) -> None:
        """A hosted session could not start: back to its settings, saying why."""

    def confirm(self, ask: texts.Ask) -> bool:
        """Ask before something that cannot be undone; True to go ahead."""

    def confirm_close_session(self) -> bool:
        """Ask a host whether to send everyone in the lobby home; True to close."""


@dataclass(frozen=True, slots=True)
class Pages:
    """The screens a session fills in."""

    home: HomePage
    lobby: LobbyPage
    value: ValuePage
    progress: ProgressPage
    result: ResultPage
    notice: NoticePage


@dataclass(frozen=True, slots=True)
class HostOptions:
    """Where hosted sessions listen (None: everywhere), whether they are announced on
    the LAN, and how many sample colleagues join them (``huddle --demo-peers``)."""

    bind: str | None = None
    announce: bool = True
    demo_peers: int = 0


class SessionFlow(QObject):
    """Drives the session screens: one session at a time, hosted or joined."""

    def __init__(
        self,
        window: SessionWindow,
        pages: Pages,
        *,
        engine: Engine,
        bridge: EngineBridge,
        ledger: PrivacyLedger,
        options: HostOptions,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.window, self.pages, self.options = window, pages, options
        self.engine, self.bridge, self.ledger = engine, bridge, ledger
        self.current: Current | None = None
        self.demo: list[JoinHandle] = []
        self._handlers: dict[type, Callable[[Current, Any], None]] = {
            Listening: self._on_listening,
            EngineFailed: self._on_engine_failed,
            Welcomed: self._on_welcomed,
            JoinRequested: self._on_join_requested,
            RosterChanged: self._on_roster_changed,
            RoundStarted: self._on_round_started,
            ProgressChanged: self._on_progress_changed,
            ResultReady: self._on_result_ready,
            RoundAborted: self._on_round_aborted,
            SessionEnded: self._on_session_ended,
        }
        # Ledger first: ε is written on the engine thread, before the noisy partial
        # sum that spends it leaves, not when (or if) a result arrives.
        engine.on_spend = self._record_spending
        self._poll = QTimer(self)
        self._poll.setInterval(PENDING_POLL_MS)
        self._poll.timeout.connect(self._refresh_pending)
        lobby, value = pages.lobby, pages.value
        lobby.admit.connect(self._admit)
        lobby.reject.connect(self._reject)
        lobby.admit_all.connect(self._admit_all)
        lobby.start.connect(self._start_round)
        lobby.leave.connect(self._leave_lobby)
        value.submitted.connect(self._submit)
        value.cancel.connect(self._cancel_round)
        pages.progress.cancel.connect(self._cancel_round)
        pages.result.home.connect(self.go_home)
        pages.home.join_invite.connect(self.join_invite)
        self.prober = SessionProber(pages.home.model, engine.probe, bridge)

    # --- starting --------------------------------------------------------------

    def host(self, question: Question, contributes: bool) -> None:
        me = self.window.display_name()
        handle = self.engine.host(question, me, contributes=contributes, bind=self.options.bind)
        self.current = Current(handle, me, question, me, stage=Stage.LOBBY)
        self.pages.lobby.open_hosting(question, me)
        if contributes:
            self._show_budget(question)
        self.window.show_page(self.pages.lobby, question.title)
        self._poll.start()

    def join_address(self, host: str, port: int) -> None:
        """Join at a bare address: nothing is pinned, so the lobby says so."""
        invite = Invite(host, port)
        me = self.window.display_name()
        self._join(Current(self.engine.join_invite(invite, me), me, pinned=False), invite.endpoint)

    def join_invite(self, invite: Invite) -> None:
        """Join with the host's invite: any other certificate is refused."""
        self.window.remember_address(invite.endpoint)  # a pin is for one session only
        me = self.window.display_name()
        self._join(Current(self.engine.join_invite(invite, me), me), invite.endpoint)

    def join_found(self, found: FoundSession) -> None:
        me = self.window.display_name()
        self._join(Current(self.engine.join_found(found, me), me), found.advert.title)

    def _join(self, current: Current, where: str) -> None:
        self.current = current
        self.pages.home.set_connecting(where)

    def cancel_join(self) -> None:
        if self.current is not None and self.current.stage is Stage.CONNECTING:
            self.end()

    # --- events --------------------------------------------------------------------

    def on_event(self, handle: object, event: Event) -> None:
        current = self.current
        if current is None or handle is not current.handle:
            return  # a session we already left
        before, current.stage = current.stage, next_stage(current.stage, event)
        handler = self._handlers.get(type(event))
        if handler is not None:
            handler(current, event)
        if before is Stage.WAITING and current.stage is Stage.LOBBY:
            self.pages.lobby.set_admitted()  # the host let us in

    def _on_listening(self, current: Current, event: Listening) -> None:
        loopback = self.options.bind == "127.0.0.1"
        addresses = (["127.0.0.1"] if loopback else lan_addresses()) or ["127.0.0.1"]
        self.pages.lobby.set_listening(addresses, event.port)
        self.pages.lobby.set_invite(Invite(addresses[0], event.port, event.fingerprint).command())
        self.pages.lobby.set_roster(current.names, event.code)
        if self.options.announce and isinstance(current.handle, HostHandle):
            self._advertise(current.handle, ["127.0.0.1"] if loopback else None)
        if self.options.demo_peers:
            self._start_demo(event.port, self.options.demo_peers)

    def _advertise(self, handle: HostHandle, addresses: list[str] | None) -> None:
        def unannounced(exc: BaseException) -> None:
            self.pages.lobby.show_problem(
                self.tr(
                    "This session could not be announced on the network ({reason}). "
                    "Colleagues can still join with the address above."
                ).format(reason=exc)
            )

        self.bridge.when_done(handle.advertise(addresses), on_error=unannounced)

    def _start_demo(self, port: int, count: int) -> None:
        self.demo = self.engine.demo_peers(port, count)
        hint = (
            self.tr("Demo: a sample colleague is joining from this computer.")
            if count == 1
            else self.tr("Demo: %n sample colleagues are joining from this computer.", "", count)
        )
        self.pages.lobby.show_note(
            hint + " " + self.tr("Admit them, compare the code, then start.")
        )

    def _on_engine_failed(self, current: Current, event: EngineFailed) -> None:
        self.end()
        self.window.hosting_failed(event.reason)

    def _on_welcomed(self, current: Current, event: Welcomed) -> None:
        current.question, current.host_name = event.question, event.host_name
        self.pages.home.join_done()
        self.pages.lobby.open_joined(event.question, event.host_name, current.me)
        if not current.pinned:
            self._warn_unpinned(current)
        self._show_budget(event.question)
        self.window.show_page(self.pages.lobby, event.question.title)

    def _on_join_requested(self, current: Current, event: JoinRequested) -> None:
        self._refresh_pending()

    def _on_roster_changed(self, current: Current, event: RosterChanged) -> None:
        current.names, current.code = event.names, event.code
        self.pages.lobby.set_roster(event.names, event.code, event.note)
        if event.changed:
            # A new roster has a new code (fresh nonces): the comparison starts over.
            changed = self.tr("The security code changed: compare it again.")
            self.pages.lobby.show_note(
                f"{event.note}. {changed}" if event.note else changed, "warn"
            )

    def _warn_unpinned(self, current: Current) -> None:
        """Joined by a bare address: say, under "Hosted by…", that the code is all there is."""
        warning = self.tr(
            "You joined by address only: nothing but the security code shows that this is "
            "{host}'s session, so compare it aloud before anyone types a value. An invite "
            "from the host lets Huddle check this for you."
        ).format(host=current.host_name)
        self.pages.lobby.warn_about_host(warning)

    def _on_round_started(self, current: Current, event: RoundStarted) -> None:
        assert current.question is not None
        current.names, current.progress = event.names, ((), (), event.names)
        self._poll.stop()
        self.pages.progress.begin(event.names, current.me)
        if event.rerun and not event.needs_value:
            self._ask_to_take_part(current, event)
        elif event.needs_value:
            budget = self._budget(current.question)
            self.pages.value.ask(current.question, event.names, current.me, current.code, budget)
            self.window.show_page(self.pages.value)
        else:
            self.window.show_page(self.pages.progress)

    def _ask_to_take_part(self, current: Current, event: RoundStarted) -> None:
        """A re-run: the app kept the answer, but sends it only if the person says so."""
        self.pages.notice.show_notice(
            stops.rerun_question(
                event.names,
                current.code,
                take_part=self._take_part,
                change=lambda: self._change_answer(event),
                cancel=self._ask_cancel_round,
            )
        )
        self.window.show_page(self.pages.notice)

    def _take_part(self) -> None:
        current = self.current
        if current is None:
            return
        self.window.show_page(self.pages.progress)
        self.bridge.when_done(current.handle.take_part(), lambda _: None, self._host_problem)

    def _change_answer(self, event: RoundStarted) -> None:
        current = self.current
        if current is None or current.question is None:
            return
        budget = self._budget(current.question)
        self.pages.value.ask(current.question, event.names, current.me, current.code, budget)
        self.window.show_page(self.pages.value)

    def _on_progress_changed(self, current: Current, event: ProgressChanged) -> None:
        self.pages.progress.update_progress(event.summed, event.waiting_for)

    def _on_result_ready(self, current: Current, event: ResultReady) -> None:
        code = event.code or current.code  # the transcript's code, the same on every screen
        self.pages.result.show_outcome(event.outcome, current.mine, code, current.sent)
        self._record(current, event.outcome.question)
        self.window.show_page(self.pages.result)

    # --- privacy ledger --------------------------------------------------------------

    def _budget(self, question: Question) -> str:
        return self.ledger.already_spent(question) if question.release_epsilon else ""

    def _show_budget(self, question: Question) -> None:
        if question.release_epsilon:
            self.pages.lobby.show_privacy(self._budget(question))

    def _record_spending(self, event: PrivacySpent) -> None:
        """On the engine thread: write ε to the ledger now; the result page shows the note."""
        note = self.ledger.record(event.question, event.epsilon)
        current = self.current
        if current is not None:
            current.ledger_note = note

    def _record(self, current: Current, question: Question) -> None:
        """Show what the ledger said when this person's ε was written (before sending)."""
        if question.release_epsilon and current.ledger_note:
            self.pages.result.set_ledger_note(current.ledger_note)

    def _on_round_aborted(self, current: Current, event: RoundAborted) -> None:
        self.pages.value.clear()
        if event.closed:
            notice = stops.question_closed(event, hosting=current.hosting, leave=self.go_home)
        elif current.hosting:
            self._poll.start()
            needed = current.question.min_participants if current.question else 0
            choices = stops.HostChoices(
                self.go_home,
                self._back_to_lobby,
                self._start_round,
                self._remove_and_run_again,
                self._remove_and_go_to_lobby,
            )
            notice = stops.host_round_stopped(event, current.names, needed, choices, me=current.me)
        else:
            notice = stops.joiner_round_stopped(event, leave=self.go_home)
        self.pages.notice.show_notice(notice)
        self.window.show_page(self.pages.notice)

    def _on_session_ended(self, current: Current, event: SessionEnded) -> None:
        stage = current.stage
        if stage is Stage.CONNECTING:
            self.pages.home.show_join_error(event.reason)  # next to what started it
        self.end()
        if stage in (Stage.CONNECTING, Stage.DONE):
            return  # the reason is next to the address; or the result stays on screen
        self.pages.notice.show_notice(stops.session_ended(stage, event.reason, home=self.go_home))
        self.window.show_page(self.pages.notice)

    # --- what the person does --------------------------------------------------------

    def _admit(self, conn: int) -> None:
        self._host_call(lambda h: h.admit(conn))

    def _reject(self, conn: int) -> None:
        self._host_call(lambda h: h.reject(conn))

    def _admit_all(self) -> None:
        self._host_call(lambda h: h.admit_all())

    def _start_round(self) -> None:
        self._host_call(lambda h: h.start_round())

    def _remove_and_run_again(self, names: tuple[str, ...]) -> None:
        """After a failed check: remove whom it points at, then run again once the new
        roster's security code is ready (each person is still asked before their answer
        goes out again, and sees the new code to compare)."""
        self._host_call(lambda h: h.remove(names))
        self._start_round()  # the engine runs calls in order: after the removal

    def _remove_and_go_to_lobby(self, names: tuple[str, ...]) -> None:
        self._host_call(lambda h: h.remove(names))
        self._back_to_lobby()

    def _host_call(self, call: Callable[[HostHandle], concurrent.futures.Future[None]]) -> None:
        current = self.current
        if current is None or not isinstance(current.handle, HostHandle):
            return
        future = call(current.handle)
        self.bridge.when_done(future, lambda _: self._refresh_pending(), self._host_problem)

    def _host_problem(self, exc: BaseException) -> None:
        self._refresh_pending()
        self.pages.lobby.show_problem(str(exc))
        if self.current is not None and self.current.stage is Stage.STOPPED:
            self._back_to_lobby()

    def _back_to_lobby(self) -> None:
        self.window.show_page(self.pages.lobby)

    def _leave_lobby(self) -> None:
        if self.may_end_session():
            self.go_home()

    def may_end_session(self) -> bool:
        """Whether ending what is on screen is fine, asking first if it sends people home.

        Only a host with other people in a session that has no result yet
        would strand them; everyone else just goes.
        """
        current = self.current
        if current is None or not current.hosting or current.stage is Stage.DONE:
            return True
        if len(current.names) <= 1:
            return True
        return self.window.confirm_close_session()

    def _submit(self, text: str) -> None:
        current = self.current
        if current is None or current.question is None:
            return
        try:
            answer = prepare_answer(current.question, text)
        except InputError as exc:
            self.pages.value.show_error(str(exc))
            return
        # Kept before the engine confirms: the last answer in can complete the round, and
        # the result may then arrive before the confirmation does.
        current.mine, current.sent = answer.value, answer.sent

        def accepted(_: object) -> None:
            self.pages.value.clear()
            if self.current is current and current.stage is Stage.ROUND:
                self.window.show_page(self.pages.progress)

        def refused(exc: BaseException) -> None:
            current.mine = current.sent = None
            self.pages.value.show_error(str(exc))

        self.bridge.when_done(current.handle.submit(answer), accepted, refused)

    def _cancel_round(self) -> None:
        if self.current is not None:
            self.current.handle.cancel_round()

    def _ask_cancel_round(self) -> None:
        """From the re-run question: cancelling stops the round on every screen, so ask."""
        if self.window.confirm(texts.cancel_round_ask()):
            self._cancel_round()

    def _refresh_pending(self) -> None:
        current = self.current
        if current is not None and isinstance(current.handle, HostHandle):
            self.bridge.when_done(current.handle.pending(), self._show_pending)

    def _show_pending(self, pending: dict[int, str]) -> None:
        if self.current is not None and self.current.hosting:
            self.pages.lobby.set_pending(pending)

    # --- ending --------------------------------------------------------------------

    def go_home(self) -> None:
        self.end()
        self.window.show_page(self.pages.home)

    def end(self) -> list[concurrent.futures.Future[None]]:
        """Leave or close the current session (and demo peers).

        Returns futures that are done once the goodbyes are out.
        """
        current, self.current = self.current, None
        self._poll.stop()
        self.pages.value.clear()
        futures: list[concurrent.futures.Future[None]] = []
        joins = [*self.demo]
        handle = current.handle if current is not None else None
        if isinstance(handle, HostHandle):
            futures.append(handle.close())
        elif handle is not None:
            joins.append(handle)
        for join in joins:
            join.leave()
            futures.append(join.finished)
        self.demo = []
        self.pages.home.join_done()
        return futures
