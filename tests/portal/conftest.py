"""Helpers for portal tests: drive the site as a browser would, through the
test client, with the real services underneath."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from accounts.models import User
from tests.factories.accounts import PASSWORD
from tests.factories.vault import import_records

# What the portal tests' consumer imported from Maison Laurent.
CAMILLE_IN_LYON = [
    {"facet": "identity", "data": {"given_name": "Camille", "family_name": "Durand"}},
    {"facet": "address", "data": {"line1": "12 rue des Lilas", "postcode": "69003",
                                  "city": "Lyon", "country": "FR"}},
    {"facet": "purchases", "occurred_at": "2026-01-14T10:30:00Z",
     "data": {"merchant": "Maison Laurent", "amount": "59.90", "currency": "EUR"}},
]


def log_in(client: Client, email: str, password: str = PASSWORD, **extra: object):
    return client.post("/accounts/login/", {"email": email, "password": password}, **extra)


@pytest.fixture
def with_data(consumer: User) -> Callable[[], None]:
    """Call it to import CAMILLE_IN_LYON into the consumer's vault."""

    def fill() -> None:
        import_records(user=consumer, records=CAMILLE_IN_LYON, source="Maison Laurent")

    return fill
