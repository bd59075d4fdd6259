"""Crafted input on the brand API (a red-team review's findings): every one is
refused with a JSON error body, never a 500, and nothing is written."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from django.test import Client

from accounts.models import User
from audit.models import AuditEvent
from tests.factories.brands import ClientApp
from tests.factories.consents import grant_consent, issue_token
from vault.models import Record

pytestmark = pytest.mark.django_db

PURCHASE = {"merchant": "A", "amount": "1.00", "currency": "EUR"}
WHEN = "2026-04-02T08:00:00Z"


@pytest.fixture
def token(filled_consumer: User, app: ClientApp) -> str:
    consent = grant_consent(consumer=filled_consumer, application=app.application,
                            facets={"purchases": ["read", "write"], "contact": ["read"]})
    raw, _token = issue_token(application=app.application, consent=consent)
    return raw


def _post(token: str, body: str | bytes) -> Any:
    return Client().post("/api/v1/facets/purchases", data=body, content_type="application/json",
                         HTTP_AUTHORIZATION=f"Bearer {token}")


def _get(token: str, query: str) -> Any:
    return Client().get(f"/api/v1/facets/purchases?{query}", HTTP_AUTHORIZATION=f"Bearer {token}")


def _records_and_accepted_events() -> tuple[int, int]:
    return Record.objects.count(), AuditEvent.objects.exclude(outcome="denied").count()


def _cursor(payload: Any) -> str:
    raw = json.dumps(payload, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def test_a_body_nested_30000_levels_deep_is_a_400(token: str) -> None:
    before = _records_and_accepted_events()
    response = _post(token, '{"data": ' + "[" * 30_000 + "]" * 30_000 + "}")
    assert response.status_code == 400
    assert response.json() == {"error": "invalid_request",
                               "detail": "the body is nested more than 32 levels deep"}
    assert _records_and_accepted_events() == before


def test_a_body_nested_just_under_the_interpreter_limit_is_a_400(token: str) -> None:
    before = _records_and_accepted_events()
    depth = 900
    response = _post(token, '{"data": {"merchant": ' + "[" * depth + "]" * depth + "}}")
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"
    assert _records_and_accepted_events() == before


@pytest.mark.parametrize("amount", ["1e999999999", "-1e999999999", "1E+1000000",
                                   "1e-999999999"])
def test_an_amount_beyond_any_decimal_is_invalid_record(token: str, amount: str) -> None:
    before = Record.objects.count()
    response = _post(token, json.dumps({"data": {**PURCHASE, "amount": amount},
                                        "occurred_at": WHEN}))
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "invalid_record"
    assert body["detail"].startswith("amount: ")
    assert Record.objects.count() == before


@pytest.mark.parametrize(("body", "field"), [
    ('{"data": {"merchant": "A\\ud800", "amount": "1", "currency": "EUR"}, '
     '"occurred_at": "2026-04-02T08:00:00Z"}', "merchant"),
    ('{"data": {"merchant": "A", "amount": "1", "currency": "EUR", "\\udfff": "x"}, '
     '"occurred_at": "2026-04-02T08:00:00Z"}', "data"),
    ('{"data": {"merchant": "A", "amount": "1", "currency": "EUR"}, '
     '"occurred_at": "2026-04-02T08:00:00Z\\ud800"}', "occurred_at"),
])
def test_a_lone_surrogate_is_a_400_naming_the_field(token: str, body: str, field: str) -> None:
    before = _records_and_accepted_events()
    response = _post(token, body)
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_record"
    assert response.json()["detail"].startswith(f"{field}: ")
    assert _records_and_accepted_events() == before


def test_a_nul_in_an_unknown_field_name_is_a_400(token: str) -> None:
    before = _records_and_accepted_events()
    response = _post(token, json.dumps({"data": {**PURCHASE, "a\u0000b": "x"},
                                        "occurred_at": WHEN}))
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_record"
    assert _records_and_accepted_events() == before


@pytest.mark.parametrize("cursor", [
    _cursor({"t": "2026-01-01T00:00:00+00:00", "id": 5}),
    _cursor({"t": 5, "id": "00000000-0000-0000-0000-000000000000"}),
    _cursor([1, 2]),
    _cursor(7),
    _cursor({"t": "0001-01-01T00:00:00+05:00", "id": "00000000-0000-0000-0000-000000000000"}),
    _cursor({"t": "9999-12-31T23:59:59-05:00", "id": "00000000-0000-0000-0000-000000000000"}),
])
def test_a_forged_cursor_is_a_400(token: str, cursor: str) -> None:
    response = _get(token, f"cursor={cursor}")
    assert response.status_code == 400
    assert response.json() == {"error": "invalid_request",
                               "detail": "cursor is not one this API returned"}


@pytest.mark.parametrize("since", ["0001-01-01", "0001-01-01T00:00:00", "0001-01-01T00:00:00Z"])
def test_since_the_first_year_answers_every_event(token: str, since: str) -> None:
    response = _get(token, f"since={since}")
    assert response.status_code == 200, response.content
    assert len(response.json()["items"]) == 3


@pytest.mark.parametrize("since", ["9999-12-31T23:59:59", "9999-12-31T23:59:59-05:00"])
def test_since_the_last_year_answers_no_event(token: str, since: str) -> None:
    response = _get(token, f"since={since}")
    assert response.status_code in (200, 400), response.content
    if response.status_code == 200:
        assert response.json()["items"] == []
    else:
        assert response.json()["error"] == "invalid_request"


@pytest.mark.parametrize("path", ["/api/v1/facets/%C3%91%24G", "/api/v1/facets/a/b",
                                  "/api/v1/audit/events/not-a-uuid", "/api/v2/"])
def test_an_api_url_that_matches_no_pattern_is_a_json_404(path: str) -> None:
    """Found by the schema fuzzing (tests/fuzz/test_openapi.py): a facet name
    that is not a slug matched no URL pattern and got the HTML 404 page."""
    response = Client().get(path)
    assert response.status_code == 404
    assert response.json() == {"error": "not_found", "detail": "Not found."}


def test_a_page_that_matches_no_pattern_is_still_the_404_page() -> None:
    response = Client().get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
