"""The lobby: who is in, who waits to be admitted, the security code, Start and Leave."""

from __future__ import annotations

from html import escape

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QGuiApplication, QPalette
from PySide6.QtWidgets import (
    QFrame,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from huddle.net.facade import Question
from huddle.ui.resources import symbolic_icon
from huddle.ui.widgets import (
    CodeCard,
    FieldMessage,
    IconLabel,
    Page,
    body,
    button,
    row,
    scaled_font,
)

LIST_GAP = 6
"""Between a list's caption and the list, in both columns."""


class LobbyPage(Page):
    """Shown to the host and to joiners until the round starts.

    Signals:
        admit(conn), reject(conn), admit_all(): the host decides about joiners.
        start(): the host starts the round.
        leave(): leave (a host closes the session for everyone).

    A host also gets "Copy invite" once `set_invite` has the text.
    """

    admit = Signal(int)
    reject = Signal(int)
    admit_all = Signal()
    start = Signal()
    leave = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.hosting = False
        self.question: Question | None = None
        self.me = ""
        self.host_name = ""
        self.names: tuple[str, ...] = ()
        self.ready = False
        self.where = body(muted=True)
        self.where.setTextFormat(Qt.TextFormat.RichText)
        self.where.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setFont(scaled_font(self.status, 1.05, bold=True))
        self.code = CodeCard()
        self.privacy = FieldMessage(kind="warn")
        self.privacy.setAccessibleName(self.tr("Privacy budget"))
        self.content.addWidget(self.where)
        self.content.addWidget(self.privacy)
        self.content.addWidget(self.code)
        self.content.addWidget(self.status)
        self._build_lists()
        self.note = FieldMessage(kind="info")
        self.content.addWidget(self.note)
        self.content.addStretch(0)  # takes the room while a joiner waits, without the lists
        self.leave_button = button(self.tr("&Leave"))
        self.leave_button.clicked.connect(self.leave)
        self.start_button = button(self.tr("&Start the round"), primary=True)
        self.start_button.clicked.connect(self._start)
        self.invite = ""
        self.invite_button = button(self.tr("Copy &invite"))
        self.invite_button.clicked.connect(self._copy_invite)
        self.buttons.addWidget(self.leave_button)
        self.buttons.addWidget(self.invite_button)
        self.buttons.addStretch()
        self.buttons.addWidget(self.start_button)
        self.on_escape(self.leave.emit)

    def _build_lists(self) -> None:
        self.roster_title = QLabel()
        self.roster_title.setFont(scaled_font(self.roster_title, 1.0, bold=True))
        self.roster = QListWidget()
        self.roster.setAccessibleName(self.tr("People in the session"))
        self.roster.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self.roster.setSpacing(3)
        self.roster.setIconSize(QSize(18, 18))
        left = QVBoxLayout()
        left.setSpacing(LIST_GAP)  # as the right column's, so both lists start level
        left.addLayout(row(IconLabel("people", 18), self.roster_title, 1, spacing=6))
        left.addWidget(self.roster)
        self.pending_title = QLabel(self.tr("Asking to join"))
        self.pending_title.setFont(scaled_font(self.pending_title, 1.0, bold=True))
        pending_caption = row(IconLabel("waiting", 18), self.pending_title, 1, spacing=6)
        self.pending_rows = QVBoxLayout()
        self.pending_rows.setSpacing(6)
        self.pending_rows.addStretch()
        self.pending_empty = body(self.tr("Nobody is waiting."), muted=True)
        holder = QWidget()
        holder.setBackgroundRole(QPalette.ColorRole.Base)
        holder.setAutoFillBackground(True)
        holder_layout = QVBoxLayout(holder)
        holder_layout.setContentsMargins(8, 8, 8, 8)
        holder_layout.addWidget(self.pending_empty)
        holder_layout.addLayout(self.pending_rows, 1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(holder)
        scroll.setFrameShape(QFrame.Shape.StyledPanel)
        scroll.setBackgroundRole(self.roster.backgroundRole())
        self.admit_all_button = button(self.tr("Admit &all"))
        self.admit_all_button.clicked.connect(self.admit_all)
        self.pending_panel = QWidget()
        right = QVBoxLayout(self.pending_panel)
        right.setContentsMargins(0, 0, 0, 0)
        right.setSpacing(LIST_GAP)
        right.addLayout(pending_caption)
        right.addWidget(scroll, 1)
        right.addLayout(row(1, self.admit_all_button))
        self.lists = QWidget()
        lists = row(spacing=16)
        lists.setContentsMargins(0, 0, 0, 0)
        lists.addLayout(left, 1)
        lists.addWidget(self.pending_panel, 1)
        self.lists.setLayout(lists)
        self.content.addWidget(self.lists, 1)
        self._pending: dict[int, QWidget] = {}

    # --- what the window tells us -------------------------------------------------

    def open_hosting(self, question: Question, me: str) -> None:
        self._reset(question, me, hosting=True)
        self.host_name = me
        self.where.setText(escape(self.tr("Opening the session…")))
        self._refresh()

    def open_joined(self, question: Question, host_name: str, me: str) -> None:
        self._reset(question, me, hosting=False)
        self.host_name = host_name
        self.where.setText(
            escape(self.tr("Hosted by {host}.")).format(host=f"<b>{escape(host_name)}</b>")
        )
        self._refresh()

    def _reset(self, question: Question, me: str, *, hosting: bool) -> None:
        self.hosting, self.question, self.me = hosting, question, me
        self.names, self.ready = (), False
        self.set_title(question.title)
        self.code.set_code("")
        self.note.show_message(None)
        self.privacy.show_message(None)
        self.set_pending({})
        self.pending_panel.setVisible(hosting)
        self.set_invite("")
        self.start_button.setVisible(hosting)
        self.leave_button.setText(self.tr("&Close session") if hosting else self.tr("&Leave"))
        self.leave_button.setAccessibleName(self.leave_button.text().replace("&", ""))

    def set_listening(self, addresses: list[str], port: int) -> None:
        shown = [f"{a}:{port}" if ":" not in a else f"[{a}]:{port}" for a in addresses[:2]]
        joined = escape(self.tr(" or ")).join(f"<b>{escape(a)}</b>" for a in shown)
        text = self.tr(
            "You host this session. Colleagues find it under Nearby sessions, or join "
            "with the address {address}."
        )
        self.where.setText(escape(text).format(address=joined))

    def set_invite(self, invite: str) -> None:
        """The invite a host hands out (``huddle join ADDRESS:PORT#FINGERPRINT``); "" hides it."""
        self.invite = invite
        self.invite_button.setVisible(bool(invite))
        self.invite_button.setToolTip(invite)

    def _copy_invite(self) -> None:
        QGuiApplication.clipboard().setText(self.invite)
        self.note.show_message(
            self.tr(
                "Invite copied. Send it to colleagues: pasted into Huddle or a terminal, it "
                "lets their app check that it reaches this session and no other."
            ),
            "info",
        )

    def set_roster(self, names: tuple[str, ...], code: str, note: str = "") -> None:
        """The lobby changed; ``note`` ("Bob joined") is shown until the next change."""
        self.names = names
        self.roster.clear()
        person = symbolic_icon("people", self.roster.palette(), QPalette.ColorRole.Text)
        for name in names:
            self.roster.addItem(QListWidgetItem(person, self._label(name)))
        self.code.set_code(code)
        if not code and names:
            # Everyone's app is exchanging the nonces of this roster's code: milliseconds.
            self.code.code.setText(self.tr("Working out the new code…"))
        if note:
            self.note.show_message(f"{note}.", "info")
        self._refresh()

    def set_admitted(self) -> None:
        self.ready = True
        self._refresh()

    def set_pending(self, pending: dict[int, str]) -> None:
        if pending.keys() == self._pending.keys():
            return
        for conn in list(self._pending):
            if conn not in pending:
                self._pending.pop(conn).deleteLater()
        for conn, name in pending.items():
            if conn not in self._pending:
                self._pending[conn] = self._pending_row(conn, name)
                self.pending_rows.insertWidget(self.pending_rows.count() - 1, self._pending[conn])
                self._pending[conn].show()  # now, not on the next event loop turn
        self.pending_empty.setVisible(not pending)
        self.admit_all_button.setEnabled(bool(pending))

    def show_privacy(self, text: str) -> None:
        """The privacy budget already spent on this subject, before anyone types a value."""
        self.privacy.show_message(text, "warn")

    def show_problem(self, text: str) -> None:
        self.note.show_message(text, "error")

    def show_note(self, text: str, kind: str | None = None) -> None:
        """A line under the code: a demo hint, or that the code changed (``kind`` "warn")."""
        self.note.show_message(text, kind)

    def warn_about_host(self, warning: str) -> None:
        """Under "Hosted by…", where it stays: each roster change replaces the note."""
        self.where.setText(f"{self.where.text()}<br><b>{escape(warning)}</b>")

    # --- helpers -----------------------------------------------------------------

    def _label(self, name: str) -> str:
        if name == self.me:
            return self.tr("{name} (you)").format(name=name)
        if name == self.host_name:
            return self.tr("{name} (host)").format(name=name)
        return name

    def _note(self, note: str, code_changed: bool) -> str:
        if code_changed:
            return self.tr("{note}. The security code changed: compare it again.").format(note=note)
        return f"{note}."

    def _pending_row(self, conn: int, name: str) -> QWidget:
        widget = QWidget()
        label = QLabel(name)
        label.setTextFormat(Qt.TextFormat.PlainText)
        admit = button(self.tr("Admit"))
        admit.setAccessibleName(self.tr("Admit {name}").format(name=name))
        admit.clicked.connect(lambda: self.admit.emit(conn))
        reject = button(self.tr("Reject"))
        reject.setAccessibleName(self.tr("Reject {name}").format(name=name))
        reject.clicked.connect(lambda: self.reject.emit(conn))
        layout = row(label, 1, admit, reject, spacing=6)
        layout.setContentsMargins(0, 0, 0, 0)
        widget.setLayout(layout)
        widget.setObjectName(f"pending-{conn}")
        return widget

    def pending_names(self) -> list[str]:
        """Names waiting to be admitted, as shown (for tests and screen readers)."""
        labels = (w.findChild(QLabel) for w in self._pending.values())
        return [label.text() for label in labels if label is not None]

    def _refresh(self) -> None:
        question = self.question
        needed = question.min_participants if question else 0
        count = len(self.names)
        self.roster_title.setText(self.tr("In the session (%n)", "", count))
        self.start_button.setEnabled(self.hosting and count >= needed)
        self.start_button.setToolTip(
            ""
            if count >= needed
            else self.tr("Needs at least %n people in the session.", "", needed)
        )
        self.lists.setVisible(self.hosting or self.ready)
        if self.hosting:
            if count >= needed:
                text = self.tr("Enough people are in. Compare the code aloud, then start.")
            else:
                text = self.tr(
                    "{count} of at least {needed} people are in. Admit colleagues as they ask "
                    "to join."
                ).format(count=count, needed=needed)
        elif self.ready:
            text = self.tr("You're in. Waiting for {host} to start the round.").format(
                host=self.host_name
            )
        else:
            text = self.tr("Waiting for {host} to let you in…").format(host=self.host_name)
        self.status.setText(text)

    def _start(self) -> None:
        if self.start_button.isEnabled():
            self.start.emit()
