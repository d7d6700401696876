"""net/tls.py on loopback, no root: TLS 1.3 both ways, the host's certificate and key file.

tests/net/test_join_checks.py shows the host refuses TLS 1.2; here a joiner
refuses a server that offers only TLS 1.2, the certificate is what the
fingerprint pins, and the private key never lies on disk readable by others.
"""

from __future__ import annotations

import asyncio
import datetime
import hashlib
import os
import ssl
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from huddle.core.errors import HostMismatchError
from huddle.net import tls


async def serve(ctx: ssl.SSLContext) -> tuple[asyncio.Server, int]:
    async def hold(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read(1)
        writer.close()

    server = await asyncio.start_server(hold, "127.0.0.1", 0, ssl=ctx)
    return server, server.sockets[0].getsockname()[1]


async def test_a_joiner_refuses_a_server_that_offers_only_tls_1_2() -> None:
    old = tls.server_context(tls.make_certificate())
    old.minimum_version = old.maximum_version = ssl.TLSVersion.TLSv1_2
    server, port = await serve(old)
    with pytest.raises((ssl.SSLError, ConnectionResetError)):
        await asyncio.open_connection("127.0.0.1", port, ssl=tls.client_context())
    server.close()


async def test_a_joiner_takes_the_self_signed_certificate_and_reads_its_fingerprint() -> None:
    """No CA on a LAN: the joiner accepts any certificate over TLS 1.3 and pins
    (or shows in the code) the SHA-256 of exactly the one it was given."""
    cert = tls.make_certificate()
    server, port = await serve(tls.server_context(cert))
    _, writer = await asyncio.open_connection("127.0.0.1", port, ssl=tls.client_context())
    ssl_object = writer.get_extra_info("ssl_object")
    assert ssl_object.version() == "TLSv1.3"
    assert tls.peer_fingerprint(ssl_object) == cert.fingerprint
    writer.close()
    server.close()


def test_a_peer_without_a_certificate_is_no_host() -> None:
    class NoCertificate:
        def getpeercert(self, binary_form: bool = False) -> bytes | None:
            return None

    with pytest.raises(HostMismatchError, match=r"^The host did not present a certificate\.$"):
        tls.peer_fingerprint(NoCertificate())  # type: ignore[arg-type]


def test_the_certificate_is_a_fresh_self_signed_p256_one_valid_around_now() -> None:
    now = datetime.datetime(2026, 3, 1, 12, 0, tzinfo=datetime.UTC)
    made = tls.make_certificate(now)
    cert = x509.load_pem_x509_certificate(made.cert_pem)
    der = cert.public_bytes(serialization.Encoding.DER)
    assert made.fingerprint == hashlib.sha256(der).digest()
    name = [a.value for a in cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)]
    assert name == ["Huddle session"] and cert.issuer == cert.subject
    key = serialization.load_pem_private_key(made.key_pem, password=None)
    assert isinstance(key, ec.EllipticCurvePrivateKey) and key.curve.name == "secp256r1"
    assert key.public_key() == cert.public_key()
    assert isinstance(cert.signature_hash_algorithm, hashes.SHA256)
    cert.verify_directly_issued_by(cert)  # self-signed, by the key in key_pem
    # Clocks on a LAN disagree a little; the certificate lives two days.
    assert cert.not_valid_before_utc == now - datetime.timedelta(hours=1)
    assert cert.not_valid_after_utc == now + datetime.timedelta(days=2)
    other = tls.make_certificate(now)
    assert other.fingerprint != made.fingerprint and other.key_pem != made.key_pem
    fresh = x509.load_pem_x509_certificate(tls.make_certificate().cert_pem)
    assert fresh.not_valid_before_utc < datetime.datetime.now(datetime.UTC)
    assert fresh.not_valid_after_utc > datetime.datetime.now(datetime.UTC)


def test_the_private_key_file_is_the_owners_alone_and_gone_at_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The ssl module reads keys only from files: the host writes one, created
    exclusively with mode 0600 in a private temporary directory, and removes it."""
    opened: list[tuple[str, int, int]] = []
    real_open = os.open

    def spy(path: str, flags: int, mode: int = 0o777, **kwargs: int) -> int:
        if str(path).endswith(".pem"):
            opened.append((str(path), flags, mode))
        return real_open(path, flags, mode, **kwargs)

    monkeypatch.setattr(os, "open", spy)
    cert = tls.make_certificate()
    tls.server_context(cert)
    ((path, flags, mode),) = opened
    assert mode == 0o600
    assert flags & os.O_EXCL and flags & os.O_CREAT and flags & os.O_WRONLY
    assert not Path(path).exists() and not Path(path).parent.exists()
    assert Path(path).parent.name.startswith("huddle-")


def test_both_sides_insist_on_tls_1_3() -> None:
    cert = tls.make_certificate()
    for ctx in (tls.server_context(cert), tls.client_context()):
        assert ctx.minimum_version is ssl.TLSVersion.TLSv1_3
    client = tls.client_context()
    assert client.verify_mode is ssl.CERT_NONE and not client.check_hostname
