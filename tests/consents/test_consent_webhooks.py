"""Each consent change writes its webhook to the brand's outbox in the same
transaction: ids and scopes only, never a personal value."""

from __future__ import annotations

import json

from consents.models import Consent
from consents.services import consent_narrow, consent_revoke
from tests.factories.consents import Flow
from webhooks.models import OutboxMessage
from webhooks.services import webhook_endpoint_create

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


def test_erasing_the_vault_tells_each_brand_and_ends_its_tokens(flow: Flow) -> None:
    from audit.models import AuditEvent
    from consents.models import AccessToken
    from tests.factories.consents import api
    from vault.services import vault_erase

    webhook_endpoint_create(brand=flow.app.application.brand, url="http://127.0.0.1:9/hook",
                            event_types=["data.erased", "consent.revoked"])
    issued = flow.tokens(scope="contact:read")
    consent = Consent.objects.get()
    consent_id, subject = str(consent.pk), str(consent.subject)
    assert api(issued["access_token"], "/api/v1/consent").status_code == 200

    vault_erase(vault=consent.vault, actor=("consumer", subject))

    erased, = _bodies("data.erased")
    assert erased["data"] == {"consent_id": consent_id, "client_id": flow.app.client_id}
    assert api(issued["access_token"], "/api/v1/consent").status_code == 401
    assert not Consent.objects.exists()
    assert not AccessToken.objects.exists()
    revoked = AuditEvent.objects.get(action="consent.revoked", consent_id=consent_id)
    assert revoked.detail["reason"] == "erasure"
    assert AuditEvent.objects.filter(action="data.erased", subject=subject).count() == 1
