"""Audit rows are written once: the models refuse changes on every backend and,
on PostgreSQL, the database refuses them too (a trigger), whoever the client is."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from audit.models import (
    AppendOnlyError,
    AuditEvent,
    Checkpoint,
    MerkleLeaf,
    MerkleNode,
    VerificationRun,
)
from audit.services import checkpoint_issue, verification_record
from audit.verify import verify_log

pytestmark = pytest.mark.django_db

MODELS = [AuditEvent, MerkleLeaf, MerkleNode, Checkpoint, VerificationRun]


@pytest.fixture
def one_of_each(seeded):
    verification_record(report=verify_log())
    return {model: model.objects.all()[0] for model in MODELS}


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model.__name__)
def test_the_model_refuses_updates_and_deletes_on_every_backend(one_of_each, model):
    row = one_of_each[model]
    count = model.objects.count()
    with pytest.raises(AppendOnlyError):
        row.save()
    with pytest.raises(AppendOnlyError):
        row.delete()
    with pytest.raises(AppendOnlyError):
        model.objects.filter(pk=row.pk).update(pk=row.pk)
    with pytest.raises(AppendOnlyError):
        model.objects.all().delete()
    assert model.objects.count() == count


TABLES = {
    "audit_auditevent": ("UPDATE audit_auditevent SET action = 'facet.write'",
                         "DELETE FROM audit_auditevent"),
    "audit_merkleleaf": ("UPDATE audit_merkleleaf SET event_pk = event_pk + 1000000",
                         "DELETE FROM audit_merkleleaf"),
    "audit_merklenode": ("UPDATE audit_merklenode SET level = level",
                         "DELETE FROM audit_merklenode"),
    "audit_checkpoint": ("UPDATE audit_checkpoint SET note = 'forged'",
                         "DELETE FROM audit_checkpoint"),
    "audit_verificationrun": ("UPDATE audit_verificationrun SET ok = NOT ok",
                              "DELETE FROM audit_verificationrun"),
}


@pytest.mark.parametrize("table", TABLES)
def test_the_database_refuses_raw_updates_and_deletes(one_of_each, table):
    """PostgreSQL: the trigger. SQLite has no second line, so there the model is
    what refuses (the test above); this test then checks the model path again."""
    if connection.vendor == "postgresql":
        for statement in TABLES[table]:
            with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), \
                    connection.cursor() as cursor:
                cursor.execute(statement)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_trigger WHERE tgname = %s AND tgenabled = 'O'",
                [f"{table}_append_only"])
            assert cursor.fetchone()[0] == 1
    else:
        assert connection.vendor == "sqlite"
        model = next(model for model in MODELS if model._meta.db_table == table)
        with pytest.raises(AppendOnlyError):
            model.objects.all().update()
        with pytest.raises(AppendOnlyError):
            model.objects.all().delete()


def test_checkpoints_are_added_never_replaced(seeded):
    def checkpoints() -> list[tuple[int, str]]:
        return list(Checkpoint.objects.order_by("tree_size").values_list("tree_size", "note"))

    before = checkpoints()
    assert checkpoint_issue().created  # the queued event: one more checkpoint
    after = checkpoints()
    assert after[:-1] == before
    again = checkpoint_issue()  # nothing new: nothing signed, nothing touched
    assert not again.created
    assert again.checkpoint.tree_size == after[-1][0]
    assert checkpoints() == after
