"""Stored insights and brand-aggregate bookkeeping.

Insights are personal data computed from the vault: each consumer's snapshot is
one row sealed under the vault's data key (facet label ``insights`` in the
associated data), with a foreign key to the vault so erasure removes it, and
crypto-shredding makes any surviving copy unreadable. Recommendation decisions
keep only a keyed digest of the facts they were about, never the facts.

Brand-side rows (budgets, releases) hold only differentially private, thresholded
figures and counts: nothing that singles out a consumer.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.db import models

SNAPSHOT_FACET = "insights"


class InsightSnapshot(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    vault = models.OneToOneField(
        "vault.Vault", on_delete=models.CASCADE, related_name="insight_snapshot"
    )
    key_version = models.PositiveIntegerField()
    sealed = models.BinaryField()
    size = models.PositiveIntegerField()
    computed_at = models.DateTimeField()
    # Set when the vault's data changed after computation (an import, a revocation).
    stale = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"insights of vault {self.vault_id}"


class RecommendationDecision(models.Model):
    """A consumer dismissed or acted on a recommendation.

    ``fingerprint`` is an HMAC of the vault id, the recommendation kind and the
    facts behind it; when the facts change the fingerprint does too, and the
    recommendation may come back.
    """

    class Decision(models.TextChoices):
        DISMISSED = "dismissed"
        ACTED = "acted"

    vault = models.ForeignKey("vault.Vault", on_delete=models.CASCADE, related_name="+")
    fingerprint = models.CharField(max_length=64)
    decision = models.CharField(max_length=12, choices=Decision.choices)
    decided_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["vault", "fingerprint"], name="recommendation_decision_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.decision} recommendation of vault {self.vault_id}"


class PrivacyBudget(models.Model):
    """A brand's differential-privacy budget: total and spent epsilon."""

    brand = models.OneToOneField(
        "brands.Brand", on_delete=models.CASCADE, related_name="privacy_budget"
    )
    total_epsilon = models.DecimalField(max_digits=10, decimal_places=4)
    spent_epsilon = models.DecimalField(max_digits=10, decimal_places=4, default=Decimal("0"))
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"privacy budget of brand {self.brand_id}"

    @property
    def remaining(self) -> Decimal:
        return max(self.total_epsilon - self.spent_epsilon, Decimal("0"))


class AggregateRelease(models.Model):
    """One release of noisy, thresholded figures to a brand (kept so a repeated
    query returns the same figures without spending budget again)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    brand = models.ForeignKey("brands.Brand", on_delete=models.CASCADE, related_name="+")
    # OAuth client id, or "portal" for a release asked from the brand portal.
    requested_by = models.CharField(max_length=100)
    dimension = models.CharField(max_length=24)
    months = models.PositiveSmallIntegerField()
    epsilon = models.DecimalField(max_digits=8, decimal_places=4)
    query_digest = models.CharField(max_length=64, db_index=True)
    cells = models.JSONField(default=list)
    suppressed = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"release {self.id} of {self.dimension} to brand {self.brand_id}"
