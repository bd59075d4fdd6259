"""Celery tasks: thin wrappers around services."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(name="vault.tasks.enforce_retention", acks_late=True)
def enforce_retention() -> int:
    """Hourly: delete event records past their facet's retention (idempotent)."""
    return services.enforce_retention()
