"""Refreshing insights: after imports (queued on commit) and daily (beat)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.db import transaction
from django.template import Context, Template
from django.test import RequestFactory
from django.utils import timezone

from analytics.models import InsightSnapshot
from analytics.selectors import open_snapshot
from analytics.services import insights_refresh, refresh_all, schedule_refresh
from analytics.tasks import refresh_all_insights, refresh_insights
from tests.factories.vault import import_records

pytestmark = pytest.mark.django_db

PURCHASE = {"facet": "purchases", "occurred_at": "2026-01-05T09:30:00Z",
            "data": {"merchant": "Boulangerie", "amount": "4.20", "currency": "EUR"}}


def test_schedule_refresh_marks_stale_now_and_recomputes_after_commit(
        consumer, django_capture_on_commit_callbacks):
    insights_refresh(vault=consumer.vault)
    import_records(user=consumer, records=[PURCHASE])
    with django_capture_on_commit_callbacks(execute=False) as callbacks, transaction.atomic():
        schedule_refresh(vault=consumer.vault)
        # Inside the writer's transaction: stale at once, nothing computed yet
        assert InsightSnapshot.objects.get(vault=consumer.vault).stale is True
    assert len(callbacks) == 1
    callbacks[0]()  # the commit: the task runs (eagerly in tests)
    snapshot = InsightSnapshot.objects.get(vault=consumer.vault)
    assert snapshot.stale is False
    assert open_snapshot(snapshot)["purchase_count"] == 1


def test_nothing_is_queued_when_the_transaction_rolls_back(consumer,
                                                           django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                schedule_refresh(vault=consumer.vault)
                raise RuntimeError("the import failed")
        except RuntimeError:
            pass
    assert callbacks == []
    assert not InsightSnapshot.objects.exists()


def test_refresh_can_be_switched_off_for_bulk_loads(consumer, analytics_settings,
                                                    django_capture_on_commit_callbacks):
    analytics_settings(REFRESH_AFTER_IMPORT=False)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        schedule_refresh(vault=consumer.vault)
    assert callbacks == []


def test_the_task_skips_a_vault_erased_meanwhile():
    assert refresh_insights("00000000-0000-0000-0000-000000000000") is False


def test_daily_task_refreshes_missing_and_old_snapshots_only(make_consumer):
    fresh, old, missing = make_consumer(), make_consumer(), make_consumer()
    insights_refresh(vault=fresh.vault)
    insights_refresh(vault=old.vault, now=timezone.now() - dt.timedelta(days=2))
    before = InsightSnapshot.objects.get(vault=fresh.vault).computed_at
    assert refresh_all_insights() == 2
    assert InsightSnapshot.objects.count() == 3
    assert InsightSnapshot.objects.get(vault=fresh.vault).computed_at == before
    assert InsightSnapshot.objects.get(vault=old.vault).computed_at > before
    assert InsightSnapshot.objects.filter(vault=missing.vault).exists()
    assert refresh_all() == 0


def test_the_daily_task_is_on_the_beat_schedule():
    entries = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "analytics.tasks.refresh_all_insights" in entries


def test_dashboard_tag_shows_the_top_recommendations_from_the_stored_snapshot(demo_consumer):
    request = RequestFactory().get("/")
    request.user = demo_consumer
    template = Template("{% load analytics_tags %}{% top_recommendations 3 %}")
    assert template.render(Context({"request": request})).strip() == ""  # nothing stored yet
    insights_refresh(vault=demo_consumer.vault)
    html = template.render(Context({"request": request, "csrf_token": "t"}))
    assert "Netflix went from 13.49 EUR to 15.99 EUR" in html
    assert "/insights/recommendations/" in html
