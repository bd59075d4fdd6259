"""The /insights/ page: what it shows, to whom, and the card buttons."""

from __future__ import annotations

import re

import pytest

from analytics.models import RecommendationDecision
from analytics.services import insights_refresh
from tests.factories.vault import import_records

pytestmark = pytest.mark.django_db


def _fingerprints(html: str) -> set[str]:
    return set(re.findall(r"/insights/recommendations/([0-9a-f]{64})/dismiss/", html))


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get("/insights/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_the_page_shows_charts_subscriptions_and_cards_with_post_buttons(client, demo_consumer):
    client.force_login(demo_consumer)
    response = client.get("/insights/")
    assert response.status_code == 200
    html = response.content.decode()
    # Charts are inline SVG with a title, drawn on the server
    assert html.count('<svg class="chart"') == 4
    assert "<title id=" in html
    # Subscriptions with their next date, the price rise, the footprint
    for text in ("Netflix", "Basic-Fit", "Amazon Prime", "Le Monde", "Ma Banque", "Carrefour"):
        assert text in html
    assert "Netflix went from 13.49 EUR to 15.99 EUR" in html
    # Every card has act/dismiss forms that POST with a CSRF token
    [fingerprint] = _fingerprints(html)
    assert f'action="/insights/recommendations/{fingerprint}/act/"' in html
    assert html.count('name="csrfmiddlewaretoken"') >= 3
    # Nothing is fetched from elsewhere
    assert not re.search(r'(src|href)="(https?:)?//', html)


def test_the_page_in_french(client, demo_consumer):
    client.force_login(demo_consumer)
    html = client.get("/insights/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Abonnements et paiements récurrents" in html
    assert "Netflix est passé de 13,49 EUR à 15,99 EUR" in html


def test_another_consumer_sees_nothing_of_the_first_and_cannot_act_on_their_cards(
        client, demo_consumer, make_consumer):
    client.force_login(demo_consumer)
    [fingerprint] = _fingerprints(client.get("/insights/").content.decode())
    other = make_consumer(email="other@example.test")
    import_records(user=other, source="Autre Banque", records=[
        {"facet": "purchases", "occurred_at": "2026-01-05T09:30:00Z",
         "data": {"merchant": "Boulangerie", "amount": "4.20", "currency": "EUR"}}])
    client.force_login(other)
    html = client.get("/insights/").content.decode()
    for text in ("Netflix", "Basic-Fit", "Ma Banque", "Carrefour", "13.49", "15.99"):
        assert text not in html
    assert "Boulangerie" in html
    # The first consumer's recommendation is not the other's to dismiss or act on
    for verb in ("dismiss", "act"):
        response = client.post(f"/insights/recommendations/{fingerprint}/{verb}/")
        assert response.status_code == 404
    assert not RecommendationDecision.objects.exists()
    client.force_login(demo_consumer)
    assert fingerprint in _fingerprints(client.get("/insights/").content.decode())


def test_buttons_only_accept_post(client, demo_consumer):
    client.force_login(demo_consumer)
    [fingerprint] = _fingerprints(client.get("/insights/").content.decode())
    assert client.get(f"/insights/recommendations/{fingerprint}/dismiss/").status_code == 405
    assert not RecommendationDecision.objects.exists()


def test_posting_without_the_csrf_token_is_refused(demo_consumer):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(demo_consumer)
    insights = insights_refresh(vault=demo_consumer.vault)
    fingerprint = insights["recommendations"][0]["fingerprint"]
    assert strict.post(f"/insights/recommendations/{fingerprint}/dismiss/").status_code == 403
    assert not RecommendationDecision.objects.exists()


def test_dismissing_from_the_page_hides_the_card(client, demo_consumer):
    client.force_login(demo_consumer)
    [fingerprint] = _fingerprints(client.get("/insights/").content.decode())
    response = client.post(f"/insights/recommendations/{fingerprint}/dismiss/", follow=True)
    assert response.status_code == 200
    assert fingerprint not in _fingerprints(response.content.decode())
    assert "Nothing to act on right now." in response.content.decode()


def test_a_consumer_with_an_empty_vault_gets_a_friendly_page(client, consumer):
    client.force_login(consumer)
    html = client.get("/insights/").content.decode()
    assert "No purchases in your vault yet" in html
    assert "Nothing to act on right now." in html


def test_the_consent_check_up_tells_no_consent_from_tidy_consents(client, consumer, make_brand,
                                                                  make_app, grant):
    client.force_login(consumer)
    html = client.get("/insights/").content.decode()
    assert "You have not given any brand access to your data." in html
    assert "Your consents look tidy." not in html
    grant(consumer, make_app(make_brand("Tidy Shop")), {"contact": ["read"]})  # recent, narrow, not ending
    html = client.get("/insights/").content.decode()
    assert "Your consents look tidy." in html
    assert "You have not given any brand access to your data." not in html
