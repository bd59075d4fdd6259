"""Brand portal (/brands/): staff see their brands, register OAuth clients,
rotate secrets (shown once) and see the consents they hold as counts. Thin:
services change, selectors read, every page is scoped to the user's brands."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from consents.purposes import purpose_label
from consents.scopes import facet_info
from core.actors import account_actor

from .errors import BrandError
from .forms import ClientForm
from .models import Application, BrandMembership
from .selectors import (
    application_of,
    applications_of,
    brands_for_staff,
    consent_statistics,
    membership,
)
from .services import application_create, application_secret_rotate, application_update

if TYPE_CHECKING:
    from accounts.models import User

ROLE_LABELS: dict[str, Promise] = {
    BrandMembership.Role.OWNER: gettext_lazy("owner"),
    BrandMembership.Role.DEVELOPER: gettext_lazy("developer"),
}


def _staff(request: HttpRequest) -> User:
    """The logged-in account (every view here requires a log-in)."""
    return cast("User", request.user)


def _member(request: HttpRequest, slug: str) -> BrandMembership:
    found = membership(user=_staff(request), brand_slug=slug)
    if found is None:
        raise Http404
    return found


def _client(request: HttpRequest, slug: str, client_id: str) -> tuple[BrandMembership, Application]:
    member = _member(request, slug)
    application = application_of(brand=member.brand, client_id=client_id)
    if application is None:
        raise Http404
    return member, application


@login_required
@never_cache
def brand_index(request: HttpRequest) -> HttpResponse:
    brands = list(brands_for_staff(user=_staff(request)))
    if len(brands) == 1:
        return redirect("brands:brand", slug=brands[0].slug)
    return render(request, "brands/index.html", {"brands": brands})


@login_required
@never_cache
def brand_detail(request: HttpRequest, slug: str) -> HttpResponse:
    member = _member(request, slug)
    stats = consent_statistics(brand=member.brand, now=timezone.now())
    facet_rows = [
        {"facet": facet, "label": (info.label if (info := facet_info(facet)) else facet),
         "mode": mode, "count": count}
        for facet, mode, count in stats.by_facet
    ]
    purpose_rows = [
        {"purpose": purpose, "label": purpose_label(purpose), "count": count}
        for purpose, count in stats.by_purpose.items()
    ]
    return render(request, "brands/brand.html", {
        "brand": member.brand, "role": ROLE_LABELS.get(member.role, member.role),
        "applications": applications_of(brand=member.brand), "stats": stats,
        "facet_rows": facet_rows, "purpose_rows": purpose_rows,
    })


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def client_new(request: HttpRequest, slug: str) -> HttpResponse:
    member = _member(request, slug)
    form = ClientForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            issued = application_create(
                brand=member.brand, name=form.cleaned_data["name"], redirect_uris=form.uris(),
                purposes=form.declared(), actor=account_actor(_staff(request)),
                confidential=form.cleaned_data["client_type"] == "confidential",
            )
        except BrandError as error:
            form.add_error(None, error.localized())
        else:
            return render(request, "brands/secret.html", {
                "brand": member.brand, "application": issued.application,
                "client_secret": issued.client_secret, "created": True,
            })
    return render(request, "brands/client_form.html", {"brand": member.brand, "form": form},
                  status=400 if form.is_bound else 200)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def client_detail(request: HttpRequest, slug: str, client_id: str) -> HttpResponse:
    member, application = _client(request, slug, client_id)
    initial: dict[str, Any] = {
        "name": application.name,
        "redirect_uris": "\n".join(application.redirect_uris.split()),
        "purposes": [item["purpose"] for item in application.purposes],
        **{f"description_{item['purpose']}": item.get("description", "") for item in application.purposes},
    }
    form = ClientForm(request.POST or None, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        try:
            application_update(application=application, name=form.cleaned_data["name"],
                               redirect_uris=form.uris(), purposes=form.declared(),
                               actor=account_actor(_staff(request)))
        except BrandError as error:
            form.add_error(None, error.localized())
        else:
            messages.success(request, _("Client updated."))
            return redirect("brands:client", slug=slug, client_id=client_id)
    return render(request, "brands/client.html", {
        "brand": member.brand, "application": application, "form": form,
        "redirect_uris": application.redirect_uris.split(),
    }, status=400 if form.is_bound and form.errors else 200)


@login_required
@never_cache
@require_POST
def client_rotate(request: HttpRequest, slug: str, client_id: str) -> HttpResponse:
    member, application = _client(request, slug, client_id)
    try:
        secret = application_secret_rotate(application=application, actor=account_actor(_staff(request)))
    except BrandError as error:
        messages.error(request, error.localized())
        return redirect("brands:client", slug=slug, client_id=client_id)
    return render(request, "brands/secret.html", {
        "brand": member.brand, "application": application, "client_secret": secret, "created": False,
    })
