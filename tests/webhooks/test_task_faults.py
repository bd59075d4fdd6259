"""Faults around the delivery task (webhooks.tasks.deliver_webhook, the outbox's
webhook_deliver): a task delivered twice, and a worker killed in the middle of
one, leave what one clean run leaves.

What one clean run leaves: the message delivered, its lease released, exactly
one recorded delivery attempt (succeeded) and the receiver holding one request
per recorded send, all with the message's ``webhook-id`` and body.

A worker killed after it claimed the message is simulated by raising, inside
the task and past the claim, an exception nothing in Sillage catches (as a
killed process leaves no chance to clean up): the claim's lease then keeps any
other run away until it lapses, and the re-queue sweep hands the message to a
new run. The claim counts as an attempt (``attempt_count``), so a message that
always kills its worker still ends after ``MAX_ATTEMPTS``: that number is the
one thing a crash leaves behind, by design.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any
from unittest import mock

import pytest
from django.utils import timezone

from brands.models import Brand
from tests.factories.webhooks import Receiver, create_endpoint
from webhooks import outbox
from webhooks.conf import webhooks_settings
from webhooks.models import DeliveryAttempt, OutboxMessage
from webhooks.outbox import webhook_enqueue, webhook_requeue_due
from webhooks.tasks import deliver_webhook

pytestmark = pytest.mark.django_db

CONSENT = {"consent_id": "0f8e3a52-3d0c-4d5e-9a43-1f5b5b0c9a11", "client_id": "lumen-app"}


class WorkerKilled(BaseException):
    """What a killed worker process amounts to: nothing past this point runs."""


@pytest.fixture
def message(brand: Brand, receiver: Receiver) -> OutboxMessage:
    create_endpoint(brand=brand, url=receiver.url, event_types=["consent.revoked"])
    [enqueued] = webhook_enqueue(brand=brand, event_type="consent.revoked", payload=CONSENT)
    return enqueued


@pytest.fixture
def queued() -> Iterator[list[str]]:
    """The delivery tasks queued by the outbox (their message ids), not run."""
    sent: list[str] = []
    with mock.patch.object(outbox, "_send_delivery_task",
                           lambda message_id, countdown=None: sent.append(str(message_id))):
        yield sent


def run_task(message: OutboxMessage) -> None:
    """The Celery task, as a worker runs it (eagerly, exceptions propagating)."""
    deliver_webhook.apply(args=(str(message.pk),), throw=True)


def state(message: OutboxMessage, receiver: Receiver) -> dict[str, Any]:
    message.refresh_from_db()
    attempts = list(DeliveryAttempt.objects.filter(message=message)
                    .values_list("succeeded", "status_code", "error"))
    return {
        "status": message.status,
        "leased": message.lease_token is not None or message.leased_until is not None,
        "attempts": attempts,
        "requests": [(request.headers["webhook-id"], request.body)
                     for request in receiver.requests],
    }


def clean(message: OutboxMessage) -> dict[str, Any]:
    return {"status": OutboxMessage.Status.DELIVERED, "leased": False,
            "attempts": [(True, 200, "")],
            "requests": [(message.webhook_id, message.body.encode())]}


def after_the_lease(message: OutboxMessage) -> dt.datetime:
    """A moment when the message's lease has lapsed and the re-queue sweep
    would pick the message up."""
    message.refresh_from_db()
    assert message.leased_until is not None
    sweep = dt.timedelta(seconds=float(webhooks_settings.REQUEUE_AFTER_SECONDS))
    return max(message.leased_until, message.next_attempt_at + sweep) + dt.timedelta(seconds=1)


def test_one_clean_run(message: OutboxMessage, receiver: Receiver) -> None:
    run_task(message)
    assert state(message, receiver) == clean(message)


def test_a_task_delivered_twice_sends_once(message: OutboxMessage, receiver: Receiver) -> None:
    run_task(message)
    run_task(message)
    assert state(message, receiver) == clean(message)


def test_two_copies_of_the_task_while_the_first_holds_the_lease(
        message: OutboxMessage, receiver: Receiver) -> None:
    """The broker redelivers the task while the first worker is still sending:
    the copy finds the message leased and does nothing."""
    real_send = outbox._send

    def send_and_meanwhile_run_the_copy(*args: Any, **kwargs: Any) -> Any:
        assert outbox.webhook_deliver(message_id=message.pk) is None  # the copy
        return real_send(*args, **kwargs)

    with mock.patch.object(outbox, "_send", send_and_meanwhile_run_the_copy):
        run_task(message)
    assert state(message, receiver) == clean(message)


@pytest.mark.parametrize("killed", ["before sending", "after sending"])
def test_a_worker_killed_after_the_claim(message: OutboxMessage, receiver: Receiver,
                                         queued: list[str], killed: str) -> None:
    real_post = outbox.post

    def post_then_die(*args: Any, **kwargs: Any) -> int:
        if killed == "after sending":
            real_post(*args, **kwargs)
        raise WorkerKilled()

    with mock.patch.object(outbox, "post", post_then_die), pytest.raises(WorkerKilled):
        run_task(message)
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.PENDING
    assert message.lease_token is not None  # claimed, never released
    assert not DeliveryAttempt.objects.filter(message=message).exists()

    # The broker hands the task again (acks_late) while the lease holds: nothing.
    run_task(message)
    assert not DeliveryAttempt.objects.filter(message=message).exists()
    assert webhook_requeue_due() == 0  # nor does the sweep take a leased message

    # Once the lease lapses, the sweep re-queues it and a new worker delivers it.
    later = after_the_lease(message)
    with mock.patch("django.utils.timezone.now", return_value=later):
        assert webhook_requeue_due() == 1
        assert queued == [str(message.pk)]
        run_task(message)
        run_task(message)  # and a duplicate of that task changes nothing

    expected = clean(message)
    if killed == "after sending":
        # The receiver got the message before the crash: at least once, with
        # the same webhook-id and body, so a receiver recognises the repeat.
        expected["requests"] = expected["requests"] * 2
    assert state(message, receiver) == expected
    assert message.attempt_count == 2  # the crashed claim counts against MAX_ATTEMPTS


def test_a_message_that_always_kills_its_worker_ends(message: OutboxMessage, receiver: Receiver,
                                                     queued: list[str]) -> None:
    """No endless redelivery: each crashed claim counts, the last one fails it."""
    now = timezone.now()
    limit = int(webhooks_settings.MAX_ATTEMPTS)
    with mock.patch.object(outbox, "post", side_effect=WorkerKilled()):
        for _ in range(limit):
            with mock.patch("django.utils.timezone.now", return_value=now), \
                    pytest.raises(WorkerKilled):
                run_task(message)
            now = after_the_lease(message)
    message.refresh_from_db()
    assert message.attempt_count == limit
    with mock.patch("django.utils.timezone.now", return_value=now):
        run_task(message)  # one more claim is refused: the budget is spent
        assert webhook_requeue_due() == 0
    message.refresh_from_db()
    assert message.status == OutboxMessage.Status.FAILED
    assert message.lease_token is None
    assert message.attempt_count == limit
    assert receiver.requests == []
