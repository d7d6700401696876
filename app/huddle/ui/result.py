"""The result: the average large, total and count, and where your own value stands."""

from __future__ import annotations

from collections.abc import Callable
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
from PySide6.QtWidgets import QCheckBox, QLabel, QSizePolicy, QWidget

from huddle.net.facade import Outcome, Response
from huddle.net.records import (
    AVERAGE,
    CHOICE,
    DP_AVERAGE,
    DP_SPREAD,
    DP_VOTE,
    HISTOGRAM,
    KINDS,
    POLL,
    SPREAD,
    VOTE,
    VOTE_OUTCOME,
)
from huddle.ui import result_counts, result_kinds, result_median, texts
from huddle.ui.chart import HistogramChart
from huddle.ui.result_view import CountsWords, Shown
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
        self.band: tuple[float, float] | None = None
        self.band_label = ""

    def set_points(
        self,
        average: float,
        mine: float | None,
        ends: tuple[str, str],
        band: tuple[float, float] | None = None,
        band_label: str = "",
    ) -> None:
        """Fractions of the range (0..1), the texts for its two ends, and the part of
        the range a noisy average's ±95 % bound covers (``band``), if any."""
        self.fractions, self.ends, self.band = (average, mine), ends, band
        self.band_label = band_label or self.tr("95 % likely range")
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
        if self.band is not None:
            shade = QColor(accent)
            shade.setAlpha(110)
            painter.setPen(QPen(shade, 10, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
            start, stop = self.band
            painter.drawLine(QPointF(left + width * start, y), QPointF(left + width * stop, y))
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
        items = [(self.tr("average"), "dot")]
        if self.band is not None:
            items.append((self.band_label, "band"))
        if with_you:
            items.append((self.tr("you"), "pointer"))
        widths = [22 + metrics.horizontalAdvance(label) for label, _ in items]
        x = centre.x() - (sum(widths) + 16 * (len(items) - 1)) / 2
        mark_y = centre.y() - metrics.ascent() / 2 + 1
        for (label, kind), item_width in zip(items, widths, strict=True):
            if kind == "dot":
                self._dot(painter, QPointF(x + 6, mark_y), accent, 5)
            elif kind == "band":
                shade = QColor(accent)
                shade.setAlpha(110)
                painter.setPen(QPen(shade, 8, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
                painter.drawLine(QPointF(x + 2, mark_y), QPointF(x + 10, mark_y))
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
        self._interval = scaled_font(self.average, 2.2, bold=True)
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
        self._build_chart()
        self.code_hint = body(muted=True)
        self.ledger_note = body(muted=True)
        self.ledger_note.setAccessibleName(self.tr("Privacy ledger"))
        self.holds_note = body(muted=True)
        self.holds_note.setAccessibleName(self.tr("When the privacy setting holds"))
        self.copied = FieldMessage(kind="info")
        self.counts: CountsWords | None = None
        for widget in (self.caption, self.average, self.totals, self.chart, self.accuracy):
            self.content.addWidget(widget)
        self.content.addWidget(self.raw_toggle)
        self.content.addWidget(self.raw_values)
        self.content.addSpacing(8)
        notes = (self.code_hint, self.holds_note, self.ledger_note, self.copied)
        for item in (self.standing, self.bar, *notes):
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
        self._extras: dict[str, QWidget] = {}

    def own_widget(self, name: str, make: Callable[[], QWidget]) -> QWidget:
        """A widget of a kind's own, under the figures: made by ``make`` the first time,
        shown now, and hidden again before the next result of any kind."""
        if name not in self._extras:
            widget = self._extras[name] = make()
            self.content.insertWidget(self.content.indexOf(self.totals) + 1, widget)
        widget = self._extras[name]
        widget.setVisible(True)
        return widget

    def _build_chart(self) -> None:
        self.chart = HistogramChart()
        self.chart.setMinimumHeight(220)
        self.accuracy = body()
        self.accuracy.setAccessibleName(self.tr("Accuracy"))
        self.raw_toggle = QCheckBox(self.tr("Show the &raw noisy counts"))
        self.raw_toggle.setToolTip(
            self.tr(
                "Noise can push a count below 0; the chart shows such bars as 0. "
                "Tick to see the counts exactly as they came out of the protocol."
            )
        )
        self.raw_toggle.toggled.connect(self._raw_toggled)
        self.raw_values = body(muted=True)
        self.raw_values.setAccessibleName(self.tr("Raw noisy counts"))
        self.raw_values.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        for widget in (self.chart, self.accuracy, self.raw_toggle, self.raw_values):
            widget.setVisible(False)

    def _raw_toggled(self, on: bool) -> None:
        self.chart.show_raw(on)
        self.raw_values.setVisible(on)
        if self.counts is not None:
            self.accuracy.setText(self.counts.words(raw_shown=on))

    def show_counts(self, counts: CountsWords) -> None:
        """Noisy counts under the chart: their accuracy and what noise did, in words
        that follow the raw view."""
        self.counts = counts
        self.raw_toggle.setChecked(False)
        self.accuracy.setText(counts.words(raw_shown=False))

    def set_ledger_note(self, text: str) -> None:
        """What was written to this person's privacy ledger ("" hides the line)."""
        self.ledger_note.setText(text)
        self.ledger_note.setVisible(bool(text))

    def show_outcome(
        self, outcome: Outcome, mine: Decimal | None, code: str, sent: Response | None = None
    ) -> None:
        """Show ``outcome`` as its kind's renderer draws it; ``mine`` (this person's own
        value) and ``sent`` (what their app sent in a poll) stay on this screen only."""
        question = outcome.question
        self.set_title(question.title)
        self.average.setFont(self._big)
        self.raw_values.setVisible(False)
        self.raw_toggle.setChecked(False)
        self.set_ledger_note("")
        self.counts = None
        self._code_hint(code)
        self.copied.show_message(None)
        for widget in self._extras.values():
            widget.setVisible(False)
        people = self.tr("%n people", "", outcome.count)
        render = RENDERERS.get(question.kind, result_kinds.show_summary)
        render(self, outcome, Shown(people, mine, sent))
        holds = outcome.summary.holds if question.is_private else ""
        self.holds_note.setText(holds)
        self.holds_note.setVisible(bool(holds))

    def show_average(self, outcome: Outcome, shown: Shown) -> None:
        """An exact average: large, with the total and the people, and where this person's
        own value stands on the range."""
        self._show_average(outcome, shown)
        self._stand(outcome, shown.mine, outcome.average)

    def show_noisy_average(self, outcome: Outcome, shown: Shown) -> None:
        """A noisy average: its 95 % interval large, the best estimate under it."""
        average = self._show_average(outcome, shown)
        self._show_noisy_average(outcome, average, shown.people)
        spread = outcome.average_error_bound
        band = (outcome.average - spread, outcome.average + spread)
        self._stand(outcome, shown.mine, outcome.average, band)

    def show_histogram(self, outcome: Outcome, shown: Shown) -> None:
        """A noisy histogram: the chart with its accuracy (a bar says nothing about where
        one value stands, so this person's own value is not placed)."""
        shown_now: tuple[QWidget, ...] = (self.chart, self.accuracy, self.raw_toggle)
        hidden: tuple[QWidget, ...] = (self.average, self.raw_values, self.standing, self.bar)
        for widget in shown_now:
            widget.setVisible(True)
        for widget in hidden:
            widget.setVisible(False)
        self.standing.setText("")
        self.set_ledger_note("")
        result_counts.show_bars(self, outcome, shown.people)

    def _show_average(self, outcome: Outcome, shown: Shown) -> str:
        """The average, the total and the people; the average as shown."""
        question, people = outcome.question, shown.people
        average = texts.average(outcome.average, question)
        total = texts.with_unit(outcome.sum, question)
        self.caption.setText(self.tr("Group average"))
        self.average.setFont(self._big)
        self.average.setText(average)
        self.totals.setText(self.tr("Total {total} · {people}").format(total=total, people=people))
        self.summary = self.tr("{title}: average {average} (total {total}, {people})").format(
            title=question.title, average=average, total=total, people=people
        )
        for widget in (self.chart, self.accuracy, self.raw_toggle, self.raw_values):
            widget.setVisible(False)
        self.average.setVisible(True)
        self.set_ledger_note("")
        return average

    def _stand(
        self,
        outcome: Outcome,
        mine: Decimal | None,
        average: Decimal,
        band: tuple[Decimal, Decimal] | None = None,
        band_label: str = "",
    ) -> None:
        """Where this person's own value stands (their screen only), and the range bar."""
        self.standing.setVisible(mine is not None)
        self.standing.setText(
            texts.standing(mine, average, outcome.question) if mine is not None else ""
        )
        self.bar.setVisible(True)
        self._place(outcome, mine, average, band, band_label)

    def _code_hint(self, code: str) -> None:
        self.code_hint.setText(
            self.tr(
                "Result code {code}. It is made from everything this round published: if it "
                "matches on every screen, everyone got this same result from the same group."
            ).format(code=code)
        )

    def show_spread(self, outcome: Outcome, shown: Shown) -> None:
        """The exact average with its standard deviation, ±1 of which is shaded."""
        self._show_spread(outcome)
        result_kinds.show_spread(self, outcome, shown.people)
        average, deviation = outcome.moments.mean, outcome.moments.deviation
        band = (average - deviation, average + deviation)
        self._stand(outcome, shown.mine, average, band, self.tr("± 1 standard deviation"))

    def show_noisy_spread(self, outcome: Outcome, shown: Shown) -> None:
        """A noisy average and standard deviation, the average's 95 % interval shaded."""
        self._show_spread(outcome)
        result_kinds.show_noisy_spread(self, outcome, shown.people)
        average, spread = outcome.moments.mean, outcome.mean_error_bound
        self._stand(outcome, shown.mine, average, (average - spread, average + spread))

    def _show_spread(self, outcome: Outcome) -> None:
        self.chart.setVisible(False)
        self.raw_toggle.setVisible(False)
        self.average.setVisible(True)

    def _show_noisy_average(self, outcome: Outcome, average: str, people: str) -> None:
        """The 95 % interval leads, the best estimate follows: with few people the
        noise is wide, and a lone "≈ 3,100 EUR" would read as the answer."""
        question, spread = outcome.question, outcome.average_error_bound
        span = texts.interval(outcome.average - spread, outcome.average + spread, question)
        self.caption.setText(self.tr("Group average with privacy noise: the 95 % interval"))
        self.show_interval(span)
        self.totals.setText(
            self.tr("Best estimate {average} · {people} · privacy setting ε = {epsilon}").format(
                average=average, people=people, epsilon=texts.epsilon(outcome.epsilon)
            )
        )
        self.summary = self.tr(
            "{title}: average between {span} (95 %; best estimate {average}, {people})"
        ).format(title=question.title, span=span, average=average, people=people)

    def show_interval(self, text: str) -> None:
        """A noisy result's interval as the headline, a size smaller than an exact one."""
        self.average.setFont(self._interval)
        self.average.setText(text)

    def _place(
        self,
        outcome: Outcome,
        mine: Decimal | None,
        average: Decimal,
        band: tuple[Decimal, Decimal] | None = None,
        band_label: str = "",
    ) -> None:
        """The range bar: the average, this person's own value, and ``band`` shaded (a
        noisy average's 95 % interval unless ``band_label`` says otherwise)."""
        fp = outcome.question.fixed_point

        def fraction(value: Decimal) -> float:
            return float((fp.clamp(value) - fp.lo) / (fp.hi - fp.lo))

        self.bar.set_points(
            fraction(average),
            fraction(mine) if mine is not None else None,
            (texts.typed(fp.lo), texts.typed(fp.hi)),
            (fraction(band[0]), fraction(band[1])) if band is not None else None,
            band_label,
        )
        where = self.tr("On the allowed range from {low} to {high}, the average is at {avg} %.")
        self.bar.setAccessibleDescription(
            where.format(
                low=texts.typed(fp.lo),
                high=texts.typed(fp.hi),
                avg=round(fraction(average) * 100),
            )
        )

    def copy(self) -> None:
        """The result as one line on the clipboard (never your own value)."""
        clipboard = QGuiApplication.clipboard()
        clipboard.setText(self.summary)
        self.copied.show_message(self.tr("Copied to the clipboard."))


Render = Callable[[ResultPage, Outcome, Shown], None]
"""Fills the result page for one kind of result."""

RENDERERS: dict[str, Render] = {
    AVERAGE: ResultPage.show_average,
    HISTOGRAM: ResultPage.show_histogram,
    DP_AVERAGE: ResultPage.show_noisy_average,
    SPREAD: ResultPage.show_spread,
    DP_SPREAD: ResultPage.show_noisy_spread,
    VOTE: result_kinds.show_tallies,
    DP_VOTE: result_kinds.show_noisy_tallies,
    VOTE_OUTCOME: result_kinds.show_outcome_only,
    CHOICE: result_kinds.show_choice,
    POLL: result_kinds.show_poll,
    "median": result_median.show_median,
}
"""How the result screen draws each kind; a kind not listed here is drawn from its
`Summary` alone (`result_kinds.show_summary`)."""
result_kinds.check_renderers(RENDERERS, KINDS)
