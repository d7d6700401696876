"""Tiny cryptographic helpers, all built on pyca/cryptography.

Every verification failure collapses into one opaque `IntegrityError`, so
nothing about a key or a plaintext leaks through an error message. Contexts
(session, round, sender, recipient) are bound into every seal and signature so
a message cannot be replayed into another round or redirected to someone else.
"""

from __future__ import annotations

import hashlib
import struct
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.hpke import AEAD, KDF, KEM, Suite

from huddle.core.errors import IntegrityError

PUBLIC_KEY_BYTES = 32
SIGNATURE_BYTES = 64
_SUITE = Suite(KEM.X25519, KDF.HKDF_SHA256, AEAD.CHACHA20_POLY1305)
_RAW = serialization.Encoding.Raw
_RAW_PUB = serialization.PublicFormat.Raw


@dataclass(frozen=True, slots=True)
class PublicIdentity:
    """What a party publishes: a signing key and a key to encrypt shares to."""

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

    def open(self, ciphertext: bytes, info: bytes) -> bytes:
        try:
            return _SUITE.decrypt(ciphertext, self._kem, info=info)
        except (InvalidTag, ValueError):
            raise IntegrityError("A share could not be decrypted.") from None

    def __repr__(self) -> str:
        return "Identity(<private>)"


def seal(recipient_kem_key: bytes, plaintext: bytes, info: bytes) -> bytes:
    """HPKE base-mode seal (RFC 9180, X25519/HKDF-SHA256/ChaCha20-Poly1305)."""
    public = X25519PublicKey.from_public_bytes(recipient_kem_key)
    return _SUITE.encrypt(plaintext, public, info=info)


def verify(sign_key: bytes, signature: bytes, message: bytes) -> None:
    try:
        Ed25519PublicKey.from_public_bytes(sign_key).verify(signature, message)
    except (InvalidSignature, ValueError):
        raise IntegrityError("A signature did not check out.") from None


def context(label: str, *parts: bytes | int) -> bytes:
    """An unambiguous byte string naming what a seal or signature is for.

    Each part is length-prefixed (bytes) or a fixed 4-byte integer, so no two
    different part lists produce the same context.
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
