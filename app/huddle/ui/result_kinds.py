"""The result screen for votes, private choices, polls and spread.

`show` fills a `ResultPage` for one of these kinds: which of its widgets show,
what they say, and the one-line summary that Copy puts on the clipboard.
Accuracy is always stated next to a noisy figure. What a person's own app sent
in a poll is shown in the "your value" line — on their screen only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication

from huddle.core import randomized_response as rr
from huddle.core.outcome import CONFIDENCE, Outcome
from huddle.core.questions import CHOICE, DP_SPREAD, DP_VOTE, POLL, VOTE, VOTE_OUTCOME
from huddle.ui import texts
from huddle.ui.chart import possible
from huddle.ui.result_counts import NoisyCounts

if TYPE_CHECKING:
    from huddle.ui.result import ResultPage

PERCENT = round(CONFIDENCE * 100)


def tr(text: str, n: int = -1) -> str:
    return QCoreApplication.translate("result", text, None, n)


def show(page: ResultPage, outcome: Outcome, people: str, sent: rr.Response | None) -> None:
    """Fill ``page`` for a vote, choice or poll (spread is `show_spread`)."""
    kind = outcome.question.kind
    for widget in (page.chart, page.accuracy, page.raw_toggle, page.bar, page.standing):
        widget.setVisible(False)
    page.average.setVisible(kind not in (VOTE, DP_VOTE))
    if kind in (VOTE, DP_VOTE):
        _tallies(page, outcome, people)
    elif kind == VOTE_OUTCOME:
        _outcome_only(page, outcome)
    elif kind == CHOICE:
        _choice(page, outcome, people)
    elif kind == POLL:
        _poll(page, outcome, people, sent)


def _tallies(page: ResultPage, outcome: Outcome, people: str) -> None:
    q, noisy = outcome.question, outcome.question.kind == DP_VOTE
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


def _outcome_only(page: ResultPage, outcome: Outcome) -> None:
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


def _choice(page: ResultPage, outcome: Outcome, people: str) -> None:
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


def _poll(page: ResultPage, outcome: Outcome, people: str, sent: rr.Response | None) -> None:
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


def sent_words(sent: rr.Response) -> str:
    """What this person's app sent, for their own screen only."""
    answer = tr("yes") if sent.sent else tr("no")
    if sent.first_heads:
        how = tr("its first coin came up heads, so it sent a second coin flip")
    else:
        how = tr("its first coin came up tails, so it sent your true answer")
    return tr("Your app sent “{answer}”: {how}. Only you see this.").format(answer=answer, how=how)


def show_spread(page: ResultPage, outcome: Outcome, people: str) -> None:
    """The average (as for an average) with the standard deviation under it."""
    q, m = outcome.question, outcome.moments
    average = texts.average(m.mean, q)
    deviation = texts.with_unit(m.deviation, q, texts.EXTRA_AVERAGE_DIGITS)
    if q.kind == DP_SPREAD:
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
    else:
        page.caption.setText(tr("Group average and spread"))
        page.average.setText(average)
        page.totals.setText(
            tr("Standard deviation {deviation} · {people}").format(
                deviation=deviation, people=people
            )
        )
        page.accuracy.setText(
            tr("The standard deviation says how far values typically lie from the average.")
        )
    page.accuracy.setVisible(True)
    page.summary = tr(
        "{title}: average {average}, standard deviation {deviation} ({people})"
    ).format(title=q.title, average=average, deviation=deviation, people=people)
