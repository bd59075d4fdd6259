"""Use cases that change vault state. One function per verb,
keyword-only, one transaction each, the audit event written inside it."""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import IO, Any, Protocol

from django.core.cache import cache
from django.db import connections, models, router, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.services import audit_append
from core.actors import Actor, system_actor

from . import exporters, hooks, importers
from .conf import vault_settings
from .crypto import DataKey, blind_index, keyring, new_data_key
from .errors import ImportTooLarge, RecordInvalid, problem
from .facets import clean_event_time, get_facet
from .models import ImportBatch, Record, Source, Vault, WrappedKey
from .routers import keystore_alias
from .selectors import data_key, records_open


class Owner(Protocol):
    """The account that owns a vault (``accounts.User``, an app above this one)."""

    pk: Any
    vault: Vault

logger = logging.getLogger(__name__)

SELF_SOURCE = Source.SELF




def _store_new_key(vault: Vault, version: int) -> DataKey:
    raw = new_data_key()
    kek_id, wrapped = keyring().wrap(raw, vault_id=str(vault.id), version=version)
    WrappedKey.objects.create(vault_id=vault.id, version=version, kek_id=kek_id, wrapped=wrapped)
    key = DataKey(raw, vault_id=str(vault.id), version=version)
    vault.__dict__.setdefault("_data_keys", {})[version] = key
    return key


def vault_create(*, owner: Any) -> Vault:
    """A new vault with its own random data key, wrapped by the active KEK."""
    with transaction.atomic(), transaction.atomic(using=keystore_alias()):
        vault = Vault.objects.create(owner=owner)
        _store_new_key(vault, vault.key_version)
    return vault


def account_field_seal(*, user: Owner, name: str, value: str) -> bytes:
    """Seal one of the account's own fields (its e-mail, its TOTP secret) under
    the data key of its vault, bound to the account's id and the field name."""
    return data_key(user.vault).seal_field(owner_id=str(user.pk), name=name, value=value)


def clean_source(source: Any) -> str:
    if not isinstance(source, str) or not source.strip():
        raise RecordInvalid("source", _("name the brand the data comes from"))
    source = " ".join(source.split())
    if len(source) > 80 or any(ord(char) < 32 for char in source):
        raise RecordInvalid("source", _("must be at most 80 printable characters"))
    return source


def source_for(*, vault: Vault, label: str) -> Source:
    """The vault's Source row for ``label`` (created, name sealed, on first use)."""
    label = clean_source(label)
    index = blind_index(f"{vault.id}|{label.casefold()}", purpose="source")
    existing = Source.objects.filter(vault=vault, index=index).first()
    if existing is not None:
        return existing
    source = Source(vault=vault, index=index)
    source.label_sealed = data_key(vault).seal_field(owner_id=str(source.id), name="source", value=label)
    Source.objects.bulk_create([source], ignore_conflicts=True)
    source = Source.objects.get(vault=vault, index=index)
    vault.__dict__.pop("_source_labels", None)
    return source


def _new_record(
    key: DataKey,
    *,
    vault: Vault,
    facet: str,
    source: Source,
    occurred_at: dt.datetime | None,
    data: dict[str, Any],
    now: dt.datetime,
    superseded_at: dt.datetime | None = None,
    import_batch: ImportBatch | None = None,
) -> Record:
    record_id = uuid.uuid4()
    sealed = key.seal_record(record_id=str(record_id), facet=facet, payload=data)
    return Record(
        id=record_id,
        vault=vault,
        facet=facet,
        source=source,
        occurred_at=occurred_at,
        created_at=now,
        superseded_at=superseded_at,
        key_version=key.version,
        sealed=sealed,
        size=len(sealed),
        import_batch=import_batch,
    )


def _lock(vault: Vault) -> None:
    """Serialise writers of one vault (profile supersession, re-encryption)."""
    Vault.objects.select_for_update().filter(pk=vault.pk).values_list("pk", flat=True).first()


