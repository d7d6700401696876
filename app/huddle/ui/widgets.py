"""Small widgets every screen uses: page frame, headings, field messages, the code card.

Colours come from the palette (so light and dark themes both work); the only
derived colours are the error and success tones, which are picked to contrast
with whatever the window background is.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QColor, QFont, QKeyEvent, QKeySequence, QPalette, QShortcut
from PySide6.QtWidgets import (
    QAbstractButton,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLayout,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from huddle.ui.resources import symbolic_icon
from huddle.ui.texts import Ask

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

    @property
    def kind(self) -> str:
        """How the message is shown: "error", "good", "warn", "info" or "hint"."""
        return self._kind

    def setVisible(self, visible: bool) -> None:
        """Never shown empty: a form showing a row shows every widget in it, and an
        empty message would be a blank line that closes up once the field is checked."""
        super().setVisible(visible and bool(self.text()))

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
    """One screen: a heading and a body column that scroll, over a button row that
    does not.

    The button row stays at the bottom of the window however small it is (640×480,
    large text), so "Start hosting" or "Start the round" never scrolls out of
    sight. ``on_escape``/``on_enter`` bind Esc and Enter anywhere on the page. The
    button row's default button is its primary action; `order_tabs` puts it first
    among the buttons, so Tab goes inputs → primary → the others.
    """

    def __init__(self, title: str = "") -> None:
        super().__init__()
        self.title = heading(title)
        self.content = QVBoxLayout()
        self.content.setSpacing(SPACING)
        self.buttons = QHBoxLayout()
        self.buttons.setSpacing(SPACING)
        body = QWidget()
        self._column = QVBoxLayout(body)
        self._column.setContentsMargins(PAGE_MARGIN, PAGE_MARGIN - 6, PAGE_MARGIN, 0)
        self._column.setSpacing(SPACING + 4)
        self._column.addWidget(self.title)
        self._column.addLayout(self.content, 1)
        self.body_area = QScrollArea()
        self.body_area.setWidget(body)
        self.body_area.setWidgetResizable(True)
        self.body_area.setFrameShape(QFrame.Shape.NoFrame)
        self.body_area.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # no invisible stop for Tab
        self.buttons.setContentsMargins(PAGE_MARGIN, SPACING, PAGE_MARGIN, PAGE_MARGIN - 6)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        outer.addWidget(self.body_area, 1)
        outer.addLayout(self.buttons)
        self._enter_slot: Callable[[], None] | None = None

    def layout(self) -> QVBoxLayout | None:
        """The scrolling column (the heading, then ``content``), where a page may
        rearrange its heading; the page's own layout only holds that and the buttons.

        Typed as Qt types it (optional) so pages written against QWidget keep working.
        """
        return self._column

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

    def on_enter(self, slot: Callable[[], None] | None = None) -> None:
        """Enter presses the focused button, or else runs ``slot`` (the page's main
        action; None: press the default button of the button row, if it can be).

        Enter reaches the page only when the focused control does not use it itself
        (a list opening its item, a text box starting a new line).
        """
        self._enter_slot = slot or self._press_default

    def keyPressEvent(self, event: QKeyEvent) -> None:
        plain = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier == Qt.KeyboardModifier(0)
        enter = event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        if not (enter and plain and self._enter_slot is not None):
            super().keyPressEvent(event)
            return
        event.accept()
        focused = self.focusWidget()
        if isinstance(focused, QPushButton) and self.isAncestorOf(focused):
            if focused.isEnabled():
                focused.click()
        else:
            self._enter_slot()

    def _press_default(self) -> None:
        primary = self.primary_button()
        if primary is not None and primary.isVisibleTo(self) and primary.isEnabled():
            primary.click()

    def row_buttons(self) -> list[QPushButton]:
        """The buttons of the button row, left to right."""
        items = (self.buttons.itemAt(i) for i in range(self.buttons.count()))
        widgets = (item.widget() for item in items if item is not None)
        return [w for w in widgets if isinstance(w, QPushButton)]

    def primary_button(self) -> QPushButton | None:
        return next((b for b in self.row_buttons() if b.isDefault()), None)

    def order_tabs(self) -> None:
        """Tab reaches the primary button straight after the inputs, then the others;
        and every button of the row gets an Alt+letter (`give_mnemonics`).

        The primary sits at the right end of the row, where the eye ends; without
        this, Tab would stop on "Cancel round" or "Back" first. Rows built on the
        fly (a notice's actions) are covered too: this runs whenever the page is shown.
        """
        row_buttons = self.row_buttons()
        give_mnemonics(row_buttons, taken=self._mnemonics_in_use(row_buttons))
        primary = self.primary_button()
        if primary is None:
            return
        row_buttons.remove(primary)
        previous = primary
        for widget in row_buttons:
            QWidget.setTabOrder(previous, widget)
            previous = widget

    def _mnemonics_in_use(self, besides: list[QPushButton]) -> set[str]:
        """The Alt+letters of this page's labels and buttons, except those in ``besides``."""
        taken = set()
        for widget in self.findChildren(QLabel) + self.findChildren(QAbstractButton):
            if widget not in besides and (letter := mnemonic_of(widget.text())):
                taken.add(letter)
        return taken

    def focus_first(self) -> None:
        """Put the keyboard focus on the first control that takes it: the first input,
        else the primary button.

        The whole window's tab chain is walked, not just the stretch that starts at
        the page: widgets made after the page (a notice's buttons, a ballot's options)
        join the chain at its end.
        """
        self.order_tabs()
        widget = self.nextInFocusChain()
        while widget is not None and widget is not self:
            if (
                self.isAncestorOf(widget)
                and widget.focusPolicy() & Qt.FocusPolicy.TabFocus
                and widget.isEnabled()
                and widget.isVisibleTo(self)
            ):
                widget.setFocus(Qt.FocusReason.TabFocusReason)
                # Draw the focus ring now, not only after the first Tab (Qt draws it
                # only for focus moved by keys): people should see where Enter and
                # Space act.
                self.window().setAttribute(Qt.WidgetAttribute.WA_KeyboardFocusChange)
                widget.update()
                return
            widget = widget.nextInFocusChain()


def confirm(parent: QWidget, ask: Ask) -> bool:
    """Ask before something that cannot be undone; True if the person said ``ask.yes``.

    Both answers are worded buttons without icons (a standard Close and Cancel
    both show an X in some themes); Enter, Esc or closing the box mean ``ask.no``.
    """
    box = QMessageBox(
        QMessageBox.Icon.Question, ask.title, ask.text, QMessageBox.StandardButton.NoButton, parent
    )
    go = box.addButton(ask.yes, QMessageBox.ButtonRole.AcceptRole)
    stay = box.addButton(ask.no, QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(stay)
    box.setEscapeButton(stay)
    box.exec()
    return box.clickedButton() is go


def mnemonic_of(text: str) -> str:
    """The Alt+letter a widget's text marks with "&" (lower case), or ""."""
    index = text.replace("&&", "").find("&")
    rest = text.replace("&&", "")[index + 1 : index + 2] if index >= 0 else ""
    return rest.lower()


def give_mnemonics(buttons: list[QPushButton], taken: set[str]) -> None:
    """An Alt+letter for each button whose text has none, unlike any in ``taken``.

    Preferred: the start of a capitalised last word ("Back to &Home", as on the
    result page), then the start of the first word ("&Close session"), then any
    word's start, then any letter.
    """
    taken = set(taken) | {m for b in buttons if (m := mnemonic_of(b.text()))}
    for widget in buttons:
        text = widget.text()
        if mnemonic_of(text):
            continue
        words = [match for match in re.finditer(r"\w+", text) if match.group()[0].isalnum()]
        starts = [word.start() for word in words]
        last = [starts[-1]] if len(words) > 1 and words[-1].group()[0].isupper() else []
        for at in (*last, *starts, *range(len(text))):
            letter = text[at].lower()
            if letter.isalnum() and letter not in taken:
                widget.setText(text[:at] + "&" + text[at:])
                taken.add(letter)
                break


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
