"""How a command ends: its exit status, and the one-line reason it gives.

Its own module so that every command can raise `CommandError` without importing
another command (`commands` runs `sessions.resolve` for `join --session`).
"""

from __future__ import annotations

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
"""A result; a session that ended without one; bad settings or input."""


class CommandError(Exception):
    """Ends the command with a one-line reason and an exit status."""

    def __init__(self, reason: str, status: int = EXIT_FAILED) -> None:
        super().__init__(reason)
        self.status = status
