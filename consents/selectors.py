"""Reads for consents, and the one place where facet values are read for a brand.

The consent screen's preview and the brand API go through the same functions
(``profile_values`` and ``events_page``), so what the consumer is shown is exactly
what the brand would receive. Every function takes whom it reads for (a
consumer, or a vault reached through a consent) and reads nothing else.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import connection, connections, router
from django.db.models import Q, QuerySet
from django.utils import timezone

from vault.facets import FACETS
from vault.models import Record, Vault
from vault.reduced import EVENTS_WINDOW_DAYS, REDUCED_FACETS, derive
from vault.selectors import Sealed, records_open

from .errors import CursorInvalid
from .models import Consent
from .scopes import facet_info

if TYPE_CHECKING:
    from accounts.models import User


# --- consents -----------------------------------------------------------------

def consents_for_consumer(*, consumer: User) -> QuerySet[Consent]:
    return (
        Consent.objects.filter(consumer=consumer)
        .select_related("brand", "application")
        .order_by("status", "-granted_at")
    )


def consent_for_consumer(*, consumer: User, consent_id: Any) -> Consent | None:
    """The consumer's own consent with that id (never another consumer's)."""
    try:
        key = uuid.UUID(str(consent_id))
    except ValueError:
        return None
    return (
        Consent.objects.select_related("brand", "application", "vault")
        .filter(consumer=consumer, pk=key)
        .first()
    )


def consents_due_for_expiry(*, now: dt.datetime | None = None, limit: int = 500) -> list[Consent]:
    now = now or timezone.now()
    return list(
        Consent.objects.filter(status=Consent.Status.ACTIVE, expires_at__lte=now)
        .order_by("expires_at")[:limit]
    )


def consents_live_for_brand(*, brand: Any, purpose: str,
                            now: dt.datetime | None = None) -> QuerySet[Consent]:
    """The brand's consents for ``purpose`` live at ``now`` (active, not yet
    expired: the same test as ``Consent.is_live``), with their vaults, grouped by
    consumer and newest first within each consumer."""
    now = now or timezone.now()
    return (
        Consent.objects.filter(brand=brand, purpose=purpose, status=Consent.Status.ACTIVE,
                               expires_at__gt=now)
        .select_related("vault")
        .order_by("consumer_id", "-granted_at")
    )


# --- facet values ---------------------------------------------------------------

def _current_rows(vault: Vault, facets: list[str]) -> list[Sealed]:
    """Current profile records of ``facets``: the hot path of every brand read,
    so one plain statement on the (vault, facet, superseded_at) index rather
    than an ORM query rebuilt and compiled on each request."""
    table = connection.ops.quote_name(Record._meta.db_table)
    marks = ", ".join(["%s"] * len(facets))
    sql = (
        f"SELECT id, facet, sealed, key_version FROM {table} "  # noqa: S608 - names from the model
        f"WHERE vault_id = %s AND facet IN ({marks}) "
        "AND superseded_at IS NULL AND occurred_at IS NULL"
    )
    with connections[router.db_for_read(Record)].cursor() as cursor:
        cursor.execute(sql, [vault.pk.hex if connection.vendor == "sqlite" else vault.pk, *facets])
        # SQLite returns the id as bare hex: back to a UUID, as it was sealed under.
        return [Sealed(id=uuid.UUID(str(record_id)), facet=facet, key_version=version,
                       sealed=sealed)
                for record_id, facet, sealed, version in cursor.fetchall()]


def profile_values(*, vault: Vault, facets: Iterable[str],
                   today: dt.date | None = None) -> dict[str, dict[str, Any] | None]:
    """Current values of profile and reduced facets, in a constant number of
    queries whatever the number of facets (one for every profile record needed,
    one more when a reduced facet is computed from events)."""
    keys = [key for key in dict.fromkeys(facets) if key in FACETS or key in REDUCED_FACETS]
    today = today or timezone.localdate()
    full_needed = {key for key in keys if key in FACETS and not FACETS[key].is_events}
    event_sources: set[str] = set()
    for key in keys:
        reduced = REDUCED_FACETS.get(key)
        if reduced is not None:
            (event_sources if reduced.from_events else full_needed).add(reduced.source)
    current: dict[str, dict[str, Any]] = {}
    if full_needed:
        rows = _current_rows(vault, sorted(full_needed))
        for row, data in records_open(vault=vault, rows=rows):
            current[row.facet] = data
    streams: dict[str, list[dict[str, Any]]] = {}
    if event_sources:
        since = timezone.now() - dt.timedelta(days=EVENTS_WINDOW_DAYS)
        events = Record.objects.filter(
            vault=vault, facet__in=sorted(event_sources), occurred_at__gte=since
        ).only("id", "facet", "sealed", "key_version")
        for record, data in records_open(vault=vault, rows=events):
            streams.setdefault(record.facet, []).append(data)
    values: dict[str, dict[str, Any] | None] = {}
    for key in keys:
        reduced = REDUCED_FACETS.get(key)
        if reduced is None:
            values[key] = current.get(key)
        elif reduced.from_events:
            values[key] = derive(key, streams.get(reduced.source, []), today=today)
        else:
            source = current.get(reduced.source)
            values[key] = derive(key, source, today=today) if source is not None else None
    return values


@dataclass
class EventsPage:
    items: list[dict[str, Any]] = field(default_factory=list)
    next_cursor: str | None = None


def encode_cursor(occurred_at: dt.datetime, record_id: uuid.UUID) -> str:
    raw = json.dumps({"t": occurred_at.isoformat(), "id": str(record_id)}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).rstrip(b"=").decode()


def decode_cursor(cursor: str) -> tuple[dt.datetime, uuid.UUID]:
    """The position ``encode_cursor`` wrote; ``CursorInvalid`` for anything else
    (a forged cursor may hold any JSON, and any date-time Python can read)."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        data = json.loads(raw)
        if not isinstance(data, dict) or not isinstance(data.get("t"), str) \
                or not isinstance(data.get("id"), str):
            raise CursorInvalid()
        when = dt.datetime.fromisoformat(data["t"])
        if timezone.is_naive(when):
            raise CursorInvalid()
        # In UTC, as the database compares it: 0001-01-01T00:00+05:00 is not a time.
        return when.astimezone(dt.UTC), uuid.UUID(data["id"])
    except (ValueError, OverflowError, RecursionError) as error:
        raise CursorInvalid() from error


