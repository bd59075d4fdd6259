"""Recommendations from the computed insights.

Each has a kind, the figures behind it (the sentence is written from them when
shown), an action, a priority, and a fingerprint: an HMAC, keyed with the
server's index key and scoped to the vault, of the kind and the facts that
make it true. A dismissed recommendation is hidden while its fingerprint is
the same; when the facts change (the consent is used then left idle again, the
price rises again) the fingerprint changes and it may come back.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from vault.crypto import blind_index, canonical_json

GENERIC_CATEGORIES = frozenset({"subscription", "subscriptions", "abonnement", "abonnements",
                                "uncategorised", "other", "bills", "utilities"})
MAX_UNUSUAL = 3

PRIORITY = {
    "consent_never_used": 10,
    "consent_unused": 20,
    "consent_broad": 30,
    "subscription_price_increase": 40,
    "consent_expiring": 50,
    "address_mismatch": 55,
    "stale_value": 60,
    "subscription_duplicates": 70,
    "unusual_purchase": 80,
    "unusual_month": 90,
}


def fingerprint(*, vault_id: str, kind: str, facts: Any) -> str:
    return blind_index(f"{vault_id}|{kind}|{canonical_json(facts).decode()}",
                       purpose="insight-recommendation")


def _make(vault_id: str, kind: str, facts: Any, figures: dict[str, Any],
          action: dict[str, Any]) -> dict[str, Any]:
    return {
        "fingerprint": fingerprint(vault_id=vault_id, kind=kind, facts=facts),
        "kind": kind,
        "priority": PRIORITY[kind],
        "figures": figures,
        "action": action,
    }


def _consent_recommendations(vault_id: str,
                             hygiene: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    found = []
    revoke = {"type": "revoke_consent"}
    for item in hygiene:
        consent = item["consent_id"]
        base = {key: item[key] for key in ("brand", "purpose", "facets", "facet_count", "uses",
                                           "days_since_use", "days_since_grant", "last_used",
                                           "expires_at", "days_to_expiry", "duration_days")}
        issues = item["issues"]
        if "never_used" in issues:
            found.append(_make(vault_id, "consent_never_used", [consent, item["granted_at"]], base,
                               {**revoke, "consent_id": consent}))
        elif "unused" in issues:
            found.append(_make(vault_id, "consent_unused", [consent, item["last_used"]], base,
                               {**revoke, "consent_id": consent}))
        if "broad" in issues and "never_used" not in issues:
            keep = item["facets_used"] if item["unused_facets"] and item["facets_used"] else []
            figures = {**base, "keep": keep, "unused_facets": item["unused_facets"]}
            if keep:
                action = {"type": "narrow_consent", "consent_id": consent, "keep": keep}
            else:
                action = {"type": "review_consent", "consent_id": consent, "url": "/consents/"}
            found.append(_make(vault_id, "consent_broad",
                               [consent, item["facets"], item["expires_at"], keep], figures, action))
        if "expiring" in issues:
            found.append(_make(vault_id, "consent_expiring", [consent, item["expires_at"]], base,
                               {"type": "review_consent", "consent_id": consent,
                                "url": "/consents/"}))
    return found


def _subscription_recommendations(vault_id: str, subscriptions: list[dict[str, Any]],
                                  increases: list[dict[str, Any]], *, today_iso: str,
                                  recent_days: int) -> list[dict[str, Any]]:
    found = []
    active = {item["merchant_key"]: item for item in subscriptions if item["status"] == "active"}
    today = dt.date.fromisoformat(today_iso)
    seen: set[str] = set()
    for increase in increases:
        key = increase["merchant_key"]
        if key in seen or key not in active:
            continue
        since = dt.date.fromisoformat(increase["since"])
        if (today - since).days > recent_days:
            continue
        seen.add(key)
        found.append(_make(vault_id, "subscription_price_increase",
                           [key, increase["old_amount"], increase["new_amount"], increase["since"]],
                           dict(increase), {"type": "review_subscription"}))
    by_category: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for item in active.values():
        if item["category"] not in GENERIC_CATEGORIES and item["amount_kind"] != "variable":
            by_category[(item["category"], item["currency"])].append(item)
    for (category, currency), items in sorted(by_category.items()):
        if len(items) < 2:
            continue
        items.sort(key=lambda item: item["merchant"].casefold())
        total = sum(float(item["yearly_cost"]) for item in items)
        found.append(_make(
            vault_id, "subscription_duplicates",
            [category, currency, [item["merchant_key"] for item in items]],
            {"category": category, "currency": currency,
             "merchants": [item["merchant"] for item in items],
             "yearly_total": f"{total:.2f}"},
            {"type": "review_subscription"},
        ))
    return found


def _spending_recommendations(vault_id: str, unusual: dict[str, list[dict[str, Any]]]
                              ) -> list[dict[str, Any]]:
    found = []
    for item in unusual.get("purchases", [])[:MAX_UNUSUAL]:
        found.append(_make(vault_id, "unusual_purchase", [item["purchase_id"]], dict(item),
                           {"type": "review_spending"}))
    for item in unusual.get("months", [])[:MAX_UNUSUAL]:
        found.append(_make(vault_id, "unusual_month", [item["month"], item["category"]],
                           dict(item), {"type": "review_spending"}))
    return found


def _profile_recommendations(vault_id: str, profile: dict[str, Any]) -> list[dict[str, Any]]:
    found = []
    for item in profile.get("stale", []):
        found.append(_make(vault_id, "stale_value", [item["facet"], item["record_id"]],
                           {"facet": item["facet"], "days_old": item["days_old"]},
                           {"type": "correct_value", "url": f"/vault/{item['facet']}/"}))
    mismatch = profile.get("address_mismatch")
    if mismatch:
        found.append(_make(vault_id, "address_mismatch",
                           [mismatch["record_id"], mismatch["recent_city"].casefold()],
                           {key: mismatch[key] for key in ("address_city", "recent_city",
                                                           "share_percent", "locations")},
                           {"type": "correct_value", "url": "/vault/address/"}))
    return found


def build_recommendations(*, vault_id: str, insights: dict[str, Any], today_iso: str,
                          price_rise_recent_days: int) -> list[dict[str, Any]]:
    found = (
        _consent_recommendations(vault_id, insights.get("consent_hygiene", []))
        + _subscription_recommendations(vault_id, insights.get("subscriptions", []),
                                        insights.get("price_increases", []), today_iso=today_iso,
                                        recent_days=price_rise_recent_days)
        + _profile_recommendations(vault_id, insights.get("profile", {}))
        + _spending_recommendations(vault_id, insights.get("unusual", {}))
    )
    found.sort(key=lambda item: (item["priority"], item["fingerprint"]))
    return found
