"""Who may see what: consumers their own events, regulators everything (never
vault contents), brand staff nothing; the API wants a regulator token.
Every refusal leaves the log exactly as it was."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client
from django.utils import timezone

from accounts.models import User
from audit.models import AuditEvent
from audit.services import checkpoint_issue
from regulator.models import RegulatorToken
from tests.factories.accounts import client_for
from tests.factories.regulator import create_regulator_token

from .conftest import subject_of

pytestmark = pytest.mark.django_db

PORTAL_PAGES = ["/regulator/", "/regulator/statistics/", "/regulator/integrity/",
                "/regulator/export/", "/regulator/tokens/", "EVENT"]
API = ["/api/v1/audit/events", "/api/v1/audit/events/EVENT_ID", "/api/v1/audit/checkpoints",
       "/api/v1/audit/checkpoints/latest", "/api/v1/audit/proofs/inclusion?event=EVENT_ID",
       "/api/v1/audit/proofs/consistency?first=1", "/api/v1/audit/public-key"]


def viewed() -> int:
    return AuditEvent.objects.filter(action="audit.viewed").count()


@pytest.fixture
def people(seeded, regulator, brand_staff):
    return {"anonymous": None, "consumer": seeded.alice, "other_consumer": seeded.bob,
            "brand_staff": brand_staff, "regulator": regulator}


@pytest.mark.parametrize(("who", "status"), [
    ("anonymous", 302), ("consumer", 200), ("other_consumer", 200), ("brand_staff", 403),
    ("regulator", 403),
])
def test_activity_page(people, seeded, who, status):
    before = AuditEvent.objects.count()
    response = client_for(user=people[who]).get("/activity/")
    assert response.status_code == status
    if status == 302:
        assert response["Location"].startswith("/accounts/login/")
    body = response.content.decode()
    if who == "consumer":
        assert "/consents/c-alice-0/" in body  # her own events, linked to their consent
    else:
        assert "/consents/c-alice-0/" not in body  # never alice's events
    assert AuditEvent.objects.count() == before


@pytest.mark.parametrize("page", PORTAL_PAGES)
@pytest.mark.parametrize(("who", "status"), [
    ("anonymous", 302), ("consumer", 403), ("other_consumer", 403), ("brand_staff", 403),
    ("regulator", 200),
])
def test_regulator_portal(people, seeded, page, who, status):
    if page == "EVENT":
        page = f"/regulator/events/{seeded.events[0].event_id}/"
    before = viewed()
    response = client_for(user=people[who]).get(page)
    assert response.status_code == status
    if status == 302:
        assert response["Location"].startswith("/accounts/login/")
    if status != 200:
        assert viewed() == before  # a refused look is not a look
        assert subject_of(seeded.bob) not in response.content.decode()


@pytest.fixture
def tokens(regulator, make_user):
    _, good = create_regulator_token(user=regulator, name="good")
    revoked_record, revoked = create_regulator_token(user=regulator, name="revoked")
    RegulatorToken.objects.filter(pk=revoked_record.pk).update(revoked_at=timezone.now())
    expired_record, expired = create_regulator_token(user=regulator, name="old")
    RegulatorToken.objects.filter(pk=expired_record.pk).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1))
    demoted = make_user(User.Role.REGULATOR)
    _, demoted_token = create_regulator_token(user=demoted, name="demoted")
    User.objects.filter(pk=demoted.pk).update(role=User.Role.BRAND_STAFF)
    return {"good": good, "revoked": revoked, "expired": expired, "demoted": demoted_token,
            "garbage": "srt_" + "x" * 43, "brand_oauth": "a-brand-access-token"}


@pytest.mark.parametrize("path", API)
@pytest.mark.parametrize(("who", "status"), [
    ("anonymous", 401), ("consumer_session", 401), ("regulator_session", 401),
    ("garbage", 401), ("brand_oauth", 401), ("revoked", 401), ("expired", 401), ("demoted", 401),
    ("good", 200),
])
def test_regulator_api(people, seeded, tokens, path, who, status):
    checkpoint_issue()
    path = path.replace("EVENT_ID", str(seeded.events[0].event_id))
    if who in ("consumer_session", "regulator_session"):
        client = client_for(user=people[who.split("_")[0]])
        headers = {}
    else:
        client = Client()
        headers = {} if who == "anonymous" else {"HTTP_AUTHORIZATION": f"Bearer {tokens[who]}"}
    before = viewed()
    response = client.get(path, **headers)
    assert response.status_code == status, response.content
    body = json.loads(response.content)
    if status == 401:
        assert body["error"] == "invalid_token"
        assert response["WWW-Authenticate"].startswith("Bearer")
        assert viewed() == before
    else:
        assert viewed() == before + 1  # the regulator's query, logged with it


def test_the_api_never_returns_vault_contents(seeded, regulator_token):
    """Events hold facet names and pseudonyms; the e-mails and values stay in the vault."""
    response = Client().get("/api/v1/audit/events?limit=1000",
                            HTTP_AUTHORIZATION=f"Bearer {regulator_token}")
    text = response.content.decode()
    assert response.status_code == 200
    for user in (seeded.alice, seeded.bob):
        assert user.email not in text
        assert subject_of(user) in text
