"""Every event is written in the transaction of what it records: if the action
rolls back so does its event, and if the event cannot be written the action fails."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, transaction

from accounts.models import User
from accounts.services import account_create
from audit import services
from audit.models import AuditEvent, ChainHead, PendingLeaf
from audit.services import audit_append
from core.actors import account_actor
from vault.models import Record
from vault.services import record_write

pytestmark = pytest.mark.django_db


def state() -> tuple[int, int, int, int]:
    return (AuditEvent.objects.count(), PendingLeaf.objects.count(), Record.objects.count(),
            User.objects.count())


class Boom(Exception):
    pass


def test_an_action_that_rolls_back_leaves_no_event(consumer):
    before = state()
    heads = list(ChainHead.objects.values_list("chain", "seq", "head_hash"))
    def action() -> None:
        with transaction.atomic():
            record_write(vault=consumer.vault, facet="contact", data={"email": "c@example.test"},
                         source="self", actor=account_actor(consumer))
            raise Boom  # e.g. a brand API read failing after its audit event was appended

    with pytest.raises(Boom):
        action()
    assert state() == before
    assert list(ChainHead.objects.values_list("chain", "seq", "head_hash")) == heads


def test_a_read_that_fails_half_way_leaves_no_event(consumer):
    """The brand API's shape: audit the read, then fail building the response."""
    before = state()
    def read() -> None:
        with transaction.atomic():
            audit_append(actor=("brand_application", "client-acme"), action="facet.read",
                         subject=str(consumer.vault.subject), facets=["contact"])
            raise Boom

    with pytest.raises(Boom):
        read()
    assert state() == before


def break_statement(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    """Make one of the append's statements fail in the database itself."""
    statements = services._sql()
    broken = "INSERT INTO audit_no_such_table VALUES (1)"
    monkeypatch.setattr(statements, name, broken)
    if name != "lock_head" and statements.combined:  # PostgreSQL writes all three at once
        monkeypatch.setattr(statements, "combined", broken)


@pytest.mark.parametrize("failing", ["lock_head", "insert_event", "insert_pending", "move_head"])
def test_an_action_whose_event_cannot_be_written_is_refused(consumer, monkeypatch, failing):
    break_statement(monkeypatch, failing)
    before = state()
    with pytest.raises(DatabaseError):
        record_write(vault=consumer.vault, facet="contact", data={"email": "c@example.test"},
                     source="self", actor=account_actor(consumer))
    assert state() == before


def test_account_creation_fails_with_its_event(db, monkeypatch):
    break_statement(monkeypatch, "insert_event")
    before = state()
    with pytest.raises(DatabaseError):
        account_create(email="new.person@example.test", password="a-long-Passphrase-42")
    assert state() == before


@pytest.mark.django_db(transaction=True)
def test_a_failed_append_outside_a_transaction_leaves_nothing_half_written(monkeypatch):
    break_statement(monkeypatch, "move_head")  # the last of the four statements
    before = state()
    with pytest.raises(DatabaseError):
        audit_append(actor=("system", "test"), action="data.expired")
    assert state() == before
    assert not ChainHead.objects.filter(chain="system:test", seq__gt=0).exists()


def test_events_chain_per_subject_without_touching_other_chains(consumer, make_consumer):
    other = make_consumer()
    first = audit_append(actor=("system", "t"), action="data.expired", subject=str(consumer.vault.subject))
    audit_append(actor=("system", "t"), action="data.expired", subject=str(other.vault.subject))
    second = audit_append(actor=("system", "t"), action="data.expired", subject=str(consumer.vault.subject))
    assert second.chain == first.chain == f"subject:{consumer.vault.subject}"
    assert second.chain_seq == first.chain_seq + 1
    assert second.prev_hash == first.hash
    assert ChainHead.objects.get(chain=first.chain).head_hash == second.hash
