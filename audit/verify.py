"""Full verification of the audit log as stored (``manage.py audit_verify``).

(Over 500 lines on purpose: one pass over one database snapshot, whose checks
share the streamed leaves, the problem list and the worker protocol; the
maths it relies on lives apart, in hashing.py and merkle.py.)

Checks, in one consistent snapshot of the database:

1. every event's hash against its fields;
2. every chain: sequence numbers 1, 2, 3, … in id order, each ``prev_hash`` the
   previous event's hash, and the chain head row at the last event;
3. every event is exactly once either a Merkle leaf or queued for the tree,
   and that leaf (or queue entry) holds that very event's hash;
4. every leaf and queue entry belongs to an event that exists;
5. leaf indices run 0, 1, 2, … and the tree over them has, at every checkpoint
   size, the checkpoint's root;
6. every checkpoint's signature, origin and body, and consistency proofs built
   from the stored subtree hashes (as the regulator API serves them), checked
   with the RFC 9162 algorithm, between consecutive checkpoints.

Problems are reported per event (by database id and event_id), sorted by id,
so the first one is "the first bad event".

Speed (target: 100,000 events/s). Rows are streamed through raw
cursors; ``facets`` and ``detail`` are stored as canonical JSON, so an event's
canonical form is assembled from the stored text without parsing anything;
leaves are read once into flat arrays; subtree hashes are computed a level at
a time. On a large log the event pass is split by id range over several
processes that read the very same snapshot (PostgreSQL: an exported
snapshot; SQLite: the verifier's open read transaction keeps writers from
committing) and their chain segments are joined afterwards.
"""

from __future__ import annotations

import contextlib
import hashlib
import multiprocessing
import os
import queue
import re
import threading
import uuid
from array import array
from dataclasses import dataclass, field
from json.encoder import encode_basestring
from typing import Any

from django.db import connection
from django.utils import timezone

from . import merkle, note, signing
from .hashing import GENESIS
from .models import AuditEvent, ChainHead, Checkpoint, MerkleLeaf, PendingLeaf
from .rows import FETCH_SIZE, consistent_read, converters, quote, stream
from .selectors import consistency_proof_hashes

_sha256 = hashlib.sha256
CHUNK_LEVEL = 12  # leaves are hashed in aligned blocks of 4,096
PARALLEL_THRESHOLD = 200_000  # events; below this one process is faster than forking
MAX_CONSISTENCY_PAIRS = 256
_SNAPSHOT_ID = re.compile(r"^[0-9A-F-]+$")


@dataclass
class Problem:
    reason: str
    event_pk: int | None = None
    event_id: str | None = None
    checkpoint_size: int | None = None

    def sort_key(self) -> tuple[int, int]:
        if self.event_pk is not None:
            return (0, self.event_pk)
        if self.checkpoint_size is not None:
            return (1, self.checkpoint_size)
        return (2, 0)

    def describe(self) -> str:
        if self.event_pk is not None:
            return f"event #{self.event_pk} (event_id {self.event_id or 'unknown'}): {self.reason}"
        if self.checkpoint_size is not None:
            return f"checkpoint of tree size {self.checkpoint_size}: {self.reason}"
        return self.reason


@dataclass
class Report:
    started_at: Any
    finished_at: Any = None
    events: int = 0
    leaves: int = 0
    pending: int = 0
    checkpoints: int = 0
    tree_size: int = 0
    root: bytes = b""
    workers: int = 1
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def first_problem(self) -> Problem | None:
        return self.problems[0] if self.problems else None


class _Problems:
    """Problems keyed by event (all reasons for one event on one line)."""

    def __init__(self) -> None:
        self.found: dict[tuple[Any, ...], Problem] = {}

    def add(self, reason: str, event_pk: int | None = None, event_id: str | None = None, *,
            checkpoint_size: int | None = None) -> None:
        if event_pk is not None:
            key: tuple[Any, ...] = ("event", event_pk)
        elif checkpoint_size is not None:
            key = ("checkpoint", checkpoint_size)
        else:
            key = ("log", reason)
        known = self.found.get(key)
        if known is None:
            self.found[key] = Problem(reason=reason, event_pk=event_pk, event_id=event_id,
                                      checkpoint_size=checkpoint_size)
        elif reason not in known.reason:
            known.reason += f"; {reason}"
        if known is not None and event_id and not known.event_id:
            known.event_id = event_id

    def sorted(self) -> list[Problem]:
        return sorted(self.found.values(), key=Problem.sort_key)


