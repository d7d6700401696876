"""`huddle host` and `huddle join`: run one session to its result in a terminal.

Human-readable lines go to stdout, or to stderr with ``--json`` so that stdout
carries exactly one JSON object. Exit status: 0 with a result, 1 when the
session ends without one, 2 for bad settings or input.
"""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import json
import shlex
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TextIO

from huddle.cli import kind_flags, privacy, results
from huddle.cli.errors import EXIT_OK, EXIT_USAGE, CommandError
from huddle.cli.prompt import ask_line, ask_secret
from huddle.core.errors import HuddleError
from huddle.net.facade import (
    ANNOUNCE_ERRORS,
    Answer,
    Event,
    FoundSession,
    Hosting,
    InputError,
    Invite,
    Joining,
    JoinRequested,
    LocalProtocolError,
    Outcome,
    PrivacySpent,
    ProgressChanged,
    Question,
    ResultReady,
    RosterChanged,
    RoundAborted,
    RoundStarted,
    SessionEnded,
    Welcomed,
    join_found,
    join_invite,
    lan_addresses,
    parse_invite,
    prepare_answer,
)
from huddle.storage import LedgerStore, default_display_name

UNPINNED = (
    "Joining {where} by address only: nothing but the security code shows that this is the "
    "host's session, so compare the code aloud before you type a value. (An invite from the "
    "host, ADDRESS:PORT#…, lets Huddle check that itself.)"
)


