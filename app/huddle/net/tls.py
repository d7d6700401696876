"""TLS 1.3 for Huddle: a fresh self-signed certificate per hosted session.

There is no certificate authority on a LAN. Joiners instead pin the SHA-256
fingerprint of the host's certificate: from the invite the host shows
(`core.invite`) or the mDNS record when they found the session by discovery,
and in every case through the security code, which hashes the fingerprint each
side saw. The join engine compares the pin (`join_engine.JoinEngine`).
"""

from __future__ import annotations

import datetime
import os
import ssl
import tempfile
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from huddle.core.crypto import fingerprint
from huddle.core.errors import HostMismatchError

_VALIDITY = datetime.timedelta(days=2)


@dataclass(frozen=True, slots=True)
class HostCertificate:
    cert_pem: bytes
    key_pem: bytes
    fingerprint: bytes


def make_certificate(now: datetime.datetime | None = None) -> HostCertificate:
    """A throw-away ECDSA P-256 certificate, valid around ``now``."""
    now = now or datetime.datetime.now(datetime.UTC)
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Huddle session")])
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + _VALIDITY)
        .sign(key, hashes.SHA256())
    )
    return HostCertificate(
        cert_pem=cert.public_bytes(serialization.Encoding.PEM),
        key_pem=key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
        fingerprint=fingerprint(cert.public_bytes(serialization.Encoding.DER)),
    )


def server_context(cert: HostCertificate) -> ssl.SSLContext:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_3
    # The ssl module loads keys only from files: use a private temporary
    # directory and remove it at once.
    with tempfile.TemporaryDirectory(prefix="huddle-") as tmp:
        path = os.path.join(tmp, "host.pem")
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(cert.key_pem + cert.cert_pem)
        ctx.load_cert_chain(path)
    return ctx


def client_context() -> ssl.SSLContext:
    """TLS 1.3 without CA checks: the pin and the security code authenticate."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_3
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


def peer_fingerprint(ssl_object: ssl.SSLObject | ssl.SSLSocket) -> bytes:
    """The SHA-256 fingerprint of the certificate the host presented.

    Raises `HostMismatchError` when it presented none (no Huddle host does that).
    """
    der = ssl_object.getpeercert(binary_form=True)
    if not der:
        raise HostMismatchError("The host did not present a certificate.")
    return fingerprint(der)
