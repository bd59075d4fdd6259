"""Callers of every API, with real credentials, for the standing fuzz checks:
a consumer with a filled vault and a consent to every facet (read and write)
and an access token for it; a client-credentials token of the same brand
client (aggregates); a regulator's API token; and enough of a log for the
audit API to have something to page and prove."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections

from accounts.models import User
from audit.services import checkpoint_issue
from consents.scopes import facet_catalogue
from tests.factories.accounts import create_consumer, create_regulator
from tests.factories.brands import ClientApp
from tests.factories.consents import grant_consent, issue_token
from tests.factories.regulator import create_regulator_token
from tests.factories.vault import fill_vault


@dataclass(frozen=True)
class Callers:
    consumer: User
    brand_app: ClientApp
    consent_token: str
    aggregates_token: str
    regulator_token: str

    def bearer_for(self, path: str) -> str:
        """The token an honest caller of ``path`` (an API path) would send."""
        if path.startswith("/api/v1/audit/"):
            return self.regulator_token
        if path.startswith("/api/v1/aggregates"):
            return self.aggregates_token
        return self.consent_token


@pytest.fixture
def callers(db: None, make_app) -> Callers:
    consumer = create_consumer(email="fuzz.consumer@example.test")
    fill_vault(user=consumer)
    app = make_app(purposes=("analytics", "loyalty", "service"))
    facets = {key: list(info.modes) for key, info in facet_catalogue().items()}
    consent = grant_consent(consumer=consumer, application=app.application, facets=facets)
    consent_token, _stored = issue_token(application=app.application, consent=consent)
    aggregates_token, _stored = issue_token(application=app.application, scope="aggregates")
    _record, regulator_token = create_regulator_token(user=create_regulator())
    checkpoint_issue()
    return Callers(consumer=consumer, brand_app=app, consent_token=consent_token,
                   aggregates_token=aggregates_token, regulator_token=regulator_token)


@pytest.fixture
def wsgi_in_test_transaction() -> Iterator[None]:
    """Let requests sent straight to the WSGI application run in the test's
    transaction, as Django's test client does: the handler would otherwise
    close the connection (and so the test's transaction) around each request."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
