"""The command line's kind flags (``--vote A B``, ``--histogram 5``, …), made from the registry.

Every kind declares its flags (`huddle.core.kinds.Flag`); `add` puts them in one
mutually exclusive group, and `question` builds the question the chosen flag
asks for. A kind without flags is the one asked for by default (the average).

Only `huddle.core.kinds` is imported here, which loads no numpy, so that
``huddle --help`` stays fast; `question` imports the rest when it runs.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from huddle.core import kinds
from huddle.core.kinds import Flag, Kind, Takes

if TYPE_CHECKING:
    from huddle.core.questions import Question

_METAVARS = {
    Takes.OPTIONS: "OPTION",
    Takes.BARS: "BINS",
    Takes.EDGES: "EDGE",
    Takes.SOME_BARS: "BARS",
}


def add(group: argparse._MutuallyExclusiveGroup) -> None:
    """Every kind's flags, in the registry's order."""
    for kind in kinds.BY_NAME.values():
        for flag in kind.about.flags:
            group.add_argument(flag.name, **_argument(flag))


def _argument(flag: Flag) -> dict[str, Any]:
    if flag.takes is Takes.NOTHING:
        return {"action": "store_true", "help": flag.help}
    spec: dict[str, Any] = {"metavar": _METAVARS[flag.takes], "help": flag.help}
    if flag.takes in (Takes.OPTIONS, Takes.EDGES):
        return spec | {"nargs": "+"}
    if flag.takes is Takes.SOME_BARS:
        return spec | {"nargs": "?", "type": int, "const": flag.bars}
    return spec | {"type": int}


def chosen(args: argparse.Namespace) -> tuple[Kind, Flag | None]:
    """The kind the flags ask for, and the flag that asked (None: the default kind)."""
    for kind in kinds.BY_NAME.values():
        for flag in kind.about.flags:
            value = getattr(args, flag.dest, None)
            if value is not None and value is not False:
                return kind, flag
    default = next(k for k in kinds.BY_NAME.values() if not k.about.flags)
    return default, None


def noisy_flags() -> str:
    """ "--histogram, --bins, … and --dp-spread": the flags that take --epsilon."""
    names = [f.name for k in kinds.BY_NAME.values() if k.private for f in k.about.flags]
    return f"{', '.join(names[:-1])} and {names[-1]}"


def question(args: argparse.Namespace) -> Question:
    """The question ``huddle host``'s options describe; `SettingsError` (or `CommandError`
    for --epsilon without a noisy kind) if they do not make one."""
    from huddle.cli.errors import EXIT_USAGE, CommandError
    from huddle.core import options
    from huddle.core.questions import Question

    kind, flag = chosen(args)
    if not kind.private and args.epsilon is not None:
        raise CommandError(f"--epsilon applies to the noisy kinds: {noisy_flags()}", EXIT_USAGE)
    robust = getattr(args, "robust", None)
    if not kind.private and robust is not None:
        raise CommandError(f"--robust applies to the noisy kinds: {noisy_flags()}", EXIT_USAGE)
    if robust is not None and robust < 1:
        raise CommandError("--robust takes a whole number from 1 up.", EXIT_USAGE)
    value: Any = getattr(args, flag.dest) if flag is not None else None
    opts = options.clean(value) if flag is not None and flag.takes is Takes.OPTIONS else ()
    lo, hi = args.range
    decimals = args.decimals
    if fixed := kinds.answer_range(kind.about.answer, opts):
        (lo, hi), decimals = fixed, 0
    return Question(
        kind=kind.name,
        title=args.title,
        unit=args.unit,
        decimals=decimals,
        lo=lo,
        hi=hi,
        min_participants=args.min_participants,
        bins=_bins(flag, value, args),
        epsilon=(args.epsilon or kinds.DEFAULT_EPSILON) if kind.private else "",
        tag=args.tag,
        options=opts,
        robust=robust or 0,  # 0: the default (`noise.default_robust`)
    )


def _bins(flag: Flag | None, value: Any, args: argparse.Namespace) -> tuple[str, ...]:
    if flag is None:
        return ()
    if flag.takes is Takes.EDGES:
        return tuple(value)
    if flag.takes in (Takes.BARS, Takes.SOME_BARS):
        lo, hi = args.range
        return kinds.equal_width_edges(lo, hi, value, args.decimals)
    return ()
