"""Small widgets every screen uses: page frame, headings, field messages, the code card.

Colours come from the palette (so light and dark themes both work); the only
derived colours are the error and success tones, which are picked to contrast
with whatever the window background is.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QColor, QFont, QKeySequence, QPalette, QShortcut
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLayout,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from huddle.ui.resources import symbolic_icon

PAGE_MARGIN = 28
SPACING = 12


def tone(palette: QPalette, kind: str) -> QColor:
    """An error ("error") or success ("good") colour readable on this palette's window."""
    dark = palette.color(QPalette.ColorRole.Window).lightness() < 128
    hue = {"error": 4, "good": 135, "warn": 35}[kind]
    return QColor.fromHsl(hue, 170 if dark else 190, 170 if dark else 80)


def scaled_font(widget: QWidget, factor: float, *, bold: bool = False) -> QFont:
    font = QFont(widget.font())
    font.setPointSizeF(font.pointSizeF() * factor)
    font.setBold(bold)
    return font


def heading(text: str = "", factor: float = 1.5) -> QLabel:
    label = QLabel(text)
    label.setFont(scaled_font(label, factor, bold=True))
    label.setWordWrap(True)
    label.setAccessibleName(text)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def body(text: str = "", *, muted: bool = False) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    if muted:
        label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
    return label


class IconLabel(QLabel):
    """A symbolic icon that re-tints itself when the theme changes."""

    def __init__(self, name: str, size: int = 24, role: QPalette.ColorRole | None = None) -> None:
        super().__init__()
        self._name, self._size, self._role = name, size, role
        self.setFixedSize(size, size)
        self._paint()

    def set_icon(self, name: str) -> None:
        self._name = name
        self._paint()

    def _paint(self) -> None:
        icon = symbolic_icon(self._name, self.palette(), self._role)
        self.setPixmap(icon.pixmap(self._size, self._size))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.PaletteChange:
            self._paint()
        super().changeEvent(event)


class FieldMessage(QLabel):
    """The message under a field: hidden when empty; kind "error", "good", "warn",
    "info" (plain text colour) or "hint" (muted).

    The field's accessible description carries the same text, so screen readers
    announce why the value is not accepted.
    """

    def __init__(self, field: QWidget | None = None, kind: str = "error") -> None:
        super().__init__()
        self._field, self._kind = field, kind
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setVisible(False)
        self._recolour()

    def show_message(self, text: str | None, kind: str | None = None) -> None:
        if kind is not None and kind != self._kind:
            self._kind = kind
            self._recolour()
        self.setText(text or "")
        self.setVisible(bool(text))
        if self._field is not None:
            self._field.setAccessibleDescription(text or "")

    def _recolour(self) -> None:
        palette = QPalette()  # the application's, so a theme change starts afresh
        if self._kind == "hint":
            hint = palette.color(QPalette.ColorRole.PlaceholderText)
            palette.setColor(QPalette.ColorRole.WindowText, hint)
        elif self._kind != "info":
            palette.setColor(QPalette.ColorRole.WindowText, tone(palette, self._kind))
        self.setPalette(palette)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.ApplicationPaletteChange:
            self._recolour()
        super().changeEvent(event)


class CodeCard(QFrame):
    """The session security code, large, with the sentence that says what to do with it."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("codeCard")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setBackgroundRole(QPalette.ColorRole.Base)
        self.setAutoFillBackground(True)
        caption = QHBoxLayout()
        caption.addWidget(IconLabel("shield", 20))
        self.title = QLabel(self.tr("Security code"))
        self.title.setFont(scaled_font(self.title, 1.0, bold=True))
        caption.addWidget(self.title)
        caption.addStretch()
        self.code = QLabel()
        self.code.setObjectName("securityCode")
        self._big = QFont("monospace")
        self._big.setStyleHint(QFont.StyleHint.TypeWriter)
        self._big.setPointSizeF(self.font().pointSizeF() * 2.4)
        self._big.setBold(True)
        self._waiting = scaled_font(self, 1.1)
        self._waiting.setItalic(True)
        self.code.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.code.setAccessibleName(self.tr("Security code"))
        self.advice = body(
            self.tr(
                "Before anyone types a value, read this code aloud together: every screen "
                "must show the same digits. If one differs, stop — someone may be listening in."
            )
        )
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 14)
        layout.addLayout(caption)
        layout.addWidget(self.code, alignment=Qt.AlignmentFlag.AlignHCenter)
        layout.addWidget(self.advice)

    def set_code(self, code: str) -> None:
        """The code, or "" while there is none yet (before the host lets you in)."""
        self.code.setEnabled(bool(code))
        self.code.setFont(self._big if code else self._waiting)
        self.code.setText(code or self.tr("The code appears once you are in."))
        # Read digit by digit, group by group ("4 8 2 1, 0 9 3 7, …"), not as big numbers.
        self.code.setAccessibleDescription(", ".join(" ".join(group) for group in code.split()))


class Page(QWidget):
    """One screen: a heading, a body column and a button row at the bottom.

    ``on_escape``/``on_enter`` bind Esc and Enter anywhere on the page.
    """

    def __init__(self, title: str = "") -> None:
        super().__init__()
        self.title = heading(title)
        self.content = QVBoxLayout()
        self.content.setSpacing(SPACING)
        self.buttons = QHBoxLayout()
        self.buttons.setSpacing(SPACING)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(PAGE_MARGIN, PAGE_MARGIN - 6, PAGE_MARGIN, PAGE_MARGIN - 6)
        outer.setSpacing(SPACING + 4)
        outer.addWidget(self.title)
        outer.addLayout(self.content, 1)
        outer.addLayout(self.buttons)

    def set_title(self, text: str) -> None:
        self.title.setText(text)
        self.title.setAccessibleName(text)

    def on_key(
        self, keys: QKeySequence | QKeySequence.StandardKey | str, slot: Callable[[], None]
    ) -> None:
        shortcut = QShortcut(QKeySequence(keys), self)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(slot)

    def on_escape(self, slot: Callable[[], None]) -> None:
        self.on_key(QKeySequence.StandardKey.Cancel, slot)

    def on_enter(self, slot: Callable[[], None]) -> None:
        """Enter presses the focused button, or else runs ``slot`` (the page's main action)."""

        def enter() -> None:
            focused = self.focusWidget()
            if isinstance(focused, QPushButton) and self.isAncestorOf(focused):
                focused.click()
            else:
                slot()

        self.on_key("Return", enter)
        self.on_key("Enter", enter)


def button(text: str, *, primary: bool = False, icon: str = "") -> QPushButton:
    widget = QPushButton(text)
    widget.setAccessibleName(text.replace("&", ""))
    widget.setAutoDefault(False)
    if primary:
        widget.setDefault(True)
        widget.setObjectName("primary")
    if icon:
        widget.setIcon(symbolic_icon(icon, widget.palette(), QPalette.ColorRole.ButtonText))
    return widget


def row(*items: QWidget | QLayout | int, spacing: int = SPACING) -> QHBoxLayout:
    """A horizontal row; an int is a stretch factor."""
    layout = QHBoxLayout()
    layout.setSpacing(spacing)
    for item in items:
        if isinstance(item, int):
            layout.addStretch(item)
        elif isinstance(item, QLayout):
            layout.addLayout(item)
        else:
            layout.addWidget(item)
    return layout


def separator() -> QFrame:
    line = QFrame()
    line.setFrameShape(QFrame.Shape.HLine)
    line.setFrameShadow(QFrame.Shadow.Sunken)
    line.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
    return line
