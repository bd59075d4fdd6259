"""Consent lifecycle: grant, narrow, revoke, expire.

Each verb is one durable transaction holding the change, its audit event and
its webhook (written to the outbox, delivered after commit by the webhook
engine). Revoking or expiring a consent ends every token that carries it in the
same transaction, so a brand is cut off the moment the consumer decides.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.services import audit_append
from core.actors import SYSTEM, Actor

from . import hooks
from .conf import consents_settings
from .errors import ConsentError
from .models import ACCESS_MODES, AccessToken, Consent, Grant, RefreshToken, scopes_of
from .receipts import build_receipt, sign_receipt
from .scopes import clean_purpose, parse_scopes

if TYPE_CHECKING:
    from accounts.models import User

logger = logging.getLogger(__name__)


def _event_payload(consent: Consent, *, previous: list[str] | None = None) -> dict[str, Any]:
    """Thin payload: ids, scopes and the expiry; never a personal value."""
    payload: dict[str, Any] = {
        "consent_id": consent.id,
        "client_id": consent.application.client_id,
        "facets": consent.scopes,
        "expires_at": consent.expires_at,
    }
    if previous is not None:
        payload["previous_facets"] = previous
    return payload


def clean_grants(facets: Mapping[str, Iterable[str]]) -> dict[str, list[str]]:
    """Normalise ``{facet: modes}``; every scope must exist (reduced facets are read-only)."""
    scopes = []
    for facet, modes in facets.items():
        modes = list(modes)
        if not modes:
            continue
        for mode in modes:
            if mode not in ACCESS_MODES:
                raise ConsentError(_("unknown access mode %(mode)s"), mode=repr(mode))
            scopes.append(f"{facet}:{mode}")
    grants = parse_scopes(scopes)
    if not grants:
        raise ConsentError(_("a consent covers at least one facet"))
    return grants


def _max_expiry(now: dt.datetime) -> dt.datetime:
    return now + dt.timedelta(days=int(consents_settings.MAX_DURATION_DAYS))


def _sign(consent: Consent) -> None:
    consent.receipt = sign_receipt(build_receipt(consent))


def _end_tokens(consent: Consent, *, now: dt.datetime) -> int:
    """Revoke every credential of the consent in a constant number of queries."""
    refresh = RefreshToken.objects.filter(consent=consent, revoked__isnull=True).update(
        revoked=now, updated=now, access_token=None
    )
    access, _detail = AccessToken.objects.filter(consent=consent).delete()
    Grant.objects.filter(consent=consent, used_at__isnull=True).update(used_at=now, expires=now)
    return refresh + access


def _narrow_tokens(consent: Consent, *, allowed: set[str], expires: dt.datetime,
                   now: dt.datetime) -> None:
    """Each live token of the consent keeps what it had *and* the consent still
    allows (a token the brand scoped down stays down); one left with nothing
    ends, with its refresh token. None lives past the consent's new expiry."""
    emptied: list[Any] = []
    for pk, token_scope in AccessToken.objects.filter(consent=consent).values_list("pk", "scope"):
        kept = " ".join(sorted(set(token_scope.split()) & allowed))
        if not kept:
            emptied.append(pk)
        elif kept != token_scope:
            AccessToken.objects.filter(pk=pk).update(scope=kept, updated=now)
    if emptied:
        RefreshToken.objects.filter(access_token__in=emptied, revoked__isnull=True).update(
            revoked=now, updated=now, access_token=None
        )
        AccessToken.objects.filter(pk__in=emptied).delete()
    AccessToken.objects.filter(consent=consent, expires__gt=expires).update(expires=expires)


