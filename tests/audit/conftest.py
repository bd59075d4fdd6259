"""Audit test fixtures: the seeded log, a consumer's pseudonymous subject, and
raw-SQL tampering."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import connection

from accounts.models import User
from tests.factories.audit import SeededLog, seed_log


def subject_of(user: User) -> str:
    return str(user.vault.subject)


@pytest.fixture
def seeded(db: None) -> SeededLog:
    """Two consumers, brand reads and consent events on both, and a checkpoint in the middle."""
    return seed_log()


# --- raw SQL, bypassing the model (and, on PostgreSQL, the trigger) ----------------------------


@pytest.fixture
def raw_sql() -> Iterator[Callable[..., None]]:
    """Run SQL as an attacker with database access would: triggers disabled on PostgreSQL."""
    disabled: list[str] = []

    def run(sql: str, params: list[Any] | None = None) -> None:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql" and not disabled:
                for name in ("audit_auditevent", "audit_merkleleaf", "audit_checkpoint"):
                    cursor.execute(f"ALTER TABLE {name} DISABLE TRIGGER USER")
                    disabled.append(name)
            cursor.execute(sql, params or [])

    yield run
    if disabled:
        with connection.cursor() as cursor:
            for name in disabled:
                cursor.execute(f"ALTER TABLE {name} ENABLE TRIGGER USER")