def run(args: argparse.Namespace) -> int:
    if args.command == "demo":
        from huddle.cli.demo import run_demo

        return run_demo(article=args.article)
    try:
        return asyncio.run(_host(args) if args.command == "host" else _join(args))
    except CommandError as exc:
        print(f"huddle: {exc}", file=sys.stderr)
        for note in getattr(exc, "__notes__", ()):
            print(f"  {note}", file=sys.stderr)
        return exc.status
    except HuddleError as exc:
        print(f"huddle: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("huddle: interrupted; nothing was revealed.", file=sys.stderr)
        return 130


class Runner:
    """Reacts to engine events for one CLI session."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.json = bool(args.json)
        self.out: TextIO = sys.stderr if self.json else sys.stdout
        self.value: str | None = args.value
        self.code = ""
        self.names: tuple[str, ...] = ()
        self.round_code = ""
        """The code of the group the round ran with: people who leave afterwards
        change `code`, not what the result was computed over."""
        self.round_names: tuple[str, ...] = ()
        self.finished: asyncio.Future[Outcome] = asyncio.get_running_loop().create_future()
        self.submit: Callable[[Answer], None] = _not_connected
        self.question: Question | None = None
        self.on_roster: Callable[[RosterChanged], None] | None = None
        self.on_join_request: Callable[[JoinRequested], None] | None = None
        self.on_stop: Callable[[RoundAborted], None] | None = None
        """The host's choice after a stopped round (a joiner just waits)."""
        self.take_part: Callable[[], None] = _not_connected_action
        self.cancel_round: Callable[[], None] = _not_connected_action
        self.take_part_again: bool = getattr(args, "take_part_again", False)
        self.me: str = args.name or ""
        """This person's name in the session."""
        self._last_note = ""
        self.result_code = ""
        """The code of the round's transcript: the same on every screen that has a result."""

    def on_skipped_address(self, event: Event) -> None:
        if isinstance(event, SessionEnded):
            self.say(f"  {event.reason} Trying the next address.")

    def say(self, line: str) -> None:
        print(line, file=self.out, flush=True)

    def on_event(self, event: Event) -> None:
        if isinstance(event, Welcomed):
            q = self.question = event.question
            self.say(f"Joined {event.host_name}'s session “{q.title}”. Waiting to be admitted...")
            self.privacy_note(q)
            if self.value is not None:
                self._submit_given_value(self.value)
        elif isinstance(event, JoinRequested) and self.on_join_request:
            self.on_join_request(event)
        elif isinstance(event, RosterChanged):
            self.on_roster_changed(event)
        elif isinstance(event, RoundStarted):
            self.round_code, self.round_names = self.code, event.names
            self.say(f"Round started with {', '.join(event.names)}.")
            if event.rerun and not event.needs_value:
                asyncio.get_running_loop().create_task(self._ask_to_take_part())
            elif event.needs_value:
                asyncio.get_running_loop().create_task(self._ask_value())
        elif isinstance(event, ProgressChanged) and event.waiting_for:
            self.say(f"  waiting for: {', '.join(event.waiting_for)}")
        elif isinstance(event, ResultReady) and not self.finished.done():
            self.result_code = event.code
            self.finished.set_result(event.outcome)
        elif isinstance(event, RoundAborted) and not self.finished.done():
            self.on_round_aborted(event)
        elif isinstance(event, SessionEnded) and not self.finished.done():
            self.finished.set_exception(CommandError(event.reason))

    @property
    def stays_after_a_stop(self) -> bool:
        """After a stopped round, wait for a re-run: a person at a terminal is asked then,
        and a script only if it said so in advance (``--take-part-again``)."""
        return self.take_part_again or sys.stdin.isatty()

    def on_round_aborted(self, event: RoundAborted) -> None:
        if event.suspects and self.on_stop is not None:
            # A host never runs a failed check again on its own, not even with
            # --take-part-again: the same modified app would fail it again, and every
            # noisy re-run spends everyone's ε once more.
            self.finished.set_exception(_stopped_by_a_check(event, self.me))
            return
        if event.closed or not self.stays_after_a_stop:
            self.finished.set_exception(CommandError(event.reason))
            return
        self.say(f"The round stopped: {event.reason}")
        if self.on_stop is not None:
            self.on_stop(event)
            return
        self.say(
            "  Staying in the session: if the host runs the round again, you choose whether "
            "to take part. Ctrl-C leaves."
        )

    async def _ask_to_take_part(self) -> None:
        """A re-run: the kept answer goes out only once the person (or the flag) says so."""
        self.say(f"  Security code now: {self.code}. Compare it again before you answer.")
        if self.take_part_again:
            agreed = True
        else:
            reply = await ask_line("Take part again with the answer you gave? [Y/n] ")
            agreed = reply is not None and reply.strip().casefold() in ("", "y", "yes")
        if self.finished.done():
            return
        if agreed:
            self.take_part()
            return
        self.cancel_round()
        self.finished.set_exception(CommandError("you chose not to take part again."))

    def on_roster_changed(self, event: RosterChanged) -> None:
        """Print the lobby once its security code is ready (and say when it changed).

        Each new roster first goes out without a code, while the members
        exchange the nonces it is made of; only the finished code is worth
        reading aloud.
        """
        self.names = event.names
        if event.note and (not event.code or event.note != self._last_note):
            self.say(f"  {event.note}.")
        self._last_note = event.note
        if event.code:
            self.code = event.code
            if event.changed:
                self.say("  The security code changed: compare it again.")
            self.say(f"Lobby: {', '.join(event.names) or '(empty)'} — security code {event.code}")
        if self.on_roster:
            self.on_roster(event)

    def answer(self, text: str) -> None:
        """Submit ``text``; for a poll, flip the coins here and say what was sent.

        `InputError` (nothing sent) if the answer is not usable.
        """
        if self.question is None:
            raise LocalProtocolError("Not connected to a session yet.")
        answer = prepare_answer(self.question, text)
        self.submit(answer)
        if answer.sent is not None:
            self.say(results.sent_line(answer.sent))

    def _submit_given_value(self, value: str) -> None:
        try:
            self.answer(value)
        except InputError as exc:
            if not self.finished.done():
                self.finished.set_exception(CommandError(str(exc), EXIT_USAGE))
        except LocalProtocolError:
            pass  # the session already ended; its own event says why

    async def _ask_value(self) -> None:
        while not self.finished.done():
            prompt = results.prompt(self.question) if self.question else "Your value: "
            text = await ask_secret(prompt)
            if text is None:
                if not self.finished.done():  # the session may have ended meanwhile
                    self.finished.set_exception(CommandError("no value given; leaving."))
                return
            try:
                self.answer(text)
                return
            except InputError as exc:
                self.say(str(exc))

    def privacy_note(self, question: Question) -> None:
        """Before anyone answers: the options, what the result reveals, and for a noisy
        release the ε already spent on its tag."""
        for line in results.ballot(question):
            self.say(line)
        if reveals := results.reveals(question):
            self.say(reveals)
        if question.release_epsilon:
            self.say(privacy.before_joining(question, LedgerStore().load()))

    def on_spend(self, event: PrivacySpent) -> None:
        """Write ε to the ledger before the partial sum that spends it leaves (ledger first)."""
        store, now = LedgerStore(), datetime.now(UTC)
        self.say(privacy.record(store, event.question, event.epsilon, now))

    def report(self, outcome: Outcome) -> int:
        """Print the result, with the code of the transcript every member confirmed."""
        code, names = self.round_code or self.code, self.round_names or self.names
        result = outcome.as_dict() | {
            "security_code": code,
            "result_code": self.result_code,
            "names": list(names),
        }
        self.say(f"Result for “{outcome.question.title}” (result code {self.result_code}):")
        for line in results.describe(outcome):
            self.say(line)
        if outcome.question.is_private:
            self.say(f"  {outcome.summary.holds}")
        self.say(f"  over {outcome.count} people: {', '.join(names)}")
        if self.json:
            print(json.dumps(result), flush=True)
        return EXIT_OK


async def _host(args: argparse.Namespace) -> int:
    question = _checked_host_settings(args)
    runner = Runner(args)
    runner.question = question
    runner.me = args.name or default_display_name()
    hosting = Hosting(
        question,
        runner.me,
        runner.on_event,
        contributes=not args.no_value,
        on_spend=runner.on_spend,
    )
    runner.submit = hosting.submit
    if hosting.contributes:
        runner.privacy_note(question)

    def on_join_request(event: JoinRequested) -> None:
        if hosting.joined < args.expect:
            hosting.admit(event.conn)
        else:
            hosting.reject(event.conn)

    starter = _Starter(runner, hosting, args.expect, args.start_after)

    def on_roster(event: RosterChanged) -> None:
        if len(event.names) >= args.expect and hosting.can_start:
            starter.everyone_in(event.code)

    runner.on_join_request, runner.on_roster = on_join_request, on_roster
    runner.on_stop = _Rerun(runner, hosting)
    runner.cancel_round = hosting.cancel_round
    if hosting.contributes:
        runner.take_part = hosting.take_part
    try:
        listening = await hosting.listen(args.bind, args.port)
    except OSError as exc:
        raise CommandError(f"cannot listen on port {args.port}: {exc.strerror}") from None
    runner.say(f"Hosting “{question.title}” on port {listening.port}.")
    invite = Invite(_invite_host(args.bind), listening.port, listening.fingerprint)
    runner.say(f"Colleagues join with:  {invite.command()}")
    if not args.no_advertise:
        _announce(hosting, args.bind, runner)
    if args.value is not None:
        runner.answer(args.value)
    try:
        outcome = await runner.finished
    finally:
        # Colleagues are told the true cause ("Kai left during the round"), not just
        # that the host closed the session.
        await hosting.close(_ending(runner.finished))
    return runner.report(outcome)


def _checked_host_settings(args: argparse.Namespace) -> Question:
    """The question, once the host's settings and given value are known to be usable."""
    question = kind_flags.question(args)
    if args.no_value and args.value is not None:
        raise CommandError("use either --value or --no-value, not both", EXIT_USAGE)
    if args.value is not None and (problem := question.check_answer(args.value)):
        raise InputError(problem)  # refuse bad input before going on the network
    if args.expect < question.min_participants:
        raise CommandError(
            f"--expect must be at least --min ({question.min_participants})", EXIT_USAGE
        )
    return question


class _Starter:
    """Starts the round once --expect people are in and their code is ready.

    At a terminal, the host person first gets the time to compare the final
    code aloud: the round starts when they press Enter (issue 17 item 9).
    Scripts (no terminal on stdin) start on their own, after ``--start-after``
    seconds if given.
    """

    def __init__(self, runner: Runner, hosting: Hosting, expect: int, after: float | None) -> None:
        self.runner, self.hosting, self.expect, self.after = runner, hosting, expect, after
        self._waiting: asyncio.Task[None] | None = None

    def everyone_in(self, code: str) -> None:
        if self._waiting is not None and not self._waiting.done():
            return  # already waiting; a changed code is printed with the lobby
        self._waiting = asyncio.get_running_loop().create_task(self._start_when_told(code))

    async def _start_when_told(self, code: str) -> None:
        if self.after is not None:
            await asyncio.sleep(self.after)
        elif sys.stdin.isatty():
            await ask_line(
                f"Everyone is in. Read the security code {code} aloud with everyone; "
                "press Enter to start the round (Ctrl-C stops). "
            )
        if self.runner.finished.done() or self.hosting.joined < self.expect:
            return
        self.hosting.start_round()


class _Rerun:
    """The host person's choice after a stopped round: run it again without whoever left.

    Only if they say so at the terminal, or said so in advance with
    ``--take-part-again``; a script without either ends at the first stop.
    """

    def __init__(self, runner: Runner, hosting: Hosting) -> None:
        self.runner, self.hosting = runner, hosting
        self._task: asyncio.Task[None] | None = None

    def __call__(self, event: RoundAborted) -> None:
        if not event.can_rerun:
            self.runner.finished.set_exception(CommandError(event.reason))
            return
        self._task = asyncio.get_running_loop().create_task(self._decide(event))

    async def _decide(self, event: RoundAborted) -> None:
        runner = self.runner
        agreed = runner.take_part_again
        if not agreed:
            gone = ", ".join(event.missing)
            asked = f"Run the round again without {gone}? [y/N] " if gone else "Run again? [y/N] "
            reply = await ask_line(asked)
            agreed = reply is not None and reply.strip().casefold() in ("y", "yes")
        if runner.finished.done():
            return
        if not agreed:
            runner.finished.set_exception(CommandError(event.reason))
            return
        runner.take_part_again = True  # running it again is the host person's word
        runner.say("  Running the round again once everyone has the new security code.")
        self.hosting.start_round()


def _stopped_by_a_check(event: RoundAborted, me: str) -> CommandError:
    """How a host ends after a failed check: the reason, then whom to leave out."""
    error = CommandError(event.reason)
    others = ", ".join(name for name in event.suspects if name != me)
    if others:
        error.add_note(
            f"The round was not run again: the check points at {others}'s app (or at the "
            f"app that reported it; Huddle cannot tell which), and with {others} in it a "
            f"re-run would most likely stop the same way. Host the question again without "
            f"{others}."
        )
    else:
        error.add_note(
            "The round was not run again: the check points at your own app (or at the app "
            "that reported it; Huddle cannot tell which). If your copy of Huddle may be "
            "damaged, reinstall it."
        )
    return error


def _announce(hosting: Hosting, bind: str | None, runner: Runner) -> None:
    """Announce the session on the LAN in the background (probing takes about a second;
    colleagues joining by address need not wait). Failing to is not fatal."""
    announcing = hosting.announce(None if bind is None else [bind])

    async def start() -> None:
        try:
            announced = await announcing
        except ANNOUNCE_ERRORS as exc:
            why = getattr(exc, "strerror", None) or str(exc)
            runner.say(f"Not announced on the LAN ({why}); colleagues join by address.")
            return
        where = "this computer only" if announced.local_only else "the LAN"
        runner.say(
            f"Announced on {where} as “{announced.instance}”. Colleagues join with:  "
            f"huddle join --session {shlex.quote(announced.instance)}"
        )

    asyncio.get_running_loop().create_task(start())  # the announcement holds the task


async def _join(args: argparse.Namespace) -> int:
    runner = Runner(args)
    name = args.name or default_display_name()
    joining: Joining
    if args.session is not None:
        from huddle.cli.sessions import resolve

        found: FoundSession = await resolve(args.session, args.timeout, runner.say)
        joining = join_found(
            found,
            name,
            runner.on_event,
            on_skip=runner.on_skipped_address,
            on_spend=runner.on_spend,
        )
    else:
        invite = parse_invite(args.address)  # InviteError: exit 2 with its sentence
        if invite.fingerprint is None:
            runner.say(UNPINNED.format(where=invite.endpoint))
        joining = join_invite(invite, name, runner.on_event, on_spend=runner.on_spend)
    runner.submit = joining.submit
    runner.take_part, runner.cancel_round = joining.take_part, joining.cancel_round
    task = asyncio.get_running_loop().create_task(joining.run())
    try:
        outcome = await runner.finished
    finally:
        joining.leave()  # still connecting: no other address to try
        await asyncio.wait([task], timeout=5)
    return runner.report(outcome)


def _ending(finished: asyncio.Future[Outcome]) -> str:
    """What the host's colleagues are told when its session closes."""
    if finished.done() and not finished.cancelled() and finished.exception() is not None:
        return f"The host's session ended: {finished.exception()}"
    return "The host closed the session."


def _not_connected(answer: Answer) -> None:
    raise LocalProtocolError("Not connected to a session yet.")


def _not_connected_action() -> None:
    raise LocalProtocolError("Not connected to a session yet.")


def _invite_host(bind: str | None) -> str:
    """The address to put in the invite: the one we listen on, else our best LAN address."""
    if bind and not _unspecified(bind):
        return bind
    return next(iter(lan_addresses()), "127.0.0.1")


def _unspecified(address: str) -> bool:
    try:
        return ipaddress.ip_address(address).is_unspecified  # 0.0.0.0 or ::
    except ValueError:
        return False  # a host name
