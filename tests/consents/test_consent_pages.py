"""/consents/: list, revoke, narrow, receipt; only one's own consents."""

from __future__ import annotations

import datetime as dt
import json

from django.utils import timezone

from audit.models import AuditEvent
from consents.models import AccessToken, Consent
from consents.receipts import verify_receipt
from consents.services import expire_due_consents
from tests.factories.accounts import client_for
from tests.factories.consents import Flow, api


def test_list_shows_active_consents_with_actions(flow: Flow) -> None:
    flow.tokens(scope="contact:read")
    consent = Consent.objects.get()
    page = flow.client.get("/consents/").content.decode()
    assert flow.app.application.brand.name in page
    assert f"/consents/{consent.pk}/revoke/" in page
    assert f"/consents/{consent.pk}/receipt.json" in page


def test_revoking_cuts_the_brand_off_at_once(flow: Flow) -> None:
    tokens = flow.tokens(scope="contact:read")
    consent = Consent.objects.get()
    assert api(tokens["access_token"], "/api/v1/facets/contact").status_code == 200

    response = flow.client.post(f"/consents/{consent.pk}/revoke/")

    assert response.status_code == 302
    consent.refresh_from_db()
    assert consent.status == "revoked"
    assert consent.revoked_at is not None
    assert api(tokens["access_token"], "/api/v1/facets/contact").status_code == 401
    assert flow.refresh(tokens["refresh_token"]).status_code == 400
    assert AccessToken.objects.count() == 0
    assert AuditEvent.objects.filter(action="consent.revoked", consent_id=str(consent.pk)).count() == 1


def test_narrowing_drops_access_at_once(flow: Flow) -> None:
    tokens = flow.tokens(scope="contact:read purchases:read purchases:write")
    consent = Consent.objects.get()
    response = flow.client.post(f"/consents/{consent.pk}/narrow/", {"keep_purchases_read": "on"})
    assert response.status_code == 302
    consent.refresh_from_db()
    assert consent.grants == {"purchases": ["read"]}
    assert api(tokens["access_token"], "/api/v1/facets/contact").status_code == 403
    assert api(tokens["access_token"], "/api/v1/facets/purchases").status_code == 200
    refreshed = flow.refresh(tokens["refresh_token"]).json()
    assert refreshed["scope"] == "purchases:read"
    assert AuditEvent.objects.filter(action="consent.narrowed").count() == 1


def test_narrowing_can_shorten_but_not_extend(flow: Flow) -> None:
    flow.tokens(scope="contact:read", days=30)
    consent = Consent.objects.get()
    later = (timezone.localdate() + dt.timedelta(days=60)).isoformat()
    refused = flow.client.post(f"/consents/{consent.pk}/narrow/",
                               {"keep_contact_read": "on", "expires_on": later})
    assert refused.status_code == 400
    sooner = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    accepted = flow.client.post(f"/consents/{consent.pk}/narrow/",
                                {"keep_contact_read": "on", "expires_on": sooner})
    assert accepted.status_code == 302
    consent.refresh_from_db()
    assert consent.expires_at <= timezone.now() + dt.timedelta(days=4)


def test_unticking_everything_asks_to_revoke_instead(flow: Flow) -> None:
    flow.tokens(scope="contact:read")
    consent = Consent.objects.get()
    response = flow.client.post(f"/consents/{consent.pk}/narrow/", {})
    assert response.status_code == 400
    consent.refresh_from_db()
    assert consent.grants == {"contact": ["read"]}


def test_receipt_is_signed_kantara_json(flow: Flow) -> None:
    flow.tokens(scope="contact:read purchases:read")
    consent = Consent.objects.get()
    response = flow.client.get(f"/consents/{consent.pk}/receipt.json")
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    document = json.loads(response.content)
    receipt = document["receipt"]
    assert receipt["version"] == "KI-CR-v1.1.0"
    assert receipt["consentReceiptID"] == str(consent.pk)
    assert receipt["piiPrincipalId"] == str(consent.subject)
    assert "camille" not in response.content.decode()
    purpose = receipt["services"][0]["purposes"][0]
    assert purpose["purposeKey"] == "loyalty"
    assert [item["facet"] for item in purpose["piiCategory"]] == ["contact", "purchases"]
    assert verify_receipt(document)
    receipt["services"][0]["purposes"][0]["piiCategory"].append({"facet": "birthdate"})
    assert not verify_receipt(document)


def test_another_consumer_cannot_see_or_change_a_consent(flow: Flow, make_consumer: object) -> None:
    tokens = flow.tokens(scope="contact:read")
    consent = Consent.objects.get()
    intruder = client_for(user=make_consumer())
    for path in (f"/consents/{consent.pk}/", f"/consents/{consent.pk}/receipt.json"):
        assert intruder.get(path).status_code == 404
    assert intruder.post(f"/consents/{consent.pk}/revoke/").status_code == 404
    assert intruder.post(f"/consents/{consent.pk}/narrow/", {}).status_code == 404
    consent.refresh_from_db()
    assert consent.status == "active"
    assert api(tokens["access_token"], "/api/v1/facets/contact").status_code == 200
    assert flow.app.application.brand.name not in intruder.get("/consents/").content.decode()


def test_expiry_is_enforced_at_the_exact_time(flow: Flow) -> None:
    tokens = flow.tokens(scope="contact:read")
    consent = Consent.objects.get()
    Consent.objects.update(expires_at=timezone.now() - dt.timedelta(milliseconds=1))

    response = api(tokens["access_token"], "/api/v1/facets/contact")

    assert response.status_code == 401
    assert "expired" in response.json()["detail"]
    consent.refresh_from_db()
    assert consent.status == "expired"
    assert AuditEvent.objects.filter(action="consent.expired").count() == 1


def test_the_sweep_expires_due_consents(flow: Flow) -> None:
    flow.tokens(scope="contact:read")
    Consent.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert expire_due_consents() == 1
    assert Consent.objects.get().status == "expired"
    assert AccessToken.objects.count() == 0
    assert expire_due_consents() == 0
