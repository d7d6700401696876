"""Host setup: the question, what kind of result, the allowed values, who counts."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from huddle.net.facade import Question
from huddle.net.records import (
    BY_NAME,
    MAX_PARTICIPANTS,
    MIN_PARTICIPANTS,
    AnswerForm,
    clean_options,
    default_robust,
    max_robust,
)
from huddle.ui import texts
from huddle.ui.accuracy import accuracy_text
from huddle.ui.dp_settings import BarsSetting, EpsilonSetting, robust_words
from huddle.ui.privacy import BoundEstimator, PrivacyLedger, subject
from huddle.ui.setup_check import SetupFields, check_setup
from huddle.ui.widgets import FieldMessage, Page, body, button, row

MAX_TITLE, MAX_UNIT, MAX_DECIMALS, MAX_TAG = 120, 24, 6, 64


class HostSetupPage(Page):
    """Settings for a new session; Start hosting stays disabled until they make sense.

    Signals:
        start_hosting(question, contributes): the settings are valid and confirmed.
        back(): return to Home.
    """

    start_hosting = Signal(object, bool)
    back = Signal()

    def __init__(self) -> None:
        super().__init__(self.tr("Host a session"))
        self._touched: set[QWidget] = set()
        self._question: Question | None = None
        self.ledger: PrivacyLedger | None = None
        """This person's privacy ledger, for the ε already spent on a tag."""
        self.bounds = BoundEstimator(self)
        self.bounds.ready.connect(lambda *_: self.validate())
        self.content.addWidget(
            body(
                self.tr(
                    "Ask one question. Everyone who takes part answers on their own "
                    "computer; all of you see only the result."
                ),
                muted=True,
            )
        )
        form = self._form = QFormLayout()
        form.setVerticalSpacing(10)
        form.setHorizontalSpacing(14)
        self._build_question(form)
        self._build_options(form)
        self._build_values(form)
        self._build_privacy(form)
        self._build_people(form)
        self.content.addLayout(form)
        self.content.addStretch()
        self.problem = FieldMessage()
        self.content.addWidget(self.problem)
        self.back_button = button(self.tr("&Back"))
        self.back_button.clicked.connect(self.back)
        self.start_button = button(self.tr("&Start hosting"), primary=True, icon="host")
        self.start_button.clicked.connect(self._start)
        self.buttons.addWidget(self.back_button)
        self.buttons.addStretch()
        self.buttons.addWidget(self.start_button)
        self.on_escape(self.back.emit)
        self.on_enter(self._start)
        self._kind_changed()

    # --- building ------------------------------------------------------------------

    def _field(
        self,
        form: QFormLayout,
        label: str,
        widget: QWidget,
        name: str,
        buddy: QWidget | None = None,
        *,
        width: int = 0,
    ) -> FieldMessage:
        """A labelled field with its message underneath; ``width`` > 0 keeps it narrow."""
        widget.setAccessibleName(name)
        message = FieldMessage(widget)
        column = QVBoxLayout()
        column.setSpacing(3)
        if width:
            widget.setMinimumWidth(width)
            column.addWidget(widget, alignment=Qt.AlignmentFlag.AlignLeft)
        else:
            column.addWidget(widget)
        column.addWidget(message)
        caption = QLabel(label)
        caption.setBuddy(buddy or widget)
        form.addRow(caption, column)
        return message

    def _build_question(self, form: QFormLayout) -> None:
        self.title_edit = QLineEdit()
        self.title_edit.setMaxLength(MAX_TITLE)
        self.title_edit.setPlaceholderText(self.tr("e.g. What was your 2026 raise?"))
        self.title_message = self._field(
            form, self.tr("&Question:"), self.title_edit, self.tr("Question")
        )
        self.kind = QComboBox()
        for kind in BY_NAME.values():  # one row per kind, as its module names it
            self.kind.addItem(self.tr(kind.about.label), kind.name)
        self.kind_message = self._field(
            form, self.tr("&Result:"), self.kind, self.tr("Kind of result")
        )
        self.title_edit.textChanged.connect(lambda: self._edited(self.title_edit))
        self.kind.currentIndexChanged.connect(self._kind_changed)

    def _build_options(self, form: QFormLayout) -> None:
        self.options = QPlainTextEdit()
        self.options.setPlaceholderText(self.tr("One option per line, e.g.\nPizza\nSushi\nThai"))
        self.options.setTabChangesFocus(True)
        self.options.setFixedHeight(self.options.fontMetrics().lineSpacing() * 5 + 14)
        self.options_message = self._field(
            form, self.tr("&Options:"), self.options, self.tr("Options, one per line")
        )
        self.options.textChanged.connect(lambda: self._edited(self.options))

    def option_list(self) -> tuple[str, ...]:
        return clean_options(self.options.toPlainText().splitlines())

    def _build_privacy(self, form: QFormLayout) -> None:
        self.bars = BarsSetting()
        self.bars_message = self._field(form, self.tr("B&ars:"), self.bars, self.tr("Bars"))
        self.bars.changed.connect(lambda: self._edited(self.bars))
        self.epsilon = EpsilonSetting()
        self.privacy_message = self._field(
            form,
            self.tr("&Privacy:"),
            self.epsilon,
            self.tr("Privacy setting"),
            self.epsilon.slider,
        )
        self.epsilon.changed.connect(lambda: self._edited(self.epsilon))
        self.tag = QLineEdit()
        self.tag.setMaxLength(MAX_TAG)
        self.tag.setPlaceholderText(self.tr("optional, e.g. salary"))
        self.tag_message = self._field(form, self.tr("Ta&g:"), self.tag, self.tr("Tag"), width=220)
        self.tag.textChanged.connect(lambda: self._edited(self.tag))

    def _kind_changed(self) -> None:
        kind = BY_NAME[str(self.kind.currentData())]
        about, form = kind.about, self._form
        form.setRowVisible(self._row_of(form, self.bars), about.bars)
        form.setRowVisible(self._row_of(form, self.options), kind.takes_options)
        for widget in (self.unit, self.decimals, self.span):
            form.setRowVisible(self._row_of(form, widget), about.answer is AnswerForm.NUMBER)
        form.setRowVisible(self._row_of(form, self.epsilon), kind.private)
        form.setRowVisible(self._row_of(form, self.robust), kind.private)
        form.setRowVisible(self._row_of(form, self.tag), kind.spends_epsilon)
        self.kind_message.show_message(self.tr(about.hint), "hint")
        self.contributes.setText(self._take_part(about.answer))
        self.validate()

    def _take_part(self, answer: AnswerForm) -> str:
        """The host's own part, in the words of this kind of question."""
        if answer is AnswerForm.ONE_OPTION:
            return self.tr("I &take part and vote too")
        if answer is AnswerForm.SOME_OPTIONS:
            return self.tr("I &take part and tick options too")
        if answer is AnswerForm.YES_NO:
            return self.tr("I &take part and answer too")
        return self.tr("I &take part with a value too")

    @staticmethod
    def _row_of(form: QFormLayout, widget: QWidget) -> int:
        for index in range(form.rowCount()):
            item = form.itemAt(index, QFormLayout.ItemRole.FieldRole)
            layout = item.layout() if item is not None else None
            if layout is not None and layout.indexOf(widget) >= 0:
                return index
        raise LookupError("not a row of this form")

    def _build_values(self, form: QFormLayout) -> None:
        self.unit = QLineEdit()
        self.unit.setMaxLength(MAX_UNIT)
        self.unit.setPlaceholderText(self.tr("optional, e.g. EUR or hours"))
        self._field(form, self.tr("&Unit:"), self.unit, self.tr("Unit"), width=220)
        self.decimals = QSpinBox()
        self.decimals.setRange(0, MAX_DECIMALS)
        self._field(
            form, self.tr("&Decimals:"), self.decimals, self.tr("Decimal places"), width=120
        )
        self.lo = QLineEdit("0")
        self.hi = QLineEdit("1000000")
        self.lo.setAccessibleName(self.tr("Lowest allowed value"))
        self.hi.setAccessibleName(self.tr("Highest allowed value"))
        to = QLabel(self.tr("to"))
        to.setBuddy(self.hi)
        span = self.span = QWidget()
        span_row = row(self.lo, to, self.hi)
        span_row.setContentsMargins(0, 0, 0, 0)
        span.setLayout(span_row)
        self.range_message = self._field(
            form, self.tr("Allowed ra&nge:"), span, self.tr("Allowed range"), self.lo
        )
        for edit in (self.unit, self.lo, self.hi):
            edit.textChanged.connect(lambda _=None, e=edit: self._edited(e))
        self.decimals.valueChanged.connect(lambda: self._edited(self.decimals))

    def _build_people(self, form: QFormLayout) -> None:
        self.min_people = QSpinBox()
        self.min_people.setRange(1, MAX_PARTICIPANTS)
        self.min_people.setValue(MIN_PARTICIPANTS)
        self.min_people.setSuffix(self.tr(" people"))
        self.min_message = self._field(
            form,
            self.tr("&Minimum:"),
            self.min_people,
            self.tr("Minimum number of people"),
            width=140,
        )
        self.min_people.valueChanged.connect(self._minimum_changed)
        self.robust = QSpinBox()
        self.robust.setRange(1, max_robust(MIN_PARTICIPANTS))
        self.robust.setValue(default_robust(MIN_PARTICIPANTS))
        self.robust.setSuffix(self.tr(" who add no noise"))
        self.robust.setToolTip(
            self.tr(
                "How many people may add no noise — a modified app, or colleagues who "
                "pool their own noise to take it out — before the result stops being "
                "private at its ε. More costs some accuracy."
            )
        )
        self.robust_message = self._field(
            form,
            self.tr("&Withstands:"),
            self.robust,
            self.tr("People who may add no noise"),
            width=220,
        )
        self.robust.valueChanged.connect(lambda: self._edited(self.robust))
        self.contributes = QCheckBox(self.tr("I &take part with a value too"))
        self.contributes.setChecked(True)
        self.contributes.setAccessibleName(self.tr("The host takes part too"))
        self.contributes.setToolTip(
            self.tr("Untick to only coordinate: you see the result but add no answer.")
        )
        form.addRow("", self.contributes)
        self.reveals = body("", muted=True)
        self.reveals.setAccessibleName(self.tr("What the result reveals"))
        form.addRow("", self.reveals)

    # --- validation ---------------------------------------------------------------

    def prefill(self, title: str, unit: str, lo: str, hi: str) -> None:
        self.title_edit.setText(title)
        self.unit.setText(unit)
        self.lo.setText(lo)
        self.hi.setText(hi)

    def _minimum_changed(self) -> None:
        """The k on offer follows the minimum (`default_robust`) until the host sets one;
        its largest allowed value always does."""
        minimum = max(MIN_PARTICIPANTS, self.min_people.value())
        self.robust.blockSignals(True)
        self.robust.setMaximum(max_robust(minimum))
        if self.robust not in self._touched:
            self.robust.setValue(default_robust(minimum))
        self.robust.blockSignals(False)
        self._edited(self.min_people)

    def _edited(self, widget: QWidget) -> None:
        self._touched.add(widget)
        self.validate()

    def validate(self) -> Question | None:
        """Check every field, show what is wrong next to it, and enable Start if all is well."""
        found = check_setup(self.fields())
        question = found.question
        self._show(self.title_message, found.title, self.title_edit)
        self._show(self.range_message, found.range, self.lo, self.hi, self.decimals)
        self._show(self.min_message, found.people, self.min_people)
        self._show(self.options_message, found.options, self.options)
        people = self.min_people.value()
        self._show_private(question, people, found.bars, found.privacy)
        self.reveals.setText(
            texts.reveals(question, people, at_least=True) if question is not None else ""
        )
        self.start_button.setEnabled(question is not None)
        self._question = question
        return question

    def fields(self) -> SetupFields:
        return SetupFields(
            title=self.title_edit.text(),
            kind=str(self.kind.currentData()),
            lo=self.lo.text(),
            hi=self.hi.text(),
            unit=self.unit.text(),
            decimals=self.decimals.value(),
            min_people=self.min_people.value(),
            epsilon=self.epsilon.text(),
            tag=self.tag.text(),
            options=self.option_list(),
            bins=self.bars.bins,
            robust=self.robust.value(),
        )

    def _show_private(
        self, question: Question | None, people: int, bars_error: str | None, privacy: str | None
    ) -> None:
        """The messages of the noisy settings; none while their rows are hidden (a message
        shown in a hidden row of a form would appear at the form's top left)."""
        kind = BY_NAME[str(self.kind.currentData())]
        if not kind.about.bars:
            self.bars_message.show_message(None)
        else:
            self._show(self.bars_message, bars_error, self.bars)
        if not kind.takes_options:
            self.options_message.show_message(None)
        if not kind.private:
            self.privacy_message.show_message(None)
            self.robust_message.show_message(None)
            if kind.spends_epsilon:  # a poll: its coins cost ε, so its tag counts
                self.tag_message.show_message(self._tag_hint(question), "hint")
            else:
                self.tag_message.show_message(None)
            return
        robust = question.robust if question is not None else self.robust.value()
        self.robust_message.show_message(robust_words(max(people, robust + 2), robust), "hint")
        if privacy:
            self.privacy_message.show_message(privacy, "error")
        else:
            accuracy = accuracy_text(question, people, self.bounds)
            self.privacy_message.show_message(
                accuracy.text, "warn" if accuracy.too_noisy else "hint"
            )
        self.tag_message.show_message(self._tag_hint(question), "hint")

    def _tag_hint(self, question: Question | None) -> str:
        hint = self.tr(
            "Questions with the same tag share a privacy budget: each person's Huddle adds "
            "up the ε they spend on that subject."
        )
        if question is None or self.ledger is None or not question.release_epsilon:
            return hint
        ledger = self.ledger.load()
        spent = ledger.spent(question.tag)
        if spent > 0:
            hint += " " + self.tr("You have already spent ε = {spent} on {subject} here.").format(
                spent=texts.epsilon(spent), subject=subject(question.tag)
            )
        return hint

    def _show(self, message: FieldMessage, error: str | None, *fields: QWidget) -> None:
        if any(field in self._touched for field in fields):
            message.show_message(error)

    def _start(self) -> None:
        self.problem.show_message(None)
        self._touched.update((self.title_edit, self.lo, self.hi, self.min_people))
        question = self.validate()
        if question is not None:
            self.start_hosting.emit(question, self.contributes.isChecked())
