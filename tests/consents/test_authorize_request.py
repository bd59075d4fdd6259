"""The authorize endpoint refuses what RFC 9700 and the consent rules forbid, before
any consent screen: no PKCE, PKCE plain, unknown scopes, missing purpose or
duration, undeclared purpose, implicit grant, inexact redirect URIs."""

from __future__ import annotations

import pytest
from django.test import Client

from consents.models import Consent, Grant
from tests.factories.brands import REDIRECT_URI, ClientApp
from tests.factories.consents import authorize_url, pkce_pair, query_of

# ``logged_in`` is Camille's browser; the consent screen previews her vault.
pytestmark = pytest.mark.usefixtures("filled_consumer")


def _error(response: object) -> dict[str, str]:
    assert response.status_code == 302, response.content[:300]
    assert response["Location"].startswith(REDIRECT_URI)
    return query_of(response["Location"])


def test_a_complete_request_shows_the_consent_screen(logged_in: Client, app: ClientApp) -> None:
    _verifier, challenge = pkce_pair()
    response = logged_in.get(authorize_url(app.client_id, scope="contact:read", challenge=challenge))
    assert response.status_code == 200
    page = response.content.decode()
    assert "camille@example.test" in page  # the preview shows the exact value
    assert app.application.brand.name in page


@pytest.mark.parametrize(
    ("changes", "error", "says"),
    [
        ({"challenge": None}, "invalid_request", "Code challenge required"),
        ({"method": "plain"}, "invalid_request", "S256"),
        ({"challenge": "too-short"}, "invalid_request", "code_challenge"),
        ({"challenge": "A" * 129}, "invalid_request", "code_challenge"),
        ({"challenge": "A" * 42 + "/"}, "invalid_request", "code_challenge"),
        ({"challenge": "A" * 40 + "a b"}, "invalid_request", "code_challenge"),
        ({"purpose": None}, "invalid_request", "purpose is required"),
        ({"purpose": "surveillance"}, "invalid_request", "purpose is required"),
        ({"purpose": "marketing"}, "invalid_request", "not declared by this client"),
        ({"duration_days": None}, "invalid_request", "duration_days is required"),
        ({"duration_days": 0}, "invalid_request", "duration_days must be between 1 and 365"),
        ({"duration_days": 400}, "invalid_request", "duration_days must be between 1 and 365"),
        ({"scope": "contact:read wallet:read"}, "invalid_scope", ""),
        ({"scope": "age_band:write"}, "invalid_scope", ""),
        ({"scope": ""}, "invalid_scope", "scope is required"),
    ],
)
def test_refused_requests_go_back_with_a_clear_error(
    logged_in: Client, app: ClientApp, changes: dict, error: str, says: str
) -> None:
    _verifier, challenge = pkce_pair()
    arguments = {"scope": "contact:read", "challenge": challenge, **changes}
    if arguments["challenge"] and changes.get("method") == "plain":
        arguments["challenge"] = "x" * 50
    response = logged_in.get(authorize_url(app.client_id, **arguments))
    params = _error(response)
    assert params["error"] == error
    assert says in params.get("error_description", "")
    assert params["state"] == "xyz"
    assert Consent.objects.count() == 0


def test_plain_pkce_is_refused_on_the_answer_too(logged_in: Client, app: ClientApp) -> None:
    url = authorize_url(app.client_id, scope="contact:read", challenge="p" * 50, method="plain")
    response = logged_in.post(url, {"share_contact": "on", "consent_days": "30", "allow": "1"})
    assert query_of(response["Location"])["error"] == "invalid_request"
    assert Consent.objects.count() == 0
    assert Grant.objects.count() == 0


def test_implicit_grant_does_not_exist(logged_in: Client, app: ClientApp) -> None:
    _verifier, challenge = pkce_pair()
    url = authorize_url(app.client_id, scope="contact:read", challenge=challenge,
                        response_type="token")
    response = logged_in.get(url)
    assert query_of(response["Location"])["error"] in {"unsupported_response_type",
                                                       "unauthorized_client"}


@pytest.mark.parametrize(
    "redirect_uri",
    [REDIRECT_URI + "/", REDIRECT_URI + "?x=1", "https://brand.example/callback2",
     "https://evil.example/callback", "http://brand.example/callback"],
)
def test_redirect_uri_must_match_exactly(logged_in: Client, app: ClientApp, redirect_uri: str) -> None:
    _verifier, challenge = pkce_pair()
    url = authorize_url(app.client_id, scope="contact:read", challenge=challenge,
                        redirect_uri=redirect_uri)
    response = logged_in.get(url)
    assert response.status_code == 400  # shown to the user, never redirected
    assert "Location" not in response


def test_unknown_client_is_shown_not_redirected(logged_in: Client) -> None:
    _verifier, challenge = pkce_pair()
    response = logged_in.get(authorize_url("nope", scope="contact:read", challenge=challenge))
    assert response.status_code in (400, 401)
    assert "Location" not in response


def test_anonymous_visitor_is_sent_to_log_in(client: Client, app: ClientApp) -> None:
    _verifier, challenge = pkce_pair()
    url = authorize_url(app.client_id, scope="contact:read", challenge=challenge)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


# client_credentials exists, for the `aggregates` scope only: test_client_credentials.py.
@pytest.mark.parametrize("grant_type", ["password", "implicit"])
def test_other_grants_are_refused_at_the_token_endpoint(app: ClientApp, grant_type: str) -> None:
    response = Client().post("/o/token/", {"grant_type": grant_type, "username": "a",
                                           "password": "b", "client_id": app.client_id,
                                           "client_secret": app.secret})
    assert response.status_code == 400
    assert response.json()["error"] == "unsupported_grant_type"


@pytest.mark.parametrize("challenge", ["A" * 43, "a-b.c_d~" * 16])
def test_a_well_formed_challenge_is_accepted(logged_in: Client, app: ClientApp,
                                             challenge: str) -> None:
    response = logged_in.get(authorize_url(app.client_id, scope="contact:read",
                                           challenge=challenge))
    assert response.status_code == 200


def test_a_malformed_challenge_is_refused_on_the_answer_too(logged_in: Client,
                                                             app: ClientApp) -> None:
    url = authorize_url(app.client_id, scope="contact:read", challenge="=" * 43)
    response = logged_in.post(url, {"share_contact": "on", "consent_days": "30", "allow": "1"})
    assert query_of(response["Location"])["error"] == "invalid_request"
    assert Consent.objects.count() == 0
    assert Grant.objects.count() == 0
