"""Home: your name, the sessions nearby, joining by address, and hosting."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QModelIndex, Qt, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QLabel,
    QLineEdit,
    QListView,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
)

from huddle.net.facade import FoundSession, Invite, InviteError, parse_invite
from huddle.ui.nearby import SessionDelegate, SessionListModel
from huddle.ui.resources import app_icon
from huddle.ui.widgets import (
    FieldMessage,
    IconLabel,
    Page,
    body,
    button,
    row,
    scaled_font,
    separator,
)

MAX_NAME = 64


def read_invite(text: str) -> Invite:
    """The host's invite or a bare ``host:port`` (``[v6]:port``) as typed or pasted.

    ValueError with a message for people. The host's whole ``huddle join …``
    line is taken too, so one copied invite serves the terminal and the app.
    """
    try:
        return parse_invite(text)
    except InviteError as exc:
        if exc.part != "address":
            raise ValueError(str(exc)) from None
        raise ValueError(
            QCoreApplication.translate(
                "HomePage",
                "Type the address and port the host sees in their lobby, "
                "for example 192.168.1.20:7300, or paste their invite.",
            )
        ) from None


def parse_address(text: str) -> tuple[str, int]:
    """The host and port of what was typed (see `read_invite`), without any pin."""
    invite = read_invite(text)
    return invite.host, invite.port


class HomePage(Page):
    """The first screen.

    Signals:
        host_requested(): "Host a session" was chosen.
        join_address(host, port): join the session at a typed address (nothing pinned).
        join_invite(invite): join with a pasted invite, pinning its certificate.
        join_found(found): join a session picked from the nearby list.
        cancel_join(): stop connecting.
        name_changed(name): the display name was edited (and is not empty).
    """

    host_requested = Signal()
    join_address = Signal(str, int)
    join_invite = Signal(object)
    join_found = Signal(object)
    cancel_join = Signal()
    name_changed = Signal(str)

    def __init__(self) -> None:
        super().__init__(self.tr("Huddle"))
        self.model = SessionListModel(self)
        self._connecting: QPushButton | None = None
        self._from_list = False
        self._build_intro()
        self._build_nearby()
        self._build_address()
        self.host_button = button(self.tr("&Host a session…"), primary=True, icon="host")
        self.host_button.clicked.connect(self._host)
        self.buttons.addStretch()
        self.buttons.addWidget(self.host_button)
        self.on_escape(self._escape)
        self.model.rowsInserted.connect(self._update_nearby)
        self.model.rowsRemoved.connect(self._update_nearby)
        self.model.modelReset.connect(self._update_nearby)
        self.model.dataChanged.connect(self._update_nearby)
        self.model.rowsInserted.connect(self._select_first)
        self._update_nearby()
        self.setTabOrder(self.name, self.sessions)
        self.setTabOrder(self.sessions, self.join_selected)
        self.setTabOrder(self.join_selected, self.address)
        self.setTabOrder(self.address, self.join_button)
        self.setTabOrder(self.join_button, self.host_button)

    # --- building ----------------------------------------------------------------

    def _build_intro(self) -> None:
        logo = QLabel()
        logo.setPixmap(app_icon().pixmap(40, 40))
        title_row = row(logo, self.title, 1)
        self.layout().removeWidget(self.title)  # type: ignore[union-attr]
        self.layout().insertLayout(0, title_row)  # type: ignore[union-attr]
        tagline = body(
            self.tr(
                "Find out your group's average without anyone revealing their own value. "
                "Each app splits its value into random shares; only the total comes together."
            ),
            muted=True,
        )
        self.content.addWidget(tagline)
        self.name = QLineEdit()
        self.name.setMaxLength(MAX_NAME)
        self.name.setAccessibleName(self.tr("Your name"))
        self.name.setPlaceholderText(self.tr("The name colleagues will see"))
        self.name.textChanged.connect(self._name_edited)
        label = QLabel(self.tr("Your &name:"))
        label.setBuddy(self.name)
        self.name_message = FieldMessage(self.name)
        self.content.addLayout(row(label, self.name))
        self.content.addWidget(self.name_message)
        self.content.addWidget(separator())

    def _build_nearby(self) -> None:
        self.content.addLayout(
            row(IconLabel("nearby", 20), self._section(self.tr("Nearby sessions")), 1)
        )
        self.sessions = QListView()
        self.sessions.setModel(self.model)
        self.sessions.setItemDelegate(SessionDelegate(self.sessions))
        self.sessions.setAccessibleName(self.tr("Nearby sessions"))
        self.sessions.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.sessions.setUniformItemSizes(True)
        self.sessions.activated.connect(self._join_index)
        self.empty = QFrame()
        self.empty.setObjectName("emptyState")
        self.empty.setFrameShape(QFrame.Shape.StyledPanel)
        self.empty_title = QLabel(self.tr("No sessions nearby yet"))
        self.empty_title.setFont(scaled_font(self.empty_title, 1.1, bold=True))
        self.empty_text = body(self._empty_text(), muted=True)
        self.empty_text.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        centre = Qt.AlignmentFlag.AlignHCenter
        inner = QVBoxLayout(self.empty)
        inner.setContentsMargins(32, 20, 32, 20)
        inner.setSpacing(10)
        inner.addStretch()
        inner.addWidget(IconLabel("nearby", 48, QPalette.ColorRole.PlaceholderText), 0, centre)
        inner.addWidget(self.empty_title, 0, centre)
        inner.addWidget(self.empty_text)  # full width, so wrapped lines are never cut off
        inner.addStretch()
        self.nearby = QStackedWidget()
        self.nearby.addWidget(self.empty)
        self.nearby.addWidget(self.sessions)
        self.content.addWidget(self.nearby, 1)
        self.join_selected = button(self.tr("&Join selected session"))
        self.join_selected.clicked.connect(lambda: self._join_index(self.sessions.currentIndex()))
        self.list_message = FieldMessage(self.sessions)
        self.content.addLayout(row(self.list_message, 1, self.join_selected))
        self.sessions.selectionModel().currentChanged.connect(self._update_nearby)

    def _build_address(self) -> None:
        self.content.addWidget(self._section(self.tr("Join by address")))
        self.address = QLineEdit()
        self.address.setAccessibleName(self.tr("Host address"))
        self.address.setPlaceholderText(self.tr("The host's invite, e.g. 192.168.1.20:7300#…"))
        self.address.returnPressed.connect(self._join_typed)
        self.address.textChanged.connect(lambda _: self.address_message.show_message(None))
        label = QLabel(self.tr("&Address:"))
        label.setBuddy(self.address)
        self.join_button: QPushButton = button(self.tr("Join"))
        self.join_button.clicked.connect(self._join_typed)
        self.address_message: FieldMessage = FieldMessage(self.address)
        self.content.addLayout(row(label, self.address, self.join_button))
        self.content.addWidget(self.address_message)

    def _section(self, text: str) -> QLabel:
        label = QLabel(text)
        label.setFont(scaled_font(label, 1.1, bold=True))
        return label

    def _empty_text(self, unavailable: str = "") -> str:
        if unavailable:
            return self.tr(
                "Sessions on this network cannot be listed here ({reason}). Ask the host for "
                "the invite shown in their lobby and paste it below."
            ).format(reason=unavailable)
        return self.tr(
            "When a colleague hosts a session on this network, it appears here by itself. "
            "Nothing showing up? Ask the host for the invite shown in their lobby and paste "
            "it below — some networks block the announcements."
        )

    # --- what the window tells us -------------------------------------------------

    def set_name(self, name: str) -> None:
        self.name.setText(name)

    def display_name(self) -> str:
        return " ".join(self.name.text().split())

    def set_discovery_unavailable(self, reason: str) -> None:
        self.empty_title.setText(self.tr("Nearby sessions are not available"))
        self.empty_text.setText(self._empty_text(reason))

    def set_connecting(self, where: str) -> None:
        """Show that we are connecting; the Join button that started it becomes Cancel."""
        source = self.join_selected if self._from_list else self.join_button
        self._connecting = source
        self.list_message.show_message(None)
        self.address_message.show_message(None)
        self._message_for(source).show_message(
            self.tr("Connecting to {where}…").format(where=where), "info"
        )
        source.setText(self.tr("Cancel"))
        self._update_nearby()

    def show_join_error(self, text: str) -> None:
        """Joining failed: say why next to the control that started it."""
        message = self._message_for(self._connecting)
        self.join_done()
        message.show_message(text, "error")

    def join_done(self) -> None:
        """Connecting ended (joined, failed or cancelled): back to normal buttons."""
        if self._connecting is not None:
            self._message_for(self._connecting).show_message(None)
        self._connecting = None
        self.join_selected.setText(self.tr("&Join selected session"))
        self.join_button.setText(self.tr("Join"))
        self._update_nearby()

    def _message_for(self, source: QPushButton | None) -> FieldMessage:
        return self.list_message if source is self.join_selected else self.address_message

    # --- reactions ------------------------------------------------------------

    def _name_edited(self, _text: str) -> None:
        name = self.display_name()
        self.name_message.show_message(
            None if name else self.tr("Type the name your colleagues will see.")
        )
        if name:
            self.name_changed.emit(name)
        self._update_nearby()

    def _update_nearby(self, *_: object) -> None:
        has_rows = self.model.rowCount() > 0
        self.nearby.setCurrentWidget(self.sessions if has_rows else self.empty)
        named = bool(self.display_name())
        busy = self._connecting is not None
        current = self.found_selected()
        self.join_selected.setEnabled(
            self._connecting is self.join_selected or (not busy and named and current is not None)
        )
        self.join_button.setEnabled(self._connecting is self.join_button or (not busy and named))
        self.host_button.setEnabled(named and not busy)

    def _host(self) -> None:
        if self.display_name() and self._connecting is None:
            self.host_requested.emit()

    def _join_index(self, index: QModelIndex) -> None:
        if self._connecting is not None:
            self._escape()
            return
        found = self._joinable(index)
        if found is None or not self.display_name():
            return
        self._from_list = True
        self.join_found.emit(found)

    def _join_typed(self) -> None:
        if self._connecting is not None:
            self._escape()
            return
        if not self.display_name():
            return
        try:
            invite = read_invite(self.address.text())
        except ValueError as exc:
            self.address_message.show_message(str(exc), "error")
            return
        self._from_list = False
        if invite.fingerprint is None:
            self.join_address.emit(invite.host, invite.port)
        else:
            self.join_invite.emit(invite)

    def _escape(self) -> None:
        if self._connecting is not None:
            self.cancel_join.emit()
            self.join_done()

    def found_selected(self) -> FoundSession | None:
        """The session picked in the list, if it can be joined."""
        return self._joinable(self.sessions.currentIndex())

    def _joinable(self, index: QModelIndex) -> FoundSession | None:
        if not self.model.flags(index) & Qt.ItemFlag.ItemIsEnabled:
            return None  # already started
        return self.model.found_at(index)

    def _select_first(self, *_: object) -> None:
        """With nothing picked yet, pick the first session that can be joined."""
        if self.found_selected() is not None:
            return
        for number in range(self.model.rowCount()):
            index = self.model.index(number)
            if self._joinable(index) is not None:
                self.sessions.setCurrentIndex(index)
                return
