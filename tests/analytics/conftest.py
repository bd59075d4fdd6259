"""Insights fixtures: a consumer with a long demo history, and ANALYTICS overrides."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from accounts.models import User
from tests.factories.analytics import import_demo_history


@pytest.fixture
def demo_consumer(make_consumer: Callable[..., User]) -> User:
    """A consumer with 18 months of demo purchases (Netflix rose from 13.49 to 15.99)."""
    user = make_consumer(email="demo.insights@example.test")
    import_demo_history(user=user)
    return user


@pytest.fixture
def analytics_settings(settings: Any) -> Callable[..., None]:
    """Override some ANALYTICS options for one test (restored afterwards)."""

    def override(**options: Any) -> None:
        settings.ANALYTICS = {**getattr(settings, "ANALYTICS", {}), **options}

    return override
