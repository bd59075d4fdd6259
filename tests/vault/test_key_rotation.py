"""KEK rotation re-wraps data keys without touching records; re-encryption
replaces a vault's data key."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import override_settings

from accounts.models import User
from tests.factories.vault import import_records, random_key
from vault.crypto import SealError
from vault.models import Record, WrappedKey
from vault.selectors import records_open, vault_overview
from vault.services import vault_reencrypt

pytestmark = pytest.mark.django_db


OLD, NEW = random_key(), random_key()


def _vault_settings(settings, keys: str, active: str) -> dict:
    return {**settings.VAULT, "KEYS": keys, "ACTIVE_KEY": active}


def test_rotation_rewraps_a_vault_created_under_an_old_key(settings, make_consumer, fresh_keyring, capsys):
    from vault.crypto import keyring

    with override_settings(VAULT=_vault_settings(settings, f"old:{OLD}", "old")):
        keyring.cache_clear()
        user = make_consumer(email="rotating@example.test")
        import_records(user=user, source="Fnac",
                       records=[{"facet": "birthdate", "data": {"date": "1991-07-14"}}])
        records_before = {r.id: bytes(r.sealed) for r in Record.objects.all()}
        assert set(WrappedKey.objects.values_list("kek_id", flat=True)) == {"old"}

    with override_settings(VAULT=_vault_settings(settings, f"old:{OLD},new:{NEW}", "new")):
        keyring.cache_clear()
        call_command("vault_rotate_keys")
        assert "re-wrapped 1 data keys under new" in capsys.readouterr().out
        assert set(WrappedKey.objects.values_list("kek_id", flat=True)) == {"new"}
        assert {r.id: bytes(r.sealed) for r in Record.objects.all()} == records_before
        call_command("vault_rotate_keys")
        assert "re-wrapped 0 data keys" in capsys.readouterr().out

    # The old KEK can now be retired: everything still opens with the new one alone.
    with override_settings(VAULT=_vault_settings(settings, f"new:{NEW}", "new")):
        keyring.cache_clear()
        user = User.objects.get(pk=user.pk)
        assert user.email == "rotating@example.test"
        summary = next(s for s in vault_overview(vault=user.vault) if s.facet.key == "birthdate")
        assert summary.current.data == {"date": "1991-07-14"}

    # ...and the retired KEK alone can no longer open anything.
    with override_settings(VAULT=_vault_settings(settings, f"old:{OLD}", "old")):
        keyring.cache_clear()
        user = User.objects.get(pk=user.pk)
        with pytest.raises(SealError):
            vault_overview(vault=user.vault)


def test_reencryption_moves_every_record_to_a_new_data_key(make_consumer):
    user = make_consumer(email="reenc@example.test")
    import_records(user=user, source="Fnac",
                   records=[{"facet": "contact", "data": {"email": "x@y.test"}},
                            {"facet": "loyalty", "data": {"programme": "Fnac+"}}])
    old = {r.id: bytes(r.sealed) for r in Record.objects.all()}
    assert vault_reencrypt(vault=user.vault, actor=("operator", "t")) == 2
    user = User.objects.get(pk=user.pk)
    assert user.vault.key_version == 2
    assert list(WrappedKey.objects.filter(vault_id=user.vault.id).values_list("version", flat=True)) == [2]
    for record, data in records_open(vault=user.vault, rows=Record.objects.all()):
        assert record.key_version == 2
        assert bytes(record.sealed) != old[record.id]
        assert data
    assert user.email == "reenc@example.test"
    assert {s.sources[0] for s in vault_overview(vault=user.vault) if s.count} == {"Fnac"}
