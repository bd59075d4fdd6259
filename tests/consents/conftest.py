"""Factories for the OAuth flow: brands, clients, consumers with data, and a
driver that walks the consent screen with Django's test client."""

from __future__ import annotations

import base64
import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.test import Client

from accounts.models import User
from brands.models import Application, Brand
from brands.services import OPERATOR, application_create, brand_create
from tests.dumps import database_bytes  # noqa: F401 - re-exported for the tests here
from vault.services import record_write

REDIRECT_URI = "https://brand.example/callback"


@dataclass
class ClientApp:
    application: Application
    secret: str | None

    @property
    def client_id(self) -> str:
        return self.application.client_id


@pytest.fixture
def make_brand(db: None) -> Callable[..., Brand]:
    counter = iter(range(1, 10_000))

    def make(name: str | None = None, verified: bool = True) -> Brand:
        return brand_create(name=name or f"Brand {next(counter)}", actor=OPERATOR, verified=verified)

    return make


@pytest.fixture
def make_app(make_brand: Callable[..., Brand]) -> Callable[..., ClientApp]:
    def make(brand: Brand | None = None, confidential: bool = True,
             purposes: Any = ("loyalty", "personalisation", "service")) -> ClientApp:
        issued = application_create(
            brand=brand or make_brand(), name="Test app", redirect_uris=[REDIRECT_URI],
            purposes=list(purposes), actor=OPERATOR, confidential=confidential,
        )
        return ClientApp(issued.application, issued.client_secret)

    return make


@pytest.fixture
def app(make_app: Callable[..., ClientApp]) -> ClientApp:
    return make_app()


def fill_vault(user: User) -> None:
    """A consumer with one value in most facets and three purchases."""
    actor = ("consumer", str(user.vault.subject))
    vault = user.vault
    record_write(vault=vault, facet="contact", data={"email": "camille@example.test",
                                                     "phone": "+33 6 12 34 56 78"},
                 source="self", actor=actor)
    record_write(vault=vault, facet="birthdate", data={"date": "1990-05-17"}, source="self",
                 actor=actor)
    record_write(vault=vault, facet="address", data={"line1": "3 rue des Lilas", "postcode": "75011",
                                                     "city": "Paris", "country": "FR"},
                 source="self", actor=actor)
    record_write(vault=vault, facet="identity", data={"given_name": "Camille",
                                                      "family_name": "Durand"},
                 source="self", actor=actor)
    for day, merchant, category, amount in (
        ("2026-01-03T10:00:00Z", "Boulangerie Lune", "groceries", "4.20"),
        ("2026-02-10T18:30:00Z", "Cinéma Étoile", "leisure", "11.50"),
        ("2026-03-21T12:15:00Z", "Boulangerie Lune", "groceries", "6.80"),
    ):
        record_write(vault=vault, facet="purchases", occurred_at=day, source="Boulangerie Lune",
                     data={"merchant": merchant, "category": category, "amount": amount,
                           "currency": "EUR"}, actor=actor)


@pytest.fixture
def filled_consumer(make_consumer: Callable[..., User]) -> User:
    user = make_consumer(email="camille.durand@example.test")
    fill_vault(user)
    return user


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def authorize_url(client_id: str, *, scope: str, purpose: str | None = "loyalty",
                  duration_days: int | None = 30, challenge: str | None = None,
                  method: str = "S256", state: str = "xyz", **extra: str) -> str:
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
        from consents.scopes import parse_scopes

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


@pytest.fixture
def flow(client: Client, filled_consumer: User, app: ClientApp) -> Flow:
    client.force_login(filled_consumer)
    return Flow(client=client, app=app)


def api(token: str | None, path: str, method: str = "get", **kwargs: Any) -> Any:
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    return getattr(Client(), method)(path, **headers, **kwargs)


