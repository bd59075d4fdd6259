"""A sealed record only opens in its own place: same vault, record id, facet, key."""

from __future__ import annotations

import pytest

from vault.crypto import SealError
from vault.models import Record
from vault.selectors import records_open
from vault.services import record_write

pytestmark = pytest.mark.django_db


def _open(vault, record):
    [(_row, data)] = records_open(vault=vault, rows=[record])
    return data


def _write(user, facet="contact", data=None):
    return record_write(vault=user.vault, facet=facet, data=data or {"email": "a@b.test"},
                        source="self", actor=("consumer", "t"))


def test_a_record_opens_where_it_was_written(consumer):
    record = _write(consumer)
    assert _open(consumer.vault, Record.objects.get(pk=record.pk)) == {"email": "a@b.test"}


def test_ciphertext_copied_to_another_record_of_the_same_vault_fails_to_open(consumer):
    original = _write(consumer, "contact", {"email": "a@b.test"})
    target = _write(consumer, "identity", {"given_name": "Lou"})
    Record.objects.filter(pk=target.pk).update(sealed=Record.objects.get(pk=original.pk).sealed)
    with pytest.raises(SealError):
        _open(consumer.vault, Record.objects.get(pk=target.pk))


def test_ciphertext_copied_into_another_vault_fails_to_open(make_consumer):
    alice, bob = make_consumer(), make_consumer()
    alices = _write(alice, "contact", {"email": "alice@x.test"})
    bobs = _write(bob, "contact", {"email": "bob@x.test"})
    Record.objects.filter(pk=bobs.pk).update(sealed=Record.objects.get(pk=alices.pk).sealed)
    with pytest.raises(SealError):
        _open(bob.vault, Record.objects.get(pk=bobs.pk))


def test_relabelling_a_record_to_another_facet_fails_to_open(consumer):
    record = _write(consumer, "contact", {"email": "a@b.test"})
    Record.objects.filter(pk=record.pk).update(facet="identity")
    with pytest.raises(SealError):
        _open(consumer.vault, Record.objects.get(pk=record.pk))


def test_a_flipped_ciphertext_byte_is_detected(consumer):
    record = _write(consumer)
    sealed = bytearray(Record.objects.get(pk=record.pk).sealed)
    sealed[-1] ^= 0x01
    Record.objects.filter(pk=record.pk).update(sealed=bytes(sealed))
    with pytest.raises(SealError):
        _open(consumer.vault, Record.objects.get(pk=record.pk))


def test_every_record_gets_a_fresh_nonce(consumer):
    first = _write(consumer, "preferences", {"size": "M"})
    second = _write(consumer, "preferences", {"size": "M"})
    assert bytes(first.sealed)[1:13] != bytes(second.sealed)[1:13]
    assert bytes(first.sealed) != bytes(second.sealed)


def test_opening_many_records_reads_the_wrapped_key_once(consumer, django_assert_num_queries):
    for size in ("S", "M", "L", "XL"):
        _write(consumer, "preferences", {"size": size})
    records = list(Record.objects.filter(vault=consumer.vault))
    vault = type(consumer.vault).objects.get(pk=consumer.vault.pk)  # nothing memoised yet
    with django_assert_num_queries(1):
        opened = [data["size"] for _record, data in records_open(vault=vault, rows=records)]
    assert sorted(opened) == ["L", "M", "S", "XL"]
    with django_assert_num_queries(0):
        assert len(list(records_open(vault=vault, rows=records))) == 4
