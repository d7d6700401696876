"""Terminal text for the kinds of result: before and after.

Before anyone answers, `reveals` says what the chosen result can give away and
`ballot` lists the options; `prompt` is the question asked. After the round,
`describe` gives the result lines with their accuracy. `sent_line` tells a
poll participant, on their own terminal only, what their app actually sent.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import ROUND_CEILING, ROUND_HALF_EVEN, Decimal

from huddle.core import kinds, tallies
from huddle.core import randomized_response as rr
from huddle.core.kinds import AnswerForm
from huddle.core.kinds.summary import Accuracy, Figure, Summary
from huddle.core.outcome import CONFIDENCE, Outcome
from huddle.core.questions import (
    AVERAGE,
    CHOICE,
    DP_AVERAGE,
    DP_SPREAD,
    DP_VOTE,
    HISTOGRAM,
    POLL,
    SPREAD,
    VOTE,
    VOTE_OUTCOME,
    Question,
)

_BAR_WIDTH = 30
_PERCENT = round(CONFIDENCE * 100)


def ballot(question: Question) -> list[str]:
    """The numbered options, for people who answer by number."""
    return [f"  {i}) {option}" for i, option in enumerate(question.options, start=1)]


def prompt(question: Question) -> str:
    """What to type, for this kind's answers (its `AnswerForm`)."""
    return _PROMPTS[kinds.BY_NAME[question.kind].about.answer]


_PROMPTS = {
    AnswerForm.YES_NO: "Your answer, yes or no (not shown): ",
    AnswerForm.SOME_OPTIONS: (
        "The options you approve, numbers or names separated by commas (not shown): "
    ),
    AnswerForm.ONE_OPTION: "Your vote, a number or a name (not shown): ",
    AnswerForm.NUMBER: "Your value (not shown): ",
}


def reveals(question: Question) -> str:
    """What this kind of result can reveal, said before anyone answers ("" if said elsewhere).

    The kinds below have their terminal words here; for the noisy ones
    `huddle.cli.privacy.before_joining` says what they reveal. Any other kind
    speaks for itself (`Kind.reveals`).
    """
    if question.kind in _REVEALS:
        return _REVEALS[question.kind]
    return kinds.BY_NAME[question.kind].reveals(question, question.min_participants, at_least=True)


_REVEALS = {
    AVERAGE: "",
    HISTOGRAM: "",
    DP_AVERAGE: "",
    DP_VOTE: "",
    CHOICE: "",
    DP_SPREAD: "",
    VOTE: (
        "Exact tallies: everyone sees how many votes each option got. A unanimous "
        "result reveals every vote, and all the others together can work out yours."
    ),
    VOTE_OUTCOME: (
        "Outcome only: everyone sees which option leads and whether it has a majority, "
        "worked out from tallies with noise; the exact counts exist nowhere."
    ),
    POLL: (
        "Randomized response: your app flips a coin; tails, it sends your true answer; "
        "heads, it sends a second coin flip. Nobody can tell what you answered, and "
        "even the randomized answers are only ever added up."
    ),
    SPREAD: (
        "Everyone learns the exact average and standard deviation. A deviation of 0 "
        "reveals that everyone gave the same value."
    ),
}


def sent_line(response: rr.Response) -> str:
    """What this person's app sent, for their own terminal only."""
    sent = "yes" if response.sent else "no"
    if response.first_heads:
        return f"Your app's first coin came up heads, so it sent a second coin flip: {sent}."
    return f"Your app's first coin came up tails, so it sent your true answer: {sent}."


def describe(outcome: Outcome) -> list[str]:
    """The result lines of any kind, with their accuracy; a kind without lines of its
    own here is described from its `Summary`."""
    lines = _DESCRIBE.get(outcome.question.kind, summary_lines)
    return lines(outcome)


def _average(outcome: Outcome) -> list[str]:
    unit = _unit(outcome.question)
    return [f"  average {outcome.average}{unit} — total {outcome.sum}{unit}"]


def _histogram(outcome: Outcome) -> list[str]:
    eps = f"ε = {outcome.epsilon:g}"
    return [
        f"  noisy histogram ({eps}); each bar is within ±{outcome.noise_bound} people "
        "of the true count at 95 %:",
        *_histogram_bars(outcome, _unit(outcome.question)),
    ]


