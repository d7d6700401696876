"""Host setup controls for the noisy kinds: the histogram's bars and the privacy setting ε."""

from __future__ import annotations

import math
import re

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QButtonGroup,
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QSlider,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from huddle.net.records import (
    DEFAULT_EPSILON,
    MAX_BINS,
    MAX_EPSILON,
    MIN_BINS,
    SettingsError,
    equal_width_edges,
    width_factor,
)


def robust_words(minimum: int, robust: int) -> str:
    """What allowing ``robust`` people to add no noise protects, and its accuracy cost."""
    return QCoreApplication.translate(
        "HostSetupPage",
        "Noise about {factor}× as wide as the least this ε needs, so the result stays "
        "private even if up to {k} of the {n} or more people add none (a modified app, "
        "or colleagues who pool their own noise to take it out).",
    ).format(factor=f"{width_factor(minimum, robust):.2f}", k=robust, n=minimum)


DEFAULT_BARS = 5
MIN_EPSILON, SLIDER_STEPS = 0.05, 100
"""The slider runs from ε = 0.05 to the largest ε allowed, evenly in log(ε)."""


class BarsSetting(QWidget):
    """Either a number of equal bars, or the edges typed out.

    Signals:
        changed(): the bars changed.
    """

    changed = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.equal = QRadioButton(self.tr("Equa&l bars:"))
        self.equal.setChecked(True)
        self.custom = QRadioButton(self.tr("&Edges:"))
        group = QButtonGroup(self)
        group.addButton(self.equal)
        group.addButton(self.custom)
        self.count = QSpinBox()
        self.count.setRange(MIN_BINS, MAX_BINS)
        self.count.setValue(DEFAULT_BARS)
        self.count.setAccessibleName(self.tr("Number of bars"))
        self.edges = QLineEdit()
        self.edges.setPlaceholderText(self.tr("e.g. 0, 1000, 2500, 5000, 10000"))
        self.edges.setAccessibleName(self.tr("Bar edges"))
        self.edges.setEnabled(False)
        self.last_equal: tuple[str, ...] = ()
        """The equal edges worked out last, offered as a start when switching to edges."""
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for widget in (self.equal, self.count):
            layout.addWidget(widget)
        layout.addSpacing(12)
        layout.addWidget(self.custom)
        layout.addWidget(self.edges, 1)
        self.custom.toggled.connect(self._mode)
        self.count.valueChanged.connect(self.changed)
        self.edges.textChanged.connect(self.changed)

    def _mode(self, custom: bool) -> None:
        self.count.setEnabled(not custom)
        self.edges.setEnabled(custom)
        if custom and not self.edges.text().strip():
            self.edges.setText(", ".join(self.last_equal))
        (self.edges if custom else self.count).setFocus()
        self.changed.emit()

    def bins(self, lo: str, hi: str, decimals: int) -> tuple[str, ...]:
        """The edges, lo first and hi last; `SettingsError` says what is wrong."""
        if self.equal.isChecked():
            self.last_equal = equal_width_edges(lo, hi, self.count.value(), decimals)
            return self.last_equal
        parts = tuple(p for p in re.split(r"[\s,;]+", self.edges.text()) if p)
        if len(parts) < MIN_BINS + 1:
            raise SettingsError(
                self.tr(
                    "Type the edges from the lowest to the highest value, e.g. {lo}, …, {hi}."
                ).format(lo=lo, hi=hi)
            )
        return parts


class EpsilonSetting(QWidget):
    """ε as a slider (more private ↔ more accurate) and a number.

    Signals:
        changed(): ε changed.
    """

    changed = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(0, SLIDER_STEPS)
        self.slider.setAccessibleName(
            self.tr("Privacy setting ε, from more private to more accurate")
        )
        self.spin = QDoubleSpinBox()
        self.spin.setRange(MIN_EPSILON, MAX_EPSILON)
        self.spin.setDecimals(2)
        self.spin.setSingleStep(0.1)
        self.spin.setPrefix("ε = ")
        self.spin.setAccessibleName(self.tr("Privacy setting ε"))
        self.spin.setMinimumWidth(110)
        private = QLabel(self.tr("more private"))
        accurate = QLabel(self.tr("more accurate"))
        for label in (private, accurate):
            label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        scale = QVBoxLayout()
        scale.setSpacing(0)
        scale.addWidget(self.slider)
        ends = QHBoxLayout()
        ends.addWidget(private)
        ends.addStretch()
        ends.addWidget(accurate)
        scale.addLayout(ends)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(scale, 1)
        layout.addSpacing(8)
        layout.addWidget(self.spin, alignment=Qt.AlignmentFlag.AlignTop)
        self.slider.valueChanged.connect(self._slid)
        self.spin.valueChanged.connect(self._typed)
        self.set_value(float(DEFAULT_EPSILON))

    def value(self) -> float:
        return float(self.spin.value())

    def text(self) -> str:
        """ε as the question carries it: "1", "0.5"."""
        return f"{self.value():g}"

    def set_value(self, epsilon: float) -> None:
        self.spin.setValue(epsilon)

    def _slid(self, step: int) -> None:
        if self._step(self.value()) != step:
            span = math.log(MAX_EPSILON / MIN_EPSILON)
            value = MIN_EPSILON * math.exp(span * step / SLIDER_STEPS)
            self.spin.setValue(round(value, 2 if value < 1 else 1))

    def _typed(self, value: float) -> None:
        self.slider.blockSignals(True)
        self.slider.setValue(self._step(value))
        self.slider.blockSignals(False)
        self.changed.emit()

    @staticmethod
    def _step(value: float) -> int:
        span = math.log(MAX_EPSILON / MIN_EPSILON)
        return round(SLIDER_STEPS * math.log(value / MIN_EPSILON) / span)
