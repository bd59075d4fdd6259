"""Rate limit per OAuth client (all its tokens together), from BRAND_API["RATE_LIMIT"]."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle


class BrandClientThrottle(SimpleRateThrottle):
    scope = "brand_client"

    def get_rate(self) -> str:
        return str(settings.BRAND_API["RATE_LIMIT"])

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        client = getattr(request.user, "client_id", None)
        if not client:
            return None
        return f"throttle:brand-client:{client}"
