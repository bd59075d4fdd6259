"""Standard Webhooks 1.0 signatures, and endpoint secrets sealed at rest."""

from __future__ import annotations

import base64
import re

import pytest

from brands.models import Brand
from brands.webhook_models import WebhookEndpoint
from brands.webhooks import (
    _signing_secrets,
    webhook_endpoint_create,
    webhook_endpoint_rotate_secret,
    webhook_headers,
    webhook_signature,
)
from tests.dumps import database_bytes
from tests.factories.webhooks import reference_signature

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
    assert _signing_secrets(WebhookEndpoint.objects.get(pk=endpoint.pk), endpoint.created_at) == [
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
        _signing_secrets(second, second.created_at)


def test_rotation_signs_with_both_secrets_during_the_grace_period(brand: Brand) -> None:
    endpoint, old = webhook_endpoint_create(
        brand=brand, url="https://hooks.example.com/sillage", event_types=["consent.revoked"]
    )

    new = webhook_endpoint_rotate_secret(endpoint=endpoint)
    endpoint.refresh_from_db()
    signing = _signing_secrets(endpoint, endpoint.secret_rotated_at)
    after_grace = _signing_secrets(endpoint, endpoint.previous_secret_expires_at)
    header = webhook_headers(secrets_=signing, message_id="msg_2", timestamp=1, body=b"{}")

    assert new != old
    assert signing == [new, old]
    assert after_grace == [new]
    assert header["webhook-signature"] == " ".join(
        [reference_signature(secret=secret, message_id="msg_2", timestamp="1", body=b"{}")
         for secret in (new, old)]
    )
