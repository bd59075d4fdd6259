"""Standard Webhooks 1.0 signatures, and endpoint secrets sealed at rest."""

from __future__ import annotations

import base64
import os
import re

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from brands.models import Brand
from tests.dumps import database_bytes
from tests.factories.webhooks import reference_signature
from webhooks.errors import SecretUnavailable
from webhooks.models import WebhookEndpoint
from webhooks.secrets import signing_secrets as signing_secrets
from webhooks.services import webhook_endpoint_create, webhook_endpoint_rotate_secret
from webhooks.signing import webhook_headers, webhook_signature

pytestmark = pytest.mark.django_db


def test_signature_matches_the_published_test_vector() -> None:
    # The example of the Standard Webhooks specification.
    signature = webhook_signature(
        secret="whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        message_id="msg_p5jXN8AQM9LWM0D4loKWxJek",
        timestamp=1614265330,
        body='{"test": 2432232314}',
    )

    assert signature == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def test_signature_matches_the_reference_construction_for_a_generated_secret(brand: Brand) -> None:
    _, secret = webhook_endpoint_create(
        brand=brand, url="https://hooks.example.com/sillage", event_types=["consent.revoked"]
    )
    body = b'{"data":{"client_id":"abc","consent_id":"42"},"type":"consent.revoked"}'

    headers = webhook_headers(secrets_=[secret], message_id="msg_1", timestamp=1700000000, body=body)

    assert headers == {
        "webhook-id": "msg_1",
        "webhook-timestamp": "1700000000",
        "webhook-signature": reference_signature(secret=secret, message_id="msg_1",
                                                 timestamp="1700000000", body=body),
    }


def test_secret_is_whsec_base64_of_32_random_bytes(brand: Brand) -> None:
    secrets = {
        webhook_endpoint_create(
            brand=brand, url=f"https://hooks.example.com/{n}", event_types=["data.erased"]
        )[1]
        for n in range(3)
    }

    assert len(secrets) == 3
    for secret in secrets:
        assert re.fullmatch(r"whsec_[A-Za-z0-9+/]+={0,2}", secret)
        assert len(base64.b64decode(secret.removeprefix("whsec_"))) == 32


def test_secret_is_stored_sealed_never_in_clear(brand: Brand) -> None:
    endpoint, secret = webhook_endpoint_create(
        brand=brand, url="https://hooks.example.com/sillage", event_types=["consent.revoked"]
    )
    raw_key = base64.b64decode(secret.removeprefix("whsec_"))

    dump = database_bytes()

    assert secret.encode() not in dump
    assert secret.removeprefix("whsec_").encode() not in dump
    assert raw_key not in dump
    assert signing_secrets(WebhookEndpoint.objects.get(pk=endpoint.pk), endpoint.created_at) == [
        secret
    ]


def test_sealed_secret_copied_to_another_endpoint_does_not_open(brand: Brand) -> None:
    first, _ = webhook_endpoint_create(
        brand=brand, url="https://hooks.example.com/a", event_types=["consent.revoked"]
    )
    second, _ = webhook_endpoint_create(
        brand=brand, url="https://hooks.example.com/b", event_types=["consent.revoked"]
    )
    WebhookEndpoint.objects.filter(pk=second.pk).update(secret_sealed=first.secret_sealed)
    second.refresh_from_db()

    with pytest.raises(Exception, match="cannot be opened"):
        signing_secrets(second, second.created_at)


def test_rotation_signs_with_both_secrets_during_the_grace_period(brand: Brand) -> None:
    endpoint, old = webhook_endpoint_create(
        brand=brand, url="https://hooks.example.com/sillage", event_types=["consent.revoked"]
    )

    new = webhook_endpoint_rotate_secret(endpoint=endpoint)
    endpoint.refresh_from_db()
    signing = signing_secrets(endpoint, endpoint.secret_rotated_at)
    after_grace = signing_secrets(endpoint, endpoint.previous_secret_expires_at)
    header = webhook_headers(secrets_=signing, message_id="msg_2", timestamp=1, body=b"{}")

    assert new != old
    assert signing == [new, old]
    assert after_grace == [new]
    assert header["webhook-signature"] == " ".join(
        [reference_signature(secret=secret, message_id="msg_2", timestamp="1", body=b"{}")
         for secret in (new, old)]
    )


# The sealing of endpoint secrets as it was first written (in brands/webhooks.py),
# spelled out independently: HKDF-SHA256 of the index key's text, AES-256-GCM,
# b"\x01" || 12-byte nonce || ciphertext and tag, bound to the endpoint's id.
def reference_key(index_key: str) -> bytes:
    return HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None,
        info=b"sillage/webhooks/endpoint-secret/v1",
    ).derive(index_key.encode())


def reference_binding(endpoint: WebhookEndpoint) -> bytes:
    return b"sillage.webhook-endpoint-secret|" + endpoint.id.bytes


def test_a_secret_sealed_the_original_way_still_opens_and_signs(brand: Brand, settings) -> None:
    endpoint, _ = webhook_endpoint_create(
        brand=brand, url="https://hooks.example.com/old", event_types=["consent.revoked"]
    )
    old_secret = "whsec_" + base64.b64encode(os.urandom(32)).decode()
    nonce = os.urandom(12)
    sealed = b"\x01" + nonce + AESGCM(reference_key(settings.VAULT["INDEX_KEY"])).encrypt(
        nonce, old_secret.encode(), reference_binding(endpoint)
    )
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(secret_sealed=sealed)
    endpoint.refresh_from_db()

    assert signing_secrets(endpoint, endpoint.created_at) == [old_secret]


def test_secrets_are_still_sealed_the_original_way(brand: Brand, settings) -> None:
    # So a database can go back to an older release and its secrets still open.
    endpoint, secret = webhook_endpoint_create(
        brand=brand, url="https://hooks.example.com/new", event_types=["consent.revoked"]
    )
    sealed = bytes(WebhookEndpoint.objects.get(pk=endpoint.pk).secret_sealed)

    assert sealed[:1] == b"\x01"
    opened = AESGCM(reference_key(settings.VAULT["INDEX_KEY"])).decrypt(
        sealed[1:13], sealed[13:], reference_binding(endpoint)
    )
    assert opened == secret.encode()


def test_a_secret_sealed_under_another_index_key_does_not_open(brand: Brand, settings) -> None:
    endpoint, _ = webhook_endpoint_create(
        brand=brand, url="https://hooks.example.com/moved", event_types=["consent.revoked"]
    )
    settings.VAULT = {
        **settings.VAULT, "INDEX_KEY": base64.urlsafe_b64encode(os.urandom(32)).decode()
    }

    with pytest.raises(SecretUnavailable, match="cannot be opened"):
        signing_secrets(endpoint, endpoint.created_at)
