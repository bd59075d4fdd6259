"""GET /api/v1/aggregates: authorisation (parametrised, nothing changes on
refusal), errors in the API's JSON form, the budget refusal."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from rest_framework.authentication import BaseAuthentication
from rest_framework.test import APIClient

from analytics.api import BrandPrincipal
from analytics.models import AggregateRelease
from audit.models import AuditEvent
from tests.factories.analytics import aggregates_state
from tests.factories.consents import issue_token

pytestmark = pytest.mark.django_db

URL = "/api/v1/aggregates?dimension=city"


class HeaderBrandAuthentication(BaseAuthentication):
    """A stand-in for the client-credentials hook: 'Authorization: Test <brand slug>'."""

    def authenticate(self, request: Any) -> tuple[BrandPrincipal, None] | None:
        from brands.models import Brand

        scheme, _space, slug = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
        if scheme != "Test":
            return None
        brand = Brand.objects.filter(slug=slug).first()
        return (BrandPrincipal(brand=brand, client_id=f"test-{slug}"), None) if brand else None

    def authenticate_header(self, request: Any) -> str:
        return "Test"


@pytest.fixture
def tokens(brand, make_app, make_consumer, grant) -> dict[str, str]:
    client = make_app(brand, purposes=("service", "analytics"))
    application = client.application
    consumer = make_consumer()
    consent = grant(consumer, client, {"contact": ["read"]}, purpose="analytics")
    found = {
        "client_credentials": issue_token(application=application, scope="aggregates")[0],
        "no_scope": issue_token(application=application, scope="contact:read")[0],
        "consumer_token": issue_token(application=application, consent=consent,
                                      user=consumer, scope="contact:read aggregates")[0],
    }
    expired_raw, expired = issue_token(application=application, scope="aggregates")
    expired.expires = timezone.now() - dt.timedelta(seconds=1)
    expired.save()
    found["expired"] = expired_raw
    return found


@pytest.mark.parametrize(("header", "status", "code"), [
    (None, 401, "invalid_token"),
    ("Basic abc", 401, "invalid_token"),
    ("Bearer", 401, "invalid_token"),
    ("Bearer not-a-token", 401, "invalid_token"),
    ("token:expired", 401, "invalid_token"),
    ("token:consumer_token", 401, "invalid_token"),
    ("token:no_scope", 403, "insufficient_scope"),
    ("token:client_credentials", 200, None),
])
def test_only_a_client_credentials_token_with_the_aggregates_scope_gets_figures(
        header, status, code, tokens):
    client = APIClient()
    if header and header.startswith("token:"):
        header = f"Bearer {tokens[header.removeprefix('token:')]}"
    before = aggregates_state()
    response = client.get(URL, **({"HTTP_AUTHORIZATION": header} if header else {}))
    assert response.status_code == status, response.content
    if code is None:
        assert response.json()["dimension"] == "city"
        assert response.json()["privacy"]["budget_remaining"] == "9.0000"
        assert aggregates_state() != before
    else:
        assert response.json()["error"] == code
        assert response.json()["detail"]
        assert aggregates_state() == before
    if status == 401:
        assert response["WWW-Authenticate"].startswith("Bearer")


def test_the_authentication_hook_can_be_replaced(brand, analytics_settings):
    analytics_settings(AGGREGATES_AUTHENTICATION=["tests.analytics.test_api.HeaderBrandAuthentication"])
    response = APIClient().get(URL, HTTP_AUTHORIZATION=f"Test {brand.slug}")
    assert response.status_code == 200
    [event] = AuditEvent.objects.filter(action="aggregate.released")
    assert event.actor_id == f"test-{brand.slug}"
    assert APIClient().get(URL, HTTP_AUTHORIZATION="Test nobody").status_code == 401


def test_a_bad_query_is_a_400_and_changes_nothing(brand, analytics_settings):
    analytics_settings(AGGREGATES_AUTHENTICATION=["tests.analytics.test_api.HeaderBrandAuthentication"])
    before = aggregates_state()
    response = APIClient().get("/api/v1/aggregates?dimension=street",
                               HTTP_AUTHORIZATION=f"Test {brand.slug}")
    assert (response.status_code, response.json()["error"]) == (400, "invalid_query")
    assert aggregates_state() == before


def test_an_exhausted_budget_is_a_403_with_a_clear_error(brand, analytics_settings):
    analytics_settings(AGGREGATES_AUTHENTICATION=["tests.analytics.test_api.HeaderBrandAuthentication"],
                       BRAND_EPSILON_BUDGET=1.0)
    client = APIClient()
    assert client.get(URL + "&epsilon=1", HTTP_AUTHORIZATION=f"Test {brand.slug}").status_code == 200
    releases = AggregateRelease.objects.count()
    response = client.get("/api/v1/aggregates?dimension=age_band&epsilon=0.5",
                          HTTP_AUTHORIZATION=f"Test {brand.slug}")
    assert response.status_code == 403
    assert response.json() == {
        "error": "privacy_budget_exhausted",
        "detail": "privacy budget exhausted: this query needs epsilon 0.5000, 0.0000 of 1.0000 remains",
    }
    assert AggregateRelease.objects.count() == releases
