"""Consents: a granted consent, tokens for it, and the OAuth code flow walked
with Django's test client as the consumer and the brand would."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from django.test import Client
from django.utils import timezone
from oauth2_provider.models import set_token_value

from accounts.models import User
from brands.models import Application
from consents.models import AccessToken, Consent
from consents.scopes import parse_scopes
from consents.services import consent_grant

from .accounts import client_for
from .brands import REDIRECT_URI, ClientApp


def grant_consent(*, consumer: User, application: Application,
                  facets: Mapping[str, Sequence[str]], purpose: str = "service",
                  days: int = 90) -> Consent:
    """A consent of ``consumer`` to ``application`` for ``purpose``, lasting
    ``days``, recorded through consent_grant (as the consent screen does)."""
    return consent_grant(consumer=consumer, application=application, facets=facets,
                         purpose=purpose, expires_at=timezone.now() + dt.timedelta(days=days))


def issue_token(*, application: Application, consent: Consent | None = None,
                user: User | None = None, scope: str = "",
                minutes: int = 15) -> tuple[str, AccessToken]:
    """An access token as the authorization server stores it (its digest only):
    for ``consent`` (its scope unless ``scope`` is given) or, without one, a
    client's own token. Returns the raw token and the stored row."""
    raw = secrets.token_urlsafe(32)
    token = AccessToken(user=user, application=application, consent=consent,
                        scope=scope or (consent.scope if consent is not None else ""),
                        expires=timezone.now() + dt.timedelta(minutes=minutes), resource=[])
    set_token_value(token, raw)
    token.save()
    return raw, token


def oauth_tokens(*, consumer: User, app: ClientApp, scope: str, **flow: Any) -> dict[str, Any]:
    """Access and refresh tokens of ``app`` for ``consumer``, through the whole
    code flow (consent screen included) in a browser logged in as the consumer."""
    return Flow(client=client_for(user=consumer), app=app).tokens(scope=scope, **flow)


def pkce_pair() -> tuple[str, str]:
    """A PKCE code verifier and its S256 challenge."""
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    challenge = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    return verifier, challenge


def authorize_url(client_id: str, *, scope: str, purpose: str | None = "loyalty",
                  duration_days: int | None = 30, challenge: str | None = None,
                  method: str = "S256", state: str = "xyz", **extra: str) -> str:
    """The /o/authorize/ URL a brand sends the consumer to (None leaves a parameter out)."""
    params: dict[str, Any] = {"response_type": "code", "client_id": client_id,
                              "redirect_uri": REDIRECT_URI, "scope": scope, "state": state}
    if purpose is not None:
        params["purpose"] = purpose
    if duration_days is not None:
        params["duration_days"] = duration_days
    if challenge is not None:
        params["code_challenge"] = challenge
        params["code_challenge_method"] = method
    params.update(extra)
    return "/o/authorize/?" + urlencode(params)


def query_of(location: str) -> dict[str, str]:
    """The query parameters of a redirect, one value each."""
    return {key: values[0] for key, values in parse_qs(urlsplit(location).query).items()}


def consent_form(requested: dict[str, list[str]], days: int, **choices: str) -> dict[str, str]:
    """The POST body of the consent screen with every facet ticked (override with choices)."""
    data = {"consent_days": str(days), "allow": "1"}
    for facet, modes in requested.items():
        data[f"share_{facet}"] = "on"
        if "read" in modes and "write" in modes:
            data[f"write_{facet}"] = "on"
    data.update(choices)
    return {key: value for key, value in data.items() if value is not None}


@dataclass
class Flow:
    """Walk the code flow with the test client as the logged-in consumer."""

    client: Client
    app: ClientApp

    def code(self, *, scope: str, purpose: str = "loyalty", days: int = 30,
             form: dict[str, str] | None = None) -> tuple[str, str]:
        verifier, challenge = pkce_pair()
        url = authorize_url(self.app.client_id, scope=scope, purpose=purpose, duration_days=days,
                            challenge=challenge)
        page = self.client.get(url)
        assert page.status_code == 200, page.content[:500]
        body = form if form is not None else consent_form(parse_scopes(scope.split()), days)
        answer = self.client.post(url, body)
        assert answer.status_code == 302, answer.content[:2000]
        params = query_of(answer["Location"])
        assert "code" in params, answer["Location"]
        return params["code"], verifier

    def token(self, code: str, verifier: str) -> dict[str, Any]:
        response = self.exchange(code, verifier)
        assert response.status_code == 200, response.content
        return response.json()

    def exchange(self, code: str, verifier: str) -> Any:
        data = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI,
                "code_verifier": verifier, "client_id": self.app.client_id}
        if self.app.secret:
            data["client_secret"] = self.app.secret
        return Client().post("/o/token/", data)

    def refresh(self, refresh_token: str) -> Any:
        data = {"grant_type": "refresh_token", "refresh_token": refresh_token,
                "client_id": self.app.client_id}
        if self.app.secret:
            data["client_secret"] = self.app.secret
        return Client().post("/o/token/", data)

    def tokens(self, *, scope: str, **kwargs: Any) -> dict[str, Any]:
        code, verifier = self.code(scope=scope, **kwargs)
        return self.token(code, verifier)


def basic_auth(client_id: str, secret: str | None) -> str:
    """The HTTP Basic ``Authorization`` value of an OAuth client (no secret: empty)."""
    return "Basic " + base64.b64encode(f"{client_id}:{secret or ''}".encode()).decode()


def api(token: str | None, path: str, method: str = "get", **kwargs: Any) -> Any:
    """Call the brand API as a brand would, with ``token`` as its bearer token."""
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    return getattr(Client(), method)(path, **headers, **kwargs)
