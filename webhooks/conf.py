"""Webhook options: ``settings.WEBHOOKS`` over these defaults (read through
``webhooks_settings.NAME``; see core/conf.py)."""

from core.conf import AppSettings

webhooks_settings = AppSettings("WEBHOOKS", defaults={
    # Destinations must be https and resolve only to public addresses. Only test
    # settings relax these (a receiver on 127.0.0.1 over plain http).
    "ALLOW_HTTP": False,
    "ALLOW_PRIVATE_DESTINATIONS": False,
    # Per socket operation (connect, send, read of the status line).
    "TIMEOUT_SECONDS": 5.0,
    "MAX_ATTEMPTS": 8,
    # Retry n waits a random time in [0, min(MAX, BASE * MULTIPLIER ** (n - 1))] ("full jitter").
    "BACKOFF_BASE_SECONDS": 60.0,
    "BACKOFF_MULTIPLIER": 4.0,
    "BACKOFF_MAX_SECONDS": 12 * 3600.0,
    # The beat sweep re-queues pending messages overdue by this much (lost tasks).
    "REQUEUE_AFTER_SECONDS": 120.0,
    "REQUEUE_BATCH_SIZE": 500,
    # After a rotation the previous secret also signs for this long.
    "ROTATION_GRACE_SECONDS": 24 * 3600,
    "MAX_ENDPOINTS_PER_BRAND": 10,
    # Celery queue for deliveries; empty means the default queue.
    "QUEUE": "",
    "USER_AGENT": "Sillage-Webhooks/1.0",
})
