"""Reads for brands: what a token may see, what brand staff may see.

``facet_values_for_token`` is the only way the brand API reads personal data:
it takes the token (the actor), checks the consent behind it allows the facet,
and reads only that consumer's vault. Brand staff pages get counts, never data.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db.models import Count, QuerySet

from consents.models import READ, AccessToken, Consent
from consents.oauth import digest
from consents.scopes import facet_info
from consents.selectors import EventsPage, events_page, profile_values

from .errors import FacetNotConsented, UnknownFacet
from .models import Application, Brand, BrandMembership

if TYPE_CHECKING:
    from accounts.models import User


def token_for_bearer(value: str) -> AccessToken | None:
    """The access token with this bearer value (looked up by digest), with its
    consent, vault, client and brand in the same query."""
    if not value or len(value) > 512:
        return None
    return (
        AccessToken.objects.select_related(
            "consent", "consent__vault", "application", "application__brand"
        )
        .defer("consent__receipt", "consent__requested_scope", "application__redirect_uris",
               "application__post_logout_redirect_uris", "application__allowed_origins")
        .filter(token_checksum=digest(value))
        .first()
    )


def require_facet(*, token: AccessToken, facet: str, mode: str) -> Consent:
    """The token's consent, if it allows ``facet`` with ``mode``; raises otherwise."""
    if facet_info(facet) is None:
        raise UnknownFacet(facet)
    consent = token.consent
    allowed = set(token.scope.split())
    if consent is None or f"{facet}:{mode}" not in allowed or not consent.allows(facet, mode):
        raise FacetNotConsented(facet, mode)
    return consent


@dataclass
class FacetRead:
    facet: str
    kind: str
    value: dict[str, Any] | None = None
    page: EventsPage | None = None

    @property
    def record_count(self) -> int:
        if self.page is not None:
            return len(self.page.items)
        return 0 if self.value is None else 1


def facet_values_for_token(*, token: AccessToken, facet: str, since: dt.datetime | None = None,
                           cursor: str | None = None, limit: int = 100) -> FacetRead:
    """What the brand holding ``token`` may read of ``facet`` for its consumer."""
    consent = require_facet(token=token, facet=facet, mode=READ)
    info = facet_info(facet)
    assert info is not None  # noqa: S101 - checked by require_facet
    if info.is_events:
        page = events_page(vault=consent.vault, facet=facet, since=since, cursor=cursor, limit=limit)
        return FacetRead(facet=facet, kind="events", page=page)
    value = profile_values(vault=consent.vault, facets=[facet])[facet]
    return FacetRead(facet=facet, kind="profile", value=value)


def profile_for_token(*, token: AccessToken) -> dict[str, dict[str, Any] | None]:
    """Every profile (or reduced) facet the consent lets the brand read, nothing else."""
    consent = token.consent
    if consent is None:
        return {}
    allowed = set(token.scope.split())
    keys = sorted(
        facet for facet, modes in consent.grants.items()
        if READ in modes and f"{facet}:{READ}" in allowed
        and (info := facet_info(facet)) is not None and not info.is_events
    )
    if not keys:
        return {}
    return profile_values(vault=consent.vault, facets=keys)


# --- brand staff ------------------------------------------------------------------

def brands_for_staff(*, user: User) -> QuerySet[Brand]:
    return Brand.objects.filter(memberships__user=user).order_by("name").distinct()


def membership(*, user: User, brand_slug: str) -> BrandMembership | None:
    return (
        BrandMembership.objects.select_related("brand")
        .filter(user=user, brand__slug=brand_slug)
        .first()
    )


def applications_of(*, brand: Brand) -> QuerySet[Application]:
    return Application.objects.filter(brand=brand).order_by("created")


def application_of(*, brand: Brand, client_id: str) -> Application | None:
    if "\x00" in client_id:
        # Names no client, and PostgreSQL cannot even compare it (DataError).
        return None
    return Application.objects.filter(brand=brand, client_id=client_id).first()


@dataclass
class ConsentStatistics:
    """Counts of the consents a brand holds: by status, and by facet and access
    among active ones. Never who, never what."""

    by_status: dict[str, int] = field(default_factory=dict)
    by_facet: list[tuple[str, str, int]] = field(default_factory=list)
    by_purpose: dict[str, int] = field(default_factory=dict)


def consent_statistics(*, brand: Brand, now: dt.datetime | None = None) -> ConsentStatistics:
    stats = ConsentStatistics()
    consents = Consent.objects.filter(brand=brand)
    for row in consents.values("status").annotate(n=Count("id")):
        stats.by_status[row["status"]] = row["n"]
    facets: Counter[tuple[str, str]] = Counter()
    purposes: Counter[str] = Counter()
    active = consents.filter(status=Consent.Status.ACTIVE)
    if now is not None:
        active = active.filter(expires_at__gt=now)
    for grants, purpose in active.values_list("grants", "purpose").iterator(chunk_size=2000):
        purposes[purpose] += 1
        for facet, modes in (grants or {}).items():
            for mode in modes:
                facets[(facet, mode)] += 1
    stats.by_facet = sorted(((facet, mode, count) for (facet, mode), count in facets.items()),
                            key=lambda item: (-item[2], item[0], item[1]))
    stats.by_purpose = dict(sorted(purposes.items()))
    return stats
