"""Your value: typed, checked as you type, and submitted; never logged or shown elsewhere."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QLabel, QLineEdit, QVBoxLayout

from huddle.core.questions import Question
from huddle.ui import texts
from huddle.ui.widgets import FieldMessage, IconLabel, Page, body, button, row, scaled_font


class ValuePage(Page):
    """Asks for this person's value once the round has started.

    Signals:
        submitted(text): the value as typed; already checked against the question.
        cancel(): stop the round for everyone.
    """

    submitted = Signal(str)
    cancel = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.question: Question | None = None
        self.intro = body()
        self.content.addWidget(self.intro)
        self.field = QLineEdit()
        self.field.setAccessibleName(self.tr("Your value"))
        self.field.setInputMethodHints(
            Qt.InputMethodHint.ImhFormattedNumbersOnly | Qt.InputMethodHint.ImhNoPredictiveText
        )
        self.field.setFont(scaled_font(self.field, 1.6))
        self.field.setMinimumWidth(220)
        self.field.textChanged.connect(self._check)
        self.field.returnPressed.connect(self._submit)
        caption = QLabel(self.tr("Your &value:"))
        caption.setFont(scaled_font(caption, 1.1, bold=True))
        caption.setBuddy(self.field)
        self.unit = QLabel()
        self.unit.setFont(scaled_font(self.unit, 1.4))
        self.rule = body(muted=True)
        self.message = FieldMessage(self.field)
        self.content.addWidget(caption)
        self.content.addLayout(row(self.field, self.unit, 1))
        self.content.addWidget(self.rule)
        self.content.addWidget(self.message)
        self.content.addWidget(self._reveals_box())
        self.code_hint = body(muted=True)
        self.content.addWidget(self.code_hint)
        self.content.addStretch()
        self.cancel_button = button(self.tr("&Cancel round"))
        self.cancel_button.setToolTip(self.tr("Stops the round for everyone; nothing is revealed."))
        self.cancel_button.clicked.connect(self.cancel)
        self.submit_button = button(self.tr("&Submit"), primary=True)
        self.submit_button.clicked.connect(self._submit)
        self.buttons.addWidget(self.cancel_button)
        self.buttons.addStretch()
        self.buttons.addWidget(self.submit_button)
        self.on_escape(self.cancel.emit)

    def _reveals_box(self) -> QFrame:
        box = QFrame()
        box.setObjectName("revealsBox")
        box.setFrameShape(QFrame.Shape.StyledPanel)
        title = QLabel(self.tr("What the result reveals"))
        title.setFont(scaled_font(title, 1.0, bold=True))
        self.reveals = body()
        self.reveals.setAccessibleName(self.tr("What the result reveals"))
        self.budget = body()
        self.budget.setAccessibleName(self.tr("Privacy budget"))
        layout = QVBoxLayout(box)
        layout.setContentsMargins(14, 10, 14, 12)
        layout.addLayout(row(IconLabel("lock", 18), title, 1, spacing=6))
        layout.addWidget(self.reveals)
        layout.addWidget(self.budget)
        return box

    def ask(
        self, question: Question, names: tuple[str, ...], me: str, code: str, budget: str = ""
    ) -> None:
        """Start over for a new round with these people (``me`` is this person);
        ``budget`` is the privacy budget already spent on this subject, for a noisy result."""
        self.question = question
        self.set_title(question.title)
        self.intro.setText(
            self.tr("The round has started with {names}. Type your value and submit it.").format(
                names=texts.name_list(names, me)
            )
        )
        self.unit.setText(question.unit)
        self.unit.setVisible(bool(question.unit))
        self.rule.setText(texts.allowed(question))
        self.reveals.setText(texts.reveals(question, len(names)))
        self.budget.setText(budget)
        self.budget.setVisible(bool(budget))
        self.code_hint.setText(
            self.tr("Security code {code}. Did everyone read the same code aloud?").format(
                code=code
            )
        )
        self.clear()
        self.submit_button.setEnabled(False)
        self.message.show_message(None)
        self.field.setEnabled(True)
        self.field.setFocus()

    def show_error(self, text: str) -> None:
        self.field.setEnabled(True)
        self.message.show_message(text)
        self.submit_button.setEnabled(False)

    def _check(self, text: str) -> str | None:
        if self.question is None:
            return None
        error = self.question.check_answer(text) if text.strip() else None
        if error == f"Use at most {self.question.decimals} decimal places." and not (
            self.question.decimals
        ):
            error = self.tr("Use a whole number, without decimals.")
        self.message.show_message(error)
        self.submit_button.setEnabled(bool(text.strip()) and error is None)
        return error

    def _submit(self) -> None:
        text = self.field.text()
        if self.question is None or not text.strip() or self._check(text) is not None:
            return
        self.field.setEnabled(False)
        self.submit_button.setEnabled(False)
        self.submitted.emit(text)

    def clear(self) -> None:
        """Forget what was typed, undo history included (the engine keeps its own copy)."""
        self.field.setText("")
