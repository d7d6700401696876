"""The result screen's renderers: votes, private choices, polls and spread, and any
kind drawn from its `Summary` alone.

A renderer fills the result page (a `ResultView`) for one kind: which of its widgets
show, what they say, and the one-line summary that Copy puts on the clipboard;
`huddle.ui.result.RENDERERS` says which kind gets which. Accuracy is always
stated next to a noisy figure. What a person's own app sent in a poll is shown
in the "your value" line — on their screen only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from PySide6.QtCore import QCoreApplication

from huddle.net.facade import CONFIDENCE, Outcome, Question, Response
from huddle.net.records import Accuracy, Figure
from huddle.ui import texts
from huddle.ui.chart import possible
from huddle.ui.result_counts import NoisyCounts
from huddle.ui.result_view import ResultView, Shown

PERCENT = round(CONFIDENCE * 100)


def tr(text: str, n: int = -1) -> str:
    return QCoreApplication.translate("result", text, None, n)


def check_renderers(renderers: Mapping[str, object], known: Sequence[str]) -> None:
    """Refuse, at import, renderers for kinds that do not exist (a typo, a removed kind)."""
    unknown = sorted(set(renderers) - set(known))
    if unknown:
        raise LookupError(f"renderers for kinds nobody declared: {', '.join(unknown)}")


def _reset(page: ResultView, *, headline: bool = True) -> None:
    for widget in (page.chart, page.accuracy, page.raw_toggle, page.bar, page.standing):
        widget.setVisible(False)
    page.average.setVisible(headline)


def show_tallies(page: ResultView, outcome: Outcome, shown: Shown) -> None:
    """A vote's exact tallies as a chart, and who leads."""
    _reset(page, headline=False)
    _tallies(page, outcome, shown.people, noisy=False)


def show_noisy_tallies(page: ResultView, outcome: Outcome, shown: Shown) -> None:
    """A vote's noisy tallies as a chart with their accuracy, and the raw view."""
    _reset(page, headline=False)
    _tallies(page, outcome, shown.people, noisy=True)


def show_outcome_only(page: ResultView, outcome: Outcome, shown: Shown) -> None:
    _reset(page)
    _outcome_only(page, outcome)


def show_choice(page: ResultView, outcome: Outcome, shown: Shown) -> None:
    _reset(page)
    _choice(page, outcome, shown.people)


def show_poll(page: ResultView, outcome: Outcome, shown: Shown) -> None:
    _reset(page)
    _poll(page, outcome, shown.people, shown.sent)


def _tallies(page: ResultView, outcome: Outcome, people: str, *, noisy: bool) -> None:
    q = outcome.question
    bound = outcome.noise_bound if noisy else 0
    ceiling = outcome.count if noisy else None
    page.chart.set_categories(q.options, outcome.tallies, bound, tr("votes"), ceiling)
    page.chart.setVisible(True)
    counts = possible(outcome.tallies, outcome.count) if noisy else outcome.tallies
    listing = "; ".join(f"{o}: {c}" for o, c in zip(q.options, counts, strict=True))
    page.chart.setAccessibleDescription(listing)
    if noisy:
        page.caption.setText(tr("Votes per option, with privacy noise"))
        page.totals.setText(
            tr("{people} · privacy setting ε = {epsilon}").format(
                people=people, epsilon=texts.epsilon(outcome.epsilon)
            )
        )
        accuracy = tr(
            "Each tally is within ±{bound} votes of the true count, at {p} % confidence."
        ).format(bound=bound, p=PERCENT)
        page.show_counts(NoisyCounts(accuracy, outcome.tallies, outcome.count, votes=True))
        page.accuracy.setVisible(True)
        page.raw_toggle.setVisible(True)
        page.raw_values.setText(
            "\n".join(f"{o}: {c}" for o, c in zip(q.options, outcome.tallies, strict=True))
        )
    else:
        page.caption.setText(tr("Votes per option"))
        page.totals.setText(f"{people} · {_verdict(outcome)}")
    page.summary = f"{q.title}: {listing} ({people})"


def _verdict(outcome: Outcome) -> str:
    q, lead = outcome.question, outcome.leader
    names = texts.name_list(tuple(q.options[i] for i in lead.options))
    if lead.tied:
        return tr("{names} are level").format(names=names)
    if lead.majority:
        return tr("{name} leads, with more than half of the votes").format(name=names)
    return tr("{name} leads, without a majority").format(name=names)


