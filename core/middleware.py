"""Request ids: every request gets one (or keeps a sane X-Request-ID) so audit
events and logs of one request can be tied together. Security headers: every
response carries the Content-Security-Policy, and is ``no-store`` unless its
view said how it may be cached."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control

from .csp import HEADER, policy_for

_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        supplied = request.headers.get("X-Request-ID", "")
        request.request_id = supplied if _SAFE_ID.match(supplied) else uuid.uuid4().hex  # type: ignore[attr-defined]
        response = self.get_response(request)
        response["X-Request-ID"] = request.request_id  # type: ignore[attr-defined]
        return response


class SecurityHeadersMiddleware:
    """The Content-Security-Policy (core.csp) on every response that has none,
    and ``Cache-Control: no-store, private`` on every response whose view did
    not set a Cache-Control of its own: pages and API answers show personal
    data (consent screen, vault, consents, activity, insights, account, brand
    and regulator portals, the APIs), and none of them may stay in a shared
    cache or in the browser's history. Static files are answered before this
    runs (WhiteNoise) and keep their long cache."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if HEADER not in response:
            response[HEADER] = policy_for(response)
        if not response.has_header("Cache-Control"):
            patch_cache_control(response, no_store=True, private=True)
        return response
