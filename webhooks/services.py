"""Webhook services: endpoints, the outbox, signing and delivery (DESIGN §4).

Brands learn that a consent changed (or that a consumer erased their data)
from webhooks in the Standard Webhooks 1.0 form:

* ``webhook_enqueue`` is called by the service that changes a consent, inside
  its transaction: it writes one ``OutboxMessage`` per subscribed endpoint and
  queues the delivery task with ``transaction.on_commit``, so a rolled-back
  change never notifies anyone and a committed one always does (the beat sweep
  ``webhook_requeue_due`` picks up a task lost between commit and broker).
* ``webhook_deliver`` (the Celery task's body) claims the message with a
  guarded UPDATE (a lease), POSTs it once, records the attempt, and either marks
  it delivered, schedules a retry with exponential back-off and full jitter, or
  gives up after ``MAX_ATTEMPTS``. A delivered message is never sent again.
* Destinations are checked against SSRF at registration *and* at each delivery:
  https only, every resolved address public, and the connection is made to the
  address that was checked (no second DNS look-up, no redirects followed).

Payloads are thin: the event type and ids the brand already holds (consent id,
OAuth client id). The brand fetches data through the API, where consent is
checked and the read audited. Endpoint secrets are sealed at rest with a key
derived from settings, because we must be able to sign with them.
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
import hmac
import http.client
import ipaddress
import json
import logging
import os
import random
import secrets
import socket
import ssl
import time
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from hashlib import sha256
from typing import Any
from urllib.parse import urlsplit

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_append
from brands.models import Brand
from core.actors import SYSTEM, account_actor

from .models import DeliveryAttempt, OutboxMessage, WebhookEndpoint, WebhookEventType

logger = logging.getLogger(__name__)

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

SECRET_PREFIX = "whsec_"  # noqa: S105 (the Standard Webhooks prefix, not a secret)
SECRET_BYTES = 32
_SEAL_FORMAT = b"\x01"
_NONCE_BYTES = 12
_HKDF_INFO = b"sillage/webhooks/endpoint-secret/v1"
# A task may run a moment before next_attempt_at on another host's clock.
_CLOCK_TOLERANCE = dt.timedelta(seconds=2)
_jitter = random.SystemRandom()


class WebhookError(Exception):
    """A webhook request that cannot be honoured; the message is safe to show."""


class DestinationRefused(WebhookError):
    """The URL is not an acceptable destination (scheme, host, or address)."""

    def __init__(self, message: str, *, code: str = "destination_refused") -> None:
        super().__init__(message)
        self.code = code


class EndpointLimitReached(WebhookError):
    pass


class InvalidPayload(ValueError):
    """A caller tried to put something other than known ids in a webhook."""


def _config() -> Mapping[str, Any]:
    return settings.WEBHOOKS


# --- secrets: generation, sealing at rest, signing ---------------------------


def _new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


@functools.lru_cache(maxsize=4)
def _sealing_key(index_key: str) -> bytes:
    # A key of its own, derived (HKDF) so that it is never the blind-index key itself.
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_HKDF_INFO).derive(
        index_key.encode()
    )


def _secret_aad(endpoint_id: uuid.UUID) -> bytes:
    # Binds the sealed secret to its endpoint: a value copied to another row fails to open.
    return b"sillage.webhook-endpoint-secret|" + endpoint_id.bytes


def _seal_secret(*, endpoint_id: uuid.UUID, secret: str) -> bytes:
    nonce = os.urandom(_NONCE_BYTES)
    key = _sealing_key(settings.VAULT["INDEX_KEY"])
    return _SEAL_FORMAT + nonce + AESGCM(key).encrypt(
        nonce, secret.encode(), _secret_aad(endpoint_id)
    )


def _open_secret(*, endpoint_id: uuid.UUID, sealed: bytes | memoryview) -> str:
    raw = bytes(sealed)
    if raw[:1] != _SEAL_FORMAT:
        raise WebhookError("unknown sealed secret format")
    nonce, ciphertext = raw[1 : 1 + _NONCE_BYTES], raw[1 + _NONCE_BYTES :]
    key = _sealing_key(settings.VAULT["INDEX_KEY"])
    try:
        return AESGCM(key).decrypt(nonce, ciphertext, _secret_aad(endpoint_id)).decode()
    except InvalidTag as error:
        raise WebhookError("the endpoint secret cannot be opened with this key") from error


def webhook_signature(*, secret: str, message_id: str, timestamp: int, body: bytes | str) -> str:
    """``v1,<base64 HMAC-SHA256(secret, "id.timestamp.body")>`` (Standard Webhooks 1.0).

    The key is the base64-decoded part of the secret after ``whsec_``.
    """
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    payload = body.encode() if isinstance(body, str) else body
    signed = f"{message_id}.{timestamp}.".encode() + payload
    return "v1," + base64.b64encode(hmac.new(key, signed, sha256).digest()).decode()


def webhook_headers(
    *, secrets_: Sequence[str], message_id: str, timestamp: int, body: bytes | str
) -> dict[str, str]:
    """The three Standard Webhooks headers; several secrets give space-separated signatures."""
    signatures = " ".join(
        webhook_signature(secret=secret, message_id=message_id, timestamp=timestamp, body=body)
        for secret in secrets_
    )
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signatures,
    }


def _signing_secrets(endpoint: WebhookEndpoint, now: dt.datetime) -> list[str]:
    current = [_open_secret(endpoint_id=endpoint.id, sealed=endpoint.secret_sealed)]
    if (
        endpoint.previous_secret_sealed
        and endpoint.previous_secret_expires_at
        and endpoint.previous_secret_expires_at > now
    ):
        current.append(
            _open_secret(endpoint_id=endpoint.id, sealed=endpoint.previous_secret_sealed)
        )
    return current


# --- destinations: the SSRF guard --------------------------------------------

_NAT64 = ipaddress.ip_network("64:ff9b::/96")
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass(frozen=True)
class Destination:
    scheme: str
    host: str
    port: int
    target: str  # path and query, as sent in the request line
    addresses: tuple[str, ...] = ()


def address_refused(address: IPAddress) -> bool:
    """True for anything but a public unicast address, including IPv4 hidden in IPv6."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            # Resolvers give IPv4 as IPv4; a mapped form only serves to dodge checks
            # (and Python versions disagree on how to classify it).
            return True
        embedded: list[ipaddress.IPv4Address] = []
        if address.sixtofour is not None:
            embedded.append(address.sixtofour)
        if address.teredo is not None:
            embedded.extend(address.teredo)
        if address in _NAT64:
            embedded.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
        if any(address_refused(inner) for inner in embedded):
            return True
        if address.is_site_local:
            return True
    return (
        not address.is_global
        or address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
    )