# --- leaves and the tree ---------------------------------------------------------------------

@dataclass
class Leaves:
    count: int
    hashes: bytearray  # leaf i at [32 i, 32 i + 32)
    base: int  # smallest event id that may have a leaf
    index_of: array  # index_of[event_pk - base] = leaf index, or -1
    outside: dict[int, int]  # leaves whose event id lies outside [base, base + len(index_of))

    def index(self, event_pk: int) -> int:
        offset = event_pk - self.base
        if 0 <= offset < len(self.index_of):
            return self.index_of[offset]
        return self.outside.get(event_pk, -1)


def _read_leaves(low_pk: int, high_pk: int, wanted: list[int], problems: _Problems
                 ) -> tuple[Leaves, dict[int, bytes], bytes]:
    """One pass over the leaves: store them, and the tree root at every wanted size."""
    span = high_pk - low_pk + 1 if high_pk >= low_pk else 0
    index_of = array("q", [-1]) * span
    leaves = Leaves(count=0, hashes=bytearray(), base=low_pk, index_of=index_of, outside={})
    table = quote(MerkleLeaf._meta.db_table)
    sql = (f"SELECT {quote('index')}, {quote('event_pk')}, {quote('hash')} "  # noqa: S608
           f"FROM {table} ORDER BY {quote('index')}")
    upper = merkle.CompactRange()  # over whole blocks of 2**CHUNK_LEVEL leaves
    roots: dict[int, bytes] = {}
    targets = sorted(set(wanted))
    position = 0
    block: list[bytes] = []
    block_size = 1 << CHUNK_LEVEL
    node = merkle.node_hash

    def close_block(final: bool) -> None:
        nonlocal position, block
        start = leaves.count - len(block)
        levels = [block]
        while len(levels[-1]) > 1:
            below = levels[-1]
            levels.append([node(below[i], below[i + 1]) for i in range(0, len(below) - 1, 2)])
        # Roots at sizes that end inside this block: whole blocks so far, then the block's part.
        while position < len(targets) and targets[position] <= leaves.count:
            size = targets[position]
            keys = merkle.range_nodes(0, size - start)
            roots[size] = merkle.fold_range(
                [*upper._stack, *(levels[level][index] for level, index in keys)])
            position += 1
        if not final:
            upper.append(levels[-1][0])
            block = []

    outside = leaves.outside
    gap: tuple[int, int, int] | None = None  # (found index, expected index, its event pk)
    for rows in _stream_batches(sql):
        count = leaves.count
        # The index is the primary key (unique, ascending): a batch running from
        # count to count + len - 1 has no gap and no intruder.
        if rows[0][0] != count or rows[-1][0] != count + len(rows) - 1:
            for expected, (index, event_pk, _) in enumerate(rows, start=count):
                if index != expected:
                    gap = (index, expected, event_pk)
                    rows = rows[:expected - count]
                    break
        digests = [digest if type(digest) is bytes else bytes(digest) for _, _, digest in rows]
        leaves.hashes += b"".join(digests)
        for index, event_pk, _ in rows:
            offset = event_pk - low_pk
            if 0 <= offset < span:
                index_of[offset] = index
            else:
                outside[event_pk] = index
        taken = 0
        while taken < len(digests):
            room = block_size - len(block)
            block.extend(digests[taken:taken + room])
            leaves.count += min(room, len(digests) - taken)
            taken += room
            if len(block) == block_size:
                close_block(final=False)
        if gap is not None:
            break
    if gap is not None:  # queried once the stream is closed (it may hold the connection)
        index, expected, event_pk = gap
        owner = MerkleLeaf.objects.filter(index=index).values_list("event_id", flat=True).first()
        problems.add(f"tree leaf index {index} found where {expected} was expected "
                     f"(leaves missing or inserted)", event_pk, str(owner or ""))
    if block or leaves.count == 0:
        close_block(final=True)
    if 0 in targets:
        roots[0] = merkle.EMPTY_ROOT
    final_root = roots.get(leaves.count) or (merkle.EMPTY_ROOT if leaves.count == 0 else b"")
    return leaves, roots, final_root


