"""Accounts: consumers, brand staff, regulators, accounts with two-factor
authentication on, and test clients logged in as one of them."""

from __future__ import annotations

import base64
import itertools
import time
from typing import Any

from cryptography.hazmat.primitives.hashes import SHA1
from cryptography.hazmat.primitives.twofactor.totp import TOTP
from django.test import Client

from accounts.models import User
from accounts.services import account_create, totp_begin, totp_confirm, totp_secret

PASSWORD = "a-long-Passphrase-42"
_numbers = itertools.count(1)


def create_account(*, role: str = User.Role.CONSUMER, email: str | None = None,
                   password: str = PASSWORD, **extra: Any) -> User:
    """An account of ``role`` with its vault, through account_create
    (e-mail ``<role><n>@example.test`` unless one is given)."""
    return account_create(email=email or f"{role}{next(_numbers)}@example.test",
                          password=password, role=role, **extra)


def create_consumer(*, email: str | None = None, password: str = PASSWORD) -> User:
    """A consumer account with its (empty) vault."""
    return create_account(role=User.Role.CONSUMER, email=email, password=password)


def create_brand_staff(*, email: str | None = None) -> User:
    """A brand-staff account that belongs to no brand (see brands.add_member)."""
    return create_account(role=User.Role.BRAND_STAFF, email=email)


def create_regulator(*, email: str | None = None) -> User:
    """A regulator account (see regulator.create_regulator_token for its API tokens)."""
    return create_account(role=User.Role.REGULATOR, email=email)


def authenticator_code(*, secret: str, at: float | None = None) -> str:
    """The code an authenticator app shows for ``secret`` (as printed, spaces
    allowed) at the time ``at`` (default: now)."""
    secret = secret.replace(" ", "")
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    # RFC 6238 authenticator apps use HMAC-SHA1; that is what they compute.
    generator = TOTP(key, 6, SHA1(), 30, enforce_key_length=False)  # noqa: S303
    return generator.generate(int(time.time() if at is None else at)).decode()


def totp_code(*, user: User, at: float | None = None) -> str:
    """The code the authenticator app of ``user`` shows at ``at`` (default: now)."""
    secret = totp_secret(user)
    assert secret is not None
    return authenticator_code(secret=secret, at=at)


def enable_two_factor(*, user: User) -> list[str]:
    """Turn two-factor authentication on through the services; returns the recovery codes."""
    totp_begin(user=user)
    codes = totp_confirm(user=user, code=totp_code(user=user, at=time.time() - 30))
    assert codes is not None
    return codes


def client_for(*, user: User | None) -> Client:
    """A test client logged in as ``user`` (anonymous when None)."""
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def admin_client_for(*, user: User) -> Client:
    """A test client logged in to the admin as staff ``user`` the only way there
    is: the accounts log-in, password then second factor (turned on here)."""
    if not user.two_factor_enabled:
        enable_two_factor(user=user)
    client = Client()
    client.post("/accounts/login/?next=/admin/", {"email": user.email, "password": PASSWORD})
    verified = client.post("/accounts/login/verify/", {"code": totp_code(user=user)})
    assert verified.status_code == 302, verified.content[:300]
    return client
