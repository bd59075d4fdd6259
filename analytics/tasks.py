"""Celery tasks: thin wrappers around services, idempotent (a refresh recomputes
from the vault; running it twice stores the same figures)."""

from __future__ import annotations

from celery import shared_task

from vault.models import Vault

from . import services


@shared_task(name="analytics.tasks.refresh_insights", acks_late=True, ignore_result=True)
def refresh_insights(vault_id: str) -> bool:
    """After an import (queued on commit by ``services.schedule_refresh``)."""
    vault = Vault.objects.select_related("owner").filter(id=vault_id).first()
    if vault is None:
        return False  # erased meanwhile
    services.insights_refresh(vault=vault)
    return True


@shared_task(name="analytics.tasks.refresh_all_insights", acks_late=True, ignore_result=True)
def refresh_all_insights() -> int:
    """Daily (Celery beat): queue a refresh of every vault whose insights are not fresh."""
    return services.refresh_all()
