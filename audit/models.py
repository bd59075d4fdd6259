"""Append-only audit events, hash-chained per subject, sequenced into a Merkle
tree with signed checkpoints (the design is explained in
docs/regulator.md).

Rows are written once, in the same transaction as what they record, and never
changed: the models and their querysets refuse updates and deletes (on
PostgreSQL a trigger refuses them too). Events hold no personal values: the
subject is the vault's pseudonymous id and facets are names, not contents.

Tables and why each exists:

* ``AuditEvent``: the events. ``hash`` covers every field and ``prev_hash``
  links to the previous event of the same chain (the subject's, else the
  actor's), so a change to a row breaks its own hash and a removal breaks the
  chain.
* ``ChainHead``: the latest link of each chain, locked row by row by writers of
  that chain only (no global lock on the hot path).
* ``PendingLeaf``: events written but not yet placed in the tree. A row is
  inserted in the event's own transaction, so only committed events are ever
  seen by the sequencer, whatever order their ids were allocated in.
* ``MerkleLeaf``: the tree order. The checkpoint step moves pending events to
  consecutive leaf indices under the ``TreeHead`` lock, so every checkpoint
  covers a gap-free prefix that never changes afterwards.
* ``MerkleNode``: hashes of perfect subtrees (level >= 1), written once when
  complete, so roots and proofs never recompute the whole tree.
* ``Checkpoint``: signed tree heads.
* ``VerificationRun``: outcomes of ``audit_verify``, shown as integrity status.

The Merkle and pending tables hold plain event ids, not foreign keys: a row
removed from the events table behind the application's back must leave a
dangling reference that verification reports, not make the removal fail.
"""

from __future__ import annotations

import uuid
from typing import Any, NoReturn

from django.db import models

from core.actors import ActorType

from .errors import AppendOnlyError
from .fields import CanonicalJSONField


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("%(rows)s cannot be updated", rows=self.model._meta.verbose_name_plural)

    def delete(self) -> NoReturn:  # type: ignore[override]
        raise AppendOnlyError("%(rows)s cannot be deleted", rows=self.model._meta.verbose_name_plural)

    def bulk_update(self, *args: Any, **kwargs: Any) -> NoReturn:  # type: ignore[override]
        raise AppendOnlyError("%(rows)s cannot be updated", rows=self.model._meta.verbose_name_plural)


class AppendOnlyModel(models.Model):
    """Written once: ``save`` only inserts, ``delete`` refuses."""

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("%(rows)s cannot be updated", rows=self._meta.verbose_name_plural)
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("%(rows)s cannot be deleted", rows=self._meta.verbose_name_plural)


class AuditEvent(AppendOnlyModel):
    class Outcome(models.TextChoices):
        ALLOWED = "allowed"
        DENIED = "denied"

    ActorType = ActorType

    id = models.BigAutoField(primary_key=True)
    event_id = models.UUIDField(unique=True, default=uuid.uuid4, editable=False)
    occurred_at = models.DateTimeField(db_index=True)
    actor_type = models.CharField(max_length=24, choices=ActorType.choices)
    actor_id = models.CharField(max_length=80, blank=True)
    # The audit selectors find a subject's events through their chain
    # ("subject:<id>") and its unique (chain, chain_seq) index; this index serves
    # other apps' queries by subject (analytics' data footprint).
    subject = models.CharField(max_length=80, blank=True, db_index=True)
    action = models.CharField(max_length=48, db_index=True)
    facets = CanonicalJSONField(default=list)
    consent_id = models.CharField(max_length=64, blank=True)
    purpose = models.CharField(max_length=40, blank=True)
    outcome = models.CharField(max_length=8, choices=Outcome.choices, default=Outcome.ALLOWED)
    request_id = models.CharField(max_length=64, blank=True)
    detail = CanonicalJSONField(default=dict)
    # Per-chain hash linking: chain is the subject, or the actor for subject-less events.
    chain = models.CharField(max_length=120)
    chain_seq = models.PositiveBigIntegerField()
    prev_hash = models.CharField(max_length=64)
    # Not indexed: nothing looks events up by hash, and a unique index over
    # random values would cost every append a random page write.
    hash = models.CharField(max_length=64)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["chain", "chain_seq"], name="audit_chain_seq_unique")
        ]
        indexes = [
            # Regulator search by brand application or any actor.
            models.Index(fields=["actor_type", "actor_id", "id"], name="audit_actor_id"),
        ]

    def __str__(self) -> str:
        return f"{self.action} #{self.id}"


class ChainHead(models.Model):
    """Latest link of each chain; locked row by row, never globally."""

    chain = models.CharField(max_length=120, primary_key=True)
    seq = models.PositiveBigIntegerField(default=0)
    head_hash = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"{self.chain}@{self.seq}"


class PendingLeaf(models.Model):
    """An event committed but not yet in the tree (the sequencer's queue)."""

    event_pk = models.BigIntegerField(primary_key=True)
    event_id = models.UUIDField()
    event_hash = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"pending #{self.event_pk}"


class MerkleLeaf(AppendOnlyModel):
    """Leaf ``index`` of the tree: SHA-256(0x00 || event hash) of one event."""

    index = models.BigIntegerField(primary_key=True)
    event_pk = models.BigIntegerField(unique=True)
    event_id = models.UUIDField()
    hash = models.BinaryField(max_length=32)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["index"]

    def __str__(self) -> str:
        return f"leaf {self.index}"


class MerkleNode(AppendOnlyModel):
    """Hash of the perfect subtree over leaves [index * 2**level, (index + 1) * 2**level)."""

    pk = models.CompositePrimaryKey("level", "index")
    level = models.PositiveSmallIntegerField()
    index = models.BigIntegerField()
    hash = models.BinaryField(max_length=32)

    objects = AppendOnlyQuerySet.as_manager()

    def __str__(self) -> str:
        return f"node {self.level}/{self.index}"


class TreeHead(models.Model):
    """The tree's current size: one row, locked only by the checkpoint step."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    size = models.BigIntegerField(default=0)
    root_hash = models.BinaryField(max_length=32, default=b"")

    def __str__(self) -> str:
        return f"tree of {self.size}"


class Checkpoint(AppendOnlyModel):
    """A signed tree head: C2SP tlog-checkpoint body in a C2SP signed note."""

    id = models.BigAutoField(primary_key=True)
    tree_size = models.BigIntegerField(unique=True)
    root_hash = models.BinaryField(max_length=32)
    origin = models.CharField(max_length=200)
    key_id = models.CharField(max_length=8)
    note = models.TextField()
    issued_at = models.DateTimeField(db_index=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["tree_size"]
        get_latest_by = "tree_size"

    def __str__(self) -> str:
        return f"checkpoint {self.tree_size}"


class VerificationRun(AppendOnlyModel):
    """One run of the full verification, kept for the integrity status page."""

    id = models.BigAutoField(primary_key=True)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField()
    ok = models.BooleanField()
    events_verified = models.BigIntegerField()
    checkpoints_verified = models.IntegerField()
    tree_size = models.BigIntegerField()
    # First problem found (event id and reason), empty when the log is intact.
    first_problem = models.TextField(blank=True)
    problems = models.IntegerField(default=0)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        get_latest_by = "id"

    def __str__(self) -> str:
        return f"verification {self.id}: {'ok' if self.ok else 'FAILED'}"
