"""Every brand API endpoint against every kind of caller: the
expected status, nothing changed when refused, and never another consumer's data."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from consents.models import Consent
from consents.services import consent_revoke, expire_due_consents
from tests.factories.brands import ClientApp
from tests.factories.consents import api, oauth_tokens
from tests.factories.vault import fill_vault, import_records
from vault.models import Record

ENDPOINTS = ["consent", "profile", "contact", "purchases", "write"]
A_VALUES = ("camille@example.test", "3 rue des Lilas")
B_VALUES = ("dominique@example.test", "9 quai Ouest")


def call(token: str | None, endpoint: str) -> Any:
    if endpoint == "consent":
        return api(token, "/api/v1/consent")
    if endpoint == "profile":
        return api(token, "/api/v1/profile")
    if endpoint == "write":
        return api(token, "/api/v1/facets/purchases", method="post", content_type="application/json",
                   data={"data": {"merchant": "Matrix", "amount": "2.00", "currency": "EUR"},
                         "occurred_at": "2026-04-01T09:00:00Z"})
    return api(token, f"/api/v1/facets/{endpoint}")


@pytest.fixture
def actors(filled_consumer: Any, make_consumer: Callable[..., Any], app: ClientApp,
           make_app: Callable[..., ClientApp]) -> dict[str, str | None]:
    consumer_a = filled_consumer
    consumer_b = make_consumer(email="dominique@example.test")
    fill_vault(user=consumer_b)
    import_records(user=consumer_b, source="self", records=[
        {"facet": "contact", "data": {"email": "dominique@example.test"}},
        {"facet": "address", "data": {"line1": "9 quai Ouest", "postcode": "69002", "city": "Lyon",
                                      "country": "FR"}},
    ])
    full = "contact:read address:read purchases:read purchases:write"
    other_brand = make_app()
    expired = oauth_tokens(consumer=consumer_a, app=app, scope=full)["access_token"]
    Consent.objects.filter(pk=Consent.objects.order_by("-granted_at").first().pk).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1))
    expire_due_consents()
    revoked = oauth_tokens(consumer=consumer_a, app=app, scope=full)["access_token"]
    latest = Consent.objects.order_by("-granted_at").first()
    consent_revoke(consent=latest, actor=("consumer", str(latest.subject)))
    return {
        "anonymous": None,
        "consent_a": oauth_tokens(consumer=consumer_a, app=app, scope=full)["access_token"],
        "consent_b": oauth_tokens(consumer=consumer_b, app=app, scope=full)["access_token"],
        "other_brand": oauth_tokens(consumer=consumer_b, app=other_brand,
                                    scope="contact:read")["access_token"],
        "expired": expired,
        "revoked": revoked,
        "wrong_scope": oauth_tokens(consumer=consumer_a, app=app,
                                    scope="identity:read")["access_token"],
        "garbage": "not-a-token",
    }


EXPECTED = {
    #               consent profile contact purchases write
    "anonymous":   (401, 401, 401, 401, 401),
    "consent_a":   (200, 200, 200, 200, 201),
    "consent_b":   (200, 200, 200, 200, 201),
    "other_brand": (200, 200, 200, 403, 403),
    "expired":     (401, 401, 401, 401, 401),
    "revoked":     (401, 401, 401, 401, 401),
    "wrong_scope": (200, 200, 403, 403, 403),
    "garbage":     (401, 401, 401, 401, 401),
}
# Whose data each caller may see (None: nobody's).
OWNER = {"consent_a": "a", "consent_b": "b", "other_brand": "b", "wrong_scope": "a"}


def _state() -> tuple[int, list[tuple[str, str]]]:
    return Record.objects.count(), sorted(Consent.objects.values_list("id", "status"))


@pytest.mark.parametrize("actor", list(EXPECTED))
@pytest.mark.parametrize("endpoint", ENDPOINTS)
def test_endpoint_by_actor(actors: dict[str, str | None], actor: str, endpoint: str) -> None:
    expected = EXPECTED[actor][ENDPOINTS.index(endpoint)]
    before = _state()
    denied_before = AuditEvent.objects.filter(outcome="denied").count()

    response = call(actors[actor], endpoint)

    assert response.status_code == expected, response.content
    body = response.content.decode()
    if expected >= 400:
        assert response.json()["error"] in {"invalid_token", "facet_not_consented"}
        assert _state() == before  # nothing changed
        for value in A_VALUES + B_VALUES:
            assert value not in body
        if expected == 403:
            assert response.json()["error"] == "facet_not_consented"
            assert AuditEvent.objects.filter(outcome="denied").count() == denied_before + 1
        if expected == 401:
            assert response["WWW-Authenticate"].startswith("Bearer")
    else:
        hidden = B_VALUES if OWNER[actor] == "a" else A_VALUES
        for value in hidden:
            assert value not in body
    if endpoint == "write" and expected == 201:
        record = Record.objects.get(pk=response.json()["id"])
        owner_email = "camille" if OWNER[actor] == "a" else "dominique"
        assert owner_email in record.vault.owner.email
