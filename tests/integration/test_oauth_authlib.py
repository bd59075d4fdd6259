"""The whole flow with an independent OAuth 2 client library (Authlib) against
a live server, with a client made by ``brand_client_create``: authorization
code + PKCE, granted facets read, others refused, refresh, a replayed refresh
token refused, and the brand cut off at once when the consumer revokes at
/consents/. The consumer's side runs in Django's test client on the same
database."""

from __future__ import annotations

from typing import Any

import pytest
from authlib.integrations.requests_client import OAuth2Session
from authlib.oauth2.rfc7636 import create_s256_code_challenge
from django.test import Client

from consents.models import Consent
from tests.dumps import database_bytes
from tests.factories.accounts import client_for
from tests.factories.brands import REDIRECT_URI, register_client_by_command
from tests.factories.vault import fill_vault

pytestmark = pytest.mark.django_db(transaction=True)


def _consent_screen(browser: Client, authorize_url: str) -> str:
    """The consumer ticks what is asked and answers; returns the redirect the brand gets."""
    path = authorize_url.split("://", 1)[1].split("/", 1)[1]
    page = browser.get("/" + path)
    assert page.status_code == 200, page.content[:300]
    answer = browser.post("/" + path, {"share_contact": "on", "share_purchases": "on",
                                       "consent_days": "30", "allow": "1"})
    assert answer.status_code == 302
    return answer["Location"]


def test_authlib_full_flow(live_server: Any, make_consumer: Any) -> None:
    credentials = register_client_by_command()
    assert set(credentials) >= {"client_id", "client_secret"}
    consumer = make_consumer(email="camille.durand@example.test")
    fill_vault(user=consumer)
    browser = client_for(user=consumer)

    base = live_server.url
    session = OAuth2Session(
        client_id=credentials["client_id"], client_secret=credentials["client_secret"],
        scope="contact:read purchases:read", redirect_uri=REDIRECT_URI,
        code_challenge_method="S256", token_endpoint_auth_method="client_secret_basic",
    )
    verifier = "v" * 20 + "erifier-" + "x" * 30
    url, state = session.create_authorization_url(
        f"{base}/o/authorize/", code_verifier=verifier, purpose="loyalty", duration_days=30,
    )
    assert "code_challenge=" + create_s256_code_challenge(verifier) in url
    callback = _consent_screen(browser, url)
    assert callback.startswith(REDIRECT_URI)

    token = session.fetch_token(f"{base}/o/token/", authorization_response=callback,
                                code_verifier=verifier)
    assert token["scope"] == "contact:read purchases:read"
    assert token["expires_in"] <= 900

    contact = session.get(f"{base}/api/v1/facets/contact")
    assert contact.status_code == 200
    assert contact.json()["value"]["email"] == "camille@example.test"
    purchases = session.get(f"{base}/api/v1/facets/purchases")
    assert len(purchases.json()["items"]) == 3
    refused = session.get(f"{base}/api/v1/facets/birthdate")
    assert refused.status_code == 403
    assert refused.json()["error"] == "facet_not_consented"

    first_refresh = token["refresh_token"]
    renewed = session.refresh_token(f"{base}/o/token/", refresh_token=first_refresh)
    assert renewed["refresh_token"] != first_refresh
    assert session.get(f"{base}/api/v1/facets/contact").status_code == 200

    # A replayed (already rotated) refresh token is refused and burns the family.
    replayer = OAuth2Session(client_id=credentials["client_id"],
                             client_secret=credentials["client_secret"])
    with pytest.raises(Exception, match="invalid_grant"):
        replayer.refresh_token(f"{base}/o/token/", refresh_token=first_refresh)
    assert session.get(f"{base}/api/v1/facets/contact").status_code == 401

    # A new authorization; then the consumer revokes in the portal: cut off at once.
    session = OAuth2Session(
        client_id=credentials["client_id"], client_secret=credentials["client_secret"],
        scope="contact:read purchases:read", redirect_uri=REDIRECT_URI,
        code_challenge_method="S256",
    )
    url, _state = session.create_authorization_url(
        f"{base}/o/authorize/", code_verifier=verifier, purpose="loyalty", duration_days=30,
    )
    session.fetch_token(f"{base}/o/token/", authorization_response=_consent_screen(browser, url),
                        code_verifier=verifier)
    assert session.get(f"{base}/api/v1/facets/contact").status_code == 200
    consent = Consent.objects.order_by("-granted_at").first()
    assert browser.post(f"/consents/{consent.pk}/revoke/").status_code == 302
    after = session.get(f"{base}/api/v1/facets/contact")
    assert after.status_code == 401
    assert after.json()["error"] == "invalid_token"

    dump = database_bytes()
    for value in (credentials["client_secret"], token["access_token"], token["refresh_token"],
                  renewed["access_token"], renewed["refresh_token"]):
        assert value.encode() not in dump


def test_authlib_pkce_plain_is_refused(live_server: Any, make_consumer: Any) -> None:
    credentials = register_client_by_command()
    browser = client_for(user=make_consumer())
    session = OAuth2Session(client_id=credentials["client_id"], scope="contact:read",
                            redirect_uri=REDIRECT_URI, code_challenge_method="plain")
    url, _state = session.create_authorization_url(
        f"{live_server.url}/o/authorize/", code_verifier="p" * 50, purpose="loyalty",
        duration_days=30,
    )
    response = browser.get("/" + url.split("://", 1)[1].split("/", 1)[1])
    assert response.status_code == 302
    assert "error=invalid_request" in response["Location"]
    assert Consent.objects.count() == 0


def test_authlib_missing_purpose_is_refused(live_server: Any, make_consumer: Any) -> None:
    credentials = register_client_by_command()
    browser = client_for(user=make_consumer())
    session = OAuth2Session(client_id=credentials["client_id"], scope="contact:read",
                            redirect_uri=REDIRECT_URI, code_challenge_method="S256")
    url, _state = session.create_authorization_url(f"{live_server.url}/o/authorize/",
                                                   code_verifier="s" * 50)
    response = browser.get("/" + url.split("://", 1)[1].split("/", 1)[1])
    assert "error=invalid_request" in response["Location"]
    assert "purpose+is+required" in response["Location"]
