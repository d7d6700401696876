"""What the front ends read about questions, answers and results: the door's records.

`huddle.net.facade` is the door the front ends act through (host, join, browse,
submit); this module is the part of it they only read from: the registry of
question kinds and what each declares, the limits a host's setup is checked
against, an answer's problems (for the front end to word), and a result's
`Summary`. Everything here is defined in the core; it is named again here so
that a screen never has to know which core module defines it (the layers in
pyproject.toml forbid the desktop app to import the core itself).
"""

from __future__ import annotations

from huddle.core.answers import AnswerError, Problem
from huddle.core.errors import SettingsError
from huddle.core.fixed_point import ungroup
from huddle.core.kinds import (
    AVERAGE,
    BY_NAME,
    CHOICE,
    DEFAULT_EPSILON,
    DP_AVERAGE,
    DP_SPREAD,
    DP_VOTE,
    HISTOGRAM,
    KINDS,
    MAX_BINS,
    MIN_BINS,
    POLL,
    SPREAD,
    VOTE,
    VOTE_OUTCOME,
    AnswerForm,
    Kind,
    Spread,
    answer_range,
    equal_width_edges,
)
from huddle.core.kinds.summary import Accuracy, Figure, Summary
from huddle.core.noise import MAX_EPSILON, default_robust, lead_needed, max_robust, width_factor
from huddle.core.options import answer_text
from huddle.core.options import check as check_options
from huddle.core.options import clean as clean_options
from huddle.core.questions import MAX_PARTICIPANTS, MIN_PARTICIPANTS

__all__ = [
    "AVERAGE",
    "BY_NAME",
    "CHOICE",
    "DEFAULT_EPSILON",
    "DP_AVERAGE",
    "DP_SPREAD",
    "DP_VOTE",
    "HISTOGRAM",
    "KINDS",
    "MAX_BINS",
    "MAX_EPSILON",
    "MAX_PARTICIPANTS",
    "MIN_BINS",
    "MIN_PARTICIPANTS",
    "POLL",
    "SPREAD",
    "VOTE",
    "VOTE_OUTCOME",
    "Accuracy",
    "AnswerError",
    "AnswerForm",
    "Figure",
    "Kind",
    "Problem",
    "SettingsError",
    "Spread",
    "Summary",
    "answer_range",
    "answer_text",
    "check_options",
    "clean_options",
    "default_robust",
    "equal_width_edges",
    "lead_needed",
    "max_robust",
    "ungroup",
    "width_factor",
]
