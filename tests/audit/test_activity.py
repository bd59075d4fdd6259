"""The consumer's Activity page: who accessed which facets, when, why, under
which consent, allowed or denied; filter by who; paginated."""

from __future__ import annotations

import pytest
from django.test import override_settings

from audit.services import audit_append
from tests.factories.accounts import client_for
from tests.factories.audit import brand_read

from .conftest import subject_of

pytestmark = pytest.mark.django_db


def test_each_entry_says_who_what_which_facets_why_consent_and_outcome(consumer):
    subject = subject_of(consumer)
    brand_read(subject=subject, app="client-acme", facets=("contact", "purchases"),
               consent_id="c-42", purpose="loyalty")
    brand_read(subject=subject, app="client-acme", facets=("birthdate",), outcome="denied")
    body = client_for(user=consumer).get("/activity/").content.decode()
    assert "Read your data" in body
    assert "E-mail" not in body  # facet names, never values
    assert "Purchases" in body
    assert "Contact" in body
    assert "loyalty" in body
    assert 'href="/consents/c-42/"' in body
    assert "Denied" in body
    assert "Allowed" in body
    assert "Brand application client-acme" in body  # no brand registered under that client id


def test_the_consumer_sees_only_their_own_events(consumer, make_consumer):
    other = make_consumer()
    brand_read(subject=subject_of(other), consent_id="c-other")
    brand_read(subject=subject_of(consumer), consent_id="c-mine")
    body = client_for(user=consumer).get("/activity/").content.decode()
    assert "/consents/c-mine/" in body
    assert "/consents/c-other/" not in body


def test_filter_by_actor(consumer):
    subject = subject_of(consumer)
    brand_read(subject=subject, app="client-acme", consent_id="c-acme")
    brand_read(subject=subject, app="client-globex", consent_id="c-globex")
    client = client_for(user=consumer)
    page = client.get("/activity/").content.decode()
    assert 'value="brand_application:client-globex"' in page
    body = client.get("/activity/", {"actor": "brand_application:client-globex"}).content.decode()
    assert "/consents/c-globex/" in body
    assert "/consents/c-acme/" not in body
    # An actor that never touched this consumer's data is not a choice: the filter is ignored.
    other = client.get("/activity/", {"actor": "brand_application:someone-else"})
    assert other.status_code == 200
    assert "/consents/c-acme/" in other.content.decode()


@override_settings(AUDIT={**__import__("django.conf").conf.settings.AUDIT, "ACTIVITY_PAGE_SIZE": 5})
def test_pages_newest_first(consumer):
    subject = subject_of(consumer)
    for number in range(12):
        brand_read(subject=subject, consent_id=f"c-{number:02d}")
    client = client_for(user=consumer)
    first = client.get("/activity/").content.decode()
    assert "/consents/c-11/" in first
    assert "/consents/c-07/" in first
    assert "/consents/c-06/" not in first
    assert "Page 1 of 3" in first  # 12 reads + account.created
    third = client.get("/activity/", {"page": 3}).content.decode()
    assert "/consents/c-00/" in third
    assert "Account created" in third


def test_the_consumers_own_actions_read_you(consumer):
    audit_append(actor=("consumer", subject_of(consumer)), action="consent.revoked",
                 subject=subject_of(consumer), consent_id="c-1")
    body = client_for(user=consumer).get("/activity/").content.decode()
    assert "Consent revoked" in body
    assert ">You<" in body


def test_the_page_speaks_french(consumer):
    brand_read(subject=subject_of(consumer), consent_id="c-fr", outcome="denied")
    client = client_for(user=consumer)
    client.cookies["django_language"] = "fr"
    body = client.get("/activity/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Qui a accédé à vos données" in body
    assert "A lu vos données" in body
    assert "Refusé" in body
    assert "Voir le consentement" in body
