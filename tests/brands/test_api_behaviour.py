"""Brand API behaviour: pagination, validation, idempotency, limits, audit,
attribution and a constant number of queries."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings

from audit.models import AuditEvent
from consents.models import Consent
from tests.factories.consents import Flow, api
from vault.models import Record
from vault.selectors import source_label
from vault.services import record_write

SCOPE = "contact:read identity:read age_band:read purchases:read purchases:write"


@pytest.fixture
def token(flow: Flow) -> str:
    return flow.tokens(scope=SCOPE)["access_token"]


def _post(token: str, body: Any, key: str | None = None, **extra: Any) -> Any:
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return api(token, "/api/v1/facets/purchases", method="post", content_type="application/json",
               data=body, **headers, **extra)


def _purchase(merchant: str = "Épicerie", amount: str = "3.10") -> dict[str, Any]:
    return {"data": {"merchant": merchant, "amount": amount, "currency": "EUR",
                     "category": "groceries"}, "occurred_at": "2026-04-02T08:00:00Z"}


def test_consent_endpoint_describes_the_grant(token: str) -> None:
    body = api(token, "/api/v1/consent").json()
    assert body["purpose"] == "loyalty"
    assert body["scope"] == " ".join(sorted(SCOPE.split()))
    assert {"facet": "age_band", "access": ["read"], "kind": "profile", "reduced": True} in body["facets"]
    assert body["status"] == "active"


def test_profile_returns_allowed_profile_facets_only(token: str) -> None:
    body = api(token, "/api/v1/profile").json()
    assert set(body["facets"]) == {"contact", "identity", "age_band"}
    assert body["facets"]["identity"] == {"given_name": "Camille", "family_name": "Durand"}
    assert "1990" not in str(body)


def test_events_are_paginated_with_a_cursor_and_since(token: str, filled_consumer: Any) -> None:
    first = api(token, "/api/v1/facets/purchases?limit=2").json()
    assert [item["data"]["amount"] for item in first["items"]] == ["4.20", "11.50"]
    assert first["next_cursor"]
    second = api(token, f"/api/v1/facets/purchases?limit=2&cursor={first['next_cursor']}").json()
    assert [item["data"]["amount"] for item in second["items"]] == ["6.80"]
    assert second["next_cursor"] is None
    since = api(token, "/api/v1/facets/purchases?since=2026-02-01T00:00:00Z").json()
    assert [item["data"]["amount"] for item in since["items"]] == ["11.50", "6.80"]
    assert api(token, "/api/v1/facets/purchases?cursor=garbage").status_code == 400
    assert api(token, "/api/v1/facets/purchases?since=yesterday").status_code == 400


def test_unknown_facet_is_404(token: str) -> None:
    response = api(token, "/api/v1/facets/wallet")
    assert response.status_code == 404
    assert response.json()["error"] == "unknown_facet"


def test_write_is_stored_attributed_and_audited(token: str, filled_consumer: Any, flow: Flow) -> None:
    response = _post(token, _purchase())
    assert response.status_code == 201, response.content
    record = Record.objects.get(pk=response.json()["id"])
    assert record.vault_id == filled_consumer.vault.id
    assert source_label(filled_consumer.vault, record.source_id) == flow.app.application.brand.name
    event = AuditEvent.objects.filter(action="facet.write").latest("id")
    assert event.outcome == "allowed"
    assert event.actor_id == flow.app.client_id
    assert event.consent_id == str(Consent.objects.get().pk)
    assert event.purpose == Consent.objects.get().purpose
    assert event.detail["record_id"] == str(record.id)
    # One write, one event: the vault's own event carries the consent and purpose.
    events = AuditEvent.objects.filter(subject=event.subject)
    assert [e.action for e in events if e.detail.get("record_id") == str(record.id)] == ["facet.write"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"data": {"merchant": "X", "amount": "abc", "currency": "EUR"},
          "occurred_at": "2026-04-02T08:00:00Z"}, "amount"),
        ({"data": {"merchant": "X", "amount": "1", "currency": "EUR"}}, "occurred_at"),
        ({"data": {"amount": "1", "currency": "EUR"}, "occurred_at": "2026-04-02T08:00:00Z"},
         "merchant"),
        ({"data": {"merchant": "X", "amount": "1", "currency": "EUR", "colour": "red"},
          "occurred_at": "2026-04-02T08:00:00Z"}, "colour"),
    ],
)
def test_invalid_records_name_the_field_and_store_nothing(token: str, body: dict, field: str) -> None:
    before = Record.objects.count()
    response = _post(token, body)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_record"
    assert response.json()["detail"].startswith(f"{field}:")
    assert Record.objects.count() == before
    denied = AuditEvent.objects.filter(action="facet.write", outcome="denied").latest("id")
    assert denied.detail["reason"] == f"invalid_record:{field}"


def test_malformed_bodies(token: str) -> None:
    assert _post(token, "not json at all").status_code == 400
    assert api(token, "/api/v1/facets/purchases", method="post", data={"a": "b"}).status_code == 415


@override_settings(BRANDS={"RATE_LIMIT": "100/min", "MAX_BODY_BYTES": 300, "PAGE_SIZE": 100,
                              "MAX_PAGE_SIZE": 500, "IDEMPOTENCY_HOURS": 24})
def test_too_large_body_is_413(token: str) -> None:
    before = Record.objects.count()
    response = _post(token, _purchase(merchant="M" * 400))
    assert response.status_code == 413
    assert response.json()["error"] == "too_large"
    assert Record.objects.count() == before


def test_idempotency_key_replays_and_refuses_a_different_body(token: str) -> None:
    before = Record.objects.count()
    first = _post(token, _purchase(), key="order-1")
    again = _post(token, _purchase(), key="order-1")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Record.objects.count() == before + 1
    conflict = _post(token, _purchase(amount="9.99"), key="order-1")
    assert conflict.status_code == 409
    assert conflict.json()["error"] == "idempotency_conflict"
    assert Record.objects.count() == before + 1
    other_key = _post(token, _purchase(), key="order-2")
    assert other_key.status_code == 201
    assert Record.objects.count() == before + 2


def test_rate_limit_is_per_client(token: str, flow: Flow) -> None:
    from django.core.cache import cache

    cache.clear()
    other = flow.tokens(scope="contact:read")["access_token"]  # same client, another token
    with override_settings(BRANDS={"RATE_LIMIT": "3/min", "MAX_BODY_BYTES": 65536,
                                      "PAGE_SIZE": 100, "MAX_PAGE_SIZE": 500,
                                      "IDEMPOTENCY_HOURS": 24}):
        statuses = [api(token, "/api/v1/consent").status_code for _ in range(3)]
        limited = api(other, "/api/v1/consent")
    cache.clear()
    assert statuses == [200, 200, 200]
    assert limited.status_code == 429
    assert limited.json()["error"] == "rate_limited"


def _count(token: str, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = Client().get(path, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200, response.content
    return len(queries)


def test_queries_per_request_do_not_grow(token: str, flow: Flow, filled_consumer: Any) -> None:
    paths = ["/api/v1/facets/contact", "/api/v1/facets/purchases?limit=10", "/api/v1/profile",
             "/api/v1/facets/age_band", "/api/v1/consent"]
    baseline = {path: _count(token, path) for path in paths}
    actor = ("consumer", str(filled_consumer.vault.subject))
    for day in range(40):
        record_write(vault=filled_consumer.vault, facet="purchases", source="Lune", actor=actor,
                     occurred_at=(dt.datetime(2026, 1, 1, tzinfo=dt.UTC) + dt.timedelta(days=day)),
                     data={"merchant": "Lune", "amount": "1", "currency": "EUR"})
        record_write(vault=filled_consumer.vault, facet="contact", source="self", actor=actor,
                     data={"email": f"c{day}@example.test"})
    for _ in range(5):
        flow.tokens(scope=SCOPE)  # more consents and tokens
    for _ in range(10):
        api(token, "/api/v1/facets/contact")  # more audit events
    grown = {path: _count(token, path) for path in paths}
    assert grown == baseline
    assert max(baseline.values()) <= 12


def test_an_idempotency_key_belongs_to_one_consent(
    token: str, flow: Flow, filled_consumer: Any, make_consumer: Any
) -> None:
    """Two consumers of one client, the same key and body: two records, each in
    its own vault; neither answer is the other's replay."""
    other_consumer = make_consumer()
    other_client = Client()
    other_client.force_login(other_consumer)
    other_token = Flow(client=other_client, app=flow.app).tokens(scope=SCOPE)["access_token"]

    first = _post(token, _purchase(), key="order-1")
    second = _post(other_token, _purchase(), key="order-1")

    assert first.status_code == second.status_code == 201, second.content
    assert "Idempotent-Replayed" not in second
    assert first.json()["id"] != second.json()["id"]
    assert first.json()["consent_id"] != second.json()["consent_id"]
    assert Record.objects.get(pk=first.json()["id"]).vault_id == filled_consumer.vault.id
    assert Record.objects.get(pk=second.json()["id"]).vault_id == other_consumer.vault.id
    # Each consent's retry still replays its own answer.
    again = _post(other_token, _purchase(), key="order-1")
    assert again.json() == second.json()
    assert again["Idempotent-Replayed"] == "true"
