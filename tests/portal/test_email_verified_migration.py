"""Accounts that existed before e-mail verification stay usable: the migration
that adds it marks every existing account as proven."""

from __future__ import annotations

import uuid

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("accounts", "0002_tables_of_accounts")]
AFTER = [("accounts", "0003_email_verified")]


@pytest.mark.django_db(transaction=True)
def test_accounts_made_before_the_migration_count_as_verified() -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old_apps = executor.loader.project_state(BEFORE).apps
    OldUser = old_apps.get_model("accounts", "User")  # noqa: N806 (a model class)
    existing = OldUser.objects.create(id=uuid.uuid4(), email_index="digest-of-an-old-account",
                                      password="!")

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)

    new_apps = executor.loader.project_state(AFTER).apps
    migrated = new_apps.get_model("accounts", "User").objects.get(pk=existing.pk)
    assert migrated.email_verified_at is not None
