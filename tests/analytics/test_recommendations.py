"""Recommendations: consent hygiene, acting from the card (really revoking or
narrowing through the consents service), dismissal that lasts until the facts change."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from analytics.models import RecommendationDecision
from analytics.selectors import visible_recommendations
from analytics.services import (
    RecommendationActionFailed,
    RecommendationNotFound,
    insights_current,
    insights_refresh,
    recommendation_act,
    recommendation_dismiss,
)
from audit.models import AuditEvent
from tests.factories.consents import issue_token
from tests.factories.vault import import_records

pytestmark = pytest.mark.django_db


def _by_kind(insights, vault):
    found: dict[str, list[dict]] = {}
    for item in visible_recommendations(vault=vault, insights=insights):
        found.setdefault(item["kind"], []).append(item)
    return found


def _actor(user):
    return ("consumer", str(user.vault.subject))


def _monthly(merchant: str, amounts: list[str], *, last_days_ago: int) -> list[dict]:
    """Charges 30 days apart, the last ``last_days_ago`` days ago, oldest first."""
    now = timezone.now()
    count = len(amounts)
    return [
        {"facet": "purchases",
         "occurred_at": (now - dt.timedelta(days=last_days_ago + 30 * (count - 1 - index),
                                            hours=2)).isoformat(),
         "data": {"merchant": merchant, "category": "streaming", "amount": amount,
                  "currency": "EUR", "channel": "online"}}
        for index, amount in enumerate(amounts)
    ]


# --- dismissal ----------------------------------------------------------------------


def test_a_dismissed_recommendation_stays_away_until_the_facts_change(consumer):
    vault = consumer.vault
    # Given a subscription whose price rose from 9.99 to 11.99
    import_records(user=consumer,
                   records=_monthly("StreamCo", ["9.99"] * 9 + ["11.99"] * 3, last_days_ago=28))
    insights = insights_refresh(vault=vault)
    [rise] = _by_kind(insights, vault)["subscription_price_increase"]
    assert rise["figures"]["old_amount"] == "9.99"
    assert rise["figures"]["new_amount"] == "11.99"
    # When the consumer dismisses it
    recommendation_dismiss(user=consumer, fingerprint=rise["fingerprint"], actor=_actor(consumer))
    # Then it stays away on every recomputation while the facts are the same
    for _ in range(2):
        again = insights_refresh(vault=vault)
        assert "subscription_price_increase" not in _by_kind(again, vault)
        assert rise["fingerprint"] in {item["fingerprint"] for item in again["recommendations"]}
    # And when the price rises again it comes back, with the new figures
    import_records(user=consumer, records=[{
        "facet": "purchases", "occurred_at": (timezone.now() - dt.timedelta(hours=1)).isoformat(),
        "data": {"merchant": "StreamCo", "category": "streaming", "amount": "13.99",
                 "currency": "EUR", "channel": "online"}}])
    latest = insights_refresh(vault=vault)
    [back] = _by_kind(latest, vault)["subscription_price_increase"]
    assert (back["figures"]["old_amount"], back["figures"]["new_amount"]) == ("11.99", "13.99")
    assert back["fingerprint"] != rise["fingerprint"]
    assert RecommendationDecision.objects.filter(vault=vault).count() == 1
    assert AuditEvent.objects.filter(action="recommendation.dismissed",
                                     subject=str(vault.subject)).count() == 1


def test_dismissing_an_unknown_fingerprint_changes_nothing(consumer):
    with pytest.raises(RecommendationNotFound):
        recommendation_dismiss(user=consumer, fingerprint="0" * 64, actor=_actor(consumer))
    assert not RecommendationDecision.objects.exists()


def test_reviewing_a_subscription_marks_it_acted(consumer):
    import_records(user=consumer,
                   records=_monthly("StreamCo", ["9.99"] * 9 + ["11.99"] * 3, last_days_ago=28))
    insights = insights_refresh(vault=consumer.vault)
    [rise] = _by_kind(insights, consumer.vault)["subscription_price_increase"]
    outcome = recommendation_act(user=consumer, fingerprint=rise["fingerprint"],
                                 actor=_actor(consumer))
    assert (outcome.action, outcome.changed) == ("review_subscription", False)
    decision = RecommendationDecision.objects.get(vault=consumer.vault)
    assert decision.decision == "acted"


def test_unusual_purchase_and_stale_address_are_recommended(consumer):
    now = timezone.now()
    history = [{"facet": "purchases",
                "occurred_at": (now - dt.timedelta(days=5 + 3 * index)).isoformat(),
                "data": {"merchant": f"Shop {index % 4}", "category": "groceries",
                         "amount": f"{20 + index % 7}.50", "currency": "EUR"}}
               for index in range(60)]
    history.append({"facet": "purchases", "occurred_at": (now - dt.timedelta(days=2)).isoformat(),
                    "data": {"merchant": "Bijouterie Or", "category": "groceries",
                             "amount": "890.00", "currency": "EUR"}})
    import_records(user=consumer, records=history)
    import_records(user=consumer, records=[{"facet": "address",
                                            "data": {"city": "Lyon", "country": "FR"}}],
                   source="self")
    insights = insights_refresh(vault=consumer.vault, now=now + dt.timedelta(days=800))
    kinds = _by_kind(insights, consumer.vault)
    assert "stale_value" in kinds
    assert kinds["stale_value"][0]["action"] == {"type": "correct_value", "url": "/vault/address/"}
    fresh = insights_refresh(vault=consumer.vault)
    [unusual] = _by_kind(fresh, consumer.vault)["unusual_purchase"]
    assert (unusual["figures"]["merchant"], unusual["figures"]["amount"]) == ("Bijouterie Or", "890.00")
    assert "stale_value" not in _by_kind(fresh, consumer.vault)


# --- consents ---------------------------------------------------------------------


def test_consent_hygiene_finds_never_used_unused_broad_and_expiring(
        consumer, make_brand, make_app, grant, analytics_settings):
    from brands.services import api_facet_read

    analytics_settings(CONSENT_GRACE_DAYS=0)
    idle_shop, used_shop, broad_shop, ending_shop = (
        make_app(make_brand(name))
        for name in ("Idle Shop", "Used Shop", "Broad Shop", "Ending Shop"))
    idle = grant(consumer, idle_shop, {"contact": ["read"]}, days=365)
    used = grant(consumer, used_shop, {"contact": ["read"]}, days=365)
    broad = grant(consumer, broad_shop, {"contact": ["read"], "identity": ["read"],
                                         "birthdate": ["read"], "address": ["read"],
                                         "purchases": ["read"]}, days=365)
    ending = grant(consumer, ending_shop, {"identity": ["read"]}, days=10)
    import_records(user=consumer,
                   records=[{"facet": "contact", "data": {"email": "c@example.test"}}])
    for consent in (used, broad, ending):
        _raw, token = issue_token(application=consent.application, consent=consent,
                                  user=consumer)
        api_facet_read(token=token, facet="contact" if consent is not ending else "identity")

    # Today: the never-used one, the broad one (narrow to what it read), the ending one
    today = insights_refresh(vault=consumer.vault)
    kinds = _by_kind(today, consumer.vault)
    assert [item["action"]["consent_id"] for item in kinds["consent_never_used"]] == [str(idle.id)]
    assert kinds["consent_never_used"][0]["action"]["type"] == "revoke_consent"
    [narrow] = kinds["consent_broad"]
    assert narrow["action"] == {"type": "narrow_consent", "consent_id": str(broad.id),
                                "keep": ["contact"]}
    assert "Broad Shop may use 5 kinds of your data but has only used Contact" in \
        narrow_reason(narrow)
    assert [item["action"]["consent_id"] for item in kinds["consent_expiring"]] == [str(ending.id)]
    assert "consent_unused" not in kinds
    # The footprint counts who read what
    readers = {item["brand"]: item for item in today["footprint"]["readers"]}
    assert readers["Used Shop"]["reads"] == 1
    assert readers["Used Shop"]["facets"][0]["facet"] == "contact"

    # 100 days later, the used consent has gone unused
    later = insights_refresh(vault=consumer.vault,
                             now=timezone.now() + dt.timedelta(days=100))
    unused = _by_kind(later, consumer.vault)["consent_unused"]
    assert {item["action"]["consent_id"] for item in unused} == {str(used.id), str(broad.id)}


def narrow_reason(item):
    from analytics.texts import reason

    return reason(item["kind"], item["figures"])


def test_revoking_from_the_card_revokes_the_consent_and_its_tokens(client, consumer, make_brand,
                                                                  make_app, grant,
                                                                  analytics_settings):
    from consents.models import AccessToken, Consent, RefreshToken

    analytics_settings(CONSENT_GRACE_DAYS=0)
    shop = make_app(make_brand("Forgotten Shop"))
    consent = grant(consumer, shop, {"contact": ["read"]}, days=90)
    raw, _token = issue_token(application=consent.application, consent=consent, user=consumer)
    assert client.get("/api/v1/consent", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200
    insights = insights_refresh(vault=consumer.vault)
    [card] = _by_kind(insights, consumer.vault)["consent_never_used"]
    # When the consumer presses "Revoke this consent" on the card
    client.force_login(consumer)
    response = client.post(f"/insights/recommendations/{card['fingerprint']}/act/")
    assert response.status_code == 302
    # Then the consent is revoked, its tokens are gone, and the brand is cut off
    consent.refresh_from_db()
    assert consent.status == Consent.Status.REVOKED
    assert not AccessToken.objects.filter(consent=consent).exists()
    assert not RefreshToken.objects.filter(consent=consent, revoked__isnull=True).exists()
    assert client.get("/api/v1/consent", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401
    assert AuditEvent.objects.filter(action="consent.revoked", consent_id=str(consent.id)).count() == 1
    # And the card is gone from the recomputed page
    html = client.get("/insights/").content.decode()
    assert card["fingerprint"] not in html
    assert "consent_never_used" not in _by_kind(insights_current(vault=consumer.vault),
                                                consumer.vault)


def test_narrowing_from_the_card_keeps_only_what_the_brand_used(consumer, make_brand, make_app,
                                                                grant):
    from brands.services import api_facet_read
    from consents.models import AccessToken

    shop = make_app(make_brand("Broad Shop"))
    consent = grant(consumer, shop, {"contact": ["read"], "identity": ["read"],
                                     "birthdate": ["read"], "address": ["read"],
                                     "purchases": ["read"]}, days=365)
    _raw, token = issue_token(application=consent.application, consent=consent, user=consumer)
    api_facet_read(token=token, facet="contact")
    insights = insights_refresh(vault=consumer.vault)
    [card] = _by_kind(insights, consumer.vault)["consent_broad"]
    outcome = recommendation_act(user=consumer, fingerprint=card["fingerprint"],
                                 actor=_actor(consumer))
    assert (outcome.action, outcome.changed) == ("narrow_consent", True)
    consent.refresh_from_db()
    assert consent.grants == {"contact": ["read"]}
    assert AccessToken.objects.get(pk=token.pk).scope == "contact:read"
    assert "consent_broad" not in _by_kind(insights_current(vault=consumer.vault), consumer.vault)


def test_acting_on_a_consent_revoked_meanwhile_fails_cleanly(consumer, make_brand, make_app,
                                                             grant, analytics_settings):
    from consents.services import consent_revoke

    analytics_settings(CONSENT_GRACE_DAYS=0)
    consent = grant(consumer, make_app(make_brand("Gone Shop")), {"contact": ["read"]})
    insights = insights_refresh(vault=consumer.vault)
    [card] = _by_kind(insights, consumer.vault)["consent_never_used"]
    consent_revoke(consent=consent, actor=_actor(consumer))
    # The revocation made the insights stale: the card is either recomputed
    # away (not found) or found and refused; never acted on twice.
    with pytest.raises((RecommendationActionFailed, RecommendationNotFound)):
        recommendation_act(user=consumer, fingerprint=card["fingerprint"], actor=_actor(consumer))
    assert not RecommendationDecision.objects.exists()


def test_a_consumer_cannot_act_on_another_consumers_consent(consumer, make_consumer, make_app,
                                                            grant, analytics_settings):
    from consents.models import Consent

    analytics_settings(CONSENT_GRACE_DAYS=0)
    consent = grant(consumer, make_app(), {"contact": ["read"]})
    card = _by_kind(insights_refresh(vault=consumer.vault), consumer.vault)["consent_never_used"][0]
    intruder = make_consumer()
    with pytest.raises(RecommendationNotFound):
        recommendation_act(user=intruder, fingerprint=card["fingerprint"], actor=_actor(intruder))
    consent.refresh_from_db()
    assert consent.status == Consent.Status.ACTIVE
