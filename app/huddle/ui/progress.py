"""Progress: who has published their partial sum; cancel for everyone."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem

from huddle.ui import texts
from huddle.ui.resources import symbolic_icon
from huddle.ui.widgets import FieldMessage, Page, body, button, confirm

NAME, PARTIAL = range(2)


class ProgressPage(Page):
    """The round in flight, one row per person.

    Signals:
        cancel(): stop the round for everyone.
    """

    cancel = Signal()

    def __init__(self) -> None:
        super().__init__(self.tr("Adding up…"))
        self.content.addWidget(
            body(
                self.tr(
                    "Each app hides its value under random shares it holds with each colleague "
                    "(worked out from keys agreed when you joined, never sent) and publishes "
                    "only that partial sum. Added up, the shares cancel and the partial sums "
                    "give the total."
                ),
                muted=True,
            )
        )
        self.table = QTableWidget(0, 2)
        self.table.setHorizontalHeaderLabels([self.tr("Person"), self.tr("Partial sum sent")])
        self.table.setAccessibleName(self.tr("Progress of each person"))
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setShowGrid(False)
        self.table.setAlternatingRowColors(True)
        self.table.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        header = self.table.horizontalHeader()
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setSectionResizeMode(NAME, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(PARTIAL, QHeaderView.ResizeMode.ResizeToContents)
        self.content.addWidget(self.table, 1)
        self.status = FieldMessage(kind="info")
        self.content.addWidget(self.status)
        self.cancel_button = button(self.tr("&Cancel round"))
        self.cancel_button.setToolTip(self.tr("Stops the round for everyone; nothing is revealed."))
        self.cancel_button.clicked.connect(self._ask_cancel)
        self.buttons.addWidget(self.cancel_button)
        self.buttons.addStretch()
        self.on_escape(self._ask_cancel)
        self.names: tuple[str, ...] = ()

    def _ask_cancel(self) -> None:
        """Cancelling stops the round on every screen: only once the person says so."""
        if confirm(self, texts.cancel_round_ask()):
            self.cancel.emit()

    def begin(self, names: tuple[str, ...], me: str) -> None:
        self.names = names
        self.table.setRowCount(len(names))
        for r, name in enumerate(names):
            label = self.tr("{name} (you)").format(name=name) if name == me else name
            self.table.setItem(r, NAME, QTableWidgetItem(label))
        self.table.setCurrentIndex(QModelIndex())  # no cell looks picked: nothing to pick
        self.update_progress((), names)

    def update_progress(self, summed: tuple[str, ...], waiting: tuple[str, ...]) -> None:
        for r, name in enumerate(self.names):
            self._mark(r, PARTIAL, name in summed)
        if waiting:
            self.status.show_message(
                self.tr("Waiting for {names}.").format(names=", ".join(waiting))
            )
        else:
            self.status.show_message(self.tr("Everyone is done; adding up…"))

    def _mark(self, r: int, column: int, done: bool) -> None:
        text = self.tr("Sent") if done else self.tr("Waiting")
        item = QTableWidgetItem(symbolic_icon("check" if done else "waiting", self.palette()), text)
        item.setTextAlignment(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft)
        self.table.setItem(r, column, item)

    def cell(self, name: str, column: int) -> str:
        """What the table shows for ``name`` in ``column`` (for tests and readers)."""
        item = self.table.item(self.names.index(name), column)
        return item.text() if item is not None else ""