# --- events ------------------------------------------------------------------------------------

@dataclass
class _RangeResult:
    events: int = 0
    matched_leaves: int = 0
    matched_pending: list[int] = field(default_factory=list)
    problems: list[tuple[int, str, str]] = field(default_factory=list)
    # (event pk, event_id, leaf index) of events whose leaf holds another hash.
    leaf_mismatches: list[tuple[int, str, int]] = field(default_factory=list)
    # Per chain seen in the range: its first event (seq, prev_hash, pk, event_id) and
    # its last (seq, hash), to join ranges afterwards.
    firsts: dict[str, tuple[int, str, int, str]] = field(default_factory=dict)
    lasts: dict[str, tuple[int, str]] = field(default_factory=dict)


def _event_sql(vendor: str, low: int, high: int) -> str:
    if vendor == "postgresql":
        event_id = "e.event_id::text"
        occurred = ("to_char(e.occurred_at AT TIME ZONE 'UTC', "
                    "'YYYY-MM-DD\"T\"HH24:MI:SS.US\"+00:00\"')")
    else:
        event_id = "e.event_id"
        occurred = "CAST(e.occurred_at AS TEXT)"
    columns = ", ".join([
        "e.id", event_id, occurred, *(f"e.{name}" for name in (
            "actor_type", "actor_id", "subject", "action", "facets", "consent_id", "purpose",
            "outcome", "request_id", "detail", "chain", "chain_seq", "prev_hash", "hash")),
    ])
    table = AuditEvent._meta.db_table
    return (f"SELECT {columns} FROM {table} e WHERE e.id >= {int(low)} AND e.id < {int(high)} "  # noqa: S608
            f"ORDER BY e.id")


def _check_events(batches: Any, vendor: str, leaves: Leaves,
                  pending: dict[int, tuple[str, str]]) -> _RangeResult:
    """The hot loop: canonical form from stored text, hash, chain link, tree leaf.

    Written for speed (locals, no helper calls, tuples): it runs once per event.
    """
    result = _RangeResult()
    problems = result.problems
    firsts, lasts = result.firsts, result.lasts
    last_of = lasts.get
    sha256 = _sha256
    esc = encode_basestring
    hashes = leaves.hashes
    index_of, base, span = leaves.index_of, leaves.base, len(leaves.index_of)
    outside = leaves.outside.get
    mismatches = result.leaf_mismatches
    queued_get = pending.get
    sqlite = vendor == "sqlite"
    count = matched = 0
    for rows in batches:
        count += len(rows)
        for (pk, event_id, occurred, actor_type, actor_id, subject, action, facets, consent_id,
             purpose, outcome, request_id, detail, chain, chain_seq, prev_hash, stored) in rows:
            if type(chain_seq) is not int:  # SQLite would store anything an attacker writes
                problems.append((pk, str(event_id), "chain_seq is not an integer (edited)"))
                continue
            # Canonical form: keys sorted, every variable part an escaped JSON string
            # (measured: escaping everything beats testing whether it is needed).
            try:
                if sqlite:  # SQLite keeps UUIDs as 32 hex digits, UTC times without offset
                    if len(event_id) == 32:
                        event_id = (f"{event_id[:8]}-{event_id[8:12]}-{event_id[12:16]}-"
                                    f"{event_id[16:20]}-{event_id[20:]}")
                    if len(occurred) == 19:
                        occurred += ".000000"
                    occurred = f"{occurred[:10]}T{occurred[11:26]}+00:00"
                text = (
                    f'{{"action":{esc(action)},"actor_id":{esc(actor_id)},'
                    f'"actor_type":{esc(actor_type)},"chain":{esc(chain)},'
                    f'"chain_seq":{chain_seq},"consent_id":{esc(consent_id)},'
                    f'"detail":{esc(detail)},"event_id":{esc(event_id)},"facets":{esc(facets)},'
                    f'"occurred_at":{esc(occurred)},"outcome":{esc(outcome)},'
                    f'"prev_hash":{esc(prev_hash)},"purpose":{esc(purpose)},'
                    f'"request_id":{esc(request_id)},"subject":{esc(subject)}}}'
                )
            except TypeError:  # a value that is not text at all (SQLite stores anything)
                problems.append((pk, str(event_id), "a field is not text (edited)"))
                continue
            digest = sha256(text.encode()).digest()
            hex_digest = digest.hex()
            if hex_digest != stored:
                problems.append((pk, event_id, "its fields do not match its hash (edited)"))
            last = last_of(chain)
            if last is None:
                firsts[chain] = (chain_seq, prev_hash, pk, event_id)
            elif chain_seq != last[0] + 1:
                problems.append((pk, event_id, f"chain {chain!r} jumps from seq {last[0]} to "
                                               f"{chain_seq} (events missing or reordered)"))
            elif prev_hash != last[1]:
                problems.append((pk, event_id, f"prev_hash does not link to the previous event "
                                               f"of chain {chain!r}"))
            lasts[chain] = (chain_seq, stored)
            offset = pk - base
            index = index_of[offset] if 0 <= offset < span else outside(pk, -1)
            if index >= 0:
                matched += 1
                at = index * 32
                if hashes[at:at + 32] != sha256(b"\x00" + digest).digest():
                    mismatches.append((pk, event_id, index))
                if pk in pending:
                    problems.append((pk, event_id, "both in the tree and still queued for it"))
                continue
            queued = queued_get(pk)
            if queued is None:
                problems.append((pk, event_id, "is neither in the tree nor queued for it "
                                               "(inserted behind the log's back)"))
                continue
            result.matched_pending.append(pk)
            if queued[0] != event_id:
                problems.append((pk, event_id, f"its entry in the sequencing queue was written "
                                               f"for another event ({queued[0]}): rows swapped"))
            elif queued[1] != hex_digest:
                problems.append((pk, event_id, "does not match its entry in the sequencing "
                                               "queue (edited)"))
    result.events = count
    result.matched_leaves = matched
    return result


