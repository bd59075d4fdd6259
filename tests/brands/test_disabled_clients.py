"""Disabling an OAuth client, or its brand, ends what it holds at once: the
brand API and the aggregates API refuse its tokens on the very next request
(checked in the token look-up, no extra query), the disabling service revokes
every token and unused code in its transaction, introspection does not call
them active, and a refresh fails."""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from audit.models import AuditEvent
from brands.models import Application, Brand
from brands.services import (
    OPERATOR,
    application_disable,
    application_enable,
    brand_disable,
    brand_enable,
)
from consents.models import AccessToken, Consent, RefreshToken
from tests.factories.brands import ClientApp
from tests.factories.consents import Flow, api
from vault.models import Record

pytestmark = pytest.mark.django_db

SCOPE = "contact:read purchases:read purchases:write"
PURCHASE = {"data": {"merchant": "Lune", "amount": "3.10", "currency": "EUR"},
            "occurred_at": "2026-04-01T10:00:00Z"}


def _basic(app: ClientApp) -> dict[str, str]:
    raw = f"{app.client_id}:{app.secret or ''}".encode()
    return {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(raw).decode()}


def _client_token(app: ClientApp) -> str:
    response = Client().post("/o/token/", {"grant_type": "client_credentials",
                                           "scope": "aggregates"}, **_basic(app))
    assert response.status_code == 200, response.content
    return str(response.json()["access_token"])


def _write(token: str) -> Any:
    return api(token, "/api/v1/facets/purchases", "post", data=PURCHASE,
               content_type="application/json")


def _introspect(app: ClientApp, value: str) -> Any:
    return Client().post("/o/introspect/", {"token": value}, **_basic(app))


def _not_active(response: Any) -> bool:
    """A disabled client may not even ask (401 invalid_client); if it is
    answered at all, the token is not active."""
    if response.status_code == 401:
        return bool(response.json()["error"] == "invalid_client")
    return bool(response.status_code == 200 and response.json() == {"active": False})


@pytest.fixture
def app(make_app: Callable[..., ClientApp]) -> ClientApp:
    return make_app(purposes=("analytics", "loyalty", "service"))


def _flag(target: str, app: ClientApp) -> None:
    """Set the flag the way a stray write would: no service, no revocation."""
    if target == "client":
        Application.objects.filter(pk=app.application.pk).update(disabled_at=timezone.now())
    else:
        Brand.objects.filter(pk=app.application.brand_id).update(disabled_at=timezone.now())


@pytest.mark.parametrize("target", ["client", "brand"])
def test_the_apis_check_the_client_and_brand_on_every_request(flow: Flow, target: str) -> None:
    """Even with the tokens still in the table, a disabled client's tokens are refused."""
    tokens = flow.tokens(scope=SCOPE)
    access = tokens["access_token"]
    aggregates = _client_token(flow.app)
    assert api(access, "/api/v1/consent").status_code == 200
    records = Record.objects.count()

    _flag(target, flow.app)

    for response in (api(access, "/api/v1/consent"), api(access, "/api/v1/facets/contact"),
                     _write(access), api(aggregates, "/api/v1/aggregates?dimension=city")):
        assert response.status_code == 401, response.content
        assert response.json()["error"] == "invalid_token"
        assert response["WWW-Authenticate"].startswith("Bearer")
    assert Record.objects.count() == records
    assert _not_active(_introspect(flow.app, access))
    assert flow.refresh(tokens["refresh_token"]).status_code in (400, 401)


def test_the_check_costs_no_query(flow: Flow) -> None:
    """The client and its brand come with the token, in the same query."""
    access = flow.tokens(scope=SCOPE)["access_token"]
    with CaptureQueriesContext(connection) as queries:
        assert api(access, "/api/v1/consent").status_code == 200
    alone = [query["sql"] for query in queries.captured_queries
             if ('"brands_application"' in query["sql"] or '"brands_brand"' in query["sql"])
             and '"consents_accesstoken"' not in query["sql"]]
    assert alone == []


