"""Writing to the audit log.

``audit_append`` is called inside the transaction of the action it records: if
the action rolls back so does its event, and if the event cannot be written the
action fails. ``checkpoint_issue`` places committed events in the Merkle tree
and signs a checkpoint; the rest are the regulator use cases (accounts, API
tokens) and the record of verification runs.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import secrets
import time
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from . import merkle, signing
from .hashing import GENESIS, event_hash
from .models import (
    AuditEvent,
    ChainHead,
    Checkpoint,
    MerkleLeaf,
    MerkleNode,
    PendingLeaf,
    RegulatorToken,
    TreeHead,
    VerificationRun,
)
from .note import Checkpoint as CheckpointBody
from .rows import insert_many

Actor = tuple[str, str]

SYSTEM: Actor = (AuditEvent.ActorType.SYSTEM, "sillage")
OPERATOR: Actor = (AuditEvent.ActorType.OPERATOR, "manage.py")

# "Sillage regulator token": recognisable in logs and by secret scanners.
TOKEN_PREFIX = "srt_"  # noqa: S105 (a prefix, not a secret)


def uuid7() -> uuid.UUID:
    """A time-ordered UUID (RFC 9562 version 7): 48-bit milliseconds, then randomness.

    Event ids grow with time, so the unique index on them is appended to at its
    right edge instead of at random pages: part of keeping appends flat as the
    log grows.
    """
    milliseconds = time.time_ns() // 1_000_000
    value = (milliseconds & ((1 << 48) - 1)) << 80 | int.from_bytes(os.urandom(10)) & ((1 << 80) - 1)
    value = value & ~(0xF << 76) | (0x7 << 76)  # version 7
    value = value & ~(0x3 << 62) | (0x2 << 62)  # RFC 4122 variant
    return uuid.UUID(int=value)


class _Statements:
    """The four statements of an append, built once per database vendor.

    Raw SQL on the hot path: the ORM's per-call query compilation cost more than
    the statements themselves (about half of each append).
    """

    def __init__(self) -> None:
        quote = connection.ops.quote_name
        heads, events, pending = (quote(model._meta.db_table)
                                  for model in (ChainHead, AuditEvent, PendingLeaf))
        self.fields: list[Any] = [AuditEvent._meta.get_field(name) for name in _EVENT_COLUMNS]
        self.pending_event_id = PendingLeaf._meta.get_field("event_id")
        values = ", ".join(["%s"] * len(_EVENT_COLUMNS))
        self.lock_head = (
            f"INSERT INTO {heads} (chain, seq, head_hash) VALUES (%s, 0, %s) "  # noqa: S608
            f"ON CONFLICT (chain) DO UPDATE SET seq = {heads}.seq RETURNING seq, head_hash"
        )
        self.insert_event = (
            f"INSERT INTO {events} ({', '.join(quote(name) for name in _EVENT_COLUMNS)}) "  # noqa: S608
            f"VALUES ({values}) RETURNING {quote('id')}"
        )
        self.insert_pending = (
            f"INSERT INTO {pending} (event_pk, event_id, event_hash) VALUES (%s, %s, %s)"  # noqa: S608
        )
        self.move_head = f"UPDATE {heads} SET seq = %s, head_hash = %s WHERE chain = %s"  # noqa: S608
        # PostgreSQL runs all three writes in one statement (one round trip instead
        # of three): data-modifying CTEs, all applied or none.
        self.combined = ""
        if connection.vendor == "postgresql":
            self.combined = (
                f"WITH e AS ({self.insert_event}), "  # noqa: S608 (table names only)
                f"p AS (INSERT INTO {pending} (event_pk, event_id, event_hash) "
                f"SELECT id, %s, %s FROM e), "
                f"h AS (UPDATE {heads} SET seq = %s, head_hash = %s WHERE chain = %s) "
                f"SELECT id FROM e"
            )


_EVENT_COLUMNS = ("event_id", "occurred_at", "actor_type", "actor_id", "subject", "action",
                  "facets", "consent_id", "purpose", "outcome", "request_id", "detail", "chain",
                  "chain_seq", "prev_hash", "hash")
_statements: dict[str, _Statements] = {}


def _sql() -> _Statements:
    statements = _statements.get(connection.alias)
    if statements is None:
        statements = _statements[connection.alias] = _Statements()
    return statements


def _lock_chain_head(chain: str) -> tuple[int, str]:
    """Lock this chain's head row (creating it at the genesis) and return (seq, hash).

    One statement: an upsert that takes the row lock whether it inserted or
    found the row. Writers of other chains are never blocked.
    """
    with connection.cursor() as cursor:
        cursor.execute(_sql().lock_head, [chain, GENESIS])
        seq, head_hash = cursor.fetchone()
    return int(seq), str(head_hash)


def audit_append(
    *,
    actor: Actor,
    action: str,
    subject: str = "",
    facets: Iterable[str] = (),
    consent_id: str = "",
    purpose: str = "",
    outcome: str = AuditEvent.Outcome.ALLOWED,
    request_id: str = "",
    detail: Mapping[str, Any] | None = None,
) -> AuditEvent:
    """Append one event to its chain (the subject's, else the actor's).

    Only the chain's head row is locked, so writers for different subjects never
    wait on each other (no global lock on the hot path). The event also joins
    the sequencer's queue in this transaction; it gets its place in the Merkle
    tree at the next checkpoint. Constant work whatever the size of the log:
    four indexed writes (two statements on PostgreSQL).
    """
    actor_type, actor_id = actor
    if outcome not in AuditEvent.Outcome.values:
        raise ValueError(f"unknown outcome {outcome!r}")
    chain = f"subject:{subject}" if subject else f"{actor_type}:{actor_id}"
    now = timezone.now()
    event_id = uuid7()
    body: dict[str, Any] = {
        "event_id": str(event_id),
        "occurred_at": now.isoformat(timespec="microseconds"),
        "actor_type": str(actor_type),
        "actor_id": str(actor_id),
        "subject": str(subject),
        "action": str(action),
        "facets": sorted(set(facets)),
        "consent_id": str(consent_id or ""),
        "purpose": str(purpose or ""),
        "outcome": str(outcome),
        "request_id": str(request_id or ""),
        "detail": dict(detail or {}),
        "chain": chain,
    }
    sql = _sql()
    # No savepoint: a failure here must abort the caller's transaction, not be absorbed.
    with transaction.atomic(savepoint=False):
        seq, head_hash = _lock_chain_head(chain)
        body["chain_seq"] = seq + 1
        body["prev_hash"] = head_hash
        digest = event_hash(body)
        values = {**body, "event_id": event_id, "occurred_at": now, "hash": digest}
        event = AuditEvent(**values)
        columns = [field.get_db_prep_save(values[field.name], connection) for field in sql.fields]
        queued_id = sql.pending_event_id.get_db_prep_value(event_id, connection)
        with connection.cursor() as cursor:
            if sql.combined:
                cursor.execute(sql.combined, [*columns, queued_id, digest,
                                              body["chain_seq"], digest, chain])
                event.pk = cursor.fetchone()[0]
            else:
                cursor.execute(sql.insert_event, columns)
                event.pk = cursor.fetchone()[0]
                cursor.execute(sql.insert_pending, [event.pk, queued_id, digest])
                cursor.execute(sql.move_head, [body["chain_seq"], digest, chain])
    event._state.adding = False
    return event


def audit_viewed(
    *, actor: Actor, view: str, filters: Mapping[str, Any] | None = None,
    results: int | None = None, request_id: str = "",
) -> AuditEvent:
    """Record a regulator's query (portal page or API call): what was asked, not what was seen."""
    detail: dict[str, Any] = {"view": view}
    if filters:
        detail["filters"] = {key: str(value) for key, value in sorted(filters.items())
                             if value not in (None, "")}
    if results is not None:
        detail["results"] = results
    return audit_append(actor=actor, action="audit.viewed", request_id=request_id, detail=detail)