def _batches(cursor: Any) -> Any:
    while True:
        rows = cursor.fetchmany(FETCH_SIZE)
        if not rows:
            return
        yield rows


def _stream_batches(sql: str) -> Any:
    """Batches of rows; on PostgreSQL fetched ahead by a thread from a server-side cursor,
    so the server produces the next batch while Python checks this one."""
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(sql)
            yield from _batches(cursor)
        return
    connection.ensure_connection()
    raw = connection.connection
    batches: queue.Queue[Any] = queue.Queue(maxsize=4)
    stop = threading.Event()

    def produce() -> None:
        try:
            with raw.cursor(name=f"audit_verify_{uuid.uuid4().hex}") as cursor:
                cursor.execute(sql)
                while not stop.is_set() and (rows := cursor.fetchmany(FETCH_SIZE)):
                    batches.put(rows)
        except BaseException as error:  # noqa: BLE001 - handed to the consuming thread
            batches.put(error)
        else:
            batches.put(None)

    producer = threading.Thread(target=produce, name="audit-verify-fetch", daemon=True)
    producer.start()
    try:
        while (item := batches.get()) is not None:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        while producer.is_alive():  # let it finish its last put, then close its cursor
            with contextlib.suppress(queue.Empty):
                batches.get(timeout=0.1)
        producer.join()


# State handed to forked workers (inherited, not pickled).
_WORKER: dict[str, Any] = {}


def _worker_range(bounds: tuple[int, int]) -> _RangeResult:
    """In a forked process: own database connection, same snapshot, one id range."""
    raw = _WORKER["new_connection"]()
    try:
        cursor = raw.cursor()
        if _WORKER["vendor"] == "postgresql":
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
            cursor.execute(f"SET TRANSACTION SNAPSHOT '{_WORKER['snapshot']}'")

        cursor.execute(_event_sql(_WORKER["vendor"], *bounds))
        return _check_events(_batches(cursor), _WORKER["vendor"], _WORKER["leaves"],
                             _WORKER["pending"])
    finally:
        raw.close()


