"""The result: the average large, total and count, and where your own value stands."""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QGuiApplication, QPainter, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

from huddle.core.outcome import Outcome
from huddle.ui import texts
from huddle.ui.widgets import FieldMessage, Page, body, button, scaled_font


class PositionBar(QWidget):
    """The allowed range as a line, with the average and (if known) your value marked."""

    def __init__(self) -> None:
        super().__init__()
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.fractions: tuple[float, float | None] = (0.5, None)
        self.labels = ("", "", "")

    def set_points(self, average: float, mine: float | None, labels: tuple[str, str, str]) -> None:
        """Fractions of the range (0..1) and the texts: low end, high end, legend."""
        self.fractions, self.labels = (average, mine), labels
        self.setAccessibleDescription(labels[2])
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(300, self.fontMetrics().lineSpacing() * 2 + 28)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        metrics = self.fontMetrics()
        margin = 8.0
        y = 14.0
        width = self.width() - 2 * margin
        painter.setPen(
            QPen(
                palette.color(QPalette.ColorRole.Mid),
                4,
                Qt.PenStyle.SolidLine,
                Qt.PenCapStyle.RoundCap,
            )
        )
        painter.drawLine(QPointF(margin, y), QPointF(margin + width, y))
        average, mine = self.fractions
        if mine is not None:
            self._marker(
                painter, margin + width * mine, y, palette.color(QPalette.ColorRole.Text), 6
            )
        self._marker(
            painter, margin + width * average, y, palette.color(QPalette.ColorRole.Highlight), 9
        )
        painter.setPen(palette.color(QPalette.ColorRole.PlaceholderText))
        text_y = y + 14 + metrics.ascent()
        low, high, legend = self.labels
        painter.drawText(QPointF(margin, text_y), low)
        painter.drawText(QPointF(margin + width - metrics.horizontalAdvance(high), text_y), high)
        painter.drawText(
            QRectF(margin, text_y - metrics.ascent(), width, metrics.lineSpacing() * 2),
            Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop,
            legend,
        )
        painter.end()

    @staticmethod
    def _marker(painter: QPainter, x: float, y: float, colour: QColor, radius: float) -> None:
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(colour)
        painter.drawEllipse(QPointF(x, y), radius, radius)


class ResultPage(Page):
    """The end of a round.

    Signals:
        home(): back to Home (leaves the session).
    """

    home = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.caption = QLabel(self.tr("Group average"))
        self.caption.setFont(scaled_font(self.caption, 1.1))
        self.caption.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.average = QLabel()
        self.average.setFont(scaled_font(self.average, 3.2, bold=True))
        self.average.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.average.setAccessibleName(self.tr("Group average"))
        self.totals = QLabel()
        self.totals.setFont(scaled_font(self.totals, 1.2))
        self.totals.setAccessibleName(self.tr("Total and number of people"))
        self.standing = QLabel()
        self.standing.setWordWrap(True)
        self.standing.setFont(scaled_font(self.standing, 1.1, bold=True))
        self.standing.setAccessibleName(self.tr("Where your value stands"))
        self.bar = PositionBar()
        self.code_hint = body(muted=True)
        self.copied = FieldMessage(kind="info")
        for widget in (self.caption, self.average, self.totals):
            self.content.addWidget(widget)
        self.content.addSpacing(8)
        for item in (self.standing, self.bar, self.code_hint, self.copied):
            self.content.addWidget(item)
        self.content.addStretch()
        self.copy_button = button(self.tr("&Copy result"), icon="copy")
        self.copy_button.clicked.connect(self.copy)
        self.home_button = button(self.tr("Back to &Home"), primary=True)
        self.home_button.clicked.connect(self.home)
        self.buttons.addWidget(self.copy_button)
        self.buttons.addStretch()
        self.buttons.addWidget(self.home_button)
        self.on_escape(self.home.emit)
        self.on_enter(self.home.emit)
        self.summary = ""

    def show_outcome(self, outcome: Outcome, mine: Decimal | None, code: str) -> None:
        """Show ``outcome``; ``mine`` (this person's own value) stays on this screen only."""
        question = outcome.question
        self.set_title(question.title)
        average = texts.average(outcome.average, question)
        total = texts.with_unit(outcome.sum, question)
        people = self.tr("%n people", "", outcome.count)
        self.average.setText(average)
        self.totals.setText(self.tr("Total {total} · {people}").format(total=total, people=people))
        self.standing.setVisible(mine is not None)
        self.standing.setText(
            texts.standing(mine, outcome.average, question) if mine is not None else ""
        )
        self._place(outcome, mine)
        self.code_hint.setText(
            self.tr(
                "Security code {code}. If it matches on every screen, everyone got this same "
                "result from the same group."
            ).format(code=code)
        )
        self.copied.show_message(None)
        self.summary = self.tr("{title}: average {average} (total {total}, {people})").format(
            title=question.title, average=average, total=total, people=people
        )

    def _place(self, outcome: Outcome, mine: Decimal | None) -> None:
        fp = outcome.question.fixed_point

        def fraction(value: Decimal) -> float:
            return float((fp.clamp(value) - fp.lo) / (fp.hi - fp.lo))

        legend = self.tr("● average") if mine is None else self.tr("● average   ● you")
        self.bar.set_points(
            fraction(outcome.average),
            fraction(mine) if mine is not None else None,
            (texts.number(fp.lo, outcome.question), texts.number(fp.hi, outcome.question), legend),
        )

    def copy(self) -> None:
        """The result as one line on the clipboard (never your own value)."""
        clipboard = QGuiApplication.clipboard()
        clipboard.setText(self.summary)
        self.copied.show_message(self.tr("Copied to the clipboard."))