def events_page(*, vault: Vault, facet: str, since: dt.datetime | None = None,
                cursor: str | None = None, limit: int = 100) -> EventsPage:
    """One page of an events facet, oldest first from ``since``; ``next_cursor``
    continues after the last item (stable under concurrent appends). One query."""
    queryset = Record.objects.filter(vault=vault, facet=facet).only(
        "id", "facet", "sealed", "key_version", "occurred_at", "created_at"
    )
    if since is not None:
        queryset = queryset.filter(occurred_at__gte=since)
    if cursor:
        after_time, after_id = decode_cursor(cursor)
        queryset = queryset.filter(
            Q(occurred_at__gt=after_time) | Q(occurred_at=after_time, id__gt=after_id)
        )
    records = list(queryset.order_by("occurred_at", "id")[: limit + 1])
    page = EventsPage()
    for record, data in records_open(vault=vault, rows=records[:limit]):
        page.items.append({
            "id": str(record.id),
            "occurred_at": record.occurred_at.isoformat() if record.occurred_at else None,
            "recorded_at": record.created_at.isoformat(),
            "data": data,
        })
    if len(records) > limit:
        last = records[limit - 1]
        assert last.occurred_at is not None  # noqa: S101 - events always have a time
        page.next_cursor = encode_cursor(last.occurred_at, last.id)
    return page


@dataclass
class Preview:
    """What the brand would receive for one facet, as shown on the consent screen."""

    facet: str
    value: dict[str, Any] | None = None
    events: list[dict[str, Any]] = field(default_factory=list)
    events_total: int = 0


def consent_preview(*, consumer: User, facets: Iterable[str], events_shown: int = 3) -> dict[str, Preview]:
    """The exact values each facet would disclose from this consumer's vault."""
    vault = consumer.vault
    keys = list(dict.fromkeys(facets))
    previews: dict[str, Preview] = {}
    profile_keys = [key for key in keys if (info := facet_info(key)) and not info.is_events]
    values = profile_values(vault=vault, facets=profile_keys) if profile_keys else {}
    for key in keys:
        info = facet_info(key)
        if info is None:
            continue
        if info.is_events:
            total = Record.objects.filter(vault=vault, facet=key).count()
            latest = Record.objects.filter(vault=vault, facet=key).order_by("-occurred_at", "-id")[
                :events_shown
            ]
            previews[key] = Preview(
                facet=key,
                events=[{"occurred_at": record.occurred_at, "data": data}
                        for record, data in records_open(vault=vault, rows=latest)],
                events_total=total,
            )
        else:
            previews[key] = Preview(facet=key, value=values.get(key))
    return previews


def facets_described(grants: dict[str, list[str]]) -> list[dict[str, Any]]:
    """Facets of a consent with their labels, for pages and receipts."""
    rows = []
    for facet, modes in sorted(grants.items()):
        info = facet_info(facet)
        rows.append({"facet": facet, "label": info.label if info else facet,
                     "description": info.description if info else "",
                     "reduced": bool(info and info.reduced), "modes": list(modes)})
    return rows