def _noisy_average(outcome: Outcome) -> list[str]:
    q = outcome.question
    unit, eps = _unit(q), f"ε = {outcome.epsilon:g}"
    places = q.decimals + 2
    average, spread = (
        _num(outcome.average, places),
        _num(outcome.average_error_bound, places, up=True),
    )
    total, total_spread = _num(outcome.sum), _num(outcome.error_bound, up=True)
    lines = [
        f"  noisy average {average}{unit} ± {spread} at 95 % ({eps}) — "
        f"noisy total {total}{unit} ± {total_spread}"
    ]
    if outcome.average != outcome.raw_average:
        lines.append(
            f"  (the noise pushed the average to {_num(outcome.raw_average, places)}, outside "
            "the allowed range; the nearest allowed value is shown)"
        )
    return lines


def _histogram_bars(outcome: Outcome, unit: str) -> list[str]:
    edges = [_num(e) for e in outcome.bin_edges]
    last = len(outcome.counts) - 1
    labels = [
        f"{edges[i]} ≤ x {'≤' if i == last else '<'} {edges[i + 1]}{unit}"
        for i in range(len(outcome.counts))
    ]
    width = max(len(label) for label in labels)
    top = max(*outcome.counts, 1)
    lines = []
    for label, count, raw in zip(labels, outcome.counts, outcome.raw_counts, strict=True):
        bar = "█" * round(_BAR_WIDTH * count / top)
        note = f"  (noise gave {raw})" if raw != count else ""
        lines.append(f"    {label:>{width}}  {bar:<{_BAR_WIDTH}} {count:>4}{note}")
    return lines


def _unit(q: Question) -> str:
    return f" {q.unit}" if q.unit else ""


def _tallies(outcome: Outcome) -> list[str]:
    q = outcome.question
    noisy = q.kind == DP_VOTE
    counts = tallies.shown(outcome.tallies) if noisy else outcome.tallies
    if noisy:
        head = (
            f"  noisy tallies (ε = {q.epsilon_value:g}); each is within ±{outcome.noise_bound} "
            f"votes of the true count at {_PERCENT} %:"
        )
    else:
        lead = outcome.leader
        names = " and ".join(q.options[i] for i in lead.options)
        verdict = "tie" if lead.tied else ("majority" if lead.majority else "leads, no majority")
        head = f"  votes ({outcome.count} cast): {names} — {verdict}"
    width = max(len(o) for o in q.options)
    top = max(*counts, 1)
    lines = [head]
    for option, count, raw in zip(q.options, counts, outcome.tallies, strict=True):
        bar = "█" * round(_BAR_WIDTH * count / top)
        note = f"  (noise gave {raw})" if raw != count else ""
        lines.append(f"    {option:>{width}}  {bar:<{_BAR_WIDTH}} {count:>4}{note}")
    return lines


def _outcome_only(outcome: Outcome) -> list[str]:
    q, lead = outcome.question, outcome.leader
    names = " and ".join(q.options[i] for i in lead.options)
    if lead.tied:
        verdict = f"{names} are level"
    elif lead.majority:
        verdict = f"{names} leads, with more than half of the {outcome.count} votes"
    else:
        verdict = f"{names} leads, without a majority of the {outcome.count} votes"
    return [
        f"  outcome only (ε = {q.epsilon_value:g}): {verdict}.",
        f"  How sure: an option truly ahead of every other by {outcome.lead_needed} votes or "
        f"more is shown leading at least {_PERCENT} % of the time; the majority call is "
        f"right at {_PERCENT} % unless the true tally is within {outcome.noise_bound} votes "
        "of half.",
    ]


def _choice(outcome: Outcome) -> list[str]:
    q, winner = outcome.question, outcome.winner
    line = f"  private choice (ε = {q.epsilon_value:g}): {q.options[winner.option]}"
    if winner.tied_with:
        others = ", ".join(q.options[i] for i in winner.tied_with)
        line += f" (drawn by lot: tied in the noisy counts with {others})"
    return [
        line,
        "  Very likely, not certainly, the most approved: an option ahead of every other by "
        f"{outcome.lead_needed} approvals or more wins at least {_PERCENT} % of the time.",
    ]


def _poll(outcome: Outcome) -> list[str]:
    low, high = outcome.poll_interval
    estimate = min(max(outcome.poll_estimate, 0.0), 1.0)
    lines = [
        f"  randomized response (ε = ln 3 ≈ {rr.EPSILON:.2f}): about {_pct(estimate)} answered "
        f"yes — {_PERCENT} % interval {_pct(low)} to {_pct(high)}",
        f"  ({outcome.total[0]} of {outcome.count} apps sent yes; the estimate is "
        "2 × that share − 1/2)",
    ]
    if estimate != outcome.poll_estimate:
        lines.append(
            f"  (the coins pushed the estimate to {_pct(outcome.poll_estimate)}; "
            "the nearest possible share is shown)"
        )
    return lines


