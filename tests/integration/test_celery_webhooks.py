"""A real Celery worker, fed through Redis, delivers a webhook to a local
receiver that fails the first time: the message is retried and delivered."""

from __future__ import annotations

import json
import time

import pytest
from django.db import transaction

from brands.models import Brand
from tests.factories.webhooks import Receiver, expected_signature
from webhooks.models import OutboxMessage
from webhooks.outbox import webhook_enqueue
from webhooks.services import webhook_endpoint_create

from .conftest import Worker

DELIVERY_SECONDS = 60


@pytest.mark.integration
def test_worker_delivers_a_signed_webhook_retrying_after_a_500(
    celery_worker: Worker, receiver: Receiver, brand: Brand
) -> None:
    from config.celery import app

    assert app.conf.task_always_eager is False  # only the worker can deliver
    endpoint, secret = webhook_endpoint_create(
        brand=brand, url=receiver.url, event_types=["consent.revoked"]
    )
    receiver.statuses = [500]
    payload = {"consent_id": "7d1c5c0e-8f2b-4c55-9a0e-0b7f4a1e2d33", "client_id": "lumen-app"}

    with transaction.atomic():
        (message,) = webhook_enqueue(brand=brand, event_type="consent.revoked", payload=payload)

    deadline = time.monotonic() + DELIVERY_SECONDS
    while time.monotonic() < deadline:
        message.refresh_from_db()
        if message.status != OutboxMessage.Status.PENDING:
            break
        celery_worker.check_alive()
        time.sleep(0.2)
    else:
        pytest.fail(
            f"not delivered in {DELIVERY_SECONDS}s (attempts: {message.attempt_count}, "
            f"received: {len(receiver.requests)}); worker log:\n{celery_worker.log()[-4000:]}"
        )

    assert message.status == OutboxMessage.Status.DELIVERED
    assert message.attempt_count == 2
    assert list(message.attempts.values_list("number", "status_code", "succeeded", "error")) == [
        (1, 500, False, "http_status"),
        (2, 200, True, ""),
    ]
    assert len(receiver.requests) == 2
    for received in receiver.requests:
        assert received.path == "/hooks/sillage"
        assert received.body == message.body.encode()
        assert received.headers["webhook-id"] == message.webhook_id
        assert received.headers["webhook-signature"] == expected_signature(
            secret=secret, received=received
        )
    assert json.loads(receiver.requests[0].body) == {
        "type": "consent.revoked",
        "timestamp": json.loads(message.body)["timestamp"],
        "data": payload,
    }
    assert endpoint.messages.get() == message
    assert f"webhook {message.webhook_id} attempt 2" in celery_worker.log()
