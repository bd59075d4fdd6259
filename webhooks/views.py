"""Brand portal pages for webhooks: thin. Each view finds its objects through
the selectors scoped to the staff member (another brand's ids give 404), calls
one service, and renders."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_variables
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from brands.models import Brand

from . import services
from .errors import DestinationRefused, WebhookError
from .forms import WebhookEndpointForm
from .models import WebhookEndpoint
from .selectors import (
    webhook_brand_for_user,
    webhook_brands_for_user,
    webhook_endpoint_for_user,
    webhook_endpoints_for_brand,
    webhook_message_for_user,
    webhook_messages_for_endpoint,
)

TEMPLATES = "webhooks/"


def _brand(request: HttpRequest, slug: str) -> Brand:
    brand = webhook_brand_for_user(user=request.user, slug=slug)
    if brand is None:
        raise Http404
    return brand


def _endpoint(request: HttpRequest, slug: str, endpoint_id: uuid.UUID) -> WebhookEndpoint:
    endpoint = webhook_endpoint_for_user(user=request.user, slug=slug, endpoint_id=endpoint_id)
    if endpoint is None:
        raise Http404
    return endpoint


def _request_id(request: HttpRequest) -> str:
    return str(getattr(request, "request_id", ""))


def _to_detail(endpoint: WebhookEndpoint) -> HttpResponse:
    return redirect(
        "brand_webhooks:endpoint", slug=endpoint.brand.slug, endpoint_id=endpoint.id
    )


@login_required
@require_GET
def webhook_index(request: HttpRequest) -> HttpResponse:
    brands = list(webhook_brands_for_user(user=request.user))
    if not brands:
        raise Http404
    if len(brands) == 1:
        return redirect("brand_webhooks:brand", slug=brands[0].slug)
    return render(request, TEMPLATES + "index.html", {"brands": brands})


@login_required
@require_GET
def webhook_brand(request: HttpRequest, slug: str) -> HttpResponse:
    brand = _brand(request, slug)
    return render(
        request,
        TEMPLATES + "brand.html",
        {"brand": brand, "endpoints": webhook_endpoints_for_brand(brand=brand)},
    )


@login_required
@never_cache
@sensitive_variables("secret")
@require_http_methods(["GET", "POST"])
def webhook_endpoint_new(request: HttpRequest, slug: str) -> HttpResponse:
    brand = _brand(request, slug)
    form = WebhookEndpointForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            endpoint, secret = services.webhook_endpoint_create(
                brand=brand,
                url=form.cleaned_data["url"],
                event_types=form.cleaned_data["event_types"],
                description=form.cleaned_data["description"],
                created_by=request.user,
                request_id=_request_id(request),
            )
        except DestinationRefused as error:
            form.add_error("url", error.localized())
        except WebhookError as error:
            form.add_error(None, error.localized())
        else:
            return render(
                request,
                TEMPLATES + "secret.html",
                {"brand": brand, "endpoint": endpoint, "secret": secret, "created": True},
                status=201,
            )
    return render(request, TEMPLATES + "endpoint_form.html", {"brand": brand, "form": form})


@login_required
@require_GET
def webhook_endpoint_detail(request: HttpRequest, slug: str, endpoint_id: uuid.UUID) -> HttpResponse:
    endpoint = _endpoint(request, slug, endpoint_id)
    return render(
        request,
        TEMPLATES + "endpoint_detail.html",
        {
            "brand": endpoint.brand,
            "endpoint": endpoint,
            "webhook_messages": webhook_messages_for_endpoint(endpoint=endpoint),
        },
    )


@login_required
@never_cache
@sensitive_variables("secret")
@require_POST
def webhook_endpoint_rotate(request: HttpRequest, slug: str, endpoint_id: uuid.UUID) -> HttpResponse:
    endpoint = _endpoint(request, slug, endpoint_id)
    secret = services.webhook_endpoint_rotate_secret(
        endpoint=endpoint, rotated_by=request.user, request_id=_request_id(request)
    )
    endpoint.refresh_from_db()
    return render(
        request,
        TEMPLATES + "secret.html",
        {"brand": endpoint.brand, "endpoint": endpoint, "secret": secret, "created": False},
    )


@login_required
@require_POST
def webhook_endpoint_disable(request: HttpRequest, slug: str, endpoint_id: uuid.UUID) -> HttpResponse:
    endpoint = _endpoint(request, slug, endpoint_id)
    services.webhook_endpoint_disable(
        endpoint=endpoint, disabled_by=request.user, request_id=_request_id(request)
    )
    messages.success(request, _("The endpoint is disabled; undelivered messages were cancelled."))
    return _to_detail(endpoint)


@login_required
@require_POST
def webhook_endpoint_enable(request: HttpRequest, slug: str, endpoint_id: uuid.UUID) -> HttpResponse:
    endpoint = _endpoint(request, slug, endpoint_id)
    try:
        services.webhook_endpoint_enable(
            endpoint=endpoint, enabled_by=request.user, request_id=_request_id(request)
        )
    except WebhookError as error:
        messages.error(request, error.localized())
    else:
        messages.success(request, _("The endpoint is enabled again."))
    return _to_detail(endpoint)


@login_required
@require_POST
def webhook_endpoint_test(request: HttpRequest, slug: str, endpoint_id: uuid.UUID) -> HttpResponse:
    endpoint = _endpoint(request, slug, endpoint_id)
    try:
        services.webhook_send_test(endpoint=endpoint)
    except WebhookError as error:
        messages.error(request, error.localized())
    else:
        messages.success(request, _("A webhook.test event is on its way."))
    return _to_detail(endpoint)


@login_required
@require_GET
def webhook_message_detail(
    request: HttpRequest, slug: str, endpoint_id: uuid.UUID, message_id: uuid.UUID
) -> HttpResponse:
    message = webhook_message_for_user(
        user=request.user, slug=slug, endpoint_id=endpoint_id, message_id=message_id
    )
    if message is None:
        raise Http404
    return render(
        request,
        TEMPLATES + "message_detail.html",
        {"brand": message.endpoint.brand, "endpoint": message.endpoint, "message": message},
    )
