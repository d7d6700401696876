"""The local privacy ledger: how much ε this person has spent, per tag.

Each noisy release a person contributes to costs them ε. Releases about the same
subject (the question's tag, e.g. "salary") compose sequentially, so the app
shows the sum of ε already spent on that tag before someone joins another one.

The ledger lives only on the person's own machine. This model is pure (the
timestamp is passed in, no clock is read); `huddle.storage.LedgerStore` keeps
it in a file, since the core touches no files. A corrupt file never raises: it
parses as an empty ledger flagged `corrupt`, so the UI can say that the
history was lost instead of silently showing "nothing spent yet".
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

FORMAT_VERSION = 1
_FIELDS = ("title", "tag", "kind", "epsilon", "timestamp")


def tag_key(tag: str) -> str:
    """The form under which tags are compared: "Salary " and "salary" are one tag."""
    return " ".join(tag.split()).casefold()


@dataclass(frozen=True, slots=True, kw_only=True)
class LedgerEntry:
    """One noisy release this person contributed to.

    `kind` names the release ("histogram", "average", …); `timestamp` is an
    ISO 8601 string supplied by the caller.
    """

    title: str
    tag: str
    kind: str
    epsilon: float
    timestamp: str

    def __post_init__(self) -> None:
        if not all(isinstance(getattr(self, f), str) for f in _FIELDS if f != "epsilon"):
            raise ValueError("ledger entry text fields must be strings")
        eps = self.epsilon
        if isinstance(eps, bool) or not isinstance(eps, int | float):
            raise ValueError("ledger entry epsilon must be a number")
        if not math.isfinite(eps) or eps <= 0:
            raise ValueError("ledger entry epsilon must be positive and finite")

    def to_dict(self) -> dict[str, Any]:
        return {f: getattr(self, f) for f in _FIELDS}

    @classmethod
    def from_dict(cls, data: Any) -> LedgerEntry:
        """Raise ValueError unless `data` is exactly one well-formed entry."""
        if not isinstance(data, dict) or set(data) != set(_FIELDS):
            raise ValueError("not a ledger entry")
        return cls(**{f: data[f] for f in _FIELDS})


@dataclass(frozen=True, slots=True)
class Ledger:
    """An immutable list of entries; `corrupt` says the stored file was unreadable."""

    entries: tuple[LedgerEntry, ...] = ()
    corrupt: bool = False

    def spent(self, tag: str) -> float:
        """Total ε spent on `tag` (sequential composition: ε1 + ε2 + …)."""
        key = tag_key(tag)
        return math.fsum(e.epsilon for e in self.entries if tag_key(e.tag) == key)

    def with_entry(self, entry: LedgerEntry) -> Ledger:
        """A new ledger with `entry` appended (and the corrupt flag cleared)."""
        return Ledger(entries=(*self.entries, entry))

    def to_json(self) -> str:
        entries = [e.to_dict() for e in self.entries]
        return json.dumps({"version": FORMAT_VERSION, "entries": entries}, indent=1)

    @classmethod
    def from_json(cls, text: str | bytes) -> Ledger:
        """Parse a stored ledger; anything malformed gives an empty, corrupt ledger.

        All-or-nothing on purpose: a half-read history would understate the ε
        already spent, which is worse than saying plainly that it was lost.
        """
        try:
            data = json.loads(text)
            if not isinstance(data, dict) or data.get("version") != FORMAT_VERSION:
                raise ValueError("unknown ledger format")
            raw = data["entries"]
            if not isinstance(raw, list):
                raise ValueError("entries is not a list")
            return cls(entries=tuple(LedgerEntry.from_dict(item) for item in raw))
        except (ValueError, KeyError, TypeError, RecursionError):
            # json.JSONDecodeError and UnicodeDecodeError are ValueErrors.
            return cls(corrupt=True)
