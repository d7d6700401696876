"""`huddle` command line entry point.

Imports stay light here so `huddle --help` is fast: numpy, cryptography and Qt
are imported only by the subcommand that needs them.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from huddle import __version__
from huddle.cli import kind_flags

VALUE_WARNING = (
    "A value given with --value is visible to other users of this computer "
    "(process list) and stays in your shell history; leave it out to be asked "
    "for it without echo. --value exists for scripts and tests."
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="huddle",
        description=(
            "Private statistics among colleagues on one LAN. Everyone types a private "
            "value; everyone learns the group average; nobody learns anyone's value. "
            "Without a command, opens the desktop app."
        ),
    )
    parser.add_argument("--version", action="version", version=f"huddle {__version__}")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more log output")
    parser.add_argument(
        "--demo-peers",
        type=int,
        default=0,
        metavar="N",
        help="desktop app: host, and let N sample colleagues on this computer join and answer",
    )
    parser.add_argument(
        "--self-check",
        action="store_true",
        help="desktop app: open the window, load its resources, and exit (0 if all is well)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    _add_host(sub)
    _add_join(sub)
    _add_sessions(sub)
    _add_demo(sub)
    return parser


def _add_question_options(p: argparse.ArgumentParser) -> None:
    q = p.add_argument_group("the question")
    q.add_argument("--title", required=True, help='what you ask, e.g. "2026 raise"')
    q.add_argument("--unit", default="", help="unit shown next to values, e.g. EUR")
    q.add_argument(
        "--decimals", type=int, default=0, metavar="D", help="decimal places allowed (0-6)"
    )
    q.add_argument(
        "--range",
        nargs=2,
        default=("0", "1000000"),
        metavar=("LO", "HI"),
        help="lowest and highest allowed value (default 0 1000000)",
    )
    q.add_argument(
        "--min",
        type=int,
        default=3,
        metavar="N",
        dest="min_participants",
        help="fewest contributors needed to start (at least 3)",
    )
    kind_flags.add(q.add_mutually_exclusive_group())  # one flag per kind (its own module says)
    q.add_argument(
        "--epsilon",
        metavar="E",
        help="privacy setting ε of a noisy result (default 1.0). Changing one person's "
        "answer changes the odds of any result by at most a factor e^ε (2.7 for 1.0): "
        "smaller is more private and less accurate",
    )
    q.add_argument(
        "--robust",
        type=int,
        metavar="K",
        help="a noisy result stays private at its ε even if up to K people add no noise "
        "(a modified app, or colleagues who pool their own noise to take it out); "
        "each person's noise grows so that any group minus K adds it all. From 1 to "
        "the minimum minus 2; default a third of the minimum, at least 1",
    )
    q.add_argument(
        "--tag",
        default="",
        help="the subject, e.g. salary: each person's privacy ledger adds up the ε "
        "they spent per tag",
    )


def _add_common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--name", help="your display name (default: your full name from the OS)")
    p.add_argument(
        "--value",
        help="your answer: a number; for a vote an option's number or name; for a choice "
        f"several, separated by commas; for a poll yes or no. {VALUE_WARNING}",
    )
    p.add_argument(
        "--json", action="store_true", help="print one JSON object with the result on stdout"
    )
    p.add_argument(
        "--take-part-again",
        action="store_true",
        help="if a round stops and is run again (without whoever left), take part again "
        "with the same answer without being asked; a host runs it again (never after an "
        "answer failed the check: it says whom to leave out and ends). Without this, "
        "a terminal asks, and a script without a terminal ends at the first stop",
    )


def _add_host(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "host",
        help="host a session and admit people automatically",
        description=(
            "Host a session. Joiners are admitted automatically until --expect contributors "
            "are in, then the round starts. Everyone compares the security code aloud."
        ),
    )
    _add_question_options(p)
    _add_common(p)
    p.add_argument(
        "--no-value", action="store_true", help="coordinate only; do not contribute a value"
    )
    p.add_argument(
        "--expect", type=int, required=True, metavar="N", help="start when N contributors are in"
    )
    p.add_argument(
        "--start-after",
        type=float,
        default=None,
        metavar="SECONDS",
        help="once --expect people are in, start after this many seconds instead of "
        "waiting for Enter (at a terminal) or starting at once (in a script)",
    )
    p.add_argument(
        "--port", type=int, default=0, help="TCP port to listen on (default: any free port)"
    )
    p.add_argument(
        "--bind", default=None, metavar="ADDRESS", help="address to listen on (default: all)"
    )
    p.add_argument(
        "--no-advertise",
        action="store_true",
        help="do not announce the session on the LAN; colleagues then join by address",
    )


def _add_join(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "join",
        help="join a session found on the LAN, or by address",
        description=(
            "Join a session found on the LAN (--session, see `huddle sessions`), or with the "
            "invite the host's screen shows (ADDRESS:PORT#FINGERPRINT), which makes sure you "
            "reach that session and no other. A bare ADDRESS:PORT works too; then only the "
            "security code, compared aloud, protects you."
        ),
    )
    where = p.add_mutually_exclusive_group(required=True)
    where.add_argument(
        "address",
        nargs="?",
        metavar="INVITE",
        help="the host's invite, e.g. 192.168.1.20:7300#3f7k… (or a bare ADDRESS:PORT)",
    )
    where.add_argument(
        "--session",
        metavar="TITLE_OR_ID",
        help="the session's title as `huddle sessions` shows it, or the start of its ID",
    )
    p.add_argument(
        "--timeout",
        type=float,
        default=5.0,
        metavar="S",
        help="with --session: seconds to look for it on the LAN (default 5)",
    )
    _add_common(p)


def _add_sessions(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "sessions",
        help="list the sessions hosted on the LAN",
        description=(
            "List the Huddle sessions announced on the LAN: title, host, people joined, "
            "state and address. Exit status 1 when none is found."
        ),
    )
    p.add_argument("--watch", action="store_true", help="keep the list live until Ctrl-C")
    p.add_argument(
        "--timeout",
        type=float,
        default=None,
        metavar="S",
        help="seconds to listen (default 2; with --watch: until Ctrl-C)",
    )
    p.add_argument(
        "--json",
        action="store_true",
        help="print a JSON array (with --watch: one JSON object per change)",
    )


def _add_demo(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "demo",
        help="run the reference article's four-colleague example on this machine",
        description=(
            "Alice 3800, Bob 2514, Carlos 2982 and David 3390 find their average raise as "
            "four parties over real TLS connections on 127.0.0.1, and the table of shares "
            "and partial sums is printed."
        ),
    )
    p.add_argument(
        "--article",
        action="store_true",
        help="use the article's own split (fixed shares) instead of random ones",
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=(logging.WARNING, logging.INFO, logging.DEBUG)[min(args.verbose, 2)],
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    if args.command is None:
        from huddle.cli.gui import launch

        return launch(demo_peers=max(0, args.demo_peers), self_check=args.self_check)
    if args.command == "sessions":
        from huddle.cli import sessions

        return sessions.run(args)
    from huddle.cli import commands

    return commands.run(args)


if __name__ == "__main__":
    sys.exit(main())
