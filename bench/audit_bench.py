"""Audit log: append cost with an empty log and after 1,000,000 events, and
verification speed (append flat, verification >= 100,000 events/s).

1. Append: real ``audit_append`` calls (each in its own transaction, as a
   request would make them) on an empty log; median microseconds per call.
2. Load: a million synthetic but valid events (hash chains over 50,000
   subjects, hashed exactly like ``audit_append``) bulk-inserted, then
   sequenced into the Merkle tree by one ``checkpoint_issue``.
3. Append again on the million-event log; the ratio should be ~1.
4. A checkpoint after a few new events (incremental: no whole-tree rehash).
5. ``verify_log()``: every hash, chain, leaf, checkpoint root and signature.

    python bench/audit_bench.py [--events 1000000] [--appends 2000]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sillage_bench python bench/audit_bench.py
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import statistics
import time
import uuid

from _django import setup


def measure_appends(count: int, label: str) -> float:
    from django.db import connection, transaction

    from audit.services import audit_append

    # Measure as a web process would append: a fresh connection, not the bulk
    # loader's (whose page cache and garbage are not what a request sees).
    connection.close()
    gc.collect()
    for warm_up in range(20):
        with transaction.atomic():
            audit_append(actor=("system", "bench"), action="bench.warm_up", detail={"n": warm_up})

    subjects = [str(uuid.uuid4()) for _ in range(max(1, count // 4))]
    timings = []
    for number in range(count):
        subject = subjects[number % len(subjects)]
        with transaction.atomic():
            started = time.perf_counter()
            audit_append(actor=("brand_application", "bench-client"), action="facet.read",
                         subject=subject, facets=["contact", "purchases"], consent_id=str(number),
                         purpose="loyalty", request_id=f"bench-{number}", detail={"records": 3})
            timings.append(time.perf_counter() - started)
    median = statistics.median(timings) * 1e6
    p90 = statistics.quantiles(timings, n=10)[-1] * 1e6
    print(f"append, {label:<22}: median {median:7.1f} µs/event  (p90 {p90:.1f} µs)")
    return median


def bulk_load(total: int, subjects: int = 50_000, batch: int = 10_000) -> float:
    """Insert ``total`` valid events straight into the tables (no per-row ORM)."""
    from django.db import connection, transaction

    from audit.hashing import GENESIS, event_hash
    from audit.models import AuditEvent, ChainHead, PendingLeaf
    from audit.rows import insert_many
    from audit.services import uuid7

    event_fields = ("event_id", "occurred_at", "actor_type", "actor_id", "subject", "action",
                    "facets", "consent_id", "purpose", "outcome", "request_id", "detail", "chain",
                    "chain_seq", "prev_hash", "hash")
    fields = {name: AuditEvent._meta.get_field(name) for name in event_fields}
    pending_id = PendingLeaf._meta.get_field("event_id")
    def write(model: type, columns: tuple[str, ...], values: list[tuple]) -> None:
        if connection.vendor != "postgresql":
            insert_many(model, columns, values)
            return
        # COPY: PostgreSQL's bulk path (multi-row INSERTs are several times slower).
        names = ", ".join(model._meta.get_field(column).column for column in columns)
        with connection.cursor() as cursor, cursor.cursor.copy(
                f"COPY {model._meta.db_table} ({names}) FROM STDIN") as copy:
            for row in values:
                copy.write_row(row)

    people = [str(uuid.uuid4()) for _ in range(subjects)]
    heads: dict[str, tuple[int, str]] = {}
    start_time = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {AuditEvent._meta.db_table}")  # noqa: S608
        next_id = cursor.fetchone()[0] + 1
    for offset in range(0, total, batch):
        rows, pending = [], []
        for number in range(offset, min(total, offset + batch)):
            subject = people[number % subjects]
            chain = f"subject:{subject}"
            seq, previous = heads.get(chain, (0, GENESIS))
            when = start_time + dt.timedelta(microseconds=number * 1_000_003)
            body = {
                "event_id": str(uuid7()), "occurred_at": when.isoformat(timespec="microseconds"),
                "actor_type": "brand_application", "actor_id": f"client-{number % 40}",
                "subject": subject, "action": "facet.read" if number % 5 else "facet.write",
                "facets": ["contact", "purchases"], "consent_id": str(uuid.uuid4()),
                "purpose": "loyalty", "outcome": "denied" if number % 17 == 0 else "allowed",
                "request_id": uuid.uuid4().hex, "detail": {"records": number % 50},
                "chain": chain, "chain_seq": seq + 1, "prev_hash": previous,
            }
            digest = event_hash(body)
            heads[chain] = (seq + 1, digest)
            values = {**body, "occurred_at": when, "event_id": uuid.UUID(body["event_id"]),
                      "hash": digest}
            rows.append((next_id, *(fields[name].get_db_prep_save(values[name], connection)
                                    for name in event_fields)))
            pending.append((next_id, pending_id.get_db_prep_value(values["event_id"], connection),
                            digest))
            next_id += 1
        with transaction.atomic():
            write(AuditEvent, ("id", *event_fields), rows)
            write(PendingLeaf, ("event_pk", "event_id", "event_hash"), pending)
    with transaction.atomic():
        write(ChainHead, ("chain", "seq", "head_hash"),
              [(chain, seq, digest) for chain, (seq, digest) in heads.items()])
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT setval(pg_get_serial_sequence('audit_auditevent', 'id'), "
                           "(SELECT MAX(id) FROM audit_auditevent))")
            cursor.execute("ANALYZE")
    return time.perf_counter() - started


def settle() -> None:
    """Measure a log at rest, as a production log is: right after a million-row bulk
    load and sequencing, PostgreSQL has dead rows, unset hint bits and dirty
    buffers that autovacuum and its checkpointer would otherwise clear mid-measure."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
            cursor.execute("CHECKPOINT")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--appends", type=int, default=2_000)
    options = parser.parse_args()
    vendor = setup("audit")

    from audit.models import AuditEvent
    from audit.services import checkpoint_issue
    from audit.verify import verify_log

    print(f"database: {vendor}; synthetic events: {options.events:,}; appends measured: "
          f"{options.appends:,} per point")
    empty = measure_appends(options.appends, "empty log")
    checkpoint_issue()

    seconds = bulk_load(options.events)
    print(f"bulk load             : {options.events:,} events in {seconds:.1f} s")
    started = time.perf_counter()
    result = checkpoint_issue()
    seconds = time.perf_counter() - started
    print(f"sequence + checkpoint : {result.sequenced:,} events into the tree in {seconds:.1f} s "
          f"(tree size {result.checkpoint.tree_size:,})")

    settle()
    full = measure_appends(options.appends, f"{AuditEvent.objects.count():,} events")
    print(f"append ratio (large / empty): {full / empty:.2f}  (target: flat, ~1.0)")

    started = time.perf_counter()
    result = checkpoint_issue()
    print(f"incremental checkpoint: {result.sequenced:,} new events in "
          f"{(time.perf_counter() - started) * 1000:.0f} ms")

    settle()
    started = time.perf_counter()
    report = verify_log()
    seconds = time.perf_counter() - started
    assert report.ok, report.problems[:3]
    print(f"verification          : {report.events:,} events, {report.checkpoints} checkpoints in "
          f"{seconds:.1f} s -> {report.events / seconds:,.0f} events/s  (target >= 100,000)")


if __name__ == "__main__":
    main()
