"""Brand aggregates through the service: who is counted, thresholds, budget, audit."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import pytest
from django.utils import timezone

from analytics.models import AggregateRelease, PrivacyBudget
from analytics.services import (
    InvalidAggregateQuery,
    PrivacyBudgetExhausted,
    aggregate_query,
    aggregate_release,
    privacy_budget_set,
    release_payload,
)
from audit.models import AuditEvent
from tests.factories.vault import import_records
from vault.services import record_write

pytestmark = pytest.mark.django_db

CITY_FACETS = {"city": ["read"], "purchases": ["read"]}
ANALYTICS_PURPOSES = ("service", "analytics")


@pytest.fixture
def population(make_consumer, make_brand, make_app, grant):
    """A brand with 24 analytics consumers in Lyon and 3 in Paris; 6 Marseille
    consumers gave it another purpose, 6 in Nice gave analytics to another brand,
    and 2 in Lyon revoked theirs."""
    from consents.services import consent_revoke

    lumiere, other = (make_app(make_brand(name), purposes=ANALYTICS_PURPOSES)
                      for name in ("Maison Lumiere", "Other Brand"))

    def person(city: str, target, purpose: str, spend: str = "120.00", born: str = "1990-04-12"):
        user = make_consumer()
        import_records(user=user, source="self", records=[
            {"facet": "address", "data": {"city": city, "country": "FR"}},
            {"facet": "birthdate", "data": {"date": born}},
        ])
        import_records(user=user, records=[
            {"facet": "purchases", "occurred_at": "2026-09-05T10:00:00Z",
             "data": {"merchant": "Fnac", "category": "electronics", "amount": spend,
                      "currency": "EUR"}}])
        return grant(user, target, CITY_FACETS | {"age_band": ["read"]}, purpose=purpose)

    for _ in range(24):
        person("Lyon", lumiere, "analytics")
    for _ in range(3):
        person("Paris", lumiere, "analytics")
    for _ in range(6):
        person("Marseille", lumiere, "service")
    for _ in range(6):
        person("Nice", other, "analytics")
    for _ in range(2):
        consent_revoke(consent=person("Lyon", lumiere, "analytics"), actor=("consumer", "x"))
    return lumiere.brand


def _release(brand, dimension="city", seed=1, **query):
    return aggregate_release(brand=brand, query=aggregate_query(dimension=dimension, **query),
                             actor=("brand_application", "client-1"), requested_by="client-1",
                             rng=random.Random(seed))


def test_only_consented_consumers_count_and_small_cells_never_appear(population, analytics_settings):
    analytics_settings(DELTA=0.01)  # threshold 10 + 10 = 20 on the noisy count
    release = _release(population)
    payload = release_payload(release)
    # Lyon (24 live analytics consents) is released, noisy; Paris (3) never is;
    # Marseille (other purpose), Nice (other brand) and the revoked are not counted.
    assert [cell["segment"] for cell in payload["cells"]] == ["Lyon"]
    [lyon] = payload["cells"]
    assert 24 - 15 <= lyon["count"] <= 24 + 15
    assert "suppressed" not in payload
    assert "suppressed" not in str(payload["privacy"])
    assert payload["privacy"]["epsilon"] == 1.0
    assert payload["privacy"]["min_group_size"] == 10
    # Every release is audited, as the brand's, without any personal value
    [event] = AuditEvent.objects.filter(action="aggregate.released")
    assert (event.actor_type, event.actor_id, event.purpose) == (
        "brand_application", "client-1", "analytics")
    assert event.detail["cells_released"] == 1
    assert event.detail["cells_suppressed"] == 1  # Paris: for the regulator, not the brand
    assert "Lyon" not in str(event.detail)
    assert "Paris" not in str(event.detail)
    assert PrivacyBudget.objects.get(brand=population).spent_epsilon == Decimal("1.0000")


def test_paris_never_appears_whatever_the_noise(population, analytics_settings):
    analytics_settings(DELTA=0.49, BRAND_EPSILON_BUDGET=100, RELEASE_REUSE_SECONDS=0)
    for seed in range(30):
        cells = _release(population, seed=seed).cells
        assert "Paris" not in {cell["segment"] for cell in cells}


def test_age_band_and_category_segments(population, analytics_settings):
    analytics_settings(DELTA=0.01, MAX_CATEGORIES_PER_CONSUMER=1)
    by_age = release_payload(_release(population, dimension="age_band"))
    assert [cell["segment"] for cell in by_age["cells"]] == ["35-44"]
    by_category = release_payload(_release(population, dimension="category", months=24))
    assert [cell["segment"] for cell in by_category["cells"]] == ["electronics"]
    assert by_category["privacy"]["max_cells_per_consumer"] == 1


def test_the_same_query_again_is_free_and_gives_the_same_figures(population, analytics_settings):
    analytics_settings(DELTA=0.01)
    first = _release(population, seed=1)
    again = _release(population, seed=2)
    assert again.id == first.id
    assert again.cells == first.cells
    assert PrivacyBudget.objects.get(brand=population).spent_epsilon == Decimal("1.0000")
    reused = AuditEvent.objects.filter(action="aggregate.released").order_by("id").last()
    assert reused.detail["reused"] is True


def test_a_brand_that_exhausts_its_budget_is_refused_and_nothing_is_released(population,
                                                                              analytics_settings):
    analytics_settings(BRAND_EPSILON_BUDGET=2.5)
    _release(population, dimension="city", epsilon="1.5")
    _release(population, dimension="age_band", epsilon="1")
    releases = AggregateRelease.objects.count()
    with pytest.raises(PrivacyBudgetExhausted, match=r"privacy budget exhausted: this query needs "
                                                     r"epsilon 0\.1000, 0\.0000 of 2\.5000 remains"):
        _release(population, dimension="category", epsilon="0.1")
    assert AggregateRelease.objects.count() == releases
    budget = PrivacyBudget.objects.get(brand=population)
    assert budget.spent_epsilon == Decimal("2.5000")
    refusal = AuditEvent.objects.get(action="aggregate.refused")
    assert (refusal.outcome, refusal.detail["reason"]) == ("denied", "privacy_budget_exhausted")


def test_an_operator_can_set_a_budget_and_it_is_audited(population):
    privacy_budget_set(brand=population, total_epsilon=Decimal("3"), actor=("operator", "ops"))
    assert PrivacyBudget.objects.get(brand=population).total_epsilon == Decimal("3.0000")
    assert AuditEvent.objects.filter(action="aggregate.budget_set").count() == 1


@pytest.mark.parametrize(("query", "message"), [
    ({"dimension": "postcode"}, "dimension must be one of age_band, city, category"),
    ({"dimension": "city", "epsilon": "5"}, "epsilon must be a number from 0.1 to 2.0"),
    ({"dimension": "city", "epsilon": "nan"}, "epsilon must be"),
    ({"dimension": "city", "months": "0"}, "months must be a whole number from 1 to 24"),
    ({"dimension": "city", "months": "x"}, "months must be"),
])
def test_bad_queries_are_refused(query, message):
    with pytest.raises(InvalidAggregateQuery, match=message):
        aggregate_query(**query)


def test_contributions_use_only_what_each_consent_grants(make_consumer, make_brand, make_app,
                                                        grant):
    from analytics.selectors import aggregate_contributions

    client = make_app(make_brand("Maison Lumiere"), purposes=ANALYTICS_PURPOSES)
    brand = client.brand

    def person(facets):
        user = make_consumer()
        import_records(user=user, records=[{"facet": "address",
                                            "data": {"city": "lyon", "country": "FR"}}],
                       source="self")
        import_records(user=user, records=[
            {"facet": "purchases", "occurred_at": "2026-09-05T10:00:00Z",
             "data": {"merchant": "Fnac", "category": "Electronics", "amount": "120.40",
                      "currency": "EUR"}}])
        grant(user, client, facets, purpose="analytics")

    person({"city": ["read"], "purchases": ["read"]})
    person({"city": ["read"]})                      # no purchases: counted, spends nothing
    person({"purchase_categories": ["read"]})       # categories without amounts
    person({"contact": ["read"]})                   # nothing usable
    by_city = sorted((item.cells for item in aggregate_contributions(
        brand=brand, dimension="city", months=24)), key=str)
    assert by_city == [{"Lyon": 0}, {"Lyon": 120}]
    by_category = sorted((item.cells for item in aggregate_contributions(
        brand=brand, dimension="category", months=24)), key=str)
    assert by_category == [{"electronics": 0}, {"electronics": 120}]
    assert aggregate_contributions(brand=brand, dimension="age_band", months=24) == []


def test_category_cells_are_words_of_the_vocabulary_never_free_text(make_consumer, make_brand,
                                                                     make_app, grant):
    """Segments by category come from the fixed vocabulary of purchase_categories:
    a category someone wrote (a clinic's name) is never a segment name."""
    from analytics.selectors import aggregate_contributions

    client = make_app(make_brand("Maison Lumiere"), purposes=("analytics",))
    brand = client.brand
    for facets in ({"purchases": ["read"]}, {"purchase_categories": ["read"]}):
        user = make_consumer()
        import_records(user=user, records=[
            {"facet": "purchases", "occurred_at": "2026-09-05T10:00:00Z",
             "data": {"merchant": "X", "category": "Clinique Saint-Jean", "amount": "40.00",
                      "currency": "EUR"}},
            {"facet": "purchases", "occurred_at": "2026-09-06T10:00:00Z",
             "data": {"merchant": "Y", "category": "Épicerie", "amount": "10.00",
                      "currency": "EUR"}},
        ])
        grant(user, client, facets, purpose="analytics")
    cells = sorted((item.cells for item in aggregate_contributions(
        brand=brand, dimension="category", months=24)), key=str)
    assert cells == [{"other": 0, "groceries": 0}, {"other": 40, "groceries": 10}]


def test_a_consumer_counts_once_by_their_newest_consent_and_not_after_it_lapsed(
        make_consumer, make_brand, make_app, grant):
    from analytics.selectors import aggregate_contributions
    from consents.models import Consent

    client = make_app(make_brand("Maison Lumiere"), purposes=("analytics",))
    brand = client.brand

    def person(city):
        user = make_consumer()
        record_write(vault=user.vault, facet="address", data={"city": city, "country": "FR"},
                     source="self", actor=("consumer", str(user.vault.subject)))
        import_records(user=user, records=[{"facet": "purchases", "occurred_at": "2026-09-05T10:00:00Z",
                               "data": {"merchant": "Fnac", "category": "Electronics",
                                        "amount": "120.40", "currency": "EUR"}}])
        return user

    twice = person("Lyon")
    grant(twice, client, {"city": ["read"]}, purpose="analytics")
    grant(twice, client, {"city": ["read"], "purchases": ["read"]}, purpose="analytics")
    lapsed = grant(person("Paris"), client, {"city": ["read"]}, purpose="analytics")
    # Past its expiry but not swept yet (still "active"): no longer counted.
    Consent.objects.filter(pk=lapsed.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    contributions = aggregate_contributions(brand=brand, dimension="city", months=24)
    assert [item.cells for item in contributions] == [{"Lyon": 120}]
