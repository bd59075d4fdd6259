"""Endpoint services: the state changes the brand portal's views make.

Register, rotate the secret of, disable, enable and test an endpoint. Each runs
in its own transaction, locks what it changes and writes an audit event naming
ids only (a URL may carry a brand's own token in its query string). A secret is
returned once, when made, and never again; the destination is checked before
anything is written.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.services import audit_append
from brands.models import Brand
from core.actors import SYSTEM, Actor, account_actor

from .conf import webhooks_settings
from .errors import EndpointLimitReached, WebhookError
from .events import SUBSCRIBABLE_EVENT_TYPES, event_body
from .models import OutboxMessage, WebhookEndpoint, WebhookEventType
from .outbox import schedule_delivery
from .secrets import new_secret, seal_secret
from .transport import webhook_destination_check


def _event_types(event_types: Iterable[str]) -> list[str]:
    chosen = sorted(set(event_types))
    if not chosen:
        raise WebhookError(_("Choose at least one event type."))
    unknown = [name for name in chosen if name not in SUBSCRIBABLE_EVENT_TYPES]
    if unknown:
        raise WebhookError(_("Unknown event type: %(names)s"), names=", ".join(unknown))
    return chosen


def _actor(user: Any) -> Actor:
    return account_actor(user) if user is not None else SYSTEM


def _audit(action: str, *, endpoint: WebhookEndpoint, user: Any, request_id: str) -> None:
    # Ids only: a URL may carry a brand's own token in its query string.
    audit_append(
        actor=_actor(user),
        action=action,
        request_id=request_id,
        detail={"brand_id": str(endpoint.brand_id), "endpoint_id": str(endpoint.id)},
    )


def _check_endpoint_limit(brand_id: uuid.UUID) -> None:
    # The brand row is locked by the caller, so two registrations cannot both pass.
    limit = int(webhooks_settings.MAX_ENDPOINTS_PER_BRAND)
    active = WebhookEndpoint.objects.filter(brand_id=brand_id, is_active=True).count()
    if active >= limit:
        raise EndpointLimitReached(
            _("A brand can have at most %(limit)d active webhook endpoints."), limit=limit
        )


def webhook_endpoint_create(
    *,
    brand: Brand,
    url: str,
    event_types: Iterable[str],
    description: str = "",
    created_by: Any = None,
    request_id: str = "",
) -> tuple[WebhookEndpoint, str]:
    """Register an endpoint; returns it and its secret, which is shown once and never again."""
    url = webhook_destination_check(url)
    chosen = _event_types(event_types)
    secret = new_secret()
    with transaction.atomic(durable=True):
        Brand.objects.select_for_update().only("pk").get(pk=brand.pk)
        _check_endpoint_limit(brand.pk)
        endpoint = WebhookEndpoint(
            brand_id=brand.pk,
            url=url,
            description=description.strip(),
            event_types=chosen,
            created_by=created_by,
        )
        endpoint.secret_sealed = seal_secret(endpoint_id=endpoint.id, secret=secret)
        endpoint.save(force_insert=True)
        _audit("webhook.endpoint_created", endpoint=endpoint, user=created_by,
               request_id=request_id)
    return endpoint, secret


def webhook_endpoint_rotate_secret(
    *, endpoint: WebhookEndpoint, rotated_by: Any = None, request_id: str = ""
) -> str:
    """Give the endpoint a new secret (returned, shown once). The previous one keeps
    signing alongside for ``ROTATION_GRACE_SECONDS`` so the brand can switch over."""
    secret = new_secret()
    with transaction.atomic(durable=True):
        locked = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
        now = timezone.now()
        locked.previous_secret_sealed = locked.secret_sealed
        locked.previous_secret_expires_at = now + dt.timedelta(
            seconds=int(webhooks_settings.ROTATION_GRACE_SECONDS)
        )
        locked.secret_sealed = seal_secret(endpoint_id=locked.id, secret=secret)
        locked.secret_rotated_at = now
        locked.save(
            update_fields=[
                "previous_secret_sealed",
                "previous_secret_expires_at",
                "secret_sealed",
                "secret_rotated_at",
            ]
        )
        _audit("webhook.secret_rotated", endpoint=locked, user=rotated_by,
               request_id=request_id)
    return secret


def webhook_endpoint_disable(
    *, endpoint: WebhookEndpoint, disabled_by: Any = None, request_id: str = ""
) -> WebhookEndpoint:
    """Stop deliveries to the endpoint; messages not yet delivered are cancelled."""
    with transaction.atomic(durable=True):
        locked = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
        if locked.is_active:
            now = timezone.now()
            locked.is_active = False
            locked.disabled_at = now
            locked.save(update_fields=["is_active", "disabled_at"])
            OutboxMessage.objects.filter(
                endpoint=locked, status=OutboxMessage.Status.PENDING
            ).update(status=OutboxMessage.Status.CANCELLED, finished_at=now)
            _audit("webhook.endpoint_disabled", endpoint=locked, user=disabled_by,
                   request_id=request_id)
    return locked


def webhook_endpoint_enable(
    *, endpoint: WebhookEndpoint, enabled_by: Any = None, request_id: str = ""
) -> WebhookEndpoint:
    """Resume deliveries of new events; the destination is checked again first."""
    webhook_destination_check(endpoint.url)
    with transaction.atomic(durable=True):
        Brand.objects.select_for_update().only("pk").get(pk=endpoint.brand_id)
        locked = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
        if not locked.is_active:
            _check_endpoint_limit(locked.brand_id)
            locked.is_active = True
            locked.disabled_at = None
            locked.save(update_fields=["is_active", "disabled_at"])
            _audit("webhook.endpoint_enabled", endpoint=locked, user=enabled_by,
                   request_id=request_id)
    return locked


def webhook_send_test(*, endpoint: WebhookEndpoint) -> OutboxMessage:
    """Queue a ``webhook.test`` event to this endpoint alone, to check a verifier."""
    with transaction.atomic(durable=True):
        locked = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
        if not locked.is_active:
            raise WebhookError(_("This endpoint is disabled."))
        now = timezone.now()
        message = OutboxMessage.objects.create(
            brand_id=locked.brand_id,
            endpoint=locked,
            event_type=WebhookEventType.TEST,
            body=event_body(WebhookEventType.TEST, {"endpoint_id": str(locked.id)}, now),
            next_attempt_at=now,
        )
        schedule_delivery(message.id)
    return message