def _parse_destination(url: str) -> Destination:
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as error:
        raise DestinationRefused(_("This is not a valid URL.")) from error
    scheme = parts.scheme.lower()
    if scheme != "https" and not (scheme == "http" and _config()["ALLOW_HTTP"]):
        raise DestinationRefused(_("Webhook destinations must use https."), code="scheme")
    if parts.username is not None or parts.password is not None:
        # Credentials in a URL would be stored and shown in clear: use the signature instead.
        raise DestinationRefused(_("Webhook URLs cannot contain a user name or password."))
    if not parts.hostname:
        raise DestinationRefused(_("This URL has no host."))
    try:
        host = parts.hostname.encode("idna").decode("ascii")
    except UnicodeError as error:
        raise DestinationRefused(_("This host name is not valid.")) from error
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    return Destination(
        scheme=scheme, host=host, port=port or (443 if scheme == "https" else 80), target=target
    )


def _resolve(destination: Destination) -> Destination:
    """Every address the host resolves to; all must be public unless settings allow otherwise."""
    try:
        literal: IPAddress | None = ipaddress.ip_address(destination.host)
    except ValueError:
        literal = None
    if literal is not None:
        found = [str(literal)]
    else:
        try:
            infos = socket.getaddrinfo(
                destination.host, destination.port, type=socket.SOCK_STREAM
            )
        except (OSError, UnicodeError) as error:
            raise DestinationRefused(
                _("This host name could not be resolved."), code="dns_error"
            ) from error
        found = list(dict.fromkeys(str(info[4][0]).split("%", 1)[0] for info in infos))
    if not found:
        raise DestinationRefused(_("This host name could not be resolved."), code="dns_error")
    if not _config()["ALLOW_PRIVATE_DESTINATIONS"]:
        for text in found:
            if address_refused(ipaddress.ip_address(text)):
                # The address itself is not shown: no probing of internal networks.
                raise DestinationRefused(
                    _("This host resolves to a private, loopback or reserved address.")
                )
    return Destination(
        scheme=destination.scheme,
        host=destination.host,
        port=destination.port,
        target=destination.target,
        addresses=tuple(found),
    )


