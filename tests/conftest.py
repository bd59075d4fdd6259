"""Fixtures shared by every test folder, thin wrappers around tests/factories:
accounts, brands and their clients, consents and the OAuth flow, a webhook
receiver. Folder conftests keep only what is specific to their folder."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator

import pytest
from django.core.cache import cache
from django.test import Client

from accounts.models import User
from brands.models import Brand, BrandMembership
from consents.models import Consent
from tests.factories.accounts import (
    PASSWORD,
    create_account,
    create_brand_staff,
    create_consumer,
    create_regulator,
)
from tests.factories.brands import (
    CLIENT_PURPOSES,
    ClientApp,
    add_member,
    create_brand,
    register_client,
)
from tests.factories.consents import Flow, grant_consent
from tests.factories.regulator import create_regulator_token
from tests.factories.vault import fill_vault
from tests.factories.webhooks import Receiver, start_receiver


@pytest.fixture(autouse=True)
def _fresh_throttle() -> Iterator[None]:
    """Log-in failures and API rate limits are counted in the cache: each test starts clean."""
    cache.clear()
    yield
    cache.clear()


# --- accounts --------------------------------------------------------------------------


@pytest.fixture
def make_consumer(db: None) -> Callable[..., User]:
    """Create a consumer account (with its vault) through account_create."""

    def make(email: str | None = None, password: str = PASSWORD) -> User:
        return create_consumer(email=email, password=password)

    return make


@pytest.fixture
def consumer(make_consumer: Callable[..., User]) -> User:
    """Camille, a consumer with an empty vault."""
    return make_consumer(email="camille.durand@example.test")


@pytest.fixture
def filled_consumer(consumer: User) -> User:
    """Camille with her usual vault (tests.factories.vault.fill_vault)."""
    fill_vault(user=consumer)
    return consumer


@pytest.fixture
def logged_in(client: Client, consumer: User) -> Client:
    """The test client, logged in as Camille."""
    client.force_login(consumer)
    return client


@pytest.fixture
def make_user(db: None) -> Callable[..., User]:
    """Create an account of any role (a consumer by default)."""

    def make(role: str = User.Role.CONSUMER, email: str | None = None) -> User:
        return create_account(role=role, email=email)

    return make


@pytest.fixture
def brand_staff(db: None) -> User:
    """A brand-staff account, member of no brand."""
    return create_brand_staff()


@pytest.fixture
def regulator(db: None) -> User:
    return create_regulator()


@pytest.fixture
def regulator_token(regulator: User) -> str:
    """An API token of ``regulator``, in clear."""
    _, token = create_regulator_token(user=regulator)
    return token


# --- brands and their clients -------------------------------------------------------------


@pytest.fixture
def make_brand(db: None) -> Callable[..., Brand]:
    """Create a verified brand; unnamed ones are "Brand 1", "Brand 2"... in each test."""
    numbers = itertools.count(1)

    def make(name: str | None = None, verified: bool = True) -> Brand:
        return create_brand(name=name or f"Brand {next(numbers)}", verified=verified)

    return make


@pytest.fixture
def brand(make_brand: Callable[..., Brand]) -> Brand:
    """Maison Lumen (slug ``maison-lumen``), a verified brand."""
    return make_brand("Maison Lumen")


@pytest.fixture
def make_app(make_brand: Callable[..., Brand]) -> Callable[..., ClientApp]:
    """Register an OAuth client (of a new brand unless one is given)."""

    def make(brand: Brand | None = None, confidential: bool = True,
             purposes: tuple[str, ...] = CLIENT_PURPOSES) -> ClientApp:
        return register_client(brand=brand or make_brand(), confidential=confidential,
                               purposes=purposes)

    return make


@pytest.fixture
def app(make_app: Callable[..., ClientApp]) -> ClientApp:
    """A confidential client of "Brand 1" declaring loyalty, personalisation and service."""
    return make_app()


@pytest.fixture
def make_staff(db: None) -> Callable[..., User]:
    """Create a consumer account and make it a member of ``brand`` (owner by default)."""

    def make(brand: Brand, role: str = BrandMembership.Role.OWNER,
             email: str | None = None) -> User:
        return add_member(brand=brand, user=create_consumer(email=email), role=role)

    return make


# --- consents and the OAuth flow ----------------------------------------------------------


@pytest.fixture
def grant(db: None) -> Callable[..., Consent]:
    """Grant a consent of ``consumer`` to a client through consents.services.consent_grant."""

    def make(consumer: User, client: ClientApp, facets: dict[str, list[str]], *,
             purpose: str = "service", days: int = 90) -> Consent:
        return grant_consent(consumer=consumer, application=client.application, facets=facets,
                             purpose=purpose, days=days)

    return make


@pytest.fixture
def flow(client: Client, filled_consumer: User, app: ClientApp) -> Flow:
    """The code flow of ``app``, walked by the test client logged in as Camille (vault filled)."""
    client.force_login(filled_consumer)
    return Flow(client=client, app=app)


# --- webhooks ---------------------------------------------------------------------------


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """A local webhook receiver on 127.0.0.1, stopped after the test."""
    started = start_receiver()
    try:
        yield started
    finally:
        started.stop()
