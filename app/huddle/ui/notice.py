"""When a session or round stops: what happened, what it means, what to do next."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QLabel, QPushButton

from huddle.ui.widgets import IconLabel, Page, body, button, row, scaled_font


@dataclass(frozen=True)
class Action:
    text: str
    slot: Callable[[], None]
    primary: bool = False


@dataclass(frozen=True)
class Notice:
    """One situation: ``reason`` comes from the engine, ``advice`` says what to do."""

    title: str
    reason: str
    advice: str = ""
    actions: tuple[Action, ...] = field(default=())
    escape: Callable[[], None] | None = None
    icon: str = "warning"


class NoticePage(Page):
    """Shows one `Notice`; its actions become the buttons, the primary one on Enter."""

    def __init__(self) -> None:
        super().__init__()
        self.icon = IconLabel("warning", 48, QPalette.ColorRole.PlaceholderText)
        self.layout().removeWidget(self.title)  # type: ignore[union-attr]
        top = row(self.icon, spacing=14)
        top.addWidget(self.title, 1)
        self.layout().insertLayout(0, top)  # type: ignore[union-attr]
        self.reason = QLabel()
        self.reason.setWordWrap(True)
        self.reason.setTextFormat(Qt.TextFormat.PlainText)
        self.reason.setFont(scaled_font(self.reason, 1.15))
        self.reason.setAccessibleName(self.tr("What happened"))
        self.reason.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.advice = body()
        self.advice.setAccessibleName(self.tr("What to do next"))
        self.content.addWidget(self.reason)
        self.content.addWidget(self.advice)
        self.content.addStretch()
        self._notice: Notice | None = None
        self._buttons: list[QPushButton] = []
        self.on_escape(self._escape)
        self.on_enter(self._enter)

    def show_notice(self, notice: Notice) -> None:
        self._notice = notice
        self.icon.set_icon(notice.icon)
        self.set_title(notice.title)
        self.reason.setText(notice.reason)
        self.advice.setText(notice.advice)
        self.advice.setVisible(bool(notice.advice))
        for old in self._buttons:
            self.buttons.removeWidget(old)
            old.deleteLater()
        while self.buttons.count():
            self.buttons.takeAt(0)
        self._buttons = []
        ordered = sorted(notice.actions, key=lambda a: a.primary)  # the primary one last
        for action in ordered:
            widget = button(action.text, primary=action.primary)
            widget.clicked.connect(action.slot)
            if action.primary:
                self.buttons.addStretch()
            self.buttons.addWidget(widget)
            self._buttons.append(widget)
        if not any(action.primary for action in ordered):
            self.buttons.addStretch()
        if self._buttons:
            self._buttons[-1].setFocus()

    def button_texts(self) -> list[str]:
        return [b.text().replace("&", "") for b in self._buttons]

    def click(self, text: str) -> None:
        """Press the button labelled ``text`` (tests and keyboard shortcuts)."""
        for widget in self._buttons:
            if widget.text().replace("&", "") == text:
                widget.click()
                return
        raise KeyError(text)

    def _escape(self) -> None:
        if self._notice is not None and self._notice.escape is not None:
            self._notice.escape()

    def _enter(self) -> None:
        primary = [a for a in self._notice.actions if a.primary] if self._notice else []
        if primary:
            primary[0].slot()
