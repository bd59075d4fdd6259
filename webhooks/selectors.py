"""Webhook reads for the brand portal, scoped to the staff member asking.

Every look-up goes through the user's brand memberships, so an id from another
brand finds nothing (the view answers 404, never 403: no probing of ids).
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet

from brands.models import Brand, BrandMembership

from .models import DeliveryAttempt, OutboxMessage, WebhookEndpoint

# Roles that may see and manage a brand's webhooks. A role added later gets no
# access here until it is listed.
WEBHOOK_ROLES = frozenset({BrandMembership.Role.OWNER, BrandMembership.Role.DEVELOPER})


def _membership_filter(prefix: str, user: Any) -> Q:
    return Q(**{f"{prefix}memberships__user": user, f"{prefix}memberships__role__in": WEBHOOK_ROLES})


def webhook_brands_for_user(*, user: Any) -> QuerySet[Brand]:
    """Brands whose webhooks ``user`` may manage."""
    if not getattr(user, "is_authenticated", False):
        return Brand.objects.none()
    return Brand.objects.filter(_membership_filter("", user)).distinct().order_by("name")


def webhook_brand_for_user(*, user: Any, slug: str) -> Brand | None:
    return webhook_brands_for_user(user=user).filter(slug=slug).first()


def webhook_endpoints_for_brand(*, brand: Brand) -> list[WebhookEndpoint]:
    """The brand's endpoints with their message counts by status."""
    status = OutboxMessage.Status
    return list(
        WebhookEndpoint.objects.filter(brand=brand)
        .annotate(
            pending_count=Count("messages", filter=Q(messages__status=status.PENDING)),
            delivered_count=Count("messages", filter=Q(messages__status=status.DELIVERED)),
            failed_count=Count("messages", filter=Q(messages__status=status.FAILED)),
        )
        .order_by("-is_active", "created_at")
    )


def webhook_endpoint_for_user(
    *, user: Any, slug: str, endpoint_id: uuid.UUID
) -> WebhookEndpoint | None:
    brand = webhook_brand_for_user(user=user, slug=slug)
    if brand is None:
        return None
    return (
        WebhookEndpoint.objects.select_related("brand").filter(brand=brand, pk=endpoint_id).first()
    )


def webhook_messages_for_endpoint(
    *, endpoint: WebhookEndpoint, limit: int = 50
) -> list[OutboxMessage]:
    """The newest messages of the endpoint, each with its attempts (two queries)."""
    return list(
        OutboxMessage.objects.filter(endpoint=endpoint)
        .prefetch_related(
            Prefetch("attempts", queryset=DeliveryAttempt.objects.order_by("number"))
        )
        .order_by("-created_at")[:limit]
    )


def webhook_message_for_user(
    *, user: Any, slug: str, endpoint_id: uuid.UUID, message_id: uuid.UUID
) -> OutboxMessage | None:
    endpoint = webhook_endpoint_for_user(user=user, slug=slug, endpoint_id=endpoint_id)
    if endpoint is None:
        return None
    return (
        OutboxMessage.objects.select_related("endpoint", "endpoint__brand")
        .prefetch_related(
            Prefetch("attempts", queryset=DeliveryAttempt.objects.order_by("number"))
        )
        .filter(endpoint=endpoint, pk=message_id)
        .first()
    )
