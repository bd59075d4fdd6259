from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from audit.models import AuditEvent
from tests.factories.vault import import_records
from vault.models import Record
from vault.tasks import enforce_retention

pytestmark = pytest.mark.django_db


def test_location_records_past_their_retention_are_deleted_and_the_deletion_audited(consumer):
    now = timezone.now()
    stamp = lambda days: (now - dt.timedelta(days=days)).isoformat()  # noqa: E731
    import_records(user=consumer, source="App", records=[
        {"facet": "location", "occurred_at": stamp(200), "data": {"city": "Lyon"}},
        {"facet": "location", "occurred_at": stamp(10), "data": {"city": "Lyon"}},
        {"facet": "purchases", "occurred_at": stamp(200),
         "data": {"merchant": "A", "amount": "1", "currency": "EUR"}},
    ])
    assert enforce_retention.delay().get() == 1
    assert sorted(Record.objects.values_list("facet", flat=True)) == ["location", "purchases"]
    event = AuditEvent.objects.get(action="data.expired")
    assert event.subject == str(consumer.vault.subject)
    assert event.detail == {"records": 1, "retention_days": 90}
