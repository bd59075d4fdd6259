"""The outbox: webhooks written with the change, delivered at least once.

* ``webhook_enqueue`` is called (through ``consents.hooks.brand_event``) by the
  service that changes a consent, inside its transaction: it writes one
  ``OutboxMessage`` per subscribed endpoint and queues the delivery task with
  ``transaction.on_commit``, so a rolled-back change never notifies anyone and
  a committed one always does (the beat sweep ``webhook_requeue_due`` picks up
  a task lost between commit and broker).
* ``webhook_deliver`` (the Celery task's body) claims the message with a
  guarded UPDATE (a lease), POSTs it once, records the attempt, and either
  marks it delivered, schedules a retry with exponential back-off and full
  jitter, or gives up after ``MAX_ATTEMPTS``. A delivered message is never
  sent again.

The schedule lives in the database, not in Celery's retries, so it survives
lost tasks and restarted workers.
"""

from __future__ import annotations

import datetime as dt
import functools
import http.client
import logging
import random
import ssl
import time
import uuid
from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from brands.models import Brand

from .conf import webhooks_settings
from .errors import DestinationRefused, SecretUnavailable, WebhookError
from .events import event_body, event_data
from .models import DeliveryAttempt, OutboxMessage, WebhookEndpoint
from .secrets import signing_secrets
from .signing import webhook_headers
from .transport import post

logger = logging.getLogger(__name__)

# A task may run a moment before next_attempt_at on another host's clock.
_CLOCK_TOLERANCE = dt.timedelta(seconds=2)
_jitter = random.SystemRandom()


def _send_delivery_task(message_id: uuid.UUID, countdown: float | None = None) -> None:
    from .tasks import deliver_webhook  # the task module imports this one

    options: dict[str, Any] = {}
    if webhooks_settings.QUEUE:
        options["queue"] = webhooks_settings.QUEUE
    if countdown:
        options["countdown"] = countdown
    deliver_webhook.apply_async(args=(str(message_id),), **options)


def schedule_delivery(message_id: uuid.UUID, countdown: float | None = None) -> None:
    """Queue the delivery task when the current transaction commits."""
    # robust: if the broker is down the change still commits; the beat sweep re-queues.
    transaction.on_commit(
        functools.partial(_send_delivery_task, message_id, countdown), robust=True
    )


def webhook_enqueue(
    *,
    brand: Brand,
    event_type: str,
    payload: Mapping[str, Any],
    occurred_at: dt.datetime | None = None,
) -> list[OutboxMessage]:
    """Write one outbox message per active endpoint of ``brand`` subscribed to ``event_type``.

    Call it inside the transaction that makes the change: the messages commit or
    roll back with it, and delivery is queued only on commit. ``payload`` becomes
    the ``data`` object and may hold only ``consent_id`` and ``client_id``
    (required) and ``facets``, ``previous_facets``, ``expires_at``.
    """
    data = event_data(event_type, payload)
    now = timezone.now()
    body = event_body(event_type, data, occurred_at or now)
    endpoints = [
        endpoint
        for endpoint in WebhookEndpoint.objects.filter(brand_id=brand.pk, is_active=True)
        if event_type in endpoint.event_types
    ]
    messages = [
        OutboxMessage(
            brand_id=brand.pk,
            endpoint=endpoint,
            event_type=event_type,
            body=body,
            next_attempt_at=now,
        )
        for endpoint in endpoints
    ]
    if messages:
        OutboxMessage.objects.bulk_create(messages)
        for message in messages:
            schedule_delivery(message.id)
    return messages


def webhook_retry_delay(attempt: int) -> float:
    """Seconds before retry after failed attempt ``attempt`` (1-based): full jitter."""
    ceiling = min(
        float(webhooks_settings.BACKOFF_MAX_SECONDS),
        float(webhooks_settings.BACKOFF_BASE_SECONDS)
        * float(webhooks_settings.BACKOFF_MULTIPLIER) ** (attempt - 1),
    )
    return _jitter.uniform(0, ceiling)


def _error_class(error: BaseException) -> str:
    """What a failed attempt records as its error: a code, never the message."""
    if isinstance(error, DestinationRefused):
        return error.reason
    if isinstance(error, TimeoutError):
        return "timeout"
    if isinstance(error, ssl.SSLError | ssl.CertificateError):
        return "tls_error"
    if isinstance(error, ConnectionRefusedError):
        return "connection_refused"
    if isinstance(error, http.client.HTTPException):
        return "protocol_error"
    if isinstance(error, SecretUnavailable):
        return error.code
    return "connection_error"


