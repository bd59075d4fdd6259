"""The one place analytics touches consents (and the OAuth clients behind them).

Consents are another app's (``consents``): this adapter reads them through
that app's selectors where they exist and changes them only through its
services (``consent_revoke``, ``consent_narrow``), so revoking from an insight
card does exactly what revoking from the consents page does (tokens revoked,
audit event, webhook). Imports are lazy: without the consents app, or before
its services exist, analytics sees "no consents" and offers no consent action,
instead of failing.
"""

from __future__ import annotations

import datetime as dt
import importlib
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from types import ModuleType
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.utils import timezone

from .errors import ConsentActionUnavailable

if TYPE_CHECKING:
    from accounts.models import User

logger = logging.getLogger(__name__)

ANALYTICS_PURPOSE = "analytics"


@dataclass(frozen=True)
class ConsentInfo:
    id: str
    brand_id: str
    brand_name: str
    client_id: str
    purpose: str
    grants: dict[str, list[str]]
    status: str
    granted_at: dt.datetime
    expires_at: dt.datetime | None
    revoked_at: dt.datetime | None = None
    vault_id: str = ""
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def facets(self) -> list[str]:
        return sorted(self.grants)

    def is_live(self, now: dt.datetime) -> bool:
        return self.status == "active" and (self.expires_at is None or now < self.expires_at)


def _module(name: str) -> ModuleType | None:
    if not apps.is_installed("consents"):
        return None
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


def _consent_model() -> Any:
    if not apps.is_installed("consents"):
        return None
    try:
        return apps.get_model("consents", "Consent")
    except LookupError:
        return None


def available() -> bool:
    """Whether consents exist in this deployment (model installed)."""
    return _consent_model() is not None


def _grants(consent: Any) -> dict[str, list[str]]:
    """Granted facets as {facet: [modes]}, whatever shape the model keeps them in."""
    raw = getattr(consent, "grants", None)
    if raw is None:
        raw = getattr(consent, "facets", None) or getattr(consent, "scopes", None) or {}
    if isinstance(raw, str):
        raw = raw.split()
    grants: dict[str, list[str]] = {}
    if isinstance(raw, dict):
        for facet, modes in raw.items():
            grants[str(facet)] = sorted({str(mode) for mode in (modes or ["read"])})
    elif isinstance(raw, Iterable):
        for item in raw:
            if isinstance(item, dict):
                facet, mode = str(item.get("facet", "")), str(item.get("access", "read"))
            else:
                facet, _sep, mode = str(item).partition(":")
                mode = mode or "read"
            if facet:
                grants.setdefault(facet, [])
                if mode not in grants[facet]:
                    grants[facet].append(mode)
                    grants[facet].sort()
    return grants


def _info(consent: Any) -> ConsentInfo:
    brand = getattr(consent, "brand", None)
    application = getattr(consent, "application", None)
    return ConsentInfo(
        id=str(consent.pk),
        brand_id=str(getattr(brand, "pk", "") or ""),
        brand_name=str(getattr(brand, "name", "") or getattr(application, "name", "") or "?"),
        client_id=str(getattr(application, "client_id", "") or ""),
        purpose=str(getattr(consent, "purpose", "") or ""),
        grants=_grants(consent),
        status=str(getattr(consent, "status", "active")),
        granted_at=getattr(consent, "granted_at", None) or timezone.now(),
        expires_at=getattr(consent, "expires_at", None),
        revoked_at=getattr(consent, "revoked_at", None),
        vault_id=str(getattr(consent, "vault_id", "") or ""),
    )


def consents_for(consumer: User) -> list[ConsentInfo]:
    """Every consent of this consumer (any status), newest first."""
    selectors = _module("consents.selectors")
    if selectors is not None and hasattr(selectors, "consents_for_consumer"):
        return [_info(consent) for consent in selectors.consents_for_consumer(consumer=consumer)]
    model = _consent_model()
    if model is None:
        return []
    queryset = model.objects.filter(consumer=consumer).select_related("brand", "application")
    return [_info(consent) for consent in queryset]


