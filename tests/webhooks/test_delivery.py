"""The outbox: written with the change, delivered at least once, retried with
back-off and full jitter, never sent again once delivered."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable

import pytest
from django.db import transaction
from django.utils import timezone

from brands.models import Brand
from tests.factories.webhooks import Receiver, create_endpoint, expected_signature
from webhooks import outbox
from webhooks.errors import InvalidPayload
from webhooks.models import DeliveryAttempt, OutboxMessage, WebhookEndpoint
from webhooks.outbox import (
    webhook_deliver,
    webhook_enqueue,
    webhook_requeue_due,
    webhook_retry_delay,
)
from webhooks.services import (
    webhook_endpoint_create,
    webhook_endpoint_disable,
    webhook_send_test,
)

CONSENT = {"consent_id": "0f8e3a52-3d0c-4d5e-9a43-1f5b5b0c9a11", "client_id": "lumen-app"}


@pytest.fixture
def endpoint_and_secret(brand: Brand, receiver: Receiver) -> tuple[WebhookEndpoint, str]:
    # A query string in the URL: delivery keeps it.
    return create_endpoint(brand=brand, url=f"{receiver.url}?source=test",
                           event_types=["consent.revoked", "data.erased"])


def make_due(message: OutboxMessage) -> None:
    OutboxMessage.objects.filter(pk=message.pk).update(
        next_attempt_at=timezone.now() - dt.timedelta(seconds=1)
    )


# --- enqueue -------------------------------------------------------------------


def test_enqueue_writes_one_message_per_active_subscribed_endpoint(
    brand: Brand, receiver: Receiver, make_brand: Callable[..., Brand]
) -> None:
    revoked_only, _ = webhook_endpoint_create(
        brand=brand, url=receiver.url, event_types=["consent.revoked"]
    )
    erased_only, _ = webhook_endpoint_create(
        brand=brand, url=receiver.url, event_types=["data.erased"]
    )
    disabled, _ = webhook_endpoint_create(
        brand=brand, url=receiver.url, event_types=["consent.revoked"]
    )
    webhook_endpoint_disable(endpoint=disabled)
    other_brand = make_brand("Other")
    webhook_endpoint_create(brand=other_brand, url=receiver.url, event_types=["consent.revoked"])

    messages = webhook_enqueue(brand=brand, event_type="consent.revoked", payload=CONSENT)

    assert [message.endpoint_id for message in messages] == [revoked_only.pk]
    assert OutboxMessage.objects.count() == 1
    assert erased_only.messages.count() == 0


def test_enqueue_writes_a_thin_standard_webhooks_payload(
    endpoint_and_secret: tuple[WebhookEndpoint, str],
) -> None:
    endpoint, _ = endpoint_and_secret
    occurred_at = dt.datetime(2025, 3, 1, 12, 30, tzinfo=dt.UTC)

    (message,) = webhook_enqueue(
        brand=endpoint.brand,
        event_type="consent.revoked",
        payload={**CONSENT, "facets": ["purchases:read", "contact:read"]},
        occurred_at=occurred_at,
    )

    assert json.loads(message.body) == {
        "type": "consent.revoked",
        "timestamp": "2025-03-01T12:30:00Z",
        "data": {
            "consent_id": CONSENT["consent_id"],
            "client_id": "lumen-app",
            "facets": ["contact:read", "purchases:read"],
        },
    }
    assert message.status == OutboxMessage.Status.PENDING
    assert message.webhook_id == f"msg_{message.id.hex}"


@pytest.mark.parametrize(
    ("event_type", "payload", "error"),
    [
        ("consent.revoked", {**CONSENT, "email": "camille@example.test"}, "email"),
        ("consent.revoked", {**CONSENT, "given_name": "Camille"}, "given_name"),
        ("consent.revoked", {"consent_id": "1"}, "client_id"),
        ("consent.revoked", {**CONSENT, "facets": [{"city": "Lyon"}]}, "facets"),
        ("consent.stolen", CONSENT, "unknown webhook event type"),
        ("webhook.test", CONSENT, "unknown webhook event type"),
    ],
)
def test_enqueue_refuses_anything_but_known_ids(
    endpoint_and_secret: tuple[WebhookEndpoint, str], event_type: str, payload: dict, error: str
) -> None:
    endpoint, _ = endpoint_and_secret

    with pytest.raises(InvalidPayload, match=error):
        webhook_enqueue(brand=endpoint.brand, event_type=event_type, payload=payload)

    assert OutboxMessage.objects.count() == 0


def test_enqueue_queues_delivery_only_on_commit(
    endpoint_and_secret: tuple[WebhookEndpoint, str], django_capture_on_commit_callbacks
) -> None:
    endpoint, _ = endpoint_and_secret

    with django_capture_on_commit_callbacks() as callbacks:
        (message,) = webhook_enqueue(
            brand=endpoint.brand, event_type="consent.revoked", payload=CONSENT
        )

    assert len(callbacks) == 1
    assert callbacks[0].args == (message.id, None)  # deliver now, no countdown


@pytest.mark.django_db(transaction=True)
def test_enqueue_in_a_rolled_back_transaction_sends_nothing(
    endpoint_and_secret: tuple[WebhookEndpoint, str], receiver: Receiver
) -> None:
    endpoint, _ = endpoint_and_secret

    def revoke_then_fail() -> None:
        with transaction.atomic():
            webhook_enqueue(brand=endpoint.brand, event_type="consent.revoked", payload=CONSENT)
            raise RuntimeError("consent change failed")

    with pytest.raises(RuntimeError, match="consent change failed"):
        revoke_then_fail()

    assert OutboxMessage.objects.count() == 0
    assert DeliveryAttempt.objects.count() == 0
    assert receiver.requests == []


@pytest.mark.django_db(transaction=True)
def test_enqueue_in_a_committed_transaction_delivers_a_signed_message(
    endpoint_and_secret: tuple[WebhookEndpoint, str], receiver: Receiver
) -> None:
    # Test settings run Celery eagerly: the task runs in-process on commit.
    endpoint, secret = endpoint_and_secret

    with transaction.atomic():
        (message,) = webhook_enqueue(
            brand=endpoint.brand, event_type="consent.revoked", payload=CONSENT
        )
        assert receiver.requests == []

    message.refresh_from_db()
    (received,) = receiver.requests
    assert message.status == OutboxMessage.Status.DELIVERED
    assert received.path == "/hooks/sillage?source=test"
    assert received.body == message.body.encode()
    assert received.headers["content-type"] == "application/json"
    assert received.headers["webhook-id"] == message.webhook_id
    assert abs(int(received.headers["webhook-timestamp"]) - timezone.now().timestamp()) < 60
    assert received.headers["webhook-signature"] == expected_signature(
        secret=secret, received=received
    )


# --- delivery, retries, idempotence -------------------------------------------


def test_delivery_after_a_500_is_retried_with_backoff_then_delivered(
    endpoint_and_secret: tuple[WebhookEndpoint, str],
    receiver: Receiver,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks,
) -> None:
    endpoint, secret = endpoint_and_secret
    ceilings: list[tuple[float, float]] = []
    monkeypatch.setattr(
        outbox._jitter, "uniform", lambda low, high: ceilings.append((low, high)) or high
    )
    (message,) = webhook_enqueue(brand=endpoint.brand, event_type="data.erased", payload=CONSENT)
    receiver.statuses = [500]

    with django_capture_on_commit_callbacks() as callbacks:
        first = webhook_deliver(message_id=message.pk)
    message.refresh_from_db()

    assert first is not None
    assert (first.number, first.status_code, first.succeeded, first.error) == (
        1, 500, False, "http_status"
    )
    assert ceilings == [(0, 60.0)]  # full jitter in [0, BASE]
    assert message.status == OutboxMessage.Status.PENDING
    assert message.attempt_count == 1
    assert message.next_attempt_at == pytest.approx(
        first.started_at + dt.timedelta(seconds=60), abs=dt.timedelta(seconds=5)
    )
    assert [callback.args for callback in callbacks] == [(message.id, 60.0)]

    # Not due yet: a duplicate or early task does nothing.
    assert webhook_deliver(message_id=message.pk) is None
    assert len(receiver.requests) == 1

    make_due(message)
    second = webhook_deliver(message_id=message.pk)
    message.refresh_from_db()

    assert second is not None
    assert (second.number, second.status_code, second.succeeded, second.error) == (
        2, 200, True, ""
    )
    assert message.status == OutboxMessage.Status.DELIVERED
    assert message.delivered_at is not None
    assert list(message.attempts.values_list("number", "status_code")) == [(1, 500), (2, 200)]
    first_try, second_try = receiver.requests
    assert first_try.headers["webhook-id"] == second_try.headers["webhook-id"]
    assert first_try.body == second_try.body
    for received in receiver.requests:
        assert received.headers["webhook-signature"] == expected_signature(
            secret=secret, received=received
        )


def test_a_delivered_message_is_never_sent_again(
    endpoint_and_secret: tuple[WebhookEndpoint, str], receiver: Receiver
) -> None:
    endpoint, _ = endpoint_and_secret
    (message,) = webhook_enqueue(brand=endpoint.brand, event_type="data.erased", payload=CONSENT)
    assert webhook_deliver(message_id=message.pk) is not None

    make_due(message)
    again = webhook_deliver(message_id=str(message.pk))

    assert again is None
    assert len(receiver.requests) == 1
    assert DeliveryAttempt.objects.filter(message=message).count() == 1


def test_a_message_leased_by_another_worker_is_not_sent_twice(
    endpoint_and_secret: tuple[WebhookEndpoint, str], receiver: Receiver
) -> None:
    endpoint, _ = endpoint_and_secret
    (message,) = webhook_enqueue(brand=endpoint.brand, event_type="data.erased", payload=CONSENT)
    OutboxMessage.objects.filter(pk=message.pk).update(
        leased_until=timezone.now() + dt.timedelta(minutes=1)
    )

    assert webhook_deliver(message_id=message.pk) is None
    assert receiver.requests == []


def test_delivery_gives_up_after_max_attempts(
    endpoint_and_secret: tuple[WebhookEndpoint, str], receiver: Receiver, settings
) -> None:
    settings.WEBHOOKS = {**settings.WEBHOOKS, "MAX_ATTEMPTS": 3}
    endpoint, _ = endpoint_and_secret
    (message,) = webhook_enqueue(brand=endpoint.brand, event_type="data.erased", payload=CONSENT)
    receiver.statuses = [500, 503, 502, 200]

    for _ in range(4):
        make_due(message)
        webhook_deliver(message_id=message.pk)
    message.refresh_from_db()

    assert message.status == OutboxMessage.Status.FAILED
    assert message.finished_at is not None
    assert list(message.attempts.values_list("status_code", flat=True)) == [500, 503, 502]
    assert len(receiver.requests) == 3


def test_redirects_are_not_followed(
    endpoint_and_secret: tuple[WebhookEndpoint, str], receiver: Receiver
) -> None:
    endpoint, _ = endpoint_and_secret
    (message,) = webhook_enqueue(brand=endpoint.brand, event_type="data.erased", payload=CONSENT)
    receiver.statuses = [302]

    attempt = webhook_deliver(message_id=message.pk)

    assert attempt is not None
    assert (attempt.status_code, attempt.succeeded, attempt.error) == (302, False, "http_status")
    assert [received.path for received in receiver.requests] == ["/hooks/sillage?source=test"]


def test_an_unreachable_endpoint_records_the_error_class_and_retries(
    brand: Brand, receiver: Receiver
) -> None:
    assert receiver.server is not None
    port = receiver.server.server_port
    receiver.server.shutdown()
    receiver.server.server_close()
    endpoint, _ = webhook_endpoint_create(
        brand=brand, url=f"http://127.0.0.1:{port}/gone", event_types=["data.erased"]
    )
    (message,) = webhook_enqueue(brand=brand, event_type="data.erased", payload=CONSENT)

    attempt = webhook_deliver(message_id=message.pk)
    message.refresh_from_db()

    assert attempt is not None
    assert (attempt.status_code, attempt.error) == (None, "connection_refused")
    assert message.status == OutboxMessage.Status.PENDING
    assert endpoint.messages.get() == message


def test_retry_delays_are_full_jitter_under_an_exponential_ceiling(settings) -> None:
    settings.WEBHOOKS = {
        **settings.WEBHOOKS,
        "BACKOFF_BASE_SECONDS": 60.0,
        "BACKOFF_MULTIPLIER": 4.0,
        "BACKOFF_MAX_SECONDS": 3600.0,
    }
    ceilings = {1: 60.0, 2: 240.0, 3: 960.0, 4: 3600.0, 7: 3600.0}

    for attempt, ceiling in ceilings.items():
        delays = [webhook_retry_delay(attempt) for _ in range(300)]
        assert all(0 <= delay <= ceiling for delay in delays)
        assert max(delays) > ceiling / 2  # spread over the range, not a fixed schedule
        assert min(delays) < ceiling / 2


def test_disabling_an_endpoint_cancels_its_pending_messages(
    endpoint_and_secret: tuple[WebhookEndpoint, str], receiver: Receiver
) -> None:
    endpoint, _ = endpoint_and_secret
    (message,) = webhook_enqueue(brand=endpoint.brand, event_type="data.erased", payload=CONSENT)

    webhook_endpoint_disable(endpoint=endpoint)
    result = webhook_deliver(message_id=message.pk)
    message.refresh_from_db()

    assert result is None
    assert message.status == OutboxMessage.Status.CANCELLED
    assert receiver.requests == []


def test_beat_sweep_requeues_only_overdue_unleased_pending_messages(
    endpoint_and_secret: tuple[WebhookEndpoint, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    endpoint, _ = endpoint_and_secret
    sent: list[object] = []
    monkeypatch.setattr(outbox, "_send_delivery_task", lambda message_id: sent.append(message_id))
    brand = endpoint.brand
    lost, fresh, leased, delivered = (
        webhook_enqueue(brand=brand, event_type="data.erased", payload=CONSENT)[0]
        for _ in range(4)
    )
    long_ago = timezone.now() - dt.timedelta(hours=1)
    OutboxMessage.objects.filter(pk__in=[lost.pk, leased.pk, delivered.pk]).update(
        next_attempt_at=long_ago
    )
    OutboxMessage.objects.filter(pk=leased.pk).update(
        leased_until=timezone.now() + dt.timedelta(minutes=1)
    )
    OutboxMessage.objects.filter(pk=delivered.pk).update(status=OutboxMessage.Status.DELIVERED)

    count = webhook_requeue_due()

    assert count == 1
    assert sent == [lost.pk]
    assert fresh.pk not in sent


def test_a_test_event_goes_to_the_one_endpoint_even_unsubscribed(
    endpoint_and_secret: tuple[WebhookEndpoint, str], receiver: Receiver
) -> None:
    endpoint, secret = endpoint_and_secret

    message = webhook_send_test(endpoint=endpoint)
    webhook_deliver(message_id=message.pk)

    (received,) = receiver.requests
    assert json.loads(received.body)["type"] == "webhook.test"
    assert json.loads(received.body)["data"] == {"endpoint_id": str(endpoint.pk)}
    assert received.headers["webhook-signature"] == expected_signature(
        secret=secret, received=received
    )
