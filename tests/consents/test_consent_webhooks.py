"""Each consent change writes its webhook to the brand's outbox in the same
transaction: ids and scopes only, never a personal value."""

from __future__ import annotations

import json

from brands.webhook_models import OutboxMessage
from brands.webhooks import webhook_endpoint_create
from consents.models import Consent
from consents.services import consent_narrow, consent_revoke
from tests.consents.conftest import Flow

EVENTS = ["consent.granted", "consent.narrowed", "consent.revoked", "consent.expired"]


def _bodies(event_type: str) -> list[dict]:
    return [json.loads(message.body) for message in
            OutboxMessage.objects.filter(event_type=event_type).order_by("created_at")]


def test_grant_narrow_and_revoke_are_sent(flow: Flow) -> None:
    webhook_endpoint_create(brand=flow.app.application.brand, url="http://127.0.0.1:9/hook",
                            event_types=EVENTS)
    flow.tokens(scope="contact:read purchases:read")
    consent = Consent.objects.get()
    actor = ("consumer", str(consent.subject))

    consent_narrow(consent=consent, facets={"purchases": ["read"]}, actor=actor)
    consent_revoke(consent=consent, actor=actor)

    granted, = _bodies("consent.granted")
    assert granted["data"]["consent_id"] == str(consent.pk)
    assert granted["data"]["client_id"] == flow.app.client_id
    assert granted["data"]["facets"] == ["contact:read", "purchases:read"]
    narrowed, = _bodies("consent.narrowed")
    assert narrowed["data"]["facets"] == ["purchases:read"]
    assert narrowed["data"]["previous_facets"] == ["contact:read", "purchases:read"]
    revoked, = _bodies("consent.revoked")
    assert revoked["data"]["consent_id"] == str(consent.pk)
    everything = "".join(message.body for message in OutboxMessage.objects.all())
    assert "camille" not in everything
    assert str(consent.subject) not in everything
