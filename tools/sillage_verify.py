#!/usr/bin/env python3
"""Standalone verifier for Sillage audit log exports and proofs.

Needs Python 3.11+ and the ``cryptography`` package, nothing else: no Django,
no database, no network, and no code from the server whose log it checks.
Copy this one file wherever you verify.

    sillage_verify.py bundle DIR --public-key KEY [--checkpoint KEPT.txt ...]
    sillage_verify.py inclusion PROOF.json --public-key KEY [--event EVENT.json]
    sillage_verify.py consistency PROOF.json --public-key KEY --old-checkpoint KEPT.txt

KEY is the verifier key published by the operator, ``<origin>+<key id>+<base64
key>`` (or a file holding it). ``bundle`` checks an ``audit_export`` directory:
every event's hash, every per-subject chain, every signed checkpoint against
the Merkle tree recomputed from the events (RFC 6962/9162), and that each
checkpoint you kept from earlier (``--checkpoint``) is a prefix of this log,
i.e. that nothing it covered was changed or removed since. ``inclusion`` and
``consistency`` check proofs served by ``/api/v1/audit/proofs/...``.

Exit status: 0 verified, 1 verification failed (the first problem is named),
2 bad usage or unreadable input.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import hashlib
import json
import sys
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

GENESIS = "0" * 64
HASHED_FIELDS = (
    "event_id", "occurred_at", "actor_type", "actor_id", "subject", "action", "facets",
    "consent_id", "purpose", "outcome", "request_id", "detail", "chain", "chain_seq", "prev_hash",
)
SIGNATURE_PREFIX = "\u2014 "
_ENCODE = json.JSONEncoder(separators=(",", ":"), sort_keys=True, ensure_ascii=False).encode


class Failure(Exception):
    """Verification failed."""


class UsageError(Exception):
    """Bad arguments or unreadable input."""


# --- RFC 6962 / 9162 -----------------------------------------------------------------------

def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


class CompactRange:
    """Tree hash over leaves appended in order; root available at every size."""

    def __init__(self) -> None:
        self.size = 0
        self.stack: list[bytes] = []

    def append(self, leaf: bytes) -> None:
        self.stack.append(leaf)
        size = self.size
        while size & 1:
            right = self.stack.pop()
            self.stack[-1] = node_hash(self.stack[-1], right)
            size >>= 1
        self.size += 1

    def root(self) -> bytes:
        if not self.stack:
            return hashlib.sha256(b"").digest()
        result = self.stack[-1]
        for left in reversed(self.stack[:-1]):
            result = node_hash(left, result)
        return result


def verify_inclusion(index: int, size: int, leaf: bytes, proof: list[bytes], root: bytes) -> None:
    """RFC 9162 §2.1.3.2."""
    if not 0 <= index < size:
        raise Failure("leaf index outside the tree")
    fn, sn, result = index, size - 1, leaf
    for sibling in proof:
        if sn == 0:
            raise Failure("inclusion proof too long")
        if fn & 1 or fn == sn:
            result = node_hash(sibling, result)
            while fn and not fn & 1:
                fn >>= 1
                sn >>= 1
        else:
            result = node_hash(result, sibling)
        fn >>= 1
        sn >>= 1
    if sn != 0 or result != root:
        raise Failure("inclusion proof does not lead to the checkpoint's root")


def verify_consistency(first: int, second: int, first_root: bytes, second_root: bytes,
                       proof: list[bytes]) -> None:
    """RFC 9162 §2.1.4.2 (plus the trivial cases of equal sizes and the empty tree)."""
    if not 0 <= first <= second:
        raise Failure("sizes out of order")
    if first == second:
        if proof or first_root != second_root:
            raise Failure("equal sizes need equal roots and an empty proof")
        return
    if first == 0:
        if proof:
            raise Failure("a proof from the empty tree is empty")
        return
    if not proof:
        raise Failure("empty consistency proof")
    path = ([first_root] if first & (first - 1) == 0 else []) + list(proof)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for item in path[1:]:
        if sn == 0:
            raise Failure("consistency proof too long")
        if fn & 1 or fn == sn:
            fr = node_hash(item, fr)
            sr = node_hash(item, sr)
            while fn and not fn & 1:
                fn >>= 1
                sn >>= 1
        else:
            sr = node_hash(sr, item)
        fn >>= 1
        sn >>= 1
    if sn != 0 or fr != first_root or sr != second_root:
        raise Failure("consistency proof does not join the two roots")


# --- C2SP signed notes and checkpoints ------------------------------------------------------

class Verifier:
    def __init__(self, text: str) -> None:
        try:
            self.name, hex_id, encoded = text.strip().split("+", 2)
            raw = base64.b64decode(encoded, validate=True)
            self.key_id = bytes.fromhex(hex_id)
        except (ValueError, binascii.Error) as error:
            raise UsageError(f"malformed verifier key {text.strip()[:60]!r}") from error
        if len(raw) != 33 or raw[0] != 0x01:
            raise UsageError("the verifier key is not an Ed25519 signed-note key")
        expected = hashlib.sha256(self.name.encode() + b"\n" + raw).digest()[:4]
        if expected != self.key_id:
            raise UsageError("the verifier key's id does not match its key")
        self.public_key = Ed25519PublicKey.from_public_bytes(raw[1:])


def open_checkpoint(note: str, verifiers: list[Verifier]) -> tuple[str, int, bytes]:
    """(origin, size, root) of a checkpoint note signed by one of ``verifiers``."""
    split = note.rfind("\n\n")
    if split < 0 or not note.endswith("\n"):
        raise Failure("not a signed note")
    body, signatures = note[: split + 1], note[split + 2:]
    signed = False
    for line in signatures.splitlines():
        if not line.startswith(SIGNATURE_PREFIX):
            raise Failure("malformed signature line")
        try:
            name, blob = line[len(SIGNATURE_PREFIX):].split(" ")
            raw = base64.b64decode(blob, validate=True)
        except (ValueError, binascii.Error) as error:
            raise Failure("malformed signature line") from error
        for verifier in verifiers:
            if name == verifier.name and raw[:4] == verifier.key_id:
                try:
                    verifier.public_key.verify(raw[4:], body.encode())
                except InvalidSignature as error:
                    raise Failure("checkpoint signature does not verify") from error
                signed = True
    if not signed:
        raise Failure("checkpoint is not signed by the given key")
    lines = body.split("\n")[:-1]
    if len(lines) < 3 or not lines[1].isdigit():
        raise Failure("malformed checkpoint body")
    try:
        root = base64.b64decode(lines[2], validate=True)
    except binascii.Error as error:
        raise Failure("malformed checkpoint root") from error
    if len(root) != 32:
        raise Failure("checkpoint root is not 32 bytes")
    if not any(lines[0] == verifier.name for verifier in verifiers):
        raise Failure(f"checkpoint origin {lines[0]!r} is not the key's log")
    return lines[0], int(lines[1]), root


# --- events ------------------------------------------------------------------------------

def event_hash(event: dict[str, Any]) -> str:
    """SHA-256 of the canonical JSON: sorted keys, no spaces, UTF-8, and facets and
    detail hashed as strings holding their own canonical JSON."""
    fields = {name: event[name] for name in HASHED_FIELDS}
    fields["facets"] = _ENCODE(fields["facets"])
    fields["detail"] = _ENCODE(fields["detail"])
    return hashlib.sha256(_ENCODE(fields).encode()).hexdigest()


def _event_name(event: dict[str, Any]) -> str:
    return f"event #{event.get('id')} (event_id {event.get('event_id')})"


def verify_bundle(directory: Path, verifiers: list[Verifier], kept: list[str]) -> str:
    manifest_path = directory / "manifest.json"
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise UsageError(f"cannot read {manifest_path}: {error}") from error
    for name, expected in manifest.get("files", {}).items():
        digest = hashlib.sha256()
        try:
            with (directory / name).open("rb") as handle:
                for chunk in iter(lambda: handle.read(1 << 20), b""):  # noqa: B023
                    digest.update(chunk)
        except OSError as error:
            raise UsageError(f"cannot read {name}: {error}") from error
        if digest.hexdigest() != expected:
            # Not fatal by itself (the manifest is not signed): the checks below decide.
            sys.stderr.write(f"note: {name} differs from the manifest's SHA-256\n")

    problems: list[tuple[int, str]] = []
    heads: dict[str, tuple[int, str]] = {}
    leaves: dict[int, bytes] = {}
    previous_id = 0
    events = 0
    with (directory / "events.jsonl").open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            try:
                event = json.loads(line)
                missing = [name for name in (*HASHED_FIELDS, "id", "hash") if name not in event]
            except ValueError:
                problems.append((number, f"line {number} of events.jsonl is not JSON"))
                continue
            events += 1
            name = _event_name(event)
            if missing:
                problems.append((number, f"{name}: fields missing: {', '.join(missing)}"))
                continue
            if not isinstance(event["id"], int) or event["id"] <= previous_id:
                problems.append((number, f"{name}: out of order (ids must increase)"))
            previous_id = event["id"] if isinstance(event["id"], int) else previous_id
            digest = event_hash(event)
            if digest != event["hash"]:
                problems.append((number, f"{name}: its fields do not match its hash (edited)"))
            seq, prev = heads.get(event["chain"], (0, GENESIS))
            if event["chain_seq"] != seq + 1:
                problems.append((number, f"{name}: chain {event['chain']!r} jumps from seq {seq} "
                                         f"to {event['chain_seq']} (missing or reordered events)"))
            elif event["prev_hash"] != prev:
                problems.append((number, f"{name}: prev_hash does not link to the previous event "
                                         f"of its chain"))
            heads[event["chain"]] = (event["chain_seq"], event["hash"])
            index = event.get("leaf_index")
            if index is not None:
                if index in leaves:
                    problems.append((number, f"{name}: leaf index {index} used twice"))
                try:
                    leaves[index] = leaf_hash(bytes.fromhex(digest))
                except ValueError:
                    problems.append((number, f"{name}: malformed hash"))
    size = len(leaves)
    missing_leaf = next((index for index in range(size) if index not in leaves), None)
    if missing_leaf is not None:
        problems.append((1 << 62, f"tree leaf {missing_leaf} is missing (an event was removed)"))
        size = missing_leaf
    checkpoints: list[tuple[int, str]] = []
    with (directory / "checkpoints.jsonl").open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                record = json.loads(line)
                checkpoints.append((int(record["tree_size"]), str(record["note"])))
    opened_kept = []
    for path in kept:
        try:
            note = Path(path).read_text(encoding="utf-8")
        except OSError as error:
            raise UsageError(f"cannot read {path}: {error}") from error
        try:
            opened_kept.append((path, open_checkpoint(note, verifiers)))
        except Failure as error:
            problems.append((1 << 63, f"kept checkpoint {path}: {error}"))
    # One pass over the leaves gives the root at every size a checkpoint names.
    wanted = sorted({tree_size for tree_size, _ in checkpoints}
                    | {kept_size for _, (_, kept_size, _) in opened_kept})
    compact = CompactRange()
    roots: dict[int, bytes] = {0: compact.root()}
    position = 0
    for index in range(size):
        compact.append(leaves[index])
        while position < len(wanted) and wanted[position] <= compact.size:
            if wanted[position] == compact.size:
                roots[compact.size] = compact.root()
            position += 1
    verified = 0
    for tree_size, note in checkpoints:
        try:
            _, signed_size, root = open_checkpoint(note, verifiers)
        except Failure as error:
            problems.append((1 << 63, f"checkpoint of size {tree_size}: {error}"))
            continue
        if signed_size != tree_size:
            problems.append((1 << 63, f"checkpoint of size {tree_size}: signed size is {signed_size}"))
        elif signed_size not in roots:
            problems.append((1 << 63, f"checkpoint of size {signed_size}: the bundle has only "
                                      f"{size} leaves (events removed)"))
        elif roots[signed_size] != root:
            problems.append((1 << 63, f"checkpoint of size {signed_size}: root does not match "
                                      f"the tree recomputed from the events"))
        else:
            verified += 1
    for path, (_, kept_size, kept_root) in opened_kept:
        if kept_size not in roots:
            problems.append((1 << 63, f"kept checkpoint {path} (size {kept_size}) is beyond "
                                      f"this log's {size} leaves"))
        elif roots[kept_size] != kept_root:
            problems.append((1 << 63, f"kept checkpoint {path} (size {kept_size}): this log is "
                                      f"NOT an extension of it (history rewritten)"))
    if problems:
        problems.sort(key=lambda problem: problem[0])
        raise Failure(problems[0][1] + (f" (and {len(problems) - 1} more problems)"
                                        if len(problems) > 1 else ""))
    latest = max((tree_size for tree_size, _ in checkpoints), default=0)
    return (f"OK: {events} events, {verified} signed checkpoints verified; tree size {latest}, "
            f"root {base64.b64encode(roots.get(latest, compact.root())).decode()}"
            + (f"; {len(opened_kept)} kept checkpoint(s) are prefixes of this log"
               if opened_kept else ""))


def _b64(text: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, TypeError) as error:
        raise UsageError(f"malformed base64 {str(text)[:20]!r}") from error


def verify_inclusion_file(path: Path, verifiers: list[Verifier], event_path: str | None,
                          checkpoint_path: str | None) -> str:
    data = _read_json(path)
    note = Path(checkpoint_path).read_text(encoding="utf-8") if checkpoint_path else data.get("checkpoint")
    if not note:
        raise Failure("no signed checkpoint of that size to check the root against")
    _, size, root = open_checkpoint(note, verifiers)
    if size != data["tree_size"]:
        raise Failure(f"the checkpoint is for size {size}, the proof for {data['tree_size']}")
    event_hex = data["event_hash"]
    if event_path:
        event = _read_json(Path(event_path))
        if event_hash(event) != event["hash"] or event["hash"] != event_hex:
            raise Failure(f"{_event_name(event)} does not match the proof's event hash")
    leaf = leaf_hash(bytes.fromhex(event_hex))
    if _b64(data["leaf_hash"]) != leaf:
        raise Failure("leaf hash is not SHA-256(0x00 || event hash)")
    verify_inclusion(data["leaf_index"], size, leaf, [_b64(item) for item in data["proof"]], root)
    return f"OK: event {data['event_id']} is leaf {data['leaf_index']} of the signed tree of size {size}"


def verify_consistency_file(path: Path, verifiers: list[Verifier], old_path: str,
                            new_path: str | None) -> str:
    data = _read_json(path)
    _, old_size, old_root = open_checkpoint(Path(old_path).read_text(encoding="utf-8"), verifiers)
    new_note = Path(new_path).read_text(encoding="utf-8") if new_path else data.get("second_checkpoint")
    if not new_note:
        raise Failure("no signed checkpoint for the second size")
    _, new_size, new_root = open_checkpoint(new_note, verifiers)
    if (old_size, new_size) != (data["first"], data["second"]):
        raise Failure(f"proof is for sizes {data['first']}→{data['second']}, "
                      f"checkpoints are {old_size}→{new_size}")
    verify_consistency(old_size, new_size, old_root, new_root, [_b64(item) for item in data["proof"]])
    return f"OK: the log of size {new_size} extends your checkpoint of size {old_size}"


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise UsageError(f"cannot read {path}: {error}") from error


def _verifiers(options: argparse.Namespace, bundle: Path | None) -> list[Verifier]:
    text = options.public_key
    if text and Path(text).is_file():
        text = Path(text).read_text(encoding="utf-8")
    if not text and bundle is not None and (bundle / "public-key.txt").is_file():
        sys.stderr.write("warning: no --public-key given; trusting the bundle's own "
                         "public-key.txt (only proves internal consistency)\n")
        text = (bundle / "public-key.txt").read_text(encoding="utf-8")
    if not text:
        raise UsageError("--public-key is required")
    return [Verifier(line) for line in text.splitlines() if line.strip()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    bundle = commands.add_parser("bundle", help="verify an audit_export directory")
    bundle.add_argument("directory", type=Path)
    bundle.add_argument("--checkpoint", action="append", default=[], metavar="KEPT.txt",
                        help="a checkpoint note you kept earlier: must be a prefix of this log")
    inclusion = commands.add_parser("inclusion", help="verify /proofs/inclusion output")
    inclusion.add_argument("proof", type=Path)
    inclusion.add_argument("--event", help="the event JSON (from /events/<id>) to bind the proof to")
    inclusion.add_argument("--checkpoint", help="signed checkpoint note (default: the proof's)")
    consistency = commands.add_parser("consistency", help="verify /proofs/consistency output")
    consistency.add_argument("proof", type=Path)
    consistency.add_argument("--old-checkpoint", required=True, help="the checkpoint you kept")
    consistency.add_argument("--new-checkpoint", help="the newer checkpoint (default: the proof's)")
    for sub in (bundle, inclusion, consistency):
        sub.add_argument("--public-key", help="verifier key text, or a file holding it")
    options = parser.parse_args(argv)
    try:
        if options.command == "bundle":
            verifiers = _verifiers(options, options.directory)
            message = verify_bundle(options.directory, verifiers, options.checkpoint)
        elif options.command == "inclusion":
            message = verify_inclusion_file(options.proof, _verifiers(options, None),
                                            options.event, options.checkpoint)
        else:
            message = verify_consistency_file(options.proof, _verifiers(options, None),
                                              options.old_checkpoint, options.new_checkpoint)
    except UsageError as error:
        sys.stderr.write(f"error: {error}\n")
        return 2
    except (Failure, KeyError) as error:
        sys.stdout.write(f"FAIL: {error}\n")
        return 1
    sys.stdout.write(message + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
