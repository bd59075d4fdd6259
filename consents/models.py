"""Consents and the OAuth credentials that carry them.

A consent is what a consumer agreed to: which brand and client, for which
purpose, which facets with which access, until when. Authorization codes,
access tokens and refresh tokens are the toolkit's swappable models, changed
in two ways: each points at the consent it carries, and none keeps its bearer
value in clear (only a SHA-256 digest, looked up by digest; see
``consents.oauth``).
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from oauth2_provider.models import (
    AbstractAccessToken,
    AbstractGrant,
    AbstractIDToken,
    AbstractRefreshToken,
)

READ = "read"
WRITE = "write"
ACCESS_MODES = (READ, WRITE)


class Consent(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("active")
        REVOKED = "revoked", _("revoked")
        EXPIRED = "expired", _("expired")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    consumer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="consents"
    )
    vault = models.ForeignKey("vault.Vault", on_delete=models.CASCADE, related_name="consents")
    # The consumer's pseudonymous vault subject, kept for audit and receipts.
    subject = models.UUIDField(db_index=True)
    brand = models.ForeignKey("brands.Brand", on_delete=models.CASCADE, related_name="consents")
    application = models.ForeignKey(
        settings.OAUTH2_PROVIDER_APPLICATION_MODEL, on_delete=models.CASCADE, related_name="consents"
    )
    purpose = models.CharField(max_length=24)
    description = models.TextField(blank=True)
    # {"contact": ["read"], "purchases": ["read", "write"], "age_band": ["read"]}
    grants = models.JSONField(default=dict)
    # What the brand asked for (scope string), kept to show "asked vs granted".
    requested_scope = models.TextField(blank=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.ACTIVE)
    granted_at = models.DateTimeField()
    expires_at = models.DateTimeField(db_index=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    expired_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    receipt = models.JSONField(default=dict)
    receipt_version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-granted_at"]
        indexes = [
            models.Index(fields=["consumer", "status"], name="consent_consumer_status"),
            models.Index(fields=["brand", "status"], name="consent_brand_status"),
            models.Index(fields=["status", "expires_at"], name="consent_status_expiry"),
        ]

    def __str__(self) -> str:
        return f"consent {self.id} ({self.status})"

    @property
    def scopes(self) -> list[str]:
        return scopes_of(self.grants)

    @property
    def scope(self) -> str:
        return " ".join(self.scopes)

    def allows(self, facet: str, mode: str) -> bool:
        return mode in (self.grants or {}).get(facet, ())

    def is_live(self, now: dt.datetime | None = None) -> bool:
        """Active and not past its expiry: checked on every API request, so a
        consent stops working at the exact expiry time, not at the next sweep."""
        now = now or timezone.now()
        return self.status == self.Status.ACTIVE and now < self.expires_at


def scopes_of(grants: dict[str, Any]) -> list[str]:
    return sorted(f"{facet}:{mode}" for facet, modes in (grants or {}).items() for mode in modes)


class Grant(AbstractGrant):
    """Authorization code. ``code`` holds the SHA-256 of the code, never the code.

    The row outlives its exchange (``used_at`` set) for the code's short life so
    that a replayed code is recognised and what it issued is revoked.
    """

    consent = models.ForeignKey(
        Consent, on_delete=models.CASCADE, null=True, blank=True, related_name="grants_issued"
    )
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta(AbstractGrant.Meta):
        swappable = "OAUTH2_PROVIDER_GRANT_MODEL"


class _NoCleartextMixin:
    """Belt and braces for hashed storage: whatever path sets ``token``, the
    clear value is moved aside for the checksum and never reaches the table."""

    token: str
    _raw_token: str | None

    def _strip_cleartext(self) -> None:
        if self.token:
            self._raw_token = self.token
            self.token = ""


class AccessToken(_NoCleartextMixin, AbstractAccessToken):
    consent = models.ForeignKey(
        Consent, on_delete=models.CASCADE, null=True, blank=True, related_name="access_tokens"
    )

    class Meta(AbstractAccessToken.Meta):
        swappable = "OAUTH2_PROVIDER_ACCESS_TOKEN_MODEL"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self._strip_cleartext()
        super().save(*args, **kwargs)

    @property
    def is_client_token(self) -> bool:
        """Issued to the client itself (client-credentials grant, ``aggregates``):
        no consumer and no consent behind it, so it can never read personal data."""
        return self.consent_id is None and self.user_id is None

    def is_expired(self) -> bool:
        if super().is_expired():
            return True
        # A revoked or lapsed consent ends its tokens at once (introspection, toolkit views).
        consent = self.consent if self.consent_id is not None else None
        return consent is not None and not consent.is_live()


class RefreshToken(_NoCleartextMixin, AbstractRefreshToken):
    consent = models.ForeignKey(
        Consent, on_delete=models.CASCADE, null=True, blank=True, related_name="refresh_tokens"
    )

    class Meta(AbstractRefreshToken.Meta):
        swappable = "OAUTH2_PROVIDER_REFRESH_TOKEN_MODEL"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self._strip_cleartext()
        super().save(*args, **kwargs)


class IDToken(AbstractIDToken):
    """Unused (OpenID Connect is off); swapped in so the token models and their
    migrations live in one app without a cycle through the toolkit's."""

    class Meta(AbstractIDToken.Meta):
        swappable = "OAUTH2_PROVIDER_ID_TOKEN_MODEL"
