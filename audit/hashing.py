"""Canonical event hashing, shared by the writer, the verifier and the export."""

from __future__ import annotations

import hashlib
import json
from typing import Any

GENESIS = "0" * 64

HASHED_FIELDS = (
    "event_id",
    "occurred_at",
    "actor_type",
    "actor_id",
    "subject",
    "action",
    "facets",
    "consent_id",
    "purpose",
    "outcome",
    "request_id",
    "detail",
    "chain",
    "chain_seq",
    "prev_hash",
)


def event_hash(body: dict[str, Any]) -> str:
    """SHA-256 over the canonical JSON of an event's hashed fields."""
    canonical = json.dumps(
        {name: body[name] for name in HASHED_FIELDS},
        separators=(",", ":"),
        sort_keys=True,
        ensure_ascii=False,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()
