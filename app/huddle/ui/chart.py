"""The noisy histogram as a bar chart (pyqtgraph), following the system palette.

Bar k spans [k, k+1] on the x axis and edge k is labelled at x = k, so bars of
unequal width still read as a row of ranges. Each bar carries its ±95 % error
bar. By default a noisy count is drawn within what is possible: below 0 as 0,
above the number of people as that number (the page says so); `show_raw` draws
the noisy counts as they came out. Counts are whole, and so are the y axis's ticks.

pyqtgraph is imported when the first chart is drawn, not with this module:
loading it costs about a quarter of a second, a third of the app's start-up,
and most sessions never show a chart.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from typing import Any

import numpy as np
from PySide6.QtCore import QEvent, QSize
from PySide6.QtGui import QColor, QFontMetrics, QPalette
from PySide6.QtWidgets import QSizePolicy, QVBoxLayout, QWidget

MAX_LABELS = 10
"""More edge labels than this would overlap; the others are left out."""
MAX_Y_TICKS = 6
EDGE_ROOM = 4
"""Pixels kept free right of the last edge label, which would otherwise be dropped."""


class HistogramChart(QWidget):
    """Bars with error bars; ``heights`` is what is drawn now (for tests and screen readers)."""

    def __init__(self) -> None:
        super().__init__()
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._plot: Any = None
        self.labels: list[str] = []
        self.raw: tuple[int, ...] = ()
        self.bound = 0
        self.heights: tuple[int, ...] = ()
        self.ceiling: int | None = None
        """The largest possible count (the number of people), or None for no limit."""
        self.raw_shown = False
        self.categories = False
        """Bars are named options (labels under their middles), not ranges between edges."""
        self.counting = self.tr("people")

    @property
    def plot(self) -> Any:
        """The pyqtgraph PlotWidget, made (and pyqtgraph loaded) on first use."""
        if self._plot is None:
            import pyqtgraph as pg  # type: ignore[import-untyped]  # see the module's docstring

            self._plot = pg.PlotWidget()
            self._plot.setMenuEnabled(False)
            self._plot.setMouseEnabled(x=False, y=False)
            self._plot.hideButtons()
            self._plot.setAccessibleName(self.tr("Histogram"))
            self._layout.addWidget(self._plot)
            self._recolour()
        return self._plot

    def sizeHint(self) -> QSize:
        return QSize(480, 260)

    def set_data(
        self,
        labels: Sequence[str],
        raw: Sequence[int],
        bound: int,
        unit: str = "",
        ceiling: int | None = None,
    ) -> None:
        """``labels``: the B + 1 edges as text; ``raw``: the B noisy counts, signed;
        ``unit``: what the answers are counted in (the x axis); ``ceiling``: the
        number of people, which no bar can truly exceed."""
        self.labels, self.raw, self.bound = list(labels), tuple(raw), bound
        self.categories, self.ceiling = False, ceiling
        self._label_axes(unit, self.tr("people"))

    def set_categories(
        self,
        labels: Sequence[str],
        raw: Sequence[int],
        bound: int,
        counting: str,
        ceiling: int | None = None,
    ) -> None:
        """One bar per option: ``labels`` the B option names, ``raw`` their (noisy) counts,
        ``counting`` what is counted (the y axis), e.g. "votes"; ``ceiling`` as for
        `set_data`."""
        self.labels, self.raw, self.bound = list(labels), tuple(raw), bound
        self.categories, self.ceiling = True, ceiling
        self._label_axes("", counting)

    def _label_axes(self, unit: str, counting: str) -> None:
        self.counting = counting
        text = self.palette().color(QPalette.ColorRole.Text)
        self.plot.getAxis("left").setLabel(counting, color=text.name())
        self.plot.getAxis("bottom").setLabel(unit, color=text.name())
        self.plot.getAxis("bottom").showLabel(bool(unit))
        self._draw()

    def show_raw(self, raw: bool) -> None:
        self.raw_shown = raw
        self._draw()

    def _draw(self) -> None:
        import pyqtgraph as pg

        counts = self.raw if self.raw_shown else possible(self.raw, self.ceiling)
        self.heights = counts
        self.plot.clear()
        if not counts:
            return
        palette = self.palette()
        accent = QColor(palette.color(QPalette.ColorRole.Highlight))
        edge = QColor(accent).darker(130)
        x = np.arange(len(counts), dtype=float)
        y = np.array(counts, dtype=float)
        gap = 0.15 if self.categories else 0.0  # separate options; ranges stay adjacent
        bars = pg.BarGraphItem(
            x0=x + gap, x1=x + 1 - gap, y0=0, height=y, brush=accent, pen=pg.mkPen(edge, width=1)
        )
        self.plot.addItem(bars)
        if self.bound:
            whiskers = pg.ErrorBarItem(
                x=x + 0.5,
                y=y,
                height=np.full(len(counts), 2.0 * self.bound),
                beam=0.3,
                pen=pg.mkPen(palette.color(QPalette.ColorRole.Text), width=1.5),
            )
            self.plot.addItem(whiskers)
        self._axes(len(counts), y)

    def _axes(self, count: int, y: np.typing.NDArray[np.float64]) -> None:
        step = max(1, -(-count // MAX_LABELS))
        if self.categories:
            ticks = [(k + 0.5, self.labels[k]) for k in range(count)]
        else:
            ticks = [(float(k), self.labels[k]) for k in range(0, count + 1, step)]
            if count % step:
                ticks.append((float(count), self.labels[count]))
        self._bottom_ticks(ticks)
        high = float(max(1.0, (y + self.bound).max()))
        low = float(min(0.0, (y - self.bound).min())) if self.raw_shown else 0.0
        self.plot.getAxis("left").setTicks([whole_ticks(low, high), []])
        top = high * 1.08
        self.plot.setXRange(0, count, padding=0.02)
        # A little room below the lowest value, so the axis shows its "0".
        self.plot.setYRange(low - 0.03 * (top - low), top, padding=0)

    def _bottom_ticks(self, ticks: list[tuple[float, str]]) -> None:
        """The edge labels, the last one included: pyqtgraph drops a label that reaches
        past the end of the axis, and the last edge sits right at that end."""
        axis = self.plot.getAxis("bottom")
        axis.setTicks([ticks, []])
        overhang = 0
        if ticks and not self.categories:
            overhang = QFontMetrics(self.font()).horizontalAdvance(ticks[-1][1]) // 2
        axis.setStyle(hideOverlappingLabels=overhang + EDGE_ROOM)
        left, top, _, bottom = self.plot.getPlotItem().layout.getContentsMargins()
        self.plot.getPlotItem().layout.setContentsMargins(left, top, overhang + EDGE_ROOM, bottom)

    def _recolour(self) -> None:
        import pyqtgraph as pg

        palette = self.palette()
        self.plot.setBackground(palette.color(QPalette.ColorRole.Base))
        text = palette.color(QPalette.ColorRole.Text)
        for name in ("left", "bottom"):
            axis = self.plot.getAxis(name)
            axis.setPen(pg.mkPen(palette.color(QPalette.ColorRole.Mid)))
            axis.setTextPen(pg.mkPen(text))
        self.plot.getAxis("left").setLabel(self.counting, color=text.name())
        self.plot.showGrid(x=False, y=True, alpha=0.25)

    def changeEvent(self, event: QEvent) -> None:
        changed = (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange)
        if event.type() in changed and self._plot is not None:
            self._recolour()
            self._draw()
        super().changeEvent(event)


def possible(raw: Sequence[int], ceiling: int | None) -> tuple[int, ...]:
    """Noisy counts drawn within what is possible: from 0 to ``ceiling`` (if any)."""
    top = ceiling if ceiling is not None else max((*raw, 0))
    return tuple(min(max(0, c), top) for c in raw)


def whole_ticks(low: float, high: float) -> list[tuple[float, str]]:
    """Ticks at whole counts from ``low`` to ``high``: 1, 2 or 5 times a power of ten
    apart, at most `MAX_Y_TICKS` of them (no "0.5 votes")."""
    span = max(1.0, high - low)
    steps = (m * 10**e for e in itertools.count() for m in (1, 2, 5))
    step = next(s for s in steps if span / s <= MAX_Y_TICKS - 1)
    first = math.ceil(low / step) * step
    return [(float(v), str(v)) for v in range(first, math.floor(high) + 1, step)]
