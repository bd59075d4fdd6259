"""HTTPS delivery: the connection goes to the checked address, but the
certificate is verified against the endpoint's host name (SNI included)."""

from __future__ import annotations

import datetime as dt
import socket
import ssl
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from brands.models import Brand
from tests.factories.webhooks import Receiver, start_receiver
from webhooks import transport
from webhooks.outbox import webhook_deliver, webhook_enqueue
from webhooks.services import webhook_endpoint_create

pytestmark = pytest.mark.django_db

HOST = "hooks.example.test"
CONSENT = {"consent_id": "c-1", "client_id": "lumen-app"}
REAL_GETADDRINFO = socket.getaddrinfo


def _certificate(
    subject: str, key: ec.EllipticCurvePrivateKey, issuer: x509.Name | None = None,
    issuer_key: ec.EllipticCurvePrivateKey | None = None, *, ca: bool = False,
) -> x509.Certificate:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)])
    now = dt.datetime.now(dt.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(issuer or name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if not ca:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.DNSName(subject)]), critical=False
        )
    return builder.sign(issuer_key or key, hashes.SHA256())


@pytest.fixture
def tls_receiver(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Receiver]:
    """An https server on 127.0.0.1 with a certificate for HOST from a test CA,
    and a resolver sending HOST there."""
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = _certificate("Sillage test CA", ca_key, ca=True)
    leaf_key = ec.generate_private_key(ec.SECP256R1())
    leaf = _certificate(HOST, leaf_key, ca.subject, ca_key)
    (tmp_path / "leaf.pem").write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "leaf.key").write_bytes(
        leaf_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    server_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_context.load_cert_chain(tmp_path / "leaf.pem", tmp_path / "leaf.key")
    receiver = start_receiver(tls=server_context)

    trusting = ssl.create_default_context(
        cadata=ca.public_bytes(serialization.Encoding.PEM).decode()
    )
    monkeypatch.setattr(transport, "_tls_context", lambda: trusting)

    def getaddrinfo(host: str, port: object, *args: object, **kwargs: object) -> list:
        if host in (HOST, "other.example.test"):
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]
        return REAL_GETADDRINFO(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    try:
        yield receiver
    finally:
        receiver.stop()


def test_https_delivery_verifies_the_certificate_of_the_host_name(
    brand: Brand, tls_receiver: Receiver
) -> None:
    port, seen = tls_receiver.port, tls_receiver.requests
    webhook_endpoint_create(
        brand=brand, url=f"https://{HOST}:{port}/hook", event_types=["data.erased"]
    )
    (message,) = webhook_enqueue(brand=brand, event_type="data.erased", payload=CONSENT)

    attempt = webhook_deliver(message_id=message.pk)

    assert attempt is not None
    assert (attempt.status_code, attempt.succeeded) == (200, True)
    assert [received.headers["host"] for received in seen] == [f"{HOST}:{port}"]


def test_https_delivery_refuses_a_certificate_for_another_name(
    brand: Brand, tls_receiver: Receiver
) -> None:
    port, seen = tls_receiver.port, tls_receiver.requests
    webhook_endpoint_create(
        brand=brand, url=f"https://other.example.test:{port}/hook", event_types=["data.erased"]
    )
    (message,) = webhook_enqueue(brand=brand, event_type="data.erased", payload=CONSENT)

    attempt = webhook_deliver(message_id=message.pk)

    assert attempt is not None
    assert (attempt.status_code, attempt.succeeded, attempt.error) == (None, False, "tls_error")
    assert seen == []
