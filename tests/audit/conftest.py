"""Audit test fixtures: personas for the access matrix, a seeded log, raw-SQL tampering."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from accounts.models import User
from accounts.services import account_create
from audit.models import AuditEvent
from audit.services import audit_append, checkpoint_issue
from core.actors import OPERATOR, system_actor
from regulator.services import regulator_token_create

PASSWORD = "a-long-Passphrase-42"
_counter = itertools.count(1)


def subject_of(user: User) -> str:
    return str(user.vault.subject)


@pytest.fixture
def make_user(db: None) -> Callable[..., User]:
    def make(role: str = User.Role.CONSUMER, email: str | None = None) -> User:
        return account_create(email=email or f"{role}{next(_counter)}@example.test",
                              password=PASSWORD, role=role)

    return make


@pytest.fixture
def regulator(make_user: Callable[..., User]) -> User:
    return make_user(User.Role.REGULATOR)


@pytest.fixture
def regulator_token(regulator: User) -> str:
    _, token = regulator_token_create(user=regulator, name="tests", actor=OPERATOR)
    return token


@pytest.fixture
def brand_staff(make_user: Callable[..., User]) -> User:
    return make_user(User.Role.BRAND_STAFF)


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@dataclass
class SeededLog:
    alice: User
    bob: User
    events: list[AuditEvent]


def brand_read(subject: str, *, app: str = "client-acme", facets: tuple[str, ...] = ("contact",),
               outcome: str = "allowed", consent_id: str = "", purpose: str = "loyalty") -> AuditEvent:
    return audit_append(actor=("brand_application", app), action="facet.read", subject=subject,
                        facets=facets, consent_id=consent_id, purpose=purpose, outcome=outcome,
                        request_id="req-test")


@pytest.fixture
def seeded(make_user: Callable[..., User]) -> SeededLog:
    """Two consumers, brand reads and consent events on both, and a checkpoint in the middle."""
    alice, bob = make_user(), make_user()
    events = []
    for round_number in range(6):
        events.append(brand_read(subject_of(alice), consent_id=f"c-alice-{round_number % 2}"))
        events.append(brand_read(subject_of(bob), app="client-globex", facets=("purchases",),
                                 outcome="denied" if round_number % 3 == 0 else "allowed"))
        if round_number == 2:
            checkpoint_issue()
    events.append(audit_append(actor=("consumer", subject_of(alice)), action="consent.revoked",
                               subject=subject_of(alice), consent_id="c-alice-0"))
    events.append(audit_append(actor=system_actor("retention"), action="data.expired"))
    checkpoint_issue()
    events.append(brand_read(subject_of(alice)))  # after the last checkpoint: still queued
    return SeededLog(alice=alice, bob=bob, events=events)


# --- raw SQL, bypassing the model (and, on PostgreSQL, the trigger) ----------------------------

def table(model: Any) -> str:
    return connection.ops.quote_name(model._meta.db_table)


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