def test_disabling_a_client_ends_its_tokens_in_the_same_transaction(
    flow: Flow, make_app: Callable[..., ClientApp]
) -> None:
    tokens = flow.tokens(scope=SCOPE)
    aggregates = _client_token(flow.app)
    unused_code, verifier = flow.code(scope="contact:read")
    other = make_app(brand=flow.app.application.brand)  # same brand, another client
    other_flow = Flow(client=flow.client, app=other)
    kept = other_flow.tokens(scope="contact:read")["access_token"]

    application_disable(application=flow.app.application, actor=OPERATOR, reason="abuse")

    application = Application.objects.get(pk=flow.app.application.pk)
    assert application.disabled_at is not None
    assert not AccessToken.objects.filter(application=application).exists()
    assert not RefreshToken.objects.filter(application=application, revoked__isnull=True).exists()
    event = AuditEvent.objects.filter(action="brand.client_disabled").get()
    assert event.detail["client_id"] == flow.app.client_id
    assert event.detail["tokens_revoked"] == 3  # access + refresh + the aggregates token
    assert (event.actor_type, event.actor_id) == tuple(OPERATOR)
    assert api(tokens["access_token"], "/api/v1/consent").status_code == 401
    assert api(aggregates, "/api/v1/aggregates?dimension=city").status_code == 401
    assert _not_active(_introspect(flow.app, tokens["access_token"]))
    assert flow.refresh(tokens["refresh_token"]).status_code in (400, 401)
    assert flow.exchange(unused_code, verifier).status_code in (400, 401)
    # The consumer's consent stays (it is theirs to end); the other client is untouched.
    assert Consent.objects.filter(application=application, status="active").exists()
    assert api(kept, "/api/v1/consent").status_code == 200

    # Enabling the client again lets it ask again, but the old tokens stay dead.
    application_enable(application=application, actor=OPERATOR)
    assert AuditEvent.objects.filter(action="brand.client_enabled").count() == 1
    assert api(tokens["access_token"], "/api/v1/consent").status_code == 401
    assert flow.refresh(tokens["refresh_token"]).status_code == 400
    fresh = flow.tokens(scope="contact:read")["access_token"]
    assert api(fresh, "/api/v1/consent").status_code == 200


def test_disabling_a_brand_ends_every_client_of_it(
    flow: Flow, make_app: Callable[..., ClientApp]
) -> None:
    brand = flow.app.application.brand
    tokens = flow.tokens(scope=SCOPE)
    second = make_app(brand=brand)
    second_tokens = Flow(client=flow.client, app=second).tokens(scope="contact:read")
    stranger = make_app()  # another brand
    stranger_token = Flow(client=flow.client, app=stranger).tokens(scope="contact:read")

    brand_disable(brand=brand, actor=OPERATOR)

    assert Brand.objects.get(pk=brand.pk).disabled_at is not None
    event = AuditEvent.objects.filter(action="brand.disabled").get()
    assert event.detail["tokens_revoked"] == 4
    for value in (tokens["access_token"], second_tokens["access_token"]):
        assert api(value, "/api/v1/consent").status_code == 401
    assert _not_active(_introspect(flow.app, tokens["access_token"]))
    assert flow.refresh(tokens["refresh_token"]).status_code in (400, 401)
    # A disabled brand's client cannot start the code flow either.
    page = flow.client.get("/o/authorize/?response_type=code&client_id=" + flow.app.client_id)
    assert page.status_code != 302 or "code=" not in page.get("Location", "")
    assert api(stranger_token["access_token"], "/api/v1/consent").status_code == 200

    brand_enable(brand=brand, actor=OPERATOR)
    assert AuditEvent.objects.filter(action="brand.enabled").count() == 1
    fresh = flow.tokens(scope="contact:read")["access_token"]
    assert api(fresh, "/api/v1/consent").status_code == 200


def test_brand_staff_see_that_their_client_is_disabled(
    app: ClientApp, make_consumer: Callable[..., Any]
) -> None:
    from brands.services import brand_member_add

    staff = make_consumer(email="dev@brand.example")
    brand_member_add(brand=app.application.brand, user=staff, role="developer", actor=OPERATOR)
    browser = Client()
    browser.force_login(staff)
    page = f"/brands/{app.application.brand.slug}/clients/{app.client_id}/"
    assert "Disabled by Sillage" not in browser.get(page).content.decode()
    application_disable(application=app.application, actor=OPERATOR)
    assert "Disabled by Sillage" in browser.get(page).content.decode()
