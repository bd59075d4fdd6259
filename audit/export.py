"""The regulator's bundle: everything needed to verify the log offline.

``write_bundle(directory)`` writes::

    events.jsonl        one event per line, every hashed field, its hash, its leaf index
    checkpoints.jsonl   every signed checkpoint (the signed note is the evidence)
    checkpoint.txt      the latest signed checkpoint, as a note
    public-key.txt      the verifier key "<origin>+<key id>+<key>" (plus retired keys)
    manifest.json       format, origin, counts, SHA-256 of every file above
    README.txt          how to run tools/sillage_verify.py on it

Read in one snapshot of the database, so events, leaves and checkpoints agree.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.utils import timezone

from . import signing
from .hashing import HASHED_FIELDS
from .models import AuditEvent, Checkpoint, MerkleLeaf
from .rows import consistent_read, converters, quote, stream

FORMAT = "sillage-audit-bundle/1"

README = """Sillage audit log export ({origin})

Verify it offline (needs Python 3.11+ and the "cryptography" package only):

    python sillage_verify.py bundle {directory_hint} --public-key '<verifier key you were given>'

The verifier key is published by the operator; public-key.txt holds a copy, but
trust the one you obtained independently. Keep checkpoint.txt: with a later
export, `--checkpoint OLD_checkpoint.txt` proves the log only grew since.
See docs/regulator.md for what is logged and what a checkpoint proves.
"""


@dataclass(frozen=True)
class BundleSummary:
    events: int
    tree_size: int
    checkpoints: int
    files: dict[str, str]


def _event_lines() -> Iterator[bytes]:
    events, leaves = quote(AuditEvent._meta.db_table), quote(MerkleLeaf._meta.db_table)
    columns = ", ".join(f"e.{quote(name)}" for name in ("id", *HASHED_FIELDS, "hash"))
    sql = (f"SELECT {columns}, l.{quote('index')} FROM {events} e "  # noqa: S608
           f"LEFT JOIN {leaves} l ON l.{quote('event_pk')} = e.{quote('id')} "
           f"ORDER BY e.{quote('id')}")
    uuid_text, timestamp_text, json_value = converters()
    dumps = json.JSONEncoder(separators=(",", ":"), sort_keys=True, ensure_ascii=False).encode
    for row in stream(sql):
        record: dict[str, Any] = dict(zip(("id", *HASHED_FIELDS, "hash", "leaf_index"), row,
                                          strict=True))
        record["event_id"] = uuid_text(record["event_id"])
        record["occurred_at"] = timestamp_text(record["occurred_at"])
        record["facets"] = json_value(record["facets"])
        record["detail"] = json_value(record["detail"])
        yield dumps(record).encode() + b"\n"


def _checkpoint_lines() -> Iterator[bytes]:
    for checkpoint in Checkpoint.objects.order_by("tree_size").iterator(chunk_size=1_000):
        yield json.dumps({
            "tree_size": checkpoint.tree_size,
            "root_hash": base64.b64encode(bytes(checkpoint.root_hash)).decode(),
            "issued_at": checkpoint.issued_at.astimezone(dt.UTC).isoformat(),
            "key_id": checkpoint.key_id,
            "note": checkpoint.note,
        }, ensure_ascii=False).encode() + b"\n"


def _write(path: Path, chunks: Iterator[bytes] | bytes) -> str:
    digest = hashlib.sha256()
    with path.open("wb") as handle:
        for chunk in [chunks] if isinstance(chunks, bytes) else chunks:
            digest.update(chunk)
            handle.write(chunk)
    return digest.hexdigest()


def write_bundle(directory: Path) -> BundleSummary:
    """Write the bundle into ``directory`` (created if needed; bundle files overwritten)."""
    directory.mkdir(parents=True, exist_ok=True)
    files: dict[str, str] = {}
    with consistent_read():
        events = 0

        def counted() -> Iterator[bytes]:
            nonlocal events
            for line in _event_lines():
                events += 1
                yield line

        files["events.jsonl"] = _write(directory / "events.jsonl", counted())
        files["checkpoints.jsonl"] = _write(directory / "checkpoints.jsonl", _checkpoint_lines())
        latest = Checkpoint.objects.order_by("-tree_size").first()
        checkpoints = Checkpoint.objects.count()
    files["checkpoint.txt"] = _write(directory / "checkpoint.txt",
                                     (latest.note if latest else "").encode())
    keys = [signing.verifier().encode(), *signing.previous_verifier_keys()]
    files["public-key.txt"] = _write(directory / "public-key.txt", ("\n".join(keys) + "\n").encode())
    tree_size = latest.tree_size if latest else 0
    manifest = {
        "format": FORMAT,
        "origin": signing.origin(),
        "exported_at": timezone.now().astimezone(dt.UTC).isoformat(),
        "events": events,
        "tree_size": tree_size,
        "checkpoints": checkpoints,
        "hash_algorithm": "sha256",
        "event_hash": "SHA-256 of canonical JSON of the hashed fields (docs/regulator.md)",
        "hashed_fields": list(HASHED_FIELDS),
        "files": dict(files),
    }
    _write(directory / "manifest.json", json.dumps(manifest, indent=2).encode() + b"\n")
    _write(directory / "README.txt", README.format(origin=signing.origin(),
                                                   directory_hint=directory.name).encode())
    return BundleSummary(events=events, tree_size=tree_size, checkpoints=checkpoints, files=files)


def write_bundle_zip(out: IO[bytes], scratch: Path) -> BundleSummary:
    """The same bundle as one ZIP (the regulator portal's download)."""
    folder = scratch / "sillage-audit"
    summary = write_bundle(folder)
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.iterdir()):
            archive.write(path, f"sillage-audit/{path.name}")
    return summary
