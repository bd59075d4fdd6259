"""Use cases that change analytics state.

* ``insights_refresh`` computes a consumer's insights in memory and stores
  them as one snapshot sealed under the vault's data key.
* ``schedule_refresh`` is the hook for anything that changes a vault (imports,
  consent changes): it marks the snapshot stale and queues the Celery task once
  the surrounding transaction commits.
* ``recommendation_dismiss`` / ``recommendation_act`` record the consumer's
  decision (by fingerprint only); acting on a consent goes through the consents
  services, so revoking from a card is the same as revoking from the consents page.
* ``aggregate_release`` releases differentially private figures to a brand,
  spending its privacy budget, with an audit event for every release and
  every refusal.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import uuid
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.services import audit_append
from consents.errors import ConsentError
from consents.models import Consent
from consents.selectors import consent_for_consumer
from consents.services import consent_narrow, consent_revoke
from core.actors import Actor
from vault.models import Vault
from vault.selectors import data_key

from . import dp
from .conf import analytics_settings
from .errors import (
    InvalidAggregateQuery,
    PrivacyBudgetExhausted,
    RecommendationActionFailed,
    RecommendationNotFound,
)
from .models import (
    SNAPSHOT_FACET,
    AggregateRelease,
    InsightSnapshot,
    PrivacyBudget,
    RecommendationDecision,
)
from .selectors import (
    ANALYTICS_PURPOSE,
    DIMENSION_FACETS,
    DIMENSIONS,
    SUM_FACETS,
    aggregate_contributions,
    insights_compute,
    open_snapshot,
    recommendation_by_fingerprint,
    snapshot_is_fresh,
    snapshot_of,
)

if TYPE_CHECKING:
    from accounts.models import User

logger = logging.getLogger(__name__)


# --- consumer insights ------------------------------------------------------------


def _store_snapshot(*, vault: Vault, insights: dict[str, Any], computed_at: dt.datetime) -> None:
    key = data_key(vault)
    with transaction.atomic():
        InsightSnapshot.objects.bulk_create(
            [InsightSnapshot(vault=vault, key_version=key.version, sealed=b"", size=0,
                             computed_at=computed_at, stale=True)],
            ignore_conflicts=True,
        )
        snapshot = InsightSnapshot.objects.select_for_update().get(vault=vault)
        if snapshot.computed_at > computed_at and snapshot.size:
            return  # a newer computation already landed
        sealed = key.seal_record(record_id=str(snapshot.id), facet=SNAPSHOT_FACET, payload=insights)
        snapshot.key_version = key.version
        snapshot.sealed = sealed
        snapshot.size = len(sealed)
        snapshot.computed_at = computed_at
        snapshot.stale = False
        snapshot.save(update_fields=["key_version", "sealed", "size", "computed_at", "stale"])


def insights_refresh(*, vault: Vault, now: dt.datetime | None = None) -> dict[str, Any]:
    """Compute the vault's insights now and store them sealed; returns them."""
    now = now or timezone.now()
    insights = insights_compute(vault=vault, now=now)
    _store_snapshot(vault=vault, insights=insights, computed_at=now)
    logger.info("insights refreshed", extra={"vault_id": str(vault.id),
                                            "recommendations": len(insights["recommendations"])})
    return insights


def insights_current(*, vault: Vault, now: dt.datetime | None = None) -> dict[str, Any]:
    """The stored insights when fresh, otherwise freshly computed (and stored)."""
    snapshot = snapshot_of(vault=vault)
    if snapshot is not None and snapshot.size and snapshot_is_fresh(snapshot, now=now):
        payload = open_snapshot(snapshot)
        if payload is not None:
            return payload
    return insights_refresh(vault=vault, now=now)


def mark_stale(*, vault: Vault) -> None:
    InsightSnapshot.objects.filter(vault=vault).update(stale=True)


def insights_stale_after_consent_change(*, consent: Any) -> None:
    """Receiver of ``consents.hooks.consent_changed``: consent hygiene is part of
    the consumer's insights."""
    schedule_refresh(vault=consent.vault)


def schedule_refresh(*, vault: Vault) -> None:
    """Receiver of ``vault.hooks.data_changed``, run inside the transaction that
    changed the vault. The snapshot is marked stale at once (so the page never shows
    figures older than the data) and the recomputation is queued on commit."""
    mark_stale(vault=vault)
    if not analytics_settings.REFRESH_AFTER_IMPORT:
        return
    vault_id = str(vault.id)

    def enqueue() -> None:
        from .tasks import refresh_insights

        refresh_insights.delay(vault_id)

    transaction.on_commit(enqueue)


