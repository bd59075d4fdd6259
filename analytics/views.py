"""Insights pages: thin. They read the request, call analytics services and
selectors for the logged-in consumer's own vault (never an id from the
request), and render."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from core.actors import account_actor

from . import services, texts
from .charts import Point, bar_chart, column_chart
from .errors import AggregateRefused, RecommendationActionFailed, RecommendationNotFound
from .selectors import DIMENSIONS, privacy_budget_of, releases_for, visible_recommendations

if TYPE_CHECKING:
    from accounts.models import User

CHART_ROWS = 8


def _request_id(request: HttpRequest) -> str:
    return getattr(request, "request_id", "")


def _user(request: HttpRequest) -> User:
    """The logged-in account (every view here is behind ``login_required``)."""
    return cast("User", request.user)


def present_recommendation(item: dict[str, Any]) -> dict[str, Any]:
    """A recommendation as a card: title, sentence, action, in the page's language."""
    action = item["action"]
    acts_here = action["type"] in ("revoke_consent", "narrow_consent", "review_subscription",
                                   "review_spending")
    return {
        "fingerprint": item["fingerprint"],
        "kind": item["kind"],
        "title": texts.title(item["kind"]),
        "reason": texts.reason(item["kind"], item["figures"]),
        "action_type": action["type"],
        "action_label": texts.action_label(action["type"]),
        "acts_here": acts_here,
        "danger": action["type"] == "revoke_consent",
        "url": action.get("url"),
    }


def _month_points(spending: dict[str, Any]) -> list[Point]:
    points = []
    for row in spending.get("months", []):
        label = texts.month_name(row["month"])
        short = texts.month_short(row["month"])
        value = float(Decimal(row["total"]))
        points.append(Point(label=short, value=value,
                            note=f"{label}: {texts.amount(row['total'], spending['currency'])}",
                            muted=row.get("partial", False)))
    return points


def _bar_points(rows: list[dict[str, Any]], currency: str) -> list[Point]:
    points = []
    for row in rows[:CHART_ROWS]:
        label = _("Everything else") if row.get("other") else row["name"]
        points.append(Point(label=label, value=float(Decimal(row["total"])),
                            note=texts.amount(row["total"], currency), muted=bool(row.get("other"))))
    return points


def _charts(spending: dict[str, Any]) -> dict[str, Any]:
    currency = spending.get("currency", "")
    if not spending.get("months"):
        return {}
    return {
        "months": column_chart(
            _month_points(spending), title=_("Spending by month"),
            description=_("Total spent each month over the last twelve months, in %(currency)s.")
            % {"currency": currency}, axis_label=currency),
        "categories": bar_chart(
            _bar_points(spending["by_category"], currency), title=_("Spending by category"),
            description=_("Categories you spent the most on over the period.")),
        "merchants": bar_chart(
            _bar_points(spending["by_merchant"], currency), title=_("Spending by merchant"),
            description=_("Merchants you spent the most with over the period.")),
        "channels": bar_chart(
            _bar_points(spending["by_channel"], currency), title=_("Spending by channel"),
            description=_("How you paid: in store, online, in an app.")),
    }


@login_required
@never_cache
def insights_page(request: HttpRequest) -> HttpResponse:
    vault = _user(request).vault
    insights = services.insights_current(vault=vault)
    cards = [present_recommendation(item)
             for item in visible_recommendations(vault=vault, insights=insights)]
    spending = insights["spending"]
    return render(request, "analytics/insights.html", {
        "insights": insights,
        "cards": cards,
        "spending": spending,
        "charts": _charts(spending),
        "subscriptions": insights["subscriptions"],
        "active_subscriptions": [item for item in insights["subscriptions"]
                                 if item["status"] == "active"],
        "price_increases": insights["price_increases"],
        "unusual": insights["unusual"],
        "footprint": insights["footprint"],
        "hygiene": insights["consent_hygiene"],
    })


@login_required
@require_POST
def insights_refresh_view(request: HttpRequest) -> HttpResponse:
    services.insights_refresh(vault=_user(request).vault)
    messages.success(request, _("Your insights were recomputed from your vault."))
    return redirect("analytics:insights")


@login_required
@require_POST
def recommendation_dismiss_view(request: HttpRequest, fingerprint: str) -> HttpResponse:
    try:
        services.recommendation_dismiss(user=_user(request), fingerprint=fingerprint,
                                        actor=account_actor(_user(request)),
                                        request_id=_request_id(request))
    except RecommendationNotFound as error:
        raise Http404("no such recommendation") from error
    messages.success(request, _("Dismissed. It will not come back unless the facts change."))
    return redirect("analytics:insights")


@login_required
@require_POST
def recommendation_act_view(request: HttpRequest, fingerprint: str) -> HttpResponse:
    try:
        outcome = services.recommendation_act(user=_user(request), fingerprint=fingerprint,
                                              actor=account_actor(_user(request)),
                                              request_id=_request_id(request))
    except RecommendationNotFound as error:
        raise Http404("no such recommendation") from error
    except RecommendationActionFailed:
        messages.error(request, _("That could not be done: the consent may already have ended."))
        return redirect("analytics:insights")
    done = {
        "revoke_consent": _("Consent revoked. The brand can no longer use your data."),
        "narrow_consent": _("Consent narrowed to the data the brand actually uses."),
    }.get(outcome.action, _("Marked as reviewed."))
    messages.success(request, done)
    target = outcome.redirect_to
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("analytics:insights")


# --- brand portal: aggregates ----------------------------------------------------------


def _brand_for_staff(request: HttpRequest, slug: str) -> Any:
    """The brand, when the logged-in user is on its staff (404 otherwise: a
    non-member does not learn that the brand exists)."""
    from brands.selectors import membership

    found = membership(user=_user(request), brand_slug=slug)
    if found is None:
        raise Http404("no such brand")
    return found.brand


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def brand_aggregates_page(request: HttpRequest, slug: str) -> HttpResponse:
    """Brand staff ask for a release (POST spends budget) and see past releases
    (re-showing a release is free)."""
    brand = _brand_for_staff(request, slug)
    error = ""
    status = 200
    if request.method == "POST":
        try:
            query = services.aggregate_query(dimension=request.POST.get("dimension"),
                                             months=request.POST.get("months"),
                                             epsilon=request.POST.get("epsilon"))
            services.aggregate_release(brand=brand, query=query, actor=account_actor(_user(request)),
                                       requested_by="portal", request_id=_request_id(request))
        except AggregateRefused as refusal:
            error, status = refusal.localized(), refusal.status
        else:
            messages.success(request, _("Figures released."))
            return redirect("analytics:brand_aggregates", slug=brand.slug)
    releases = [services.release_payload(release) for release in releases_for(brand=brand)]
    return render(request, "analytics/brand_aggregates.html", {
        "brand": brand,
        "budget": privacy_budget_of(brand=brand),
        "releases": releases,
        "dimensions": DIMENSIONS,
        "error": error,
    }, status=status)
