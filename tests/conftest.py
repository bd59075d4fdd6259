"""Shared fixtures: factories that create real accounts through the services."""

from __future__ import annotations

import itertools
from collections.abc import Callable

import pytest

from accounts.models import User
from accounts.services import account_create

PASSWORD = "a-long-Passphrase-42"
_counter = itertools.count(1)


@pytest.fixture
def make_consumer(db: None) -> Callable[..., User]:
    """Create a consumer account (with its vault) through account_create."""

    def make(email: str | None = None, password: str = PASSWORD, **extra: object) -> User:
        return account_create(
            email=email or f"consumer{next(_counter)}@example.test", password=password, **extra
        )

    return make


@pytest.fixture
def consumer(make_consumer: Callable[..., User]) -> User:
    return make_consumer(email="camille.durand@example.test")
