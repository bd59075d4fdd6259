"""Factories for insights tests: consumers with purchase histories, brands,
OAuth clients and consents created through the real services."""

from __future__ import annotations

import datetime as dt
import itertools
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from accounts.models import User
from tests.dumps import database_bytes  # noqa: F401 - re-exported for the tests here
from vault import demo
from vault.services import vault_import

OPERATOR = ("operator", "tests")
_brands = itertools.count(1)


def import_records(user: User, records: list[dict[str, Any]], source: str = "Ma Banque") -> None:
    payload = json.dumps({"records": records}).encode()
    vault_import(vault=user.vault, source=source, stream=payload, filename="export.json",
                 actor=OPERATOR)


def analytics_population(*, application: Any, make_consumer: Callable[..., User], count: int,
                         city: str = "Lyon", spend: str = "120.00") -> list[Any]:
    """``count`` consumers living in ``city``, each with one recent purchase and a
    live ``analytics`` consent (city and purchases) to ``application``'s brand:
    what the brand's aggregates count. Returns the consents."""
    from consents.services import consent_grant
    from vault.services import record_write

    occurred = (timezone.now() - dt.timedelta(days=20)).strftime("%Y-%m-%dT10:00:00Z")
    consents = []
    for _ in range(count):
        user = make_consumer()
        record_write(vault=user.vault, facet="address", data={"city": city, "country": "FR"},
                     source="self", actor=("consumer", str(user.vault.subject)))
        import_records(user, [{"facet": "purchases", "occurred_at": occurred,
                               "data": {"merchant": "Fnac", "category": "electronics",
                                        "amount": spend, "currency": "EUR"}}])
        consents.append(consent_grant(
            consumer=user, application=application, purpose="analytics",
            facets={"city": ["read"], "purchases": ["read"]},
            expires_at=timezone.now() + dt.timedelta(days=90),
        ))
    return consents


@pytest.fixture
def demo_consumer(make_consumer: Callable[..., User]) -> User:
    """A consumer with 18 months of demo purchases (Netflix rose from 13.49 to 15.99)."""
    user = make_consumer(email="demo.insights@example.test")
    now = timezone.now() - dt.timedelta(hours=1)
    import_records(user, demo.purchases(months=18, seed=7, now=now), source="Ma Banque")
    import_records(user, demo.profile(given_name="Camille", family_name="Durand",
                                      email="demo.insights@example.test", city="Lyon",
                                      postcode="69003", birthdate="1990-04-12"), source="Carrefour")
    return user


@pytest.fixture
def make_brand() -> Callable[..., Any]:
    """A brand with one OAuth client declaring the given purposes."""
    from brands.services import application_create, brand_create

    def make(name: str | None = None, purposes: tuple[str, ...] = ("service", "analytics")) -> Any:
        brand = brand_create(name=name or f"Brand {next(_brands)}", actor=OPERATOR)
        issued = application_create(
            brand=brand, name=f"{brand.name} app", redirect_uris=["https://app.example.test/cb"],
            purposes={purpose: f"{purpose} for tests" for purpose in purposes}, actor=OPERATOR,
        )
        brand.test_application = issued.application
        return brand

    return make


@pytest.fixture
def grant() -> Callable[..., Any]:
    """Grant a consent through consents.services.consent_grant."""

    def make(consumer: User, brand: Any, facets: dict[str, list[str]], *,
             purpose: str = "service", days: int = 90) -> Any:
        from consents.services import consent_grant

        return consent_grant(consumer=consumer, application=brand.test_application, facets=facets,
                             purpose=purpose, expires_at=timezone.now() + dt.timedelta(days=days))

    return make


@pytest.fixture
def analytics_settings(settings: Any) -> Callable[..., None]:
    """Override some ANALYTICS options for one test (restored afterwards)."""

    def override(**options: Any) -> None:
        settings.ANALYTICS = {**getattr(settings, "ANALYTICS", {}), **options}

    return override


def issue_token(*, application: Any, consent: Any = None, user: Any = None, scope: str = "",
                minutes: int = 15) -> tuple[str, Any]:
    """An access token as the authorization server would store it (digest only)."""
    import secrets

    from oauth2_provider.models import set_token_value

    from consents.models import AccessToken

    raw = secrets.token_urlsafe(32)
    token = AccessToken(user=user, application=application, consent=consent,
                        scope=scope or (consent.scope if consent is not None else ""),
                        expires=timezone.now() + dt.timedelta(minutes=minutes), resource=[])
    set_token_value(token, raw)
    token.save()
    return raw, token
