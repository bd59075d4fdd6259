"""Brand use cases: organisations, staff, OAuth clients, and the brand API's
audited reads and writes. One function per verb, keyword-only,
one durable transaction each with its audit event."""

from __future__ import annotations

import datetime as dt
import json
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from oauth2_provider.settings import oauth2_settings

from audit.services import audit_append
from consents.models import READ, WRITE, AccessToken, Consent
from consents.purposes import purpose_default
from consents.scopes import PURPOSES
from consents.services import client_tokens_revoke, clients_all_tokens_revoke
from core.actors import OPERATOR, Actor, brand_application_actor
from vault.crypto import blind_index
from vault.errors import RecordInvalid
from vault.services import record_write

from .conf import brands_settings
from .errors import BrandError, IdempotencyConflict
from .models import Application, Brand, BrandMembership, IdempotencyKey
from .selectors import FacetRead, facet_values_for_token, profile_for_token, require_facet

if TYPE_CHECKING:
    from accounts.models import User

# Paths under /brands/ that are not brands.
RESERVED_SLUGS = frozenset({"webhooks", "new", "static"})


# --- brands and staff --------------------------------------------------------------

def clean_brand_name(name: Any) -> str:
    if not isinstance(name, str) or not name.strip():
        raise BrandError(_("a brand needs a name"))
    name = " ".join(name.split())
    if len(name) > 120 or any(ord(char) < 32 for char in name):
        raise BrandError(_("a brand name is at most 120 printable characters"))
    return name


def brand_create(*, name: str, actor: Actor, slug: str = "", verified: bool = False) -> Brand:
    name = clean_brand_name(name)
    slug = slugify(slug or name)[:60]
    if not slug:
        raise BrandError(_("the brand name needs at least one letter or digit"))
    if slug in RESERVED_SLUGS:
        raise BrandError(_("'%(slug)s' is reserved; choose another name or slug"), slug=slug)
    with transaction.atomic(durable=True):
        if Brand.objects.filter(slug=slug).exists():
            raise BrandError(_("a brand with the slug '%(slug)s' already exists"), slug=slug)
        try:
            with transaction.atomic():
                brand = Brand.objects.create(name=name, slug=slug, verified=verified)
        except IntegrityError as error:
            raise BrandError(_("a brand with the slug '%(slug)s' already exists"), slug=slug) from error
        audit_append(actor=actor, action="brand.created",
                     detail={"brand": slug, "verified": verified})
    return brand


def brand_member_add(*, brand: Brand, user: User, role: str, actor: Actor) -> BrandMembership:
    if role not in BrandMembership.Role.values:
        raise BrandError(_("role is owner or developer"))
    with transaction.atomic(durable=True):
        membership, _created = BrandMembership.objects.update_or_create(
            brand=brand, user=user, defaults={"role": role}
        )
        if user.role == user.Role.CONSUMER:
            user.role = user.Role.BRAND_STAFF
            user.save(update_fields=["role"])
        audit_append(actor=actor, action="brand.member_added",
                     detail={"brand": brand.slug, "role": role, "user": str(user.pk)})
    return membership


def brand_verified_set(*, brand: Brand, verified: bool, actor: Actor) -> Brand:
    """Mark a brand as checked by Sillage staff (shown on consent screens), or not."""
    with transaction.atomic(durable=True):
        locked = Brand.objects.select_for_update().get(pk=brand.pk)
        if locked.verified == verified:
            return locked
        locked.verified = verified
        locked.save(update_fields=["verified"])
        audit_append(actor=actor, action="brand.verified",
                     detail={"brand": locked.slug, "verified": verified})
    brand.verified = verified
    return locked