def analytics_consumers(brand: Any, *, now: dt.datetime | None = None) -> list[tuple[User, ConsentInfo]]:
    """Consumers with a live consent for the analytics purpose to this brand,
    one entry per consumer (their most recent such consent)."""
    model = _consent_model()
    if model is None:
        return []
    now = now or timezone.now()
    queryset = (
        model.objects.filter(brand=brand, purpose=ANALYTICS_PURPOSE, status="active")
        .select_related("consumer", "consumer__vault", "brand", "application")
        .order_by("consumer_id", "-granted_at")
    )
    found: dict[Any, tuple[User, ConsentInfo]] = {}
    for consent in queryset:
        info = _info(consent)
        if info.is_live(now) and consent.consumer_id not in found:
            found[consent.consumer_id] = (consent.consumer, info)
    return list(found.values())


def application_brands(client_ids: Iterable[str]) -> dict[str, str]:
    """OAuth client id -> the brand's name (client id itself when unknown)."""
    wanted = sorted({client_id for client_id in client_ids if client_id})
    if not wanted:
        return {}
    names = {client_id: client_id for client_id in wanted}
    try:
        from oauth2_provider.models import get_application_model

        model = get_application_model()
    except (ImportError, LookupError, ValueError):
        return names
    fields = {item.name for item in model._meta.get_fields()}
    queryset = model.objects.filter(client_id__in=wanted)
    if "brand" in fields:
        queryset = queryset.select_related("brand")
    for application in queryset:
        brand = getattr(application, "brand", None)
        names[application.client_id] = str(getattr(brand, "name", "") or application.name
                                           or application.client_id)
    return names


def _own_consent(consumer: User, consent_id: str) -> Any:
    selectors = _module("consents.selectors")
    if selectors is not None and hasattr(selectors, "consent_for_consumer"):
        return selectors.consent_for_consumer(consumer=consumer, consent_id=consent_id)
    model = _consent_model()
    if model is None:
        return None
    return model.objects.filter(consumer=consumer, pk=consent_id).first()


def _service(name: str) -> Callable[..., Any]:
    services = _module("consents.services")
    function = getattr(services, name, None) if services is not None else None
    if function is None:
        raise ConsentActionUnavailable("consents.services.%(name)s is not available", name=name)
    return function  # type: ignore[no-any-return]


def _consent_error() -> type[Exception]:
    services = _module("consents.services")
    error = getattr(services, "ConsentError", None) if services is not None else None
    return error if isinstance(error, type) and issubclass(error, Exception) else ValueError


def revoke(*, consumer: User, consent_id: str, actor: tuple[str, str], request_id: str = "") -> bool:
    """Revoke one of the consumer's own consents through ``consents.services.consent_revoke``
    (which ends its tokens, audits and notifies the brand in one transaction).
    False when the consent is not theirs or no longer active."""
    consent = _own_consent(consumer, consent_id)
    if consent is None or str(getattr(consent, "status", "")) != "active":
        return False
    revoked = _service("consent_revoke")(consent=consent, actor=actor, reason="consumer",
                                         request_id=request_id)
    return str(getattr(revoked, "status", "")) == "revoked"


def narrow(*, consumer: User, consent_id: str, keep: Iterable[str], actor: tuple[str, str],
           request_id: str = "") -> bool:
    """Narrow one of the consumer's own consents to the facets in ``keep`` (their
    access modes unchanged) through ``consents.services.consent_narrow``."""
    consent = _own_consent(consumer, consent_id)
    if consent is None or str(getattr(consent, "status", "")) != "active":
        return False
    keep_set = set(keep)
    current = _grants(consent)
    grants = {facet: modes for facet, modes in current.items() if facet in keep_set}
    if not grants or grants == current:
        return False
    try:
        _service("consent_narrow")(consent=consent, facets=grants, actor=actor,
                                   request_id=request_id)
    except _consent_error():
        return False
    return True


def can_act() -> dict[str, bool]:
    """Which consent actions the installed consents app supports."""
    services = _module("consents.services")
    return {
        "revoke": services is not None and hasattr(services, "consent_revoke"),
        "narrow": services is not None and hasattr(services, "consent_narrow"),
    }