def _parallel_workers(requested: int | None, events: int, *, outer: bool) -> int:
    if requested is not None:
        return max(1, requested)
    if events < PARALLEL_THRESHOLD or outer:  # forked readers cannot see a caller's writes
        return 1
    if multiprocessing.current_process().daemon:  # e.g. a Celery prefork worker: no children
        return 1
    if connection.vendor == "sqlite":
        if getattr(connection, "is_in_memory_db", lambda: True)():
            return 1
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode")
            if str(cursor.fetchone()[0]).lower() == "wal":
                return 1  # readers do not hold writers back: snapshots could differ
    elif connection.vendor != "postgresql":
        return 1
    return max(1, min(os.cpu_count() or 1, 8))


def _run_event_pass(low: int, high: int, workers: int, leaves: Leaves,
                    pending: dict[int, tuple[str, str]]) -> list[_RangeResult]:
    vendor = connection.vendor
    if workers <= 1 or high < low:
        return [_check_events(_stream_batches(_event_sql(vendor, low, high + 1)), vendor, leaves,
                              pending)]
    step = (high - low) // workers + 1
    bounds = [(low + step * part, min(high + 1, low + step * (part + 1))) for part in range(workers)]
    snapshot = ""
    if vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = str(cursor.fetchone()[0])
        if not _SNAPSHOT_ID.match(snapshot):
            raise RuntimeError("unexpected snapshot id")
    params = connection.get_connection_params()
    _WORKER.update(vendor=vendor, leaves=leaves, pending=pending, snapshot=snapshot,
                   new_connection=lambda: connection.get_new_connection(params))
    try:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            return pool.map(_worker_range, bounds, chunksize=1)
    finally:
        _WORKER.clear()


def _join_segments(results: list[_RangeResult], problems: _Problems) -> dict[str, tuple[int, str]]:
    """Chains split across ranges must continue where the previous range left them."""
    heads: dict[str, tuple[int, str]] = {}
    for result in results:
        for chain, (first_seq, first_prev, first_pk, first_event_id) in result.firsts.items():
            seq, last = heads.get(chain, (0, GENESIS))
            if first_seq != seq + 1:
                problems.add(f"chain {chain!r} jumps from seq {seq} to {first_seq} "
                             f"(events missing or reordered)", first_pk, first_event_id)
            elif first_prev != last:
                problems.add(f"prev_hash does not link to the previous event of chain {chain!r}",
                             first_pk, first_event_id)
        heads.update(result.lasts)
    return heads


def _check_heads(heads: dict[str, tuple[int, str]], problems: _Problems) -> None:
    stored = {chain: (seq, head) for chain, seq, head in
              ChainHead.objects.values_list("chain", "seq", "head_hash").iterator(chunk_size=FETCH_SIZE)}
    for chain, (seq, head) in stored.items():
        last = heads.get(chain)
        if last is None:
            if seq:
                problems.add(f"chain {chain!r} has a head at seq {seq} but no events (deleted)")
        elif last != (seq, head):
            problems.add(f"chain {chain!r} ends at seq {last[0]} but its head says seq {seq} "
                         f"(events deleted or appended behind the log's back)")
    for chain in heads.keys() - stored.keys():
        problems.add(f"chain {chain!r} has events but no head row")


def _explain_leaf_mismatches(mismatches: list[tuple[int, str, int]], problems: _Problems) -> None:
    """Say whether a leaf was written for another event (rows swapped) or this one changed."""
    if not mismatches:
        return
    uuid_text = converters()[0]
    owners = dict(MerkleLeaf.objects.filter(index__in=[index for _, _, index in mismatches[:1000]])
                  .values_list("index", "event_id"))
    for pk, event_id, index in mismatches:
        owner = uuid_text(owners[index]) if index in owners else ""
        if owner and owner != event_id:
            problems.add(f"tree leaf {index} was written for another event ({owner}): "
                         f"rows swapped", pk, event_id)
        else:
            problems.add(f"does not match tree leaf {index} (edited after sequencing)", pk, event_id)


def _check_dangling(problems: _Problems) -> None:
    """Leaves and queue entries whose event is gone: the event was deleted."""
    events = quote(AuditEvent._meta.db_table)
    uuid_text = converters()[0]
    for model, what in ((MerkleLeaf, "tree leaf"), (PendingLeaf, "queue entry")):
        table = quote(model._meta.db_table)
        sql = (f"SELECT x.{quote('event_pk')}, x.{quote('event_id')} FROM {table} x "  # noqa: S608
               f"LEFT JOIN {events} e ON e.{quote('id')} = x.{quote('event_pk')} "
               f"WHERE e.{quote('id')} IS NULL")
        for event_pk, event_id in stream(sql):
            problems.add(f"is missing: its {what} remains (deleted)", event_pk, uuid_text(event_id))