def _claim(message_id: uuid.UUID | str, *, now: dt.datetime, timeout: float) -> uuid.UUID | None:
    """Cancel the message if its endpoint was disabled, else lease it if it is due;
    the lease token, or None when another caller owns it or there is nothing to do."""
    cancelled = OutboxMessage.objects.filter(
        pk=message_id, status=OutboxMessage.Status.PENDING, endpoint__is_active=False
    ).update(status=OutboxMessage.Status.CANCELLED, finished_at=now)
    if cancelled:
        return None
    free = Q(leased_until__isnull=True) | Q(leased_until__lt=now)
    # Every claim counts as an attempt, a claim whose worker died included: a
    # message that kills its worker each time ends too, instead of being
    # re-queued after every lapsed lease for ever.
    exhausted = (
        OutboxMessage.objects.filter(
            free, pk=message_id, status=OutboxMessage.Status.PENDING,
            attempt_count__gte=int(webhooks_settings.MAX_ATTEMPTS),
        )
        .update(status=OutboxMessage.Status.FAILED, finished_at=now, lease_token=None,
                leased_until=None)
    )
    if exhausted:
        logger.warning("webhook message %s given up: its attempts all ended without a result",
                       message_id)
        return None
    token = uuid.uuid4()
    claimed = (
        OutboxMessage.objects.filter(
            pk=message_id,
            status=OutboxMessage.Status.PENDING,
            next_attempt_at__lte=now + _CLOCK_TOLERANCE,
        )
        .filter(free)
        .update(
            lease_token=token,
            # Longer than any attempt can take, so the lease never lapses mid-request.
            leased_until=now + dt.timedelta(seconds=timeout * 4 + 60),
            attempt_count=F("attempt_count") + 1,
        )
    )
    return token if claimed == 1 else None


def _send(
    message: OutboxMessage, *, started_at: dt.datetime, timeout: float
) -> tuple[int | None, str]:
    """POST the message once, signed; its status code and error code ("" on success)."""
    status_code: int | None = None
    error = ""
    try:
        body = message.body.encode()
        headers = {
            "content-type": "application/json",
            "user-agent": str(webhooks_settings.USER_AGENT),
            **webhook_headers(
                secrets_=signing_secrets(message.endpoint, started_at),
                message_id=message.webhook_id,
                timestamp=int(time.time()),
                body=body,
            ),
        }
        status_code = post(message.endpoint.url, body=body, headers=headers, timeout=timeout)
        if not 200 <= status_code < 300:
            error = "http_status"
    except (OSError, http.client.HTTPException, WebhookError, SecretUnavailable) as failure:
        error = _error_class(failure)
    return status_code, error


def webhook_deliver(*, message_id: uuid.UUID | str) -> DeliveryAttempt | None:
    """Make one delivery attempt of a due message; None when there is nothing to do.

    Safe to call any number of times, concurrently: the guarded UPDATE lets one
    caller own a due, pending message, and a delivered message is never sent again.
    """
    timeout = float(webhooks_settings.TIMEOUT_SECONDS)
    token = _claim(message_id, now=timezone.now(), timeout=timeout)
    if token is None:
        return None
    message = OutboxMessage.objects.select_related("endpoint").get(pk=message_id)
    number = message.attempt_count

    started_at = timezone.now()
    clock = time.monotonic()
    status_code, error = _send(message, started_at=started_at, timeout=timeout)
    duration_ms = int((time.monotonic() - clock) * 1000)
    succeeded = not error

    with transaction.atomic(durable=True):
        attempt = DeliveryAttempt.objects.create(
            message=message,
            number=number,
            started_at=started_at,
            duration_ms=duration_ms,
            status_code=status_code,
            succeeded=succeeded,
            error=error,
        )
        finished = timezone.now()
        owned = OutboxMessage.objects.filter(
            pk=message.pk, status=OutboxMessage.Status.PENDING, lease_token=token
        )
        release = {"lease_token": None, "leased_until": None}
        if succeeded:
            owned.update(
                status=OutboxMessage.Status.DELIVERED,
                delivered_at=finished,
                finished_at=finished,
                **release,
            )
        elif number >= int(webhooks_settings.MAX_ATTEMPTS):
            owned.update(status=OutboxMessage.Status.FAILED, finished_at=finished, **release)
        else:
            delay = webhook_retry_delay(number)
            if owned.update(
                next_attempt_at=finished + dt.timedelta(seconds=delay), **release
            ):
                schedule_delivery(message.pk, countdown=delay)
    logger.info(
        "webhook %s attempt %d to endpoint %s: %s",
        message.webhook_id,
        number,
        message.endpoint_id,
        status_code if succeeded else (error if error != "http_status" else status_code),
    )
    return attempt


def webhook_requeue_due(*, now: dt.datetime | None = None) -> int:
    """Re-queue pending messages whose task was lost (broker down at commit, worker
    crash mid-delivery). Duplicates are harmless: delivery claims before sending."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(seconds=float(webhooks_settings.REQUEUE_AFTER_SECONDS))
    due = list(
        OutboxMessage.objects.filter(
            status=OutboxMessage.Status.PENDING, next_attempt_at__lte=cutoff
        )
        .filter(Q(leased_until__isnull=True) | Q(leased_until__lt=now))
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[: int(webhooks_settings.REQUEUE_BATCH_SIZE)]
    )
    for message_id in due:
        _send_delivery_task(message_id)
    return len(due)
