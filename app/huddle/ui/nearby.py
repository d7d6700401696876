"""The "Nearby sessions" list: a model fed by discovery events, and how rows look.

The model knows nothing about zeroconf: the window hands it `FoundSession`
values (appeared or changed) and keys (gone), as discovery reports them.

An announcement outlives a host that crashed or was killed by up to two
minutes, so `SessionProber` checks each listed session with a TCP connect
when it appears and every few seconds after; one that does not answer is
greyed out, moves to the end and cannot be picked, until it answers again.
"""

from __future__ import annotations

import concurrent.futures
from collections.abc import Callable

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRect,
    QSize,
    Qt,
    QTimer,
)
from PySide6.QtGui import QPainter, QPalette
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from huddle.net.facade import FoundSession
from huddle.ui.bridge import EngineBridge
from huddle.ui.resources import symbolic_icon

FOUND_ROLE = Qt.ItemDataRole.UserRole + 1
SUBTITLE_ROLE = Qt.ItemDataRole.UserRole + 2
AnyIndex = QModelIndex | QPersistentModelIndex
PROBE_EVERY_MS = 5000
"""How often each listed session is checked: a dead one is greyed within this plus a probe."""


class SessionListModel(QAbstractListModel):
    """Sessions seen on the LAN, sorted by title, those not answering last.

    Started sessions and sessions that did not answer the last check
    (`set_answering`) are listed but disabled.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._rows: list[FoundSession] = []
        self._silent: set[str] = set()
        """Keys of sessions whose last check found nothing accepting connections."""

    def rowCount(self, parent: AnyIndex | None = None) -> int:
        return 0 if parent is not None and parent.isValid() else len(self._rows)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        found = self._rows[index.row()]
        if role == FOUND_ROLE:
            return found
        if role == Qt.ItemDataRole.ToolTipRole:
            return self.tr("{title}\nat {address} port {port}").format(
                title=found.advert.title, address=found.addresses[0], port=found.port
            )
        texts = {
            Qt.ItemDataRole.DisplayRole: found.advert.title,
            SUBTITLE_ROLE: self.subtitle(found),
            Qt.ItemDataRole.AccessibleTextRole: f"{found.advert.title}. {self.subtitle(found)}",
        }
        return texts.get(role)

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        found = self._rows[index.row()]
        if found.advert.state != "open" or found.key in self._silent:
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def subtitle(self, found: FoundSession) -> str:
        advert = found.advert
        # English needs the singular spelled out: without a translation file Qt only
        # substitutes %n.
        joined = (
            self.tr("1 person in")
            if advert.joined == 1
            else self.tr("%n people in", "", advert.joined)
        )
        if found.key in self._silent:
            return self.tr("Hosted by {host} · not answering: it has probably ended").format(
                host=advert.host_name
            )
        if advert.state != "open":
            return self.tr("Hosted by {host} · already started").format(host=advert.host_name)
        return self.tr("Hosted by {host} · {joined}").format(host=advert.host_name, joined=joined)

    # --- fed by discovery ---------------------------------------------------------

    def upsert(self, found: FoundSession) -> None:
        """A session appeared or changed."""
        for row, old in enumerate(self._rows):
            if old.key == found.key:
                if self._sort_key(old) == self._sort_key(found):
                    self._rows[row] = found
                    self.dataChanged.emit(self.index(row), self.index(row))
                    return
                self._take(found.key)
                break
        self._insert(found)

    def set_answering(self, key: str, answering: bool) -> None:
        """The result of checking a listed session; one not answering is greyed and goes last."""
        found = next((f for f in self._rows if f.key == key), None)
        if found is None or (key not in self._silent) == answering:
            return
        self._take(key)
        if answering:
            self._silent.discard(key)
        else:
            self._silent.add(key)
        self._insert(found)

    def remove(self, key: str) -> None:
        self._take(key)
        self._silent.discard(key)

    def clear(self) -> None:
        self.beginResetModel()
        self._rows.clear()
        self._silent.clear()
        self.endResetModel()

    def sessions(self) -> list[FoundSession]:
        """Every listed session, in list order."""
        return list(self._rows)

    def _insert(self, found: FoundSession) -> None:
        row = sum(1 for f in self._rows if self._sort_key(f) < self._sort_key(found))
        self.beginInsertRows(QModelIndex(), row, row)
        self._rows.insert(row, found)
        self.endInsertRows()

    def _take(self, key: str) -> None:
        for row, found in enumerate(self._rows):
            if found.key == key:
                self.beginRemoveRows(QModelIndex(), row, row)
                del self._rows[row]
                self.endRemoveRows()
                return

    def found_at(self, index: AnyIndex) -> FoundSession | None:
        value = self.data(index, FOUND_ROLE)
        return value if isinstance(value, FoundSession) else None

    def _sort_key(self, found: FoundSession) -> tuple[bool, str, str]:
        return (found.key in self._silent, found.advert.title.casefold(), found.key)


Probe = Callable[[FoundSession], concurrent.futures.Future[bool]]
"""Starts a check of one session on the engine thread (`engine.Engine.probe`)."""


class SessionProber(QObject):
    """Checks the sessions of a `SessionListModel` when they appear and every few seconds.

    A check is a TCP connect (see `net.probe`); the answer goes back to the
    model through ``bridge`` on the GUI thread. One check per session at a time.
    """

    def __init__(
        self,
        model: SessionListModel,
        probe: Probe,
        bridge: EngineBridge,
        *,
        every_ms: int = PROBE_EVERY_MS,
    ) -> None:
        super().__init__(model)
        self._model, self._probe, self._bridge = model, probe, bridge
        self._busy: set[str] = set()
        self.timer = QTimer(self)
        self.timer.setInterval(every_ms)
        self.timer.timeout.connect(self.check_all)
        self.timer.start()
        model.rowsInserted.connect(self._inserted)

    def check_all(self) -> None:
        for found in self._model.sessions():
            self.check(found)

    def check(self, found: FoundSession) -> None:
        """Check one session now (unless a check of it is under way)."""
        if found.key in self._busy:
            return
        self._busy.add(found.key)

        def answered(answering: bool) -> None:
            self._busy.discard(found.key)
            self._model.set_answering(found.key, answering)

        def failed(_: BaseException) -> None:
            self._busy.discard(found.key)

        self._bridge.when_done(self._probe(found), answered, failed)

    def _inserted(self, _parent: QModelIndex, first: int, last: int) -> None:
        for row in range(first, last + 1):
            found = self._model.found_at(self._model.index(row))
            if found is not None:
                self.check(found)


class SessionDelegate(QStyledItemDelegate):
    """Two lines per session: the title in bold, then who hosts it and how many are in."""

    PADDING = 10
    ICON = 28

    def sizeHint(self, option: QStyleOptionViewItem, index: AnyIndex) -> QSize:
        lines = option.fontMetrics.lineSpacing() * 2 + 4
        return QSize(200, max(lines, self.ICON) + 2 * self.PADDING)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: AnyIndex) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        widget = opt.widget
        style = widget.style() if widget is not None else None
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, widget)
        rect: QRect = opt.rect.adjusted(self.PADDING, self.PADDING, -self.PADDING, -self.PADDING)
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        enabled = bool(opt.state & QStyle.StateFlag.State_Enabled)
        palette: QPalette = opt.palette
        text_role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        icon = symbolic_icon("people", palette, text_role)
        icon_rect = QRect(rect.left(), rect.center().y() - self.ICON // 2, self.ICON, self.ICON)
        icon.paint(painter, icon_rect, mode=icon.Mode.Normal if enabled else icon.Mode.Disabled)
        text_rect = rect.adjusted(self.ICON + self.PADDING, 0, 0, 0)
        painter.save()
        title_font = opt.font
        title_font.setBold(True)
        painter.setFont(title_font)
        group = QPalette.ColorGroup.Normal if enabled else QPalette.ColorGroup.Disabled
        painter.setPen(palette.color(group, text_role))
        painter.drawText(
            text_rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop, index.data()
        )
        title_font.setBold(False)
        painter.setFont(title_font)
        if not selected:
            painter.setPen(palette.color(group, QPalette.ColorRole.PlaceholderText))
        painter.drawText(
            text_rect,
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom,
            str(index.data(SUBTITLE_ROLE)),
        )
        painter.restore()