def brand_member_remove(*, membership: BrandMembership, actor: Actor) -> None:
    """Take a staff member off a brand (their account stays)."""
    with transaction.atomic(durable=True):
        locked = (BrandMembership.objects.select_for_update(of=("self",))
                  .select_related("brand").filter(pk=membership.pk).first())
        if locked is None:
            return
        detail = {"brand": locked.brand.slug, "role": locked.role, "user": str(locked.user_id)}
        locked.delete()
        audit_append(actor=actor, action="brand.member_removed", detail=detail)


# --- OAuth clients --------------------------------------------------------------------

_LOOPBACK = {"localhost", "127.0.0.1", "::1"}


def clean_redirect_uris(uris: Iterable[str]) -> list[str]:
    """Exact, absolute redirect URIs: https, or http on a loopback address when
    the server allows it (native apps, RFC 8252); no fragment, no credentials,
    no wildcard."""
    cleaned: list[str] = []
    schemes = set(oauth2_settings.ALLOWED_REDIRECT_URI_SCHEMES)
    for raw in uris:
        uri = (raw or "").strip()
        if not uri:
            continue
        if len(uri) > 500 or any(char.isspace() for char in uri):
            raise BrandError(_("a redirect URI is at most 500 characters, without spaces"))
        parts = urlsplit(uri)
        host = parts.hostname or ""
        if parts.scheme not in ("https", "http") or not host:
            raise BrandError(_("redirect URI '%(uri)s' must be an absolute https URL"), uri=uri)
        if parts.scheme == "http" and (host not in _LOOPBACK or "http" not in schemes):
            raise BrandError(_("redirect URI '%(uri)s' must use https (plain http only for "
                               "loopback clients, when the server allows it)"), uri=uri)
        if parts.fragment or "#" in uri:
            raise BrandError(_("redirect URI '%(uri)s' must not have a fragment"), uri=uri)
        if "@" in parts.netloc:
            raise BrandError(_("redirect URI '%(uri)s' must not carry credentials"), uri=uri)
        if "*" in uri:
            raise BrandError(_("redirect URI '%(uri)s' must be exact (no wildcard)"), uri=uri)
        if uri not in cleaned:
            cleaned.append(uri)
    if not cleaned:
        raise BrandError(_("give at least one redirect URI"))
    if len(cleaned) > 10:
        raise BrandError(_("at most 10 redirect URIs"))
    return cleaned


def clean_purposes(purposes: Mapping[str, str] | Iterable[str]) -> list[dict[str, str]]:
    """``{"loyalty": "Earn points ..."}`` (or just purpose names) -> the stored list."""
    items = purposes.items() if isinstance(purposes, Mapping) else ((p, "") for p in purposes)
    cleaned: list[dict[str, str]] = []
    for purpose, description in items:
        if purpose not in PURPOSES:
            raise BrandError(_("unknown purpose '%(purpose)s'; one of: %(known)s"),
                             purpose=purpose, known=", ".join(PURPOSES))
        text = " ".join(str(description or "").split())
        if len(text) > 300:
            raise BrandError(_("a purpose description is at most 300 characters"))
        cleaned.append({"purpose": purpose, "description": text or purpose_default(purpose)})
    if not cleaned:
        raise BrandError(_("declare at least one purpose"))
    return cleaned


@dataclass(frozen=True)
class IssuedClient:
    application: Application
    # Shown once: only its hash is stored.
    client_secret: str | None


def application_create(
    *,
    brand: Brand,
    name: str,
    redirect_uris: Iterable[str],
    purposes: Mapping[str, str] | Iterable[str],
    actor: Actor,
    confidential: bool = True,
) -> IssuedClient:
    """Register an OAuth client (authorization code + PKCE). A confidential
    client gets a secret, returned here once and stored only as a hash."""
    name = " ".join(str(name or "").split())[:120] or brand.name
    uris = clean_redirect_uris(redirect_uris)
    declared = clean_purposes(purposes)
    secret = secrets.token_urlsafe(48) if confidential else ""
    with transaction.atomic(durable=True):
        application = Application(
            brand=brand, name=name, redirect_uris=" ".join(uris),
            client_type=(Application.CLIENT_CONFIDENTIAL if confidential
                         else Application.CLIENT_PUBLIC),
            authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
            client_secret=secret, hash_client_secret=True, purposes=declared,
            skip_authorization=False,
        )
        application.save()
        audit_append(actor=actor, action="brand.client_registered",
                     detail={"brand": brand.slug, "client_id": application.client_id,
                             "client_type": application.client_type,
                             "purposes": [item["purpose"] for item in declared]})
    return IssuedClient(application=application, client_secret=secret or None)


