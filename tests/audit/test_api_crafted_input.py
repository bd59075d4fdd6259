"""Crafted input on the regulator's API and portal (a red-team review's
findings): a forged cursor or limit is a 400 with a JSON body, a date at the
ends of the calendar answers as its meaning says, never a 500."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from django.test import Client

from audit.models import AuditEvent
from audit.services import checkpoint_issue
from tests.factories.accounts import client_for
from tests.factories.audit import SeededLog

pytestmark = pytest.mark.django_db


def _get(token: str, path: str, **params: Any) -> Any:
    return Client().get(f"/api/v1/audit/{path}", params, HTTP_AUTHORIZATION=f"Bearer {token}")


def _b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


@pytest.mark.parametrize(("path", "cursor"), [
    ("events", _b64("e:" + "9" * 20)),
    ("events", _b64("e:-1")),
    ("events", _b64(f"e:{2**63}")),
    ("checkpoints", _b64("c:" + "9" * 30)),
    ("checkpoints", _b64("c:" + "9" * 5000)),
    ("checkpoints", _b64("c:١٢")),
])
def test_a_cursor_beyond_any_id_is_invalid(seeded: SeededLog, regulator_token: str, path: str,
                                           cursor: str) -> None:
    viewed = AuditEvent.objects.filter(action="audit.viewed").count()
    response = _get(regulator_token, path, cursor=cursor)
    assert response.status_code == 400
    assert response.json() == {"error": "invalid_cursor", "detail": "Malformed cursor."}
    assert AuditEvent.objects.filter(action="audit.viewed").count() == viewed


@pytest.mark.parametrize("limit", ["-5", "-1", "99999999999999999999999", "١٢"])
def test_a_checkpoint_limit_that_is_not_a_page_size(seeded: SeededLog, regulator_token: str,
                                                    limit: str) -> None:
    checkpoint_issue()
    response = _get(regulator_token, "checkpoints", limit=limit)
    assert response.status_code in (200, 400), response.content
    if response.status_code == 400:
        assert response.json()["error"] == "invalid_request"


@pytest.mark.parametrize("since", ["0001-01-01", "0001-01-01T00:00:00", "0001-01-01T00:00:00Z",
                                   "0001-01-01T00:00:00+05:00"])
def test_since_the_first_year_finds_every_event(seeded: SeededLog, regulator_token: str,
                                               since: str) -> None:
    everything = list(AuditEvent.objects.order_by("-id").values_list("id", flat=True))
    response = _get(regulator_token, "events", since=since, limit=1000)
    assert response.status_code == 200, response.content
    assert [event["id"] for event in response.json()["events"]] == everything


@pytest.mark.parametrize("until", ["0001-01-01", "0001-01-01T00:00:00+05:00"])
def test_until_the_first_year_finds_nothing(seeded: SeededLog, regulator_token: str,
                                            until: str) -> None:
    response = _get(regulator_token, "events", until=until)
    assert response.status_code == 200, response.content
    assert response.json()["events"] == []


@pytest.mark.parametrize("until", ["9999-12-31", "9999-12-31T23:59:59"])
def test_until_the_last_year_finds_everything(seeded: SeededLog, regulator_token: str,
                                              until: str) -> None:
    everything = AuditEvent.objects.count()
    response = _get(regulator_token, "events", until=until, limit=1000)
    assert response.status_code == 200, response.content
    assert len(response.json()["events"]) == everything


@pytest.mark.parametrize("page", ["/regulator/", "/regulator/statistics/"])
@pytest.mark.parametrize(("since", "until"), [("0001-01-01", ""), ("", "9999-12-31"),
                                              ("0001-01-01", "9999-12-31")])
def test_the_portal_reads_the_whole_calendar(seeded: SeededLog, regulator: Any, page: str,
                                             since: str, until: str) -> None:
    response = client_for(user=regulator).get(page, {"since": since, "until": until})
    assert response.status_code == 200
