"""The result screen of a median and quartiles: the median's 95 % interval large, and a
box over the allowed range.

The box runs from the lower to the upper quartile with the median marked inside
it and the median's 95 % interval shaded behind; this person's own value is a
pointer above (on their screen only). The words say how far each figure may be
from the truth, from the kind's own `Summary`.
"""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtCore import QCoreApplication, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPalette, QPen, QPolygonF
from PySide6.QtWidgets import QSizePolicy, QWidget

from huddle.net.facade import Outcome, Question
from huddle.ui import texts
from huddle.ui.result_view import ResultView, Shown


def tr(text: str) -> str:
    return QCoreApplication.translate("result", text)


def show_median(page: ResultView, outcome: Outcome, shown: Shown) -> None:
    """The median's interval as the headline, the best estimate and the quartiles under
    it, their accuracy in words, and the box over the range."""
    q, summary = outcome.question, outcome.summary
    figures = [summary.figure(k) for k in ("lower_quartile", "median", "upper_quartile")]
    lower, median, upper = (_value(f.value, f.extra_places, q) for f in figures)
    assert figures[1].interval is not None
    low, high = figures[1].interval
    for widget in (page.chart, page.raw_toggle, page.bar):
        widget.setVisible(False)
    span = tr("{low} – {high}").format(low=texts.number(low, q), high=texts.with_unit(high, q))
    page.caption.setText(tr("Median with privacy noise: the 95 % interval"))
    page.show_interval(span)
    page.average.setVisible(True)
    page.totals.setText(
        tr(
            "Best estimate {median} · quartiles {lower} and {upper} · {people} · privacy "
            "setting ε = {epsilon}"
        ).format(
            median=median,
            lower=lower,
            upper=upper,
            people=shown.people,
            epsilon=texts.epsilon(summary.epsilon),
        )
    )
    within = {a.of: texts.with_unit(a.within, q) for a in summary.accuracy}
    page.accuracy.setText(_accuracy(within))
    page.accuracy.setVisible(True)
    box = page.own_widget("median box", BoxBar)
    assert isinstance(box, BoxBar)
    box.show_figures(q, tuple(f.value for f in figures), (low, high), shown.mine)
    page.standing.setText(_standing(shown.mine, low, high) if shown.mine is not None else "")
    page.standing.setVisible(shown.mine is not None)
    page.summary = tr(
        "{title}: median between {low} and {high} (95 %; best estimate {median}; quartiles "
        "{lower} and {upper}; {people})"
    ).format(
        title=q.title,
        low=texts.number(low, q),
        high=texts.with_unit(high, q),
        median=median,
        lower=lower,
        upper=upper,
        people=shown.people,
    )


def _value(value: Decimal | None, places: int, q: Question) -> str:
    assert value is not None
    return texts.with_unit(value, q, places)


def _accuracy(within: dict[str, str]) -> str:
    return tr(
        "The median is within ±{median} of the best estimate, at 95 % confidence; the lower "
        "quartile within ±{lower} and the upper within ±{upper}. All three are read from a "
        "histogram with privacy noise, so nobody sees the exact distribution."
    ).format(
        median=within["median"], lower=within["lower_quartile"], upper=within["upper_quartile"]
    )


def _standing(mine: Decimal, low: Decimal, high: Decimal) -> str:
    """Where this person's value is, next to what the noise lets anyone know."""
    if mine < low:
        return tr("Your value is below the median: under its whole 95 % interval.")
    if mine > high:
        return tr("Your value is above the median: over its whole 95 % interval.")
    return tr(
        "Your value lies within the median's 95 % interval: the noise cannot tell whether "
        "it is above or below the median."
    )


