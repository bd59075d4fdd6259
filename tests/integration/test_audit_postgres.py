"""The audit log on a real PostgreSQL server, with real concurrency: committed
transactions, concurrent writers, transactions committing out of id order, the
trigger, and the parallel verifier on an exported snapshot.

PostgreSQL only (SQLite serialises writers, so none of this can happen there;
tests/audit covers SQLite). On PostgreSQL nothing here is skipped.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable

import pytest
from django.db import DatabaseError, connection, transaction

from audit import merkle
from audit.models import AuditEvent, ChainHead, Checkpoint, MerkleLeaf, PendingLeaf
from audit.selectors import consistency_proof
from audit.services import checkpoint_issue
from audit.verify import verify_log
from tests.factories.audit import brand_read

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgresql() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL-only: run with DATABASE_URL=postgres://… (SQLite is covered "
                    "by tests/audit)")


def in_thread(work: Callable[[], None], errors: list[BaseException]) -> threading.Thread:
    def run() -> None:
        try:
            work()
        except BaseException as error:  # noqa: BLE001 - reported by the test
            errors.append(error)
        finally:
            connection.close()  # each thread has its own connection

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def append(subject: str, number: int = 0) -> AuditEvent:
    return brand_read(subject=subject, app="client-it", detail={"n": number})


def test_concurrent_writers_and_checkpoints_give_an_intact_log():
    subjects = [str(uuid.uuid4()) for _ in range(5)]
    errors: list[BaseException] = []
    stop = threading.Event()

    # Halfway through, writers wait for a checkpoint to have covered some of
    # their events, so checkpoints certainly interleave with appends (on a fast
    # machine the writers could otherwise finish before the second checkpoint).
    covered = threading.Event()

    def writer(offset: int) -> Callable[[], None]:
        def work() -> None:
            for number in range(40):
                if number == 20 and not covered.wait(timeout=60):
                    raise TimeoutError("no checkpoint covered the first appends")
                with transaction.atomic():
                    append(subjects[(offset + number) % len(subjects)], number)
        return work

    def checkpointer() -> None:
        while not stop.is_set():
            checkpoint_issue()
            if MerkleLeaf.objects.exists():
                covered.set()

    writers = [in_thread(writer(offset), errors) for offset in range(6)]
    sequencer = in_thread(checkpointer, errors)
    for thread in writers:
        thread.join(timeout=120)
    stop.set()
    sequencer.join(timeout=120)
    assert errors == []
    checkpoint_issue()
    assert AuditEvent.objects.count() == 240
    assert not PendingLeaf.objects.exists()
    assert MerkleLeaf.objects.count() == 240
    for subject in subjects:
        seqs = list(AuditEvent.objects.filter(chain=f"subject:{subject}")
                    .order_by("id").values_list("chain_seq", flat=True))
        assert seqs == list(range(1, 49))
        assert ChainHead.objects.get(chain=f"subject:{subject}").seq == 48
    report = verify_log()
    assert report.ok, [problem.describe() for problem in report.problems[:5]]
    assert report.checkpoints == Checkpoint.objects.count() >= 2


def test_a_transaction_committing_late_joins_a_later_checkpoint_never_a_signed_one():
    subject_slow, subject_fast = str(uuid.uuid4()), str(uuid.uuid4())
    inserted, release = threading.Event(), threading.Event()
    errors: list[BaseException] = []
    slow_event: list[AuditEvent] = []

    def slow() -> None:
        with transaction.atomic():
            slow_event.append(append(subject_slow))  # takes the lower id …
            inserted.set()
            release.wait(timeout=60)  # … and commits last

    thread = in_thread(slow, errors)
    assert inserted.wait(timeout=60)
    fast = append(subject_fast)  # higher id, committed first
    assert fast.pk > slow_event[0].pk
    first = checkpoint_issue().checkpoint  # sees only what is committed
    assert MerkleLeaf.objects.filter(event_pk=fast.pk).exists()
    assert not MerkleLeaf.objects.filter(event_pk=slow_event[0].pk).exists()
    release.set()
    thread.join(timeout=60)
    assert errors == []
    second = checkpoint_issue().checkpoint
    leaf_of = dict(MerkleLeaf.objects.values_list("event_pk", "index"))
    assert leaf_of[slow_event[0].pk] > leaf_of[fast.pk]  # tree order is commit order here
    proof = consistency_proof(first=first.tree_size, second=second.tree_size)
    merkle.verify_consistency(first.tree_size, second.tree_size, bytes(first.root_hash),
                              bytes(second.root_hash), proof.proof)
    assert verify_log().ok


def test_a_rolled_back_append_leaves_a_hole_in_the_ids_and_nothing_else():
    subject = str(uuid.uuid4())
    kept = append(subject)

    def doomed() -> None:
        with transaction.atomic():
            append(subject)
            raise RuntimeError("the action failed")

    with pytest.raises(RuntimeError):
        doomed()
    after = append(subject)
    assert after.pk >= kept.pk + 2  # the sequence value is gone for good
    assert after.chain_seq == kept.chain_seq + 1
    checkpoint_issue()
    assert verify_log().ok


def test_the_trigger_refuses_even_the_superuser():
    event = append(str(uuid.uuid4()))
    for statement in ("UPDATE audit_auditevent SET action = 'x' WHERE id = %s",
                      "DELETE FROM audit_auditevent WHERE id = %s"):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), \
                connection.cursor() as cursor:
            cursor.execute(statement, [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).action == "facet.read"


def test_parallel_verification_reads_one_snapshot_and_names_the_bad_event():
    subjects = [str(uuid.uuid4()) for _ in range(30)]
    events = [append(subjects[number % 30], number) for number in range(300)]
    checkpoint_issue()
    single, parallel = verify_log(workers=1), verify_log(workers=3)
    assert single.ok
    assert parallel.ok
    assert parallel.workers == 3
    assert parallel.events == single.events == 300
    victim = events[150]
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER USER")
        try:
            cursor.execute("UPDATE audit_auditevent SET outcome = 'denied' WHERE id = %s",
                           [victim.pk])
        finally:
            cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER USER")
    report = verify_log(workers=3)
    assert not report.ok
    assert report.problems[0].event_pk == victim.pk
    assert report.problems[0].event_id == str(victim.event_id)
