"""Who the person at the keyboard is, by default."""

from __future__ import annotations

import getpass
import os


def default_display_name() -> str:
    """The OS user's full name (GECOS field), else their login name."""
    try:
        import pwd

        full = pwd.getpwuid(os.getuid()).pw_gecos.split(",")[0].strip()
        if full:
            return full
    except (ImportError, KeyError, OSError):
        pass
    try:
        return getpass.getuser()
    except OSError:
        return "Colleague"