def application_secret_rotate(*, application: Application, actor: Actor) -> str:
    """A new secret for a confidential client; the old one stops working now,
    and so do the client-credentials tokens obtained with it."""
    if not application.is_confidential:
        raise BrandError(_("a public client has no secret"))
    secret = secrets.token_urlsafe(48)
    with transaction.atomic(durable=True):
        locked = Application.objects.select_for_update(of=("self",)).get(pk=application.pk)
        locked.client_secret = secret
        locked.secret_rotated_at = timezone.now()
        locked.save(update_fields=["client_secret", "secret_rotated_at", "updated"])
        ended = client_tokens_revoke(application=locked)
        audit_append(actor=actor, action="brand.client_secret_rotated",
                     detail={"brand": locked.brand.slug, "client_id": locked.client_id,
                             "client_tokens_revoked": ended})
    application.client_secret = locked.client_secret
    return secret


def application_update(*, application: Application, name: str, redirect_uris: Iterable[str],
                       purposes: Mapping[str, str] | Iterable[str], actor: Actor) -> Application:
    uris = clean_redirect_uris(redirect_uris)
    declared = clean_purposes(purposes)
    with transaction.atomic(durable=True):
        locked = Application.objects.select_for_update(of=("self",)).get(pk=application.pk)
        locked.name = " ".join(str(name or "").split())[:120] or locked.name
        locked.redirect_uris = " ".join(uris)
        locked.purposes = declared
        locked.save(update_fields=["name", "redirect_uris", "purposes", "updated"])
        audit_append(actor=actor, action="brand.client_updated",
                     detail={"brand": locked.brand.slug, "client_id": locked.client_id})
    return locked


def application_disable(*, application: Application, actor: Actor, reason: str = "") -> Application:
    """Stop a client now: it can no longer authenticate or be authorised, and
    every token it holds (consumers' and its own client-credentials tokens)
    and every unused code ends in the same transaction. The consents stay;
    enabling the client again does not bring the tokens back."""
    with transaction.atomic(durable=True):
        locked = Application.objects.select_for_update(of=("self",)).get(pk=application.pk)
        if locked.disabled_at is not None:
            return locked
        now = timezone.now()
        locked.disabled_at = now
        locked.save(update_fields=["disabled_at", "updated"])
        ended = clients_all_tokens_revoke(applications=[locked], now=now)
        audit_append(actor=actor, action="brand.client_disabled",
                     detail={"brand": locked.brand.slug, "client_id": locked.client_id,
                             "tokens_revoked": ended, "reason": reason[:200]})
    application.disabled_at = locked.disabled_at
    return locked


def application_enable(*, application: Application, actor: Actor) -> Application:
    """Let a disabled client authenticate again (its old tokens stay dead)."""
    with transaction.atomic(durable=True):
        locked = Application.objects.select_for_update(of=("self",)).get(pk=application.pk)
        if locked.disabled_at is None:
            return locked
        locked.disabled_at = None
        locked.save(update_fields=["disabled_at", "updated"])
        audit_append(actor=actor, action="brand.client_enabled",
                     detail={"brand": locked.brand.slug, "client_id": locked.client_id})
    application.disabled_at = None
    return locked


