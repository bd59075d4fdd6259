"""Celery tasks for webhooks: thin wrappers around the outbox."""

from __future__ import annotations

from celery import shared_task

from .outbox import webhook_deliver, webhook_requeue_due


@shared_task(name="webhooks.tasks.deliver", ignore_result=True, acks_late=True)
def deliver_webhook(message_id: str) -> None:
    """One delivery attempt; retries are scheduled by the outbox, not by Celery's
    retry, so that the schedule lives in the database and survives lost tasks."""
    webhook_deliver(message_id=message_id)


@shared_task(name="webhooks.tasks.requeue_due", ignore_result=True)
def requeue_due_webhooks() -> int:
    """Beat: re-queue pending messages whose delivery task was lost."""
    return webhook_requeue_due()