class BoxBar(QWidget):
    """The allowed range as a line, with a box from the lower to the upper quartile, the
    median marked in it, its 95 % interval shaded, and a pointer for your own value."""

    TRACK_Y = 24.0
    MARGIN = 10.0
    BOX = 18.0

    def __init__(self) -> None:
        super().__init__()
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.fractions: tuple[float, float, float] = (0.25, 0.5, 0.75)
        """Lower quartile, median and upper quartile, as fractions of the range."""
        self.band = (0.4, 0.6)
        self.mine: float | None = None
        self.ends = ("", "")

    def show_figures(
        self,
        q: Question,
        quartiles: tuple[Decimal | None, ...],
        band: tuple[Decimal, Decimal],
        mine: Decimal | None,
    ) -> None:
        """``quartiles``: the lower quartile, the median and the upper quartile; ``band``:
        the median's 95 % interval; ``mine``: this person's own value, if any."""
        fp = q.fixed_point

        def fraction(value: Decimal | None) -> float:
            assert value is not None
            return float((fp.clamp(value) - fp.lo) / (fp.hi - fp.lo))

        lower, median, upper = (fraction(v) for v in quartiles)
        self.fractions = (lower, median, upper)
        self.band = (fraction(band[0]), fraction(band[1]))
        self.mine = fraction(mine) if mine is not None else None
        self.ends = (texts.typed(fp.lo), texts.typed(fp.hi))
        self.setAccessibleName(tr("Median and quartiles on the allowed range"))
        self.setAccessibleDescription(
            tr(
                "On the allowed range from {low} to {high}: the lower quartile is at {lower} %, "
                "the median at {median} % and the upper quartile at {upper} % of the range."
            ).format(
                low=self.ends[0],
                high=self.ends[1],
                lower=round(100 * self.fractions[0]),
                median=round(100 * self.fractions[1]),
                upper=round(100 * self.fractions[2]),
            )
        )
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(300, int(self.TRACK_Y + self.BOX) + 2 * self.fontMetrics().lineSpacing() + 12)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        accent = palette.color(QPalette.ColorRole.Highlight)
        text = palette.color(QPalette.ColorRole.Text)
        left, y, width = self.MARGIN, self.TRACK_Y, self.width() - 2 * self.MARGIN

        def at(fraction: float) -> float:
            return left + width * fraction

        painter.setPen(
            QPen(
                palette.color(QPalette.ColorRole.Mid),
                4,
                Qt.PenStyle.SolidLine,
                Qt.PenCapStyle.RoundCap,
            )
        )
        painter.drawLine(QPointF(left, y), QPointF(left + width, y))
        _band(painter, QPointF(at(self.band[0]), y), QPointF(at(self.band[1]), y), accent, 12)
        lower, median, upper = self.fractions
        _box(
            painter,
            QRectF(at(lower), y - self.BOX / 2, at(upper) - at(lower), self.BOX),
            text,
            accent,
        )
        _tick(painter, at(median), y, self.BOX + 8, accent)
        if self.mine is not None:
            _pointer(painter, QPointF(at(self.mine), y - self.BOX / 2 - 3), text)
        metrics = self.fontMetrics()
        baseline = y + self.BOX / 2 + 8 + metrics.ascent()
        painter.setPen(palette.color(QPalette.ColorRole.PlaceholderText))
        painter.drawText(QPointF(left, baseline), self.ends[0])
        painter.drawText(
            QPointF(left + width - metrics.horizontalAdvance(self.ends[1]), baseline), self.ends[1]
        )
        self._legend(painter, left + width / 2, baseline, accent, text)
        painter.end()

    def _legend(
        self, painter: QPainter, centre: float, baseline: float, accent: QColor, text: QColor
    ) -> None:
        metrics = self.fontMetrics()
        items = [
            (tr("median"), "tick"),
            (tr("quartiles"), "box"),
            (tr("95 % likely range"), "band"),
        ]
        if self.mine is not None:
            items.append((tr("you"), "pointer"))
        widths = [22 + metrics.horizontalAdvance(label) for label, _ in items]
        x = centre - (sum(widths) + 16 * (len(items) - 1)) / 2
        mark_y = baseline - metrics.ascent() / 2 + 1
        for (label, kind), item_width in zip(items, widths, strict=True):
            if kind == "tick":
                _tick(painter, x + 6, mark_y, 12, accent)
            elif kind == "box":
                _box(painter, QRectF(x, mark_y - 5, 12, 10), text, accent)
            elif kind == "band":
                _band(painter, QPointF(x + 2, mark_y), QPointF(x + 10, mark_y), accent, 8)
            else:
                _pointer(painter, QPointF(x + 6, mark_y + 4), text, 5)
            painter.setPen(self.palette().color(QPalette.ColorRole.PlaceholderText))
            painter.drawText(QPointF(x + 16, baseline), label)
            x += item_width + 16


def _band(painter: QPainter, start: QPointF, stop: QPointF, accent: QColor, thick: float) -> None:
    shade = QColor(accent)
    shade.setAlpha(90)
    painter.setPen(QPen(shade, thick, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
    painter.drawLine(start, stop)


def _box(painter: QPainter, rect: QRectF, outline: QColor, accent: QColor) -> None:
    fill = QColor(accent)
    fill.setAlpha(60)
    painter.setPen(QPen(outline, 1.5))
    painter.setBrush(fill)
    painter.drawRect(rect)


def _tick(painter: QPainter, x: float, y: float, height: float, accent: QColor) -> None:
    painter.setPen(QPen(accent, 4, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
    painter.drawLine(QPointF(x, y - height / 2), QPointF(x, y + height / 2))


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
