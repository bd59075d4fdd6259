"""Faults around the insights refresh task (analytics.tasks.refresh_insights):
delivered twice, delivered late after a newer run, or its worker killed in the
middle, it leaves what one clean run leaves: one snapshot of the vault, fresh,
holding the insights computed from the vault as it is.

A killed worker is simulated by raising, inside the task and past the claim of
the snapshot row (its creation and row lock), an exception nothing in Sillage
catches: the transaction rolls back as a dead connection's would.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from unittest import mock

import pytest
from django.utils import timezone

from accounts.models import User
from analytics.models import InsightSnapshot
from analytics.selectors import open_snapshot
from analytics.tasks import refresh_insights
from tests.factories.vault import import_records

pytestmark = pytest.mark.django_db

PURCHASE = {"facet": "purchases", "occurred_at": "2026-01-05T09:30:00Z",
            "data": {"merchant": "Boulangerie", "amount": "4.20", "currency": "EUR"}}


class WorkerKilled(BaseException):
    """What a killed worker process amounts to: nothing past this point runs."""


@pytest.fixture
def buyer(consumer: User) -> User:
    import_records(user=consumer, records=[PURCHASE])
    InsightSnapshot.objects.all().delete()  # whatever the import's refresh left
    return consumer


def run_task(user: User, at: dt.datetime) -> None:
    with mock.patch("django.utils.timezone.now", return_value=at):
        assert refresh_insights.apply(args=(str(user.vault.id),), throw=True).get() is True


def state(user: User) -> list[dict[str, Any]]:
    return [{"stale": snapshot.stale, "computed_at": snapshot.computed_at,
             "insights": open_snapshot(snapshot)}
            for snapshot in InsightSnapshot.objects.filter(vault=user.vault)]


def clean_run(user: User, at: dt.datetime) -> list[dict[str, Any]]:
    """The state one clean run at ``at`` leaves (the vault's snapshot removed after)."""
    run_task(user, at)
    result = state(user)
    InsightSnapshot.objects.filter(vault=user.vault).delete()
    assert len(result) == 1
    assert result[0]["stale"] is False
    assert result[0]["insights"]["purchase_count"] == 1
    return result


def test_a_refresh_delivered_twice(buyer: User) -> None:
    now = timezone.now()
    expected = clean_run(buyer, now)
    run_task(buyer, now)
    run_task(buyer, now)
    assert state(buyer) == expected


def test_a_late_copy_does_not_replace_a_newer_run(buyer: User) -> None:
    now = timezone.now()
    expected = clean_run(buyer, now)
    run_task(buyer, now)
    run_task(buyer, now - dt.timedelta(minutes=5))  # queued earlier, delivered after
    assert state(buyer) == expected


@pytest.mark.parametrize("earlier_snapshot", [False, True])
def test_a_worker_killed_mid_refresh(buyer: User, earlier_snapshot: bool) -> None:
    now = timezone.now()
    expected = clean_run(buyer, now)
    if earlier_snapshot:
        # Insights of the vault before its last import, marked stale by it.
        run_task(buyer, now - dt.timedelta(days=1))
        InsightSnapshot.objects.filter(vault=buyer.vault).update(stale=True)
    before = state(buyer)

    def die_while_saving(self: InsightSnapshot, *args: Any, **kwargs: Any) -> None:
        # Past the claim: the row exists and is locked, the insights are computed.
        assert InsightSnapshot.objects.filter(vault=buyer.vault).exists()
        raise WorkerKilled()

    with mock.patch.object(InsightSnapshot, "save", die_while_saving), \
            pytest.raises(WorkerKilled):
        run_task(buyer, now)
    # Nothing half-written: no new row, an earlier snapshot still there and still stale.
    assert state(buyer) == before

    run_task(buyer, now)  # the broker hands the task again (acks_late)
    assert state(buyer) == expected
