from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from audit.models import AuditEvent
from tests.dumps import database_bytes  # noqa: F401 - re-exported for the tests here
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


@pytest.fixture
def fresh_keyring() -> Iterator[None]:
    keyring.cache_clear()
    yield
    keyring.cache_clear()
