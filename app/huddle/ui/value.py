"""Your value: typed, checked as you type, and submitted; never logged or shown elsewhere."""

from __future__ import annotations

from PySide6.QtCore import QLocale, Qt, Signal
from PySide6.QtGui import QFocusEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QButtonGroup,
    QCheckBox,
    QFrame,
    QLabel,
    QLineEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from huddle.net.facade import Question
from huddle.net.records import BY_NAME, AnswerError, AnswerForm, Problem, answer_text, ungroup
from huddle.ui import texts
from huddle.ui.widgets import (
    FieldMessage,
    IconLabel,
    Page,
    body,
    button,
    confirm,
    row,
    scaled_font,
)


class _OptionBox(QCheckBox):
    """An option of a private choice: a Tab stop of its own, like any check box.

    Qt lets only one button of a QButtonGroup take Tab (right for radio buttons, which
    the arrow keys move between), but arrows do not move between check boxes: the
    other options could not be reached from the keyboard at all.
    """

    def focusInEvent(self, event: QFocusEvent) -> None:
        super().focusInEvent(event)  # this is where Qt takes Tab from the others
        group = self.group()
        for box in group.buttons() if group is not None else ():
            box.setFocusPolicy(box.focusPolicy() | Qt.FocusPolicy.TabFocus)


