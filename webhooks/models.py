"""Webhook endpoints, their outbox and each delivery attempt.

A brand registers endpoints; every consent change writes one ``OutboxMessage``
per subscribed endpoint in the transaction of the change, and Celery delivers
it at least once. The rows hold no personal values: message bodies carry only
ids the brand already knows, and endpoint secrets are stored sealed
(AES-256-GCM), never in clear, because we must be able to sign with them.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

__all__ = ["DeliveryAttempt", "OutboxMessage", "WebhookEndpoint", "WebhookEventType"]


class WebhookEventType(models.TextChoices):
    CONSENT_GRANTED = "consent.granted", "consent.granted"
    CONSENT_NARROWED = "consent.narrowed", "consent.narrowed"
    CONSENT_REVOKED = "consent.revoked", "consent.revoked"
    CONSENT_EXPIRED = "consent.expired", "consent.expired"
    DATA_ERASED = "data.erased", "data.erased"
    # Sent on demand from the brand portal to one endpoint; never subscribed to.
    TEST = "webhook.test", "webhook.test"


class WebhookEndpoint(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    brand = models.ForeignKey(
        "brands.Brand", on_delete=models.CASCADE, related_name="webhook_endpoints"
    )
    url = models.URLField(max_length=2000)
    description = models.CharField(max_length=200, blank=True)
    # Subscribed event type names (WebhookEventType values, never "webhook.test").
    event_types = models.JSONField(default=list)
    # "version byte || nonce || AES-GCM(whsec_… secret)", bound to this endpoint's id.
    secret_sealed = models.BinaryField()
    # During a rotation the previous secret keeps signing (a second signature)
    # until it expires, so a brand can roll its verifier without losing events.
    previous_secret_sealed = models.BinaryField(null=True, blank=True)
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True)
    is_active = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    secret_rotated_at = models.DateTimeField(null=True, blank=True)
    disabled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        indexes = [models.Index(fields=["brand", "is_active"], name="webhook_endpoint_brand_idx")]

    def __str__(self) -> str:
        return f"webhook endpoint {self.id}"


class OutboxMessage(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "pending"
        DELIVERED = "delivered", "delivered"
        FAILED = "failed", "failed"
        # The endpoint was disabled before the message could be delivered.
        CANCELLED = "cancelled", "cancelled"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    brand = models.ForeignKey("brands.Brand", on_delete=models.CASCADE, related_name="+")
    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="messages"
    )
    event_type = models.CharField(max_length=40, choices=WebhookEventType.choices)
    # The exact bytes signed and sent, serialised once so every retry is identical.
    body = models.TextField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    attempt_count = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    # A worker owns the message while it delivers (lease_token, until leased_until),
    # so two copies of the task never post it at the same time.
    lease_token = models.UUIDField(null=True, blank=True)
    leased_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="webhook_outbox_due_idx"),
            models.Index(fields=["endpoint", "-created_at"], name="webhook_outbox_endpoint_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} {self.webhook_id}"

    @property
    def status_label(self) -> str | Promise:
        """The status for the brand portal, in the reader's language (the
        choices keep the stored values as labels: no migration for a wording)."""
        return _STATUS_LABELS.get(self.status, self.status)

    @property
    def webhook_id(self) -> str:
        """The Standard Webhooks message id: stable across retries, for the brand's dedup."""
        return f"msg_{self.id.hex}"


_STATUS_LABELS: dict[str, Promise] = {
    OutboxMessage.Status.PENDING: _("pending"),
    OutboxMessage.Status.DELIVERED: _("delivered"),
    OutboxMessage.Status.FAILED: _("failed"),
    OutboxMessage.Status.CANCELLED: _("cancelled"),
}


class DeliveryAttempt(models.Model):
    """One POST of a message: what the brand sees in its portal. Response bodies
    are never stored (they may echo secrets or anything else)."""

    id = models.BigAutoField(primary_key=True)
    message = models.ForeignKey(OutboxMessage, on_delete=models.CASCADE, related_name="attempts")
    number = models.PositiveSmallIntegerField()
    started_at = models.DateTimeField()
    duration_ms = models.PositiveIntegerField()
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    succeeded = models.BooleanField(default=False)
    # A short error class ("http_status", "timeout", "destination_refused", …), never a message.
    error = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["message", "number"]
        constraints = [
            models.UniqueConstraint(fields=["message", "number"], name="webhook_attempt_unique")
        ]

    def __str__(self) -> str:
        return f"attempt {self.number} of {self.message_id}"
