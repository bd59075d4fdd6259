"""Reads for insights and aggregates.

``insights_compute`` opens the consumer's purchases in memory, runs the
detectors and returns the whole result; nothing decrypted outlives the call.
``insights_stored`` opens the stored snapshot. Every function takes the vault
(or brand) it reads for, so scoping is in one place.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from consents.selectors import consents_for_consumer, consents_live_for_brand
from vault.crypto import SealError
from vault.facets import FACETS
from vault.models import Vault
from vault.reduced import purchase_category
from vault.selectors import Sealed, current_profile_value, facet_records, facet_rows, records_open

from .conf import analytics_settings
from .footprint import brand_activity, holders
from .history import Purchase, to_purchase
from .hygiene import consent_hygiene
from .models import (
    SNAPSHOT_FACET,
    AggregateRelease,
    InsightSnapshot,
    PrivacyBudget,
    RecommendationDecision,
)
from .recommend import build_recommendations
from .recurring import detect_recurring
from .spending import spending_summary
from .unusual import unusual_months, unusual_purchases

logger = logging.getLogger(__name__)

# 2: "has_consents" (whether the consumer gave any consent) replaced "consents_available".
SNAPSHOT_VERSION = 2
ANALYTICS_PURPOSE = "analytics"
STALE_FACETS = ("address", "contact")
MISMATCH_WINDOW_DAYS = 60
MISMATCH_MIN_LOCATIONS = 5
MISMATCH_SHARE = 0.6


# --- consumer insights ------------------------------------------------------------


def vault_purchases(*, vault: Vault) -> list[Purchase]:
    """Every purchase of the vault, opened in memory, oldest first."""
    purchases = []
    for row in facet_rows(vault=vault, facet="purchases"):
        purchase = to_purchase(record_id=row.id, occurred_at=row.occurred_at, data=row.data,
                               source=row.source)
        if purchase is not None:
            purchases.append(purchase)
    purchases.sort(key=lambda purchase: (purchase.day, purchase.id))
    return purchases


def _profile_checks(*, vault: Vault, now: dt.datetime) -> dict[str, Any]:
    stale = []
    address_view = None
    for key in STALE_FACETS:
        view = current_profile_value(vault=vault, facet=FACETS[key])
        if view is None:
            continue
        if key == "address":
            address_view = view
        age = (now - view.created_at).days
        if age >= int(analytics_settings.STALE_PROFILE_DAYS):
            stale.append({"facet": key, "record_id": view.id, "days_old": age})
    mismatch = None
    if address_view is not None and address_view.data.get("city"):
        since = now - dt.timedelta(days=MISMATCH_WINDOW_DAYS)
        views, _total = facet_records(vault=vault, facet=FACETS["location"], per_page=2000)
        cities = Counter(
            " ".join(str(view.data.get("city", "")).split()).casefold()
            for view in views if view.occurred_at and view.occurred_at >= since
        )
        cities.pop("", None)
        total = sum(cities.values())
        home = " ".join(str(address_view.data["city"]).split()).casefold()
        if total >= MISMATCH_MIN_LOCATIONS:
            city, count = cities.most_common(1)[0]
            if (city != home and count >= MISMATCH_SHARE * total
                    and cities.get(home, 0) < 0.2 * total):
                display = next(str(view.data["city"]) for view in views
                               if str(view.data.get("city", "")).casefold().strip() == city
                               or " ".join(str(view.data.get("city", "")).split()).casefold() == city)
                mismatch = {"record_id": address_view.id, "address_city": address_view.data["city"],
                            "recent_city": display, "share_percent": round(100 * count / total),
                            "locations": total}
    return {"stale": stale, "address_mismatch": mismatch}


def insights_compute(*, vault: Vault, now: dt.datetime | None = None) -> dict[str, Any]:
    """All insights and recommendations of one vault, computed now, in memory."""
    now = now or timezone.now()
    zone = ZoneInfo(settings.TIME_ZONE)
    today = now.astimezone(zone).date()
    purchases = vault_purchases(vault=vault)
    recurring = detect_recurring(purchases)
    recurring_ids = recurring.purchase_ids
    z_threshold = float(analytics_settings.UNUSUAL_Z)
    readers, usage = brand_activity(vault=vault, now=now)
    consents = list(consents_for_consumer(consumer=vault.owner))
    hygiene = consent_hygiene(
        consents, usage, now=now,
        unused_days=int(analytics_settings.CONSENT_UNUSED_DAYS),
        grace_days=int(analytics_settings.CONSENT_GRACE_DAYS),
        broad_facets=int(analytics_settings.BROAD_CONSENT_FACETS),
        broad_days=int(analytics_settings.BROAD_CONSENT_DAYS),
        expiry_warning_days=int(analytics_settings.CONSENT_EXPIRY_WARNING_DAYS),
    )
    insights: dict[str, Any] = {
        "version": SNAPSHOT_VERSION,
        "computed_at": now.isoformat(),
        "today": today.isoformat(),
        "purchase_count": len(purchases),
        "latest_purchase": purchases[-1].when.isoformat() if purchases else None,
        "spending": spending_summary(purchases, today=today, zone=zone,
                                     months=int(analytics_settings.SPENDING_MONTHS)),
        "subscriptions": [item.as_dict() for item in recurring.subscriptions],
        "price_increases": [item.as_dict() for item in recurring.price_increases],
        "unusual": {
            "purchases": unusual_purchases(purchases, exclude=recurring_ids,
                                           window_days=int(analytics_settings.UNUSUAL_WINDOW_DAYS),
                                           z_threshold=z_threshold),
            "months": unusual_months(purchases, exclude=recurring_ids, zone=zone, today=today,
                                     z_threshold=z_threshold),
        },
        "footprint": {"holders": holders(vault=vault), "readers": readers},
        "has_consents": bool(consents),
        "consent_hygiene": hygiene,
        "profile": _profile_checks(vault=vault, now=now),
    }
    insights["recommendations"] = build_recommendations(
        vault_id=str(vault.id), insights=insights, today_iso=today.isoformat(),
        price_rise_recent_days=int(analytics_settings.PRICE_RISE_RECENT_DAYS),
    )
    return insights


def open_snapshot(snapshot: InsightSnapshot) -> dict[str, Any] | None:
    """The snapshot's payload, or None when it cannot be opened any more (its
    data key was replaced by a re-encryption) or is of an older format."""
    payload = snapshot_payload_open(snapshot)
    if payload is None or payload.get("version") != SNAPSHOT_VERSION:
        return None
    return payload


def snapshot_payload_open(snapshot: InsightSnapshot) -> dict[str, Any] | None:
    """The snapshot's payload whatever its format version, or None when its
    data key was replaced by a re-encryption."""
    row = Sealed(id=snapshot.id, facet=SNAPSHOT_FACET, key_version=snapshot.key_version,
                 sealed=snapshot.sealed)
    try:
        [(_row, payload)] = records_open(vault=snapshot.vault, rows=[row])
    except SealError:
        logger.warning("insight snapshot unreadable, will recompute",
                       extra={"vault_id": str(snapshot.vault_id)})
        return None
    return payload


def snapshot_of(*, vault: Vault) -> InsightSnapshot | None:
    return InsightSnapshot.objects.filter(vault=vault).select_related("vault").first()


def snapshot_is_fresh(snapshot: InsightSnapshot, *, now: dt.datetime | None = None) -> bool:
    now = now or timezone.now()
    max_age = dt.timedelta(seconds=int(analytics_settings.SNAPSHOT_MAX_AGE_SECONDS))
    return not snapshot.stale and now - snapshot.computed_at < max_age


def decisions_of(*, vault: Vault) -> dict[str, str]:
    return dict(RecommendationDecision.objects.filter(vault=vault)
                .values_list("fingerprint", "decision"))


def visible_recommendations(*, vault: Vault, insights: dict[str, Any]) -> list[dict[str, Any]]:
    """The snapshot's recommendations without those dismissed or acted on
    (same fingerprint: same facts)."""
    decided = decisions_of(vault=vault)
    return [item for item in insights.get("recommendations", [])
            if item["fingerprint"] not in decided]


def recommendation_by_fingerprint(*, insights: dict[str, Any],
                                  fingerprint: str) -> dict[str, Any] | None:
    for item in insights.get("recommendations", []):
        if item["fingerprint"] == fingerprint:
            return item
    return None


# --- brand aggregates -----------------------------------------------------------------


DIMENSIONS = ("age_band", "city", "category")
# Facets a consumer must have granted (full or reduced form) for each use.
DIMENSION_FACETS = {
    "age_band": ("birthdate", "age_band"),
    "city": ("address", "city"),
    "category": ("purchases", "purchase_categories"),
}
SUM_FACETS = ("purchases",)


@dataclass
class Contribution:
    """One consumer's data for one release, opened in memory: their cell(s) and
    how much they spent (whole units of the aggregate currency)."""

    cells: dict[str, int] = field(default_factory=dict)


def _grants_any(grants: dict[str, list[str]], facets: tuple[str, ...]) -> bool:
    return any("read" in grants.get(facet, ()) for facet in facets)


def _purchase_totals(vault: Vault, *, since: dt.datetime, currency: str) -> dict[str, float]:
    """Spend by category, as words of the purchase_categories vocabulary: a
    category's own text (written by whoever wrote the purchase) is never a segment."""
    totals: dict[str, float] = {}
    for purchase in vault_purchases(vault=vault):
        if purchase.when < since or purchase.currency != currency or purchase.amount <= 0:
            continue
        word = purchase_category(purchase.category)
        totals[word] = totals.get(word, 0.0) + float(purchase.amount)
    return totals


