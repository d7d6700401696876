"""The lobby's security-code exchange over real TLS: a member that stays silent in it
is removed after `Timeouts.code`, so one modified app cannot stall everyone."""

from __future__ import annotations

from huddle.core.codec import FrameDecoder, encode
from huddle.core.events import RosterChanged, SessionEnded
from huddle.core.messages import Commit, Hello
from huddle.core.questions import Question

from .engines import FAST, auto_admit_host, joiner

QUESTION = Question(title="Lunch", hi="100")


async def test_a_member_that_never_commits_is_removed_and_the_others_get_their_code() -> None:
    """A modified app that stays silent in the security-code exchange cannot stall the
    lobby: after `Timeouts.code` the host removes it and the others' code is ready."""
    host, host_events = await auto_admit_host(QUESTION, contributes=False, timeouts=FAST)
    real_receive = host.session.receive_data
    decoders: dict[int, FrameDecoder] = {}
    mute: set[int] = set()

    def silence_mo(conn: int, data: bytes) -> list:  # type: ignore[type-arg]
        # Mo's app never sends its commitment: drop it as if it was never written.
        kept = b""
        for msg in decoders.setdefault(conn, FrameDecoder()).feed(data):
            if isinstance(msg, Hello) and msg.name == "Mo":
                mute.add(conn)
            if not (conn in mute and isinstance(msg, Commit)):
                kept += encode(msg)
        return real_receive(conn, kept) if kept else []

    host.session.receive_data = silence_mo  # type: ignore[method-assign]
    parties = [joiner(host.port, name, timeouts=FAST) for name in ("Ann", "Ben", "Cat", "Mo")]
    late = await host_events.wait_for(
        RosterChanged,
        test=lambda e: e.code and e.note == "Mo left",  # type: ignore[attr-defined]
    )
    assert sorted(late.names) == ["Ann", "Ben", "Cat"]  # type: ignore[attr-defined]
    mo_saw = await parties[3][1].wait_for(SessionEnded)
    assert mo_saw.reason  # type: ignore[attr-defined]
    await host.close()