def record_write(
    *,
    vault: Vault,
    facet: str,
    data: Any,
    source: str,
    actor: Actor,
    occurred_at: Any = None,
    action: str = "data.corrected",
    request_id: str = "",
    consent_id: str = "",
    purpose: str = "",
    audit_detail: dict[str, Any] | None = None,
) -> Record:
    """Validate and store one record; a profile value supersedes the current one.

    The audit event (``action``) is written in the same transaction; a brand's
    write passes its consent and purpose so the one event says under what.
    """
    spec = get_facet(facet)
    cleaned = spec.clean(data)
    when = clean_event_time(spec, occurred_at)
    with transaction.atomic():
        _lock(vault)
        origin = source_for(vault=vault, label=source)
        now = timezone.now()
        if not spec.is_events:
            Record.objects.filter(
                vault=vault, facet=spec.key, superseded_at__isnull=True
            ).update(superseded_at=now)
        record = _new_record(
            data_key(vault), vault=vault, facet=spec.key, source=origin,
            occurred_at=when, data=cleaned, now=now,
        )
        record.save(force_insert=True)
        audit_append(
            actor=actor, action=action, subject=str(vault.subject), facets=[spec.key],
            consent_id=consent_id, purpose=purpose, request_id=request_id,
            detail={"records": 1, "source_id": str(origin.id), "bytes": record.size,
                    "record_id": str(record.id), **(audit_detail or {})},
        )
        hooks.data_changed(vault=vault)
    return record


def record_delete(*, vault: Vault, record_id: Any, actor: Actor, request_id: str = "") -> bool:
    """Delete one record of this vault (never another vault's: the id is scoped)."""
    try:
        record_uuid = uuid.UUID(str(record_id))
    except ValueError:
        return False
    with transaction.atomic():
        record = Record.objects.select_for_update().filter(vault=vault, pk=record_uuid).first()
        if record is None:
            return False
        facet = record.facet
        record.delete()
        audit_append(
            actor=actor, action="data.deleted", subject=str(vault.subject), facets=[facet],
            request_id=request_id, detail={"records": 1},
        )
        hooks.data_changed(vault=vault)
    return True


class _RecordInserter:
    """Batched ``executemany`` INSERT of Record rows for large imports.

    Why not ``bulk_create``: for 100,000 rows the ORM's per-field preparation
    and model instantiation cost more than sealing; here each column gets one
    adapter chosen up front from the field type. Values are the same ones the
    ORM would write (checked by the import tests reading them back).
    """

    def __init__(self, *, batch_size: int) -> None:
        self.connection = connections[router.db_for_write(Record)]
        self.fields = list(Record._meta.concrete_fields)
        quote = self.connection.ops.quote_name
        columns = ", ".join(quote(str(field.column)) for field in self.fields)
        marks = ", ".join(["%s"] * len(self.fields))
        self.sql = f"INSERT INTO {quote(Record._meta.db_table)} ({columns}) VALUES ({marks})"  # noqa: S608
        self.copy_sql = f"COPY {quote(Record._meta.db_table)} ({columns}) FROM STDIN"
        self.adapters = [self._adapter(field) for field in self.fields]
        self.names = [field.attname for field in self.fields]
        self.batch_size = batch_size
        self.rows: list[list[Any]] = []

    def _adapter(self, field: Any) -> Any:
        target = field.target_field if field.is_relation else field
        if isinstance(target, models.UUIDField):
            native = self.connection.features.has_native_uuid_field
            return (lambda value: value) if native else (lambda value: value and value.hex)
        if isinstance(target, models.DateTimeField):
            return self.connection.ops.adapt_datetimefield_value
        return lambda value: value

    def add(self, **values: Any) -> None:
        self.rows.append([adapt(values[name]) for adapt, name in zip(self.adapters, self.names, strict=True)])
        if len(self.rows) >= self.batch_size:
            self.flush()

    def flush(self) -> None:
        if not self.rows:
            return
        with self.connection.cursor() as cursor:
            if self.connection.vendor == "postgresql":
                # COPY is PostgreSQL's bulk path: several times executemany's rate.
                raw = cursor.cursor
                with raw.copy(self.copy_sql) as copy:
                    for row in self.rows:
                        copy.write_row(row)
            else:
                cursor.executemany(self.sql, self.rows)
        self.rows = []


@dataclass(frozen=True)
class ImportResult:
    batch: ImportBatch
    by_facet: dict[str, int]


