"""The regulator portal: search, statistics with a chart, integrity, export,
API tokens. Every query is itself logged (audit.viewed), in the same transaction."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.db import DatabaseError

from audit.models import AuditEvent, VerificationRun
from audit.services import checkpoint_issue
from regulator.models import RegulatorToken
from regulator.services import regulator_token_user
from tests.factories.accounts import client_for
from tests.factories.audit import brand_read

from .conftest import subject_of

pytestmark = pytest.mark.django_db


def last_view() -> dict:
    event = AuditEvent.objects.filter(action="audit.viewed").order_by("-id").first()
    assert event is not None
    return {"actor": (event.actor_type, event.actor_id), **event.detail}


def test_search_filters_and_logs_the_query(seeded, regulator):
    client = client_for(user=regulator)
    response = client.get("/regulator/", {"subject": subject_of(seeded.bob), "outcome": "denied"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "2 events" in body  # bob's denied reads (rounds 0 and 3)
    assert subject_of(seeded.alice)[:13] not in body
    view = last_view()
    assert view["actor"] == ("regulator", subject_of(regulator))
    assert view["view"] == "portal.search"
    assert view["filters"]["subject"] == subject_of(seeded.bob)
    assert view["filters"]["outcome"] == "denied"
    assert view["results"] == 2


@pytest.mark.parametrize(("query", "count"), [
    ({"action": "consent.*"}, 1),
    ({"action": "facet.read", "actor_id": "client-globex"}, 6),
    ({"actor_type": "system"}, 1),
    ({"consent_id": "c-alice-0"}, 4),
    ({"since": "2000-01-01", "until": "2000-01-02"}, 0),
])
def test_search_by_action_actor_consent_and_dates(seeded, regulator, query, count):
    response = client_for(user=regulator).get("/regulator/", query)
    assert response.status_code == 200
    assert f"{count} event" in response.content.decode()
    assert last_view()["results"] == count


def test_a_bad_date_range_is_explained(seeded, regulator):
    response = client_for(user=regulator).get("/regulator/", {"since": "2026-02-01",
                                                              "until": "2026-01-01"})
    assert response.status_code == 200
    assert "The end date is before the start date." in response.content.decode()


def test_a_query_whose_log_entry_cannot_be_written_shows_nothing(seeded, regulator, monkeypatch):
    monkeypatch.setattr("regulator.views.audit_viewed",
                        lambda **kwargs: (_ for _ in ()).throw(DatabaseError("log down")))
    client = client_for(user=regulator)
    client.raise_request_exception = False
    response = client.get("/regulator/", {"subject": subject_of(seeded.bob)})
    assert response.status_code == 500


def test_event_detail_shows_its_place_in_the_tree(seeded, regulator):
    event = seeded.events[0]
    body = client_for(user=regulator).get(f"/regulator/events/{event.event_id}/").content.decode()
    assert event.hash in body
    assert "of a tree of" in body
    assert last_view()["view"] == "portal.event"


def test_statistics_per_brand_with_an_svg_chart(seeded, regulator):
    response = client_for(user=regulator).get("/regulator/statistics/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "<svg" in body
    assert 'class="denied"' in body
    assert "client-acme" in body
    assert "client-globex" in body
    assert last_view()["view"] == "portal.statistics"


def test_integrity_status_and_verify_now(seeded, regulator, django_capture_on_commit_callbacks):
    client = client_for(user=regulator)
    body = client.get("/regulator/integrity/").content.decode()
    assert "No verification has run yet." in body
    assert "sillage.example/audit" in body  # the checkpoint note and the verifier key
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/regulator/integrity/")
    assert response.status_code == 302  # queued on commit; eager Celery in tests: done
    run = VerificationRun.objects.get()
    assert run.ok
    assert run.events_verified == AuditEvent.objects.count()
    assert last_view()["view"] == "portal.verify"
    assert "Intact" in client.get("/regulator/integrity/").content.decode()


def test_export_downloads_a_verifiable_bundle(seeded, regulator):
    checkpoint_issue()
    response = client_for(user=regulator).post("/regulator/export/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    names = set(archive.namelist())
    assert {"sillage-audit/events.jsonl", "sillage-audit/checkpoints.jsonl",
            "sillage-audit/public-key.txt", "sillage-audit/manifest.json"} <= names
    lines = archive.read("sillage-audit/events.jsonl").decode().splitlines()
    assert len(lines) == AuditEvent.objects.count()
    assert json.loads(lines[-1])["detail"] == {"view": "portal.export"}  # logged in the export
    assert last_view()["view"] == "portal.export"


def test_tokens_are_shown_once_and_stored_as_hashes(regulator):
    client = client_for(user=regulator)
    response = client.post("/regulator/tokens/", {"name": "case 2026-17"})
    body = response.content.decode()
    token = body.split('<pre class="audit-note secret">')[1].split("</pre>")[0]
    assert token.startswith("srt_")
    record = RegulatorToken.objects.get(name="case 2026-17")
    assert token not in record.digest
    assert record.digest != token
    assert regulator_token_user(token=token) == (regulator, record)
    assert token not in client.get("/regulator/tokens/").content.decode()
    client.post(f"/regulator/tokens/{record.pk}/revoke/")
    assert regulator_token_user(token=token) is None


def test_a_regulator_cannot_revoke_someone_elses_token(regulator, make_user, regulator_token):
    other = make_user("regulator")
    record = RegulatorToken.objects.get(user=regulator)
    response = client_for(user=other).post(f"/regulator/tokens/{record.pk}/revoke/")
    assert response.status_code == 404
    assert RegulatorToken.objects.get(pk=record.pk).revoked_at is None


def test_brand_reads_logged_later_show_in_search(seeded, regulator):
    brand_read(subject=subject_of(seeded.alice), app="client-initech", consent_id="c-new")
    response = client_for(user=regulator).get("/regulator/", {"actor_id": "client-initech"})
    body = response.content.decode()
    assert "1 event" in body
