"""Certificates for running MPyC's parties over TLS (its ``--ssl`` option), for compare_mpyc.py.

Huddle's rounds always run over TLS 1.3, so a like-for-like comparison runs
MPyC over TLS too. MPyC looks for ``.config/mpyc_ca.crt`` and
``.config/party_{pid}.crt``/``.key`` in its working directory and checks each
peer's certificate against the host name ``MPyC party {pid}``; this writes a
throwaway CA and one certificate per party into a directory the benchmark then
runs the parties in. Nothing here is used by the app.
"""

from __future__ import annotations

import datetime
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID


def write_mpyc_certificates(directory: Path, parties: int) -> None:
    """Fill ``directory/.config`` with a CA and certificates for parties 0..parties-1."""
    config = directory / ".config"
    config.mkdir(parents=True, exist_ok=True)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "MPyC benchmark CA")])
    ca = (
        _builder(ca_name, ca_name, ca_key.public_key())
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    (config / "mpyc_ca.crt").write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    for pid in range(parties):
        key = ec.generate_private_key(ec.SECP256R1())
        name = f"MPyC party {pid}"
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
        cert = (
            _builder(subject, ca_name, key.public_key())
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
            .sign(ca_key, hashes.SHA256())
        )
        (config / f"party_{pid}.crt").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        (config / f"party_{pid}.key").write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )


def _builder(
    subject: x509.Name, issuer: x509.Name, public_key: ec.EllipticCurvePublicKey
) -> x509.CertificateBuilder:
    now = datetime.datetime.now(datetime.UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
    )
