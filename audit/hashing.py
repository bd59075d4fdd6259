"""Canonical event hashing, shared by the writer, the verifier and the export.

An event's hash is SHA-256 over the canonical JSON of its hashed fields: one
object with exactly the keys below, keys sorted at every level, no spaces,
UTF-8 (non-ASCII characters as themselves). ``occurred_at`` is ISO 8601 in UTC
with microseconds (``2026-01-05T09:30:00.000000+00:00``), ``event_id`` a
lower-case hyphenated UUID, ``facets`` a sorted list of facet names,
``chain_seq`` an integer and ``prev_hash`` the hex hash of the previous event of
the same chain (64 zeros for the first). The standalone verifier
(tools/sillage_verify.py) implements the same rules; docs/regulator.md
documents them.
"""

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

_ENCODER = json.JSONEncoder(separators=(",", ":"), sort_keys=True, ensure_ascii=False)


def canonical_json(body: dict[str, Any]) -> str:
    return _ENCODER.encode({name: body[name] for name in HASHED_FIELDS})


def event_hash(body: dict[str, Any]) -> str:
    """SHA-256 over the canonical JSON of an event's hashed fields."""
    return hashlib.sha256(canonical_json(body).encode()).hexdigest()