def vault_import(
    *,
    vault: Vault,
    source: str,
    stream: IO[bytes] | bytes,
    actor: Actor,
    filename: str = "",
    file_format: str | None = None,
    request_id: str = "",
) -> ImportResult:
    """Import a brand's export, all or nothing.

    The whole file is read (up to VAULT["MAX_IMPORT_BYTES"]), parsed and
    validated before the first row is written; then every record is sealed and
    inserted in one transaction with its audit event.
    """
    source = clean_source(source)
    limit = int(vault_settings.MAX_IMPORT_BYTES)
    raw = stream if isinstance(stream, bytes) else stream.read(limit + 1)
    if len(raw) > limit:
        raise ImportTooLarge([problem("file", None, "", _("the file is larger than %(n)s MiB"),
                                      n=limit // (1024 * 1024))])
    file_format = file_format or importers.detect_format(raw, filename)
    parsed = importers.parse(raw, file_format=file_format, max_records=int(vault_settings.MAX_IMPORT_RECORDS))
    return _store_import(vault=vault, source=source, parsed=parsed, file_format=file_format,
                         byte_size=len(raw), actor=actor, request_id=request_id)


def _store_import(
    *,
    vault: Vault,
    source: str,
    parsed: list[importers.ParsedRecord],
    file_format: str,
    byte_size: int,
    actor: Actor,
    request_id: str,
) -> ImportResult:
    by_facet: dict[str, int] = {}
    last_profile_index: dict[str, int] = {}
    for index, item in enumerate(parsed):
        by_facet[item.facet] = by_facet.get(item.facet, 0) + 1
        if item.occurred_at is None:
            last_profile_index[item.facet] = index
    batch_size = int(vault_settings.IMPORT_BATCH_SIZE)
    with transaction.atomic():
        _lock(vault)
        now = timezone.now()
        key = data_key(vault)
        origin = source_for(vault=vault, label=source)
        batch = ImportBatch.objects.create(
            vault=vault, source=origin, file_format=file_format,
            byte_size=byte_size, record_count=len(parsed),
        )
        if last_profile_index:
            Record.objects.filter(
                vault=vault, facet__in=list(last_profile_index), superseded_at__isnull=True
            ).update(superseded_at=now)
        insert = _RecordInserter(batch_size=batch_size)
        for index, item in enumerate(parsed):
            superseded = None
            if item.occurred_at is None and last_profile_index[item.facet] != index:
                superseded = now
            record_id = uuid.uuid4()
            sealed = key.seal_record(record_id=str(record_id), facet=item.facet, payload=item.data)
            insert.add(
                id=record_id, vault_id=vault.id, facet=item.facet, source_id=origin.id,
                occurred_at=item.occurred_at, created_at=now, superseded_at=superseded,
                key_version=key.version, sealed=sealed, size=len(sealed), import_batch_id=batch.id,
            )
        insert.flush()
        audit_append(
            actor=actor, action="data.imported", subject=str(vault.subject),
            facets=list(by_facet), request_id=request_id,
            detail={"records": len(parsed), "bytes": byte_size, "source_id": str(origin.id),
                    "format": file_format, "import_id": str(batch.id)},
        )
        hooks.data_changed(vault=vault)
    return ImportResult(batch=batch, by_facet=by_facet)


def vault_export(*, vault: Vault, out: IO[bytes], actor: Actor, request_id: str = "") -> int:
    """Write the whole vault as a ZIP (JSON, CSV, readable HTML); returns the record count."""
    with transaction.atomic():
        count = exporters.write_zip(vault=vault, out=out)
        audit_append(
            actor=actor, action="data.exported", subject=str(vault.subject),
            facets=sorted(set(Record.objects.filter(vault=vault).values_list("facet", flat=True))),
            request_id=request_id, detail={"records": count},
        )
    return count


def vault_erase(*, vault: Vault, actor: Actor, request_id: str = "") -> str:
    """Crypto-shred a vault: destroy its wrapped data keys first, then its rows
    and the account. Returns the pseudonymous subject, which the log keeps."""
    subject = str(vault.subject)
    vault_id = vault.id
    alias = keystore_alias()

    def destroy_rows() -> None:
        # Brands holding consents are told (data.erased) and their tokens end,
        # in this transaction, before the consent rows go with the vault.
        hooks.erasing(vault_id=vault_id, actor=actor, request_id=request_id)
        owner = vault.owner
        facets = sorted(set(Record.objects.filter(vault=vault).values_list("facet", flat=True)))
        audit_append(actor=actor, action="data.erased", subject=subject, facets=facets,
                     request_id=request_id, detail={"crypto_shredded": True})
        Record.objects.filter(vault=vault).delete()
        ImportBatch.objects.filter(vault=vault).delete()
        Source.objects.filter(vault=vault).delete()
        vault.delete()
        owner.delete()

    if alias == "default":
        with transaction.atomic():
            _lock(vault)
            WrappedKey.objects.filter(vault_id=vault_id).delete()
            keystore_vacuum_on_commit()
            destroy_rows()
    else:
        # Separate keystore: the key goes first and for good; if the second step
        # failed the rows would be unreadable ciphertext, and a retry removes them.
        with transaction.atomic(using=alias):
            WrappedKey.objects.filter(vault_id=vault_id).delete()
            keystore_vacuum_on_commit()
        with transaction.atomic():
            destroy_rows()
    vault.__dict__.pop("_data_keys", None)
    logger.info("vault erased", extra={"subject": subject})
    return subject


# --- Physical removal of destroyed keys ------------------------------------------
# Deleting a row removes it from queries, not from the files: PostgreSQL keeps it
# in its page until VACUUM, and plain VACUUM only marks its space free (the bytes
# stay until another row happens to reuse it); SQLite keeps the page that held it
# in its write-ahead log until a checkpoint. Whoever copies the files could carve
# the wrapped key out and, with the KEK, open the "erased" vault. So after every
# commit that destroys keys the keystore is vacuumed (docs/security.md, Erasure).

KEYSTORE_VACUUM_PENDING = "vault:keystore-vacuum-pending"


class KeystoreBusy(Exception):
    """The keystore could not be vacuumed now (SQLite readers); the task retries."""


def keystore_vacuum_on_commit() -> None:
    """Called inside the keystore transaction that deletes wrapped keys: queue
    ``keystore_vacuum`` once it commits. Destructions within
    ``VAULT["KEYSTORE_VACUUM_DELAY_SECONDS"]`` of each other share one run."""
    transaction.on_commit(_queue_keystore_vacuum, using=keystore_alias(), robust=True)


def _queue_keystore_vacuum() -> None:
    from .tasks import keystore_vacuum as task  # the task module imports this one

    delay = int(vault_settings.KEYSTORE_VACUUM_DELAY_SECONDS)
    # A run already queued and not started removes these keys too (it starts by
    # clearing the mark, then vacuums what is deleted by then). The mark expires
    # in case its run was lost; the beat schedule is the last safety net.
    if cache.add(KEYSTORE_VACUUM_PENDING, "1", timeout=delay + 600):
        task.apply_async(countdown=delay)


def keystore_vacuum() -> str:
    """Remove deleted wrapped keys from the keystore's files, not only from its
    queries; returns what was run ("" when nothing could be).

    PostgreSQL: ``VACUUM FULL`` of the WrappedKey table, which writes the live
    rows to a new file and truncates the old one at commit. It holds an ACCESS
    EXCLUSIVE lock on that (small) table while it runs, so key look-ups wait that
    long; ``VAULT["KEYSTORE_VACUUM_LOCK_TIMEOUT_MS"]`` bounds the wait for the
    lock (the task retries). A row deleted while an older transaction of the
    keystore database is still open is copied as it is: the next run removes it.
    SQLite: rows are zeroed in place when deleted (``secure_delete``, set on
    every SQLite connection); a TRUNCATE checkpoint empties the write-ahead log
    that still holds the pages as they were.
    """
    # First: what is deleted from now on gets a run of its own (also when this
    # one cannot run, so the next deletion queues one instead of waiting on it).
    cache.delete(KEYSTORE_VACUUM_PENDING)
    connection = connections[keystore_alias()]
    if connection.in_atomic_block:
        logger.warning("keystore vacuum skipped: it cannot run inside a transaction")
        return ""
    table = connection.ops.quote_name(WrappedKey._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            timeout = int(vault_settings.KEYSTORE_VACUUM_LOCK_TIMEOUT_MS)
            cursor.execute(f"SET lock_timeout = {timeout}")
            try:
                cursor.execute(f"VACUUM FULL {table}")
            finally:
                cursor.execute("RESET lock_timeout")
            ran = f"VACUUM FULL {table}"
        elif connection.vendor == "sqlite":
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            busy, _, _ = cursor.fetchone()
            if busy:
                raise KeystoreBusy("the keystore's write-ahead log is in use; not truncated")
            ran = "PRAGMA wal_checkpoint(TRUNCATE)"
        else:
            logger.warning("keystore vacuum: nothing known for %s", connection.vendor)
            return ""
    logger.info("keystore vacuumed", extra={"statement": ran})
    return ran


@dataclass(frozen=True)
class RotationResult:
    rewrapped: int
    already_current: int


def vault_rotate_keys(*, actor: Actor, batch: int = 500) -> RotationResult:
    """Re-wrap every data key under the active KEK; records are not touched."""
    ring = keyring()
    alias = keystore_alias()
    rewrapped = 0
    while True:
        with transaction.atomic(using=alias):
            stale = list(
                WrappedKey.objects.select_for_update()
                .exclude(kek_id=ring.active)
                .order_by("pk")[:batch]
            )
            for wrapped in stale:
                raw = ring.unwrap(bytes(wrapped.wrapped), kek_id=wrapped.kek_id,
                                  vault_id=str(wrapped.vault_id), version=wrapped.version)
                wrapped.kek_id, wrapped.wrapped = ring.wrap(
                    raw, vault_id=str(wrapped.vault_id), version=wrapped.version
                )
                wrapped.rotated_at = timezone.now()
                wrapped.save(update_fields=["kek_id", "wrapped", "rotated_at"])
            if stale:
                # The copies wrapped under the retired KEK leave the files too.
                keystore_vacuum_on_commit()
        rewrapped += len(stale)
        if len(stale) < batch:
            break
    current = WrappedKey.objects.filter(kek_id=ring.active).count() - rewrapped
    with transaction.atomic():
        audit_append(actor=actor, action="keys.rotated",
                     detail={"rewrapped": rewrapped, "active_key": ring.active})
    return RotationResult(rewrapped=rewrapped, already_current=max(current, 0))


def vault_reencrypt(*, vault: Vault, actor: Actor) -> int:
    """Re-seal every record and account field under a brand-new data key, then
    destroy the old key versions (for a suspected DEK compromise)."""
    alias = keystore_alias()
    with transaction.atomic(), transaction.atomic(using=alias):
        _lock(vault)
        vault.refresh_from_db()
        old_versions = set(WrappedKey.objects.filter(vault_id=vault.id).values_list("version", flat=True))
        old_key = data_key(vault, vault.key_version)
        new_version = max(old_versions | {vault.key_version}) + 1
        new_key = _store_new_key(vault, new_version)
        count = 0
        records = Record.objects.filter(vault=vault).iterator(chunk_size=1000)
        for record, payload in records_open(vault=vault, rows=records):
            record.sealed = new_key.seal_record(record_id=str(record.id), facet=record.facet, payload=payload)
            record.key_version = new_version
            record.size = len(record.sealed)
            record.save(update_fields=["sealed", "key_version", "size"])
            count += 1
        labels = {}
        for source in Source.objects.filter(vault=vault):
            labels[source.id] = data_key(vault, vault.key_version).open_field(
                bytes(source.label_sealed), owner_id=str(source.id), name="source")
            source.label_sealed = new_key.seal_field(
                owner_id=str(source.id), name="source", value=labels[source.id])
            source.save(update_fields=["label_sealed"])
        vault.key_version = new_version
        vault.save(update_fields=["key_version"])
        # Fields sealed outside the vault's tables (the account's e-mail and
        # second factor) move to the new key before the old one is destroyed.
        hooks.rekeyed(vault=vault, old_key=old_key, new_key=new_key)
        WrappedKey.objects.filter(vault_id=vault.id, version__in=old_versions).delete()
        keystore_vacuum_on_commit()
        audit_append(actor=actor, action="keys.reencrypted", subject=str(vault.subject),
                     detail={"records": count, "key_version": new_version})
        hooks.data_changed(vault=vault)
    return count


def enforce_retention(*, now: dt.datetime | None = None, facets: Iterable[str] | None = None) -> int:
    """Delete event records older than their facet's retention period."""
    from .facets import FACETS

    now = now or timezone.now()
    removed = 0
    for key in facets or FACETS:
        spec = FACETS[key]
        if not spec.is_events or spec.retention_days is None:
            continue
        cutoff = now - dt.timedelta(days=spec.retention_days)
        with transaction.atomic():
            expired = Record.objects.filter(facet=key, occurred_at__lt=cutoff)
            per_subject: dict[str, int] = {}
            for vault_subject in expired.values_list("vault__subject", flat=True):
                per_subject[str(vault_subject)] = per_subject.get(str(vault_subject), 0) + 1
            deleted, _detail = expired.delete()
            for subject, count in per_subject.items():
                audit_append(actor=system_actor("retention"), action="data.expired", subject=subject,
                             facets=[key], detail={"records": count,
                                                   "retention_days": spec.retention_days})
            removed += deleted
    return removed
