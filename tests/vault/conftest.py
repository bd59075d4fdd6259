from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from django.db import connection

from audit.models import AuditEvent
from vault.crypto import keyring
from vault.models import ImportBatch, Record, Source

CSV_HEADER = "occurred_at,merchant,category,description,amount,currency,channel\n"


def csv_bytes(*rows: str) -> bytes:
    return (CSV_HEADER + "".join(row + "\n" for row in rows)).encode()


def json_bytes(records: list[dict]) -> bytes:
    return json.dumps({"records": records}).encode()


def table_state() -> tuple[int, int, int, int]:
    """Counts that must not move when an operation is refused."""
    return (Record.objects.count(), ImportBatch.objects.count(), Source.objects.count(),
            AuditEvent.objects.count())


def database_bytes() -> bytes:
    """Every value of every table, as bytes: what an attacker with a dump would see."""
    chunks: list[bytes] = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            for row in cursor.fetchall():
                for value in row:
                    if isinstance(value, memoryview | bytes | bytearray):
                        chunks.append(bytes(value))
                    elif value is not None:
                        chunks.append(str(value).encode())
    return b"\x00".join(chunks)


@pytest.fixture
def fresh_keyring() -> Iterator[None]:
    keyring.cache_clear()
    yield
    keyring.cache_clear()
