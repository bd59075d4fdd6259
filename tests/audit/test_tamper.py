"""Tampering with single rows behind the application's back (raw SQL, triggers
disabled on PostgreSQL) makes ``audit_verify`` fail and name the right event."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection

from audit.hashing import event_hash
from audit.models import AuditEvent, ChainHead, Checkpoint, MerkleLeaf, PendingLeaf
from audit.services import audit_append, checkpoint_issue
from audit.verify import verify_log
from tests.factories.audit import SeededLog, brand_read

from .conftest import subject_of

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def verify_failure() -> str:
    with pytest.raises(CommandError) as failure:
        call_command("audit_verify", "--no-record")
    assert failure.value.returncode == 1
    return str(failure.value)


def names(message: str, event_pk: int, event_id: object) -> bool:
    return f"first bad event #{event_pk} (event_id {event_id})" in message


def sequenced(seeded: SeededLog, position: int = 3) -> AuditEvent:
    event = seeded.events[position]
    assert MerkleLeaf.objects.filter(event_pk=event.pk).exists()
    return event


def queued(seeded: SeededLog) -> AuditEvent:
    event = seeded.events[-1]
    assert PendingLeaf.objects.filter(event_pk=event.pk).exists()
    return event


def test_an_intact_log_verifies_and_the_count_is_printed(seeded, capsys):
    call_command("audit_verify", "--no-record")
    out = capsys.readouterr().out
    total = AuditEvent.objects.count()
    assert out.startswith(f"OK: {total} events verified, 2 checkpoints")
    assert "1 awaiting the next checkpoint" in out


@pytest.mark.parametrize("which", ["sequenced", "queued"])
def test_an_edited_field_is_named(seeded, raw_sql, which):
    event = sequenced(seeded) if which == "sequenced" else queued(seeded)
    raw_sql("UPDATE audit_auditevent SET outcome = 'denied' WHERE id = %s", [event.pk])
    message = verify_failure()
    assert names(message, event.pk, event.event_id)
    assert "do not match its hash" in message


@pytest.mark.parametrize("which", ["sequenced", "queued"])
def test_an_edit_with_a_recomputed_hash_is_still_named(seeded, raw_sql, which):
    event = sequenced(seeded) if which == "sequenced" else queued(seeded)
    body = {name: getattr(event, name) for name in (
        "actor_type", "actor_id", "subject", "action", "facets", "consent_id", "purpose",
        "request_id", "detail", "chain", "chain_seq", "prev_hash")}
    body.update(event_id=str(event.event_id), outcome="denied",
                occurred_at=event.occurred_at.isoformat(timespec="microseconds"))
    raw_sql("UPDATE audit_auditevent SET outcome = 'denied', hash = %s WHERE id = %s",
            [event_hash(body), event.pk])
    assert names(verify_failure(), event.pk, event.event_id)


@pytest.mark.parametrize("which", ["sequenced", "queued", "first_of_log"])
def test_a_deleted_row_is_named(seeded, raw_sql, which):
    if which == "first_of_log":
        event = AuditEvent.objects.order_by("id").first()
    else:
        event = sequenced(seeded) if which == "sequenced" else queued(seeded)
    raw_sql("DELETE FROM audit_auditevent WHERE id = %s", [event.pk])
    message = verify_failure()
    assert names(message, event.pk, event.event_id)
    assert "missing" in message


def test_an_inserted_row_is_named_even_when_its_hash_and_chain_link_are_right(seeded, raw_sql):
    model = seeded.events[-1]  # extend alice's chain properly: seq + 1, prev_hash = head
    head = ChainHead.objects.get(chain=model.chain)
    forged = {
        "event_id": str(uuid.uuid4()), "occurred_at": model.occurred_at.isoformat(timespec="microseconds"),
        "actor_type": "brand_application", "actor_id": "client-acme", "subject": model.subject,
        "action": "facet.read", "facets": ["birthdate"], "consent_id": "", "purpose": "loyalty",
        "outcome": "allowed", "request_id": "", "detail": {}, "chain": model.chain,
        "chain_seq": head.seq + 1, "prev_hash": head.head_hash,
    }
    digest = event_hash(forged)
    new_id = AuditEvent.objects.order_by("-id").first().pk + 1
    event_id_value = forged["event_id"] if connection.vendor == "postgresql" else uuid.UUID(forged["event_id"]).hex
    raw_sql(
        "INSERT INTO audit_auditevent (id, event_id, occurred_at, actor_type, actor_id, subject, "
        "action, facets, consent_id, purpose, outcome, request_id, detail, chain, chain_seq, "
        "prev_hash, hash) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
        [new_id, event_id_value, model.occurred_at if connection.vendor == "postgresql"
         else model.occurred_at.replace(tzinfo=None).isoformat(sep=" "),
         forged["actor_type"], forged["actor_id"], forged["subject"], forged["action"],
         json.dumps(forged["facets"]), "", "loyalty", "allowed", "", "{}", forged["chain"],
         forged["chain_seq"], forged["prev_hash"], digest],
    )
    message = verify_failure()
    assert names(message, new_id, forged["event_id"])
    assert "neither in the tree nor queued" in message


@pytest.mark.parametrize("which", ["sequenced_same_chain", "sequenced_other_chains", "queued"])
def test_swapped_rows_are_named(seeded, raw_sql, which):
    if which == "sequenced_same_chain":
        first, second = seeded.events[0], seeded.events[2]  # alice, alice
    elif which == "sequenced_other_chains":
        first, second = seeded.events[0], seeded.events[1]  # alice, bob
    else:
        first, second = queued(seeded), brand_read(subject=subject_of(seeded.bob))
    low, high = sorted((first, second), key=lambda event: event.pk)
    raw_sql("UPDATE audit_auditevent SET id = %s WHERE id = %s", [-1, low.pk])
    raw_sql("UPDATE audit_auditevent SET id = %s WHERE id = %s", [low.pk, high.pk])
    raw_sql("UPDATE audit_auditevent SET id = %s WHERE id = %s", [high.pk, -1])
    message = verify_failure()
    # Row #low now holds the event that was #high: both ids are named.
    assert names(message, low.pk, high.event_id)
    assert str(low.event_id) in message or f"#{high.pk}" in message


def test_reordered_sequence_numbers_in_one_chain_are_named(seeded, raw_sql):
    first, second = seeded.events[0], seeded.events[2]
    raw_sql("UPDATE audit_auditevent SET chain_seq = %s WHERE id = %s", [10_000, first.pk])
    raw_sql("UPDATE audit_auditevent SET chain_seq = %s WHERE id = %s", [first.chain_seq, second.pk])
    raw_sql("UPDATE audit_auditevent SET chain_seq = %s WHERE id = %s", [second.chain_seq, first.pk])
    assert names(verify_failure(), first.pk, first.event_id)


def test_a_rewritten_tree_leaf_is_caught(seeded, raw_sql):
    event = sequenced(seeded)
    raw_sql("UPDATE audit_merkleleaf SET hash = %s WHERE event_pk = %s", [b"\x00" * 32, event.pk])
    assert names(verify_failure(), event.pk, event.event_id)


def test_a_forged_checkpoint_signature_is_caught(seeded, raw_sql):
    checkpoint = Checkpoint.objects.order_by("tree_size").first()
    forged = checkpoint.note.rsplit(" ", 1)[0] + " " + "A" * 92 + "\n"  # a signature of zeros
    raw_sql("UPDATE audit_checkpoint SET note = %s WHERE id = %s", [forged, checkpoint.pk])
    message = verify_failure()
    assert f"checkpoint of tree size {checkpoint.tree_size}" in message


def test_a_deleted_queue_entry_names_the_event_left_out_of_the_tree(seeded):
    event = queued(seeded)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_pendingleaf WHERE event_pk = %s", [event.pk])
    assert names(verify_failure(), event.pk, event.event_id)


def test_tampering_after_more_checkpoints_is_still_caught(seeded, raw_sql):
    checkpoint_issue()
    event = seeded.events[0]
    raw_sql("UPDATE audit_auditevent SET facets = %s WHERE id = %s", ['["birthdate"]', event.pk])
    assert names(verify_failure(), event.pk, event.event_id)


@pytest.mark.django_db(transaction=True)
def test_the_command_exit_status_is_0_when_intact_and_1_naming_the_event_when_not(seeded, raw_sql):
    """The real process, as an operator or a cron job runs it."""
    database = settings.DATABASES["default"]
    if connection.vendor == "sqlite":
        url = f"sqlite:///{database['NAME']}"
    else:
        url = (f"postgres://{database['USER']}:{database.get('PASSWORD') or ''}@"
               f"{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}/{database['NAME']}")
    env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    key = settings.AUDIT["SIGNING_KEY"]  # test settings draw a fresh key per process

    def run() -> subprocess.CompletedProcess[str]:
        code = ("import django; from django.conf import settings; django.setup(); "
                f"settings.AUDIT['SIGNING_KEY'] = {key!r}; "
                "from django.core.management import execute_from_command_line; "
                "execute_from_command_line(['manage.py', 'audit_verify', '--no-record'])")
        return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env,  # noqa: S603
                              capture_output=True, text=True, timeout=120, check=False)

    intact = run()
    assert intact.returncode == 0, intact.stderr
    assert f"OK: {AuditEvent.objects.count()} events verified" in intact.stdout
    event = seeded.events[4]
    raw_sql("UPDATE audit_auditevent SET action = 'facet.write' WHERE id = %s", [event.pk])
    broken = run()
    assert broken.returncode == 1
    assert f"event #{event.pk} (event_id {event.event_id})" in broken.stderr


@pytest.mark.django_db(transaction=True)
def test_the_parallel_verifier_agrees_and_names_the_same_event(seeded, raw_sql):
    """Large logs are verified by several processes over one snapshot."""
    single, parallel = verify_log(workers=1), verify_log(workers=3)
    assert single.ok
    assert parallel.ok
    assert (parallel.workers, parallel.events) == (3, single.events)
    event = seeded.events[7]
    raw_sql("UPDATE audit_auditevent SET purpose = 'marketing' WHERE id = %s", [event.pk])
    report = verify_log(workers=3)
    assert [problem.describe() for problem in report.problems] == \
        [problem.describe() for problem in verify_log(workers=1).problems]
    assert report.problems[0].event_pk == event.pk


def test_awkward_values_verify_and_their_tampering_is_caught(db, raw_sql):
    """Quotes, backslashes, control characters and non-ASCII in any field."""
    awkward = 'a "quoted" \\ back\\slash\n\ttab \x01 é ü 🙂 \u2028'
    event = audit_append(actor=("brand_application", awkward[:40]), action="facet.read",
                         subject=awkward[:60], facets=["contact", awkward[:20]],
                         consent_id=awkward[:30], purpose=awkward[:30], request_id="req",
                         detail={awkward: [awkward, 1.5, None, True], "n": 2})
    checkpoint_issue()
    call_command("audit_verify", "--no-record")
    raw_sql("UPDATE audit_auditevent SET detail = %s WHERE id = %s",
            ['{"n":3}', event.pk])
    assert names(verify_failure(), event.pk, event.event_id)


def test_a_daemon_process_verifies_in_one_process(monkeypatch):
    """Celery's prefork workers are daemons, which may not fork children."""
    import multiprocessing

    from audit import verify

    monkeypatch.setattr(multiprocessing.current_process(), "daemon", True, raising=False)
    assert verify._parallel_workers(None, 10**7, outer=False) == 1
