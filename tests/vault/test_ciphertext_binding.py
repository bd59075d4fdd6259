"""A sealed record only opens in its own place: same vault, record id, facet, key."""

from __future__ import annotations

import pytest

from vault.crypto import SealError
from vault.models import Record
from vault.selectors import open_record
from vault.services import record_write

pytestmark = pytest.mark.django_db


def _write(user, facet="contact", data=None):
    return record_write(vault=user.vault, facet=facet, data=data or {"email": "a@b.test"},
                        source="self", actor=("consumer", "t"))


def test_a_record_opens_where_it_was_written(consumer):
    record = _write(consumer)
    assert open_record(consumer.vault, Record.objects.get(pk=record.pk)).data == {"email": "a@b.test"}


def test_ciphertext_copied_to_another_record_of_the_same_vault_fails_to_open(consumer):
    original = _write(consumer, "contact", {"email": "a@b.test"})
    target = _write(consumer, "identity", {"given_name": "Lou"})
    Record.objects.filter(pk=target.pk).update(sealed=Record.objects.get(pk=original.pk).sealed)
    with pytest.raises(SealError):
        open_record(consumer.vault, Record.objects.get(pk=target.pk))


def test_ciphertext_copied_into_another_vault_fails_to_open(make_consumer):
    alice, bob = make_consumer(), make_consumer()
    alices = _write(alice, "contact", {"email": "alice@x.test"})
    bobs = _write(bob, "contact", {"email": "bob@x.test"})
    Record.objects.filter(pk=bobs.pk).update(sealed=Record.objects.get(pk=alices.pk).sealed)
    with pytest.raises(SealError):
        open_record(bob.vault, Record.objects.get(pk=bobs.pk))


def test_relabelling_a_record_to_another_facet_fails_to_open(consumer):
    record = _write(consumer, "contact", {"email": "a@b.test"})
    Record.objects.filter(pk=record.pk).update(facet="identity")
    with pytest.raises(SealError):
        open_record(consumer.vault, Record.objects.get(pk=record.pk))


def test_a_flipped_ciphertext_byte_is_detected(consumer):
    record = _write(consumer)
    sealed = bytearray(Record.objects.get(pk=record.pk).sealed)
    sealed[-1] ^= 0x01
    Record.objects.filter(pk=record.pk).update(sealed=bytes(sealed))
    with pytest.raises(SealError):
        open_record(consumer.vault, Record.objects.get(pk=record.pk))


def test_every_record_gets_a_fresh_nonce(consumer):
    first = _write(consumer, "preferences", {"size": "M"})
    second = _write(consumer, "preferences", {"size": "M"})
    assert bytes(first.sealed)[1:13] != bytes(second.sealed)[1:13]
    assert bytes(first.sealed) != bytes(second.sealed)
