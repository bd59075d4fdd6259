"""Celery tasks for brands: thin wrappers around brand services."""

from __future__ import annotations

from celery import shared_task

from .services import idempotency_keys_prune


@shared_task(name="brands.tasks.prune_idempotency_keys", ignore_result=True)
def prune_idempotency_keys() -> int:
    """Forget Idempotency-Keys past their replay window."""
    return idempotency_keys_prune()
