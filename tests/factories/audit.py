"""Audit: events as a brand's reads write them, and a seeded log with a
checkpoint in the middle."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from accounts.models import User
from audit.models import AuditEvent
from audit.services import audit_append, checkpoint_issue

from .accounts import create_consumer


def brand_read(*, subject: str, app: str = "client-acme", facets: Sequence[str] = ("contact",),
               outcome: str = "allowed", consent_id: str = "", purpose: str = "loyalty",
               detail: Mapping[str, Any] | None = None) -> AuditEvent:
    """The event of a brand application ``app`` reading ``facets`` of ``subject``."""
    return audit_append(actor=("brand_application", app), action="facet.read", subject=subject,
                        facets=facets, consent_id=consent_id, purpose=purpose, outcome=outcome,
                        request_id="req-test", detail=detail)


@dataclass
class SeededLog:
    alice: User
    bob: User
    events: list[AuditEvent]


def seed_log() -> SeededLog:
    """Two consumers, brand reads and consent events on both, a checkpoint in
    the middle, another at the end, and one read after it (still queued)."""
    alice, bob = create_consumer(), create_consumer()
    of_alice, of_bob = str(alice.vault.subject), str(bob.vault.subject)
    events = []
    for round_number in range(6):
        events.append(brand_read(subject=of_alice, consent_id=f"c-alice-{round_number % 2}"))
        events.append(brand_read(subject=of_bob, app="client-globex", facets=("purchases",),
                                 outcome="denied" if round_number % 3 == 0 else "allowed"))
        if round_number == 2:
            checkpoint_issue()
    events.append(audit_append(actor=("consumer", of_alice), action="consent.revoked",
                               subject=of_alice, consent_id="c-alice-0"))
    events.append(audit_append(actor=("system", "retention"), action="data.expired"))
    checkpoint_issue()
    events.append(brand_read(subject=of_alice))  # after the last checkpoint: still queued
    return SeededLog(alice=alice, bob=bob, events=events)
