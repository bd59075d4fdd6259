"""Vault data: vaults, their wrapped data keys, sealed records, import batches.

No personal value is stored in clear: records hold only their facet, source,
timestamps, sizes and the sealed payload.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q


class Vault(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="vault"
    )
    # Pseudonymous subject id used by the audit log; it is not derived from
    # anything personal and outlives the vault, so the log stays complete.
    subject = models.UUIDField(unique=True, default=uuid.uuid4, editable=False)
    key_version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"vault {self.id}"


class WrappedKey(models.Model):
    """A vault's data key, wrapped by a KEK. Lives in the keystore database.

    No foreign key to Vault on purpose: the keystore may be a different database
    (with its own, short backup retention) so that erasure destroys the only
    copies of the key that can open the vault's ciphertext.
    """

    vault_id = models.UUIDField(db_index=True)
    version = models.PositiveIntegerField()
    kek_id = models.CharField(max_length=64)
    wrapped = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)
    rotated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["vault_id", "version"], name="wrappedkey_unique_version")
        ]

    def __str__(self) -> str:
        return f"key v{self.version} of vault {self.vault_id} under {self.kek_id}"


class Source(models.Model):
    """Where a vault's values came from (a brand, or the consumer).

    Being a customer of a brand is itself personal, so the name is sealed under
    the vault key; ``index`` is a keyed digest, scoped to the vault, used to
    find the same source again on the next import.
    """

    SELF = "self"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    vault = models.ForeignKey(Vault, on_delete=models.CASCADE, related_name="sources")
    index = models.CharField(max_length=64)
    label_sealed = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["vault", "index"], name="source_unique_per_vault")
        ]

    def __str__(self) -> str:
        return f"source {self.id}"


class ImportBatch(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    vault = models.ForeignKey(Vault, on_delete=models.CASCADE, related_name="imports")
    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="imports")
    file_format = models.CharField(max_length=8)
    byte_size = models.PositiveIntegerField()
    record_count = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"import {self.id} ({self.record_count} records from {self.source})"


class Record(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    vault = models.ForeignKey(Vault, on_delete=models.CASCADE, related_name="records")
    facet = models.CharField(max_length=32)
    # Who the value came from: a brand, or the consumer's own entry (sealed name).
    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="records")
    occurred_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    # Profile facets keep history: the current value has superseded_at NULL.
    superseded_at = models.DateTimeField(null=True, blank=True)
    key_version = models.PositiveIntegerField()
    sealed = models.BinaryField()
    size = models.PositiveIntegerField()
    import_batch = models.ForeignKey(
        ImportBatch, null=True, blank=True, on_delete=models.SET_NULL, related_name="records"
    )

    class Meta:
        indexes = [
            models.Index(fields=["vault", "facet", "occurred_at", "id"], name="record_facet_time"),
            models.Index(fields=["vault", "facet", "superseded_at"], name="record_facet_current"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["vault", "facet"],
                condition=Q(superseded_at__isnull=True, occurred_at__isnull=True),
                name="record_one_current_profile_value",
            )
        ]

    def __str__(self) -> str:
        return f"{self.facet} record {self.id}"
