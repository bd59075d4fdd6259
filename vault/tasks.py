"""Celery tasks: thin wrappers around services."""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError

from . import services


@shared_task(name="vault.tasks.enforce_retention", acks_late=True)
def enforce_retention() -> int:
    """Hourly: delete event records past their facet's retention (idempotent)."""
    return services.enforce_retention()


@shared_task(name="vault.tasks.keystore_vacuum", acks_late=True,
             autoretry_for=(OperationalError, services.KeystoreBusy),
             retry_backoff=30, retry_backoff_max=900, max_retries=6)
def keystore_vacuum() -> str:
    """After erasures (queued on commit) and hourly: remove destroyed wrapped
    keys from the keystore's files (idempotent; retried when the lock is busy)."""
    return services.keystore_vacuum()