def webhook_destination_check(url: str) -> str:
    """Refuse a URL that is not an acceptable destination; returns it trimmed.

    Outside relaxed (test) settings the host is resolved now and every address
    must be public; delivery checks again, since DNS answers change.
    """
    destination = _parse_destination(url)
    if not _config()["ALLOW_PRIVATE_DESTINATIONS"]:
        _resolve(destination)
    return url.strip()


@functools.cache
def _tls_context() -> ssl.SSLContext:
    # System CAs, certificate and host name checked; built once (loading CAs is slow).
    return ssl.create_default_context()


class _PinnedHTTPConnection(http.client.HTTPConnection):
    """Connects to the address that was checked, whatever DNS says a moment later."""

    def __init__(self, host: str, port: int, *, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """As above, with certificate and SNI checked against the host name, not the address."""

    def __init__(self, host: str, port: int, *, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=_tls_context())
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)  # type: ignore[attr-defined]


def _post(url: str, *, body: bytes, headers: Mapping[str, str], timeout: float) -> int:
    """POST once and return the status code; redirects are not followed, bodies not read."""
    destination = _resolve(_parse_destination(url))
    connection_class = (
        _PinnedHTTPSConnection if destination.scheme == "https" else _PinnedHTTPConnection
    )
    last_error: OSError | None = None
    for address in destination.addresses:
        connection = connection_class(
            destination.host, destination.port, address=address, timeout=timeout
        )
        try:
            try:
                connection.connect()
            except OSError as error:
                last_error = error
                continue
            connection.request("POST", destination.target, body=body, headers=dict(headers))
            return connection.getresponse().status
        finally:
            connection.close()
    raise last_error or OSError("no address to connect to")


def _error_class(error: BaseException) -> str:
    if isinstance(error, DestinationRefused):
        return error.code
    if isinstance(error, TimeoutError):
        return "timeout"
    if isinstance(error, ssl.SSLError | ssl.CertificateError):
        return "tls_error"
    if isinstance(error, ConnectionRefusedError):
        return "connection_refused"
    if isinstance(error, http.client.HTTPException):
        return "protocol_error"
    if isinstance(error, WebhookError):
        return "secret_unavailable"
    return "connection_error"


# --- the outbox ---------------------------------------------------------------


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


def _event_data(event_type: str, payload: Mapping[str, Any]) -> dict[str, Any]:
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


def _body(event_type: str, data: Mapping[str, Any], occurred_at: dt.datetime) -> str:
    envelope = {
        "type": str(event_type),
        "timestamp": occurred_at.astimezone(dt.UTC).isoformat().replace("+00:00", "Z"),
        "data": dict(data),
    }
    return json.dumps(envelope, separators=(",", ":"), sort_keys=True)


def _send_delivery_task(message_id: uuid.UUID, countdown: float | None = None) -> None:
    from .tasks import deliver_webhook  # the task module imports this one

    options: dict[str, Any] = {}
    if _config().get("QUEUE"):
        options["queue"] = _config()["QUEUE"]
    if countdown:
        options["countdown"] = countdown
    deliver_webhook.apply_async(args=(str(message_id),), **options)


def _schedule_delivery(message_id: uuid.UUID, countdown: float | None = None) -> None:
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
    data = _event_data(event_type, payload)
    now = timezone.now()
    body = _body(event_type, data, occurred_at or now)
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
            _schedule_delivery(message.id)
    return messages


def webhook_retry_delay(attempt: int) -> float:
    """Seconds before retry after failed attempt ``attempt`` (1-based): full jitter."""
    config = _config()
    ceiling = min(
        float(config["BACKOFF_MAX_SECONDS"]),
        float(config["BACKOFF_BASE_SECONDS"]) * float(config["BACKOFF_MULTIPLIER"]) ** (attempt - 1),
    )
    return _jitter.uniform(0, ceiling)