# --- sequencing and checkpoints -------------------------------------------------------

@dataclass(frozen=True)
class CheckpointResult:
    checkpoint: Checkpoint
    created: bool
    sequenced: int


def _node_hashes(keys: Iterable[merkle.NodeKey]) -> dict[merkle.NodeKey, bytes]:
    """Stored hashes of perfect subtrees (level 0: the leaves), in two queries at most."""
    from .selectors import tree_nodes

    return tree_nodes(set(keys))


def _sequence_batch(size: int, frontier: dict[merkle.NodeKey, bytes],
                    pending: Sequence[tuple[int, Any, str]]) -> tuple[int, dict]:
    """Give ``pending`` events the next leaf indices and write the nodes they complete."""
    leaf_hashes = [merkle.leaf_hash(bytes.fromhex(event_hash_hex)) for _, _, event_hash_hex in pending]
    event_id_field = MerkleLeaf._meta.get_field("event_id")
    insert_many(MerkleLeaf, ("index", "event_pk", "event_id", "hash"), [
        (size + offset, event_pk, event_id_field.get_db_prep_value(event_id, connection), digest)
        for offset, ((event_pk, event_id, _), digest) in enumerate(zip(pending, leaf_hashes,
                                                                       strict=True))
    ])
    created = merkle.extend(size, frontier, leaf_hashes)
    insert_many(MerkleNode, ("level", "index", "hash"), created)
    taken = [event_pk for event_pk, _, _ in pending]
    for start in range(0, len(taken), 2_000):
        PendingLeaf.objects.filter(event_pk__in=taken[start:start + 2_000]).delete()
    new_size = size + len(pending)
    known: dict[merkle.NodeKey, bytes] = dict(frontier)
    known.update({(level, index): digest for level, index, digest in created})
    known.update({(0, size + offset): digest for offset, digest in enumerate(leaf_hashes)})
    return new_size, {key: known[key] for key in merkle.frontier_keys(new_size)}


