"""Accounts. The log-in e-mail is personal data too, so it is stored only as a
keyed digest (for look-up) and sealed under the account's own vault key (for
sending mail); the TOTP secret is sealed the same way."""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.utils import timezone

from vault.crypto import account_email_index
from vault.selectors import account_field_open


def email_digest(email: str) -> str:
    """The look-up digest of a log-in e-mail (the vault keeps the rule)."""
    return account_email_index(email)


class UserManager(BaseUserManager["User"]):
    def get_by_natural_key(self, username: str | None) -> User:
        return self.get(email_index=email_digest(username or ""))

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        from accounts.services import account_create

        return account_create(email=email, password=password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        from accounts.services import account_create

        return account_create(
            email=email, password=password, role=User.Role.STAFF, is_superuser=True, **extra
        )


class User(AbstractBaseUser, PermissionsMixin):
    class Role(models.TextChoices):
        CONSUMER = "consumer", "consumer"
        REGULATOR = "regulator", "regulator"
        BRAND_STAFF = "brand_staff", "brand staff"
        STAFF = "staff", "staff"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    email_index = models.CharField(max_length=64, unique=True)
    email_sealed = models.BinaryField(default=b"")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.CONSUMER)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)
    language = models.CharField(max_length=8, default="en")
    totp_sealed = models.BinaryField(null=True, blank=True)
    totp_enabled_at = models.DateTimeField(null=True, blank=True)
    # Last accepted TOTP time step: a code is never accepted twice.
    totp_last_step = models.BigIntegerField(null=True, blank=True)
    # When the owner proved they hold the log-in e-mail (the sign-up link, or a
    # password reset). Accounts made by operators count as proven at creation.
    # Until then the account cannot log in.
    email_verified_at = models.DateTimeField(null=True, blank=True)

    objects = UserManager()  # type: ignore[misc]

    USERNAME_FIELD = "email_index"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    def __str__(self) -> str:
        return f"account {self.id}"

    @property
    def email(self) -> str:
        """The log-in e-mail, opened from its sealed form (cached per instance)."""
        cached = getattr(self, "_email_plain", None)
        if cached is None:
            cached = account_field_open(user=self, name="email", sealed=self.email_sealed)
            self._email_plain = cached
        return cached

    @property
    def email_verified(self) -> bool:
        return self.email_verified_at is not None

    @property
    def two_factor_enabled(self) -> bool:
        return self.totp_enabled_at is not None


class RecoveryCode(models.Model):
    """One-time 2FA recovery codes, stored as keyed digests only."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="recovery_codes")
    digest = models.CharField(max_length=64)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "digest"], name="recoverycode_unique")
        ]

    def __str__(self) -> str:
        return f"recovery code of {self.user_id}"