def consent_grant(
    *,
    consumer: User,
    application: Any,
    facets: Mapping[str, Iterable[str]],
    purpose: str,
    expires_at: dt.datetime,
    description: str = "",
    requested_scope: str = "",
    request_id: str = "",
    issue: Callable[[Consent], object] | None = None,
) -> Consent:
    """Record a consent the consumer gave on the consent screen.

    ``application`` is the brand's OAuth client (``brands.Application``, the
    toolkit's swapped application model, in the layer above this one).

    ``issue`` runs inside the same transaction (the authorization server passes
    the creation of the authorization code), so a consent never exists without
    the code that carries it, nor a code without its consent.
    """
    from core.actors import account_actor

    grants = clean_grants(facets)
    purpose = clean_purpose(purpose)
    if not application.declares(purpose):
        raise ConsentError(_("purpose %(purpose)s is not declared by this client"),
                           purpose=repr(purpose))
    if not application.is_usable(None):
        raise ConsentError(_("this client is disabled"))
    now = timezone.now()
    if expires_at <= now or expires_at > _max_expiry(now) + dt.timedelta(minutes=1):
        raise ConsentError(_("a consent lasts from one day to the maximum duration"))
    vault = consumer.vault
    with transaction.atomic(durable=True):
        consent = Consent(
            consumer=consumer, vault=vault, subject=vault.subject, brand=application.brand,
            application=application, purpose=purpose,
            description=(description or application.purpose_description(purpose))[:500],
            grants=grants, requested_scope=requested_scope[:2000], status=Consent.Status.ACTIVE,
            granted_at=now, expires_at=expires_at,
        )
        _sign(consent)
        consent.save(force_insert=True)
        if issue is not None:
            issue(consent)
        audit_append(
            actor=account_actor(consumer), action="consent.granted", subject=str(vault.subject),
            facets=list(grants), consent_id=str(consent.id), purpose=purpose,
            request_id=request_id,
            detail={"client_id": application.client_id, "brand": application.brand.slug,
                    "scope": consent.scope, "requested_scope": consent.requested_scope,
                    "expires_at": expires_at.isoformat()},
        )
        hooks.brand_event(brand=application.brand, event_type="consent.granted",
                          payload=_event_payload(consent), occurred_at=now)
        hooks.consent_changed(consent=consent)
    return consent


def consent_narrow(
    *,
    consent: Consent,
    facets: Mapping[str, Iterable[str]],
    actor: Actor,
    expires_at: dt.datetime | None = None,
    request_id: str = "",
) -> Consent:
    """Keep less than before: fewer facets, read instead of read and write, or a
    nearer expiry. Live tokens lose the dropped scopes at once."""
    grants = clean_grants(facets)
    with transaction.atomic(durable=True):
        locked = Consent.objects.select_for_update().select_related("brand", "application").get(
            pk=consent.pk
        )
        if not locked.is_live():
            raise ConsentError(_("This consent has already ended: it can no longer be changed."))
        before = set(locked.scopes)
        after = set(scopes_of(grants))
        if not after <= before:
            raise ConsentError(_("A consent can only be narrowed here, never widened."))
        new_expiry = locked.expires_at
        if expires_at is not None:
            if expires_at > locked.expires_at:
                raise ConsentError(_("A consent can be shortened here, not extended."))
            if expires_at <= timezone.now():
                raise ConsentError(_("To end a consent now, revoke it."))
            new_expiry = expires_at
        if after == before and new_expiry == locked.expires_at:
            raise ConsentError(_("Nothing to change: untick something, or choose an earlier end."))
        now = timezone.now()
        locked.grants = grants
        locked.expires_at = new_expiry
        locked.receipt_version += 1
        _sign(locked)
        locked.save(update_fields=["grants", "expires_at", "receipt", "receipt_version", "updated_at"])
        scope = " ".join(sorted(after))
        _narrow_tokens(locked, allowed=after, expires=new_expiry, now=now)
        audit_append(
            actor=actor, action="consent.narrowed", subject=str(locked.subject),
            facets=list(grants), consent_id=str(locked.id), purpose=locked.purpose,
            request_id=request_id,
            detail={"client_id": locked.application.client_id, "removed": sorted(before - after),
                    "scope": scope, "expires_at": new_expiry.isoformat()},
        )
        hooks.brand_event(brand=locked.brand, event_type="consent.narrowed",
                          payload=_event_payload(locked, previous=sorted(before)), occurred_at=now)
        hooks.consent_changed(consent=locked)
    return locked


def consent_revoke(*, consent: Consent, actor: Actor, reason: str = "consumer",
                   request_id: str = "") -> Consent:
    """End a consent now, with every token that carries it. Revoking twice is harmless."""
    with transaction.atomic(durable=True):
        locked = Consent.objects.select_for_update().select_related("brand", "application").get(
            pk=consent.pk
        )
        if locked.status != Consent.Status.ACTIVE:
            return locked
        now = timezone.now()
        locked.status = Consent.Status.REVOKED
        locked.revoked_at = now
        _sign(locked)
        locked.save(update_fields=["status", "revoked_at", "receipt", "updated_at"])
        ended = _end_tokens(locked, now=now)
        audit_append(
            actor=actor, action="consent.revoked", subject=str(locked.subject),
            facets=list(locked.grants), consent_id=str(locked.id), purpose=locked.purpose,
            request_id=request_id,
            detail={"client_id": locked.application.client_id, "reason": reason,
                    "tokens_revoked": ended},
        )
        hooks.brand_event(brand=locked.brand, event_type="consent.revoked",
                          payload=_event_payload(locked), occurred_at=now)
        hooks.consent_changed(consent=locked)
    return locked


