"""Erasure is physical in the keystore: once an erasure has committed, the erased
vault's wrapped data key is gone from the keystore's files, not only from its
queries. Otherwise whoever copies the files (a stolen disk, a file-level backup)
carves the deleted key out of the page and, with the key-encryption key, opens
the "erased" vault's ciphertext.

PostgreSQL leaves a deleted row in its page until VACUUM, and plain VACUUM only
marks the space free (the bytes stay until reused); SQLite keeps the page that
held the row in its write-ahead log until a checkpoint. After erasure the
keystore is vacuumed on commit (vault.tasks.keystore_vacuum, also on the beat
schedule as a safety net). These tests read the database files themselves.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connections

from accounts.models import User
from tests.factories.vault import export_json
from vault.models import Record, WrappedKey
from vault.routers import keystore_alias
from vault.services import KEYSTORE_VACUUM_PENDING, keystore_vacuum, vault_erase, vault_import

# Transactions really commit: the vacuum runs after the erasure's commit, outside
# any transaction, as it does in production.
pytestmark = pytest.mark.django_db(transaction=True, databases="__all__")


@pytest.fixture(autouse=True)
def no_vacuum_pending() -> None:
    """Whatever earlier tests left in the cache, an erasure here queues its vacuum."""
    cache.delete(KEYSTORE_VACUUM_PENDING)


def wrapped_key(user: User) -> bytes:
    return bytes(WrappedKey.objects.get(vault_id=user.vault.id).wrapped)


def postgresql_table_files() -> list[Path]:
    """The keystore's WrappedKey table files (every 1 GB segment), after a checkpoint."""
    connection = connections[keystore_alias()]
    with connection.cursor() as cursor:
        cursor.execute("CHECKPOINT")  # dirty pages reach the files
        cursor.execute("SHOW data_directory")
        data_directory = Path(cursor.fetchone()[0])
        cursor.execute("SELECT pg_relation_filepath(%s)", [WrappedKey._meta.db_table])
        relation = data_directory / cursor.fetchone()[0]
    try:
        relation.stat()
    except OSError as error:
        pytest.skip(f"the PostgreSQL server's files are not readable from here ({error}); "
                    "run the test on the database host, as a user that can read them")
    return [relation, *sorted(relation.parent.glob(relation.name + ".*"))]


def sqlite_files() -> list[Path]:
    """The keystore's SQLite file with its write-ahead log and journal, when present."""
    name = Path(str(connections[keystore_alias()].settings_dict["NAME"]))
    return [path for path in (name, Path(f"{name}-wal"), Path(f"{name}-journal"))
            if path.exists()]


def keystore_files() -> list[Path]:
    vendor = connections[keystore_alias()].vendor
    if vendor == "postgresql":
        return postgresql_table_files()
    if vendor == "sqlite":
        if connections[keystore_alias()].is_in_memory_db():
            pytest.skip("an in-memory SQLite database has no file to carve")
        return sqlite_files()
    pytest.skip(f"no file reader for {vendor}")


def keystore_bytes() -> bytes:
    return b"".join(path.read_bytes() for path in keystore_files())


def test_an_erased_wrapped_key_cannot_be_carved_out_of_the_keystore_files(
    make_consumer: Callable[..., User],
):
    staying = [make_consumer() for _ in range(3)]
    # Last in, so lowest in its page: nothing moves over its bytes when the page
    # is compacted (what plain VACUUM does, leaving them in the free space).
    leaving = make_consumer(email="carved@example.test")
    vault_import(vault=leaving.vault, source="Fnac", actor=("operator", "t"),
                 stream=export_json(records=[{"facet": "contact", "data": {"email": "carved@x.test"}}]))
    erased_key = wrapped_key(leaving)
    kept_keys = [wrapped_key(user) for user in staying]
    # The files are the right ones: the key is in them before erasure.
    assert erased_key in keystore_bytes()

    vault_erase(vault=leaving.vault, actor=("consumer", str(leaving.vault.subject)))

    assert not Record.objects.filter(vault_id=leaving.vault.id).exists()
    files = keystore_bytes()
    assert erased_key not in files, "the erased wrapped key is still in the keystore's files"
    # What the vacuum keeps: every other vault's key, in the files and readable.
    for user, key in zip(staying, kept_keys, strict=True):
        assert key in files
        assert wrapped_key(User.objects.get(pk=user.pk)) == key


def test_the_beat_safety_net_removes_keys_an_erasure_could_not_vacuum(
    make_consumer: Callable[..., User],
):
    """Keys deleted without the on-commit vacuum (broker down, a crash between
    the commit and the task) are gone after the scheduled run."""
    staying = make_consumer()
    user = make_consumer()
    key = wrapped_key(user)
    WrappedKey.objects.filter(vault_id=user.vault.id).delete()  # as an erasure does, no vacuum
    assert key in keystore_bytes()
    keystore_vacuum()
    files = keystore_bytes()
    assert key not in files
    assert wrapped_key(staying) in files


def test_the_vacuum_is_on_the_beat_schedule():
    entries = {entry["task"]: entry for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "vault.tasks.keystore_vacuum" in entries
    assert entries["vault.tasks.keystore_vacuum"]["schedule"] <= 3600


def test_the_vacuum_task_runs_the_service():
    from vault.tasks import keystore_vacuum as task  # eager in the tests

    assert task.delay().get() in {'VACUUM FULL "vault_wrappedkey"',
                                  "PRAGMA wal_checkpoint(TRUNCATE)"}


def test_the_operator_command_vacuums_the_keystore_now(make_consumer: Callable[..., User], capsys):
    """For an erasure that must be final in the files at once (docs/operations.md)."""
    from django.core.management import call_command

    user = make_consumer()
    key = wrapped_key(user)
    WrappedKey.objects.filter(vault_id=user.vault.id).delete()
    call_command("vault_keystore_vacuum")
    assert "keystore vacuumed" in capsys.readouterr().out
    assert key not in keystore_bytes()


def test_keys_wrapped_under_a_retired_kek_leave_the_files_after_rotation(
    settings, make_consumer: Callable[..., User], fresh_keyring: None,
):
    """Rotation re-wraps every key under the new KEK: the old wrapped copies must
    not stay in the files for whoever later gets the retired KEK."""
    import base64
    import os

    from django.test import override_settings

    from vault.crypto import keyring
    from vault.services import vault_rotate_keys

    old, new = (base64.urlsafe_b64encode(os.urandom(32)).decode() for _ in range(2))
    with override_settings(VAULT={**settings.VAULT, "KEYS": f"old:{old}", "ACTIVE_KEY": "old"}):
        keyring.cache_clear()
        user = make_consumer()
        under_old = wrapped_key(user)
    with override_settings(VAULT={**settings.VAULT, "KEYS": f"old:{old},new:{new}",
                                  "ACTIVE_KEY": "new"}):
        keyring.cache_clear()
        vault_rotate_keys(actor=("operator", "t"))
        under_new = wrapped_key(user)
        files = keystore_bytes()
    assert under_new != under_old
    assert under_new in files
    assert under_old not in files
