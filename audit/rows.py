"""Fast raw reads of audit rows, for verification and export.

The ORM builds a model instance per row; at a million events that dominates.
These helpers stream plain tuples through a cursor and convert the few
database-specific values (UUIDs, timestamps, JSON) to the canonical forms the
event hash is computed over.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection, transaction

FETCH_SIZE = 5_000


def quote(name: str) -> str:
    return connection.ops.quote_name(name)


def converters() -> tuple[Callable[[Any], str], Callable[[Any], str], Callable[[Any], Any]]:
    """(uuid, timestamp, json) converters from raw column values to canonical values."""
    if connection.vendor == "sqlite":
        def uuid_text(value: Any) -> str:
            text = str(value)
            if len(text) == 32:
                return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"
            return str(uuid.UUID(text))

        def timestamp_text(value: Any) -> str:
            # Django stores UTC as "YYYY-MM-DD HH:MM:SS[.ffffff]" on SQLite.
            text = str(value)
            if len(text) == 19:
                text += ".000000"
            return f"{text[:10]}T{text[11:26]}+00:00"
    else:
        def uuid_text(value: Any) -> str:
            return str(value)

        def timestamp_text(value: Any) -> str:
            if isinstance(value, str):
                value = dt.datetime.fromisoformat(value)
            return value.astimezone(dt.UTC).isoformat(timespec="microseconds")

    loads = json.loads

    def json_value(value: Any) -> Any:
        return loads(value) if isinstance(value, str | bytes) else value

    return uuid_text, timestamp_text, json_value


def stream(sql: str, params: list[Any] | None = None) -> Iterator[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])
        while True:
            rows = cursor.fetchmany(FETCH_SIZE)
            if not rows:
                return
            yield from rows


@contextmanager
def consistent_read(*, read_only: bool = True) -> Iterator[None]:
    """A transaction in which every query sees the same snapshot of the database.

    On PostgreSQL that takes REPEATABLE READ, set as the transaction's first
    statement; inside a caller's transaction (a test) the caller's isolation
    stands. SQLite transactions are serialisable already.
    """
    outer = connection.in_atomic_block
    with transaction.atomic():
        if not outer and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ"
                               + (" READ ONLY" if read_only else ""))
        yield


def insert_many(model: Any, columns: tuple[str, ...], rows: list[tuple[Any, ...]],
                *, batch_size: int = 2_000) -> None:
    """Plain multi-row INSERTs: the sequencer writes thousands of leaves and
    nodes per checkpoint, where building model instances would dominate."""
    if not rows:
        return
    table = quote(model._meta.db_table)
    names = ", ".join(quote(model._meta.get_field(column).column) for column in columns)
    width = len(columns)
    # SQLite allows 32,766 parameters per statement; PostgreSQL 65,535.
    per_statement = max(1, min(batch_size, 30_000 // width))
    with connection.cursor() as cursor:
        for start in range(0, len(rows), per_statement):
            chunk = rows[start:start + per_statement]
            placeholders = ", ".join(["(" + ", ".join(["%s"] * width) + ")"] * len(chunk))
            cursor.execute(
                f"INSERT INTO {table} ({names}) VALUES {placeholders}",  # noqa: S608
                [value for row in chunk for value in row],
            )
