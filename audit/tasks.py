"""Celery tasks: thin wrappers around the audit services."""

from __future__ import annotations

from celery import shared_task

from .services import checkpoint_issue, verification_record
from .verify import verify_log


@shared_task(name="audit.tasks.issue_checkpoint", ignore_result=True)
def issue_checkpoint() -> int:
    """Every few minutes (beat): sequence pending events and sign a checkpoint.

    Idempotent: concurrent runs queue on the tree head lock and the second finds
    nothing new to sign. Returns the tree size.
    """
    return checkpoint_issue().checkpoint.tree_size


@shared_task(name="audit.tasks.verify_log", ignore_result=True)
def verify_log_task() -> bool:
    """Hourly (beat): full verification, kept for the regulators' integrity status."""
    report = verify_log()
    verification_record(report=report)
    return report.ok
