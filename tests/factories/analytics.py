"""Analytics: the consumers a brand's aggregates count, a consumer with a long
demo history, and what a refused aggregates request must leave as it was.
(The generated histories of the recurring-payment tests stay with those
tests, in tests/analytics/histories.py: they are data, not database rows.)"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from accounts.models import User
from analytics.models import AggregateRelease, PrivacyBudget
from audit.models import AuditEvent
from brands.models import Application
from consents.models import Consent
from vault import demo

from .accounts import create_consumer
from .consents import grant_consent
from .vault import import_records


def analytics_population(*, application: Application, count: int, city: str = "Lyon",
                         spend: str = "120.00") -> list[Consent]:
    """``count`` consumers living in ``city``, each with one recent purchase and a
    live ``analytics`` consent (city and purchases) to ``application``: what the
    brand's aggregates count. Returns the consents."""
    occurred = (timezone.now() - dt.timedelta(days=20)).strftime("%Y-%m-%dT10:00:00Z")
    consents = []
    for _ in range(count):
        user = create_consumer()
        import_records(user=user, records=[{"facet": "address",
                                            "data": {"city": city, "country": "FR"}}],
                       source="self")
        import_records(user=user, records=[{"facet": "purchases", "occurred_at": occurred,
                                            "data": {"merchant": "Fnac", "category": "electronics",
                                                     "amount": spend, "currency": "EUR"}}])
        consents.append(grant_consent(consumer=user, application=application, purpose="analytics",
                                      facets={"city": ["read"], "purchases": ["read"]}))
    return consents


def import_demo_history(*, user: User) -> None:
    """18 months of demo purchases up to an hour ago (Netflix rose from 13.49 to
    15.99) from the bank "Ma Banque", and Camille's profile from "Carrefour"."""
    now = timezone.now() - dt.timedelta(hours=1)
    import_records(user=user, records=demo.purchases(months=18, seed=7, now=now),
                   source="Ma Banque")
    import_records(user=user, source="Carrefour", records=demo.profile(
        given_name="Camille", family_name="Durand", email=user.email, city="Lyon",
        postcode="69003", birthdate="1990-04-12"))


def aggregates_state() -> tuple[int, list[str], int]:
    """What a refused aggregates request must leave as it was: the releases,
    the budgets spent, the aggregate audit events."""
    return (AggregateRelease.objects.count(),
            [str(budget.spent_epsilon) for budget in PrivacyBudget.objects.order_by("pk")],
            AuditEvent.objects.filter(action__startswith="aggregate.").count())