def aggregate_contributions(*, brand: Any, dimension: str, months: int,
                            now: dt.datetime | None = None) -> list[Contribution]:
    """Per-consumer contributions for a brand's release: only consumers with a
    live ``analytics`` consent to that brand, only from facets they granted.

    For age band and city, a consumer is in one cell and contributes their
    total spend there (when they granted purchases, else 0); for category, the
    consumer contributes to each category they bought in (spend per category).
    """
    from vault.reduced import derive

    now = now or timezone.now()
    since = now - dt.timedelta(days=int(months * 30.44))
    currency = str(analytics_settings.AGGREGATE_CURRENCY)
    today = timezone.localdate(now)
    result = []
    counted: set[Any] = set()
    for consent in consents_live_for_brand(brand=brand, purpose=ANALYTICS_PURPOSE, now=now):
        if consent.consumer_id in counted:
            continue  # an older consent of a consumer already counted
        counted.add(consent.consumer_id)
        vault = consent.vault
        grants = consent.grants
        if not _grants_any(grants, DIMENSION_FACETS[dimension]):
            continue
        spend_allowed = _grants_any(grants, SUM_FACETS)
        if dimension == "category":
            # Categories (full or reduced facet) place the consumer; amounts are
            # summed only when the full purchases facet was granted.
            totals = _purchase_totals(vault, since=since, currency=currency)
            result.append(Contribution(cells={name: round(value) if spend_allowed else 0
                                              for name, value in totals.items()}))
            continue
        source = "birthdate" if dimension == "age_band" else "address"
        view = current_profile_value(vault=vault, facet=FACETS[source])
        if view is None:
            continue
        derived = derive(dimension, view.data, today=today)
        if not derived or not derived.get(dimension):
            continue
        cell = str(derived[dimension])
        if dimension == "city":
            cell = " ".join(cell.split()).title()
        spend = 0
        if spend_allowed:
            spend = round(sum(_purchase_totals(vault, since=since, currency=currency).values()))
        result.append(Contribution(cells={cell: spend}))
    return result


def privacy_budget_of(*, brand: Any) -> dict[str, Any]:
    """A brand's budget as shown to it (the default when none was spent yet)."""
    places = Decimal("0.0001")
    budget = PrivacyBudget.objects.filter(brand=brand).first()
    total = (budget.total_epsilon if budget is not None
             else Decimal(str(analytics_settings.BRAND_EPSILON_BUDGET))).quantize(places)
    spent = (budget.spent_epsilon if budget is not None else Decimal("0")).quantize(places)
    return {"total_epsilon": str(total), "spent_epsilon": str(spent),
            "remaining_epsilon": str(max(total - spent, Decimal("0")).quantize(places))}


def releases_for(*, brand: Any, limit: int = 20) -> list[AggregateRelease]:
    return list(AggregateRelease.objects.filter(brand=brand).order_by("-created_at")[:limit])
