"""Celery tasks: thin wrappers around consent services."""

from __future__ import annotations

from celery import shared_task
from oauth2_provider.models import clear_expired

from .services import expire_due_consents as _expire_due


@shared_task(name="consents.tasks.expire_due_consents", ignore_result=True)
def expire_due_consents() -> int:
    """Record expiry of consents past their end (the API refuses them already)."""
    return _expire_due()


@shared_task(name="consents.tasks.clear_expired_credentials", ignore_result=True)
def clear_expired_credentials() -> None:
    """Delete expired codes and dead tokens (the toolkit's ``cleartokens``).

    Revoked refresh tokens are kept until their idle expiry, so that a replay
    is still recognised and its family revoked.
    """
    clear_expired()
