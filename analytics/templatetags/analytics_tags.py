"""Template helpers for insights: money and dates in the page's language, and
the dashboard's top recommendations."""

from __future__ import annotations

from typing import Any

from django import template

from .. import texts

register = template.Library()


@register.filter
def money(value: Any, currency: str = "") -> str:
    return texts.amount(value, currency)


@register.filter
def decimal(value: Any, places: int = 1) -> str:
    """A decimal string (as stored) in the page's number format."""
    return texts.number(value, places)


@register.filter
def iso_day(value: Any) -> str:
    return texts.day(value)


@register.filter
def month_label(value: Any) -> str:
    return texts.month_name(str(value))


@register.filter
def facet_label(value: Any) -> str:
    if isinstance(value, list | tuple):
        return texts.facet_names([str(item) for item in value])
    return texts.facet_names([str(value)])


@register.filter
def cadence_label(value: Any) -> str:
    return str(texts.CADENCE_LABELS.get(str(value), value))


@register.inclusion_tag("analytics/_top_recommendations.html", takes_context=True)
def top_recommendations(context: template.Context, limit: int = 3) -> dict[str, Any]:
    """The consumer's most important recommendations, for the dashboard:
    ``{% load analytics_tags %}{% top_recommendations 3 %}``. Reads the stored
    snapshot only (never computes on the dashboard)."""
    from ..selectors import open_snapshot, snapshot_of, visible_recommendations
    from ..views import present_recommendation

    request = context.get("request")
    user = getattr(request, "user", None)
    cards: list[dict[str, Any]] = []
    if user is not None and user.is_authenticated and hasattr(user, "vault"):
        snapshot = snapshot_of(vault=user.vault)
        payload = open_snapshot(snapshot) if snapshot is not None and snapshot.size else None
        if payload is not None:
            cards = [present_recommendation(item)
                     for item in visible_recommendations(vault=user.vault, insights=payload)[:limit]]
    return {"cards": cards, "request": request, "csrf_token": context.get("csrf_token")}
