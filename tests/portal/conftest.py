"""Helpers for portal tests: drive the site as a browser would, through the
test client, with the real services underneath."""

from __future__ import annotations

import base64
import io
import time
from collections.abc import Callable, Iterator

import pytest
from cryptography.hazmat.primitives.hashes import SHA1
from cryptography.hazmat.primitives.twofactor.totp import TOTP
from django.core.cache import cache
from django.test import Client

from accounts.models import User
from accounts.services import totp_begin, totp_confirm, totp_secret
from core.actors import account_actor
from tests.conftest import PASSWORD
from tests.consents.conftest import (  # noqa: F401 - the OAuth factories, shared
    app,
    filled_consumer,
    flow,
    make_app,
    make_brand,
)
from vault.services import vault_import


@pytest.fixture(autouse=True)
def _fresh_throttle() -> Iterator[None]:
    """Log-in failure counters live in the cache: each test starts clean."""
    cache.clear()
    yield
    cache.clear()


def totp_code(user: User, at: float | None = None) -> str:
    """The code an authenticator app would show now for this account."""
    secret = totp_secret(user)
    assert secret is not None
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    # RFC 6238 authenticator apps use HMAC-SHA1; that is what they would compute.
    generator = TOTP(key, 6, SHA1(), 30, enforce_key_length=False)  # noqa: S303
    return generator.generate(int(time.time() if at is None else at)).decode()


def enable_two_factor(user: User) -> list[str]:
    """Turn 2FA on through the services; returns the recovery codes."""
    totp_begin(user=user)
    codes = totp_confirm(user=user, code=totp_code(user, time.time() - 30))
    assert codes is not None
    return codes


def log_in(client: Client, email: str, password: str = PASSWORD, **extra: object):
    return client.post("/accounts/login/", {"email": email, "password": password}, **extra)


def import_json(user: User, records: list[dict], source: str = "Maison Laurent") -> None:
    import json

    vault_import(
        vault=user.vault,
        source=source,
        stream=io.BytesIO(json.dumps({"records": records}).encode()),
        actor=account_actor(user),
        filename="export.json",
    )


PURCHASES_CSV = (
    "occurred_at,merchant,category,description,amount,currency,channel\n"
    "2026-01-14T10:30:00Z,Maison Laurent,clothing,Linen shirt,59.90,EUR,store\n"
    "2026-02-02T18:05:00Z,Boulangerie Ginette,food,Croissants,4.20,EUR,store\n"
)


@pytest.fixture
def logged_in(client: Client, consumer: User) -> Client:
    client.force_login(consumer)
    return client


@pytest.fixture
def with_data(consumer: User) -> Callable[[], None]:
    def fill() -> None:
        import_json(
            consumer,
            [
                {"facet": "identity", "data": {"given_name": "Camille", "family_name": "Durand"}},
                {"facet": "address", "data": {"line1": "12 rue des Lilas", "postcode": "69003",
                                              "city": "Lyon", "country": "FR"}},
                {"facet": "purchases", "occurred_at": "2026-01-14T10:30:00Z",
                 "data": {"merchant": "Maison Laurent", "amount": "59.90", "currency": "EUR"}},
            ],
        )

    return fill