def checkpoint_issue(*, batch_size: int | None = None) -> CheckpointResult:
    """Sequence every committed pending event into the tree and sign a checkpoint.

    Runs under the tree head's row lock (the only global lock, taken by this
    step alone, never by writers of events). Pending events become leaves in
    event id order; an event whose transaction commits later simply joins a
    later checkpoint, so each checkpoint covers a gap-free prefix that never
    changes. No new event: the latest checkpoint is returned as it is.
    """
    batch = batch_size or signing.option_int("SEQUENCE_BATCH_SIZE")
    signing.signing_key()  # fail before doing any work when the key is missing
    with transaction.atomic(durable=True):
        TreeHead.objects.bulk_create([TreeHead(id=1)], ignore_conflicts=True)
        head = TreeHead.objects.select_for_update().get(id=1)
        size = head.size
        frontier = _node_hashes(merkle.frontier_keys(size))
        sequenced = 0
        while True:
            pending = list(
                PendingLeaf.objects.order_by("event_pk")
                .values_list("event_pk", "event_id", "event_hash")[:batch]
            )
            if not pending:
                break
            size, frontier = _sequence_batch(size, frontier, pending)
            sequenced += len(pending)
        latest = Checkpoint.objects.order_by("-tree_size").first()
        if latest is not None and latest.tree_size == size:
            return CheckpointResult(checkpoint=latest, created=False, sequenced=0)
        root = merkle.fold_range([frontier[key] for key in merkle.frontier_keys(size)])
        body = CheckpointBody(origin=signing.origin(), size=size, root=root)
        verifier = signing.verifier()
        checkpoint = Checkpoint(
            tree_size=size, root_hash=root, origin=body.origin, key_id=verifier.key_id.hex(),
            note=signing.sign_checkpoint(body), issued_at=timezone.now(),
        )
        checkpoint.save()
        TreeHead.objects.filter(id=1).update(size=size, root_hash=root)
    return CheckpointResult(checkpoint=checkpoint, created=True, sequenced=sequenced)


# --- regulators -------------------------------------------------------------------------

def _token_digest(token: str) -> str:
    """Tokens are 256-bit random values, so a fast hash is enough to make a stolen
    table useless: there is nothing to guess."""
    return hashlib.sha256(token.encode()).hexdigest()


def regulator_token_create(
    *, user: Any, name: str, actor: Actor, lifetime_days: int | None = None,
    request_id: str = "",
) -> tuple[RegulatorToken, str]:
    """Make an API token for a regulator; returns it in clear this once only."""
    from portal.models import User

    if user.role != User.Role.REGULATOR or not user.is_active:
        raise ValueError("API tokens are for active regulator accounts only.")
    name = name.strip()[:80] or "API token"
    days = lifetime_days if lifetime_days is not None else signing.option_int("TOKEN_LIFETIME_DAYS")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = timezone.now()
    with transaction.atomic():
        record = RegulatorToken.objects.create(
            user=user, name=name, digest=_token_digest(token), prefix=token[:10],
            created_at=now, expires_at=now + dt.timedelta(days=days) if days > 0 else None,
        )
        audit_append(actor=actor, action="regulator.token_created", request_id=request_id,
                     detail={"token": record.prefix, "regulator": str(user.pk)})
    return record, token


def regulator_token_revoke(*, token: RegulatorToken, actor: Actor, request_id: str = "") -> None:
    with transaction.atomic():
        updated = RegulatorToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now())
        if updated:
            audit_append(actor=actor, action="regulator.token_revoked", request_id=request_id,
                         detail={"token": token.prefix, "regulator": str(token.user_id)})


def regulator_token_user(*, token: str) -> tuple[Any, RegulatorToken] | None:
    """The regulator behind a presented token, or None (unknown, revoked, expired)."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 100:
        return None
    record = (RegulatorToken.objects.select_related("user")
              .filter(digest=_token_digest(token), revoked_at__isnull=True).first())
    if record is None:
        return None
    if record.expires_at is not None and record.expires_at <= timezone.now():
        return None
    return record.user, record


def regulator_create(*, email: str, actor: Actor, request_id: str = "") -> tuple[Any, str]:
    """Create a regulator account with a random one-time password (returned once).

    The regulator logs in at /accounts/login/ and should change it at once (or
    use the password reset); their own logins are audited like everyone's.
    """
    from portal.models import User
    from portal.services import account_create

    password = secrets.token_urlsafe(18)
    with transaction.atomic():
        user = account_create(email=email, password=password, role=User.Role.REGULATOR,
                              request_id=request_id)
        audit_append(actor=actor, action="regulator.created", request_id=request_id,
                     detail={"regulator": str(user.pk)})
    return user, password


def verification_record(*, report: Any) -> VerificationRun:
    """Keep the outcome of a full verification for the integrity status page."""
    first = report.problems[0].describe() if report.problems else ""
    return VerificationRun.objects.create(
        started_at=report.started_at, finished_at=report.finished_at, ok=report.ok,
        events_verified=report.events, checkpoints_verified=report.checkpoints,
        tree_size=report.tree_size, first_problem=first[:2000], problems=len(report.problems),
    )
