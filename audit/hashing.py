"""Canonical event hashing, shared by the writer, the verifier and the export.

An event's hash is SHA-256 over the canonical JSON of its hashed fields: one
object with exactly the keys below, keys sorted, no spaces, UTF-8 (non-ASCII
characters as themselves). Every value is a JSON string except ``chain_seq``
(an integer): ``occurred_at`` is ISO 8601 in UTC with microseconds
(``2026-01-05T09:30:00.000000+00:00``), ``event_id`` a lower-case hyphenated
UUID, ``prev_hash`` the hex hash of the previous event of the same chain (64
zeros for the first), and ``facets`` and ``detail`` are strings holding the
canonical JSON of the list and the object (how they are stored, too).

Because every variable part is a JSON string with its own quoting and
escaping, the encoding is injective: no two different events can produce the
same text, whatever characters their fields hold. The standalone verifier
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


def canonical_value(value: Any) -> str:
    """Canonical JSON text of one value (how ``facets`` and ``detail`` are stored)."""
    return _ENCODER.encode(value)


def canonical_json(body: dict[str, Any]) -> str:
    fields = {name: body[name] for name in HASHED_FIELDS}
    for name in ("facets", "detail"):
        if not isinstance(fields[name], str):
            fields[name] = canonical_value(fields[name])
    return _ENCODER.encode(fields)


def event_hash(body: dict[str, Any]) -> str:
    """SHA-256 over the canonical JSON of an event's hashed fields."""
    return hashlib.sha256(canonical_json(body).encode()).hexdigest()
