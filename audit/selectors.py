"""Reads of the audit log, scoped to who is reading.

Consumers read only their own subject's events (``events_for_subject``);
regulators read across subjects (``events_search``, statistics, proofs). Brand
staff read nothing here. Events never hold vault contents, so nothing a
regulator reads can reveal a personal value either.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Max, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from oauth2_provider.models import get_application_model

from . import merkle
from .errors import ProofUnavailable
from .models import AuditEvent, Checkpoint, MerkleLeaf, MerkleNode, PendingLeaf, VerificationRun

BRAND_ACTOR = AuditEvent.ActorType.BRAND_APPLICATION


# --- tree nodes and proofs ----------------------------------------------------------------

def tree_nodes(keys: set[merkle.NodeKey]) -> dict[merkle.NodeKey, bytes]:
    """Stored perfect-subtree hashes for ``keys`` (level 0 are the leaves); two queries."""
    found: dict[merkle.NodeKey, bytes] = {}
    leaves = [index for level, index in keys if level == 0]
    if leaves:
        for index, digest in MerkleLeaf.objects.filter(index__in=leaves).values_list("index", "hash"):
            found[(0, index)] = bytes(digest)
    by_level: dict[int, list[int]] = defaultdict(list)
    for level, index in keys:
        if level:
            by_level[level].append(index)
    if by_level:
        condition = Q()
        for level, indices in by_level.items():
            condition |= Q(level=level, index__in=indices)
        for level, index, digest in MerkleNode.objects.filter(condition).values_list(
                "level", "index", "hash"):
            found[(level, index)] = bytes(digest)
    return found


def latest_checkpoint() -> Checkpoint | None:
    return Checkpoint.objects.order_by("-tree_size").first()


def checkpoint_of_size(size: int) -> Checkpoint | None:
    return Checkpoint.objects.filter(tree_size=size).first()


def tree_size() -> int:
    """Leaves in the tree (the latest checkpoint's size: both move in one transaction)."""
    latest = latest_checkpoint()
    return latest.tree_size if latest else 0


def root_at(size: int) -> bytes:
    return merkle.root_from_nodes(size, tree_nodes)


def consistency_proof_hashes(first: int, second: int) -> list[bytes]:
    if first == second or first == 0:
        return []
    return merkle.resolve_ranges(merkle.consistency_ranges(first, second), tree_nodes)


@dataclass(frozen=True)
class InclusionProof:
    event_id: uuid.UUID
    leaf_index: int
    tree_size: int
    leaf_hash: bytes
    event_hash: str
    root_hash: bytes
    proof: list[bytes]
    checkpoint: Checkpoint | None


def inclusion_proof(*, event_id: uuid.UUID, tree_size: int | None = None) -> InclusionProof:
    """Proof that an event is leaf ``i`` of the tree of ``tree_size`` (default: latest checkpoint)."""
    latest = latest_checkpoint()
    if latest is None:
        raise ProofUnavailable(gettext_lazy("No checkpoint has been issued yet."))
    size = latest.tree_size if tree_size is None else tree_size
    if not 0 < size <= latest.tree_size:
        raise ProofUnavailable(gettext_lazy("Tree size must be between 1 and %(size)d."),
                               size=latest.tree_size)
    leaf = MerkleLeaf.objects.filter(event_id=event_id).first()
    if leaf is None:
        if PendingLeaf.objects.filter(event_id=event_id).exists():
            raise ProofUnavailable(
                gettext_lazy("The event is not in a checkpoint yet; try after the next one."))
        raise ProofUnavailable(gettext_lazy("No such event."))
    if leaf.index >= size:
        raise ProofUnavailable(gettext_lazy("The event joined the tree after size %(size)d."), size=size)
    ranges = merkle.inclusion_ranges(leaf.index, size)
    hashes = merkle.resolve_ranges([*ranges, (0, size)], tree_nodes)
    event_hash = AuditEvent.objects.filter(pk=leaf.event_pk).values_list("hash", flat=True).first()
    return InclusionProof(
        event_id=event_id, leaf_index=leaf.index, tree_size=size, leaf_hash=bytes(leaf.hash),
        event_hash=event_hash or "", root_hash=hashes[-1], proof=hashes[:-1],
        checkpoint=checkpoint_of_size(size),
    )


@dataclass(frozen=True)
class ConsistencyProof:
    first: int
    second: int
    first_root: bytes
    second_root: bytes
    proof: list[bytes]
    first_checkpoint: Checkpoint | None
    second_checkpoint: Checkpoint | None


def consistency_proof(*, first: int, second: int | None = None) -> ConsistencyProof:
    """Proof that the tree of size ``first`` is a prefix of the tree of size ``second``."""
    latest = latest_checkpoint()
    if latest is None:
        raise ProofUnavailable(gettext_lazy("No checkpoint has been issued yet."))
    second = latest.tree_size if second is None else second
    if not 0 <= first <= second <= latest.tree_size:
        raise ProofUnavailable(gettext_lazy("Sizes must satisfy 0 <= first <= second <= %(size)d."),
                               size=latest.tree_size)
    return ConsistencyProof(
        first=first, second=second, first_root=root_at(first), second_root=root_at(second),
        proof=consistency_proof_hashes(first, second),
        first_checkpoint=checkpoint_of_size(first), second_checkpoint=checkpoint_of_size(second),
    )


def leaf_indices(event_pks: Iterable[int]) -> dict[int, int]:
    return dict(MerkleLeaf.objects.filter(event_pk__in=list(event_pks))
                .values_list("event_pk", "index"))


# --- actors ------------------------------------------------------------------------------

@dataclass(frozen=True)
class BrandRef:
    name: str
    slug: str
    application: str


def _application_model() -> Any:
    """The brands' OAuth application model (the toolkit's swappable model, so
    audit reads it without importing the brands app)."""
    return get_application_model()


def brand_applications(actor_ids: Iterable[str]) -> dict[str, BrandRef]:
    """Brand and application behind brand-application actor ids (client id or pk)."""
    ids = {str(value) for value in actor_ids if value}
    if not ids:
        return {}
    application_model = _application_model()
    numeric = [int(value) for value in ids if value.isdigit()]
    condition = Q(client_id__in=ids)
    if numeric:
        condition |= Q(pk__in=numeric)
    found: dict[str, BrandRef] = {}
    for pk, client_id, app_name, brand_name, slug in (
        application_model.objects.filter(condition)
        .values_list("pk", "client_id", "name", "brand__name", "brand__slug")
    ):
        ref = BrandRef(name=brand_name or app_name or client_id, slug=slug or "", application=app_name)
        for key in (str(pk), client_id):
            if key in ids:
                found[key] = ref
    return found


def brand_actor_ids(slug: str) -> list[str]:
    """Every actor id a brand's applications may appear under (client id and pk)."""
    application_model = _application_model()
    ids: list[str] = []
    for pk, client_id in application_model.objects.filter(brand__slug=slug).values_list(
            "pk", "client_id"):
        ids.extend([str(pk), client_id])
    return ids


def actor_labels(pairs: Iterable[tuple[str, str]], *, viewer_subject: str = "") -> dict[tuple[str, str], str]:
    """Human labels for actors: brand names for applications, "you" for the viewer."""
    pairs = set(pairs)
    brands = brand_applications(actor_id for actor_type, actor_id in pairs if actor_type == BRAND_ACTOR)
    labels: dict[tuple[str, str], str] = {}
    for actor_type, actor_id in pairs:
        if actor_type == BRAND_ACTOR:
            ref = brands.get(actor_id)
            labels[(actor_type, actor_id)] = (
                ref.name if ref else _("Brand application %(id)s") % {"id": actor_id[:12]})
        elif actor_type == AuditEvent.ActorType.CONSUMER:
            labels[(actor_type, actor_id)] = (
                _("You") if viewer_subject and actor_id == viewer_subject
                else _("Consumer %(id)s") % {"id": actor_id[:8]})
        elif actor_type == AuditEvent.ActorType.REGULATOR:
            labels[(actor_type, actor_id)] = _("A regulator")
        elif actor_type == AuditEvent.ActorType.BRAND_STAFF:
            labels[(actor_type, actor_id)] = _("A brand's staff")
        elif actor_type == AuditEvent.ActorType.STAFF:
            labels[(actor_type, actor_id)] = _("Sillage staff")
        elif actor_type == AuditEvent.ActorType.OPERATOR:
            labels[(actor_type, actor_id)] = _("Sillage operator")
        else:
            labels[(actor_type, actor_id)] = _("Sillage (automatic: %(what)s)") % {"what": actor_id}
    return labels


# --- consumer activity ---------------------------------------------------------------------

def events_for_subject(*, subject: str, actor: tuple[str, str] | None = None) -> QuerySet[AuditEvent]:
    """A consumer's own events, newest first; ``actor`` narrows to one actor."""
    if not subject:
        return AuditEvent.objects.none()
    events = AuditEvent.objects.filter(chain=subject_chain(subject))
    if actor is not None:
        events = events.filter(actor_type=actor[0], actor_id=actor[1])
    # chain_seq order is id order within a chain, and walks the (chain, chain_seq) index.
    return events.order_by("-chain_seq")


def subject_chain(subject: str) -> str:
    """Every event about a subject is in this chain (see ``audit_append``)."""
    return f"subject:{subject}"


def actors_for_subject(*, subject: str) -> list[tuple[str, str]]:
    return sorted(set(AuditEvent.objects.filter(chain=subject_chain(subject))
                      .values_list("actor_type", "actor_id").distinct()))


# --- regulator search ----------------------------------------------------------------------

@dataclass(frozen=True)
class EventFilters:
    brand: str = ""
    actor_type: str = ""
    actor_id: str = ""
    action: str = ""
    outcome: str = ""
    subject: str = ""
    consent_id: str = ""
    since: dt.datetime | None = None
    until: dt.datetime | None = None

    def as_dict(self) -> dict[str, str]:
        return {key: (value.isoformat() if isinstance(value, dt.datetime) else value)
                for key, value in self.__dict__.items() if value not in (None, "")}


def events_search(filters: EventFilters) -> QuerySet[AuditEvent]:
    """All events matching the filters, newest first (a regulator's search)."""
    events = AuditEvent.objects.all()
    if filters.brand:
        events = events.filter(actor_type=BRAND_ACTOR, actor_id__in=brand_actor_ids(filters.brand))
    if filters.actor_type:
        events = events.filter(actor_type=filters.actor_type)
    if filters.actor_id:
        events = events.filter(actor_id=filters.actor_id)
    if filters.action:
        if filters.action.endswith(".*"):
            events = events.filter(action__startswith=filters.action[:-1])
        else:
            events = events.filter(action=filters.action)
    if filters.outcome:
        events = events.filter(outcome=filters.outcome)
    if filters.subject:
        events = events.filter(chain=subject_chain(filters.subject))
    if filters.consent_id:
        events = events.filter(consent_id=filters.consent_id)
    if filters.since:
        events = events.filter(occurred_at__gte=filters.since)
    if filters.until:
        events = events.filter(occurred_at__lt=filters.until)
    return events.order_by("-id")


# --- per-brand statistics --------------------------------------------------------------------

@dataclass
class BrandStatistics:
    key: str
    name: str
    slug: str
    reads: int = 0
    writes: int = 0
    other: int = 0
    denied: int = 0
    subjects: int = 0
    last_access: dt.datetime | None = None
    actions: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return self.reads + self.writes + self.other

    @property
    def denied_share(self) -> float:
        return self.denied / self.total if self.total else 0.0

    @property
    def anomalies(self) -> list[str]:
        """Plain flags a regulator may want to look into; not verdicts."""
        flags = []
        if self.total >= 20 and self.denied_share >= 0.2:
            flags.append(_("%(share)d%% of its requests were denied") % {"share": round(self.denied_share * 100)})
        if self.subjects and self.reads / self.subjects >= 500:
            flags.append(_("more than 500 reads per consumer on average"))
        return flags


def brand_statistics(*, since: dt.datetime | None = None,
                     until: dt.datetime | None = None) -> list[BrandStatistics]:
    """Access counts per brand (its applications summed), busiest first."""
    events = AuditEvent.objects.filter(actor_type=BRAND_ACTOR)
    if since:
        events = events.filter(occurred_at__gte=since)
    if until:
        events = events.filter(occurred_at__lt=until)
    rows = list(events.values("actor_id", "action", "outcome")
                .annotate(count=Count("id"), last=Max("occurred_at")))
    subjects = dict(events.values("actor_id").annotate(n=Count("subject", distinct=True))
                    .values_list("actor_id", "n"))
    refs = brand_applications(row["actor_id"] for row in rows)
    stats: dict[str, BrandStatistics] = {}
    for row in rows:
        ref = refs.get(row["actor_id"])
        key = ref.slug if ref and ref.slug else row["actor_id"]
        entry = stats.get(key)
        if entry is None:
            entry = stats[key] = BrandStatistics(
                key=key, name=ref.name if ref else row["actor_id"], slug=ref.slug if ref else "")
        count = row["count"]
        if row["action"] == "facet.read":
            entry.reads += count
        elif row["action"] == "facet.write":
            entry.writes += count
        else:
            entry.other += count
        if row["outcome"] == AuditEvent.Outcome.DENIED:
            entry.denied += count
        entry.actions[row["action"]] = entry.actions.get(row["action"], 0) + count
        if entry.last_access is None or (row["last"] and row["last"] > entry.last_access):
            entry.last_access = row["last"]
    # Distinct subjects summed over a brand's applications: an upper bound when a
    # consumer used several applications of one brand.
    for actor_id, count in subjects.items():
        ref = refs.get(actor_id)
        stats[ref.slug if ref and ref.slug else actor_id].subjects += count
    return sorted(stats.values(), key=lambda entry: (-entry.total, entry.name))


# --- integrity status ------------------------------------------------------------------------

@dataclass(frozen=True)
class IntegrityStatus:
    latest_checkpoint: Checkpoint | None
    checkpoints: int
    events: int
    pending: int
    last_run: VerificationRun | None
    recent_checkpoints: Sequence[Checkpoint]


def integrity_status() -> IntegrityStatus:
    return IntegrityStatus(
        latest_checkpoint=latest_checkpoint(),
        checkpoints=Checkpoint.objects.count(),
        events=AuditEvent.objects.count(),
        pending=PendingLeaf.objects.count(),
        last_run=VerificationRun.objects.order_by("-id").first(),
        recent_checkpoints=list(Checkpoint.objects.order_by("-tree_size")[:10]),
    )


def event_by_id(event_id: uuid.UUID) -> AuditEvent | None:
    return AuditEvent.objects.filter(event_id=event_id).first()


def event_as_dict(event: AuditEvent, *, leaf_index: int | None = None) -> dict[str, Any]:
    """An event as exported and served by the API: the hashed fields, its hash, its place."""
    return {
        "id": event.pk,
        "event_id": str(event.event_id),
        "occurred_at": event.occurred_at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
        "actor_type": event.actor_type,
        "actor_id": event.actor_id,
        "subject": event.subject,
        "action": event.action,
        "facets": event.facets,
        "consent_id": event.consent_id,
        "purpose": event.purpose,
        "outcome": event.outcome,
        "request_id": event.request_id,
        "detail": event.detail,
        "chain": event.chain,
        "chain_seq": event.chain_seq,
        "prev_hash": event.prev_hash,
        "hash": event.hash,
        "leaf_index": leaf_index,
    }
