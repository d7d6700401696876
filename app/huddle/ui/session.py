"""One session at a time: engine events in, screens out.

`SessionFlow` owns the current host or join handle and turns the events the
engine reports (on the GUI thread, via the bridge) into what the screens show.
Events from a handle that is no longer current (a session we left) are ignored.
"""

from __future__ import annotations

import concurrent.futures
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from html import escape
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QMessageBox

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
    Response,
    ResultReady,
    RosterChanged,
    RoundAborted,
    RoundStarted,
    SessionEnded,
    Welcomed,
    lan_addresses,
    prepare_answer,
)
from huddle.ui import texts
from huddle.ui.engine import EngineFailed, HostHandle, JoinHandle
from huddle.ui.nearby import SessionProber
from huddle.ui.notice import Action, Notice
from huddle.ui.widgets import confirm

if TYPE_CHECKING:
    from huddle.ui.main_window import MainWindow

PENDING_POLL_MS = 1000
"""How often the host's list of people waiting to join is refreshed (they may give up)."""


@dataclass
class Current:
    """The session on screen. ``mine`` (your own value) lives only until you leave."""

    handle: HostHandle | JoinHandle
    me: str
    question: Question | None = None
    host_name: str = ""
    stage: str = "connecting"  # connecting, waiting, lobby, round, stopped, done
    names: tuple[str, ...] = ()
    code: str = ""
    mine: Decimal | None = None
    progress: tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]] = ((), (), ())
    ledger_note: str = ""
    """What the privacy ledger said when ε was last written to it (before sending)."""
    sent: Response | None = None
    """A poll: what this person's app did with their answer (their screen only)."""
    pinned: bool = True
    """False when joined by a bare address: only the security code vouches for the host."""

    @property
    def hosting(self) -> bool:
        return isinstance(self.handle, HostHandle)


