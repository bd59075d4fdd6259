"""Append-only audit events, hash-chained per subject (DESIGN §6).

Rows are written once, in the same transaction as what they record, and never
changed: the model and its queryset refuse updates and deletes (on PostgreSQL a
trigger refuses them too). Events hold no personal values: the subject is the
vault's pseudonymous id and facets are names, not contents.
"""

from __future__ import annotations

import uuid
from typing import Any, NoReturn

from django.db import models


class AppendOnlyError(RuntimeError):
    """Raised on any attempt to change or remove an audit event."""


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("audit events cannot be updated")

    def delete(self) -> NoReturn:  # type: ignore[override]
        raise AppendOnlyError("audit events cannot be deleted")


class AuditEvent(models.Model):
    class Outcome(models.TextChoices):
        ALLOWED = "allowed"
        DENIED = "denied"

    class ActorType(models.TextChoices):
        BRAND_APPLICATION = "brand_application"
        CONSUMER = "consumer"
        REGULATOR = "regulator"
        STAFF = "staff"
        OPERATOR = "operator"
        SYSTEM = "system"

    id = models.BigAutoField(primary_key=True)
    event_id = models.UUIDField(unique=True, default=uuid.uuid4, editable=False)
    occurred_at = models.DateTimeField(db_index=True)
    actor_type = models.CharField(max_length=24, choices=ActorType.choices)
    actor_id = models.CharField(max_length=80, blank=True)
    subject = models.CharField(max_length=80, blank=True, db_index=True)
    action = models.CharField(max_length=48, db_index=True)
    facets = models.JSONField(default=list)
    consent_id = models.CharField(max_length=64, blank=True)
    purpose = models.CharField(max_length=40, blank=True)
    outcome = models.CharField(max_length=8, choices=Outcome.choices, default=Outcome.ALLOWED)
    request_id = models.CharField(max_length=64, blank=True)
    detail = models.JSONField(default=dict)
    # Per-chain hash linking: chain is the subject, or the actor for subject-less events.
    chain = models.CharField(max_length=120)
    chain_seq = models.PositiveBigIntegerField()
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["chain", "chain_seq"], name="audit_chain_seq_unique")
        ]

    def __str__(self) -> str:
        return f"{self.action} #{self.id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("audit events cannot be updated")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("audit events cannot be deleted")


class ChainHead(models.Model):
    """Latest link of each chain; locked row by row, never globally."""

    chain = models.CharField(max_length=120, primary_key=True)
    seq = models.PositiveBigIntegerField(default=0)
    head_hash = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"{self.chain}@{self.seq}"