def webhook_deliver(*, message_id: uuid.UUID | str) -> DeliveryAttempt | None:
    """Make one delivery attempt of a due message; None when there is nothing to do.

    Safe to call any number of times, concurrently: the guarded UPDATE lets one
    caller own a due, pending message, and a delivered message is never sent again.
    """
    config = _config()
    timeout = float(config["TIMEOUT_SECONDS"])
    now = timezone.now()
    cancelled = OutboxMessage.objects.filter(
        pk=message_id, status=OutboxMessage.Status.PENDING, endpoint__is_active=False
    ).update(status=OutboxMessage.Status.CANCELLED, finished_at=now)
    if cancelled:
        return None
    token = uuid.uuid4()
    claimed = (
        OutboxMessage.objects.filter(
            pk=message_id,
            status=OutboxMessage.Status.PENDING,
            next_attempt_at__lte=now + _CLOCK_TOLERANCE,
        )
        .filter(Q(leased_until__isnull=True) | Q(leased_until__lt=now))
        .update(
            lease_token=token,
            # Longer than any attempt can take, so the lease never lapses mid-request.
            leased_until=now + dt.timedelta(seconds=timeout * 4 + 60),
            attempt_count=F("attempt_count") + 1,
        )
    )
    if claimed != 1:
        return None
    message = OutboxMessage.objects.select_related("endpoint").get(pk=message_id)
    endpoint = message.endpoint
    number = message.attempt_count

    started_at = timezone.now()
    clock = time.monotonic()
    status_code: int | None = None
    error = ""
    try:
        body = message.body.encode()
        headers = {
            "content-type": "application/json",
            "user-agent": str(config["USER_AGENT"]),
            **webhook_headers(
                secrets_=_signing_secrets(endpoint, started_at),
                message_id=message.webhook_id,
                timestamp=int(time.time()),
                body=body,
            ),
        }
        status_code = _post(endpoint.url, body=body, headers=headers, timeout=timeout)
        if not 200 <= status_code < 300:
            error = "http_status"
    except (OSError, http.client.HTTPException, WebhookError) as failure:
        error = _error_class(failure)
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
        elif number >= int(config["MAX_ATTEMPTS"]):
            owned.update(status=OutboxMessage.Status.FAILED, finished_at=finished, **release)
        else:
            delay = webhook_retry_delay(number)
            if owned.update(
                next_attempt_at=finished + dt.timedelta(seconds=delay), **release
            ):
                _schedule_delivery(message.pk, countdown=delay)
    logger.info(
        "webhook %s attempt %d to endpoint %s: %s",
        message.webhook_id,
        number,
        endpoint.id,
        status_code if succeeded else (error if error != "http_status" else status_code),
    )
    return attempt


def webhook_requeue_due(*, now: dt.datetime | None = None) -> int:
    """Re-queue pending messages whose task was lost (broker down at commit, worker
    crash mid-delivery). Duplicates are harmless: delivery claims before sending."""
    config = _config()
    now = now or timezone.now()
    cutoff = now - dt.timedelta(seconds=float(config["REQUEUE_AFTER_SECONDS"]))
    due = list(
        OutboxMessage.objects.filter(
            status=OutboxMessage.Status.PENDING, next_attempt_at__lte=cutoff
        )
        .filter(Q(leased_until__isnull=True) | Q(leased_until__lt=now))
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[: int(config["REQUEUE_BATCH_SIZE"])]
    )
    for message_id in due:
        _send_delivery_task(message_id)
    return len(due)


# --- endpoints ----------------------------------------------------------------


def _event_types(event_types: Iterable[str]) -> list[str]:
    chosen = sorted(set(event_types))
    if not chosen:
        raise WebhookError(_("Choose at least one event type."))
    unknown = [name for name in chosen if name not in SUBSCRIBABLE_EVENT_TYPES]
    if unknown:
        raise WebhookError(_("Unknown event type: %(names)s") % {"names": ", ".join(unknown)})
    return chosen


def _actor(user: Any) -> tuple[str, str]:
    return account_actor(user) if user is not None else SYSTEM


def _audit(action: str, *, endpoint: WebhookEndpoint, user: Any, request_id: str) -> None:
    # Ids only: a URL may carry a brand's own token in its query string.
    audit_append(
        actor=_actor(user),
        action=action,
        request_id=request_id,
        detail={"brand_id": str(endpoint.brand_id), "endpoint_id": str(endpoint.id)},
    )


def _check_endpoint_limit(brand_id: uuid.UUID) -> None:
    # The brand row is locked by the caller, so two registrations cannot both pass.
    active = WebhookEndpoint.objects.filter(brand_id=brand_id, is_active=True).count()
    if active >= int(_config()["MAX_ENDPOINTS_PER_BRAND"]):
        raise EndpointLimitReached(
            _("A brand can have at most %(limit)d active webhook endpoints.")
            % {"limit": int(_config()["MAX_ENDPOINTS_PER_BRAND"])}
        )


