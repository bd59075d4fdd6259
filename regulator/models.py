"""Regulators: their accounts (a proxy of the User model, for the admin) and
their API credentials. The log they read lives in the audit app below."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from accounts.models import User


class RegulatorToken(models.Model):
    """A regulator's API credential. Only a SHA-256 digest of the token is kept:
    the token itself is shown once, when it is made."""

    id = models.BigAutoField(primary_key=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="regulator_tokens"
    )
    name = models.CharField(max_length=80)
    digest = models.CharField(max_length=64, unique=True)
    # First characters of the token, to tell tokens apart in lists.
    prefix = models.CharField(max_length=12)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name})"


class Regulator(User):
    """Regulator accounts, as staff see them in the admin (a proxy: no table)."""

    class Meta:
        proxy = True
        verbose_name = "regulator"

    def __str__(self) -> str:
        return f"regulator {self.pk}"
