"""Brand API options: ``settings.BRANDS`` over these defaults (read through
``brands_settings.NAME``; see core/conf.py)."""

from core.conf import AppSettings

brands_settings = AppSettings("BRANDS", defaults={
    # Per OAuth client, counted across all its tokens.
    "RATE_LIMIT": "600/min",
    "MAX_BODY_BYTES": 64 * 1024,
    "PAGE_SIZE": 100,
    "MAX_PAGE_SIZE": 500,
    # How long an Idempotency-Key and its stored response are honoured.
    "IDEMPOTENCY_HOURS": 24,
})
