"""Preparing a member's next partial sum while its event loop has nothing else to do."""

from __future__ import annotations

import asyncio

from huddle.core.participant import ParticipantSession


class Preparer:
    """Calls `ParticipantSession.prepare` soon after the session starts wanting it.

    "Soon" is after whatever else is ready to run, so several lobby updates
    read at once cost one preparation, not one each; and before any Start that
    arrives later, so the round finds its partial sum ready.
    """

    def __init__(self) -> None:
        self._pending = False

    def check(self, session: ParticipantSession | None) -> None:
        """To be called after every batch of outputs the session produced."""
        if session is not None and not self._pending and session.wants_preparation:
            self._pending = True
            asyncio.get_running_loop().call_soon(self._prepare, session)

    def _prepare(self, session: ParticipantSession) -> None:
        self._pending = False
        session.prepare()