def _outcome_only(page: ResultView, outcome: Outcome) -> None:
    q, lead = outcome.question, outcome.leader
    page.caption.setText(tr("Outcome of the vote, from tallies with privacy noise"))
    if lead.tied:
        page.average.setText(tr("A tie"))
    else:
        page.average.setText(q.options[lead.options[0]])
    page.totals.setText(
        tr("{verdict} · %n votes · privacy setting ε = {epsilon}", outcome.count).format(
            verdict=_verdict(outcome), epsilon=texts.epsilon(outcome.epsilon)
        )
    )
    page.accuracy.setText(
        tr(
            "The tallies themselves are not shown. How sure this is: an option truly ahead of "
            "every other by {lead} votes or more is shown leading at least {p} % of the time; "
            "the majority call is right at {p} % unless the true tally is within {margin} "
            "votes of half."
        ).format(lead=outcome.lead_needed, margin=outcome.noise_bound, p=PERCENT)
    )
    page.accuracy.setVisible(True)
    page.summary = f"{q.title}: {_verdict(outcome)} ({outcome.count} votes, outcome only)"


def _choice(page: ResultView, outcome: Outcome, people: str) -> None:
    q, winner = outcome.question, outcome.winner
    page.caption.setText(tr("Chosen, with privacy noise"))
    page.average.setText(q.options[winner.option])
    page.totals.setText(
        tr("{people} · privacy setting ε = {epsilon}").format(
            people=people, epsilon=texts.epsilon(outcome.epsilon)
        )
    )
    text = tr(
        "Very likely, not certainly, the most approved: an option ahead of every other by "
        "{lead} approvals or more wins at least {p} % of the time."
    ).format(lead=outcome.lead_needed, p=PERCENT)
    if winner.tied_with:
        others = texts.name_list(tuple(q.options[i] for i in winner.tied_with))
        text += " " + tr("It was drawn by lot: it tied with {others} in the noisy counts.").format(
            others=others
        )
    page.accuracy.setText(text)
    page.accuracy.setVisible(True)
    page.summary = f"{q.title}: {q.options[winner.option]} ({people}, chosen with noise)"


def _poll(page: ResultView, outcome: Outcome, people: str, sent: Response | None) -> None:
    q = outcome.question
    low, high = outcome.poll_interval
    estimate = min(max(outcome.poll_estimate, 0.0), 1.0)
    page.caption.setText(tr("Answered yes, from randomized answers: the 95 % interval"))
    span = tr("{low} – {high}").format(low=texts.percent(low), high=texts.percent(high))
    page.show_interval(span)
    page.totals.setText(
        tr("Best estimate {share} · {people} · privacy setting ε = ln 3 ≈ 1.1").format(
            share=texts.percent(estimate), people=people
        )
    )
    page.accuracy.setText(
        tr(
            "%n of the apps sent yes. Each sent the true answer only when its first coin "
            "came up tails, so the estimate is 2 × (the share sent yes) − ½.",
            outcome.total[0],
        )
    )
    page.accuracy.setVisible(True)
    if sent is not None:
        page.standing.setText(sent_words(sent))
        page.standing.setVisible(True)
    page.summary = tr(
        "{title}: between {low} and {high} yes ({p} %; best estimate {share}, {people})"
    ).format(
        title=q.title,
        share=texts.percent(estimate),
        p=PERCENT,
        low=texts.percent(low),
        high=texts.percent(high),
        people=people,
    )


def sent_words(sent: Response) -> str:
    """What this person's app sent, for their own screen only."""
    answer = tr("yes") if sent.sent else tr("no")
    if sent.first_heads:
        how = tr("its first coin came up heads, so it sent a second coin flip")
    else:
        how = tr("its first coin came up tails, so it sent your true answer")
    return tr("Your app sent “{answer}”: {how}. Only you see this.").format(answer=answer, how=how)


