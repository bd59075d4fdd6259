"""Crafted requests to the authorization server (a red-team review's
findings): every one gets the OAuth error JSON, never a 500, and issues nothing.

oauthlib exposes every query and body parameter as an attribute of its request
object: a parameter named like the state the glue keeps on that object
(``sillage_grant``, ``sillage_consent``...) must not be read as that state."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from consents.models import AccessToken, Consent, RefreshToken
from tests.factories.brands import REDIRECT_URI, ClientApp
from tests.factories.consents import Flow, basic_auth, pkce_pair

pytestmark = pytest.mark.django_db

STATE = ("sillage_grant", "sillage_consent", "sillage_client_grant", "sillage_decision")


def _issued() -> tuple[int, int, int]:
    return AccessToken.objects.count(), RefreshToken.objects.count(), Consent.objects.count()


def _oauth_error(response: Any, *errors: str) -> None:
    assert response.status_code in (400, 401), response.content
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["error"] in errors


@pytest.mark.parametrize("name", STATE)
def test_state_named_parameters_on_a_code_exchange(flow: Flow, name: str) -> None:
    code, verifier = flow.code(scope="contact:read")
    before = _issued()
    response = Client().post("/o/token/", {
        "grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI,
        "code_verifier": verifier, "client_id": flow.app.client_id,
        "client_secret": flow.app.secret, name: "x",
    })
    # The parameter is ignored: the exchange goes on as without it.
    assert response.status_code == 200, response.content
    assert _issued() == (before[0] + 1, before[1] + 1, before[2])


@pytest.mark.parametrize("name", STATE)
def test_state_named_parameters_on_a_bad_code(flow: Flow, name: str) -> None:
    _verifier, _challenge = pkce_pair()
    before = _issued()
    response = Client().post("/o/token/", {
        "grant_type": "authorization_code", "code": "nope", "redirect_uri": REDIRECT_URI,
        "code_verifier": _verifier, name: "x",
    }, HTTP_AUTHORIZATION=basic_auth(flow.app.client_id, flow.app.secret))
    _oauth_error(response, "invalid_grant")
    assert _issued() == before


@pytest.mark.parametrize("name", STATE)
def test_state_named_parameters_on_a_refresh(flow: Flow, name: str) -> None:
    tokens = flow.tokens(scope="contact:read")
    before = _issued()
    response = Client().post("/o/token/", {
        "grant_type": "refresh_token", "refresh_token": tokens["refresh_token"],
        "client_id": flow.app.client_id, "client_secret": flow.app.secret, name: "x",
    })
    assert response.status_code == 200, response.content
    assert response.json()["refresh_token"] != tokens["refresh_token"]
    assert _issued()[2] == before[2]


@pytest.mark.parametrize("name", STATE)
def test_state_named_parameters_on_client_credentials(app: ClientApp, name: str) -> None:
    before = _issued()
    response = Client().post("/o/token/", {"grant_type": "client_credentials",
                                           "scope": "contact:read", name: "x"},
                             HTTP_AUTHORIZATION=basic_auth(app.client_id, app.secret))
    _oauth_error(response, "invalid_scope")
    assert _issued() == before


def test_repeated_parameters_are_read_as_their_last_value(app: ClientApp) -> None:
    response = Client().generic("POST", "/o/token/",
                                b"grant_type=authorization_code&grant_type=client_credentials"
                                b"&scope=contact:read&scope=aggregates",
                                content_type="application/x-www-form-urlencoded",
                                HTTP_AUTHORIZATION=basic_auth(app.client_id, app.secret))
    assert response.status_code == 200, response.content
    assert response.json()["scope"] == "aggregates"


@pytest.mark.parametrize("body", [
    b"grant_type=client_credentials&scope=\xff\xfe",
    b"grant_type=\xff&scope=",
    b"grant_type=client_credentials&scope=&client_id=a%00b",
    b"grant_type=authorization_code&code=%00&redirect_uri=%00&code_verifier=%00",
    b"grant_type=refresh_token&refresh_token=%00",
    b"\x00\x01\x02",
])
def test_malformed_bodies(app: ClientApp, body: bytes) -> None:
    before = _issued()
    response = Client().generic("POST", "/o/token/", body,
                                content_type="application/x-www-form-urlencoded",
                                HTTP_AUTHORIZATION=basic_auth(app.client_id, app.secret))
    # oauthlib names a client id in the body that is not the authenticated
    # one "server_error", with a 400: a refusal all the same.
    _oauth_error(response, "invalid_request", "invalid_grant", "invalid_scope",
                 "unsupported_grant_type", "server_error")
    assert _issued() == before


@pytest.mark.parametrize("client_id", ["a\x00b", "\x00"])
def test_a_nul_in_the_client_id(app: ClientApp, client_id: str) -> None:
    before = _issued()
    response = Client().post("/o/token/", {"grant_type": "client_credentials",
                                           "scope": "aggregates", "client_id": client_id,
                                           "client_secret": "x"})
    _oauth_error(response, "invalid_client", "invalid_request")
    assert _issued() == before
    response = Client().post("/o/token/", {"grant_type": "client_credentials",
                                           "scope": "aggregates"},
                             HTTP_AUTHORIZATION=basic_auth(client_id, "x"))
    _oauth_error(response, "invalid_client", "invalid_request")
    assert _issued() == before


def test_a_nul_in_a_client_id_elsewhere(app: ClientApp, consumer: Any, make_staff: Any) -> None:
    """The same NUL where other views look a client up: a 404, a refusal or
    the consent screen's error, never PostgreSQL's DataError."""
    staff = make_staff(app.brand)
    portal = Client()
    portal.force_login(staff)
    assert portal.get(f"/brands/{app.brand.slug}/clients/a%00b/").status_code == 404
    browser = Client()
    browser.force_login(consumer)
    authorize = browser.get("/o/authorize/?response_type=code&client_id=a%00b&scope=contact:read"
                            "&purpose=loyalty&duration_days=3")
    assert authorize.status_code in (302, 400)
    introspect = Client().post("/o/introspect/", {"token": "x"},
                               HTTP_AUTHORIZATION=basic_auth("a\x00b", "x"))
    assert introspect.status_code == 401