class ValuePage(Page):
    """Asks for this person's value once the round has started.

    Signals:
        submitted(text): the value as read, digit grouping taken out ("1,000" is
            "1000"); already checked against the question.
        cancel(): stop the round for everyone.
    """

    submitted = Signal(str)
    cancel = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.question: Question | None = None
        self.picking = False
        """The answer is picked from buttons (a vote, choice or poll), not typed."""
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
        caption = self.caption = QLabel(self.tr("Your &value:"))
        caption.setFont(scaled_font(caption, 1.1, bold=True))
        caption.setBuddy(self.field)
        self.choices = QWidget()
        self.choices.setAccessibleName(self.tr("Options"))
        # The caption's Alt+letter focuses the options (through the focus proxy) and ticks
        # nothing; with a button as the buddy, Qt would click it. A label only focuses a
        # buddy that takes focus: by click, so Tab still skips the container.
        self.choices.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self._choice_layout = QVBoxLayout(self.choices)
        self._choice_layout.setContentsMargins(4, 2, 0, 2)
        self._choice_layout.setSpacing(6)
        self.group = QButtonGroup(self)
        self.group.buttonToggled.connect(self._picked)
        self.unit = QLabel()
        self.unit.setFont(scaled_font(self.unit, 1.4))
        self.rule = body(muted=True)
        self.message = FieldMessage(self.field)
        self.content.addWidget(caption)
        self.content.addLayout(row(self.field, self.unit, 1))
        self.content.addWidget(self.choices)
        self.content.addWidget(self.rule)
        self.content.addWidget(self.message)
        self.content.addWidget(self._reveals_box())
        self.code_hint = body(muted=True)
        self.content.addWidget(self.code_hint)
        self.content.addStretch()
        self.cancel_button = button(self.tr("&Cancel round"))
        self.cancel_button.setToolTip(self.tr("Stops the round for everyone; nothing is revealed."))
        self.cancel_button.clicked.connect(self._ask_cancel)
        self.submit_button = button(self.tr("&Submit"), primary=True)
        self.submit_button.clicked.connect(self._submit)
        self.buttons.addWidget(self.cancel_button)
        self.buttons.addStretch()
        self.buttons.addWidget(self.submit_button)
        self.on_escape(self._ask_cancel)
        self.on_enter(self._submit)

    def _ask_cancel(self) -> None:
        """Cancelling stops the round on every screen: only once the person says so."""
        if confirm(self, texts.cancel_round_ask()):
            self.cancel.emit()

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
        picking = _form(question) is not AnswerForm.NUMBER
        intro = (
            self.tr("The round has started with {names}. Pick your answer and submit it.")
            if picking
            else self.tr("The round has started with {names}. Type your value and submit it.")
        )
        self.intro.setText(intro.format(names=texts.name_list(names, me)))
        self.unit.setText(question.unit)
        self.picking = picking
        self.unit.setVisible(bool(question.unit) and not picking)
        self.field.setVisible(not picking)
        self.choices.setVisible(picking)
        self._build_choices(question)
        self.caption.setBuddy(self.choices if picking else self.field)
        self.rule.setText(self._rule(question))
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
        self.choices.setEnabled(True)
        self.focus_first()

    def _rule(self, question: Question) -> str:
        form = _form(question)
        if form is AnswerForm.SOME_OPTIONS:
            return self.tr("Tick every option you would be happy with (at least one).")
        if form is AnswerForm.YES_NO:
            return self.tr("Answer truthfully: your app randomizes it before anything is sent.")
        if form is AnswerForm.ONE_OPTION:
            return self.tr("Pick one option.")
        return texts.allowed(question)

    def _build_choices(self, question: Question) -> None:
        """Radio buttons (a vote, a poll) or check boxes (a private choice)."""
        for old in self.group.buttons():
            self.group.removeButton(old)
            old.deleteLater()
        form = _form(question)
        labels = question.options if question.takes_options else (self.tr("Yes"), self.tr("No"))
        self.group.setExclusive(form is not AnswerForm.SOME_OPTIONS)
        captions = {
            AnswerForm.SOME_OPTIONS: self.tr("Options you &approve:"),
            AnswerForm.YES_NO: self.tr("Your &answer:"),
            AnswerForm.ONE_OPTION: self.tr("Your &vote:"),
        }
        self.caption.setText(captions.get(form, self.tr("Your &value:")))
        previous: QWidget = self.field
        for index, label in enumerate(labels):
            # "&" in an option is the option's own text, not an Alt+letter.
            text = label.replace("&", "&&")
            box: QAbstractButton = (
                _OptionBox(text) if form is AnswerForm.SOME_OPTIONS else QRadioButton(text)
            )
            box.setFont(scaled_font(box, 1.15))
            self.group.addButton(box, index)
            self._choice_layout.addWidget(box)
            # New buttons join the end of the window's tab chain; put them after the field.
            QWidget.setTabOrder(previous, box)
            previous = box
        QWidget.setTabOrder(previous, self.submit_button)
        self.choices.setFocusProxy(self.group.button(0))

    def picked_text(self) -> str:
        """The answer the ticked buttons make ("" if none): option numbers, or yes/no."""
        ticked = sorted(self.group.id(b) for b in self.group.buttons() if b.isChecked())
        if not ticked or self.question is None:
            return ""
        if _form(self.question) is AnswerForm.YES_NO:
            return "yes" if ticked == [0] else "no"
        return answer_text(ticked)

    def _picked(self) -> None:
        self.submit_button.setEnabled(bool(self.picked_text()))

    def show_error(self, text: str) -> None:
        self.field.setEnabled(True)
        self.choices.setEnabled(True)
        self.message.show_message(text, "error")
        self.submit_button.setEnabled(False)

    def _read(self, text: str) -> tuple[str, str | None]:
        """The number ``text`` is read as (digit grouping taken out), and why it cannot
        be used, if it cannot."""
        assert self.question is not None
        try:
            read = ungroup(text, QLocale().groupSeparator())
        except AnswerError as exc:
            return "", self.problem_words(exc)
        problem = self.question.answer_problem(read)
        return read, None if problem is None else self.problem_words(problem)

    def problem_words(self, error: AnswerError) -> str:
        """Why an answer cannot be used, in this screen's words."""
        if error.problem is Problem.DECIMALS and error.data.get("decimals") == 0:
            return self.tr("Use a whole number, without decimals.")
        words = {
            Problem.NOT_A_NUMBER: self.tr(
                "That is not a number: use digits, an optional minus sign and a dot for decimals."
            ),
            Problem.GROUPING: self.tr(
                "That is not a number: use a dot for decimals; thousands may be grouped in "
                "threes, e.g. 12{separator}345.5."
            ),
            Problem.DECIMALS: self.tr("Use at most {decimals} decimal places."),
            Problem.RANGE: self.tr("Enter a value from {lo} to {hi}."),
            Problem.NO_OPTION: self.tr("Choose one of the options."),
            Problem.NOT_AN_OPTION: self.tr(
                "That is not one of the options: type its name or its number, 1 to {count}."
            ),
            Problem.NO_APPROVAL: self.tr("Tick at least one option you would be happy with."),
            Problem.NOT_YES_OR_NO: self.tr("Answer yes or no."),
        }
        return words[error.problem].format(**error.data)

    def _check(self, text: str) -> str | None:
        if self.question is None:
            return None
        read, error = self._read(text) if text.strip() else ("", None)
        if error is not None:
            self.message.show_message(error, "error")
        else:
            self.message.show_message(self._echo(text, read), "info")
        self.submit_button.setEnabled(bool(text.strip()) and error is None)
        return error

    def _echo(self, text: str, read: str) -> str:
        """What to say back under the field: "Read as 1000 EUR" when grouping was taken
        out, or when this locale writes decimals with something other than the dot, so
        nobody submits a number they did not mean; else "". The number is shown in
        the locale's own signs."""
        locale = QLocale()
        point = locale.decimalPoint()
        if not read or (read == text.strip().replace("\u2212", "-") and point == "."):
            return ""
        shown = read.replace("-", locale.negativeSign()).replace(".", point)
        unit = self.question.unit if self.question is not None else ""
        value = f"{shown} {unit}" if unit else shown
        return self.tr("Read as {value}.").format(value=value)

    def _submit(self) -> None:
        if self.question is not None and self.picking:
            picked = self.picked_text()
            if picked:
                self.choices.setEnabled(False)
                self.submit_button.setEnabled(False)
                self.submitted.emit(picked)
            return
        text = self.field.text()
        if self.question is None or not text.strip() or self._check(text) is not None:
            return
        self.field.setEnabled(False)
        self.submit_button.setEnabled(False)
        self.submitted.emit(self._read(text)[0])  # as read: "1,000" goes out as "1000"

    def clear(self) -> None:
        """Forget what was typed or ticked, undo history included (the engine keeps its
        own copy)."""
        self.field.setText("")
        exclusive = self.group.exclusive()
        self.group.setExclusive(False)  # an exclusive group cannot untick its last button
        for box in self.group.buttons():
            box.setChecked(False)
        self.group.setExclusive(exclusive)


def _form(question: Question) -> AnswerForm:
    """How this question is answered, as its kind declares."""
    return BY_NAME[question.kind].about.answer