def brand_disable(*, brand: Brand, actor: Actor, reason: str = "") -> Brand:
    """Stop a brand now: none of its clients can authenticate or be authorised
    while it is disabled, and every token they hold ends in this transaction."""
    with transaction.atomic(durable=True):
        locked = Brand.objects.select_for_update().get(pk=brand.pk)
        if locked.disabled_at is not None:
            return locked
        now = timezone.now()
        locked.disabled_at = now
        locked.save(update_fields=["disabled_at"])
        clients = list(Application.objects.filter(brand=locked).values_list("pk", flat=True))
        ended = clients_all_tokens_revoke(applications=clients, now=now)
        audit_append(actor=actor, action="brand.disabled",
                     detail={"brand": locked.slug, "tokens_revoked": ended,
                             "reason": reason[:200]})
    brand.disabled_at = locked.disabled_at
    return locked


def brand_enable(*, brand: Brand, actor: Actor) -> Brand:
    """Let a disabled brand's clients work again (clients disabled on their own
    stay disabled; old tokens stay dead)."""
    with transaction.atomic(durable=True):
        locked = Brand.objects.select_for_update().get(pk=brand.pk)
        if locked.disabled_at is None:
            return locked
        locked.disabled_at = None
        locked.save(update_fields=["disabled_at"])
        audit_append(actor=actor, action="brand.enabled", detail={"brand": locked.slug})
    brand.disabled_at = None
    return locked


# --- brand API: audited reads and writes ------------------------------------------------

def _access_event(*, token: AccessToken, action: str, facets: list[str], outcome: str,
                  request_id: str, detail: dict[str, Any]) -> None:
    consent = token.consent
    assert consent is not None  # noqa: S101 - the authentication refuses tokens without one
    audit_append(
        actor=brand_application_actor(token.application), action=action, subject=str(consent.subject),
        facets=facets, consent_id=str(consent.id), purpose=consent.purpose, outcome=outcome,
        request_id=request_id, detail={"client_id": token.application.client_id, **detail},
    )


def api_facet_read(*, token: AccessToken, facet: str, since: dt.datetime | None = None,
                   cursor: str | None = None, limit: int = 100, request_id: str = "") -> FacetRead:
    """Read one facet for the brand holding ``token``, audited in the same transaction."""
    with transaction.atomic(durable=True):
        result = facet_values_for_token(token=token, facet=facet, since=since, cursor=cursor,
                                        limit=limit)
        _access_event(token=token, action="facet.read", facets=[facet], outcome="allowed",
                      request_id=request_id, detail={"records": result.record_count})
    return result


def api_profile_read(*, token: AccessToken, request_id: str = "") -> dict[str, Any]:
    with transaction.atomic(durable=True):
        values = profile_for_token(token=token)
        if values:
            _access_event(token=token, action="facet.read", facets=sorted(values),
                          outcome="allowed", request_id=request_id,
                          detail={"records": sum(1 for value in values.values() if value)})
    return values


def api_access_denied(*, token: AccessToken, facet: str, mode: str, reason: str,
                      request_id: str = "") -> None:
    """Record a refused read or write (the refusal is the event)."""
    action = "facet.read" if mode == READ else "facet.write"
    with transaction.atomic(durable=True):
        _access_event(token=token, action=action, facets=[facet], outcome="denied",
                      request_id=request_id, detail={"reason": reason})


@dataclass(frozen=True)
class WriteResult:
    status: int
    body: dict[str, Any]
    replayed: bool = False


def request_digest(*, facet: str, payload: Any) -> str:
    """Keyed digest of a write (a plain hash of personal data could be guessed)."""
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return blind_index(f"{facet}|{canonical}", purpose="api-idempotency")


def _replay(*, consent: Consent, key: str, digest_value: str) -> WriteResult | None:
    horizon = timezone.now() - dt.timedelta(hours=int(brands_settings.IDEMPOTENCY_HOURS))
    stored = (
        IdempotencyKey.objects.filter(consent=consent, key=key, created_at__gte=horizon).first()
    )
    if stored is None:
        return None
    if stored.request_digest != digest_value:
        raise IdempotencyConflict()
    return WriteResult(status=stored.response_status, body=stored.response_body, replayed=True)


