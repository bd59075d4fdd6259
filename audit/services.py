"""Writing audit events. Call inside the transaction of the action recorded:
if the action rolls back so does its event, and if the event cannot be written
the action fails."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone

from .hashing import GENESIS, event_hash
from .models import AuditEvent, ChainHead

Actor = tuple[str, str]

SYSTEM: Actor = (AuditEvent.ActorType.SYSTEM, "sillage")


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
    wait on each other (no global lock on the hot path).
    """
    actor_type, actor_id = actor
    chain = f"subject:{subject}" if subject else f"{actor_type}:{actor_id}"
    body: dict[str, Any] = {
        "event_id": str(uuid.uuid4()),
        "occurred_at": timezone.now().isoformat(timespec="microseconds"),
        "actor_type": str(actor_type),
        "actor_id": str(actor_id),
        "subject": str(subject),
        "action": action,
        "facets": sorted(set(facets)),
        "consent_id": str(consent_id),
        "purpose": purpose,
        "outcome": str(outcome),
        "request_id": request_id,
        "detail": dict(detail or {}),
        "chain": chain,
    }
    with transaction.atomic():
        ChainHead.objects.bulk_create(
            [ChainHead(chain=chain, seq=0, head_hash=GENESIS)], ignore_conflicts=True
        )
        head = ChainHead.objects.select_for_update().get(chain=chain)
        body["chain_seq"] = head.seq + 1
        body["prev_hash"] = head.head_hash
        digest = event_hash(body)
        event = AuditEvent(
            event_id=uuid.UUID(body["event_id"]),
            occurred_at=dt.datetime.fromisoformat(body["occurred_at"]),
            actor_type=body["actor_type"],
            actor_id=body["actor_id"],
            subject=body["subject"],
            action=action,
            facets=body["facets"],
            consent_id=body["consent_id"],
            purpose=purpose,
            outcome=body["outcome"],
            request_id=request_id,
            detail=body["detail"],
            chain=chain,
            chain_seq=body["chain_seq"],
            prev_hash=body["prev_hash"],
            hash=digest,
        )
        event.save()
        ChainHead.objects.filter(chain=chain).update(seq=body["chain_seq"], head_hash=digest)
    return event
