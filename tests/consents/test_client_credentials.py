"""The client-credentials grant: a confidential brand client gets a short-lived
``aggregates`` token, and nothing else; that token reads the brand's aggregates
and never a consumer's data; a consumer's token never reads aggregates.

Every refusal also asserts that nothing changed (no token issued, no release,
no budget spent, no record written)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from analytics.models import AggregateRelease, PrivacyBudget
from audit.models import AuditEvent
from brands.models import Application
from brands.services import application_secret_rotate
from consents.models import AccessToken, Consent, RefreshToken
from consents.oauth import digest
from core.actors import OPERATOR
from tests.dumps import database_bytes
from tests.factories.analytics import aggregates_state, analytics_population
from tests.factories.brands import REDIRECT_URI, ClientApp
from tests.factories.consents import Flow, api, authorize_url, basic_auth, pkce_pair, query_of
from vault.models import Record

pytestmark = pytest.mark.django_db

AGGREGATES = "/api/v1/aggregates?dimension=city&epsilon=2"
CONSUMER_VALUES = ("camille@example.test", "3 rue des Lilas", "Boulangerie Lune")


def request_token(app: ClientApp, secret: str | None = None, **data: str) -> Any:
    """POST /o/token/ for a client-credentials token, the client in HTTP Basic."""
    body = {"grant_type": "client_credentials", "scope": "aggregates", **data}
    return Client().post("/o/token/", body,
                         HTTP_AUTHORIZATION=basic_auth(app.client_id, secret or app.secret))


def client_token(app: ClientApp) -> str:
    response = request_token(app)
    assert response.status_code == 200, response.content
    return str(response.json()["access_token"])


@pytest.fixture
def app(make_app: Callable[..., ClientApp]) -> ClientApp:
    """The brand's confidential client; it declares analytics (and loyalty for the code flow)."""
    return make_app(purposes=("analytics", "loyalty", "service"))


@pytest.fixture
def lyon(app: ClientApp, settings: Any) -> list[Consent]:
    """24 consumers in Lyon who gave the brand an analytics consent. With
    epsilon 2 and delta 0.01 a cell needs a noisy count of 15 (noise scale 1)."""
    settings.ANALYTICS = {**settings.ANALYTICS, "DELTA": 0.01}
    return analytics_population(application=app.application, count=24, city="Lyon")


# --- the token endpoint --------------------------------------------------------------


def test_a_confidential_client_gets_a_short_aggregates_token_without_refresh(app: ClientApp) -> None:
    before = timezone.now()
    response = request_token(app)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["scope"] == "aggregates"
    assert body["token_type"] == "Bearer"
    assert 0 < body["expires_in"] <= 900
    assert "refresh_token" not in body
    token = AccessToken.objects.get()
    assert (token.consent_id, token.user_id, token.application_id) == (
        None, None, app.application.pk)
    assert token.is_client_token
    assert token.token == ""  # only the digest is stored
    assert token.token_checksum == digest(body["access_token"])
    assert token.expires <= before + dt.timedelta(minutes=15, seconds=5)
    assert not RefreshToken.objects.exists()


def test_without_a_scope_the_token_gets_aggregates(app: ClientApp) -> None:
    response = Client().post("/o/token/", {"grant_type": "client_credentials"},
                             HTTP_AUTHORIZATION=basic_auth(app.client_id, app.secret))
    assert response.status_code == 200, response.content
    assert response.json()["scope"] == "aggregates"


def test_client_secret_in_the_body_works_too(app: ClientApp) -> None:
    response = Client().post("/o/token/", {"grant_type": "client_credentials", "scope": "aggregates",
                                           "client_id": app.client_id,
                                           "client_secret": app.secret})
    assert response.status_code == 200, response.content


@pytest.mark.parametrize(("case", "status", "error"), [
    ("public_client", 400, "unauthorized_client"),
    ("public_client_in_body", 400, "unauthorized_client"),
    ("wrong_secret", 401, "invalid_client"),
    ("unknown_client", 401, "invalid_client"),
    ("disabled_client", 401, "invalid_client"),
    ("facet_scope", 400, "invalid_scope"),
    ("aggregates_and_a_facet", 400, "invalid_scope"),
    ("unknown_scope", 400, "invalid_scope"),
    ("resource_indicator", 400, "invalid_target"),
])
def test_refused_token_requests_issue_nothing(case: str, status: int, error: str, app: ClientApp,
                                              make_app: Callable[..., ClientApp]) -> None:
    public = make_app(confidential=False, purposes=("analytics",))
    client = Client()
    form = {"grant_type": "client_credentials", "scope": "aggregates"}
    auth = basic_auth(app.client_id, app.secret)
    if case == "public_client":
        auth = basic_auth(public.client_id, "")
    elif case == "public_client_in_body":
        auth = ""
        form["client_id"] = public.client_id
    elif case == "wrong_secret":
        auth = basic_auth(app.client_id, "not-the-secret")
    elif case == "unknown_client":
        auth = basic_auth("no-such-client", "whatever")
    elif case == "disabled_client":
        Application.objects.filter(pk=app.application.pk).update(disabled_at=timezone.now())
    elif case == "facet_scope":
        form["scope"] = "contact:read"
    elif case == "aggregates_and_a_facet":
        form["scope"] = "aggregates purchases:read"
    elif case == "unknown_scope":
        form["scope"] = "read write"
    elif case == "resource_indicator":
        form["resource"] = "https://api.example.test/"

    response = client.post("/o/token/", form, **({"HTTP_AUTHORIZATION": auth} if auth else {}))

    assert response.status_code == status, response.content
    assert response.json()["error"] == error
    assert "access_token" not in response.json()
    assert not AccessToken.objects.exists()


