"""What Huddle keeps on this computer: the privacy ledger's file, and who is at the keyboard.

Everything that reads the file system or the OS account lives here, outside
the pure `core` (whose `ledger` only models the entries). Both front ends use
it, so the desktop app and the command line share one ledger file.

The data folder is the one Qt's ``QStandardPaths.AppDataLocation`` gives for
organization "Huddle" and application "Huddle", computed here without
importing Qt, so the command line needs no Qt (tests/cli checks both agree):

- Linux and other Unix: ``$XDG_DATA_HOME/Huddle/Huddle`` if that variable holds
  an absolute path, else ``~/.local/share/Huddle/Huddle``
- macOS: ``~/Library/Application Support/Huddle/Huddle``
- Windows: ``%APPDATA%\\Huddle\\Huddle``

``HUDDLE_DATA_DIR`` overrides the folder (tests, portable installs). The
ledger is ``ledger.json`` in it.
"""

from __future__ import annotations

import contextlib
import getpass
import os
import sys
import tempfile
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path

from huddle.core.ledger import Ledger, LedgerEntry
from huddle.core.questions import Question

__all__ = [
    "DATA_DIR_ENV",
    "LEDGER_FILE",
    "Ledger",
    "LedgerEntry",
    "LedgerStore",
    "data_dir",
    "default_display_name",
    "ledger_path",
    "record_spending",
]

DATA_DIR_ENV = "HUDDLE_DATA_DIR"
LEDGER_FILE = "ledger.json"
_APP_PATH = ("Huddle", "Huddle")  # organization, application


def data_dir(
    env: Mapping[str, str] | None = None, platform: str | None = None, home: Path | None = None
) -> Path:
    """The app's data folder (see the module docstring)."""
    env = os.environ if env is None else env
    platform = sys.platform if platform is None else platform
    if env.get(DATA_DIR_ENV):
        return Path(env[DATA_DIR_ENV])
    home = Path.home() if home is None else home
    if platform == "win32":
        base = Path(env["APPDATA"]) if env.get("APPDATA") else home / "AppData" / "Roaming"
    elif platform == "darwin":
        base = home / "Library" / "Application Support"
    else:
        xdg = env.get("XDG_DATA_HOME", "")
        base = Path(xdg) if os.path.isabs(xdg) else home / ".local" / "share"
    return base.joinpath(*_APP_PATH)


def ledger_path() -> Path:
    """Where this person's privacy ledger lives, for both front ends."""
    return data_dir() / LEDGER_FILE


class LedgerStore:
    """The ledger file at `path` (default: `ledger_path()`).

    Saves are atomic: a temporary file in the same folder is written, flushed
    to disk and renamed over the old one, so a crash leaves either the old or
    the new ledger, never half of one. A corrupt file is kept aside as
    `<name>.corrupt` before it is overwritten. Concurrent writers (two app
    instances) are not coordinated: the last save wins.
    """

    def __init__(self, path: Path | None = None) -> None:
        self.path = ledger_path() if path is None else path

    @property
    def corrupt_copy(self) -> Path:
        return self.path.with_name(self.path.name + ".corrupt")

    def load(self) -> Ledger:
        """The stored ledger; empty if there is none yet, flagged if unreadable."""
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return Ledger()
        except OSError:
            return Ledger(corrupt=True)
        return Ledger.from_json(data)

    def append(self, entry: LedgerEntry) -> Ledger:
        """Record `entry`, save, and return the new ledger. OSError if saving fails."""
        current = self.load()
        if current.corrupt and self.path.exists():
            os.replace(self.path, self.corrupt_copy)
        updated = current.with_entry(entry)
        self.save(updated)
        return updated

    def save(self, ledger: Ledger) -> None:
        """Write `ledger` atomically (temp file + fsync + os.replace)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(
            prefix=f".{self.path.name}.", suffix=".tmp", dir=self.path.parent
        )
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(ledger.to_json())
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise


def record_spending(
    store: LedgerStore, question: Question, epsilon: float, now: datetime
) -> Ledger:
    """Append one noisy release of `question` costing `epsilon` at `now`; the new ledger.

    OSError if the file cannot be written: each front end words that itself.
    """
    entry = LedgerEntry(
        title=question.title,
        tag=question.tag,
        kind=question.kind,
        epsilon=epsilon,
        timestamp=now.isoformat(timespec="seconds"),
    )
    return store.append(entry)


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
