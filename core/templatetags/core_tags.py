"""Presentation helpers shared by the portal's templates (and the export page)."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import Resolver404, resolve
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

register = template.Library()

# (path, label, always shown). Paths are the public contract, so
# they are written out rather than reversed: apps still being built may not
# have named routes yet; optional entries appear only once they resolve.
NAV_ITEMS = (
    ("/", gettext_lazy("Dashboard"), True),
    ("/vault/", gettext_lazy("Vault"), True),
    ("/consents/", gettext_lazy("Consents"), True),
    ("/activity/", gettext_lazy("Activity"), True),
    ("/insights/", gettext_lazy("Insights"), False),
)


def _resolves(path: str) -> bool:
    try:
        resolve(path)
    except Resolver404:
        return False
    return True


@register.simple_tag(takes_context=True)
def nav_items(context: template.Context) -> list[dict[str, Any]]:
    """The main navigation with the current section marked."""
    request = context.get("request")
    current = getattr(request, "path", "") or ""
    items = []
    for path, label, always in NAV_ITEMS:
        if not always and not _resolves(path):
            continue
        active = current == "/" if path == "/" else current.startswith(path)
        items.append({"path": path, "label": label, "active": active})
    return items


@register.filter
def field_value(data: Any, name: str) -> str:
    """One field of a record's data, lists joined for reading."""
    if not isinstance(data, dict):
        return ""
    value = data.get(name, "")
    if isinstance(value, list):
        return ", ".join(str(part) for part in value)
    return "" if value is None else str(value)


@register.filter
def as_text(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(str(part) for part in value)
    return "" if value is None else str(value)


@register.filter
def source_name(label: str) -> str:
    """A source label as shown to the consumer: their own entries read 'You'."""
    return _("You") if label == "self" else label


@register.filter
def items_sorted(data: Any) -> list[tuple[str, Any]]:
    if not isinstance(data, dict):
        return []
    return sorted(data.items())


@register.filter
def qr_svg(uri: str) -> SafeString:
    """The text as an inline SVG QR code (no image request, nothing leaves the page)."""
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2)
    svg = image.to_string(encoding="unicode")
    svg = svg.split("?>", 1)[-1] if svg.startswith("<?xml") else svg
    label = format_html(' role="img" aria-label="{}" ', _("QR code for your authenticator app"))
    # The SVG is produced by the qrcode library from our own URI (only path
    # data, no text); the label is escaped by format_html above.
    return mark_safe(svg.replace("<svg ", "<svg" + label, 1))  # noqa: S308
