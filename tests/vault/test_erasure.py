"""Erasure is crypto-shredding: the data key goes first, so ciphertext copied
before erasure can never be opened again."""

from __future__ import annotations

import pytest
from django.contrib.auth import authenticate

from accounts.models import User
from audit.models import AuditEvent
from tests.factories.accounts import PASSWORD
from tests.factories.vault import import_records
from vault.crypto import DataKey, KeyUnavailable, SealError, keyring
from vault.models import Record, Source, Vault, WrappedKey
from vault.selectors import data_key
from vault.services import vault_erase

pytestmark = pytest.mark.django_db


def test_ciphertext_copied_before_erasure_cannot_be_opened_after(make_consumer):
    user = make_consumer(email="leaving@example.test")
    other = make_consumer()
    vault = user.vault
    import_records(user=user, source="Fnac",
                   records=[{"facet": "contact", "data": {"email": "leaving@x.test"}}])
    stolen = [(str(r.id), r.facet, r.key_version, bytes(r.sealed)) for r in Record.objects.filter(vault=vault)]
    vault_id, subject = str(vault.id), str(vault.subject)
    assert data_key(vault).open_record(stolen[0][3], record_id=stolen[0][0], facet=stolen[0][1])

    vault_erase(vault=vault, actor=("consumer", subject))

    assert not WrappedKey.objects.filter(vault_id=vault_id).exists()
    assert not Vault.objects.filter(pk=vault_id).exists()
    assert not Record.objects.filter(vault_id=vault_id).exists()
    assert not Source.objects.filter(vault_id=vault_id).exists()
    assert not User.objects.filter(pk=user.pk).exists()
    assert authenticate(username="leaving@example.test", password=PASSWORD) is None
    fresh = Vault(id=vault_id, owner=other, key_version=1)
    with pytest.raises(KeyUnavailable):
        data_key(fresh)
    # Not even every surviving wrapped key under every KEK opens the stolen rows.
    ring = keyring()
    for wrapped in WrappedKey.objects.all():
        for kek_id in ring.keys:
            try:
                raw = ring.unwrap(bytes(wrapped.wrapped), kek_id=kek_id, vault_id=vault_id,
                                  version=wrapped.version)
            except SealError:
                continue
            key = DataKey(raw, vault_id=vault_id, version=1)
            for record_id, facet, _version, sealed in stolen:
                with pytest.raises(SealError):
                    key.open_record(sealed, record_id=record_id, facet=facet)
    # The log keeps the event under the pseudonymous subject.
    erased = AuditEvent.objects.get(action="data.erased")
    assert erased.subject == subject
    assert erased.detail == {"crypto_shredded": True}


def test_erasing_one_vault_leaves_the_others_readable(make_consumer):
    leaving, staying = make_consumer(), make_consumer()
    for user in (leaving, staying):
        import_records(user=user, source="Fnac",
                       records=[{"facet": "birthdate", "data": {"date": "1990-01-01"}}])
    vault_erase(vault=leaving.vault, actor=("operator", "t"))
    staying = User.objects.get(pk=staying.pk)
    record = Record.objects.get(vault=staying.vault)
    assert data_key(staying.vault).open_record(bytes(record.sealed), record_id=str(record.id),
                                               facet="birthdate") == {"date": "1990-01-01"}
    assert staying.email.endswith("@example.test")


def test_erasures_queue_one_keystore_vacuum_on_commit(make_consumer, monkeypatch,
                                                      django_capture_on_commit_callbacks):
    """Destroyed keys leave the keystore's files soon after the commit
    (tests/vault/test_physical_erasure.py); erasures close together share a run."""
    from django.core.cache import cache

    from vault import tasks
    from vault.services import KEYSTORE_VACUUM_PENDING

    cache.delete(KEYSTORE_VACUUM_PENDING)
    queued: list[dict] = []
    monkeypatch.setattr(tasks.keystore_vacuum, "apply_async", lambda **options: queued.append(options))
    first, second, third = make_consumer(), make_consumer(), make_consumer()
    with django_capture_on_commit_callbacks() as callbacks:
        vault_erase(vault=first.vault, actor=("operator", "t"))
    assert queued == []  # nothing before the commit
    for callback in callbacks:
        callback()
    with django_capture_on_commit_callbacks(execute=True):
        vault_erase(vault=second.vault, actor=("operator", "t"))
    assert queued == [{"countdown": 60}]  # the second shares the first's run
    cache.delete(KEYSTORE_VACUUM_PENDING)  # the queued run starts (it clears the mark first)
    with django_capture_on_commit_callbacks(execute=True):
        vault_erase(vault=third.vault, actor=("operator", "t"))
    assert queued == [{"countdown": 60}, {"countdown": 60}]
    cache.delete(KEYSTORE_VACUUM_PENDING)