def refresh_all(*, now: dt.datetime | None = None, batch: int = 500) -> int:
    """Daily: queue a refresh of every vault whose snapshot is missing, stale or old
    (consent hygiene depends on the date even when nothing else changed)."""
    from .tasks import refresh_insights

    now = now or timezone.now()
    cutoff = now - dt.timedelta(seconds=int(analytics_settings.SNAPSHOT_MAX_AGE_SECONDS) // 2)
    fresh = InsightSnapshot.objects.filter(stale=False, computed_at__gte=cutoff).values("vault_id")
    queued = 0
    for vault_id in (Vault.objects.exclude(id__in=fresh).order_by("id")
                     .values_list("id", flat=True).iterator(chunk_size=batch)):
        refresh_insights.delay(str(vault_id))
        queued += 1
    return queued


@dataclass(frozen=True)
class ActOutcome:
    kind: str
    action: str
    changed: bool
    redirect_to: str | None = None


def _decide(*, vault: Vault, actor: Actor, fingerprint: str, decision: str,
            request_id: str) -> None:
    """Record the decision and its audit event (which names neither the kind nor
    the facts: that a consumer had, say, a price rise is their business)."""
    with transaction.atomic():
        RecommendationDecision.objects.update_or_create(
            vault=vault, fingerprint=fingerprint,
            defaults={"decision": decision, "decided_at": timezone.now()},
        )
        audit_append(actor=actor, action=f"recommendation.{decision}", subject=str(vault.subject),
                     request_id=request_id)


def _find(vault: Vault, fingerprint: str) -> dict[str, Any]:
    insights = insights_current(vault=vault)
    item = recommendation_by_fingerprint(insights=insights, fingerprint=fingerprint)
    if item is None:
        raise RecommendationNotFound(fingerprint)
    return item


def recommendation_dismiss(*, user: User, fingerprint: str, actor: Actor,
                           request_id: str = "") -> str:
    """Hide one of the consumer's recommendations until its facts change."""
    vault = user.vault
    item = _find(vault, fingerprint)
    _decide(vault=vault, actor=actor, fingerprint=fingerprint,
            decision=RecommendationDecision.Decision.DISMISSED, request_id=request_id)
    return str(item["kind"])


def _consent_revoke(*, user: User, consent_id: str, actor: Actor, request_id: str) -> bool:
    """Revoke one of the consumer's own live consents through the consents
    service (tokens ended, audit event and webhook in one transaction), as the
    consents page does. False when the consent is not theirs or no longer active."""
    consent = consent_for_consumer(consumer=user, consent_id=consent_id)
    if consent is None or consent.status != Consent.Status.ACTIVE:
        return False
    revoked = consent_revoke(consent=consent, actor=actor, reason="consumer",
                             request_id=request_id)
    return revoked.status == Consent.Status.REVOKED


def _consent_narrow(*, user: User, consent_id: str, keep: list[str], actor: Actor,
                    request_id: str) -> bool:
    """Narrow one of the consumer's own live consents to the facets in ``keep``
    (their access modes unchanged) through the consents service. False when
    the consent is not theirs, no longer active, or would not change."""
    consent = consent_for_consumer(consumer=user, consent_id=consent_id)
    if consent is None or consent.status != Consent.Status.ACTIVE:
        return False
    kept = set(keep)
    grants = {facet: modes for facet, modes in consent.grants.items() if facet in kept}
    if not grants or grants == consent.grants:
        return False
    try:
        consent_narrow(consent=consent, facets=grants, actor=actor, request_id=request_id)
    except ConsentError:
        return False
    return True


def recommendation_act(*, user: User, fingerprint: str, actor: Actor,
                       request_id: str = "") -> ActOutcome:
    """Carry out a recommendation's action. The action is taken from the
    consumer's own stored recommendation, never from the request, so a consumer
    can only act on what was computed from their vault."""
    vault = user.vault
    item = _find(vault, fingerprint)
    action = item["action"]
    kind, action_type = str(item["kind"]), str(action["type"])
    changed = False
    redirect_to = action.get("url")
    if action_type in ("revoke_consent", "narrow_consent"):
        if action_type == "revoke_consent":
            changed = _consent_revoke(user=user, consent_id=action["consent_id"], actor=actor,
                                      request_id=request_id)
        else:
            changed = _consent_narrow(user=user, consent_id=action["consent_id"],
                                      keep=action["keep"], actor=actor, request_id=request_id)
        if not changed:
            raise RecommendationActionFailed(_("the consent is no longer active"))
        redirect_to = None
    _decide(vault=vault, actor=actor, fingerprint=fingerprint,
            decision=RecommendationDecision.Decision.ACTED, request_id=request_id)
    if changed:
        mark_stale(vault=vault)
    return ActOutcome(kind=kind, action=action_type, changed=changed, redirect_to=redirect_to)


# --- brand aggregates ---------------------------------------------------------------


@dataclass(frozen=True)
class AggregateQuery:
    dimension: str
    months: int
    epsilon: Decimal

    @property
    def digest(self) -> str:
        text = f"{self.dimension}|{self.months}|{self.epsilon}"
        return hashlib.sha256(text.encode()).hexdigest()


def aggregate_query(*, dimension: Any, months: Any = None, epsilon: Any = None) -> AggregateQuery:
    """Validate a brand's query (raises InvalidAggregateQuery naming the field)."""
    if dimension not in DIMENSIONS:
        raise InvalidAggregateQuery(_("dimension must be one of %(dimensions)s"),
                                    dimensions=", ".join(DIMENSIONS))
    try:
        month_count = int(months) if months not in (None, "") else int(analytics_settings.AGGREGATE_MONTHS)
    except (TypeError, ValueError) as error:
        raise InvalidAggregateQuery(_("months must be a whole number from 1 to 24")) from error
    if not 1 <= month_count <= 24:
        raise InvalidAggregateQuery(_("months must be a whole number from 1 to 24"))
    low = Decimal(str(analytics_settings.MIN_QUERY_EPSILON))
    high = Decimal(str(analytics_settings.MAX_QUERY_EPSILON))
    try:
        value = (Decimal(str(epsilon)) if epsilon not in (None, "")
                 else Decimal(str(analytics_settings.QUERY_EPSILON)))
    except InvalidOperation as error:
        raise InvalidAggregateQuery(_("epsilon must be a number from %(low)s to %(high)s"),
                                    low=low, high=high) from error
    if not value.is_finite() or not low <= value <= high:
        raise InvalidAggregateQuery(_("epsilon must be a number from %(low)s to %(high)s"),
                                    low=low, high=high)
    return AggregateQuery(dimension=dimension, months=month_count,
                          epsilon=value.quantize(Decimal("0.0001")))


def mechanism_for(query: AggregateQuery) -> dp.Mechanism:
    return dp.Mechanism(
        epsilon=float(query.epsilon),
        count_share=float(analytics_settings.COUNT_EPSILON_SHARE),
        min_group_size=int(analytics_settings.MIN_GROUP_SIZE),
        delta=float(analytics_settings.DELTA),
        sum_clip=int(analytics_settings.SUM_CLIP_EUROS),
        max_cells=int(analytics_settings.MAX_CATEGORIES_PER_CONSUMER) if query.dimension == "category" else 1,
    )


def _budget_locked(brand: Any) -> PrivacyBudget:
    PrivacyBudget.objects.bulk_create(
        [PrivacyBudget(brand=brand, total_epsilon=Decimal(str(analytics_settings.BRAND_EPSILON_BUDGET)))],
        ignore_conflicts=True,
    )
    return PrivacyBudget.objects.select_for_update().get(brand=brand)


def privacy_budget_set(*, brand: Any, total_epsilon: Decimal, actor: Actor,
                       request_id: str = "") -> PrivacyBudget:
    """Set a brand's total budget (an operator decision, audited). Raising it
    weakens the guarantee over the brand's whole history: see docs/insights.md."""
    if not total_epsilon.is_finite() or total_epsilon < 0:
        raise InvalidAggregateQuery(_("the total epsilon must be a non-negative number"))
    with transaction.atomic(durable=True):
        budget = _budget_locked(brand)
        previous = budget.total_epsilon
        budget.total_epsilon = total_epsilon
        budget.save(update_fields=["total_epsilon", "updated_at"])
        audit_append(actor=actor, action="aggregate.budget_set", request_id=request_id,
                     detail={"brand_id": str(brand.pk), "previous_total": str(previous),
                             "total": str(total_epsilon)})
    return budget


def _facets_for(dimension: str) -> list[str]:
    return sorted({DIMENSION_FACETS[dimension][0], *SUM_FACETS})


def aggregate_release(*, brand: Any, query: AggregateQuery, actor: Actor, requested_by: str,
                      request_id: str = "", rng: dp.UniformSource | None = None,
                      now: dt.datetime | None = None) -> AggregateRelease:
    """Release noisy, thresholded counts and sums for one segmentation to a brand.

    The same query repeated within ``RELEASE_REUSE_SECONDS`` returns the stored
    release (same figures, no budget spent: re-publishing a DP output is free).
    Otherwise the brand's budget is locked, checked and spent in the same
    transaction as the release and its audit event; a refusal is audited too.
    """
    now = now or timezone.now()
    reuse_after = now - dt.timedelta(seconds=int(analytics_settings.RELEASE_REUSE_SECONDS))
    facets = _facets_for(query.dimension)
    previous = (AggregateRelease.objects.filter(brand=brand, query_digest=query.digest,
                                                created_at__gte=reuse_after)
                .order_by("-created_at").first())
    if previous is not None:
        with transaction.atomic(durable=True):
            audit_append(actor=actor, action="aggregate.released", facets=facets,
                         purpose=ANALYTICS_PURPOSE, request_id=request_id,
                         detail={"brand_id": str(brand.pk), "release_id": str(previous.id),
                                 "dimension": query.dimension, "reused": True, "epsilon": "0"})
        return previous
    contributions = aggregate_contributions(brand=brand, dimension=query.dimension,
                                            months=query.months, now=now)
    mechanism = mechanism_for(query)
    with transaction.atomic(durable=True):
        budget = _budget_locked(brand)
        if budget.spent_epsilon + query.epsilon > budget.total_epsilon:
            audit_append(actor=actor, action="aggregate.refused", facets=facets,
                         purpose=ANALYTICS_PURPOSE, request_id=request_id,
                         outcome="denied",
                         detail={"brand_id": str(brand.pk), "dimension": query.dimension,
                                 "epsilon": str(query.epsilon), "remaining": str(budget.remaining),
                                 "reason": "privacy_budget_exhausted"})
            refused = PrivacyBudgetExhausted(
                _("privacy budget exhausted: this query needs epsilon %(epsilon)s, "
                  "%(remaining)s of %(total)s remains"),
                epsilon=query.epsilon, remaining=budget.remaining, total=budget.total_epsilon)
        else:
            refused = None
            result = dp.release([item.cells for item in contributions], mechanism, rng)
            PrivacyBudget.objects.filter(pk=budget.pk).update(
                spent_epsilon=F("spent_epsilon") + query.epsilon, updated_at=now)
            release = AggregateRelease.objects.create(
                id=uuid.uuid4(), brand=brand, requested_by=requested_by[:100],
                dimension=query.dimension, months=query.months, epsilon=query.epsilon,
                query_digest=query.digest, cells=result.cells, suppressed=result.suppressed,
                created_at=now,
            )
            audit_append(actor=actor, action="aggregate.released", facets=facets,
                         purpose=ANALYTICS_PURPOSE, request_id=request_id,
                         detail={"brand_id": str(brand.pk), "release_id": str(release.id),
                                 "dimension": query.dimension, "months": query.months,
                                 "epsilon": str(query.epsilon),
                                 "cells_released": len(result.cells),
                                 "cells_suppressed": result.suppressed,
                                 "remaining": str(budget.remaining - query.epsilon)})
    if refused is not None:
        raise refused
    return release


def release_payload(release: AggregateRelease, *, remaining: str | None = None) -> dict[str, Any]:
    """What a brand receives: figures, the query and the guarantee, nothing else
    (the number of suppressed cells is not released: it would leak)."""
    query = AggregateQuery(dimension=release.dimension, months=release.months,
                           epsilon=release.epsilon)
    payload = {
        "release_id": str(release.id),
        "released_at": release.created_at.isoformat(),
        "dimension": release.dimension,
        "months": release.months,
        "currency": str(analytics_settings.AGGREGATE_CURRENCY),
        "cells": release.cells,
        "privacy": mechanism_for(query).describe(),
    }
    if remaining is not None:
        payload["privacy"]["budget_remaining"] = remaining
    return payload
