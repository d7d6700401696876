"""Tiny cryptographic helpers, all built on pyca/cryptography.

Every verification failure collapses into one opaque `IntegrityError`, so
nothing about a key or a plaintext leaks through an error message. Contexts
(session, round, sender, recipient) are bound into every seal, tag and
signature so a message cannot be replayed into another round or redirected to
someone else.

Two kinds of protection, for two jobs:
- Ed25519 signatures and HPKE for messages to or about people whose keys are
  not yet agreed (a Hello; the session's identity keys).
- Within a round, pairwise keys: once the roster is known, each pair of
  members derives a shared secret from their X25519 keys (static-static
  Diffie-Hellman, HKDF-SHA256 over both parties' full identities and the
  session id). A round's shares are sealed with ChaCha20-Poly1305 and partial
  sums tagged with HMAC-SHA256 under keys derived from it for exactly one
  (round, sender, recipient) — so each key protects one message, and only the
  two people of the pair can make or read it; the host relaying it cannot.
  This costs microseconds per message where a seal plus a signature and its
  check cost a quarter of a millisecond, which is what lets a round of many
  people finish in a few milliseconds.
"""

from __future__ import annotations

import hashlib
import hmac
import struct
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.hpke import AEAD, KDF, KEM, Suite
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from huddle.core.errors import IntegrityError

PUBLIC_KEY_BYTES = 32
SIGNATURE_BYTES = 64
KEY_BYTES = 32
TAG_BYTES = 16
"""HMAC-SHA256 truncated to 128 bits, as for Poly1305: forging one needs ~2^128 tries."""
AEAD_OVERHEAD = 16
_ZERO_NONCE = bytes(12)  # every AEAD key here seals exactly one message
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


def usable_kem_key(kem_key: bytes) -> bool:
    """True if Diffie-Hellman with this public key gives a real shared secret."""
    try:
        X25519PrivateKey.generate().exchange(X25519PublicKey.from_public_bytes(kem_key))
    except ValueError:
        return False
    return True


def derive(key: bytes, purpose: bytes) -> bytes:
    """A one-purpose key from a pairwise key (HMAC-SHA256 as a PRF)."""
    return hmac.digest(key, purpose, "sha256")


def seal_with(key: bytes, plaintext: bytes, aad: bytes) -> bytes:
    """ChaCha20-Poly1305 under a key that protects this one message only."""
    return ChaCha20Poly1305(key).encrypt(_ZERO_NONCE, plaintext, aad)


def open_with(key: bytes, ciphertext: bytes, aad: bytes) -> bytes:
    try:
        return ChaCha20Poly1305(key).decrypt(_ZERO_NONCE, ciphertext, aad)
    except (InvalidTag, ValueError):
        raise IntegrityError("A share could not be decrypted.") from None


def tag(key: bytes, message: bytes) -> bytes:
    """A message authentication tag only the holders of ``key`` can make."""
    return hmac.digest(key, message, "sha256")[:TAG_BYTES]


def check_tag(key: bytes, mac: bytes, message: bytes) -> None:
    if not hmac.compare_digest(tag(key, message), mac):
        raise IntegrityError("A message did not check out.")


def warm_up() -> None:
    """Use each cipher a round needs once, on throwaway data.

    OpenSSL looks an algorithm up the first time it is used, which costs about
    a millisecond for ChaCha20-Poly1305 alone; doing it while people are still
    joining keeps that out of the round, where every hop waits on it.
    """
    key = derive(bytes(KEY_BYTES), b"warm-up")
    check_tag(key, tag(key, b""), b"")
    open_with(key, seal_with(key, b"", b""), b"")


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
