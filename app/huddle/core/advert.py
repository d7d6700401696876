"""What a host tells the LAN about its session: the DNS-SD TXT record.

Pure functions, no I/O. `encode_txt` never fails on our own data: it cleans and
shortens the title and host name so every TXT string fits DNS-SD's 255-byte
limit. `decode_txt` reads data from anyone on the network, so it is strict and
lets nothing but `RemoteProtocolError` escape (the fuzz tests check this). A
decoded advert is only a hint: joiners still pin `fingerprint` during the TLS
handshake, so a lying record cannot get anyone connected to the wrong machine.

TXT keys (RFC 6763 §6: short ``key=value`` strings, unknown keys ignored):

    v       protocol version, decimal          id      session id, 32 hex digits
    title   session title, UTF-8               host    host's display name, UTF-8
    state   "open" or "started"                joined  people admitted, decimal
    fp      SHA-256 of the host's TLS certificate (DER), 64 hex digits
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal, NoReturn, get_args

from huddle.core.codec import PROTOCOL_VERSION
from huddle.core.errors import LocalProtocolError, RemoteProtocolError

SERVICE_TYPE = "_huddle._tcp.local."
SUPPORTED_VERSIONS = frozenset({PROTOCOL_VERSION})

SessionState = Literal["open", "started"]
STATES: frozenset[str] = frozenset(get_args(SessionState))

SESSION_ID_BYTES = 16
FINGERPRINT_BYTES = 32
MAX_TITLE_BYTES = 160
MAX_HOST_NAME_BYTES = 96
MAX_JOINED = 65_535
MAX_INSTANCE_BYTES = 56
"""Leaves room in the 63-byte DNS label for the "-2", "-3"... zeroconf appends on conflicts."""

DEFAULT_INSTANCE = "Huddle session"
_ELLIPSIS = "…"
# Characters that could reorder or hide text on a colleague's screen (Trojan
# Source style), besides the control characters caught by category.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_BANNED_CATEGORIES = frozenset({"Cc", "Cs", "Zl", "Zp"})
_INSTANCE_PUNCTUATION = frozenset(" -_'()!?,&+@#")
_DECIMAL = re.compile(rb"0|[1-9][0-9]{0,5}")
_HEX = re.compile(rb"[0-9a-f]*")


@dataclass(frozen=True, slots=True)
class Advert:
    """A hosted session as announced on the LAN."""

    protocol_version: int
    session_id: bytes
    title: str
    host_name: str
    state: SessionState
    joined: int
    fingerprint: bytes

    def __post_init__(self) -> None:
        if len(self.session_id) != SESSION_ID_BYTES:
            raise LocalProtocolError("A session id is 16 bytes.")
        if len(self.fingerprint) != FINGERPRINT_BYTES:
            raise LocalProtocolError("A certificate fingerprint is a 32-byte SHA-256 digest.")
        if self.state not in STATES:
            raise LocalProtocolError(f"Unknown session state {self.state!r}.")
        if not 0 <= self.joined <= MAX_JOINED:
            raise LocalProtocolError(f"Joined count {self.joined} is out of range.")
        if self.protocol_version < 0:
            raise LocalProtocolError("A protocol version is not negative.")


def clean_text(text: str, max_bytes: int) -> str:
    """Make `text` safe to announce: no control characters, at most `max_bytes` of UTF-8.

    Runs of whitespace become one space; a cut is marked with an ellipsis and never
    splits a character.
    """
    text = unicodedata.normalize("NFC", text)
    kept = "".join(" " if _is_banned(ch) else ch for ch in text)
    return _truncate(" ".join(kept.split()), max_bytes, _ELLIPSIS)


def encode_txt(advert: Advert) -> dict[str, bytes]:
    """The TXT properties announcing `advert`; every ``key=value`` is under 255 bytes."""
    return {
        "v": str(advert.protocol_version).encode("ascii"),
        "id": advert.session_id.hex().encode("ascii"),
        "title": clean_text(advert.title, MAX_TITLE_BYTES).encode("utf-8"),
        "host": clean_text(advert.host_name, MAX_HOST_NAME_BYTES).encode("utf-8"),
        "state": advert.state.encode("ascii"),
        "joined": str(advert.joined).encode("ascii"),
        "fp": advert.fingerprint.hex().encode("ascii"),
    }


def decode_txt(properties: Mapping[bytes, bytes | None]) -> Advert:
    """Read an advert from TXT properties; `RemoteProtocolError` if anything is off."""
    if not isinstance(properties, Mapping):
        _reject("it carries no properties")
    version = _decimal(properties, b"v", "protocol version")
    if version not in SUPPORTED_VERSIONS:
        raise RemoteProtocolError(
            f"A session on the network uses Huddle protocol {version}; this app speaks "
            f"{', '.join(map(str, sorted(SUPPORTED_VERSIONS)))}. Both need the same version."
        )
    state = _value(properties, b"state", "state", 16)
    if state not in (b"open", b"started"):
        _reject("its state is unknown")
    joined = _decimal(properties, b"joined", "joined count")
    if joined > MAX_JOINED:
        _reject("its joined count is out of range")
    return Advert(
        protocol_version=version,
        session_id=_hex(properties, b"id", "session id", SESSION_ID_BYTES),
        title=_text(properties, b"title", "title", MAX_TITLE_BYTES),
        host_name=_text(properties, b"host", "host name", MAX_HOST_NAME_BYTES),
        state="open" if state == b"open" else "started",
        joined=joined,
        fingerprint=_hex(properties, b"fp", "certificate fingerprint", FINGERPRINT_BYTES),
    )


def instance_name(title: str) -> str:
    """A DNS-SD instance label for a session titled `title`.

    Letters and digits of any script, spaces and a little punctuation survive; dots
    (label separators), backslashes, symbols and control characters become spaces.
    At most `MAX_INSTANCE_BYTES` of UTF-8, never empty.
    """
    text = unicodedata.normalize("NFC", title)
    kept = "".join(ch if _instance_safe(ch) else " " for ch in text)
    name = _truncate(" ".join(kept.split()), MAX_INSTANCE_BYTES, "").strip()
    return name or DEFAULT_INSTANCE


# --- helpers ----------------------------------------------------------------


def _is_banned(ch: str) -> bool:
    return ch in _BIDI_CONTROLS or unicodedata.category(ch) in _BANNED_CATEGORIES


def _instance_safe(ch: str) -> bool:
    return ch in _INSTANCE_PUNCTUATION or unicodedata.category(ch)[0] in "LMN"


def _truncate(text: str, max_bytes: int, marker: str) -> str:
    raw = text.encode("utf-8")
    if len(raw) <= max_bytes:
        return text
    room = max_bytes - len(marker.encode("utf-8"))
    # Cutting UTF-8 at a byte offset leaves at most one partial character at the
    # end; "ignore" drops exactly that.
    return raw[:room].decode("utf-8", errors="ignore").rstrip() + marker


def _reject(why: str) -> NoReturn:
    raise RemoteProtocolError(f"A session announcement on the network is invalid: {why}.")


def _value(properties: Mapping[bytes, bytes | None], key: bytes, what: str, limit: int) -> bytes:
    value = properties.get(key)
    if not isinstance(value, bytes):
        _reject(f"it has no {what}")
    if len(value) > limit:
        _reject(f"its {what} is too long")
    return value


def _decimal(properties: Mapping[bytes, bytes | None], key: bytes, what: str) -> int:
    value = _value(properties, key, what, 6)
    if not _DECIMAL.fullmatch(value):
        _reject(f"its {what} is not a number")
    return int(value)


def _hex(properties: Mapping[bytes, bytes | None], key: bytes, what: str, size: int) -> bytes:
    value = _value(properties, key, what, 2 * size)
    if len(value) != 2 * size or not _HEX.fullmatch(value):
        _reject(f"its {what} is not {2 * size} lowercase hex digits")
    return bytes.fromhex(value.decode("ascii"))


def _text(properties: Mapping[bytes, bytes | None], key: bytes, what: str, limit: int) -> str:
    value = _value(properties, key, what, limit)
    try:
        text = value.decode("utf-8")
    except UnicodeDecodeError:
        _reject(f"its {what} is not UTF-8 text")
    if any(_is_banned(ch) for ch in text):
        _reject(f"its {what} contains control characters")
    return text
