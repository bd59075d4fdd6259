"""Analytics options: ``settings.ANALYTICS`` over these defaults (read through
``analytics_settings.NAME``; see core/conf.py)."""

from __future__ import annotations

from typing import Any

from core.conf import AppSettings

DEFAULTS: dict[str, Any] = {
    # --- consumer insights ---
    # Recompute (Celery) when a vault's data changes; off in import benchmarks.
    "REFRESH_AFTER_IMPORT": True,
    # A stored snapshot older than this is recomputed when the page is opened.
    "SNAPSHOT_MAX_AGE_SECONDS": 24 * 3600,
    # Spending charts cover this many calendar months, ending with the latest data.
    "SPENDING_MONTHS": 12,
    # Unusual purchases and months are looked for in this recent window.
    "UNUSUAL_WINDOW_DAYS": 90,
    # Robust z-score (median / MAD on log amounts) above which a purchase is unusual.
    "UNUSUAL_Z": 4.0,
    # Consent hygiene.
    "CONSENT_UNUSED_DAYS": 90,
    "CONSENT_GRACE_DAYS": 7,
    "CONSENT_EXPIRY_WARNING_DAYS": 14,
    "BROAD_CONSENT_FACETS": 5,
    "BROAD_CONSENT_DAYS": 180,
    # A profile value (address, contact) unchanged for this long is worth checking.
    "STALE_PROFILE_DAYS": 730,
    # A price rise is recommended for review while this recent.
    "PRICE_RISE_RECENT_DAYS": 365,
    # --- brand aggregates (differential privacy) ---
    # Cells with fewer consumers than this are never released.
    "MIN_GROUP_SIZE": 10,
    # Each brand's lifetime privacy budget, spent by every release.
    "BRAND_EPSILON_BUDGET": 10.0,
    # Epsilon of one release unless the brand asks for another within the bounds.
    "QUERY_EPSILON": 1.0,
    "MIN_QUERY_EPSILON": 0.1,
    "MAX_QUERY_EPSILON": 2.0,
    # Share of a release's epsilon spent on counts (the rest on sums).
    "COUNT_EPSILON_SHARE": 0.5,
    # Probability bound of releasing a cell of exactly MIN_GROUP_SIZE consumers,
    # which the hard threshold makes unavoidable: the release is (epsilon, delta)-DP.
    "DELTA": 1e-5,
    # Per-consumer contribution bounds (sensitivity): whole euros, categories.
    "SUM_CLIP_EUROS": 5000,
    "MAX_CATEGORIES_PER_CONSUMER": 3,
    # Purchases of the last N months, in this currency only.
    "AGGREGATE_MONTHS": 12,
    "AGGREGATE_CURRENCY": "EUR",
    # Repeating the same query within this time returns the stored release, free.
    "RELEASE_REUSE_SECONDS": 24 * 3600,
    # Dotted paths of DRF authentication classes for /api/v1/aggregates.
    "AGGREGATES_AUTHENTICATION": ["analytics.api.ClientCredentialsAuthentication"],
    # Scope a client-credentials token needs for /api/v1/aggregates.
    "AGGREGATES_SCOPE": "aggregates",
}



analytics_settings = AppSettings("ANALYTICS", defaults=DEFAULTS)