def show_spread(page: ResultView, outcome: Outcome, people: str) -> None:
    """The exact average (as for an average) with the standard deviation under it."""
    q, m = outcome.question, outcome.moments
    average = texts.average(m.mean, q)
    deviation = texts.with_unit(m.deviation, q, texts.EXTRA_AVERAGE_DIGITS)
    page.caption.setText(tr("Group average and spread"))
    page.average.setText(average)
    page.totals.setText(
        tr("Standard deviation {deviation} · {people}").format(deviation=deviation, people=people)
    )
    page.accuracy.setText(
        tr("The standard deviation says how far values typically lie from the average.")
    )
    page.accuracy.setVisible(True)
    _spread_summary(page, q, average, deviation, people)


def show_noisy_spread(page: ResultView, outcome: Outcome, people: str) -> None:
    """A noisy average's 95 % interval large, the best estimate and the standard
    deviation, with its own interval, under it."""
    q, m = outcome.question, outcome.moments
    average = texts.average(m.mean, q)
    deviation = texts.with_unit(m.deviation, q, texts.EXTRA_AVERAGE_DIGITS)
    low, high = outcome.deviation_interval
    error = outcome.mean_error_bound
    page.caption.setText(tr("Group average with privacy noise: the 95 % interval"))
    page.show_interval(texts.interval(m.mean - error, m.mean + error, q))
    page.totals.setText(
        tr("Best estimate {average} · {people} · ε = {epsilon}").format(
            average=average, people=people, epsilon=texts.epsilon(outcome.epsilon)
        )
    )
    page.accuracy.setText(
        tr("Standard deviation about {deviation}; at {p} % between {low} and {high}.").format(
            deviation=deviation,
            p=PERCENT,
            low=texts.number(low, q, texts.EXTRA_AVERAGE_DIGITS),
            high=texts.with_unit(high, q, texts.EXTRA_AVERAGE_DIGITS),
        )
    )
    page.accuracy.setVisible(True)
    _spread_summary(page, q, average, deviation, people)


def _spread_summary(
    page: ResultView, q: Question, average: str, deviation: str, people: str
) -> None:
    page.summary = tr(
        "{title}: average {average}, standard deviation {deviation} ({people})"
    ).format(title=q.title, average=average, deviation=deviation, people=people)


def show_summary(page: ResultView, outcome: Outcome, shown: Shown) -> None:
    """A kind without a screen of its own, drawn from its `Summary` alone: the headline
    large, the other figures and the people under it, each accuracy in words, and its
    chart, if it has one."""
    summary, q = outcome.summary, outcome.question
    head = summary.headline
    _reset(page, headline=head is not None)
    noisy = tr(", with privacy noise") if summary.epsilon else ""
    headline = figure_text(head, q) if head is not None else ""
    page.caption.setText((head.label.capitalize() if head is not None else q.title) + noisy)
    page.average.setText(headline)
    parts = [f"{f.label} {figure_text(f, q)}" for f in summary.figures] + [shown.people]
    if summary.epsilon:
        parts.append(
            tr("privacy setting ε = {epsilon}").format(epsilon=texts.epsilon(summary.epsilon))
        )
    page.totals.setText(" · ".join(parts))
    words = [accuracy_words(a, q) for a in summary.accuracy]
    page.accuracy.setText(" ".join(words))
    page.accuracy.setVisible(bool(words))
    chart = summary.chart
    if chart is not None:
        if chart.categories:
            page.chart.set_categories(chart.labels, chart.counts, chart.bound, chart.counting)
        else:
            page.chart.set_data(chart.labels, chart.counts, chart.bound, q.unit, chart.ceiling)
        page.chart.setVisible(True)
    page.summary = f"{q.title}: {headline or page.totals.text()} ({shown.people})"


def figure_text(figure: Figure, question: Question) -> str:
    """A figure for people: a number with its unit, a share as a percentage, an option."""
    if figure.value is not None:
        return texts.with_unit(figure.value, question, figure.extra_places)
    if figure.share is not None:
        return texts.percent(figure.share)
    return figure.option


def accuracy_words(accuracy: Accuracy, question: Question) -> str:
    """How accurate a noisy figure is: "The median is within ±120 EUR, at 95 % confidence." """
    if accuracy.counted:
        within = f"{accuracy.within} {accuracy.counted}"
    else:
        within = texts.with_unit(accuracy.within, question, texts.EXTRA_AVERAGE_DIGITS)
    return tr("{what} is within ±{within}, at {p} % confidence.").format(
        what=accuracy.subject[:1].upper() + accuracy.subject[1:],
        within=within,
        p=round(accuracy.confidence * 100),
    )
