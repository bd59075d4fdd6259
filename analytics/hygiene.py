"""Consent hygiene: live consents worth a second look.

* never used: granted more than a grace period ago and no brand access since;
* unused: last used more than N days ago (90 by default);
* broad: many facets, or a long duration over several facets (a long consent
  to one facet, like a loyalty number, is normal);
* expiring soon: ends within the warning window.

Usage is what the audit log recorded under the consent (``footprint.brand_activity``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from consents.models import Consent

from .footprint import ConsentUsage

LONG_CONSENT_MIN_FACETS = 3


def consent_hygiene(consents: Sequence[Consent], usage: Mapping[str, ConsentUsage], *,
                    now: dt.datetime, unused_days: int, grace_days: int, broad_facets: int,
                    broad_days: int, expiry_warning_days: int) -> list[dict[str, Any]]:
    findings = []
    for consent in consents:
        if not consent.is_live(now):
            continue
        consent_id = str(consent.pk)
        used = usage.get(consent_id, ConsentUsage())
        issues: list[str] = []
        age_days = (now - consent.granted_at).days
        if used.uses == 0:
            if age_days >= grace_days:
                issues.append("never_used")
        elif used.last_used is not None and (now - used.last_used).days >= unused_days:
            issues.append("unused")
        duration_days = (consent.expires_at - consent.granted_at).days
        many = len(consent.grants) >= broad_facets
        long = duration_days > broad_days
        if many or (long and len(consent.grants) >= LONG_CONSENT_MIN_FACETS):
            issues.append("broad")
        days_left = (consent.expires_at - now).days
        if (consent.expires_at - now) <= dt.timedelta(days=expiry_warning_days):
            issues.append("expiring")
        if not issues:
            continue
        unused_facets = sorted(set(consent.grants) - used.facets_used) if used.uses else []
        findings.append({
            "consent_id": consent_id,
            "brand": consent.brand.name,
            "client_id": consent.application.client_id,
            "purpose": consent.purpose,
            "facets": sorted(consent.grants),
            "facet_count": len(consent.grants),
            "write_facets": sorted(facet for facet, modes in consent.grants.items()
                                   if "write" in modes),
            "issues": issues,
            "uses": used.uses,
            "last_used": used.last_used.isoformat() if used.last_used else None,
            "days_since_use": (now - used.last_used).days if used.last_used else None,
            "granted_at": consent.granted_at.isoformat(),
            "days_since_grant": age_days,
            "expires_at": consent.expires_at.isoformat(),
            "days_to_expiry": days_left,
            "duration_days": duration_days,
            "many_facets": many,
            "long_duration": long,
            "facets_used": sorted(used.facets_used),
            "unused_facets": unused_facets,
        })
    return findings
