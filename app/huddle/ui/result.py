"""The result: the average large, total and count, and where your own value stands."""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import QPointF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QGuiApplication,
    QPainter,
    QPaintEvent,
    QPalette,
    QPen,
    QPolygonF,
)
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

from huddle.core.outcome import Outcome
from huddle.core.questions import DP_AVERAGE, HISTOGRAM
from huddle.ui import texts
from huddle.ui.widgets import FieldMessage, Page, body, button, scaled_font


class PositionBar(QWidget):
    """The allowed range as a line: a dot for the average, a pointer for your own value."""

    TRACK_Y = 22.0
    MARGIN = 10.0

    def __init__(self) -> None:
        super().__init__()
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.fractions: tuple[float, float | None] = (0.5, None)
        self.ends = ("", "")

    def set_points(self, average: float, mine: float | None, ends: tuple[str, str]) -> None:
        """Fractions of the range (0..1), and the texts for its two ends."""
        self.fractions, self.ends = (average, mine), ends
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(300, int(self.TRACK_Y) + 2 * self.fontMetrics().lineSpacing() + 16)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette, metrics = self.palette(), self.fontMetrics()
        left, y = self.MARGIN, self.TRACK_Y
        width = self.width() - 2 * self.MARGIN
        mid = palette.color(QPalette.ColorRole.Mid)
        painter.setPen(QPen(mid, 4, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
        painter.drawLine(QPointF(left, y), QPointF(left + width, y))
        average, mine = self.fractions
        accent, text = (
            palette.color(QPalette.ColorRole.Highlight),
            palette.color(QPalette.ColorRole.Text),
        )
        self._dot(painter, QPointF(left + width * average, y), accent)
        if mine is not None:
            self._pointer(painter, QPointF(left + width * mine, y - 9), text)
        baseline = y + 14 + metrics.ascent()
        painter.setPen(palette.color(QPalette.ColorRole.PlaceholderText))
        low, high = self.ends
        painter.drawText(QPointF(left, baseline), low)
        painter.drawText(QPointF(left + width - metrics.horizontalAdvance(high), baseline), high)
        self._legend(painter, QPointF(left + width / 2, baseline), accent, text, mine is not None)
        painter.end()

    def _legend(
        self, painter: QPainter, centre: QPointF, accent: QColor, text: QColor, with_you: bool
    ) -> None:
        metrics = self.fontMetrics()
        items = [(self.tr("average"), "dot")] + ([(self.tr("you"), "pointer")] if with_you else [])
        widths = [22 + metrics.horizontalAdvance(label) for label, _ in items]
        x = centre.x() - (sum(widths) + 16 * (len(items) - 1)) / 2
        mark_y = centre.y() - metrics.ascent() / 2 + 1
        for (label, kind), item_width in zip(items, widths, strict=True):
            if kind == "dot":
                self._dot(painter, QPointF(x + 6, mark_y), accent, 5)
            else:
                self._pointer(painter, QPointF(x + 6, mark_y + 4), text, 5)
            painter.setPen(self.palette().color(QPalette.ColorRole.PlaceholderText))
            painter.drawText(QPointF(x + 16, centre.y()), label)
            x += item_width + 16

    @staticmethod
    def _dot(painter: QPainter, at: QPointF, colour: QColor, radius: float = 8) -> None:
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(colour)
        painter.drawEllipse(at, radius, radius)

    @staticmethod
    def _pointer(painter: QPainter, tip: QPointF, colour: QColor, size: float = 7) -> None:
        """A small triangle pointing down at ``tip``."""
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(colour)
        painter.drawPolygon(
            QPolygonF(
                [
                    tip,
                    QPointF(tip.x() - size, tip.y() - size * 1.3),
                    QPointF(tip.x() + size, tip.y() - size * 1.3),
                ]
            )
        )


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
        self._big = scaled_font(self.average, 3.2, bold=True)
        self.average.setFont(self._big)
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
        self.content.addStretch(1)
        for widget in (self.caption, self.average, self.totals):
            self.content.addWidget(widget)
        self.content.addSpacing(8)
        for item in (self.standing, self.bar, self.code_hint, self.copied):
            self.content.addWidget(item)
        self.content.addStretch(3)
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
        self.caption.setText(self.tr("Group average"))
        self.average.setFont(self._big)
        self.average.setText(average)
        self.totals.setText(self.tr("Total {total} · {people}").format(total=total, people=people))
        self.summary = self.tr("{title}: average {average} (total {total}, {people})").format(
            title=question.title, average=average, total=total, people=people
        )
        if question.kind == HISTOGRAM:
            self._show_bars(outcome, people)
            mine = None  # a bar chart view comes with the histogram screen
        elif question.kind == DP_AVERAGE:
            self._show_noisy_average(outcome, average, people)
        self.standing.setVisible(mine is not None)
        self.bar.setVisible(question.kind != HISTOGRAM)
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

    def _show_noisy_average(self, outcome: Outcome, average: str, people: str) -> None:
        question = outcome.question
        bound = texts.with_unit(outcome.average_error_bound, question, texts.EXTRA_AVERAGE_DIGITS)
        self.caption.setText(self.tr("Group average, with privacy noise"))
        self.totals.setText(
            self.tr("Within ±{bound} of the true average (95 %) · {people}").format(
                bound=bound, people=people
            )
        )
        self.summary = self.tr("{title}: average about {average} (±{bound}, {people})").format(
            title=question.title, average=average, bound=bound, people=people
        )

    def _show_bars(self, outcome: Outcome, people: str) -> None:
        """A plain list of bars until the histogram chart lands (the DP issue)."""
        question, edges = outcome.question, outcome.bin_edges
        bars = [
            self.tr("{low} to {high}: {count}").format(
                low=texts.typed(edges[k]), high=texts.typed(edges[k + 1]), count=count
            )
            for k, count in enumerate(outcome.counts)
        ]
        self.caption.setText(self.tr("How many in each range, with privacy noise"))
        self.average.setText("\n".join(bars))
        self.average.setFont(scaled_font(self, 1.2))
        self.totals.setText(
            self.tr("Each count within ±{bound} (95 %) · {people}").format(
                bound=outcome.noise_bound, people=people
            )
        )
        self.summary = f"{question.title}: " + "; ".join(bars)

    def _place(self, outcome: Outcome, mine: Decimal | None) -> None:
        fp = outcome.question.fixed_point

        def fraction(value: Decimal) -> float:
            return float((fp.clamp(value) - fp.lo) / (fp.hi - fp.lo))

        self.bar.set_points(
            fraction(outcome.average),
            fraction(mine) if mine is not None else None,
            (texts.typed(fp.lo), texts.typed(fp.hi)),
        )
        where = self.tr("On the allowed range from {low} to {high}, the average is at {avg} %.")
        self.bar.setAccessibleDescription(
            where.format(
                low=texts.typed(fp.lo),
                high=texts.typed(fp.hi),
                avg=round(fraction(outcome.average) * 100),
            )
        )

    def copy(self) -> None:
        """The result as one line on the clipboard (never your own value)."""
        clipboard = QGuiApplication.clipboard()
        clipboard.setText(self.summary)
        self.copied.show_message(self.tr("Copied to the clipboard."))
