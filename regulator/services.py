"""Regulator use cases: accounts and API tokens. Each change is audited in its
own transaction, like every other state change."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.services import account_create
from audit.conf import audit_settings
from audit.services import audit_append
from core.actors import Actor

from .errors import NotARegulator
from .models import RegulatorToken

# "Sillage regulator token": recognisable in logs and by secret scanners.
TOKEN_PREFIX = "srt_"  # noqa: S105 (a prefix, not a secret)


def _token_digest(token: str) -> str:
    """Tokens are 256-bit random values, so a fast hash is enough to make a stolen
    table useless: there is nothing to guess."""
    return hashlib.sha256(token.encode()).hexdigest()


def regulator_token_create(
    *, user: Any, name: str, actor: Actor, lifetime_days: int | None = None,
    request_id: str = "",
) -> tuple[RegulatorToken, str]:
    """Make an API token for a regulator; returns it in clear this once only."""
    if user.role != User.Role.REGULATOR or not user.is_active:
        raise NotARegulator()
    name = name.strip()[:80] or "API token"
    days = lifetime_days if lifetime_days is not None else int(audit_settings.TOKEN_LIFETIME_DAYS)
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = timezone.now()
    with transaction.atomic():
        record = RegulatorToken.objects.create(
            user=user, name=name, digest=_token_digest(token), prefix=token[:10],
            created_at=now, expires_at=now + dt.timedelta(days=days) if days > 0 else None,
        )
        audit_append(actor=actor, action="regulator.token_created", request_id=request_id,
                     detail={"token": record.prefix, "regulator": str(user.pk)})
    return record, token


def regulator_token_revoke(*, token: RegulatorToken, actor: Actor, request_id: str = "") -> None:
    with transaction.atomic():
        updated = RegulatorToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now())
        if updated:
            audit_append(actor=actor, action="regulator.token_revoked", request_id=request_id,
                         detail={"token": token.prefix, "regulator": str(token.user_id)})


def regulator_token_user(*, token: str) -> tuple[Any, RegulatorToken] | None:
    """The regulator behind a presented token, or None (unknown, revoked, expired)."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 100:
        return None
    record = (RegulatorToken.objects.select_related("user")
              .filter(digest=_token_digest(token), revoked_at__isnull=True).first())
    if record is None:
        return None
    if record.expires_at is not None and record.expires_at <= timezone.now():
        return None
    return record.user, record


def regulator_create(*, email: str, actor: Actor, request_id: str = "") -> tuple[Any, str]:
    """Create a regulator account with a random one-time password (returned once).

    The regulator logs in at /accounts/login/ and should change it at once (or
    use the password reset); their own logins are audited like everyone's.
    """
    password = secrets.token_urlsafe(18)
    with transaction.atomic():
        user = account_create(email=email, password=password, role=User.Role.REGULATOR,
                              request_id=request_id)
        audit_append(actor=actor, action="regulator.created", request_id=request_id,
                     detail={"regulator": str(user.pk)})
    return user, password
