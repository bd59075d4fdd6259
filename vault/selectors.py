"""Reads of vault data. Decryption happens here, in memory, for the caller that
is entitled to it; nothing decrypted is cached beyond the object that asked."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, NamedTuple, Protocol, TypeVar

from .crypto import DataKey, keyring
from .errors import KeyUnavailable
from .facets import FACETS, Facet
from .models import Record, Source, Vault, WrappedKey


def data_key(vault: Vault, version: int | None = None) -> DataKey:
    """Unwrap the vault's data key (current version unless told), memoised on the vault object."""
    version = vault.key_version if version is None else version
    cache: dict[int, DataKey] = vault.__dict__.setdefault("_data_keys", {})
    if version not in cache:
        # A plain two-column read: this runs on every brand API request.
        found = list(
            WrappedKey.objects.filter(vault_id=vault.id, version=version)
            .order_by()
            .values_list("kek_id", "wrapped")[:1]
        )
        if not found:
            raise KeyUnavailable(f"data key v{version} of vault {vault.id} does not exist")
        kek_id, wrapped = found[0]
        raw = keyring().unwrap(bytes(wrapped), kek_id=kek_id, vault_id=str(vault.id), version=version)
        cache[version] = DataKey(raw, vault_id=str(vault.id), version=version)
    return cache[version]


class SealedRow(Protocol):
    """What opening a sealed value needs from its row: a ``Record`` (or a
    ``values_list(..., named=True)`` row with these columns), or a ``Sealed``."""

    @property
    def id(self) -> object: ...
    @property
    def facet(self) -> str: ...
    @property
    def key_version(self) -> int: ...
    @property
    def sealed(self) -> bytes | memoryview: ...


class Sealed(NamedTuple):
    """A sealed value given as bare columns (raw SQL rows, insight snapshots).
    ``id`` must print as the id it was sealed under (a ``uuid.UUID``, not the hex
    string SQLite returns)."""

    id: object
    facet: str
    key_version: int
    sealed: bytes | memoryview


RowT = TypeVar("RowT", bound=SealedRow)


def records_open(*, vault: Vault, rows: Iterable[RowT]) -> Iterator[tuple[RowT, dict[str, Any]]]:
    """Open sealed values of one vault: yields each row with its opened payload, in order.

    Every reader of record contents (vault pages and export, the brand API and
    consent previews, insights, re-encryption) opens through here, so the
    associated data a ciphertext is checked against (this vault, the row's own
    id, facet and key version; see ``vault.crypto.record_aad``) is taken from
    the row in one way only, and a row copied to another vault, record or facet
    fails to open everywhere alike.

    Cost: no query per row. Each key version's wrapped key is read and
    unwrapped once per vault object (``data_key`` memoises it on the vault), and
    the opened key is reused for every row; pass all the rows of a read at once.
    Lazy: a row is opened when the caller reaches it, so a streamed read
    (``.iterator()``) stays streamed.

    Raises ``vault.crypto.SealError`` for a row that does not open here
    (``KeyUnavailable`` when its data key is gone, e.g. after erasure or
    re-encryption).
    """
    keys: dict[int, DataKey] = {}
    for row in rows:
        version = row.key_version
        key = keys.get(version)
        if key is None:
            key = keys[version] = data_key(vault, version)
        yield row, key.open_record(bytes(row.sealed), record_id=str(row.id), facet=row.facet)


def source_labels(vault: Vault) -> dict[Any, str]:
    """Source id -> opened name, for one vault (memoised on the vault object)."""
    labels: dict[Any, str] | None = vault.__dict__.get("_source_labels")
    if labels is None:
        key = data_key(vault)
        labels = {
            source.id: key.open_field(bytes(source.label_sealed), owner_id=str(source.id), name="source")
            for source in Source.objects.filter(vault=vault)
        }
        vault.__dict__["_source_labels"] = labels
    return labels


def source_label(vault: Vault, source_id: Any) -> str:
    labels = source_labels(vault)
    if source_id not in labels:
        vault.__dict__.pop("_source_labels", None)
        labels = source_labels(vault)
    return labels.get(source_id, "?")


def account_field_open(*, user: Any, name: str, sealed: bytes | memoryview | None) -> str:
    """Open a field sealed by ``vault.services.account_field_seal`` (``user`` is
    the vault's owner, an ``accounts.User``)."""
    if not sealed:
        return ""
    return data_key(user.vault).open_field(bytes(sealed), owner_id=str(user.pk), name=name)


@dataclass
class RecordView:
    id: str
    facet: str
    source: str
    occurred_at: dt.datetime | None
    created_at: dt.datetime
    superseded_at: dt.datetime | None
    data: dict[str, Any]

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "facet": self.facet,
            "source": self.source,
            "occurred_at": self.occurred_at.isoformat() if self.occurred_at else None,
            "recorded_at": self.created_at.isoformat(),
            "superseded_at": self.superseded_at.isoformat() if self.superseded_at else None,
            "data": self.data,
        }