def webhook_endpoint_create(
    *,
    brand: Brand,
    url: str,
    event_types: Iterable[str],
    description: str = "",
    created_by: Any = None,
    request_id: str = "",
) -> tuple[WebhookEndpoint, str]:
    """Register an endpoint; returns it and its secret, which is shown once and never again."""
    url = webhook_destination_check(url)
    chosen = _event_types(event_types)
    secret = _new_secret()
    with transaction.atomic(durable=True):
        Brand.objects.select_for_update().only("pk").get(pk=brand.pk)
        _check_endpoint_limit(brand.pk)
        endpoint = WebhookEndpoint(
            brand_id=brand.pk,
            url=url,
            description=description.strip(),
            event_types=chosen,
            created_by=created_by,
        )
        endpoint.secret_sealed = _seal_secret(endpoint_id=endpoint.id, secret=secret)
        endpoint.save(force_insert=True)
        _audit("webhook.endpoint_created", endpoint=endpoint, user=created_by,
               request_id=request_id)
    return endpoint, secret


def webhook_endpoint_rotate_secret(
    *, endpoint: WebhookEndpoint, rotated_by: Any = None, request_id: str = ""
) -> str:
    """Give the endpoint a new secret (returned, shown once). The previous one keeps
    signing alongside for ``ROTATION_GRACE_SECONDS`` so the brand can switch over."""
    secret = _new_secret()
    with transaction.atomic(durable=True):
        locked = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
        now = timezone.now()
        locked.previous_secret_sealed = locked.secret_sealed
        locked.previous_secret_expires_at = now + dt.timedelta(
            seconds=int(_config()["ROTATION_GRACE_SECONDS"])
        )
        locked.secret_sealed = _seal_secret(endpoint_id=locked.id, secret=secret)
        locked.secret_rotated_at = now
        locked.save(
            update_fields=[
                "previous_secret_sealed",
                "previous_secret_expires_at",
                "secret_sealed",
                "secret_rotated_at",
            ]
        )
        _audit("webhook.secret_rotated", endpoint=locked, user=rotated_by,
               request_id=request_id)
    return secret


def webhook_endpoint_disable(
    *, endpoint: WebhookEndpoint, disabled_by: Any = None, request_id: str = ""
) -> WebhookEndpoint:
    """Stop deliveries to the endpoint; messages not yet delivered are cancelled."""
    with transaction.atomic(durable=True):
        locked = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
        if locked.is_active:
            now = timezone.now()
            locked.is_active = False
            locked.disabled_at = now
            locked.save(update_fields=["is_active", "disabled_at"])
            OutboxMessage.objects.filter(
                endpoint=locked, status=OutboxMessage.Status.PENDING
            ).update(status=OutboxMessage.Status.CANCELLED, finished_at=now)
            _audit("webhook.endpoint_disabled", endpoint=locked, user=disabled_by,
                   request_id=request_id)
    return locked


def webhook_endpoint_enable(
    *, endpoint: WebhookEndpoint, enabled_by: Any = None, request_id: str = ""
) -> WebhookEndpoint:
    """Resume deliveries of new events; the destination is checked again first."""
    webhook_destination_check(endpoint.url)
    with transaction.atomic(durable=True):
        Brand.objects.select_for_update().only("pk").get(pk=endpoint.brand_id)
        locked = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
        if not locked.is_active:
            _check_endpoint_limit(locked.brand_id)
            locked.is_active = True
            locked.disabled_at = None
            locked.save(update_fields=["is_active", "disabled_at"])
            _audit("webhook.endpoint_enabled", endpoint=locked, user=enabled_by,
                   request_id=request_id)
    return locked


def webhook_send_test(*, endpoint: WebhookEndpoint) -> OutboxMessage:
    """Queue a ``webhook.test`` event to this endpoint alone, to check a verifier."""
    with transaction.atomic(durable=True):
        locked = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
        if not locked.is_active:
            raise WebhookError(_("This endpoint is disabled."))
        now = timezone.now()
        message = OutboxMessage.objects.create(
            brand_id=locked.brand_id,
            endpoint=locked,
            event_type=WebhookEventType.TEST,
            body=_body(WebhookEventType.TEST, {"endpoint_id": str(locked.id)}, now),
            next_attempt_at=now,
        )
        _schedule_delivery(message.id)
    return message