def _check_checkpoints(checkpoints: list[tuple[int, bytes, str, str]], roots: dict[int, bytes],
                       leaf_count: int, problems: _Problems) -> None:
    verifiers = signing.trusted_verifiers()
    origin = signing.origin()
    verified: list[tuple[int, bytes]] = []
    for size, root_hash, text, row_origin in checkpoints:
        body = None
        for verifier in verifiers:
            try:
                body = note.open_checkpoint(text, verifier, origin=origin)
                break
            except note.NoteError:
                continue
        if body is None:
            problems.add("signature does not verify under any trusted key", checkpoint_size=size)
        elif body.size != size or body.root != bytes(root_hash) or row_origin != origin:
            problems.add("signed body does not match the stored size, root or origin",
                         checkpoint_size=size)
        elif size not in roots:
            problems.add(f"covers {size} leaves but the tree has only {leaf_count}",
                         checkpoint_size=size)
        elif roots[size] != body.root:
            problems.add("root does not match the tree recomputed from the leaves",
                         checkpoint_size=size)
        else:
            verified.append((size, body.root))
    # Every root above was recomputed from the same leaves, which already makes
    # each checkpoint a prefix of the next; these proofs check the stored subtree
    # hashes the API serves proofs from (the latest pairs, and first to last).
    pairs = list(zip(verified, verified[1:], strict=False))[-MAX_CONSISTENCY_PAIRS:]
    if len(verified) > 2:
        pairs.append((verified[0], verified[-1]))
    for (first, first_root), (second, second_root) in pairs:
        try:
            proof = consistency_proof_hashes(first, second)
            merkle.verify_consistency(first, second, first_root, second_root, proof)
        except merkle.ProofError as error:
            problems.add(f"no valid consistency proof from tree size {first}: {error}",
                         checkpoint_size=second)


def verify_log(*, workers: int | None = None) -> Report:
    """Verify everything; the report lists every problem found, first bad event first.

    ``workers``: processes for the event pass (default: one per CPU on large logs,
    outside any open transaction).
    """
    report = Report(started_at=timezone.now())
    problems = _Problems()
    outer = connection.in_atomic_block
    with consistent_read():
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT MIN(id), MAX(id), COUNT(*) FROM {AuditEvent._meta.db_table}")  # noqa: S608
            low, high, total = cursor.fetchone()
        low, high = (low or 0), (high if high is not None else -1)
        checkpoints = [(size, bytes(root), text, origin) for size, root, text, origin in
                       Checkpoint.objects.order_by("tree_size").values_list(
                           "tree_size", "root_hash", "note", "origin")]
        leaves, roots, final_root = _read_leaves(
            low, high, [size for size, *_ in checkpoints], problems)
        uuid_text = converters()[0]
        pending = {pk: (uuid_text(event_id), digest) for pk, event_id, digest in
                   PendingLeaf.objects.values_list("event_pk", "event_id", "event_hash")
                   .iterator(chunk_size=FETCH_SIZE)}
        report.workers = _parallel_workers(workers, total, outer=outer)
        results = _run_event_pass(low, high, report.workers, leaves, pending)
        for result in results:
            report.events += result.events
            for pk, event_id, reason in result.problems:
                problems.add(reason, pk, event_id)
            _explain_leaf_mismatches(result.leaf_mismatches, problems)
        _check_heads(_join_segments(results, problems), problems)
        matched_leaves = sum(result.matched_leaves for result in results)
        matched_pending = sum(len(result.matched_pending) for result in results)
        if matched_leaves != leaves.count or matched_pending != len(pending):
            _check_dangling(problems)
        _check_checkpoints(checkpoints, roots, leaves.count, problems)
        report.checkpoints = len(checkpoints)
        report.leaves = report.tree_size = leaves.count
        report.root = final_root
        report.pending = len(pending)
    report.problems = problems.sorted()
    report.finished_at = timezone.now()
    return report

