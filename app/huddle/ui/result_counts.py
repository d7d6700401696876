"""Noisy counts on the result screen: a histogram's bars and a noisy vote's tallies.

A count of people or votes is truly never below 0 nor above the number who took
part, and the true counts add up to that number; noise can break all three, most
visibly in a small group (one bar of 12 with 4 people). The chart draws each count
within what is possible; these words say which bars were moved and why the bars do
not add up, and when the raw view is on, that its counts are as they came out. The
chart, the words and the raw numbers never tell different stories.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication

from huddle.net.facade import Outcome
from huddle.ui import texts
from huddle.ui.chart import possible
from huddle.ui.result_view import ResultView


def tr(text: str, n: int = -1) -> str:
    return QCoreApplication.translate("result", text, None, n)


@dataclass(frozen=True, slots=True)
class NoisyCounts:
    """The counts under a chart, and how accurate each one is (words)."""

    accuracy: str
    raw: tuple[int, ...]
    people: int
    votes: bool
    """Votes per option, rather than people per bar."""

    def words(self, *, raw_shown: bool) -> str:
        """The accuracy, then what noise did to the counts the chart draws now."""
        noise = noise_words(self.raw, self.people, raw_shown=raw_shown, votes=self.votes)
        return f"{self.accuracy} {noise}".strip()


def show_bars(page: ResultView, outcome: Outcome, people: str) -> None:
    """A noisy histogram as a chart, with its accuracy and what noise did, in words."""
    question, bound, raw = outcome.question, outcome.noise_bound, outcome.raw_counts
    labels = [texts.typed(e) for e in outcome.bin_edges]
    page.caption.setText(tr("How many in each range, with privacy noise"))
    page.chart.set_data(labels, raw, bound, question.unit, ceiling=outcome.count)
    page.totals.setText(
        tr("{people} · privacy setting ε = {epsilon}").format(
            people=people, epsilon=texts.epsilon(outcome.epsilon)
        )
    )
    accuracy = (
        tr("Each bar is within ±1 person of the true count, at 95 % confidence.")
        if bound == 1
        else tr("Each bar is within ±{bound} people of the true count, at 95 % confidence.")
    ).format(bound=bound)
    page.show_counts(NoisyCounts(accuracy, raw, outcome.count, votes=False))
    unit = f" {question.unit}" if question.unit else ""
    ranges = [
        tr("{low} to {high}{unit}").format(low=labels[k], high=labels[k + 1], unit=unit)
        for k in range(len(raw))
    ]
    page.raw_values.setText("\n".join(f"{w}: {c}" for w, c in zip(ranges, raw, strict=True)))
    drawn = possible(raw, outcome.count)
    shown = "; ".join(f"{w}: {c}" for w, c in zip(ranges, drawn, strict=True))
    page.chart.setToolTip(page.raw_values.text())
    page.chart.setAccessibleDescription(shown)
    page.summary = tr("{title}: {bars} (each ±{bound} at 95 %, {people})").format(
        title=question.title, bars=shown, bound=bound, people=people
    )


def noise_words(raw: tuple[int, ...], people: int, *, raw_shown: bool, votes: bool) -> str:
    """What noise did to these counts, for the words under the chart ("" if nothing
    shows). ``raw_shown``: the chart draws the counts as they came out; ``votes``: the
    counts are votes per option rather than people per bar."""
    drawn = raw if raw_shown else possible(raw, people)
    below = sum(1 for c in raw if c < 0)
    above = sum(1 for c in raw if c > people)
    words = []
    if raw_shown and (below or above):
        words.append(
            tr(
                "These are the counts as they came out of the protocol: below 0 or above "
                "{people}, the number who took part, is noise alone."
            ).format(people=people)
        )
    if not raw_shown and below:
        words.append(
            tr("Noise pushed {bars} below 0; the chart shows 0.").format(bars=_bars(below, votes))
        )
    if not raw_shown and above:
        words.append(
            tr(
                "Noise pushed {bars} above {people}, the number who took part; the chart "
                "shows {people}."
            ).format(bars=_bars(above, votes), people=people)
        )
    if sum(drawn) != people:
        total = (
            tr("Noise is why the tallies add up to {total}, not {people}.")
            if votes
            else tr("Noise is why the bars add up to {total}, not {people}.")
        )
        words.append(total.format(total=sum(drawn), people=people))
    return " ".join(words)


def _bars(count: int, votes: bool) -> str:
    if votes:
        return tr("1 tally") if count == 1 else tr("{count} tallies").format(count=count)
    return tr("1 bar") if count == 1 else tr("{count} bars").format(count=count)
