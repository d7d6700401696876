"""Invites: where a session listens, and which certificate it must show.

An invite is ``ADDRESS:PORT#FINGERPRINT`` (an IPv6 address in brackets), as the
host prints it: ``huddle join 192.168.1.20:7300#3f7k…``. Joining with it, the
TLS handshake itself refuses any certificate but the host's, so a machine that
intercepts the connection is caught before anything is sent. A bare
``ADDRESS:PORT`` still works; then only the security code, compared aloud,
shows that the other end is the host.

The fingerprint (SHA-256 of the host's certificate) is written in RFC 4648
base32, lower case, without padding: 52 characters. Why not hex or base64:

- base32 is 52 characters where hex needs 64;
- it has one case, so a chat app or phone that capitalises it changes nothing,
  where base64 would then name another certificate;
- its alphabet (a–z, 2–7) has no 0, 1, 8 or 9, so the usual misreadings of
  o, l and b are mapped back instead of refused;
- it needs no quoting in a shell and survives being pasted into a URL or chat,
  unlike base64's ``+``, ``/`` and ``=``.

Invites are copied, not retyped; a copy cut short is caught by the exact length.

Everything here is pure: text in, `Invite` or `InviteError` out.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
from dataclasses import dataclass

from huddle.core.errors import InputError

FINGERPRINT_BYTES = 32
FINGERPRINT_CHARS = 52
"""base32 of 32 bytes without its ``====`` padding."""
COMMAND = "huddle join"
_MISREAD = str.maketrans({"0": "o", "1": "l", "8": "b"})
_ALPHABET = frozenset("abcdefghijklmnopqrstuvwxyz234567")


class InviteError(InputError):
    """What someone typed or pasted is not an address or an invite.

    ``part`` says which half is wrong: ``"address"`` or ``"fingerprint"``, so a
    front end can word the address case its own way.
    """

    def __init__(self, message: str, part: str = "fingerprint") -> None:
        super().__init__(message)
        self.part = part


@dataclass(frozen=True, slots=True)
class Invite:
    """A session's address, and the certificate it must show when pinned."""

    host: str
    port: int
    fingerprint: bytes | None = None

    @property
    def endpoint(self) -> str:
        """``ADDRESS:PORT``, an IPv6 address in brackets."""
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"

    def __str__(self) -> str:
        if self.fingerprint is None:
            return self.endpoint
        return f"{self.endpoint}#{encode_fingerprint(self.fingerprint)}"

    def command(self) -> str:
        """The line a colleague runs in a terminal (the desktop app takes it too)."""
        return f"{COMMAND} {self}"


def encode_fingerprint(fingerprint: bytes) -> str:
    """The 52-character form of a SHA-256 certificate fingerprint."""
    if len(fingerprint) != FINGERPRINT_BYTES:
        raise ValueError("a certificate fingerprint is a 32-byte SHA-256 digest")
    return base64.b32encode(fingerprint).decode("ascii").rstrip("=").lower()


def decode_fingerprint(text: str) -> bytes:
    """The fingerprint an invite carries after ``#``; `InviteError` if it is not one.

    Case, spaces and dashes do not matter; 0, 1 and 8 are read as o, l and b.
    """
    cleaned = "".join(text.split()).replace("-", "").lower().translate(_MISREAD)
    if not cleaned:
        raise InviteError(_fingerprint_problem("nothing follows the #"))
    if strange := sorted(set(cleaned) - _ALPHABET):
        shown = " ".join(strange[:3])
        raise InviteError(_fingerprint_problem(f"it has characters an invite never has ({shown})"))
    if len(cleaned) != FINGERPRINT_CHARS:
        raise InviteError(
            _fingerprint_problem(
                f"its fingerprint has {len(cleaned)} characters instead of {FINGERPRINT_CHARS}"
            )
        )
    try:
        fingerprint = base64.b32decode(cleaned.upper() + "====")
    except binascii.Error:  # cannot happen after the checks above; never a traceback
        raise InviteError(_fingerprint_problem("its fingerprint cannot be read")) from None
    if encode_fingerprint(fingerprint) != cleaned:  # the last character carries one bit only
        raise InviteError(_fingerprint_problem("its last character is wrong"))
    return fingerprint


def parse_invite(text: str) -> Invite:
    """``ADDRESS:PORT`` or ``ADDRESS:PORT#FINGERPRINT``, as typed or pasted.

    A leading ``huddle join`` is ignored, so the host's whole line can be pasted
    anywhere an invite is asked for. Raises `InviteError` with a sentence for
    people; host names and IPv4 addresses are left to the network to resolve.
    """
    words = text.split()
    if [w.lower() for w in words[:2]] == COMMAND.split():
        words = words[2:]
    joined = " ".join(words)
    address, sep, code = joined.partition("#")
    host, port = _split_address(address.strip(), joined)
    return Invite(host, port, decode_fingerprint(code) if sep else None)


def _split_address(address: str, typed: str) -> tuple[str, int]:
    host, sep, port = address.rpartition(":")
    host = host.strip().removeprefix("[").removesuffix("]")
    digits = port.isascii() and port.isdigit()
    if not sep or not host or " " in host or not digits or not 0 < int(port) < 65536:
        raise InviteError(
            f"“{typed}” is not ADDRESS:PORT or an invite from the host, "
            "e.g. 192.168.1.20:7300 or 192.168.1.20:7300#… as the host's screen shows it.",
            "address",
        )
    if ":" in host:  # an IPv6 address must parse; names and IPv4 are left to the network
        try:
            ipaddress.IPv6Address(host.split("%", 1)[0])
        except ValueError:
            raise InviteError(f"“{host}” is not a valid IPv6 address.", "address") from None
    return host, int(port)


def _fingerprint_problem(what: str) -> str:
    return (
        f"This invite is damaged or cut short: {what}. Copy the whole invite from the host again."
    )
