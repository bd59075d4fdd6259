"""The consent screen: the consumer unticks, swaps for a reduced form, shortens
or refuses; the token carries exactly what was granted, never more."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from audit.models import AuditEvent
from consents.models import Consent
from tests.factories.consents import Flow, api, authorize_url, pkce_pair, query_of


def test_untick_swap_and_shorten(flow: Flow) -> None:
    scope = "birthdate:read address:read contact:read purchases:read purchases:write"
    form = {"consent_days": "7", "allow": "1",
            "share_birthdate": "on", "form_birthdate": "age_band",
            "share_address": "on", "form_address": "city",
            # contact unticked; purchases kept but read only
            "share_purchases": "on"}
    code, verifier = flow.code(scope=scope, days=30, form=form)
    tokens = flow.token(code, verifier)

    assert tokens["scope"].split() == ["age_band:read", "city:read", "purchases:read"]
    consent = Consent.objects.get()
    assert consent.grants == {"age_band": ["read"], "city": ["read"], "purchases": ["read"]}
    assert consent.requested_scope == scope
    assert consent.expires_at <= timezone.now() + dt.timedelta(days=7)
    token = tokens["access_token"]
    assert api(token, "/api/v1/facets/age_band").json()["value"]["age_band"] in {"35-44", "25-34"}
    assert api(token, "/api/v1/facets/city").json()["value"] == {"city": "Paris", "country": "FR"}
    for refused in ("birthdate", "address", "contact"):
        assert api(token, f"/api/v1/facets/{refused}").status_code == 403
    write = api(token, "/api/v1/facets/purchases", method="post", content_type="application/json",
                data={"data": {"merchant": "X", "amount": "1", "currency": "EUR"},
                      "occurred_at": "2026-01-01T00:00:00Z"})
    assert write.status_code == 403


def test_refuse_sends_access_denied_and_records_nothing(flow: Flow) -> None:
    _verifier, challenge = pkce_pair()
    url = authorize_url(flow.app.client_id, scope="contact:read", challenge=challenge)
    response = flow.client.post(url, {"refuse": "1"})
    assert query_of(response["Location"])["error"] == "access_denied"
    assert Consent.objects.count() == 0


@pytest.mark.parametrize(
    "form",
    [
        {"consent_days": "31", "share_contact": "on"},          # longer than asked
        {"consent_days": "10"},                                  # nothing ticked
        {"consent_days": "10", "share_birthdate": "on", "form_birthdate": "city"},  # not its reduction
    ],
)
def test_the_answer_cannot_grant_more_than_asked(flow: Flow, form: dict) -> None:
    _verifier, challenge = pkce_pair()
    url = authorize_url(flow.app.client_id, scope="contact:read birthdate:read", challenge=challenge,
                        duration_days=30)
    response = flow.client.post(url, {**form, "allow": "1"})
    assert response.status_code == 200  # the screen again, with the error
    assert Consent.objects.count() == 0


@pytest.mark.parametrize(
    "tampered",
    [{"scope": "contact:read identity:read"}, {"duration_days": "365"}, {"purpose": "service"},
     {"share_identity": "on"}],
)
def test_the_form_cannot_stand_in_for_the_request(flow: Flow, tampered: dict) -> None:
    form = {"consent_days": "5", "allow": "1", "share_contact": "on", **tampered}
    code, verifier = flow.code(scope="contact:read", days=5, form=form)
    assert flow.token(code, verifier)["scope"] == "contact:read"
    consent = Consent.objects.get()
    assert consent.purpose == "loyalty"
    assert consent.expires_at <= timezone.now() + dt.timedelta(days=5)


def test_granting_is_audited_with_the_consent(flow: Flow) -> None:
    flow.tokens(scope="contact:read")
    consent = Consent.objects.get()
    event = AuditEvent.objects.get(action="consent.granted")
    assert event.consent_id == str(consent.id)
    assert event.purpose == "loyalty"
    assert event.facets == ["contact"]
    assert event.subject == str(consent.subject)


def test_the_screen_previews_reduced_forms(flow: Flow) -> None:
    _verifier, challenge = pkce_pair()
    url = authorize_url(flow.app.client_id, scope="birthdate:read address:read purchases:read",
                        challenge=challenge)
    page = flow.client.get(url).content.decode()
    assert "1990-05-17" in page      # full birth date
    assert "25-34" in page or "35-44" in page   # its age band
    assert "75011" in page
    assert "Paris" in page
    assert "groceries (2)" in page   # purchase categories
    assert "Verified brand" in page


def test_other_consumers_data_is_never_previewed(client: Client, make_consumer: object, app: object,
                                                filled_consumer: object) -> None:
    other = make_consumer()
    client.force_login(other)
    _verifier, challenge = pkce_pair()
    page = client.get(authorize_url(app.client_id, scope="contact:read", challenge=challenge))
    assert "camille@example.test" not in page.content.decode()


def test_a_posted_duration_cannot_lengthen_the_request(flow: Flow) -> None:
    _verifier, challenge = pkce_pair()
    url = authorize_url(flow.app.client_id, scope="contact:read", challenge=challenge,
                        duration_days=5)
    response = flow.client.post(url, {"consent_days": "300", "duration_days": "365",
                                      "share_contact": "on", "allow": "1"})
    assert response.status_code == 200
    assert Consent.objects.count() == 0
