"""What a webhook says: the event types, what a payload may hold, the JSON body.

Payloads are thin: the event type and ids the brand already holds (consent
id, OAuth client id), never a consumer's values. The brand fetches data
through the API, where consent is checked and the read audited. The rules are
enforced here, when the message is written, so a personal value cannot slip in.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Mapping
from typing import Any

from django.utils import timezone

from .errors import InvalidPayload
from .models import WebhookEventType

# Event types a brand can subscribe to ("webhook.test" is sent on demand only).
SUBSCRIBABLE_EVENT_TYPES: tuple[str, ...] = (
    WebhookEventType.CONSENT_GRANTED,
    WebhookEventType.CONSENT_NARROWED,
    WebhookEventType.CONSENT_REVOKED,
    WebhookEventType.CONSENT_EXPIRED,
    WebhookEventType.DATA_ERASED,
)
# The only keys a payload's "data" may carry: ids and names the brand already
# knows, never a consumer's values. consent_id and client_id are required.
PAYLOAD_KEYS = frozenset({"consent_id", "client_id", "facets", "previous_facets", "expires_at"})
REQUIRED_PAYLOAD_KEYS = frozenset({"consent_id", "client_id"})


def _json_value(key: str, value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, dt.datetime):
        if timezone.is_naive(value):
            raise InvalidPayload(f"{key} must be timezone-aware")
        return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, str | int | bool) or value is None:
        return value
    if isinstance(value, list | tuple | set | frozenset) and all(
        isinstance(item, str) for item in value
    ):
        return sorted(value)
    raise InvalidPayload(f"{key} must be an id, a name, a time or a list of names")


def event_data(event_type: str, payload: Mapping[str, Any]) -> dict[str, Any]:
    """The ``data`` object of a subscribable event; InvalidPayload for anything else."""
    if event_type not in SUBSCRIBABLE_EVENT_TYPES:
        raise InvalidPayload(f"unknown webhook event type {event_type!r}")
    unknown = set(payload) - PAYLOAD_KEYS
    if unknown:
        raise InvalidPayload(
            "webhook payloads carry ids only; not allowed: " + ", ".join(sorted(unknown))
        )
    missing = REQUIRED_PAYLOAD_KEYS - set(payload)
    if missing:
        raise InvalidPayload("webhook payload lacks " + ", ".join(sorted(missing)))
    return {key: _json_value(key, value) for key, value in payload.items()}


def event_body(event_type: str, data: Mapping[str, Any], occurred_at: dt.datetime) -> str:
    """The JSON body sent (and signed): type, UTC timestamp and data, keys sorted."""
    envelope = {
        "type": str(event_type),
        "timestamp": occurred_at.astimezone(dt.UTC).isoformat().replace("+00:00", "Z"),
        "data": dict(data),
    }
    return json.dumps(envelope, separators=(",", ":"), sort_keys=True)
