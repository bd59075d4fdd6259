"""The data footprint: which brands hold which facets, which read which and how often.

"Hold" comes from the vault's sources (what each brand's exports put in the
vault); "read" and "write" come from the consumer's own audit events (brand
applications acting under a consent). Both are read as counts: no record is
opened here except the sealed source names.

Consent usage for the hygiene checks is derived from the same audit rows.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Max

from audit.models import AuditEvent
from audit.selectors import brand_applications
from vault.models import Source, Vault
from vault.selectors import holdings

READ_ACTIONS = frozenset({"facet.read", "profile.read", "consent.read"})
WRITE_ACTIONS = frozenset({"facet.write"})
BRAND_ACTOR = AuditEvent.ActorType.BRAND_APPLICATION


@dataclass
class ConsentUsage:
    uses: int = 0
    last_used: dt.datetime | None = None
    facets_used: set[str] = field(default_factory=set)


def holders(*, vault: Vault) -> list[dict[str, Any]]:
    """Brands whose data is in the vault, with the facets and record counts."""
    by_source: dict[str, dict[str, Any]] = {}
    for holding in holdings(vault=vault):
        if holding.source == Source.SELF:
            continue
        entry = by_source.setdefault(holding.source, {
            "brand": holding.source, "facets": [], "records": 0, "last_update": None})
        entry["facets"].append({"facet": holding.facet, "records": holding.records})
        entry["records"] += holding.records
        last = holding.last_update.date().isoformat() if holding.last_update else None
        if last and (entry["last_update"] is None or last > entry["last_update"]):
            entry["last_update"] = last
    result = sorted(by_source.values(), key=lambda item: (-item["records"], item["brand"].casefold()))
    for entry in result:
        entry["facets"].sort(key=lambda item: item["facet"])
    return result


def brand_activity(*, vault: Vault, now: dt.datetime,
                   recent_days: int = 30) -> tuple[list[dict[str, Any]], dict[str, ConsentUsage]]:
    """Which brands read or wrote which facets, how often and when last (from
    the audit log of this subject), and per-consent usage for hygiene."""
    events = AuditEvent.objects.filter(subject=str(vault.subject), actor_type=BRAND_ACTOR)
    grouped = (events.order_by().values("actor_id", "consent_id", "action", "facets", "outcome")
               .annotate(count=Count("id"), last=Max("occurred_at")))
    recent_cutoff = now - dt.timedelta(days=recent_days)
    recent = {
        row["actor_id"]: row["count"]
        for row in events.filter(occurred_at__gte=recent_cutoff, outcome=AuditEvent.Outcome.ALLOWED)
        .order_by().values("actor_id").annotate(count=Count("id"))
    }
    usage: dict[str, ConsentUsage] = defaultdict(ConsentUsage)
    apps: dict[str, dict[str, Any]] = {}
    for row in grouped:
        client_id = row["actor_id"]
        entry = apps.setdefault(client_id, {"client_id": client_id, "facets": {}, "reads": 0,
                                            "writes": 0, "denied": 0, "last": None})
        last_iso = row["last"].isoformat() if row["last"] else None
        if row["outcome"] != AuditEvent.Outcome.ALLOWED:
            entry["denied"] += row["count"]
            continue
        kind = ("reads" if row["action"] in READ_ACTIONS
                else "writes" if row["action"] in WRITE_ACTIONS else None)
        if kind is not None:
            entry[kind] += row["count"]
            for facet in row["facets"] or []:
                facet_entry = entry["facets"].setdefault(facet, {"facet": facet, "reads": 0,
                                                                 "writes": 0, "last": None})
                facet_entry[kind] += row["count"]
                if last_iso and (facet_entry["last"] is None or last_iso > facet_entry["last"]):
                    facet_entry["last"] = last_iso
        if last_iso and (entry["last"] is None or last_iso > entry["last"]):
            entry["last"] = last_iso
        if row["consent_id"]:
            consent = usage[row["consent_id"]]
            consent.uses += row["count"]
            if row["last"] and (consent.last_used is None or row["last"] > consent.last_used):
                consent.last_used = row["last"]
            consent.facets_used.update(row["facets"] or [])
    brands = brand_applications(apps)
    readers = []
    for client_id, entry in apps.items():
        entry["brand"] = brands[client_id].name if client_id in brands else client_id
        entry["recent"] = recent.get(client_id, 0)
        entry["recent_days"] = recent_days
        entry["facets"] = sorted(entry["facets"].values(), key=lambda item: item["facet"])
        readers.append(entry)
    readers.sort(key=lambda item: (-(item["reads"] + item["writes"]), item["brand"].casefold()))
    return readers, dict(usage)