class SessionFlow(QObject):
    """Drives the session screens of a `MainWindow`."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.w = window
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
        window.engine.on_spend = self._record_spending
        self._poll = QTimer(self)
        self._poll.setInterval(PENDING_POLL_MS)
        self._poll.timeout.connect(self._refresh_pending)
        lobby, value = window.lobby, window.value
        lobby.admit.connect(self._admit)
        lobby.reject.connect(self._reject)
        lobby.admit_all.connect(self._admit_all)
        lobby.start.connect(self._start_round)
        lobby.leave.connect(self._leave_lobby)
        value.submitted.connect(self._submit)
        value.cancel.connect(self._cancel_round)
        window.progress.cancel.connect(self._cancel_round)
        window.result.home.connect(self.go_home)
        window.home.join_invite.connect(self.join_invite)
        self.prober = SessionProber(window.home.model, window.engine.probe, window.bridge)

    # --- starting --------------------------------------------------------------

    def host(self, question: Question, contributes: bool) -> None:
        me = self.w.home.display_name()
        handle = self.w.engine.host(question, me, contributes=contributes, bind=self.w.bind)
        self.current = Current(handle, me, question, me, stage="lobby")
        self.w.lobby.open_hosting(question, me)
        if contributes:
            self._show_budget(question)
        self.w.show_page(self.w.lobby, question.title)
        self._poll.start()

    def join_address(self, host: str, port: int) -> None:
        """Join at a bare address: nothing is pinned, so the lobby says so."""
        invite = Invite(host, port)
        handle = self.w.engine.join_invite(invite, self.w.home.display_name())
        self._join(Current(handle, self.w.home.display_name(), pinned=False), invite.endpoint)

    def join_invite(self, invite: Invite) -> None:
        """Join with the host's invite: any other certificate is refused."""
        self.w.settings.setValue("address", invite.endpoint)  # a pin is for one session only
        handle = self.w.engine.join_invite(invite, self.w.home.display_name())
        self._join(Current(handle, self.w.home.display_name()), invite.endpoint)

    def join_found(self, found: FoundSession) -> None:
        handle = self.w.engine.join_found(found, self.w.home.display_name())
        self._join(Current(handle, self.w.home.display_name()), found.advert.title)

    def _join(self, current: Current, where: str) -> None:
        self.current = current
        self.w.home.set_connecting(where)

    def cancel_join(self) -> None:
        if self.current is not None and self.current.stage == "connecting":
            self.end()

    # --- events --------------------------------------------------------------------

    def on_event(self, handle: object, event: Event) -> None:
        current = self.current
        if current is None or handle is not current.handle:
            return  # a session we already left
        handler = self._handlers.get(type(event))
        if handler is not None:
            handler(current, event)

    def _on_listening(self, current: Current, event: Listening) -> None:
        loopback = self.w.bind == "127.0.0.1"
        addresses = (["127.0.0.1"] if loopback else lan_addresses()) or ["127.0.0.1"]
        self.w.lobby.set_listening(addresses, event.port)
        self.w.lobby.set_invite(Invite(addresses[0], event.port, event.fingerprint).command())
        self.w.lobby.set_roster(current.names, event.code)
        if self.w.discovery and isinstance(current.handle, HostHandle):
            self._advertise(current.handle, ["127.0.0.1"] if loopback else None)
        if self.w.demo_peers:
            self._start_demo(event.port, self.w.demo_peers)

    def _advertise(self, handle: HostHandle, addresses: list[str] | None) -> None:
        def unannounced(exc: BaseException) -> None:
            self.w.lobby.show_problem(
                self.tr(
                    "This session could not be announced on the network ({reason}). "
                    "Colleagues can still join with the address above."
                ).format(reason=exc)
            )

        self.w.bridge.when_done(handle.advertise(addresses), on_error=unannounced)

    def _start_demo(self, port: int, count: int) -> None:
        self.demo = self.w.engine.demo_peers(port, count)
        hint = (
            self.tr("Demo: a sample colleague is joining from this computer.")
            if count == 1
            else self.tr("Demo: %n sample colleagues are joining from this computer.", "", count)
        )
        self.w.lobby.note.show_message(
            hint + " " + self.tr("Admit them, compare the code, then start.")
        )

    def _on_engine_failed(self, current: Current, event: EngineFailed) -> None:
        self.end()
        self.w.host_setup.problem.show_message(event.reason)
        self.w.show_page(self.w.host_setup)

    def _on_welcomed(self, current: Current, event: Welcomed) -> None:
        current.question, current.host_name, current.stage = (
            event.question,
            event.host_name,
            "waiting",
        )
        self.w.home.join_done()
        self.w.lobby.open_joined(event.question, event.host_name, current.me)
        if not current.pinned:
            self._warn_unpinned(current)
        self._show_budget(event.question)
        self.w.show_page(self.w.lobby, event.question.title)

    def _on_join_requested(self, current: Current, event: JoinRequested) -> None:
        self._refresh_pending()

    def _on_roster_changed(self, current: Current, event: RosterChanged) -> None:
        current.names, current.code = event.names, event.code
        self.w.lobby.set_roster(event.names, event.code, event.note)
        if event.changed:
            # A new roster has a new code (fresh nonces): the comparison starts over.
            changed = self.tr("The security code changed: compare it again.")
            self.w.lobby.note.show_message(
                f"{event.note}. {changed}" if event.note else changed, "warn"
            )
        if event.you is not None and current.stage == "waiting":
            current.stage = "lobby"
            self.w.lobby.set_admitted()

    def _warn_unpinned(self, current: Current) -> None:
        """Joined by a bare address: say, under "Hosted by…", that the code is all there is.

        There rather than in the lobby's note, which each roster change replaces.
        """
        warning = self.tr(
            "You joined by address only: nothing but the security code shows that this is "
            "{host}'s session, so compare it aloud before anyone types a value. An invite "
            "from the host lets Huddle check this for you."
        ).format(host=current.host_name)
        where = self.w.lobby.where
        where.setText(f"{where.text()}<br><b>{escape(warning)}</b>")

    def _on_round_started(self, current: Current, event: RoundStarted) -> None:
        assert current.question is not None
        current.stage, current.names, current.progress = "round", event.names, ((), (), event.names)
        self._poll.stop()
        self.w.progress.begin(event.names, current.me)
        if event.rerun and not event.needs_value:
            self._ask_to_take_part(current, event)
        elif event.needs_value:
            budget = self._budget(current.question)
            self.w.value.ask(current.question, event.names, current.me, current.code, budget)
            self.w.show_page(self.w.value)
        else:
            self.w.show_page(self.w.progress)

    def _ask_to_take_part(self, current: Current, event: RoundStarted) -> None:
        """A re-run: the app kept the answer, but sends it only if the person says so."""
        names = ", ".join(event.names)
        take_part = Action(self.tr("Take part again"), self._take_part, primary=True)
        change = Action(self.tr("Change my answer"), lambda: self._change_answer(event))
        self.w.notice.show_notice(
            Notice(
                self.tr("The round is running again"),
                self.tr("The host started the round again with {names}.").format(names=names),
                self.tr(
                    "Your app kept your answer from the round that stopped, and sends it "
                    "only if you say so. Check that the security code on everyone's screen "
                    "is {code} before you take part."
                ).format(code=current.code),
                (Action(self.tr("Cancel round"), self._ask_cancel_round), change, take_part),
                escape=self._ask_cancel_round,
                icon="shield",
            )
        )
        self.w.show_page(self.w.notice)

    def _take_part(self) -> None:
        current = self.current
        if current is None:
            return
        self.w.show_page(self.w.progress)
        self.w.bridge.when_done(current.handle.take_part(), lambda _: None, self._host_problem)

    def _change_answer(self, event: RoundStarted) -> None:
        current = self.current
        if current is None or current.question is None:
            return
        budget = self._budget(current.question)
        self.w.value.ask(current.question, event.names, current.me, current.code, budget)
        self.w.show_page(self.w.value)

    def _on_progress_changed(self, current: Current, event: ProgressChanged) -> None:
        self.w.progress.update_progress(event.summed, event.waiting_for)

    def _on_result_ready(self, current: Current, event: ResultReady) -> None:
        current.stage = "done"
        code = event.code or current.code  # the transcript's code, the same on every screen
        self.w.result.show_outcome(event.outcome, current.mine, code, current.sent)
        self._record(current, event.outcome.question)
        self.w.show_page(self.w.result)

    # --- privacy ledger --------------------------------------------------------------

    def _budget(self, question: Question) -> str:
        return self.w.ledger.already_spent(question) if question.release_epsilon else ""

    def _show_budget(self, question: Question) -> None:
        if question.release_epsilon:
            self.w.lobby.show_privacy(self._budget(question))

    def _record_spending(self, event: PrivacySpent) -> None:
        """On the engine thread: write ε to the ledger now; the result page shows the note."""
        note = self.w.ledger.record(event.question, event.epsilon)
        current = self.current
        if current is not None:
            current.ledger_note = note

    def _record(self, current: Current, question: Question) -> None:
        """Show what the ledger said when this person's ε was written (before sending)."""
        if question.release_epsilon and current.ledger_note:
            self.w.result.set_ledger_note(current.ledger_note)

    def _on_round_aborted(self, current: Current, event: RoundAborted) -> None:
        current.stage = "stopped"
        self.w.value.clear()
        advice = self.tr(
            "Nobody's value was revealed: the result only exists once everyone is done."
        )
        if event.closed:
            advice += " " + self.tr(
                "This question is now closed: the apps had begun to open their answers, so "
                "another round of it could be compared with this one. Ask a new question in "
                "a new session."
            )
            close = self.tr("Close session") if current.hosting else self.tr("Leave")
            self.w.notice.show_notice(
                Notice(
                    self.tr("The round stopped"),
                    event.reason,
                    advice,
                    (Action(close, self.go_home, primary=True),),
                    escape=self.go_home,
                )
            )
        elif current.hosting:
            self._poll.start()
            self.w.notice.show_notice(self._host_aborted(current, event, advice))
        else:
            advice += " " + self.tr("The host can run the round again; stay here, or leave.")
            self.w.notice.show_notice(
                Notice(
                    self.tr("The round stopped"),
                    event.reason,
                    advice,
                    (Action(self.tr("Leave"), self.go_home),),
                    escape=self.go_home,
                )
            )
        self.w.show_page(self.w.notice)

    def _host_aborted(self, current: Current, event: RoundAborted, advice: str) -> Notice:
        gone = [name for name in event.missing if name not in current.names]
        rerun = (
            self.tr("Run again without {names}").format(names=", ".join(gone))
            if gone
            else self.tr("Run again")
        )
        actions = [Action(self.tr("Close session"), self.go_home)]
        if event.can_rerun:
            advice += " " + self.tr(
                "Still here: {names}. A re-run asks each of them before their answer goes "
                "out again."
            ).format(names=", ".join(current.names))
            actions += [Action(self.tr("Back to lobby"), self._back_to_lobby)]
            actions += [Action(rerun, self._start_round, primary=True)]
        else:
            needed = current.question.min_participants if current.question else 0
            advice += " " + self.tr(
                "Fewer than {needed} people are left: admit more in the lobby, then start again."
            ).format(needed=needed)
            actions += [Action(self.tr("Back to lobby"), self._back_to_lobby, primary=True)]
        return Notice(
            self.tr("The round stopped"),
            event.reason,
            advice,
            tuple(actions),
            escape=self._back_to_lobby,
        )

    def _on_session_ended(self, current: Current, event: SessionEnded) -> None:
        stage = current.stage
        if stage == "connecting":
            self.w.home.show_join_error(event.reason)  # next to what started it
        self.end()
        if stage == "connecting":
            return
        if stage == "done":
            return  # the result stays on screen
        if stage == "waiting":
            title = self.tr("You could not join")
            advice = self.tr("Check with the host, then join again from Home.")
        else:
            title = self.tr("The session has ended")
            advice = self.tr("Ask the host to open a new session, then join it from Home.")
            if stage in ("round", "stopped"):
                advice = (
                    self.tr("The round stopped before the result, so nobody's value was revealed.")
                    + " "
                    + advice
                )
        home = Action(self.tr("Back to Home"), self.go_home, primary=True)
        self.w.notice.show_notice(
            Notice(title, event.reason, advice, (home,), escape=self.go_home, icon="stopped")
        )
        self.w.show_page(self.w.notice)

    # --- what the person does --------------------------------------------------------

    def _admit(self, conn: int) -> None:
        self._host_call(lambda h: h.admit(conn))

    def _reject(self, conn: int) -> None:
        self._host_call(lambda h: h.reject(conn))

    def _admit_all(self) -> None:
        self._host_call(lambda h: h.admit_all())

    def _start_round(self) -> None:
        self._host_call(lambda h: h.start_round())

    def _host_call(self, call: Callable[[HostHandle], concurrent.futures.Future[None]]) -> None:
        current = self.current
        if current is None or not isinstance(current.handle, HostHandle):
            return
        future = call(current.handle)
        self.w.bridge.when_done(future, lambda _: self._refresh_pending(), self._host_problem)

    def _host_problem(self, exc: BaseException) -> None:
        self._refresh_pending()
        self.w.lobby.show_problem(str(exc))
        if self.current is not None and self.current.stage == "stopped":
            self._back_to_lobby()

    def _back_to_lobby(self) -> None:
        self.w.show_page(self.w.lobby)

    def _leave_lobby(self) -> None:
        if self.may_end_session():
            self.go_home()

    def may_end_session(self) -> bool:
        """Whether ending what is on screen is fine, asking first if it sends people home.

        Only a host with other people in a session that has no result yet
        would strand them; everyone else just goes.
        """
        current = self.current
        if current is None or not current.hosting or current.stage == "done":
            return True
        if len(current.names) <= 1:
            return True
        answer = QMessageBox.question(
            self.w,
            self.tr("Close the session?"),
            self.tr("Close the session? Everyone in the lobby will be sent home."),
            QMessageBox.StandardButton.Close | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        return answer == QMessageBox.StandardButton.Close

    def _submit(self, text: str) -> None:
        current = self.current
        if current is None or current.question is None:
            return
        try:
            answer = prepare_answer(current.question, text)
        except InputError as exc:
            self.w.value.show_error(str(exc))
            return
        # Kept before the engine confirms: the last answer in can complete the round, and
        # the result may then arrive before the confirmation does.
        current.mine, current.sent = answer.value, answer.sent

        def accepted(_: object) -> None:
            self.w.value.clear()
            if self.current is current and current.stage == "round":
                self.w.show_page(self.w.progress)

        def refused(exc: BaseException) -> None:
            current.mine = current.sent = None
            self.w.value.show_error(str(exc))

        self.w.bridge.when_done(current.handle.submit(answer.text), accepted, refused)

    def _cancel_round(self) -> None:
        if self.current is not None:
            self.current.handle.cancel_round()

    def _ask_cancel_round(self) -> None:
        """From the re-run question: cancelling stops the round on every screen, so ask."""
        if confirm(self.w, texts.cancel_round_ask()):
            self._cancel_round()

    def _refresh_pending(self) -> None:
        current = self.current
        if current is not None and isinstance(current.handle, HostHandle):
            self.w.bridge.when_done(current.handle.pending(), self._show_pending)

    def _show_pending(self, pending: dict[int, str]) -> None:
        if self.current is not None and self.current.hosting:
            self.w.lobby.set_pending(pending)

    # --- ending --------------------------------------------------------------------

    def go_home(self) -> None:
        self.end()
        self.w.show_page(self.w.home)

    def end(self) -> list[concurrent.futures.Future[None]]:
        """Leave or close the current session (and demo peers).

        Returns futures that are done once the goodbyes are out.
        """
        current, self.current = self.current, None
        self._poll.stop()
        self.w.value.clear()
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
        self.w.home.join_done()
        return futures
