"""Rate limit per OAuth client (all its tokens together), from BRANDS["RATE_LIMIT"].

A fixed-window counter in the cache (one atomic increment per request),
rather than DRF's sliding log, whose cost grows with the number of requests
in the window; Redis in production shares it between web processes.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.cache import cache
from rest_framework.request import Request
from rest_framework.throttling import BaseThrottle

from brands.conf import brands_settings

_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """"600/min" -> (600, 60)."""
    count, _slash, period = rate.partition("/")
    return int(count), _PERIODS[period.strip()[:1].lower()]


class BrandClientThrottle(BaseThrottle):
    def allow_request(self, request: Request, view: Any) -> bool:
        client = getattr(request.user, "client_id", None)
        if not client:
            return True
        limit, period = parse_rate(str(brands_settings.RATE_LIMIT))
        now = time.time()
        window = int(now // period)
        key = f"throttle:brand-client:{client}:{window}"
        if cache.add(key, 1, timeout=period + 1):
            count = 1
        else:
            try:
                count = cache.incr(key)
            except ValueError:  # expired between add and incr
                cache.set(key, 1, timeout=period + 1)
                count = 1
        self._wait = (window + 1) * period - now
        return count <= limit

    def wait(self) -> float | None:
        return max(0.0, getattr(self, "_wait", 0.0))