def _spread(outcome: Outcome) -> list[str]:
    q, m = outcome.question, outcome.moments
    unit = f" {q.unit}" if q.unit else ""
    places = q.decimals + 2
    mean, deviation = _num(m.mean, places), _num(m.deviation, places)
    if q.kind == SPREAD:
        return [f"  average {mean}{unit} — standard deviation {deviation}{unit}"]
    assert q.kind == DP_SPREAD
    low, high = outcome.deviation_interval
    bound = _num(outcome.mean_error_bound, places)
    return [
        f"  noisy average {mean}{unit} ± {bound} at {_PERCENT} % (ε = {q.epsilon_value:g})",
        f"  standard deviation about {deviation}{unit}; at {_PERCENT} % between "
        f"{_num(low, places)} and {_num(high, places)}{unit}",
    ]


def _pct(share: float) -> str:
    return f"{round(100 * share)} %"


def _num(value: Decimal, places: int | None = None, *, up: bool = False) -> str:
    """A decimal for people: no exponent, at most ``places`` decimals (rounded
    outwards for error bounds), no trailing zeros."""
    if places is not None:
        value = value.quantize(Decimal(1).scaleb(-places), ROUND_CEILING if up else ROUND_HALF_EVEN)
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def summary_lines(outcome: Outcome) -> list[str]:
    """A result from its `Summary` alone: the headline, the other figures, each
    accuracy in words, and its counts as bars."""
    summary, q = outcome.summary, outcome.question
    noisy = f" (ε = {summary.epsilon:.3g})" if summary.epsilon else ""
    lines = []
    for figure in (summary.headline, *summary.figures):
        if figure is not None:
            lines.append(f"  {figure.label} {_figure(figure, q)}{noisy}")
            noisy = ""
    for accuracy in summary.accuracy:
        lines.append(f"  {_accuracy(accuracy, q)}")
    if summary.chart is not None:
        lines += _chart_lines(summary)
    return lines


def _figure(figure: Figure, q: Question) -> str:
    unit = f" {q.unit}" if q.unit else ""
    if figure.value is not None:
        text = f"{_num(figure.value, q.decimals + figure.extra_places)}{unit}"
        if figure.interval is not None:
            low, high = (_num(v, q.decimals + figure.extra_places) for v in figure.interval)
            text += f" ({_PERCENT} % interval {low} to {high}{unit})"
        return text
    if figure.share is not None:
        return _pct(figure.share)
    return figure.option


def _accuracy(accuracy: Accuracy, q: Question) -> str:
    if accuracy.counted:
        within = f"{accuracy.within} {accuracy.counted}"
    else:
        within = _num(accuracy.within, q.decimals + 2) + (f" {q.unit}" if q.unit else "")
    return f"{accuracy.subject} is within ±{within} at {round(100 * accuracy.confidence)} %"


def _chart_lines(summary: Summary) -> list[str]:
    chart = summary.chart
    assert chart is not None
    shown = tallies.shown(chart.counts)
    if chart.categories:
        labels = list(chart.labels)
    else:
        labels = [f"{a} – {b}" for a, b in zip(chart.labels, chart.labels[1:], strict=False)]
    width = max(len(label) for label in labels)
    top = max(*shown, 1)
    lines = []
    for label, count, raw in zip(labels, shown, chart.counts, strict=True):
        bar = "█" * round(_BAR_WIDTH * count / top)
        note = f"  (noise gave {raw})" if raw != count else ""
        lines.append(f"    {label:>{width}}  {bar:<{_BAR_WIDTH}} {count:>4}{note}")
    return lines


_DESCRIBE: dict[str, Callable[[Outcome], list[str]]] = {
    AVERAGE: _average,
    HISTOGRAM: _histogram,
    DP_AVERAGE: _noisy_average,
    VOTE: _tallies,
    DP_VOTE: _tallies,
    VOTE_OUTCOME: _outcome_only,
    CHOICE: _choice,
    POLL: _poll,
    SPREAD: _spread,
    DP_SPREAD: _spread,
}
"""The kinds with terminal lines of their own; any other is described from its `Summary`."""
for _table in (_REVEALS, _DESCRIBE):
    if unknown := set(_table) - set(kinds.KINDS):
        raise LookupError(f"terminal words for kinds nobody declared: {sorted(unknown)}")
