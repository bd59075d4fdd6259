from __future__ import annotations

from collections.abc import Iterator

import pytest

from audit.models import AuditEvent
from vault.crypto import keyring
from vault.models import ImportBatch, Record, Source


def table_state() -> tuple[int, int, int, int]:
    """Counts that must not move when an operation is refused."""
    return (Record.objects.count(), ImportBatch.objects.count(), Source.objects.count(),
            AuditEvent.objects.count())


@pytest.fixture
def fresh_keyring() -> Iterator[None]:
    keyring.cache_clear()
    yield
    keyring.cache_clear()