def consent_expire(*, consent: Consent, now: dt.datetime | None = None) -> bool:
    """Mark a consent past its expiry as expired and end its tokens. The API
    already refuses it from the exact expiry time; this records the fact."""
    now = now or timezone.now()
    with transaction.atomic(durable=True):
        locked = Consent.objects.select_for_update().select_related("brand", "application").get(
            pk=consent.pk
        )
        if locked.status != Consent.Status.ACTIVE or locked.expires_at > now:
            return False
        locked.status = Consent.Status.EXPIRED
        locked.expired_at = now
        _sign(locked)
        locked.save(update_fields=["status", "expired_at", "receipt", "updated_at"])
        ended = _end_tokens(locked, now=now)
        audit_append(
            actor=SYSTEM, action="consent.expired", subject=str(locked.subject),
            facets=list(locked.grants), consent_id=str(locked.id), purpose=locked.purpose,
            detail={"client_id": locked.application.client_id, "tokens_revoked": ended,
                    "expired_at": locked.expires_at.isoformat()},
        )
        hooks.brand_event(brand=locked.brand, event_type="consent.expired",
                          payload=_event_payload(locked), occurred_at=now)
        hooks.consent_changed(consent=locked)
    return True


def expire_due_consents(*, now: dt.datetime | None = None) -> int:
    """Expire every consent whose time has come (run each minute by Celery beat)."""
    from .selectors import consents_due_for_expiry

    count = 0
    for consent in consents_due_for_expiry(now=now):
        if consent_expire(consent=consent, now=now):
            count += 1
    return count


def consent_tokens_revoke(*, consent: Consent, reason: str) -> int:
    """End the tokens of a consent without ending the consent (a replayed
    authorization code or refresh token): the brand must ask again."""
    with transaction.atomic():
        ended = _end_tokens(consent, now=timezone.now())
    logger.warning("tokens of consent %s revoked: %s", consent.pk, reason)
    return ended


def client_tokens_revoke(*, application: Any) -> int:
    """End the client-credentials tokens (``aggregates``) of one client, e.g.
    when its secret is rotated: they were obtained with the old secret alone.
    Call inside the caller's transaction; consumers' tokens are left alone."""
    ended, _detail = AccessToken.objects.filter(
        application=application, consent__isnull=True, user__isnull=True
    ).delete()
    return ended


def clients_all_tokens_revoke(*, applications: Iterable[Any], now: dt.datetime) -> int:
    """End every credential issued to these clients, when they (or their brand)
    are disabled: consumers' access and refresh tokens, unused authorization
    codes, client-credentials tokens. The consents stay: the consumer decides
    about those. Call inside the caller's transaction; returns the number of
    access and refresh tokens ended."""
    applications = list(applications)
    refresh = RefreshToken.objects.filter(
        application__in=applications, revoked__isnull=True
    ).update(revoked=now, updated=now, access_token=None)
    access, _detail = AccessToken.objects.filter(application__in=applications).delete()
    Grant.objects.filter(application__in=applications, used_at__isnull=True).update(
        used_at=now, expires=now
    )
    return refresh + access


def consents_on_erasure(*, vault_id: Any, actor: Actor, request_id: str = "") -> int:
    """Before a vault is erased: end every token of its consents and tell each
    brand that held one (``data.erased`` webhook), in the erasure's transaction.

    Every consent counts, not only active ones: a brand whose consent ended may
    still hold copies of what it read, and must delete them too. The consent rows
    themselves go with the vault (cascade) right after this.
    """
    now = timezone.now()
    consents = list(
        Consent.objects.select_for_update().select_related("brand", "application")
        .filter(vault_id=vault_id)
    )
    for consent in consents:
        ended = _end_tokens(consent, now=now)
        if consent.status == Consent.Status.ACTIVE:
            audit_append(
                actor=actor, action="consent.revoked", subject=str(consent.subject),
                facets=list(consent.grants), consent_id=str(consent.id), purpose=consent.purpose,
                request_id=request_id,
                detail={"client_id": consent.application.client_id, "reason": "erasure",
                        "tokens_revoked": ended},
            )
        hooks.brand_event(brand=consent.brand, event_type="data.erased",
                          payload={"consent_id": consent.id,
                                   "client_id": consent.application.client_id},
                          occurred_at=now)
    return len(consents)