def _record_views(vault: Vault, records: Iterable[Record]) -> Iterator[RecordView]:
    for record, payload in records_open(vault=vault, rows=records):
        yield RecordView(
            id=str(record.id),
            facet=record.facet,
            source=source_label(vault, record.source_id),
            occurred_at=record.occurred_at,
            created_at=record.created_at,
            superseded_at=record.superseded_at,
            data=payload,
        )


@dataclass
class FacetSummary:
    facet: Facet
    current: RecordView | None = None
    history: list[RecordView] = field(default_factory=list)
    count: int = 0
    sources: list[str] = field(default_factory=list)
    latest: list[RecordView] = field(default_factory=list)


def vault_overview(*, vault: Vault, events_preview: int = 5) -> list[FacetSummary]:
    """Every facet with its current value (profile) or latest entries (events), and sources."""
    summaries = {key: FacetSummary(facet=facet) for key, facet in FACETS.items()}
    from django.db.models import Count

    for row in (
        Record.objects.filter(vault=vault).values("facet", "source_id").annotate(n=Count("id"))
    ):
        summary = summaries.get(row["facet"])
        if summary is None:
            continue
        summary.count += row["n"]
        summary.sources.append(source_label(vault, row["source_id"]))
    for summary in summaries.values():
        summary.sources.sort()
        if not summary.count:
            continue
        if summary.facet.is_events:
            latest = Record.objects.filter(vault=vault, facet=summary.facet.key).order_by(
                "-occurred_at", "-id"
            )[:events_preview]
            summary.latest = list(_record_views(vault, latest))
        else:
            records = Record.objects.filter(vault=vault, facet=summary.facet.key).order_by(
                "-created_at"
            )
            for view in _record_views(vault, records):
                if view.superseded_at is None:
                    summary.current = view
                else:
                    summary.history.append(view)
    return list(summaries.values())


def facet_records(
    *, vault: Vault, facet: Facet, page: int = 1, per_page: int = 50
) -> tuple[list[RecordView], int]:
    """One page of a facet's records, newest first, and the total count."""
    queryset = Record.objects.filter(vault=vault, facet=facet.key)
    total = queryset.count()
    ordering = ("-occurred_at", "-id") if facet.is_events else ("-created_at", "-id")
    start = (max(page, 1) - 1) * per_page
    page_records = queryset.order_by(*ordering)[start : start + per_page]
    return list(_record_views(vault, page_records)), total


def current_profile_value(*, vault: Vault, facet: Facet) -> RecordView | None:
    record = Record.objects.filter(vault=vault, facet=facet.key, superseded_at__isnull=True).first()
    return next(_record_views(vault, [record])) if record else None


def all_records(*, vault: Vault) -> list[RecordView]:
    """Every record of the vault, opened (used by export)."""
    records = Record.objects.filter(vault=vault).order_by("facet", "occurred_at", "created_at", "id")
    return list(_record_views(vault, records.iterator(chunk_size=2000)))


@dataclass
class ImportSummary:
    id: str
    created_at: dt.datetime
    source: str
    file_format: str
    record_count: int


def recent_imports(*, vault: Vault, limit: int = 5) -> list[ImportSummary]:
    """The vault's latest imports: when, from which brand, how many records."""
    from .models import ImportBatch

    batches = ImportBatch.objects.filter(vault=vault).order_by("-created_at")[:limit]
    return [
        ImportSummary(
            id=str(batch.id),
            created_at=batch.created_at,
            source=source_label(vault, batch.source_id),
            file_format=batch.file_format,
            record_count=batch.record_count,
        )
        for batch in batches
    ]


@dataclass(frozen=True)
class OpenedRow:
    id: str
    occurred_at: dt.datetime | None
    source: str
    data: dict[str, Any]


def facet_rows(*, vault: Vault, facet: str) -> list[OpenedRow]:
    """Every record of one facet, opened, in no particular order: the lean
    reader for bulk computations (insights over 10,000 purchases in well under
    a second), which skips model instances and reads only the needed columns."""
    labels = source_labels(vault)
    rows = (Record.objects.filter(vault=vault, facet=facet).order_by()
            .values_list("id", "facet", "key_version", "sealed", "occurred_at", "source_id",
                         named=True))
    return [OpenedRow(id=str(row.id), occurred_at=row.occurred_at,
                      source=labels.get(row.source_id, "?"), data=data)
            for row, data in records_open(vault=vault, rows=rows)]


@dataclass(frozen=True)
class Holding:
    source: str
    facet: str
    records: int
    last_update: dt.datetime | None


def holdings(*, vault: Vault) -> list[Holding]:
    """Which source holds how many records of which facet (counts, no contents)."""
    from django.db.models import Count, Max

    labels = source_labels(vault)
    rows = (Record.objects.filter(vault=vault).order_by().values("source_id", "facet")
            .annotate(records=Count("id"), last=Max("created_at")))
    return [Holding(source=labels.get(row["source_id"], "?"), facet=row["facet"],
                    records=row["records"], last_update=row["last"]) for row in rows]
