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
import secrets
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

Actor = tuple[str, str]

SYSTEM: Actor = (AuditEvent.ActorType.SYSTEM, "sillage")
OPERATOR: Actor = (AuditEvent.ActorType.OPERATOR, "manage.py")

# "Sillage regulator token": recognisable in logs and by secret scanners.
TOKEN_PREFIX = "srt_"  # noqa: S105 (a prefix, not a secret)


def brand_application_actor(application: Any) -> Actor:
    """The audit actor for a brand's OAuth client: its public client id."""
    return (AuditEvent.ActorType.BRAND_APPLICATION, str(application.client_id))


def _lock_chain_head(chain: str) -> tuple[int, str]:
    """Lock this chain's head row (creating it at the genesis) and return (seq, hash).

    One statement: an upsert that takes the row lock whether it inserted or
    found the row. Writers of other chains are never blocked.
    """
    table = connection.ops.quote_name(ChainHead._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (chain, seq, head_hash) VALUES (%s, 0, %s) "  # noqa: S608
            f"ON CONFLICT (chain) DO UPDATE SET seq = {table}.seq RETURNING seq, head_hash",
            [chain, GENESIS],
        )
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
    tree at the next checkpoint. Constant work: four indexed statements,
    whatever the size of the log.
    """
    actor_type, actor_id = actor
    if outcome not in AuditEvent.Outcome.values:
        raise ValueError(f"unknown outcome {outcome!r}")
    chain = f"subject:{subject}" if subject else f"{actor_type}:{actor_id}"
    now = timezone.now()
    body: dict[str, Any] = {
        "event_id": str(uuid.uuid4()),
        "occurred_at": now.isoformat(timespec="microseconds"),
        "actor_type": str(actor_type),
        "actor_id": str(actor_id),
        "subject": str(subject),
        "action": action,
        "facets": sorted(set(facets)),
        "consent_id": str(consent_id or ""),
        "purpose": str(purpose or ""),
        "outcome": str(outcome),
        "request_id": request_id or "",
        "detail": dict(detail or {}),
        "chain": chain,
    }
    # No savepoint: a failure here must abort the caller's transaction, not be absorbed.
    with transaction.atomic(savepoint=False):
        seq, head_hash = _lock_chain_head(chain)
        body["chain_seq"] = seq + 1
        body["prev_hash"] = head_hash
        digest = event_hash(body)
        event = AuditEvent(
            event_id=uuid.UUID(body["event_id"]),
            occurred_at=now,
            actor_type=body["actor_type"],
            actor_id=body["actor_id"],
            subject=body["subject"],
            action=action,
            facets=body["facets"],
            consent_id=body["consent_id"],
            purpose=body["purpose"],
            outcome=body["outcome"],
            request_id=body["request_id"],
            detail=body["detail"],
            chain=chain,
            chain_seq=body["chain_seq"],
            prev_hash=head_hash,
            hash=digest,
        )
        event.save()
        PendingLeaf.objects.bulk_create(
            [PendingLeaf(event_pk=event.pk, event_id=event.event_id, event_hash=digest)]
        )
        ChainHead.objects.filter(chain=chain).update(seq=body["chain_seq"], head_hash=digest)
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
                    pending: Sequence[tuple[int, uuid.UUID, str]]) -> tuple[int, dict]:
    leaf_hashes = [merkle.leaf_hash(bytes.fromhex(event_hash_hex)) for _, _, event_hash_hex in pending]
    MerkleLeaf.objects.bulk_create(
        [MerkleLeaf(index=size + offset, event_pk=event_pk, event_id=event_id, hash=digest)
         for offset, ((event_pk, event_id, _), digest) in enumerate(zip(pending, leaf_hashes,
                                                                        strict=True))],
        batch_size=1_000,
    )
    created = merkle.extend(size, frontier, leaf_hashes)
    MerkleNode.objects.bulk_create(
        [MerkleNode(level=level, index=index, hash=digest) for level, index, digest in created],
        batch_size=1_000,
    )
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
    batch = int(batch_size or signing.audit_option("SEQUENCE_BATCH_SIZE"))  # type: ignore[call-overload]
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
    days = lifetime_days if lifetime_days is not None else int(
        signing.audit_option("TOKEN_LIFETIME_DAYS"))  # type: ignore[call-overload]
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
