"""Tiny cryptographic helpers, all built on pyca/cryptography and hashlib.

Every verification failure collapses into one opaque `IntegrityError`, so
nothing about a key or a value leaks through an error message. Contexts
(session, round, roster, sender, recipient) are bound into every derived key,
tag and signature, so nothing can be replayed into another round or
redirected to someone else.

Who holds what:
- Each party makes two key pairs per session, never written to disk: Ed25519
  to sign its Hello, and X25519 for key agreement. Both public keys are in the
  roster, and the session security code covers them, so a host that swapped a
  key shows a different code.
- Each pair of members agrees a secret as soon as both are in the roster
  (static-static X25519 Diffie-Hellman, HKDF-SHA256 over the session id and
  both parties' full identities). Only those two can compute it; the host
  relaying everything cannot.
- In a round, HMAC-SHA256 under that secret derives the pair's masks (the
  shares; see `sharing`) and tags each published partial sum for each
  recipient. That costs microseconds per member, where a public-key
  encryption and signature per share cost a quarter of a millisecond: it is
  what lets a round of many people finish in milliseconds.
"""

from __future__ import annotations

import hashlib
import hmac
import struct
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from huddle.core.errors import IntegrityError

PUBLIC_KEY_BYTES = 32
SIGNATURE_BYTES = 64
KEY_BYTES = 32
TAG_BYTES = 16
"""HMAC-SHA256 truncated to 128 bits, as for Poly1305: forging one needs ~2^128 tries."""
_RAW = serialization.Encoding.Raw
_RAW_PUB = serialization.PublicFormat.Raw


@dataclass(frozen=True, slots=True)
class PublicIdentity:
    """What a party publishes: a signing key and a key-agreement key."""

    sign_key: bytes
    kem_key: bytes


class Identity:
    """A party's private keys for one session; never written to disk."""

    def __init__(self) -> None:
        self._sign = Ed25519PrivateKey.generate()
        self._kem = X25519PrivateKey.generate()
        self.public = PublicIdentity(
            sign_key=self._sign.public_key().public_bytes(_RAW, _RAW_PUB),
            kem_key=self._kem.public_key().public_bytes(_RAW, _RAW_PUB),
        )

    def sign(self, message: bytes) -> bytes:
        return self._sign.sign(message)

    def pair_key(self, peer_kem_key: bytes, info: bytes) -> bytes:
        """The secret this party shares with the owner of ``peer_kem_key``.

        ``info`` names both parties and the session (see `context`), so the
        same two keys give unrelated secrets in another session or pairing.
        Raises `IntegrityError` for a key that yields no shared secret (a
        low-order point), which only a hostile peer would offer.
        """
        try:
            secret = self._kem.exchange(X25519PublicKey.from_public_bytes(peer_kem_key))
        except ValueError:
            raise IntegrityError("A key could not be agreed with another participant.") from None
        return HKDF(hashes.SHA256(), KEY_BYTES, salt=None, info=info).derive(secret)

    def __repr__(self) -> str:
        return "Identity(<private>)"


def usable_kem_key(kem_key: bytes) -> bool:
    """True if Diffie-Hellman with this public key gives a real shared secret."""
    try:
        X25519PrivateKey.generate().exchange(X25519PublicKey.from_public_bytes(kem_key))
    except ValueError:
        return False
    return True


def tag(key: bytes, message: bytes) -> bytes:
    """A message authentication tag only the holders of ``key`` can make."""
    return hmac.digest(key, message, "sha256")[:TAG_BYTES]


def verify(sign_key: bytes, signature: bytes, message: bytes) -> None:
    try:
        Ed25519PublicKey.from_public_bytes(sign_key).verify(signature, message)
    except (InvalidSignature, ValueError):
        raise IntegrityError("A signature did not check out.") from None


def context(label: str, *parts: bytes | int) -> bytes:
    """An unambiguous byte string naming what a key, tag or signature is for.

    Each part is length-prefixed (bytes) or a fixed 4-byte integer, so no two
    different part lists produce the same context, and a context is never a
    prefix of another with a different label.
    """
    out = bytearray(b"huddle/v1/" + label.encode() + b"\x00")
    for part in parts:
        if isinstance(part, int):
            out += struct.pack(">I", part)
        else:
            out += struct.pack(">I", len(part)) + part
    return bytes(out)


def fingerprint(data: bytes) -> bytes:
    """SHA-256 of a certificate (DER) or key; what joiners pin."""
    return hashlib.sha256(data).digest()