def api_facet_write(*, token: AccessToken, facet: str, data: Any, occurred_at: Any = None,
                    idempotency_key: str = "", request_id: str = "") -> WriteResult:
    """Store one record from the brand holding ``token``, attributed to the
    brand, all or nothing; a retry with the same Idempotency-Key gets the
    first answer and writes nothing. A key is scoped to the token's consent: the
    same key under another consumer's consent is another write."""
    consent = require_facet(token=token, facet=facet, mode=WRITE)
    application = token.application
    payload = {"data": data, "occurred_at": occurred_at}
    digest_value = request_digest(facet=facet, payload=payload)
    if idempotency_key:
        replay = _replay(consent=consent, key=idempotency_key, digest_value=digest_value)
        if replay is not None:
            return replay
    try:
        with transaction.atomic(durable=True):
            if idempotency_key:
                # Expired keys are forgotten so the same key can serve again.
                IdempotencyKey.objects.filter(consent=consent, key=idempotency_key).delete()
            record = record_write(
                vault=consent.vault, facet=facet, data=data, occurred_at=occurred_at,
                source=application.brand.name, actor=brand_application_actor(application),
                action="facet.write", request_id=request_id, consent_id=str(consent.id),
                purpose=consent.purpose, audit_detail={"client_id": application.client_id},
            )
            body = {
                "id": str(record.id),
                "facet": facet,
                "occurred_at": record.occurred_at.isoformat() if record.occurred_at else None,
                "recorded_at": record.created_at.isoformat(),
                "consent_id": str(consent.id),
            }
            if idempotency_key:
                IdempotencyKey.objects.create(
                    application=application, consent=consent, key=idempotency_key,
                    request_digest=digest_value, response_status=201, response_body=body, created_at=timezone.now(),
                )
    except RecordInvalid as error:
        api_access_denied(token=token, facet=facet, mode=WRITE, reason=f"invalid_record:{error.field}",
                          request_id=request_id)
        raise
    except IntegrityError:
        # A concurrent request with the same key won: answer as it did.
        if idempotency_key:
            replay = _replay(consent=consent, key=idempotency_key, digest_value=digest_value)
            if replay is not None:
                return replay
        raise
    return WriteResult(status=201, body=body)


# --- demo ----------------------------------------------------------------------------------

DEMO_BRAND = "Maison Lumière"
DEMO_REDIRECT_URI = "https://demo-brand.example/callback"


def demo_brand_ensure(*, redirect_uri: str = DEMO_REDIRECT_URI) -> tuple[Brand, IssuedClient | None]:
    """The demo brand with one confidential client, for seed_demo (idempotent:
    an existing client is kept and its secret is not shown again)."""
    brand = Brand.objects.filter(slug=slugify(DEMO_BRAND)).first()
    if brand is None:
        brand = brand_create(name=DEMO_BRAND, actor=OPERATOR, verified=True)
    existing = Application.objects.filter(brand=brand).first()
    if existing is not None:
        return brand, None
    issued = application_create(
        brand=brand, name="Maison Lumière app", redirect_uris=[redirect_uri],
        purposes={"loyalty": "Earn and spend points on your purchases in our shops.",
                  "personalisation": "Suggest sizes and products that suit you."},
        actor=OPERATOR, confidential=True,
    )
    return brand, issued


def idempotency_keys_prune(*, now: dt.datetime | None = None) -> int:
    """Forget Idempotency-Keys older than BRANDS["IDEMPOTENCY_HOURS"]."""
    horizon = (now or timezone.now()) - dt.timedelta(
        hours=int(brands_settings.IDEMPOTENCY_HOURS)
    )
    deleted, _detail = IdempotencyKey.objects.filter(created_at__lt=horizon).delete()
    return deleted
