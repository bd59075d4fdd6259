"""Plain-language explanations, rendered in the reader's language.

Snapshots store a recommendation's kind and figures, never its sentence: the
sentence is written when shown, in the language of the page (or English for
the ``insights`` command), from the figures behind it.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from vault.facets import FACETS

KIND_TITLES = {
    "consent_never_used": gettext_lazy("A consent that was never used"),
    "consent_unused": gettext_lazy("A consent no longer used"),
    "consent_broad": gettext_lazy("A broad consent"),
    "consent_expiring": gettext_lazy("A consent about to expire"),
    "subscription_price_increase": gettext_lazy("A subscription got more expensive"),
    "subscription_duplicates": gettext_lazy("Several subscriptions of the same kind"),
    "unusual_purchase": gettext_lazy("An unusual purchase"),
    "unusual_month": gettext_lazy("An unusual month"),
    "stale_value": gettext_lazy("Information that may be out of date"),
    "address_mismatch": gettext_lazy("Your address may have changed"),
}

ACTION_LABELS = {
    "revoke_consent": gettext_lazy("Revoke this consent"),
    "narrow_consent": gettext_lazy("Narrow this consent"),
    "review_consent": gettext_lazy("Review this consent"),
    "review_subscription": gettext_lazy("Mark as reviewed"),
    "review_spending": gettext_lazy("Mark as reviewed"),
    "correct_value": gettext_lazy("Correct it"),
}

CADENCE_LABELS = {
    "weekly": gettext_lazy("weekly"),
    "monthly": gettext_lazy("monthly"),
    "quarterly": gettext_lazy("quarterly"),
    "yearly": gettext_lazy("yearly"),
}


def amount(value: Any, currency: str = "") -> str:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    text = formats.number_format(number, 2, use_l10n=True, force_grouping=True)
    return f"{text} {currency}".strip()


def day(value: Any) -> str:
    if not value:
        return ""
    try:
        parsed = dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return str(value)
    return formats.date_format(parsed, "DATE_FORMAT")


def facet_names(keys: list[str]) -> str:
    return ", ".join(str(FACETS[key].label) if key in FACETS else key for key in keys)


def month_name(key: str) -> str:
    try:
        parsed = dt.date.fromisoformat(f"{key}-01")
    except ValueError:
        return key
    return formats.date_format(parsed, "YEAR_MONTH_FORMAT")


def month_short(key: str) -> str:
    """Three-letter month name in the page's language (Django's own catalogue)."""
    try:
        parsed = dt.date.fromisoformat(f"{key}-01")
    except ValueError:
        return key
    return formats.date_format(parsed, "M")


def number(value: Any, places: int = 1) -> str:
    try:
        parsed = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    return formats.number_format(parsed, places, use_l10n=True, force_grouping=True)


def reason(kind: str, figures: dict[str, Any]) -> str:
    """The sentence that explains a recommendation, from its figures."""
    f = figures
    if kind == "consent_never_used":
        return _(
            "%(brand)s has had access to %(facets)s for %(days)s days and has never used it. "
            "If you no longer use this service, revoke the consent."
        ) % {"brand": f["brand"], "facets": facet_names(f["facets"]), "days": f["days_since_grant"]}
    if kind == "consent_unused":
        return _(
            "%(brand)s last used your consent %(days)s days ago (%(uses)s accesses in all). "
            "Revoke it if you have stopped using this service."
        ) % {"brand": f["brand"], "days": f["days_since_use"], "uses": f["uses"]}
    if kind == "consent_broad":
        if f.get("keep"):
            return _(
                "%(brand)s may use %(count)s kinds of your data but has only used %(used)s. "
                "Narrow the consent to %(used)s."
            ) % {"brand": f["brand"], "count": f["facet_count"], "used": facet_names(f["keep"])}
        if f.get("duration_days") is None:
            return _("%(brand)s may use %(count)s kinds of your data, with no end date.") % {
                "brand": f["brand"], "count": f["facet_count"]}
        return _(
            "%(brand)s may use %(count)s kinds of your data for %(days)s days. "
            "Check that it still needs all of them."
        ) % {"brand": f["brand"], "count": f["facet_count"], "days": f["duration_days"]}
    if kind == "consent_expiring":
        days = int(f["days_to_expiry"] or 0)
        return ngettext(
            "Your consent to %(brand)s ends in %(days)s day. It will stop on its own; "
            "renew it from the brand's site only if you still want the service.",
            "Your consent to %(brand)s ends in %(days)s days. It will stop on its own; "
            "renew it from the brand's site only if you still want the service.",
            days,
        ) % {"brand": f["brand"], "days": days}
    if kind == "subscription_price_increase":
        return _(
            "%(merchant)s went from %(old)s to %(new)s (+%(percent)s %%) on %(since)s: "
            "%(extra)s more a year. Check that it is still worth it."
        ) % {"merchant": f["merchant"], "old": amount(f["old_amount"], f["currency"]),
             "new": amount(f["new_amount"], f["currency"]), "percent": number(f["change_percent"]),
             "since": day(f["since"]), "extra": amount(f["extra_per_year"], f["currency"])}
    if kind == "subscription_duplicates":
        return _(
            "You pay %(count)s subscriptions in %(category)s (%(merchants)s), %(total)s a year "
            "together. Do you use them all?"
        ) % {"count": len(f["merchants"]), "category": f["category"],
             "merchants": ", ".join(f["merchants"]), "total": amount(f["yearly_total"], f["currency"])}
    if kind == "unusual_purchase":
        return _(
            "%(amount)s at %(merchant)s on %(date)s is %(times)s times what you usually spend "
            "(%(typical)s). Check that you recognise it."
        ) % {"amount": amount(f["amount"], f["currency"]), "merchant": f["merchant"],
             "date": day(f["date"]), "times": number(f["times_typical"]),
             "typical": amount(f["typical_amount"], f["currency"])}
    if kind == "unusual_month":
        return _(
            "You spent %(total)s on %(category)s in %(month)s, against %(typical)s in a usual month."
        ) % {"total": amount(f["total"], f["currency"]), "category": f["category"],
             "month": month_name(f["month"]), "typical": amount(f["typical_total"], f["currency"])}
    if kind == "stale_value":
        years = max(1, int(f["days_old"]) // 365)
        return ngettext(
            "Your %(facet)s has not changed for over %(years)s year. Is it still right?",
            "Your %(facet)s has not changed for over %(years)s years. Is it still right?",
            years,
        ) % {"facet": facet_names([f["facet"]]).lower(), "years": years}
    if kind == "address_mismatch":
        return _(
            "Your address is in %(address_city)s, but %(share)s %% of your recent locations "
            "are in %(recent_city)s. If you moved, update your address."
        ) % {"address_city": f["address_city"], "recent_city": f["recent_city"],
             "share": f["share_percent"]}
    return str(KIND_TITLES.get(kind, kind))


def title(kind: str) -> str:
    return str(KIND_TITLES.get(kind, kind))


def action_label(action_type: str) -> str:
    return str(ACTION_LABELS.get(action_type, action_type))
