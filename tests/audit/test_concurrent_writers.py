"""Concurrent writers of the log wait for each other instead of failing.

Every request that appends an audit event does so in a transaction that often
reads first (the regulator API searches, then records the query). On SQLite a
transaction that started reading and then wants to write is refused at once
("database is locked") when another connection holds the write lock; the
databases are configured with immediate transactions and a busy timeout so
that writers queue instead (config/settings/base.py). PostgreSQL runs the same
test: it must hold there too.
"""

from __future__ import annotations

import io
import threading

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from audit.models import AuditEvent
from audit.services import audit_append, checkpoint_issue

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 8
EVENTS_EACH = 25
SHARED_SUBJECT = "0190f4c2-0000-7000-8000-000000000001"


def test_concurrent_audited_requests_all_commit_and_the_log_verifies():
    start = threading.Barrier(THREADS)
    failures: list[BaseException] = []

    def requests(number: int) -> None:
        try:
            start.wait()
            for index in range(EVENTS_EACH):
                with transaction.atomic():
                    # The request's own reads first, then its event, as the views do.
                    AuditEvent.objects.filter(actor_id=f"regulator-{number}").count()
                    audit_append(
                        actor=("regulator", f"regulator-{number}"), action="audit.viewed",
                        # Half the writers share one chain (one head row), half have their own.
                        subject=SHARED_SUBJECT if number % 2 else "",
                        detail={"view": "api.events", "index": index},
                    )
        except BaseException as error:  # noqa: BLE001 - reported by the main thread
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=requests, args=(number,)) for number in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)

    assert not failures, f"{len(failures)} writers failed, first: {failures[0]!r}"
    assert AuditEvent.objects.count() == THREADS * EVENTS_EACH
    checkpoint_issue()
    out = io.StringIO()
    call_command("audit_verify", "--no-record", stdout=out)
    assert out.getvalue().startswith(f"OK: {THREADS * EVENTS_EACH} events verified")
