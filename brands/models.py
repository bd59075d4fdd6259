"""Brand organisations and their staff."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models

from .webhook_models import *  # noqa: F403  (webhook outbox models live beside, same app)


class Brand(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=120)
    # Set by Sillage staff after checking the organisation; shown on consent screens.
    verified = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class BrandMembership(models.Model):
    class Role(models.TextChoices):
        OWNER = "owner", "owner"
        DEVELOPER = "developer", "developer"

    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="brand_memberships"
    )
    role = models.CharField(max_length=16, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["brand", "user"], name="brandmembership_unique")
        ]

    def __str__(self) -> str:
        return f"{self.role} of {self.brand_id}"