def test_the_code_flow_can_never_ask_for_the_aggregates_scope(flow: Flow) -> None:
    _verifier, challenge = pkce_pair()
    for extra in ({}, {"grant_type": "client_credentials"}):
        url = authorize_url(flow.app.client_id, scope="aggregates", challenge=challenge,
                            purpose="analytics", **extra)
        response = flow.client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(REDIRECT_URI)
        assert query_of(response["Location"])["error"] == "invalid_scope"
    assert not Consent.objects.exists()


# --- what each token may call ----------------------------------------------------------


@pytest.mark.parametrize(("method", "path"), [
    ("get", "/api/v1/consent"),
    ("get", "/api/v1/profile"),
    ("get", "/api/v1/facets/contact"),
    ("get", "/api/v1/facets/purchases"),
    ("post", "/api/v1/facets/purchases"),
])
def test_a_client_credentials_token_never_reads_or_writes_consumer_data(
        method: str, path: str, flow: Flow) -> None:
    flow.tokens(scope="contact:read purchases:read purchases:write")  # a live consent exists
    token = client_token(flow.app)
    records = Record.objects.count()
    extra: dict[str, Any] = {}
    if method == "post":
        extra = {"content_type": "application/json",
                 "data": {"data": {"merchant": "X", "amount": "1.00", "currency": "EUR"}}}

    response = api(token, path, method=method, **extra)

    assert response.status_code == 403, response.content
    assert response.json()["error"] == "insufficient_scope"
    assert "aggregates" in response.json()["detail"]
    body = response.content.decode()
    for value in CONSUMER_VALUES:
        assert value not in body
    assert Record.objects.count() == records


def test_aggregates_by_caller(flow: Flow, lyon: list[Consent], app: ClientApp) -> None:
    """The matrix: only a live client-credentials token of a usable client gets figures."""
    code_flow = flow.tokens(scope="contact:read purchases:read")["access_token"]
    revoked = client_token(app)
    revocation = Client().post("/o/revoke_token/",
                               {"token": revoked, "token_type_hint": "access_token"},
                               HTTP_AUTHORIZATION=basic_auth(app.client_id, app.secret))
    assert revocation.status_code == 200
    expired = client_token(app)
    AccessToken.objects.filter(token_checksum=digest(expired)).update(
        expires=timezone.now() - dt.timedelta(seconds=1))
    cases = [
        (None, 401, "invalid_token"),
        ("not-a-token", 401, "invalid_token"),
        (code_flow, 403, "insufficient_scope"),
        (revoked, 401, "invalid_token"),
        (expired, 401, "invalid_token"),
    ]
    for token, status, error in cases:
        before = aggregates_state()
        response = api(token, AGGREGATES)
        assert response.status_code == status, (token, response.content)
        assert response.json()["error"] == error
        assert response.json()["detail"]
        assert aggregates_state() == before  # nothing released, nothing spent
        if status == 401:
            assert response["WWW-Authenticate"].startswith("Bearer")

    response = api(client_token(app), AGGREGATES)
    assert response.status_code == 200, response.content
    body = response.json()
    assert [cell["segment"] for cell in body["cells"]] == ["Lyon"]
    assert body["privacy"]["budget_remaining"] == "8.0000"
    [event] = AuditEvent.objects.filter(action="aggregate.released")
    assert (event.actor_type, event.actor_id) == ("brand_application", app.client_id)
    assert AggregateRelease.objects.get().requested_by == app.client_id


def test_a_brand_sees_only_its_own_aggregates(app: ClientApp, lyon: list[Consent],
                                              make_app: Callable[..., ClientApp]) -> None:
    other = make_app(purposes=("analytics",))
    analytics_population(application=other.application, count=24, city="Paris")
    mine = api(client_token(app), AGGREGATES).json()
    theirs = api(client_token(other), AGGREGATES).json()
    assert [cell["segment"] for cell in mine["cells"]] == ["Lyon"]
    assert [cell["segment"] for cell in theirs["cells"]] == ["Paris"]
    assert {release.brand_id for release in AggregateRelease.objects.all()} == {
        app.application.brand_id, other.application.brand_id}
    spent = {budget.brand_id: str(budget.spent_epsilon) for budget in PrivacyBudget.objects.all()}
    assert spent == {app.application.brand_id: "2.0000", other.application.brand_id: "2.0000"}


def test_an_exhausted_budget_is_refused_through_the_token(app: ClientApp, settings: Any) -> None:
    settings.ANALYTICS = {**settings.ANALYTICS, "BRAND_EPSILON_BUDGET": 2.0}
    token = client_token(app)
    assert api(token, AGGREGATES).status_code == 200
    response = api(token, "/api/v1/aggregates?dimension=age_band&epsilon=1")
    assert response.status_code == 403
    assert response.json()["error"] == "privacy_budget_exhausted"
    assert AggregateRelease.objects.count() == 1


def test_a_disabled_client_loses_its_token(app: ClientApp) -> None:
    token = client_token(app)
    Application.objects.filter(pk=app.application.pk).update(disabled_at=timezone.now())
    response = api(token, AGGREGATES)
    assert response.status_code == 401
    assert not AggregateRelease.objects.exists()


def test_rotating_the_secret_ends_client_tokens_but_not_consumers_tokens(flow: Flow) -> None:
    consumer_token = flow.tokens(scope="contact:read")["access_token"]
    token = client_token(flow.app)
    application_secret_rotate(application=flow.app.application, actor=OPERATOR)
    assert api(token, AGGREGATES).status_code == 401
    assert api(consumer_token, "/api/v1/consent").status_code == 200
    event = AuditEvent.objects.filter(action="brand.client_secret_rotated").get()
    assert event.detail["client_tokens_revoked"] == 1
    assert request_token(flow.app).status_code == 401  # the old secret is dead


# --- introspection, revocation, storage ------------------------------------------------------


def test_introspection_describes_a_client_token_to_its_client_only(
        app: ClientApp, make_app: Callable[..., ClientApp]) -> None:
    token = client_token(app)
    answer = Client().post("/o/introspect/", {"token": token},
                           HTTP_AUTHORIZATION=basic_auth(app.client_id, app.secret)).json()
    assert answer["active"] is True
    assert answer["scope"] == "aggregates"
    assert answer["client_id"] == answer["sub"] == app.client_id
    assert "consent_id" not in answer
    assert answer["exp"] - answer["iat"] <= 900
    other = make_app(purposes=("analytics",))
    assert Client().post("/o/introspect/", {"token": token},
                         HTTP_AUTHORIZATION=basic_auth(other.client_id, other.secret)).json() == {
        "active": False}
    AccessToken.objects.update(expires=timezone.now() - dt.timedelta(seconds=1))
    assert Client().post("/o/introspect/", {"token": token},
                         HTTP_AUTHORIZATION=basic_auth(app.client_id, app.secret)).json() == {
        "active": False}


def test_revocation_ends_a_client_token_and_only_its_client_may_revoke_it(
        app: ClientApp, make_app: Callable[..., ClientApp]) -> None:
    token = client_token(app)
    other = make_app(purposes=("analytics",))
    response = Client().post("/o/revoke_token/", {"token": token},
                             HTTP_AUTHORIZATION=basic_auth(other.client_id, other.secret))
    assert response.status_code == 200  # RFC 7009: no disclosure...
    assert AccessToken.objects.count() == 1  # ...and nothing revoked
    response = Client().post("/o/revoke_token/", {"token": token},
                             HTTP_AUTHORIZATION=basic_auth(app.client_id, app.secret))
    assert response.status_code == 200
    assert not AccessToken.objects.exists()
    assert Client().post("/o/introspect/", {"token": token},
                         HTTP_AUTHORIZATION=basic_auth(app.client_id, app.secret)).json() == {
        "active": False}
    assert api(token, AGGREGATES).status_code == 401


def test_the_database_holds_no_client_credentials_token_in_clear(app: ClientApp) -> None:
    token = client_token(app)
    assert api(token, AGGREGATES).status_code == 200
    other = request_token(app).json()["access_token"]
    dump = database_bytes()
    for value in (token, other, app.secret):
        assert value is not None
        assert value.encode() not in dump
    assert digest(token).encode() in dump  # what is stored instead


def test_aggregates_are_rate_limited_per_client(app: ClientApp, settings: Any) -> None:
    settings.BRANDS = {**settings.BRANDS, "RATE_LIMIT": "1/min"}
    token = client_token(app)
    assert api(token, AGGREGATES).status_code == 200
    before = aggregates_state()
    response = api(token, "/api/v1/aggregates?dimension=age_band")
    assert response.status_code == 429
    assert response.json()["error"] == "rate_limited"
    assert aggregates_state() == before


def test_the_credentials_sweep_deletes_expired_client_tokens(app: ClientApp) -> None:
    from consents.tasks import clear_expired_credentials

    live, expired = client_token(app), client_token(app)
    AccessToken.objects.filter(token_checksum=digest(expired)).update(
        expires=timezone.now() - dt.timedelta(days=1))
    clear_expired_credentials()
    assert list(AccessToken.objects.values_list("token_checksum", flat=True)) == [digest(live)]
